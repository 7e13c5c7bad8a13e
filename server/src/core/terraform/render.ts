/**
 * Renders a Terraform template (`templatefile`) into a virtual document:
 * `${name}` becomes the value passed by the call (carrying its chain), `$${`
 * becomes `${`. What cannot be evaluated stays as written, marked unknown, so
 * later stages never mistake it for a real value.
 */
import type { HclExpr, HclTemplatePart } from '../parsers/hcl/ast';
import { MappedText, MappedTextBuilder } from '../text/mappedText';
import type { ResolvedValue } from '../types';

export function renderTemplate(
  file: string,
  text: string,
  parts: readonly HclTemplatePart[],
  vars: ReadonlyMap<string, ResolvedValue>,
  /** Variables whose value is another rendered template (`data.template_file.x.rendered`): embedded with its mapping. */
  nested: ReadonlyMap<string, MappedText> = new Map(),
  /**
   * Evaluates an interpolation that is more than a name or a literal (`${base64encode(file(…))}`) in the template's
   * scope; without it, such an interpolation stays as written, unknown.
   */
  evaluateExpr?: (expr: HclExpr) => ResolvedValue,
  /**
   * A passed value with its type (the Terraform model's full evaluation), asked only by `%{ if length(name) … }`:
   * the values in `vars` come from the cheap evaluation, which does not keep a list's elements.
   */
  typedVar?: (name: string) => ResolvedValue | undefined,
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
      if (kw === 'if') frames.push({ cond: skipping ? undefined : ifCondition(p.raw, vars, typedVar), inElse: false });
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
 * The value of an `%{ if COND }` condition when the passed values decide it, as Terraform evaluates it (HCL
 * hclsyntax operators, precedence `||` < `&&` < `==` `!=` < `>` `>=` `<` `<=` < unary `!`, hashicorp/hcl
 * hclsyntax/operation.go `binaryOps`): names passed to
 * templatefile(), string / number / bool literals, parentheses, `!`, `&&`, `||`, `==`, `!=`, the four numeric
 * comparisons and `length(name)` of a passed collection or string. Logic is three-valued: `false && x` and
 * `true || x` are decided whatever `x` is (HCL evaluates both operands, and both are values: an undecided operand
 * here is one this model does not know, not an error). Anything else (attribute access, other calls, `null`,
 * `[]`/`{}` literals) is undecided, and an undecided condition keeps both branches. `x != {}` stays undecided on
 * purpose: `{}` is an `object({})`, so it is true for any `map(string)` x, even an empty one, and false for an empty
 * object (hashicorp/terraform#31803, "Equality Operators" in the expressions docs); the model does not tell maps from
 * objects.
 */
function ifCondition(
  raw: string,
  vars: ReadonlyMap<string, ResolvedValue>,
  typedVar: ((name: string) => ResolvedValue | undefined) | undefined,
): boolean | undefined {
  const m = /^%\{~?\s*if\s+(.*?)\s*~?\}$/s.exec(raw);
  if (!m) return undefined;
  const tokens = condTokens(m[1]!);
  if (!tokens) return undefined;
  const p = new CondParser(tokens, vars, typedVar);
  const v = p.or();
  if (!p.done()) return undefined;
  return asBool(v);
}

/** A condition operand: a bool, a number, a string, a collection (its length), or a value passed without a known type. */
type CondValue =
  | { readonly t: 'bool'; readonly b: boolean }
  | { readonly t: 'num'; readonly n: number }
  | { readonly t: 'str'; readonly s: string }
  | { readonly t: 'coll'; readonly len: number }
  /** A known value without a type (a tfvars string, a literal passed to templatefile()): converted as Terraform converts strings. */
  | { readonly t: 'raw'; readonly s: string }
  | undefined;

const COND_TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w-]*)|(&&|\|\||==|!=|>=|<=|[()!<>,]))/y;

function condTokens(text: string): string[] | undefined {
  const out: string[] = [];
  COND_TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    COND_TOKEN.lastIndex = pos;
    const m = COND_TOKEN.exec(text);
    if (!m) return undefined;
    out.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
    pos = COND_TOKEN.lastIndex;
  }
  return out;
}

const NUM = /^-?\d+(?:\.\d+)?$/;

function asBool(v: CondValue): boolean | undefined {
  if (v?.t === 'bool') return v.b;
  if (v?.t === 'raw' || v?.t === 'str') return v.s === 'true' ? true : v.s === 'false' ? false : undefined;
  return undefined;
}

function asNum(v: CondValue): number | undefined {
  if (v?.t === 'num') return v.n;
  if ((v?.t === 'raw' || v?.t === 'str') && NUM.test(v.s)) return Number(v.s);
  return undefined;
}

/** `==`: Terraform compares without converting, so two known types that differ are unequal; a value without a type is compared as the other side's type. */
function condEqual(a: CondValue, b: CondValue): boolean | undefined {
  if (!a || !b || a.t === 'coll' || b.t === 'coll') return undefined;
  if (a.t === 'raw' || b.t === 'raw') {
    const [r, o] = a.t === 'raw' ? [a, b] : [b as { t: 'raw'; s: string }, a];
    if (o.t === 'raw' || o.t === 'str') return r.s === o.s;
    if (o.t === 'num') return NUM.test(r.s) ? Number(r.s) === o.n : undefined;
    const rb = asBool(r);
    return rb === undefined ? undefined : rb === o.b;
  }
  if (a.t !== b.t) return undefined;
  if (a.t === 'bool') return a.b === (b as { b: boolean }).b;
  if (a.t === 'num') return a.n === (b as { n: number }).n;
  return a.s === (b as { s: string }).s;
}

