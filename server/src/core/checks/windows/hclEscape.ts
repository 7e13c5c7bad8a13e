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
      for (const { path, expr } of stringsOf(cfg.parse.body)) {
        const raw = cfg.doc.text.text.slice(expr.contentStart, expr.contentEnd);
        for (const issue of expr.escapeIssues) {
          if (issue.kind === 'control' && !WINDOWS_PATH.test(raw)) continue;
          out.push(report(model, cfg, path, issue.start, issue.sequence, issue.kind, raw));
        }
      }
      for (const d of cfg.parse.diagnostics) {
        if (!d.message.startsWith('literal not terminated')) continue;
        const pos = trailingBackslash(cfg.doc.text.text, d.start, d.end);
        if (pos === undefined) continue;
        const raw = cfg.doc.text.text.slice(d.start + 1, pos + 1);
        out.push(report(model, cfg, attrNameBefore(cfg.doc.text.text, d.start), pos, '\\"', 'unterminated', raw));
      }
    }
    return out;
  },
};

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
): Finding {
  const doc = cfg.doc;
  const span = doc.text.toHost(v, v + sequence.length);
  const bsSpan: Span = doc.text.toHost(v, v + 1);
  const exact = doc.text.isExactAt(v) && bsSpan.end - bsSpan.start === 1 && hostText(model, bsSpan) === '\\';
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
  const fixes: FixSpec[] = [];
  if (exact) {
    fixes.push({ title: 'Use a forward slash (/) in the Windows path', edits: [{ span: bsSpan, newText: '/' }], safeForFixAll: true });
    // A backslash is literal in every PowerShell string, in a Terraform template
    // and in an HCL file, so doubling it in the host file yields `\\` in HCL.
    // An unquoted bash heredoc would turn `\\` back into `\`: no doubling fix there.
    if (!/\.(sh|bash)$/i.test(bsSpan.file)) {
      fixes.push({ title: 'Double the backslash (\\\\)', edits: [{ span: bsSpan, newText: '\\\\' }] });
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
