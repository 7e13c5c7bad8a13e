/**
 * String literals: double-quoted, single-quoted and here-strings, with the
 * recovery of unterminated ones at the end of their opening line.
 */
import type { PsExpansion } from './types';
import {
  beforeLineBreak,
  isDq,
  isIdentChar,
  isNl,
  isSq,
  isWs,
  lineEnd,
  type LexState,
  type MutableLiteral,
  type Problem,
  type Stream,
  type TemplateEscape,
} from './lexState';
import { scanDollar, scanPercent } from './expansions';

export function lexDqString(st: LexState, s: number, limit: number, depth: number): number {
  const strMark = st.strings.length;
  const cmtMark = st.comments.length;
  const dirMark = st.directives.length;
  if (s < st.dqUnclosedFrom) {
    const r = scanDqBody(st, s, limit, depth, false);
    if (r >= 0 && !suspiciousClose(st, s, r, limit)) return r;
    if (r < 0) st.dqUnclosedFrom = s;
    st.overProbe = Math.min(st.overProbe, s);
    st.strings.length = strMark;
    st.comments.length = cmtMark;
    st.directives.length = dirMark;
  }
  // Unterminated: recover at the end of the opening line.
  const eol = lineEnd(st.text, s, limit);
  return scanDqBody(st, s, eol, depth, true);
}

/**
 * A string that spans lines and whose closing quote is glued to a word
 * (`"stray…\nsc.exe create "Nomad`) is almost always a stray quote pairing
 * with the next string's opening quote: recover at the end of the line.
 */
export function suspiciousClose(st: LexState, s: number, end: number, limit: number): boolean {
  if (lineEnd(st.text, s, end) >= end - 1) return false;
  if (end >= limit) return false;
  const c = st.text.charCodeAt(end);
  return isIdentChar(c) || c === 92 || c === 36 || c === 58 || c === 47;
}

/** Returns the end offset, or -1 when not terminated before `limit` and limit is not `stopAt`. */
export function scanDqBody(st: LexState, s: number, limit: number, depth: number, final: boolean): number {
  const text = st.text;
  const exps: PsExpansion[] = [];
  const subs: Stream[] = [];
  const esc: TemplateEscape[] = [];
  let j = s + 1;
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (c === 96) {
      j += 2;
      continue;
    }
    if (isDq(c)) {
      if (j + 1 < limit && isDq(text.charCodeAt(j + 1))) {
        j += 2;
        continue;
      }
      pushLiteral(st, s, j + 1, 'expandable', false, s + 1, j, exps, [], esc);
      st.lastSubs = subs;
      return j + 1;
    }
    if (c === 36) {
      j = scanDollar(st, j, limit, exps, subs, esc, depth, true);
      continue;
    }
    if (c === 37 && st.templated) {
      j = scanPercent(st, j, limit, esc);
      continue;
    }
    j++;
  }
  if (!final) return -1;
  const end = Math.min(j, limit);
  pushLiteral(st, s, end, 'expandable', false, s + 1, end, exps, [{ start: s, end: s + 1, message: 'unterminated string: no closing "' }], esc);
  st.lastSubs = subs;
  return end;
}

export function lexSqString(st: LexState, s: number, limit: number): number {
  const text = st.text;
  const esc: TemplateEscape[] = [];
  const exps: PsExpansion[] = [];
  const tryScan = (lim: number, final: boolean): number => {
    let j = s + 1;
    while (j < lim) {
      const c = text.charCodeAt(j);
      if (isSq(c)) {
        if (j + 1 < lim && isSq(text.charCodeAt(j + 1))) {
          j += 2;
          continue;
        }
        pushLiteral(st, s, j + 1, 'verbatim', false, s + 1, j, exps, [], esc);
        return j + 1;
      }
      if (st.templated && c === 36) {
        j = scanDollar(st, j, lim, exps, [], esc, 0, false);
        continue;
      }
      if (st.templated && c === 37) {
        j = scanPercent(st, j, lim, esc);
        continue;
      }
      j++;
    }
    if (!final) return -1;
    pushLiteral(st, s, lim, 'verbatim', false, s + 1, lim, exps, [{ start: s, end: s + 1, message: "unterminated string: no closing '" }], esc);
    return lim;
  };
  st.lastSubs = undefined;
  if (s < st.sqUnclosedFrom) {
    const dirMark = st.directives.length;
    const strMark = st.strings.length;
    const r = tryScan(limit, false);
    if (r >= 0 && !suspiciousClose(st, s, r, limit)) return r;
    if (r < 0) st.sqUnclosedFrom = s;
    st.overProbe = Math.min(st.overProbe, s);
    st.strings.length = strMark;
    st.directives.length = dirMark;
    esc.length = 0;
    exps.length = 0;
  }
  return tryScan(lineEnd(text, s, limit), true);
}

