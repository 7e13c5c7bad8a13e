/**
 * hcl-escape: single backslashes in the HCL strings of agent configs. HCL v1
 * (`hcl.Decode`, used by Nomad and Consul) accepts only \a \b \f \n \r \t \v
 * \\ \" and octal/\x/\u/\U escapes: `\H` fails with `illegal char escape`,
 * `\t`/`\n` silently become TAB/LF, and a trailing backslash escapes the
 * closing quote (`literal not terminated`). The same holds for `.json`
 * configs, with the JSON decoders' errors (Consul: encoding/json, `invalid
 * character 'H' in string escape code`; Nomad: HCL v1's JSON parser).
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import type { HclBody, HclExpr } from '../../parsers/hcl/ast';
import type { Finding, FixSpec, Span } from '../../types';
import { hostText, layerChain, where } from './util';

const WINDOWS_PATH = /^(?:[A-Za-z]:\\|\\\\[^\\])/;

export const hclEscapeCheck: Check = {
  id: 'hcl-escape',
  category: 'hcl-escape',
  severity: 'error',
  title: 'Single backslashes (Windows paths) in the HCL strings of Nomad/Consul agent configs',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    for (const cfg of model.configs) {
      const text = cfg.doc.text.text;
      // Trailing backslashes that escape a closing quote (`"C:\logs\"`), by the offset of that backslash.
      const trailing: Array<{ pos: number; quote: number; merged: boolean }> = [];
      for (const d of cfg.parse.diagnostics) {
        if (!d.message.startsWith('literal not terminated')) continue;
        const pos = trailingBackslash(text, d.start, d.end);
        if (pos !== undefined) trailing.push({ pos, quote: d.start, merged: false });
      }
      for (const { path, expr } of stringsOf(cfg.parse.body)) {
        if (expr.escapeIssues.length === 0) continue;
        const raw = text.slice(expr.contentStart, expr.contentEnd);
        const issues: EscapeAt[] = expr.escapeIssues.filter((i) => i.kind !== 'control' || WINDOWS_PATH.test(raw));
        if (issues.length === 0) continue;
        // One finding per string: the agent stops at its first invalid escape (a control escape before it is read
        // silently), so that one is reported, naming the others; the fix rewrites every backslash of them.
        const primary = issues.find((i) => i.kind === 'invalid') ?? issues[0]!;
        // A trailing backslash of the same string comes after the invalid escape the agent stops at: named here too.
        if (primary.kind === 'invalid')
          for (const t of trailing)
            if (!t.merged && t.pos >= expr.contentStart && t.pos < expr.contentEnd) {
              t.merged = true;
              issues.push({ start: t.pos, sequence: '\\"', kind: 'unterminated' });
            }
        out.push(report(model, cfg, path, primary.start, primary.sequence, primary.kind, raw, issues));
      }
      for (const t of trailing) {
        if (t.merged) continue;
        const raw = text.slice(t.quote + 1, t.pos + 1);
        out.push(report(model, cfg, attrNameBefore(text, t.quote), t.pos, '\\"', 'unterminated', raw));
      }
    }
    return out;
  },
};

type EscapeAt = { readonly start: number; readonly sequence: string; readonly kind: 'invalid' | 'control' | 'unterminated' };

type StringAt = { path: string; expr: Extract<HclExpr, { type: 'string' }> };

/** The string literals of a parse, by setting path: per parse, which the engine shares between equal texts. */
const stringsByBody = new WeakMap<HclBody, readonly StringAt[]>();

function stringsOf(body: HclBody): readonly StringAt[] {
  let list = stringsByBody.get(body);
  if (list === undefined) {
    const out: StringAt[] = [];
    collectStrings(body, '', out);
    stringsByBody.set(body, (list = out));
  }
  return list;
}

function collectStrings(body: HclBody, prefix: string, out: Array<{ path: string; expr: Extract<HclExpr, { type: 'string' }> }>): void {
  for (const item of body.items) {
    if (item.kind === 'block') {
      collectStrings(item.body, [prefix, item.type, ...item.labels.map((l) => l.value)].filter(Boolean).join('.'), out);
    } else {
      collectExpr(item.value, prefix ? `${prefix}.${item.name}` : item.name, out);
    }
  }
}

function collectExpr(e: HclExpr, path: string, out: Array<{ path: string; expr: Extract<HclExpr, { type: 'string' }> }>): void {
  if (e.type === 'string') out.push({ path, expr: e });
  else if (e.type === 'list') for (const i of e.items) collectExpr(i, path, out);
  else if (e.type === 'object') for (const i of e.items) collectExpr(i.value, `${path}.${i.name}`, out);
}

/** Offset of the backslash that escapes the closing quote inside [start, end). */
function trailingBackslash(text: string, start: number, end: number): number | undefined {
  for (let i = start + 1; i < Math.min(end, text.length) - 1; i++) {
    if (text[i] !== '\\') continue;
    if (text[i + 1] === '\\') {
      i++;
      continue;
    }
    if (text[i + 1] === '"') return i;
  }
  return undefined;
}

