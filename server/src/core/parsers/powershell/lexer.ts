/**
 * Tolerant, context-light PowerShell lexer. Produces a flat token list per
 * "stream" (the file, or the inside of a `$( … )` in an expandable string),
 * records every string literal and comment it meets, and never throws.
 * Everything is a single forward pass; the few places that may look ahead to
 * the end of the input (an unterminated string or interpolation) cache their
 * failure so that the whole scan stays linear.
 *
 * This file holds the token loop (words, operators, punctuation, type
 * literals) and bracket matching; strings.ts the string literals,
 * expansions.ts variables and `$( … )` / template expansions, lexState.ts the
 * shared state and character classes.
 */
import {
  isDigit,
  isDq,
  isIdentChar,
  isIdentStart,
  isNl,
  isSq,
  isWordBreak,
  isWs,
  K,
  LexState,
  lineEnd,
  type LexOutput,
  type Stream,
  type Tok,
} from './lexState';
import { readVariable, skipTemplate } from './expansions';
import { lexDqString, lexHereString, lexSqString } from './strings';

export { K, type LexOutput, type Stream, type TemplateEscape, type Tok } from './lexState';

export class Lexer extends LexState {
  lexStream(start: number): Stream {
    const out = lex(this, start, this.limit, false, 0);
    return { toks: out.toks, match: buildMatch(out.toks) };
  }
}

/**
 * Lexes [pos, limit). With `stopAtParen`, stops after the `)` that closes
 * an already-open `$(` (used for subexpressions inside strings).
 */