export function lexHereString(st: LexState, s: number, limit: number, expandable: boolean, depth: number): number {
  const text = st.text;
  const problems: Problem[] = [];
  let k = s + 2;
  let junk = false;
  while (k < limit && !isNl(text.charCodeAt(k))) {
    if (!isWs(text.charCodeAt(k))) junk = true;
    k++;
  }
  if (junk) problems.push({ start: s, end: s + 2, message: `here-string header ${text.slice(s, s + 2)} must be followed by a line break` });
  let contentStart = k;
  if (k < limit) contentStart = k + (text.charCodeAt(k) === 13 && text.charCodeAt(k + 1) === 10 && k + 1 < limit ? 2 : 1);
  const matchesQ = (c: number): boolean => (expandable ? isDq(c) : isSq(c));
  let contentEnd = limit;
  let end = limit;
  let terminated = false;
  let line = contentStart;
  while (line < limit) {
    if (matchesQ(text.charCodeAt(line)) && text.charCodeAt(line + 1) === 64 && line + 1 < limit) {
      contentEnd = Math.max(contentStart, beforeLineBreak(text, line));
      end = line + 2;
      terminated = true;
      break;
    }
    let first = -1;
    let last = -1;
    let e = line;
    while (e < limit) {
      const c = text.charCodeAt(e);
      if (isNl(c)) break;
      if (!isWs(c)) {
        if (first < 0) first = e;
        last = e;
      }
      e++;
    }
    if (first > line && matchesQ(text.charCodeAt(first)) && text.charCodeAt(first + 1) === 64 && first + 1 <= last) {
      problems.push({
        start: first,
        end: first + 2,
        message: `here-string terminator must start its line: PowerShell 5.1 requires ${text.slice(first, first + 2)} at column 0`,
      });
      contentEnd = Math.max(contentStart, beforeLineBreak(text, line));
      end = first + 2;
      terminated = true;
      break;
    }
    if (last >= 1 && last - 1 > first && first >= 0 && text.charCodeAt(last) === 64 && matchesQ(text.charCodeAt(last - 1))) {
      problems.push({
        start: last - 1,
        end: last + 1,
        message: `here-string terminator must start its line: ${text.slice(last - 1, last + 1)} follows text on the same line`,
      });
      contentEnd = last - 1;
      end = last + 1;
      terminated = true;
      break;
    }
    if (e >= limit) break;
    line = e + (text.charCodeAt(e) === 13 && text.charCodeAt(e + 1) === 10 && e + 1 < limit ? 2 : 1);
  }
  if (!terminated) {
    contentStart = Math.min(contentStart, limit);
    contentEnd = limit;
    end = limit;
    problems.push({ start: s, end: s + 2, message: `unterminated here-string: no ${expandable ? '"@' : "'@"} terminator at the start of a line` });
  }
  const exps: PsExpansion[] = [];
  const subs: Stream[] = [];
  const esc: TemplateEscape[] = [];
  let j = contentStart;
  while (j < contentEnd) {
    const c = text.charCodeAt(j);
    if (c === 96 && expandable) {
      j += 2;
      continue;
    }
    if (c === 36 && (expandable || st.templated)) {
      j = scanDollar(st, j, contentEnd, exps, subs, esc, depth, expandable);
      continue;
    }
    if (c === 37 && st.templated) {
      j = scanPercent(st, j, contentEnd, esc);
      continue;
    }
    j++;
  }
  pushLiteral(st, s, end, expandable ? 'expandable' : 'verbatim', true, contentStart, contentEnd, exps, problems, esc);
  st.lastSubs = subs;
  return end;
}

export function pushLiteral(
  st: LexState,
  start: number,
  end: number,
  quote: 'expandable' | 'verbatim',
  hereString: boolean,
  contentStart: number,
  contentEnd: number,
  expansions: PsExpansion[],
  problems: Problem[],
  esc: TemplateEscape[],
): void {
  const lit: MutableLiteral = { start, end, quote, hereString, contentStart, contentEnd: Math.max(contentStart, contentEnd), expansions, problems };
  if (esc.length > 0) lit.templateEscapes = esc;
  st.strings.push(lit);
  st.lastLit = lit;
}
