/**
 * Typed values for the Terraform model's full evaluation (what instance counts need): numbers, bools, lists, sets and
 * maps with their elements, Terraform's operators, type conversions of declared variable types, and the numeric and
 * collection functions. Every operation is unknown as soon as an input it needs is: nothing is guessed.
 *
 * Semantics, from the Terraform docs (language/expressions/operators, language/expressions/types,
 * language/functions/*) and the HCL native syntax spec:
 * - operators in the order `*` `/` `%`, then `+` `-`, then `>` `>=` `<` `<=`, then `==` `!=`, then `&&`, then `||`
 *   (left to right inside a level); arithmetic and comparison convert their operands to numbers; `==` is true only
 *   for the same type and the same value (HCL's EqualFunc calls cty `Value.Equals` without any conversion: two nulls
 *   are equal whatever their types, a null and a non-null value are not, two types that differ are not, so
 *   `var.m != {}` is true for every `map(…)` variable, since `{}` is `object({})`, hashicorp/terraform#31803);
 * - maps and objects order their keys lexically, sets hold each value once;
 * - `length` gives the number of elements of a list, set or map, or of characters (grapheme clusters) of a string.
 */
import type { ChainStep, ResolvedValue, ValueShape } from '../types';
import { isNull, notNull, nullValue, unknown } from './values';

export type Known = Extract<ResolvedValue, { kind: 'known' }>;

/** Collections larger than this are not evaluated (tfvars lists are short; this bounds the work on a keystroke). */
export const MAX_ITEMS = 4096;

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function isKnown(v: ResolvedValue): v is Known {
  return v.kind === 'known';
}

export function chainOf(values: readonly ResolvedValue[]): ChainStep[] {
  return values.flatMap((v) => v.chain);
}

function secretOf(values: readonly ResolvedValue[]): boolean {
  return values.some((v) => v.kind === 'known' && !!v.secret);
}

export function primitive(text: string, type: 'string' | 'number' | 'bool', chain: readonly ChainStep[], secret = false): Known {
  return secret ? { kind: 'known', text, chain, secret: true, shape: { type } } : { kind: 'known', text, chain, shape: { type } };
}

export function numberValue(n: number, chain: readonly ChainStep[], secret = false): ResolvedValue {
  if (!Number.isFinite(n)) return unknown('the arithmetic gives no finite number', chain);
  return primitive(String(n), 'number', chain, secret);
}

function itemsText(items: readonly ResolvedValue[]): string | undefined {
  const texts: string[] = [];
  for (const i of items) {
    if (i.kind !== 'known') return undefined;
    texts.push(i.text);
  }
  return JSON.stringify(texts);
}

/**
 * A list (or tuple) or a set of `items`; a set keeps each value once (by its text; Terraform unifies the element type).
 * `structural`: true for a tuple, false for a list, undefined when not known (see ValueShape).
 */
