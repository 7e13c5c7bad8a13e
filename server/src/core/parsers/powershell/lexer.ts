/**
 * Tolerant, context-light PowerShell lexer. Produces a flat token list per
 * "stream" (the file, or the inside of a `$( … )` in an expandable string),
 * records every string literal and comment it meets, and never throws.
 * Everything is a single forward pass; the few places that may look ahead to
 * the end of the input (an unterminated string or interpolation) cache their
 * failure so that the whole scan stays linear.
 */
import type { PsComment, PsExpansion, PsNode, PsStringLiteral } from './types';

export const enum K {
  Word,
  Param,
  Var,
  Str,
  Type,
  Op,
  Punct,
  Nl,
  Redir,
}

export interface Tok {
  readonly k: K;
  readonly s: number;
  readonly e: number;
  /** Whitespace (or a comment / line continuation) precedes the token. */
  readonly sp: boolean;
  /** Word: raw text; Param: name without dash; Var: name; Type: type name; Op/Punct/Redir: raw text. */
  readonly t: string;
  readonly lit?: PsStringLiteral;
  /** Token streams of `$( … )` subexpressions inside a string token. */
  readonly subs?: readonly Stream[];
  /** Param written as `-Name:`. */
  readonly colon?: boolean;
  /** Var written as `@name` (splatting). */
  readonly splat?: boolean;
}

export interface Stream {
  readonly toks: readonly Tok[];
  /** For an opener token index: index of its closer (or toks.length when unclosed); -1 otherwise. */
  readonly match: Int32Array;
}

export interface TemplateEscape extends PsNode {
  readonly text: string;
}

type Problem = PsNode & { readonly message: string };

interface MutableLiteral extends PsStringLiteral {
  templateEscapes?: readonly TemplateEscape[];
}

const MAX_LEX_DEPTH = 16;

