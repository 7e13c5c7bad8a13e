/**
 * Values: the expression subset (operators, `-replace` chains, unary
 * operators), primaries, member / method postfixes, static members and the
 * subexpressions of strings.
 */
import type { PsMethodCall, PsReplaceOp, PsStringLiteral } from './types';
import { K, type Stream, type Tok } from './lexer';
import {
  isNumberLike,
  isPunct,
  KEYWORDS_BLOCK,
  KEYWORDS_FUNCTION,
  KEYWORDS_VALUE,
  other,
  ParseLimit,
  type ParseState,
  type Res,
  skipNl,
  skipSeparators,
  type Value,
} from './parseState';
import { closeOf, endsStatement, parseBlock, parsePipeline, parseStatement } from './parser';
import { isFileType, methodWrite } from './writes';

const OPERATOR_NAMES = new Set([
  'replace',
  'creplace',
  'ireplace',
  'f',
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'ceq',
  'cne',
  'ieq',
  'ine',
  'cgt',
  'clt',
  'cge',
  'cle',
  'like',
  'notlike',
  'clike',
  'ilike',
  'cnotlike',
  'match',
  'notmatch',
  'cmatch',
  'imatch',
  'cnotmatch',
  'contains',
  'notcontains',
  'ccontains',
  'in',
  'notin',
  'cin',
  'is',
  'isnot',
  'as',
  'and',
  'or',
  'xor',
  'not',
  'band',
  'bor',
  'bxor',
  'bnot',
  'shl',
  'shr',
  'join',
  'split',
  'csplit',
  'isplit',
]);
const UNARY_OPERATORS = new Set(['not', 'bnot', 'join', 'split']);

/**
 * Expression mode: a primary, postfix accesses, then binary operators.
 * `-replace`/`-creplace` chains keep their structure; any other operator
 * makes the whole expression `other`. `noComma` stops at `,` (arguments).
 */
export function parseExpression(st: ParseState, s: Stream, i: number, to: number, depth: number, noComma: boolean): Res {
  const toks = s.toks;
  const start = toks[i]!.s;
  const first = parseUnary(st, s, i, to, depth);
  let j = first.next;
  const ops: PsReplaceOp[] = [];
  let mixed = false;
  let lastEnd = first.value.end;
  for (let guard = 0; j < to && guard < 1_000_000; guard++) {
    const t = toks[j]!;
    if (t.k === K.Param && OPERATOR_NAMES.has(t.t.toLowerCase())) {
      const op = t.t.toLowerCase();
      let k = skipNl(s, j + 1, to);
      if (k >= to || endsStatement(toks[k]!)) {
        lastEnd = t.e;
        mixed = true;
        j = k;
        break;
      }
      if (op === 'replace' || op === 'creplace' || op === 'ireplace') {
        const pat = parseUnary(st, s, k, to, depth);
        k = pat.next;
        let replacement: Value | undefined;
        if (!noComma && k < to && isPunct(s, k, ',')) {
          const k2 = skipNl(s, k + 1, to);
          if (k2 < to && !endsStatement(toks[k2]!)) {
            const rep = parseUnary(st, s, k2, to, depth);
            replacement = rep.value;
            k = rep.next;
          } else k = k2;
        }
        const end = replacement?.end ?? pat.value.end;
        ops.push({ start: t.s, end, operator: `-${op}` as PsReplaceOp['operator'], pattern: pat.value, replacement });
        lastEnd = end;
        j = k;
        continue;
      }
      const rhs = parseUnary(st, s, k, to, depth);
      mixed = true;
      lastEnd = rhs.value.end;
      j = rhs.next;
      continue;
    }
    if (t.k === K.Op && t.t !== '=' && !/=$/.test(t.t)) {
      const k = skipNl(s, j + 1, to);
      if (k >= to || endsStatement(toks[k]!)) {
        j = k;
        break;
      }
      const rhs = parseUnary(st, s, k, to, depth);
      mixed = true;
      lastEnd = rhs.value.end;
      j = rhs.next;
      continue;
    }
    if (!noComma && t.k === K.Punct && t.t === ',') {
      const k = skipNl(s, j + 1, to);
      if (k >= to || endsStatement(toks[k]!)) {
        j = k;
        break;
      }
      const rhs = parseUnary(st, s, k, to, depth);
      mixed = true;
      lastEnd = rhs.value.end;
      j = rhs.next;
      continue;
    }
    break;
  }
  let value: Value;
  if (mixed) value = other(st.text, start, lastEnd);
  else if (ops.length > 0) value = { start, end: lastEnd, kind: 'replace', base: first.value, ops };
  else value = first.value;
  return { value, next: j };
}