class CondParser {
  private i = 0;
  constructor(
    private readonly tokens: readonly string[],
    private readonly vars: ReadonlyMap<string, ResolvedValue>,
    private readonly typedVar: ((name: string) => ResolvedValue | undefined) | undefined,
  ) {}
  done(): boolean {
    return this.i === this.tokens.length;
  }
  private peek(): string | undefined {
    return this.tokens[this.i];
  }
  private eat(t: string): boolean {
    if (this.tokens[this.i] !== t) return false;
    this.i++;
    return true;
  }
  /** Parse failures poison the whole condition (`fail`), undecided operands only their operator. */
  private failed = false;
  private fail(): CondValue {
    this.failed = true;
    this.i = this.tokens.length + 1;
    return undefined;
  }
  or(): CondValue {
    let a = this.and();
    while (!this.failed && this.eat('||')) {
      const b = this.and();
      const x = asBool(a);
      const y = asBool(b);
      a = x === true || y === true ? { t: 'bool', b: true } : x === false && y === false ? { t: 'bool', b: false } : undefined;
    }
    return a;
  }
  private and(): CondValue {
    let a = this.eq();
    while (!this.failed && this.eat('&&')) {
      const b = this.eq();
      const x = asBool(a);
      const y = asBool(b);
      a = x === false || y === false ? { t: 'bool', b: false } : x === true && y === true ? { t: 'bool', b: true } : undefined;
    }
    return a;
  }
  private eq(): CondValue {
    let a = this.cmp();
    for (let op = this.peek(); !this.failed && (op === '==' || op === '!='); op = this.peek()) {
      this.i++;
      const e = condEqual(a, this.cmp());
      a = e === undefined ? undefined : { t: 'bool', b: e === (op === '==') };
    }
    return a;
  }
  private cmp(): CondValue {
    let a = this.unary();
    for (let op = this.peek(); !this.failed && (op === '>' || op === '<' || op === '>=' || op === '<='); op = this.peek()) {
      this.i++;
      const x = asNum(a);
      const y = asNum(this.unary());
      if (x === undefined || y === undefined) a = undefined;
      else a = { t: 'bool', b: op === '>' ? x > y : op === '<' ? x < y : op === '>=' ? x >= y : x <= y };
    }
    return a;
  }
  private unary(): CondValue {
    if (this.eat('!')) {
      const b = asBool(this.unary());
      return b === undefined ? undefined : { t: 'bool', b: !b };
    }
    return this.primary();
  }
  private primary(): CondValue {
    const t = this.peek();
    if (t === undefined) return this.fail();
    this.i++;
    if (t === '(') {
      const v = this.or();
      return this.eat(')') ? v : this.fail();
    }
    if (t.startsWith('"')) return { t: 'str', s: JSON.parse(t) as string };
    if (NUM.test(t)) return { t: 'num', n: Number(t) };
    if (t === 'true' || t === 'false') return { t: 'bool', b: t === 'true' };
    if (!/^[A-Za-z_]/.test(t)) return this.fail();
    if (this.eat('(')) {
      // A call: only `length(name)` is evaluated; any other call's arguments are skipped to its closing parenthesis.
      const arg = t === 'length' && /^[A-Za-z_]/.test(this.peek() ?? '') && this.tokens[this.i + 1] === ')' ? this.tokens[this.i]! : undefined;
      let depth = 1;
      while (depth > 0) {
        const x = this.peek();
        if (x === undefined) return this.fail();
        this.i++;
        if (x === '(') depth++;
        else if (x === ')') depth--;
      }
      return arg ? lengthOf(this.typedVar?.(arg) ?? this.vars.get(arg)) : undefined;
    }
    if (t === 'null') return undefined;
    return valueOf(this.vars.get(t));
  }
}

function valueOf(v: ResolvedValue | undefined): CondValue {
  if (v?.kind !== 'known') return undefined;
  switch (v.shape?.type) {
    case undefined:
      return { t: 'raw', s: v.text };
    case 'string':
      return { t: 'str', s: v.text };
    case 'number':
      return NUM.test(v.text) ? { t: 'num', n: Number(v.text) } : undefined;
    case 'bool':
      return v.text === 'true' || v.text === 'false' ? { t: 'bool', b: v.text === 'true' } : undefined;
    default:
      return { t: 'coll', len: v.shape!.items.length };
  }
}

/** Terraform `length()`: elements of a collection, characters of a string (grapheme clusters; code points here, the same for the ASCII values configs pass). */
function lengthOf(v: ResolvedValue | undefined): CondValue {
  const c = valueOf(v);
  if (c?.t === 'coll') return { t: 'num', n: c.len };
  if (c?.t === 'str') return { t: 'num', n: [...c.s].length };
  return undefined;
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
  if (evaluateExpr && expr.type === 'call') return evaluateExpr(expr);
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