export function sequence(type: 'list' | 'set', items: readonly ResolvedValue[], chain: readonly ChainStep[], structural?: boolean): ResolvedValue {
  let list = items;
  if (type === 'set') {
    const seen = new Map<string, ResolvedValue>();
    for (const i of items) {
      // Whether two unknown elements are one is not known: nor is the size of the set.
      if (i.kind !== 'known') return unknown('a set with an element not known before apply', chain);
      if (!seen.has(i.text)) seen.set(i.text, i);
    }
    list = [...seen.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }
  const shape: ValueShape = type === 'list' && structural !== undefined ? { type, items: list, structural } : { type, items: list };
  return { kind: 'known', text: itemsText(list) ?? '[…]', chain, ...(secretOf(list) ? { secret: true } : {}), shape };
}

/**
 * A map (or object) of distinct keys; keys in lexical order, as Terraform iterates them. `structural`: true for an
 * object, false for a map, undefined when not known (see ValueShape).
 */
export function mapping(entries: ReadonlyArray<readonly [string, ResolvedValue]>, chain: readonly ChainStep[], structural?: boolean): ResolvedValue {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const keys = sorted.map((e) => e[0]);
  const items = sorted.map((e) => e[1]);
  const all = items.every(isKnown);
  const text = all ? JSON.stringify(Object.fromEntries(sorted.map(([k, v]) => [k, (v as Known).text]))) : '{…}';
  const shape: ValueShape = structural !== undefined ? { type: 'map', keys, items, structural } : { type: 'map', keys, items };
  return { kind: 'known', text, chain, ...(secretOf(items) ? { secret: true } : {}), shape };
}

export function collectionOf(v: ResolvedValue): Exclude<ValueShape, { type: 'string' | 'number' | 'bool' }> | undefined {
  if (v.kind !== 'known' || !v.shape) return undefined;
  return v.shape.type === 'list' || v.shape.type === 'set' || v.shape.type === 'map' ? v.shape : undefined;
}

/** A known value as a number, as Terraform converts it (a number, or a string of one); undefined otherwise. */
export function toNumber(v: ResolvedValue): number | undefined {
  if (v.kind !== 'known') return undefined;
  const t = v.shape?.type;
  if (t !== undefined && t !== 'number' && t !== 'string') return undefined;
  return NUMBER.test(v.text) ? Number(v.text) : undefined;
}

/** A known value as a bool (a bool, or the string `true`/`false`); undefined otherwise. */
export function toBool(v: ResolvedValue): boolean | undefined {
  if (v.kind !== 'known') return undefined;
  const t = v.shape?.type;
  if (t !== undefined && t !== 'bool' && t !== 'string') return undefined;
  return v.text === 'true' ? true : v.text === 'false' ? false : undefined;
}

function isPrimitive(v: Known): boolean {
  return !v.shape || v.shape.type === 'string' || v.shape.type === 'number' || v.shape.type === 'bool';
}

const LEVELS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['*', '/', '%']),
  new Set(['+', '-']),
  new Set(['>', '>=', '<', '<=']),
  new Set(['==', '!=']),
  new Set(['&&']),
  new Set(['||']),
];

/** `a op b op c …` with Terraform's precedence (operands already evaluated). */
export function binaryChain(values: readonly ResolvedValue[], ops: readonly string[]): ResolvedValue {
  // Unknown operands go through `binary`: `false && x` is false whatever x is.
  if (ops.length !== values.length - 1 || ops.some((o) => !LEVELS.some((l) => l.has(o)))) return unknown('operator not evaluated', chainOf(values));
  let vals = [...values];
  let rest = [...ops];
  for (const level of LEVELS) {
    const nv: ResolvedValue[] = [vals[0]!];
    const no: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (level.has(rest[i]!)) nv[nv.length - 1] = binary(rest[i]!, nv[nv.length - 1]!, vals[i + 1]!);
      else {
        nv.push(vals[i + 1]!);
        no.push(rest[i]!);
      }
    }
    vals = nv;
    rest = no;
  }
  return vals[0]!;
}