function isNl(c: number): boolean {
  return c === 10 || c === 13;
}
function isWs(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x0b ||
    c === 0x0c ||
    c === 0x85 ||
    c === 0x2028 ||
    c === 0x2029 ||
    (c < 32 && c !== 10 && c !== 13)
  );
}
export function isDq(c: number): boolean {
  return c === 34 || c === 0x201c || c === 0x201d || c === 0x201e;
}
export function isSq(c: number): boolean {
  return c === 39 || c === 0x2018 || c === 0x2019 || c === 0x201a || c === 0x201b;
}
function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c > 127 && isUnicodeLetter(c));
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
const letterRe = /[\p{L}\p{N}]/u;
function isUnicodeLetter(c: number): boolean {
  if (c >= 0xd800 && c <= 0xdfff) return false;
  if (isDq(c) || isSq(c)) return false;
  return letterRe.test(String.fromCharCode(c));
}
/** Characters that end a generic (bare) word. */
function isWordBreak(c: number): boolean {
  switch (c) {
    case 32:
    case 9:
    case 10:
    case 13: // ws, nl
    case 59: // ;
    case 124: // |
    case 38: // &
    case 40:
    case 41: // ( )
    case 123:
    case 125: // { }
    case 44: // ,
    case 34:
    case 39: // quotes
    case 62:
    case 60: // > <
    case 36: // $
    case 91:
    case 93: // [ ]
      return true;
    default:
      return isWs(c) || isDq(c) || isSq(c);
  }
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

export interface LexOutput {
  readonly toks: Tok[];
  readonly end: number;
  readonly closed: boolean;
}

export class Lexer {
  readonly strings: PsStringLiteral[] = [];
  readonly comments: PsComment[] = [];
  readonly directives: PsNode[] = [];
  /** Failure caches keeping recovery linear: positions from which a closer was already not found. */
  private dqUnclosedFrom = Infinity;
  private sqUnclosedFrom = Infinity;
  private subUnclosedFrom = Infinity;
  private tplUnclosedFrom = Infinity;
  private cmtUnclosed = false;

  constructor(
    readonly text: string,
    readonly limit: number,
    readonly templated: boolean,
  ) {}

  lexStream(start: number): Stream {
    const out = this.lex(start, this.limit, false, 0);
    return { toks: out.toks, match: buildMatch(out.toks) };
  }

  /**
   * Lexes [pos, limit). With `stopAtParen`, stops after the `)` that closes
   * an already-open `$(` (used for subexpressions inside strings).
   */
  lex(pos: number, limit: number, stopAtParen: boolean, depth: number): LexOutput {
    const text = this.text;
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
          this.comments.push({ start: s, end: i, text: text.slice(s, i) });
          sp = true;
          continue;
        }
        case 60: {
          // <
          if (n === 35) {
            const s = i;
            let e = this.cmtUnclosed ? -1 : text.indexOf('#>', i + 2);
            if (e < 0 || e + 2 > limit) {
              this.cmtUnclosed = e < 0 ? true : this.cmtUnclosed;
              e = limit;
            } else e += 2;
            i = e;
            this.comments.push({ start: s, end: i, text: text.slice(s, i) });
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
          if (this.templated && n === 123) {
            const s = i;
            i = this.skipTemplate(i + 1, limit);
            this.directives.push({ start: s, end: i });
            sp = true;
            continue;
          }
          if (this.templated && n === 37 && text.charCodeAt(i + 2) === 123) break; // `%%{` literal: word
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
            i = this.lexHereString(i, limit, isDq(n), depth);
            push(K.Str, s, i, '', { lit: this.lastLit, subs: this.lastSubs });
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
          const v = this.readVariable(i, limit, true);
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
          const tl = prevAdjacentValue() ? undefined : this.readTypeLiteral(i, limit);
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
        i = isDq(c) ? this.lexDqString(i, limit, depth) : this.lexSqString(i, limit);
        push(K.Str, s, i, '', { lit: this.lastLit, subs: isDq(c) ? this.lastSubs : undefined });
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
      i = this.readWord(i, limit);
      if (i === s) i++; // never stall
      push(K.Word, s, i, text.slice(s, i));
    }
    return { toks, end: limit, closed: !stopAtParen };
  }

  private lastSubs: Stream[] | undefined;
  private lastLit: PsStringLiteral | undefined;

  private readWord(i: number, limit: number): number {
    const text = this.text;
    while (i < limit) {
      const c = text.charCodeAt(i);
      if (c === 96) {
        const n = text.charCodeAt(i + 1);
        if (i + 1 >= limit || isNl(n)) break;
        i += 2;
        continue;
      }
      if (isNl(c) || isWordBreak(c)) break;
      if (c === 37 && this.templated && text.charCodeAt(i + 1) === 123 && text.charCodeAt(i - 1) !== 37) break;
      i++;
    }
    return Math.min(i, limit);
  }

  /** `$name`, `${…}`, `$env:X`, `$_`, `$$`, `$?`, `$^`. Returns undefined for a lone `$`. */
  readVariable(i: number, limit: number, outside: boolean): { end: number; name: string; template?: boolean } | undefined {
    const text = this.text;
    const n = i + 1 < limit ? text.charCodeAt(i + 1) : -1;
    if (this.templated) {
      if (n === 36 && text.charCodeAt(i + 2) === 123 && i + 2 < limit) {
        if (!outside) return undefined;
        const e = this.skipTemplate(i + 2, limit);
        return { end: e, name: innerName(text, i + 3, e) };
      }
      if (n === 123) {
        const e = this.skipTemplate(i + 1, limit);
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

  /** `[Name.Space.Type]`, `[string[]]`, `[Collections.Generic.List[string]]` on one line. */
  private readTypeLiteral(i: number, limit: number): { end: number; name: string } | undefined {
    const text = this.text;
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

  /** From `{` at `open` to after its matching `}` (Terraform `${…}` / `%{…}`), nested braces and quotes. */
  skipTemplate(open: number, limit: number): number {
    const text = this.text;
    if (open >= this.tplUnclosedFrom) return lineEnd(text, open, limit);
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
    this.tplUnclosedFrom = Math.min(this.tplUnclosedFrom, open);
    return lineEnd(text, open, limit);
  }

  private lexDqString(s: number, limit: number, depth: number): number {
    const strMark = this.strings.length;
    const cmtMark = this.comments.length;
    const dirMark = this.directives.length;
    if (s < this.dqUnclosedFrom) {
      const r = this.scanDqBody(s, limit, depth, false);
      if (r >= 0 && !this.suspiciousClose(s, r, limit)) return r;
      if (r < 0) this.dqUnclosedFrom = s;
      this.strings.length = strMark;
      this.comments.length = cmtMark;
      this.directives.length = dirMark;
    }
    // Unterminated: recover at the end of the opening line.
    const eol = lineEnd(this.text, s, limit);
    return this.scanDqBody(s, eol, depth, true);
  }

  /**
   * A string that spans lines and whose closing quote is glued to a word
   * (`"stray…\nsc.exe create "Nomad`) is almost always a stray quote pairing
   * with the next string's opening quote: recover at the end of the line.
   */
  private suspiciousClose(s: number, end: number, limit: number): boolean {
    if (lineEnd(this.text, s, end) >= end - 1) return false;
    if (end >= limit) return false;
    const c = this.text.charCodeAt(end);
    return isIdentChar(c) || c === 92 || c === 36 || c === 58 || c === 47;
  }

  /** Returns the end offset, or -1 when not terminated before `limit` and limit is not `stopAt`. */
  private scanDqBody(s: number, limit: number, depth: number, final: boolean): number {
    const text = this.text;
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
        this.pushLiteral(s, j + 1, 'expandable', false, s + 1, j, exps, [], esc);
        this.lastSubs = subs;
        return j + 1;
      }
      if (c === 36) {
        j = this.scanDollar(j, limit, exps, subs, esc, depth, true);
        continue;
      }
      if (c === 37 && this.templated) {
        j = this.scanPercent(j, limit, esc);
        continue;
      }
      j++;
    }
    if (!final) return -1;
    const end = Math.min(j, limit);
    this.pushLiteral(s, end, 'expandable', false, s + 1, end, exps, [{ start: s, end: s + 1, message: 'unterminated string: no closing "' }], esc);
    this.lastSubs = subs;
    return end;
  }

  private lexSqString(s: number, limit: number): number {
    const text = this.text;
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
          this.pushLiteral(s, j + 1, 'verbatim', false, s + 1, j, exps, [], esc);
          return j + 1;
        }
        if (this.templated && c === 36) {
          j = this.scanDollar(j, lim, exps, [], esc, 0, false);
          continue;
        }
        if (this.templated && c === 37) {
          j = this.scanPercent(j, lim, esc);
          continue;
        }
        j++;
      }
      if (!final) return -1;
      this.pushLiteral(s, lim, 'verbatim', false, s + 1, lim, exps, [{ start: s, end: s + 1, message: "unterminated string: no closing '" }], esc);
      return lim;
    };
    this.lastSubs = undefined;
    if (s < this.sqUnclosedFrom) {
      const dirMark = this.directives.length;
      const strMark = this.strings.length;
      const r = tryScan(limit, false);
      if (r >= 0 && !this.suspiciousClose(s, r, limit)) return r;
      if (r < 0) this.sqUnclosedFrom = s;
      this.strings.length = strMark;
      this.directives.length = dirMark;
      esc.length = 0;
      exps.length = 0;
    }
    return tryScan(lineEnd(text, s, limit), true);
  }

  private lexHereString(s: number, limit: number, expandable: boolean, depth: number): number {
    const text = this.text;
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
      if (c === 36 && (expandable || this.templated)) {
        j = this.scanDollar(j, contentEnd, exps, subs, esc, depth, expandable);
        continue;
      }
      if (c === 37 && this.templated) {
        j = this.scanPercent(j, contentEnd, esc);
        continue;
      }
      j++;
    }
    this.pushLiteral(s, end, expandable ? 'expandable' : 'verbatim', true, contentStart, contentEnd, exps, problems, esc);
    this.lastSubs = subs;
    return end;
  }

  private scanPercent(j: number, limit: number, esc: TemplateEscape[]): number {
    const text = this.text;
    if (text.charCodeAt(j + 1) === 37 && text.charCodeAt(j + 2) === 123 && j + 2 < limit) {
      esc.push({ start: j, end: j + 3, text: '%{' });
      return j + 3;
    }
    if (text.charCodeAt(j + 1) === 123 && j + 1 < limit) {
      const e = Math.min(this.skipTemplate(j + 1, limit), limit);
      this.directives.push({ start: j, end: e });
      return e;
    }
    return j + 1;
  }

  /** At a `$` inside a string body: records an expansion / template escape and returns the next offset. */
  private scanDollar(j: number, limit: number, exps: PsExpansion[], subs: Stream[], esc: TemplateEscape[], depth: number, psExpand: boolean): number {
    const text = this.text;
    const n = j + 1 < limit ? text.charCodeAt(j + 1) : -1;
    if (this.templated) {
      if (n === 36 && text.charCodeAt(j + 2) === 123 && j + 2 < limit) {
        esc.push({ start: j, end: j + 3, text: '${' });
        return j + 3;
      }
      if (n === 123) {
        const e = Math.min(this.skipTemplate(j + 1, limit), limit);
        exps.push(templateExpansion(j, e, innerName(text, j + 2, e)));
        return e;
      }
    }
    if (!psExpand) return j + 1;
    if (n === 40) {
      if (depth >= MAX_LEX_DEPTH || j >= this.subUnclosedFrom) {
        const e = this.naiveParenEnd(j + 1, limit);
        if (e < 0) return j + 2;
        exps.push({ start: j, end: e, name: text.slice(j + 2, e - 1), subexpression: true });
        return e;
      }
      const strMark = this.strings.length;
      const cmtMark = this.comments.length;
      const dirMark = this.directives.length;
      const saveSubs = this.lastSubs;
      const out = this.lex(j + 2, limit, true, depth + 1);
      this.lastSubs = saveSubs;
      if (!out.closed) {
        this.subUnclosedFrom = Math.min(this.subUnclosedFrom, j);
        this.strings.length = strMark;
        this.comments.length = cmtMark;
        this.directives.length = dirMark;
        return j + 2;
      }
      exps.push({ start: j, end: out.end, name: text.slice(j + 2, out.end - 1), subexpression: true });
      subs.push({ toks: out.toks, match: buildMatch(out.toks) });
      return out.end;
    }
    const v = this.readVariable(j, limit, false);
    if (!v) return j + 1;
    exps.push({ start: j, end: v.end, name: v.name, subexpression: false });
    return v.end;
  }

  private parenTable: Map<number, number> | undefined;

  /** End (after `)`) of the `(` at `open` by plain counting over the whole text (fallback), or -1. */
  private naiveParenEnd(open: number, limit: number): number {
    if (!this.parenTable) {
      const table = new Map<number, number>();
      const stack: number[] = [];
      const text = this.text;
      for (let k = 0; k < text.length; k++) {
        const c = text.charCodeAt(k);
        if (c === 40) stack.push(k);
        else if (c === 41 && stack.length > 0) table.set(stack.pop()!, k + 1);
      }
      this.parenTable = table;
    }
    const e = this.parenTable.get(open);
    return e === undefined || e > limit ? -1 : e;
  }

  private pushLiteral(
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
    this.strings.push(lit);
    this.lastLit = lit;
  }
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

function lineEnd(text: string, from: number, limit: number): number {
  let k = from;
  while (k < limit && !isNl(text.charCodeAt(k))) k++;
  return k;
}

function beforeLineBreak(text: string, lineStart: number): number {
  let p = lineStart;
  if (text.charCodeAt(p - 1) === 10) p--;
  if (text.charCodeAt(p - 1) === 13) p--;
  return p;
}
