/**
 * hcl-syntax: a rendered agent config that is not valid HCL, so the agent
 * refuses to start. Synchronous part: the diagnostics of our own tolerant
 * HCL v1 parser (exact offsets, mapped through the MappedText to the script
 * or template that produced the text), plus bare identifiers that no script
 * substitutes. The official parser runs in `officialSyntaxFindings`
 * (officialSyntax.ts), which is async.
 *
 * Not reported here (the `hcl-escape` check owns them): `illegal char
 * escape`, and `literal not terminated` caused by a trailing backslash that
 * escapes the closing quote.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import type { HclAttribute, HclBlock, HclBody, HclExpr } from '../../parsers/hcl/ast';
import type { Finding } from '../../types';
import type { DeploymentModel } from '../../model/deploymentModel';
import { normaliseTarget } from '../../agent/roles';
import { onRunTimePlaceholder, substitutedWords } from './runTimePlaceholders';

/** Whether a parser message is about a string escape (reported by hcl-escape). */
export function isEscapeMessage(cfg: ParsedAgentConfig, message: string, start: number, end: number): boolean {
  if (/illegal char escape|Invalid escape sequence/i.test(message)) return true;
  if (/literal not terminated|Unterminated template string|Invalid multi-line string/i.test(message)) {
    const text = cfg.doc.text.text;
    // The whole line of the string: a `\"` in it means a trailing backslash ate the closing quote.
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const lineEnd = text.indexOf('\n', Math.max(start, lineStart + 1));
    const seg = text.slice(lineStart, Math.max(end, lineEnd < 0 ? text.length : lineEnd));
    return /\\"/.test(seg);
  }
  return false;
}

export function* attributes(items: ReadonlyArray<HclAttribute | HclBlock>): Generator<HclAttribute> {
  for (const i of items) {
    if (i.kind === 'block') yield* attributes(i.body.items);
    else if (i.value.type === 'object') yield* attributes(i.value.items);
    else yield i;
  }
}

function* bareValues(e: HclExpr): Generator<HclExpr> {
  if (e.type === 'traversal' || e.type === 'call') yield e;
  else if (e.type === 'list') for (const i of e.items) yield* bareValues(i);
}

/** Bare words in value position that a script substitutes at run time (`bootstrap_expect = SERVER_COUNT`). */
export function unresolvedBareValues(cfg: ParsedAgentConfig): HclExpr[] {
  const out: HclExpr[] = [];
  if (cfg.doc.format !== 'hcl') return out;
  for (const a of attributes(cfg.parse.body.items)) {
    for (const v of bareValues(a.value)) if (!cfg.doc.text.isExactAt(v.start)) out.push(v);
  }
  return out;
}

/**
 * Whether a parser error sits on a value only known at run time that kept its written text (`bootstrap_expect =
 * ${nomad_servers}` in a heredoc whose Terraform template the model could not render): that text is not what the agent
 * reads, so it says nothing about the config's syntax.
 */
export function atRunTimeValue(cfg: ParsedAgentConfig, start: number): boolean {
  const t = cfg.doc.text;
  const unknownAt = (v: number) => v >= 0 && v < t.text.length && t.originsIn(v, v + 1).some((o) => o.kind === 'unknown');
  if (unknownAt(Math.min(start, t.text.length - 1))) return true;
  // The parser may stop just after the value (`bootstrap_expect = $num_servers⏎`: "expected '=' … after num_servers").
  let j = start;
  while (j > 0 && (t.text[j - 1] === ' ' || t.text[j - 1] === '\t' || t.text[j - 1] === '\r' || t.text[j - 1] === '\n')) j--;
  return unknownAt(j - 1);
}

/** Every bare value of a parse with its attribute: per parse, which the engine shares between equal texts. */
const bareByBody = new WeakMap<HclBody, ReadonlyArray<{ readonly a: HclAttribute; readonly v: HclExpr }>>();

function bareValuesOf(body: HclBody): ReadonlyArray<{ readonly a: HclAttribute; readonly v: HclExpr }> {
  let list = bareByBody.get(body);
  if (list === undefined) {
    const out: Array<{ a: HclAttribute; v: HclExpr }> = [];
    for (const a of attributes(body.items)) for (const v of bareValues(a.value)) out.push({ a, v });
    bareByBody.set(body, (list = out));
  }
  return list;
}

