/**
 * Expansions inside strings and templates: `$name`, `${…}`, `$( … )`
 * subexpressions (lexed recursively) and, in templated scripts, Terraform
 * `${…}` / `%{…}` with their `$${` / `%%{` escapes.
 */
import type { PsExpansion } from './types';
import { isIdentChar, isNl, lineEnd, type LexState, type Stream, type TemplateEscape } from './lexState';
import { buildMatch, lex } from './lexer';

const MAX_LEX_DEPTH = 16;

/** `$name`, `${…}`, `$env:X`, `$_`, `$$`, `$?`, `$^`. Returns undefined for a lone `$`. */
export function readVariable(st: LexState, i: number, limit: number, outside: boolean): { end: number; name: string; template?: boolean } | undefined {
  const text = st.text;
  const n = i + 1 < limit ? text.charCodeAt(i + 1) : -1;
  if (st.templated) {
    if (n === 36 && text.charCodeAt(i + 2) === 123 && i + 2 < limit) {
      if (!outside) return undefined;
      const e = skipTemplate(st, i + 2, limit);
      return { end: e, name: innerName(text, i + 3, e) };
    }
    if (n === 123) {
      const e = skipTemplate(st, i + 1, limit);
      return { end: e, name: innerName(text, i + 2, e), template: true };
    }
  }
  if (n === 123) {
    let k = i + 2;
    while (k < limit) {
      const c = text.charCodeAt(k);
      if (c === 125 || isNl(c)) break;
      k += c === 96 ? 2 : 1;
    }
    if (k < limit && text.charCodeAt(k) === 125) return { end: k + 1, name: text.slice(i + 2, k) };
    return undefined;
  }
  if (n === 36 || n === 63 || n === 94) return { end: i + 2, name: text[i + 1]! };
  if (!isIdentChar(n)) return undefined;
  let k = i + 1;
  while (k < limit && isIdentChar(text.charCodeAt(k))) k++;
  if (text.charCodeAt(k) === 58 && k + 1 < limit && isIdentChar(text.charCodeAt(k + 1))) {
    k++;
    while (k < limit && isIdentChar(text.charCodeAt(k))) k++;
  }
  return { end: k, name: text.slice(i + 1, k) };
}

/** From `{` at `open` to after its matching `}` (Terraform `${…}` / `%{…}`), nested braces and quotes. */
export function skipTemplate(st: LexState, open: number, limit: number): number {
  const text = st.text;
  if (open >= st.tplUnclosedFrom) return lineEnd(text, open, limit);
  let depth = 0;
  let k = open;
  while (k < limit) {
    const c = text.charCodeAt(k);
    if (c === 123) depth++;
    else if (c === 125) {
      depth--;
      if (depth === 0) return k + 1;
    } else if (c === 34) {
      k++;
      while (k < limit) {
        const d = text.charCodeAt(k);
        if (d === 92) k += 2;
        else if (d === 34 || isNl(d)) break;
        else k++;
      }
    }
    k++;
  }
  st.tplUnclosedFrom = Math.min(st.tplUnclosedFrom, open);
  st.overProbe = Math.min(st.overProbe, open);
  return lineEnd(text, open, limit);
}

export function scanPercent(st: LexState, j: number, limit: number, esc: TemplateEscape[]): number {
  const text = st.text;
  if (text.charCodeAt(j + 1) === 37 && text.charCodeAt(j + 2) === 123 && j + 2 < limit) {
    esc.push({ start: j, end: j + 3, text: '%{' });
    return j + 3;
  }
  if (text.charCodeAt(j + 1) === 123 && j + 1 < limit) {
    const e = Math.min(skipTemplate(st, j + 1, limit), limit);
    st.directives.push({ start: j, end: e });
    return e;
  }
  return j + 1;
}

/** At a `$` inside a string body: records an expansion / template escape and returns the next offset. */
export function scanDollar(
  st: LexState,
  j: number,
  limit: number,
  exps: PsExpansion[],
  subs: Stream[],
  esc: TemplateEscape[],
  depth: number,
  psExpand: boolean,
): number {
  const text = st.text;
  const n = j + 1 < limit ? text.charCodeAt(j + 1) : -1;
  if (st.templated) {
    if (n === 36 && text.charCodeAt(j + 2) === 123 && j + 2 < limit) {
      esc.push({ start: j, end: j + 3, text: '${' });
      return j + 3;
    }
    if (n === 123) {
      const e = Math.min(skipTemplate(st, j + 1, limit), limit);
      exps.push(templateExpansion(j, e, innerName(text, j + 2, e)));
      return e;
    }
  }
  if (!psExpand) return j + 1;
  if (n === 40) {
    if (depth >= MAX_LEX_DEPTH || j >= st.subUnclosedFrom) {
      const e = naiveParenEnd(st, j + 1, limit);
      if (e < 0) return j + 2;
      exps.push({ start: j, end: e, name: text.slice(j + 2, e - 1), subexpression: true });
      return e;
    }
    const strMark = st.strings.length;
    const cmtMark = st.comments.length;
    const dirMark = st.directives.length;
    const saveSubs = st.lastSubs;
    const out = lex(st, j + 2, limit, true, depth + 1);
    st.lastSubs = saveSubs;
    if (!out.closed) {
      st.overProbe = Math.min(st.overProbe, j);
      st.subUnclosedFrom = Math.min(st.subUnclosedFrom, j);
      st.strings.length = strMark;
      st.comments.length = cmtMark;
      st.directives.length = dirMark;
      return j + 2;
    }
    exps.push({ start: j, end: out.end, name: text.slice(j + 2, out.end - 1), subexpression: true });
    subs.push({ toks: out.toks, match: buildMatch(out.toks) });
    return out.end;
  }
  const v = readVariable(st, j, limit, false);
  if (!v) return j + 1;
  exps.push({ start: j, end: v.end, name: v.name, subexpression: false });
  return v.end;
}

/** End (after `)`) of the `(` at `open` by plain counting over the whole text (fallback), or -1. */
export function naiveParenEnd(st: LexState, open: number, limit: number): number {
  st.overProbe = Math.min(st.overProbe, open);
  if (!st.parenTable) {
    const table = new Map<number, number>();
    const stack: number[] = [];
    const text = st.text;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === 40) stack.push(k);
      else if (c === 41 && stack.length > 0) table.set(stack.pop()!, k + 1);
    }
    st.parenTable = table;
  }
  const e = st.parenTable.get(open);
  return e === undefined || e > limit ? -1 : e;
}

function templateExpansion(start: number, end: number, name: string): PsExpansion {
  const e: PsExpansion & { template?: boolean } = { start, end, name, subexpression: false, template: true };
  return e;
}

function innerName(text: string, from: number, end: number): string {
  const close = text.charCodeAt(end - 1) === 125 ? end - 1 : end;
  let inner = text.slice(from, Math.max(from, close)).trim();
  if (inner.startsWith('~')) inner = inner.slice(1).trim();
  if (inner.endsWith('~')) inner = inner.slice(0, -1).trim();
  return inner;
}
