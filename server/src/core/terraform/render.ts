/**
 * Renders a Terraform template (`templatefile`) into a virtual document:
 * `${name}` becomes the value passed by the call (carrying its chain), `$${`
 * becomes `${`. What cannot be evaluated stays as written, marked unknown, so
 * later stages never mistake it for a real value.
 */
import type { HclExpr, HclTemplatePart } from '../parsers/hcl/ast';
import { MappedText, MappedTextBuilder } from '../text/mappedText';
import type { ResolvedValue } from '../types';
import { parseExpressionText } from '../parsers/hcl/parser';
import { toBool } from './collections';

export function renderTemplate(
  file: string,
  text: string,
  parts: readonly HclTemplatePart[],
  vars: ReadonlyMap<string, ResolvedValue>,
  /** Variables whose value is another rendered template (`data.template_file.x.rendered`): embedded with its mapping. */
  nested: ReadonlyMap<string, MappedText> = new Map(),
  /**
   * Evaluates an interpolation that is more than a name or a literal (`${base64encode(file(…))}`, `${tls.ca_file}`)
   * in the template's scope; without it, such an interpolation stays as written, unknown.
   */
  evaluateExpr?: (expr: HclExpr) => ResolvedValue,
  /**
   * Evaluates the condition of an `%{ if … }` with the names the call passes (the Terraform model's full evaluation:
   * operators, parentheses, comparisons, literals, functions such as `length()`); without it, every condition is
   * undecided and both branches are kept.
   */
  decide?: (condition: HclExpr) => ResolvedValue,
): MappedText {
  const source = MappedText.identity(file, text);
  const b = new MappedTextBuilder(source);
  let pos = 0;
  // `%{ if }` frames: a condition decided from the passed values keeps only its branch (Terraform renders one); an
  // undecided one keeps both branches, as written. `%{ for }` bodies are kept once.
  const frames: Array<{ cond: boolean | undefined; inElse: boolean }> = [];
  let skipping = false;
  for (const p of parts) {
    if (p.kind === 'directive') {
      const kw = p.keyword;
      if (kw === 'if') frames.push({ cond: skipping ? undefined : ifCondition(p.raw, decide), inElse: false });
      else if (kw === 'for') frames.push({ cond: undefined, inElse: false });
      else if (kw === 'else' && frames.length > 0) frames[frames.length - 1]!.inElse = true;
      else if ((kw === 'endif' || kw === 'endfor') && frames.length > 0) frames.pop();
      const wasSkipping = skipping;
      skipping = frames.some((f) => f.cond !== undefined && f.cond === f.inElse);
      if (!wasSkipping && p.start > pos) b.copy(pos, p.start);
      pos = Math.max(pos, p.end);
      continue;
    }
    if (skipping) {
      pos = Math.max(pos, p.end);
      continue;
    }
    if (p.start > pos) b.copy(pos, p.start);
    if (p.kind === 'literal') {
      if (p.end - p.start === p.value.length) b.copy(p.start, p.end);
      else b.emit(p.value, p.start, p.end);
    } else if (p.kind === 'interpolation') {
      const v = evaluateInterpolation(p.expr, vars, evaluateExpr);
      const inner = p.expr.type === 'traversal' && p.expr.path.length === 1 ? nested.get(p.expr.path[0]!) : undefined;
      if (inner && v.kind === 'known') b.embed(inner, p.start, p.end, v);
      else if (v.kind === 'known') b.emit(v.text, p.start, p.end, v);
      else b.emit(text.slice(p.start, p.end), p.start, p.end, v);
    }
    pos = Math.max(pos, p.end);
  }
  if (pos < text.length) b.copy(pos, text.length);
  return b.build();
}

/**
 * The value of an `%{ if COND }` condition when the passed values decide it, as Terraform evaluates it: the condition
 * is an HCL expression (parsed by the same expression parser as a module, evaluated by the Terraform model with the
 * call's values as its only names). Undecided (unknown, not a bool, or not parsed) keeps both branches. Logic is
 * three-valued: `false && x` and `true || x` are decided whatever x is (collections.ts `binary`).
 */
function ifCondition(raw: string, decide: ((condition: HclExpr) => ResolvedValue) | undefined): boolean | undefined {
  if (!decide) return undefined;
  const m = /^%\{~?\s*if\s+(.*?)\s*~?\}$/s.exec(raw);
  const e = m ? parseExpressionText(m[1]!) : undefined;
  if (!e) return undefined;
  return toBool(decide(e));
}

function evaluateInterpolation(
  expr: HclExpr,
  vars: ReadonlyMap<string, ResolvedValue>,
  evaluateExpr: ((expr: HclExpr) => ResolvedValue) | undefined,
): ResolvedValue {
  if (expr.type === 'traversal' && expr.path.length === 1) {
    const name = expr.path[0]!;
    return vars.get(name) ?? { kind: 'unknown', reason: `the template uses \${${name}} but templatefile() does not pass it`, chain: [] };
  }
  if (expr.type === 'string' || expr.type === 'number' || expr.type === 'bool') {
    return { kind: 'known', text: String(expr.value), chain: [] };
  }
  // Calls, and attribute / index access on a passed object, map or list (`${tls.ca_file}`, `${servers[0]}`).
  if (evaluateExpr && (expr.type === 'call' || expr.type === 'traversal')) return evaluateExpr(expr);
  return { kind: 'unknown', reason: 'template expression is not evaluated', chain: [] };
}

/** Names a template uses as plain `${name}` (and inside larger expressions). */
export function templateVariableUses(parts: readonly HclTemplatePart[]): Array<{ name: string; start: number; end: number }> {
  const out: Array<{ name: string; start: number; end: number }> = [];
  for (const p of parts) {
    if (p.kind === 'interpolation') collect(p.expr, out);
    else if (p.kind === 'directive') {
      for (const m of p.raw.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\b/g)) {
        const name = m[1]!;
        if (['if', 'else', 'endif', 'for', 'endfor', 'in', 'true', 'false', 'null'].includes(name)) continue;
        out.push({ name, start: p.start, end: p.end });
      }
    }
  }
  return out;
}

function collect(e: Extract<HclTemplatePart, { kind: 'interpolation' }>['expr'], out: Array<{ name: string; start: number; end: number }>): void {
  switch (e.type) {
    case 'traversal':
      if (e.path[0]) out.push({ name: e.path[0], start: e.start, end: e.end });
      break;
    case 'call':
      for (const a of e.args) collect(a, out);
      break;
    case 'list':
      for (const a of e.items) collect(a, out);
      break;
    case 'string':
      for (const p of e.parts) if (p.kind === 'interpolation') collect(p.expr, out);
      break;
    case 'other':
      for (const m of e.raw.matchAll(/(?<![.\w])([A-Za-z_][A-Za-z0-9_]*)(?![\w(])/g)) {
        const name = m[1]!;
        if (['true', 'false', 'null', 'for', 'in', 'if'].includes(name)) continue;
        out.push({ name, start: e.start + (m.index ?? 0), end: e.start + (m.index ?? 0) + name.length });
      }
      break;
    default:
      break;
  }
}