function attrNameBefore(text: string, quote: number): string {
  const line = text.slice(text.lastIndexOf('\n', quote - 1) + 1, quote);
  const m = /([A-Za-z_][\w-]*)\s*=\s*\[?\s*$/.exec(line);
  return m ? m[1]! : 'a string';
}

function report(
  model: DeploymentModel,
  cfg: ParsedAgentConfig,
  path: string,
  v: number,
  sequence: string,
  kind: 'invalid' | 'control' | 'unterminated',
  raw: string,
  /** Every escape issue of the string (the reported one among them), for a string literal. */
  all: readonly EscapeAt[] = [],
): Finding {
  const doc = cfg.doc;
  const span = doc.text.toHost(v, v + sequence.length);
  const bsSpan: Span = doc.text.toHost(v, v + 1);
  const exactBackslash = (at: number): Span | undefined => {
    const h = doc.text.toHost(at, at + 1);
    return doc.text.isExactAt(at) && h.end - h.start === 1 && hostText(model, h) === '\\' ? h : undefined;
  };
  const exact = exactBackslash(v) !== undefined;
  // The other backslashes of the same string the fix rewrites too (each an exact copy in the host file).
  const fixSpans = [bsSpan, ...all.filter((i) => i.start !== v).flatMap((i) => exactBackslash(i.start) ?? [])].sort((a, b) => a.start - b.start);
  const others = all.filter((i) => i.start !== v);
  const layers = layerChain(model, cfg, span.start);
  const shown = raw.length > 60 ? `${raw.slice(0, 57)}…` : raw;
  const agent = cfg.product === 'nomad' ? 'Nomad' : 'Consul';
  // A .json config: Consul decodes it with Go's encoding/json (agent/config ParseFile), Nomad with the HCL v1
  // JSON parser, so the error text differs from the HCL one.
  const json = doc.format === 'json';
  const lang = json ? 'JSON' : 'HCL';
  const consulJson = json && cfg.product === 'consul';
  let message: string;
  if (kind === 'invalid') {
    const symptom = consulJson ? `invalid character '${sequence.slice(1) || '\\n'}' in string escape code` : 'illegal char escape';
    message = `${path} = "${shown}": \`${sequence}\` is not a${json ? '' : 'n'} ${lang} escape, so ${agent} refuses to start with "${symptom}". The backslash reaches ${json ? 'the JSON' : 'HCL'} unchanged: ${layers}. Write the Windows path with forward slashes (C:/…) or doubled backslashes (C:\\\\…).`;
  } else if (kind === 'control') {
    message = `${path} = "${shown}": \`${sequence}\` is a valid ${lang} escape, so ${agent} silently reads a ${controlName(sequence)} character instead of "\\${sequence.slice(1)}" and the Windows path points nowhere (no error at start-up). Layers: ${layers}. Write the path with forward slashes (C:/…) or doubled backslashes (C:\\\\…).`;
  } else {
    const symptom = consulJson ? "invalid character '\\n' in string literal" : 'literal not terminated';
    message = `${path} = "${shown}": the trailing backslash escapes the closing quote, so ${agent} refuses to start with "${symptom}". Layers: ${layers}. End the path with "/" or "\\\\", or drop the trailing separator.`;
  }
  if (others.length > 0) {
    const control = others.some((i) => i.kind === 'control');
    const what =
      kind !== 'invalid'
        ? `each is read as a control character too`
        : !control
          ? `the agent stops at the first, so fixing one only moves the error to the next`
          : `the agent stops at the first invalid escape, and a valid one is read as a control character`;
    const list = others
      .map((i) =>
        i.kind === 'unterminated'
          ? `the trailing one (\`\\"\`), which escapes the closing quote ("${consulJson ? "invalid character '\\n' in string literal" : 'literal not terminated'}")`
          : `\`${i.sequence}\``,
      )
      .join(', ');
    const n = fixSpans.length;
    message += ` The same string has ${others.length} more single backslash${others.length === 1 ? '' : 'es'}: ${list}; ${what}.${n > 1 ? ` The quick fixes rewrite ${n === 2 ? 'both' : `all ${n}`} backslashes of the string.` : ''}`;
  }
  const fixes: FixSpec[] = [];
  if (exact) {
    fixes.push({ title: 'Use a forward slash (/) in the Windows path', edits: fixSpans.map((b) => ({ span: b, newText: '/' })), safeForFixAll: true });
    // A backslash is literal in every PowerShell string, in a Terraform template
    // and in an HCL file, so doubling it in the host file yields `\\` in HCL.
    // An unquoted bash heredoc would turn `\\` back into `\`: no doubling fix there.
    if (!/\.(sh|bash)$/i.test(bsSpan.file)) {
      fixes.push({
        title: fixSpans.length > 1 ? 'Double the backslashes (\\\\)' : 'Double the backslash (\\\\)',
        edits: fixSpans.map((b) => ({ span: b, newText: '\\\\' })),
      });
    }
  }
  const related =
    doc.writeSpan.file === span.file && doc.writeSpan.start <= span.start && span.end <= doc.writeSpan.end
      ? []
      : [{ span: doc.writeSpan, message: `the config is written here (${doc.via}) — ${where(model, doc.writeSpan)}` }];
  return finding({ check: hclEscapeCheck, span, message, fixes, related, severity: kind === 'control' ? 'warning' : 'error' });
}

function controlName(seq: string): string {
  switch (seq) {
    case '\\t':
      return 'TAB';
    case '\\n':
      return 'line feed (LF)';
    case '\\r':
      return 'carriage return (CR)';
    case '\\a':
      return 'BEL';
    case '\\b':
      return 'backspace';
    case '\\f':
      return 'form feed';
    case '\\v':
      return 'vertical tab';
    default:
      return 'control';
  }
}