export function parseUnary(st: ParseState, s: Stream, i: number, to: number, depth: number): Res {
  const t = s.toks[i]!;
  if (
    (t.k === K.Param && UNARY_OPERATORS.has(t.t.toLowerCase())) ||
    (t.k === K.Op && (t.t === '!' || t.t === '-' || t.t === '+' || t.t === '++' || t.t === '--')) ||
    (t.k === K.Punct && t.t === ',')
  ) {
    const k = skipNl(s, i + 1, to);
    if (k >= to || endsStatement(s.toks[k]!)) return { value: other(st.text, t.s, t.e), next: k };
    const r = parseUnary(st, s, k, to, depth + 1 > ParseLimit.MaxDepth * 4 ? depth : depth + 1);
    return { value: other(st.text, t.s, r.value.end), next: r.next };
  }
  return parsePrimary(st, s, i, to, depth);
}

export function parsePrimary(st: ParseState, s: Stream, i: number, to: number, depth: number): Res {
  const t = s.toks[i]!;
  const text = st.text;
  switch (t.k) {
    case K.Str: {
      parseSubs(st, t, depth);
      return postfix(st, s, i + 1, to, depth, { start: t.s, end: t.e, kind: 'string', literal: t.lit as PsStringLiteral });
    }
    case K.Var:
      return postfix(st, s, i + 1, to, depth, { start: t.s, end: t.e, kind: 'variable', name: t.t });
    case K.Word:
      return postfix(st, s, i + 1, to, depth, isNumberLike(t.t) ? other(text, t.s, t.e) : { start: t.s, end: t.e, kind: 'bareword', text: t.t });
    case K.Type: {
      const n = s.toks[i + 1];
      if (n && i + 1 < to && n.k === K.Punct && n.t === '::' && !n.sp) return staticMember(st, s, i, to, depth);
      // Cast: `[string]$x`, `[int](…)`.
      if (
        n &&
        i + 1 < to &&
        !endsStatement(n) &&
        (n.k === K.Var || n.k === K.Str || n.k === K.Type || (n.k === K.Punct && (n.t === '(' || n.t === '$(' || n.t === '@(' || n.t === '@{')))
      ) {
        const r = parseUnary(st, s, i + 1, to, depth);
        return { value: other(text, t.s, r.value.end), next: r.next };
      }
      return postfix(st, s, i + 1, to, depth, other(text, t.s, t.e));
    }
    case K.Punct: {
      if (t.t === '(' || t.t === '$(') {
        const close = Math.min(closeOf(s, i), to);
        let value: Value;
        if (depth >= ParseLimit.MaxDepth) {
          st.work.push({ s, from: i + 1, to: close });
          value = other(text, t.s, s.toks[close]?.e ?? text.length);
        } else {
          value = groupValue(st, s, i + 1, close, depth + 1) ?? other(text, t.s, (close < to ? s.toks[close]?.e : undefined) ?? s.toks[close - 1]?.e ?? t.e);
        }
        return postfix(st, s, Math.min(close + 1, to), to, depth, value, t.s);
      }
      if (t.t === '@(' || t.t === '@{' || t.t === '{' || t.t === '[') {
        const close = Math.min(closeOf(s, i), to);
        if (t.t !== '[') {
          if (depth >= ParseLimit.MaxDepth) st.work.push({ s, from: i + 1, to: close });
          else parseBlock(st, s, i + 1, close, depth + 1);
        }
        const endTok = close < to ? s.toks[close] : s.toks[close - 1];
        return postfix(st, s, Math.min(close + 1, to), to, depth, other(text, t.s, endTok?.e ?? t.e));
      }
      return { value: other(text, t.s, t.e), next: i + 1 };
    }
    default:
      return { value: other(text, t.s, t.e), next: i + 1 };
  }
}

/**
 * Parses the statements of a `( … )` / `$( … )`; when it is a single
 * pipeline, returns its value (so `(Get-Content x -Raw)` is a read).
 */
export function groupValue(st: ParseState, s: Stream, from: number, to: number, depth: number): Value | undefined {
  let i = skipNl(s, from, to);
  if (i >= to) return undefined;
  const t = s.toks[i]!;
  let value: Value | undefined;
  if (t.k === K.Word && (KEYWORDS_BLOCK.has(t.t.toLowerCase()) || KEYWORDS_FUNCTION.has(t.t.toLowerCase()) || KEYWORDS_VALUE.has(t.t.toLowerCase()))) {
    i = parseStatement(st, s, i, to, depth);
  } else {
    const r = parsePipeline(st, s, i, to, depth);
    value = r.value;
    i = r.next;
  }
  const rest = skipSeparators(s, i, to);
  if (rest < to) {
    parseBlock(st, s, rest, to, depth);
    return undefined;
  }
  return value;
}