/** 0-based line of an offset (counts line feeds; the documents are short). */
function lineOfOffset(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Config documents that a later write to the same file replaces (an image's placeholder config that user-data
 * overwrites): the agent never reads them, so their syntax does not matter. Per model.
 */
const replacedCache = new WeakMap<DeploymentModel, ReadonlySet<ParsedAgentConfig>>();

export function replacedConfigs(model: DeploymentModel): ReadonlySet<ParsedAgentConfig> {
  const hit = replacedCache.get(model);
  if (hit) return hit;
  const effective = new Set(model.roles.flatMap((r) => r.configs.map((c) => c.doc)));
  const targets = new Set<string>();
  for (const r of model.roles)
    for (const c of r.configs) if (c.doc.targetPath && !c.doc.targetPath.includes('$')) targets.add(normaliseTarget(c.doc.targetPath, c.doc.os));
  const out = new Set<ParsedAgentConfig>();
  for (const cfg of model.configs) {
    const t = cfg.doc.targetPath;
    if (effective.has(cfg.doc) || !t || t.includes('$')) continue;
    if (targets.has(normaliseTarget(t, cfg.doc.os))) out.add(cfg);
  }
  replacedCache.set(model, out);
  return out;
}

export function syncSyntaxFindings(model: DeploymentModel): Finding[] {
  const out: Finding[] = [];
  const replaced = replacedConfigs(model);
  for (const cfg of model.configs) {
    if (replaced.has(cfg)) continue;
    const t = cfg.doc.text;
    // One finding per line of the document: a parser that resynchronises character by character (an unquoted
    // `{{ consul_server_count }}` in JSON) would otherwise report every character of one mistake.
    const lines = new Set<number>();
    for (const d of cfg.parse.diagnostics) {
      if (isEscapeMessage(cfg, d.message, d.start, d.end) || atRunTimeValue(cfg, d.start)) continue;
      if (onRunTimePlaceholder(model, cfg, d.start, d.end)) continue;
      const line = lineOfOffset(t.text, d.start);
      if (lines.has(line)) continue;
      lines.add(line);
      out.push(
        finding({
          check: hclSyntax,
          span: t.toHost(d.start, Math.max(d.end, d.start + (d.end === d.start && d.start < t.text.length ? 1 : 0))),
          message: `The ${cfg.product === 'nomad' ? 'Nomad' : 'Consul'} config written here is not valid ${cfg.doc.format === 'json' ? 'JSON' : 'HCL'}: ${d.message}. The agent refuses to start (\`Error loading configuration\`).`,
          related: [{ span: cfg.doc.writeSpan, message: `config written here (${cfg.doc.via})` }],
        }),
      );
    }
    if (cfg.doc.format !== 'hcl') continue;
    // A bare word copied verbatim (no script substitutes it): HCL v1 rejects it (`Unknown token: ... IDENT`).
    for (const { a, v } of bareValuesOf(cfg.parse.body)) {
      if (!t.isExactAt(v.start) || t.originsIn(v.start, v.end).length > 0) continue;
      const word = t.text.slice(v.start, v.end);
      // A placeholder another step of the deployment replaces (`sed -i 's/server_count/3/'` in the remote-exec that
      // follows the upload) is filled in before the agent reads the file.
      if (substitutedWords(model).has(word) || onRunTimePlaceholder(model, cfg, v.start, v.end)) continue;
      out.push(
        finding({
          check: hclSyntax,
          span: t.toHost(v.start, v.end),
          message: `\`${a.name} = ${word}\`: HCL v1 does not accept a bare word as a value (\`Unknown token: IDENT ${word.split(/[.(\s]/)[0]}\`), and no script step substitutes it. Quote it or substitute the placeholder.`,
        }),
      );
    }
  }
  return out;
}

export const hclSyntax: Check = {
  id: 'hcl-syntax',
  category: 'syntax',
  severity: 'error',
  title: 'Rendered Nomad/Consul agent config is not valid HCL',
  run: syncSyntaxFindings,
};
