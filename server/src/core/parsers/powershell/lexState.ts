/**
 * What the PowerShell lexer's modules share: the tokens and streams it
 * produces, the state of one lexing pass (records, failure caches), and the
 * character classes the lexer reads.
 */
import type { PsComment, PsNode, PsStringLiteral } from './types';

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

export type Problem = PsNode & { readonly message: string };

export interface MutableLiteral extends PsStringLiteral {
  templateEscapes?: readonly TemplateEscape[];
}

export interface LexOutput {
  readonly toks: Tok[];
  readonly end: number;
  readonly closed: boolean;
}

/** The state of one lexing pass over `text`; the lexer modules are free functions over it. */
export class LexState {
  readonly strings: PsStringLiteral[] = [];
  readonly comments: PsComment[] = [];
  readonly directives: PsNode[] = [];
  /** Failure caches keeping recovery linear: positions from which a closer was already not found. */
  dqUnclosedFrom = Infinity;
  sqUnclosedFrom = Infinity;
  subUnclosedFrom = Infinity;
  tplUnclosedFrom = Infinity;
  cmtUnclosed = false;
  /**
   * The start of the first token whose lexing looked past its own end (a closer searched for and not found, a
   * closer found but rejected as suspicious, the whole-text paren table): the tokens before it depend only on the
   * text before it. An incremental rescan restarts only at statements before this point.
   */
  overProbe = Infinity;

  constructor(
    readonly text: string,
    readonly limit: number,
    readonly templated: boolean,
  ) {}

  lastSubs: Stream[] | undefined;
  lastLit: PsStringLiteral | undefined;
  parenTable: Map<number, number> | undefined;
}

export function isNl(c: number): boolean {
  return c === 10 || c === 13;
}
export function isWs(c: number): boolean {
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
export function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c > 127 && isUnicodeLetter(c));
}
export function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
const letterRe = /[\p{L}\p{N}]/u;
function isUnicodeLetter(c: number): boolean {
  if (c >= 0xd800 && c <= 0xdfff) return false;
  if (isDq(c) || isSq(c)) return false;
  return letterRe.test(String.fromCharCode(c));
}
/** Characters that end a generic (bare) word. */
export function isWordBreak(c: number): boolean {
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

export function lineEnd(text: string, from: number, limit: number): number {
  let k = from;
  while (k < limit && !isNl(text.charCodeAt(k))) k++;
  return k;
}

export function beforeLineBreak(text: string, lineStart: number): number {
  let p = lineStart;
  if (text.charCodeAt(p - 1) === 10) p--;
  if (text.charCodeAt(p - 1) === 13) p--;
  return p;
}