export function lex(st: LexState, pos: number, limit: number, stopAtParen: boolean, depth: number): LexOutput {
  const text = st.text;
  const toks: Tok[] = [];
  let i = pos;
  let sp = true;
  let parens = 0;
  const push = (k: K, s: number, e: number, t: string, extra?: Partial<Tok>): void => {
    toks.push(extra ? { k, s, e, sp, t, ...extra } : { k, s, e, sp, t });
    sp = false;
  };
  const prevAdjacentValue = (): boolean => {
    if (sp) return false;
    const p = toks[toks.length - 1];
    if (!p) return false;
    if (p.k === K.Var || p.k === K.Str || p.k === K.Type || p.k === K.Word) return true;
    return p.k === K.Punct && (p.t === ')' || p.t === ']' || p.t === '}');
  };
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (isWs(c)) {
      i++;
      sp = true;
      continue;
    }
    if (isNl(c)) {
      const s = i;
      i += c === 13 && text.charCodeAt(i + 1) === 10 && i + 1 < limit ? 2 : 1;
      push(K.Nl, s, i, '\n');
      sp = true;
      continue;
    }
    const n = i + 1 < limit ? text.charCodeAt(i + 1) : -1;
    switch (c) {
      case 96: {
        // ` line continuation, otherwise an escaped char starting a word
        if (isNl(n)) {
          i += n === 13 && i + 2 < limit && text.charCodeAt(i + 2) === 10 ? 3 : 2;
          sp = true;
          continue;
        }
        break;
      }
      case 35: {
        // # comment
        const s = i;
        while (i < limit && !isNl(text.charCodeAt(i))) i++;
        st.comments.push({ start: s, end: i, text: text.slice(s, i) });
        sp = true;
        continue;
      }
      case 60: {
        // <
        if (n === 35) {
          const s = i;
          let e = st.cmtUnclosed ? -1 : text.indexOf('#>', i + 2);
          if (e < 0 || e + 2 > limit) {
            st.overProbe = Math.min(st.overProbe, s);
            st.cmtUnclosed = e < 0 ? true : st.cmtUnclosed;
            e = limit;
          } else e += 2;
          i = e;
          st.comments.push({ start: s, end: i, text: text.slice(s, i) });
          sp = true;
          continue;
        }
        // XML-ish tags of EC2 user data (`<persist>true</persist>`): skip the tag.
        let k = i + 1;
        if (text.charCodeAt(k) === 47) k++;
        const ks = k;
        while (k < limit && k - ks < 40 && isIdentChar(text.charCodeAt(k))) k++;
        if (k > ks && text.charCodeAt(k) === 62) {
          i = k + 1;
          if (text.charCodeAt(ks - 1) !== 47) {
            // `<persist>true</persist>` on one line: skip the whole element.
            const closeTag = `</${text.slice(ks, k)}>`;
            const e = lineEnd(text, i, limit);
            const c = text.slice(i, e).toLowerCase().indexOf(closeTag.toLowerCase());
            if (c >= 0) i = i + c + closeTag.length;
          }
          sp = true;
          continue;
        }
        i++;
        sp = true;
        continue;
      }
      case 37: {
        // %
        if (st.templated && n === 123) {
          const s = i;
          i = skipTemplate(st, i + 1, limit);
          st.directives.push({ start: s, end: i });
          sp = true;
          continue;
        }
        if (st.templated && n === 37 && text.charCodeAt(i + 2) === 123) break; // `%%{` literal: word
        if (n === 61) {
          push(K.Op, i, i + 2, '%=');
          i += 2;
          continue;
        }
        if (n < 0 || isWs(n) || isNl(n) || n === 123) {
          push(K.Op, i, i + 1, '%');
          i++;
          continue;
        }
        break;
      }
      case 64: {
        // @
        if (isDq(n) || isSq(n)) {
          const s = i;
          i = lexHereString(st, i, limit, isDq(n), depth);
          push(K.Str, s, i, '', { lit: st.lastLit, subs: st.lastSubs });
          continue;
        }
        if (n === 40 || n === 123) {
          push(K.Punct, i, i + 2, n === 40 ? '@(' : '@{');
          if (n === 40 && stopAtParen) parens++;
          i += 2;
          continue;
        }
        if (isIdentStart(n)) {
          const s = i;
          let k = i + 1;
          while (k < limit && isIdentChar(text.charCodeAt(k))) k++;
          push(K.Var, s, k, text.slice(s + 1, k), { splat: true });
          i = k;
          continue;
        }
        break;
      }
      case 36: {
        // $
        const s = i;
        if (n === 40) {
          push(K.Punct, i, i + 2, '$(');
          if (stopAtParen) parens++;
          i += 2;
          continue;
        }
        const v = readVariable(st, i, limit, true);
        if (v) {
          push(K.Var, s, v.end, v.name);
          i = v.end;
          continue;
        }
        break;
      }
      case 40: // (
        push(K.Punct, i, i + 1, '(');
        if (stopAtParen) parens++;
        i++;
        continue;
      case 41: // )
        if (stopAtParen) {
          if (parens === 0) return { toks, end: i + 1, closed: true };
          parens--;
        }
        push(K.Punct, i, i + 1, ')');
        i++;
        continue;
      case 123:
      case 125:
      case 59:
      case 44:
      case 93:
        push(K.Punct, i, i + 1, text[i]!);
        i++;
        continue;
      case 124: // |
        if (n === 124) {
          push(K.Punct, i, i + 2, '||');
          i += 2;
        } else {
          push(K.Punct, i, i + 1, '|');
          i++;
        }
        continue;
      case 38: // &
        if (n === 38) {
          push(K.Punct, i, i + 2, '&&');
          i += 2;
        } else {
          push(K.Punct, i, i + 1, '&');
          i++;
        }
        continue;
      case 91: {
        // [
        const tl = prevAdjacentValue() ? undefined : readTypeLiteral(st, i, limit);
        if (tl) {
          push(K.Type, i, tl.end, tl.name);
          i = tl.end;
        } else {
          push(K.Punct, i, i + 1, '[');
          i++;
        }
        continue;
      }
      case 62: {
        // >
        const s = i;
        i++;
        if (i < limit && text.charCodeAt(i) === 62) i++;
        if (i + 1 < limit && text.charCodeAt(i) === 38 && isDigit(text.charCodeAt(i + 1))) i += 2;
        push(K.Redir, s, i, text.slice(s, i));
        continue;
      }
      case 61: // =
        push(K.Op, i, i + 1, '=');
        i++;
        continue;
      case 33: // !
        if (n === 61) {
          push(K.Op, i, i + 2, '!=');
          i += 2;
        } else {
          push(K.Op, i, i + 1, '!');
          i++;
        }
        continue;
      case 43:
      case 42:
      case 47: {
        // + * /
        if (c === 42 && n === 62) break; // *> redirection handled below
        if (n === 61) {
          push(K.Op, i, i + 2, text.slice(i, i + 2));
          i += 2;
          continue;
        }
        if (n === c && c === 43) {
          push(K.Op, i, i + 2, '++');
          i += 2;
          continue;
        }
        if (n < 0 || isWs(n) || isNl(n) || n === 40 || n === 36) {
          push(K.Op, i, i + 1, text[i]!);
          i++;
          continue;
        }
        break;
      }
      case 45: {
        // -
        if (isIdentStart(n)) {
          const s = i;
          let k = i + 1;
          while (k < limit && isIdentChar(text.charCodeAt(k))) k++;
          const after = k < limit ? text.charCodeAt(k) : -1;
          if (after === 58 && text.charCodeAt(k + 1) !== 58) {
            push(K.Param, s, k + 1, text.slice(s + 1, k), { colon: true });
            i = k + 1;
            continue;
          }
          if (after < 0 || isWordBreak(after)) {
            push(K.Param, s, k, text.slice(s + 1, k));
            i = k;
            continue;
          }
          break; // `-config=C:\x`: a generic word
        }
        if (n === 61) {
          push(K.Op, i, i + 2, '-=');
          i += 2;
          continue;
        }
        if (n === 45) {
          const n2 = text.charCodeAt(i + 2);
          if (i + 2 < limit && !isWordBreak(n2) && !isWs(n2)) break; // --version, --%
          push(K.Op, i, i + 2, '--');
          i += 2;
          continue;
        }
        if (isDigit(n) || n === 46) break;
        push(K.Op, i, i + 1, '-');
        i++;
        continue;
      }
      case 46: {
        // .
        if (n === 46 && prevAdjacentValue()) {
          push(K.Op, i, i + 2, '..');
          i += 2;
          continue;
        }
        if (prevAdjacentValue() && (isIdentStart(n) || n === 36 || n === 34 || n === 39)) {
          push(K.Punct, i, i + 1, '.');
          i++;
          continue;
        }
        if (n < 0 || isWs(n) || isNl(n)) {
          push(K.Op, i, i + 1, '.');
          i++;
          continue;
        }
        break;
      }
      case 58: // :
        if (n === 58) {
          push(K.Punct, i, i + 2, '::');
          i += 2;
          continue;
        }
        break;
      default:
        break;
    }
    if (isDq(c) || isSq(c)) {
      const s = i;
      i = isDq(c) ? lexDqString(st, i, limit, depth) : lexSqString(st, i, limit);
      push(K.Str, s, i, '', { lit: st.lastLit, subs: isDq(c) ? st.lastSubs : undefined });
      continue;
    }
    // Redirections with a stream number: 2>&1, 2>, *>, 3>>
    if ((isDigit(c) || c === 42) && n === 62) {
      const s = i;
      i += 2;
      if (i < limit && text.charCodeAt(i) === 62) i++;
      if (i + 1 < limit && text.charCodeAt(i) === 38 && isDigit(text.charCodeAt(i + 1))) i += 2;
      push(K.Redir, s, i, text.slice(s, i));
      continue;
    }
    // Generic word.
    const s = i;
    i = readWord(st, i, limit);
    if (i === s) i++; // never stall
    push(K.Word, s, i, text.slice(s, i));
  }
  return { toks, end: limit, closed: !stopAtParen };
}