export function postfix(st: ParseState, s: Stream, i: number, to: number, depth: number, base: Value, startOverride?: number): Res {
  const toks = s.toks;
  let j = i;
  let value = base;
  const start = startOverride ?? base.start;
  let changed = false;
  let end = startOverride !== undefined ? (toks[j - 1]?.e ?? base.end) : base.end;
  for (let guard = 0; j < to && guard < 100_000; guard++) {
    const t = toks[j]!;
    if (t.sp) break;
    if (t.k === K.Punct && (t.t === '.' || t.t === '::')) {
      let k = j + 1;
      const m = toks[k];
      if (!m || k >= to || m.sp) break;
      if (m.k === K.Word || m.k === K.Var || m.k === K.Str) k++;
      else break;
      end = m.e;
      const p = toks[k];
      if (p && k < to && !p.sp && p.k === K.Punct && p.t === '(') {
        const close = Math.min(closeOf(s, k), to);
        const args = parseArgs(st, s, k + 1, close, depth);
        end = (close < to ? toks[close]?.e : toks[close - 1]?.e) ?? end;
        k = Math.min(close + 1, to);
        // `$text.Replace('_DC_', $Dc)` / `(Get-Content $f -Raw).Replace(…)`: String.Replace, literal and case-sensitive.
        if (!changed && t.t === '.' && m.k === K.Word && m.t.toLowerCase() === 'replace' && args.length === 2 && close < to && REPLACEABLE.has(value.kind)) {
          const op: PsReplaceOp = { start: t.s, end, operator: '.Replace', pattern: args[0], replacement: args[1] };
          value =
            value.kind === 'replace'
              ? { start, end, kind: 'replace', base: value.base, ops: [...value.ops, op] }
              : { start, end, kind: 'replace', base: value, ops: [op] };
          j = k;
          continue;
        }
      }
      j = k;
      changed = true;
      continue;
    }
    if (t.k === K.Punct && t.t === '[') {
      const close = Math.min(closeOf(s, j), to);
      parseBlock(st, s, j + 1, close, depth + 1 > ParseLimit.MaxDepth ? depth : depth + 1);
      end = (close < to ? toks[close]?.e : toks[close - 1]?.e) ?? end;
      j = Math.min(close + 1, to);
      changed = true;
      continue;
    }
    break;
  }
  if (changed) value = other(st.text, start, Math.max(end, start));
  return { value, next: j };
}

const REPLACEABLE = new Set<Value['kind']>(['string', 'variable', 'read', 'replace']);

/** Comma-separated method arguments in [from, to). */
export function parseArgs(st: ParseState, s: Stream, from: number, to: number, depth: number): Value[] {
  const args: Value[] = [];
  let i = skipNl(s, from, to);
  let guard = 0;
  while (i < to && guard++ < 1_000_000) {
    const t = s.toks[i]!;
    if (t.k === K.Punct && t.t === ',') {
      i = skipNl(s, i + 1, to);
      continue;
    }
    const r = depth >= ParseLimit.MaxDepth ? deferredExpression(st, s, i, to) : parseExpression(st, s, i, to, depth + 1, true);
    args.push(r.value);
    i = skipNl(s, Math.max(r.next, i + 1), to);
    if (i < to && !isPunct(s, i, ',')) {
      // Junk inside the argument list: parse it as statements so nothing nested is lost.
      let k = i;
      while (k < to && !isPunct(s, k, ',')) k++;
      parseBlock(st, s, i, k, depth + 1 > ParseLimit.MaxDepth ? depth : depth + 1);
      i = k;
    }
  }
  return args;
}

export function deferredExpression(st: ParseState, s: Stream, i: number, to: number): Res {
  let k = i;
  while (k < to && !isPunct(s, k, ',')) k++;
  st.work.push({ s, from: i, to: k });
  return { value: other(st.text, s.toks[i]!.s, s.toks[k - 1]!.e), next: k };
}

/** `[Type]::Member` / `[Type]::Method(args)` starting at the type token `i`. */
export function staticMember(st: ParseState, s: Stream, i: number, to: number, depth: number): Res {
  const toks = s.toks;
  const typeTok = toks[i]!;
  const m = toks[i + 2];
  if (!m || i + 2 >= to || m.sp || m.k !== K.Word) return postfix(st, s, i + 2, to, depth, other(st.text, typeTok.s, toks[i + 1]!.e));
  const p = toks[i + 3];
  if (!p || i + 3 >= to || p.sp || p.k !== K.Punct || p.t !== '(') {
    return postfix(st, s, i + 3, to, depth, other(st.text, typeTok.s, m.e));
  }
  const close = Math.min(closeOf(s, i + 3), to);
  const args = parseArgs(st, s, i + 4, close, depth);
  const end = (close < to ? toks[close]?.e : toks[close - 1]?.e) ?? m.e;
  const call: PsMethodCall = { start: typeTok.s, end, typeName: typeTok.t, method: m.t, args };
  st.out.methodCalls.push(call);
  methodWrite(st, call);
  const method = m.t.toLowerCase();
  let value: Value;
  if (isFileType(typeTok.t) && (method === 'readalltext' || method === 'readalllines' || method === 'readallbytes')) {
    value = { start: typeTok.s, end, kind: 'read', path: args[0] };
  } else value = other(st.text, typeTok.s, end);
  return postfix(st, s, Math.min(close + 1, to), to, depth, value);
}

export function parseSubs(st: ParseState, t: Tok, depth: number): void {
  if (!t.subs) return;
  for (const sub of t.subs) {
    if (depth >= ParseLimit.MaxDepth) st.work.push({ s: sub, from: 0, to: sub.toks.length });
    else parseBlock(st, sub, 0, sub.toks.length, depth + 1);
  }
}
