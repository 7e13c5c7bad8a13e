/**
 * Async companion of `hcl-syntax`: runs HashiCorp's own parser
 * (`@cdktf/hcl2json`, HCL 2 compiled to WebAssembly) over every rendered HCL
 * agent config and maps its line/column errors back through the MappedText to
 * the host file. Checks are synchronous, so the CLI calls this after
 * `analyze()` and adds the findings (same rule id, `hcl-syntax`).
 *
 * Skipped, so that the result only adds what the synchronous pass cannot know:
 * - configs that still hold an unresolved bare placeholder (`SERVER_COUNT`)
 *   outside strings: not valid HCL until the script substitutes it;
 * - escape problems (`Invalid escape sequence`, an unterminated string from a
 *   trailing backslash): the `hcl-escape` check reports them;
 * - `Attribute redefined`: HCL 2 rejects it, HCL v1 (what the agents use)
 *   accepts it and the later value wins (`duplicate-config-key` reports it);
 * - what HCL v1 accepts and HCL 2 does not: quoted argument names
 *   (`"region" = "global"`), several arguments on one line of a block
 *   (`client { enabled = true, node_class = "x" }`), hexadecimal numbers
 *   (`0x1F90`), dotted argument names (`docker.privileged.enabled = "true"`
 *   inside `client { options { … } }`: HCL v1 identifiers may contain `.`), a comma after an
 *   argument (`verify_incoming = false,`: HCL v1 object lists "can be optionally comma-delimited",
 *   hashicorp/hcl hcl/parser/parser.go objectList);
 * - errors on a host line where the synchronous `hcl-syntax` pass already
 *   reported one.
 */
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding } from '../../types';
import { officialHclErrors } from '../../parsers/hcl/officialParser';
import { atRunTimeValue, attributes, hclSyntax, isEscapeMessage, replacedConfigs, syncSyntaxFindings, unresolvedBareValues } from './hclSyntax';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import { onRunTimePlaceholder } from './runTimePlaceholders';
import type { HclExpr } from '../../parsers/hcl/ast';

/** Summaries of HCL 2 rules that HCL v1 (the agents' parser) does not have. */
const HCL2_ONLY =
  /Attribute redefined|Duplicate|Invalid argument name|Invalid single-argument block definition|Invalid single-line block|Unexpected comma after argument/i;

function inHexNumber(cfg: ParsedAgentConfig, at: number): boolean {
  const walk = (e: HclExpr): boolean =>
    (e.type === 'number' && /^[+-]?0[xX]/.test(e.raw) && at >= e.start && at <= e.end) || (e.type === 'list' && e.items.some(walk));
  for (const a of attributes(cfg.parse.body.items)) if (walk(a.value)) return true;
  // Our parser may have split `0x1F` differently: look at the text itself.
  return /0[xX][0-9a-fA-F]*$/.test(cfg.doc.text.text.slice(Math.max(0, at - 20), at + 1));
}

/**
 * The text with the dots of HCL v1 dotted argument names (`docker.privileged.enabled =`) replaced by `_`, so that
 * HCL 2 (whose identifiers have no `.`) checks the rest of the line; same length, so positions are unchanged.
 */
export function withoutDottedNames(text: string): string {
  return text.replace(/^([ \t]*)([A-Za-z_][\w-]*(?:\.[\w-]+)+)(?=[ \t]*[={"])/gm, (_m, indent: string, name: string) => indent + name.replace(/\./g, '_'));
}

/** Virtual offset of a 1-based line/column (columns counted in code points). */
export function offsetOf(text: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  let col = 1;
  while (col < column && off < text.length && text[off] !== '\n') {
    const cp = text.codePointAt(off)!;
    off += cp > 0xffff ? 2 : 1;
    col++;
  }
  return off;
}

/** Official-parser findings not already reported by the synchronous checks. */
export async function officialSyntaxFindings(model: DeploymentModel): Promise<Finding[]> {
  const sync = syncSyntaxFindings(model);
  const lineKey = (file: string, offset: number): string => {
    const src = model.files.get(file);
    return `${file}:${src ? src.positionAt(offset).line : offset}`;
  };
  const reported = new Set(sync.map((f) => lineKey(f.span.file, f.span.start)));
  const out: Finding[] = [];
  const replaced = replacedConfigs(model);
  for (const cfg of model.configs) {
    if (cfg.doc.format !== 'hcl' || replaced.has(cfg)) continue;
    if (unresolvedBareValues(cfg).length > 0) continue;
    const text = cfg.doc.text.text;
    let errors;
    try {
      errors = await officialHclErrors(withoutDottedNames(text), 'agent.hcl');
    } catch {
      continue;
    }
    for (const e of errors) {
      if (HCL2_ONLY.test(e.summary)) continue;
      const start = offsetOf(text, e.line, e.column);
      const end = e.endColumn !== undefined ? Math.max(start, offsetOf(text, e.endLine ?? e.line, e.endColumn)) : start;
      if (isEscapeMessage(cfg, `${e.summary}`, start, end) || atRunTimeValue(cfg, start)) continue;
      if (inHexNumber(cfg, start) || onRunTimePlaceholder(model, cfg, start, end)) continue;
      const span = cfg.doc.text.toHost(start, end > start ? end : Math.min(text.length, start + 1));
      const key = lineKey(span.file, span.start);
      if (reported.has(key)) continue;
      reported.add(key);
      const what = e.detail ? `${e.summary}; ${e.detail}` : e.summary;
      out.push(
        finding({
          check: hclSyntax,
          span,
          message: `The ${cfg.product === 'nomad' ? 'Nomad' : 'Consul'} config written here is rejected by HashiCorp's HCL parser: ${what}`,
          related: [{ span: cfg.doc.writeSpan, message: `config written here (${cfg.doc.via})` }],
        }),
      );
    }
  }
  return out;
}