function binary(op: string, a: ResolvedValue, b: ResolvedValue): ResolvedValue {
  if (op === '&&' || op === '||') {
    // Three-valued: an operand that decides the result decides it whatever the other is (`false && x`, `true || x`).
    const decisive = op === '||';
    if (a.kind === 'known' && toBool(a) === decisive) return primitive(String(decisive), 'bool', a.chain, !!a.secret);
    if (b.kind === 'known' && toBool(b) === decisive) return primitive(String(decisive), 'bool', b.chain, !!b.secret);
  }
  if (op === '==' || op === '!=') {
    const chain = [...a.chain, ...b.chain];
    const secret = (a.kind === 'known' && !!a.secret) || (b.kind === 'known' && !!b.secret);
    const same = equalValues(a, b);
    if (same === undefined) {
      const u = [a, b].find((x) => x.kind !== 'known' && !isNull(x));
      return u ?? unknown(`${op} of these values is not evaluated`, chain);
    }
    return primitive(String(op === '==' ? same : !same), 'bool', chain, secret);
  }
  if (a.kind !== 'known') return notNull(a);
  if (b.kind !== 'known') return notNull(b);
  const chain = [...a.chain, ...b.chain];
  const secret = !!a.secret || !!b.secret;
  if (op === '&&' || op === '||') {
    const x = toBool(a);
    const y = toBool(b);
    if (x === undefined || y === undefined) return unknown(`${op} of values that are not bools`, chain);
    return primitive(String(op === '&&' ? x && y : x || y), 'bool', chain, secret);
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === undefined || y === undefined) return unknown(`${op} of values that are not numbers`, chain);
  switch (op) {
    case '+':
      return numberValue(x + y, chain, secret);
    case '-':
      return numberValue(x - y, chain, secret);
    case '*':
      return numberValue(x * y, chain, secret);
    case '/':
      return y === 0 ? unknown('division by zero', chain) : numberValue(x / y, chain, secret);
    case '%':
      return y === 0 || !Number.isInteger(x) || !Number.isInteger(y) ? unknown('% not evaluated', chain) : numberValue(x % y, chain, secret);
    case '>':
      return primitive(String(x > y), 'bool', chain, secret);
    case '>=':
      return primitive(String(x >= y), 'bool', chain, secret);
    case '<':
      return primitive(String(x < y), 'bool', chain, secret);
    case '<=':
      return primitive(String(x <= y), 'bool', chain, secret);
    default:
      return unknown(`operator ${op} is not evaluated`, chain);
  }
}

/**
 * Terraform's `a == b` (cty `Value.Equals`): true, false, or undefined when the model does not know enough. Decided:
 * nulls (equal to each other only), primitives (the same type and text; a value whose type is not known is compared
 * by its text, as before), a primitive of known type and a collection (two types), and collections whose kinds the
 * model knows (set, list, tuple, map, object): kinds that differ, tuple lengths or object attribute names that differ,
 * or elements that differ give false; elements all equal give true. Two empty lists or maps are undecided (their
 * element types are not known). An element that is not known leaves the result undecided unless another differs.
 */
export function equalValues(a: ResolvedValue, b: ResolvedValue): boolean | undefined {
  const na = isNull(a);
  const nb = isNull(b);
  if (na || nb) {
    if (na && nb) return true;
    // A null and a value that is not known: the other may be null too.
    return (na ? b : a).kind === 'known' ? false : undefined;
  }
  if (a.kind !== 'known' || b.kind !== 'known') return undefined;
  const ca = collectionOf(a);
  const cb = collectionOf(b);
  if (!ca && !cb) {
    const ta = a.shape?.type;
    const tb = b.shape?.type;
    return ta !== undefined && tb !== undefined && ta !== tb ? false : a.text === b.text;
  }
  if (!ca || !cb) {
    // A primitive of a known type is never equal to a collection; one whose type is not known might be one.
    const p = (ca ? b : a) as Known;
    return p.shape !== undefined ? false : undefined;
  }
  if (ca.type === 'set' || cb.type === 'set') {
    if (ca.type !== cb.type) return false;
    return undefined;
  }
  if ((ca.type === 'map') !== (cb.type === 'map')) return false;
  if (ca.structural === undefined || cb.structural === undefined) return undefined;
  if (ca.structural !== cb.structural) return false;
  if (ca.items.length !== cb.items.length) return false;
  if (ca.type === 'map' && cb.type === 'map' && ca.keys.some((k, i) => cb.keys[i] !== k)) return false;
  // Two empty lists (maps) are equal only when their element types are; not known here. An empty tuple (object) is
  // one type.
  if (ca.items.length === 0) return ca.structural ? true : undefined;
  let open = false;
  for (let i = 0; i < ca.items.length; i++) {
    const e = equalValues(ca.items[i]!, cb.items[i]!);
    if (e === false) return false;
    if (e === undefined) open = true;
  }
  return open ? undefined : true;
}

/**
 * `v` interpolated into a string template (`${…}`): a string, number or bool; a collection or a null fails the render
 * in Terraform ("Invalid template interpolation value"), so it stays unknown.
 */