export function readWord(st: LexState, i: number, limit: number): number {
  const text = st.text;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 96) {
      const n = text.charCodeAt(i + 1);
      if (i + 1 >= limit || isNl(n)) break;
      i += 2;
      continue;
    }
    if (isNl(c) || isWordBreak(c)) break;
    if (c === 37 && st.templated && text.charCodeAt(i + 1) === 123 && text.charCodeAt(i - 1) !== 37) break;
    i++;
  }
  return Math.min(i, limit);
}

/** `[Name.Space.Type]`, `[string[]]`, `[Collections.Generic.List[string]]` on one line. */
export function readTypeLiteral(st: LexState, i: number, limit: number): { end: number; name: string } | undefined {
  const text = st.text;
  let k = i + 1;
  while (k < limit && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
  if (!isIdentStart(text.charCodeAt(k))) return undefined;
  let depth = 1;
  const max = Math.min(limit, i + 300);
  while (k < max) {
    const c = text.charCodeAt(k);
    if (c === 93) {
      depth--;
      if (depth === 0) return { end: k + 1, name: text.slice(i + 1, k).trim() };
    } else if (c === 91) depth++;
    else if (!(isIdentChar(c) || c === 46 || c === 44 || c === 32 || c === 96 || c === 43)) return undefined;
    k++;
  }
  return undefined;
}

export function buildMatch(toks: readonly Tok[]): Int32Array {
  const match = new Int32Array(toks.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== K.Punct) continue;
    const ch = t.t;
    if (ch === '(' || ch === '$(' || ch === '@(' || ch === '{' || ch === '@{' || ch === '[') {
      stack.push(i);
      continue;
    }
    const want = ch === ')' ? 0 : ch === '}' ? 1 : ch === ']' ? 2 : -1;
    if (want < 0) continue;
    // Find the nearest opener of the right family; openers above it are unclosed and end here.
    let found = -1;
    for (let d = stack.length - 1; d >= 0 && stack.length - d <= 64; d--) {
      if (family(toks[stack[d]!]!.t) === want) {
        found = d;
        break;
      }
    }
    if (found < 0) continue; // stray closer
    while (stack.length > found + 1) match[stack.pop()!] = i;
    match[stack.pop()!] = i;
  }
  while (stack.length > 0) match[stack.pop()!] = toks.length;
  return match;
}

function family(opener: string): number {
  if (opener === '(' || opener === '$(' || opener === '@(') return 0;
  if (opener === '{' || opener === '@{') return 1;
  return 2;
}