export function interpolated(v: ResolvedValue): ResolvedValue {
  if (collectionOf(v))
    return unknown('a list, map or object cannot be interpolated into a string (Terraform: "Invalid template interpolation value")', v.chain);
  return notNull(v);
}

/** `!a` / `-a`. */
export function unaryOp(op: '!' | '-', a: ResolvedValue): ResolvedValue {
  if (a.kind !== 'known') return notNull(a);
  if (op === '!') {
    const x = toBool(a);
    return x === undefined ? unknown('! of a value that is not a bool', a.chain) : primitive(String(!x), 'bool', a.chain, !!a.secret);
  }
  const n = toNumber(a);
  return n === undefined ? unknown('- of a value that is not a number', a.chain) : numberValue(-n, a.chain, !!a.secret);
}

/** The element or attribute `step` (`[0]`, `["k"]`, `name`) of a collection. */
export function index(v: ResolvedValue, step: string): ResolvedValue {
  if (v.kind !== 'known') return notNull(v);
  const c = collectionOf(v);
  if (!c) return unknown(`${step}: not a collection`, v.chain);
  const bracket = /^\[(.*)\]$/s.exec(step);
  let key: string | undefined = bracket ? undefined : step;
  let pos: number | undefined;
  if (bracket) {
    const inner = bracket[1]!.trim();
    if (/^\d+$/.test(inner)) pos = Number(inner);
    else if (/^"[^"\\$%]*"$/.test(inner)) key = inner.slice(1, -1);
    else return unknown(`index ${step} is not evaluated`, v.chain);
  }
  if (c.type === 'map') {
    const k = key ?? (pos !== undefined ? String(pos) : undefined);
    const at = k === undefined ? -1 : c.keys.indexOf(k);
    return at < 0 ? unknown(`no key ${k ?? step}`, v.chain) : withChain(c.items[at]!, v.chain);
  }
  if (c.type === 'list' && pos !== undefined && pos < c.items.length) return withChain(c.items[pos]!, v.chain);
  return unknown(`${step} is not an element`, v.chain);
}

function withChain(item: ResolvedValue, outer: readonly ChainStep[]): ResolvedValue {
  return item.chain.length === 0 ? { ...item, chain: outer } : item;
}

/** A value converted to a declared variable type (`number`, `set(string)`, `map(any)`…), as Terraform converts inputs. */
export function convert(v: ResolvedValue, type: TypeConstraint): ResolvedValue {
  if (v.kind !== 'known' || type.kind === 'any') return v;
  const c = collectionOf(v);
  switch (type.kind) {
    case 'string':
      return c ? unknown('a collection given for a string variable', v.chain) : { ...v, shape: { type: 'string' } };
    case 'number':
      return toNumber(v) === undefined ? unknown('a value that is not a number given for a number variable', v.chain) : { ...v, shape: { type: 'number' } };
    case 'bool':
      return toBool(v) === undefined ? unknown('a value that is not a bool given for a bool variable', v.chain) : { ...v, shape: { type: 'bool' } };
    case 'list':
    case 'set': {
      if (!c || c.type === 'map') return unknown(`a value that is not a list given for a ${type.kind} variable`, v.chain);
      const items = elementsOf(c.items, type.element);
      return { ...sequence(type.kind, items, v.chain, type.kind === 'list' ? false : undefined), ...(v.secret ? { secret: true } : {}) };
    }
    case 'map': {
      if (!c || c.type !== 'map') return unknown('a value that is not a map given for a map variable', v.chain);
      const items = elementsOf(c.items, type.element);
      return {
        ...mapping(
          c.keys.map((k, i) => [k, items[i]!] as const),
          v.chain,
          false,
        ),
        ...(v.secret ? { secret: true } : {}),
      };
    }
    case 'object': {
      if (!c || c.type !== 'map') return unknown('a value that is not an object given for an object variable', v.chain);
      // Without the attribute types, the converted object's attributes are not known (missing optional ones become
      // null, extra ones are dropped): which type it has is left open.
      if (!type.attrs) return blur(v);
      const entries: Array<readonly [string, ResolvedValue]> = [];
      for (const [name, spec] of type.attrs) {
        const at = c.keys.indexOf(name);
        if (at >= 0) entries.push([name, convert(c.items[at]!, spec.type)]);
        else if (spec.optional === 'null') entries.push([name, nullValue(v.chain)]);
        else if (spec.optional === 'default') entries.push([name, unknown(`the default of optional attribute ${name} is not evaluated`, v.chain)]);
        else return unknown(`attribute "${name}" is required by the variable's object type`, v.chain);
      }
      return { ...mapping(entries, v.chain, true), ...(v.secret ? { secret: true } : {}) };
    }
  }
}

/**
 * The elements of a value converted to `list(T)`, `set(T)` or `map(T)`. With `T = any`, Terraform converts them to one
 * type (primitives of different types become strings); collections inside may change type then, so their kinds are
 * left open.
 */
function elementsOf(items: readonly ResolvedValue[], element: TypeConstraint): ResolvedValue[] {
  if (element.kind !== 'any') return items.map((i) => convert(i, element));
  const types = new Set(items.map((i) => (i.kind === 'known' && isPrimitive(i) ? (i.shape?.type ?? '?') : 'other')));
  if (types.has('other') || types.has('?')) return items.map(blur);
  if (types.size <= 1) return [...items];
  return items.map((i) => (i.kind === 'known' ? { ...i, shape: { type: 'string' as const } } : i));
}

/** `v` with the tuple/list and object/map distinction dropped, at every depth. */
export function blur(v: ResolvedValue): ResolvedValue {
  const c = collectionOf(v);
  if (!c || v.kind !== 'known') return v;
  const items = c.items.map(blur);
  return { ...v, shape: c.type === 'map' ? { type: 'map', keys: c.keys, items } : { type: c.type, items } };
}

export type TypeConstraint =
  | { readonly kind: 'any' | 'string' | 'number' | 'bool' }
  | { readonly kind: 'object'; readonly attrs?: ReadonlyMap<string, ObjectAttribute> }
  | { readonly kind: 'list' | 'set' | 'map'; readonly element: TypeConstraint };

/** An attribute of an `object({…})` type: its type, and whether it is `optional(T)` (null when absent) or `optional(T, default)`. */
export interface ObjectAttribute {
  readonly type: TypeConstraint;
  readonly optional?: 'null' | 'default';
}

const ANY: TypeConstraint = { kind: 'any' };

interface TypeExpr {
  type: string;
  path?: readonly string[];
  name?: string;
  args?: readonly unknown[];
  items?: readonly unknown[];
}

/** A variable's `type` expression; anything this model does not read is `any` (no conversion). */
export function typeConstraint(e: TypeExpr | undefined): TypeConstraint {
  if (!e) return ANY;
  if (e.type === 'traversal' && e.path?.length === 1) {
    const n = e.path[0];
    return n === 'string' || n === 'number' || n === 'bool' ? { kind: n } : ANY;
  }
  if (e.type === 'call' && e.args?.length === 1) {
    const arg = e.args[0] as TypeExpr;
    if (e.name === 'list' || e.name === 'set' || e.name === 'map') return { kind: e.name, element: typeConstraint(arg) };
    if (e.name === 'object') return { kind: 'object', ...(arg.type === 'object' ? objectAttributes(arg) : {}) };
  }
  return ANY;
}

/** The attributes of `object({ name = T, other = optional(T[, default]) })`; none when a name is an expression. */
function objectAttributes(e: TypeExpr): { attrs?: ReadonlyMap<string, ObjectAttribute> } {
  const attrs = new Map<string, ObjectAttribute>();
  for (const a of (e.items ?? []) as ReadonlyArray<{ name: string; value: unknown }>) {
    const name = /^"([^"\\$%]*)"$/.exec(a.name)?.[1] ?? a.name;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) || attrs.has(name)) return {};
    const t = a.value as TypeExpr;
    if (t.type === 'call' && t.name === 'optional' && (t.args?.length === 1 || t.args?.length === 2))
      attrs.set(name, { type: typeConstraint(t.args[0] as TypeExpr), optional: t.args.length === 1 ? 'null' : 'default' });
    else attrs.set(name, { type: typeConstraint(t) });
  }
  return { attrs };
}

/** Grapheme clusters of a string, as Terraform's `length` counts characters. */
const SEGMENTER = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

/** Names of the functions applyCollectionFunction evaluates. */
export const COLLECTION_FUNCTIONS: ReadonlySet<string> = new Set([
  'length',
  'min',
  'max',
  'abs',
  'ceil',
  'floor',
  'toset',
  'tolist',
  'tomap',
  'tonumber',
  'tostring',
  'tobool',
  'keys',
  'values',
  'concat',
  'distinct',
  'compact',
  'flatten',
  'merge',
  'lookup',
  'element',
  'contains',
  'range',
  'split',
]);

/** One of COLLECTION_FUNCTIONS on evaluated arguments (Terraform docs, language/functions/<name>). */
export function applyCollectionFunction(name: string, args: readonly ResolvedValue[]): ResolvedValue {
  const chain = chainOf(args);
  const bad = args.find((a) => a.kind !== 'known');
  if (bad) return bad.kind === 'unknown' ? { ...notNull(bad), chain } : bad;
  const known = args as readonly Known[];
  const [a, b, c] = known;
  const secret = secretOf(known);
  const num = (n: number) => numberValue(n, chain, secret);
  switch (name) {
    case 'length': {
      if (!a) break;
      const coll = collectionOf(a);
      if (coll) return num(coll.items.length);
      if (a.shape?.type === 'string' && SEGMENTER) return num([...SEGMENTER.segment(a.text)].length);
      return unknown('length() of a value whose type is not known', chain);
    }
    case 'min':
    case 'max': {
      const ns = known.map(toNumber);
      if (ns.length === 0 || ns.some((n) => n === undefined)) break;
      return num(name === 'min' ? Math.min(...(ns as number[])) : Math.max(...(ns as number[])));
    }
    case 'abs':
    case 'ceil':
    case 'floor': {
      const n = a ? toNumber(a) : undefined;
      if (n === undefined) break;
      return num(Math[name](n));
    }
    case 'tonumber': {
      const n = a ? toNumber(a) : undefined;
      return n === undefined ? unknown('tonumber() of a value that is not a number', chain) : num(n);
    }
    case 'tostring':
      return a && isPrimitive(a) ? { ...a, shape: { type: 'string' } } : unknown('tostring() of a collection', chain);
    case 'tobool': {
      const x = a ? toBool(a) : undefined;
      return x === undefined ? unknown('tobool() of a value that is not a bool', chain) : primitive(String(x), 'bool', chain, secret);
    }
    case 'toset':
    case 'tolist': {
      const coll = a ? collectionOf(a) : undefined;
      if (!coll || coll.type === 'map') break;
      return sequence(name === 'toset' ? 'set' : 'list', elementsOf(coll.items, ANY), chain, name === 'tolist' ? false : undefined);
    }
    case 'tomap': {
      const coll = a ? collectionOf(a) : undefined;
      if (coll?.type !== 'map') return unknown('tomap() of a value that is not a map', chain);
      const items = elementsOf(coll.items, ANY);
      return { ...a!, shape: { type: 'map', keys: coll.keys, items, structural: false } };
    }
    case 'keys':
    case 'values': {
      const coll = a ? collectionOf(a) : undefined;
      if (coll?.type !== 'map') break;
      return sequence('list', name === 'keys' ? coll.keys.map((k) => primitive(k, 'string', [])) : coll.items, chain);
    }
    case 'concat': {
      const colls = known.map(collectionOf);
      if (colls.some((x) => !x || x.type === 'map')) break;
      const items = colls.flatMap((x) => x!.items);
      return items.length > MAX_ITEMS ? unknown('concat() result too large', chain) : sequence('list', items, chain);
    }
    case 'distinct': {
      const coll = a ? collectionOf(a) : undefined;
      if (!coll || coll.type !== 'list') break;
      if (!coll.items.every(isKnown)) return unknown('distinct() of elements not known before apply', chain);
      const seen = new Set<string>();
      return sequence(
        'list',
        (coll.items as Known[]).filter((i) => !seen.has(i.text) && !!seen.add(i.text)),
        chain,
      );
    }
    case 'compact': {
      const coll = a ? collectionOf(a) : undefined;
      if (!coll || coll.type === 'map') break;
      if (!coll.items.every(isKnown)) return unknown('compact() of elements not known before apply', chain);
      return sequence(
        'list',
        (coll.items as Known[]).filter((i) => i.text !== ''),
        chain,
      );
    }
    case 'flatten': {
      const out: ResolvedValue[] = [];
      const walk = (v: ResolvedValue, depth: number): boolean => {
        const coll = collectionOf(v);
        if (v.kind !== 'known') return false;
        if (!coll) {
          out.push(v);
          return out.length <= MAX_ITEMS;
        }
        if (coll.type === 'map' || depth > 16) return false;
        return coll.items.every((i) => walk(i, depth + 1));
      };
      if (!a || !collectionOf(a) || !walk(a, 0)) break;
      return sequence('list', out, chain);
    }
    case 'merge': {
      const colls = known.map(collectionOf);
      if (colls.some((x) => x?.type !== 'map')) break;
      const m = new Map<string, ResolvedValue>();
      for (const x of colls) if (x?.type === 'map') x.keys.forEach((k, i) => m.set(k, x.items[i]!));
      return mapping([...m.entries()], chain);
    }
    case 'lookup': {
      const coll = a ? collectionOf(a) : undefined;
      if (coll?.type !== 'map' || !b || !isPrimitive(b)) break;
      const at = coll.keys.indexOf(b.text);
      if (at >= 0) return withChain(coll.items[at]!, chain);
      return c ?? unknown(`lookup() of a key the map does not have, without a default`, chain);
    }
    case 'element': {
      const coll = a ? collectionOf(a) : undefined;
      const i = b ? toNumber(b) : undefined;
      if (!coll || coll.type !== 'list' || i === undefined || !Number.isInteger(i) || i < 0 || coll.items.length === 0) break;
      return withChain(coll.items[i % coll.items.length]!, chain);
    }
    case 'contains': {
      const coll = a ? collectionOf(a) : undefined;
      if (!coll || coll.type === 'map' || !b || !isPrimitive(b)) break;
      if (!coll.items.every(isKnown)) return unknown('contains() of elements not known before apply', chain);
      return primitive(String((coll.items as Known[]).some((i) => i.text === b.text)), 'bool', chain, secret);
    }
    case 'range': {
      const ns = known.map(toNumber);
      if (ns.length === 0 || ns.length > 3 || ns.some((n) => n === undefined || !Number.isInteger(n))) break;
      const [start, limit, step] = ns.length === 1 ? [0, ns[0]!, 1] : [ns[0]!, ns[1]!, ns[2] ?? (ns[0]! <= ns[1]! ? 1 : -1)];
      if (step === 0 || Math.abs((limit - start) / step) > MAX_ITEMS) break;
      const out: ResolvedValue[] = [];
      for (let x = start; step > 0 ? x < limit : x > limit; x += step) out.push(primitive(String(x), 'number', []));
      return sequence('list', out, chain);
    }
    case 'split': {
      if (!a || !b || !isPrimitive(a) || !isPrimitive(b)) break;
      if (a.text === '') break;
      // split(",", "") is [""], as Go's strings.Split gives it (Terraform's split calls it).
      const parts = b.text.split(a.text);
      return parts.length > MAX_ITEMS
        ? unknown('split() result too large', chain)
        : sequence(
            'list',
            parts.map((p) => primitive(p, 'string', [])),
            chain,
          );
    }
    default:
      break;
  }
  return unknown(`${name}() of these arguments is not evaluated`, chain);
}
