/**
 * What the bash scanner's modules share: the state of one scan, the character
 * classes the lexer reads, and the records built while scanning.
 */
import type { ShAssignment, ShCommand, ShComment, ShExpansion, ShRedirect, ShSed, ShWord } from './types';

/** Character codes (a const enum: inlined as numbers, so the hot loops compare against literals). */
export const enum Ch {
  TAB = 9,
  NL = 10,
  CR = 13,
  SP = 32,
  DQ = 34,
  HASH = 35,
  DOLLAR = 36,
  PCT = 37,
  AMP = 38,
  SQ = 39,
  LP = 40,
  RP = 41,
  SEMI = 59,
  LT = 60,
  GT = 62,
  BSL = 92,
  BT = 96,
  LB = 123,
  PIPE = 124,
  RB = 125,
}

export function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
export function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
export function isMeta(c: number): boolean {
  return (
    c === Ch.SP ||
    c === Ch.TAB ||
    c === Ch.NL ||
    c === Ch.CR ||
    c === Ch.SEMI ||
    c === Ch.AMP ||
    c === Ch.PIPE ||
    c === Ch.LP ||
    c === Ch.RP ||
    c === Ch.LT ||
    c === Ch.GT
  );
}
export function isNewline(c: number): boolean {
  return c === Ch.NL || c === Ch.CR;
}

export const enum K {
  Paren,
  Brace,
  Double,
  Backtick,
  TfExpr,
  TfString,
}

export const enum Ctx {
  Unquoted,
  Double,
  Heredoc,
}

export interface WordTok extends ShWord {
  readonly quoted: boolean;
}

export type Tok =
  | { readonly k: 'word'; readonly w: WordTok }
  | { readonly k: 'op'; readonly op: string; readonly start: number; readonly end: number }
  | { readonly k: 'redir'; readonly op: string; readonly fd: number | undefined; readonly start: number; readonly end: number }
  | { readonly k: 'eof'; readonly start: number };

export interface HeredocRec {
  start: number;
  end: number;
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  bodyStart: number;
  bodyEnd: number;
  command: ShCommand | undefined;
  targets: ShWord[];
  append: boolean;
  expansions: ShExpansion[];
  terminated: boolean;
  read: boolean;
}

export interface CmdBuild {
  words: WordTok[];
  prefix: WordTok[];
  redirects: ShRedirect[];
  heredocs: HeredocRec[];
  start: number;
  end: number;
}

export interface Built {
  cmd: ShCommand | undefined;
  heredocs: HeredocRec[];
}

export interface SubRange {
  from: number;
  to: number;
  depth: number;
}

export interface Sink {
  readonly commands: ShCommand[];
  readonly heredocs: HeredocRec[];
  readonly seds: ShSed[];
  readonly assignments: ShAssignment[];
  readonly comments: ShComment[];
  readonly queue: SubRange[];
  /**
   * The end (exclusive) of the text read ahead of the statement loop: the heredoc bodies read so far, up to the end
   * of their delimiter lines (the end of the text when one is unterminated). A token or a command substitution does
   * not count: the loop takes a token whole, and a substitution's range lies inside the token or heredoc body holding
   * it (its sub-scan peeks at most one character past its range: the closer, or the delimiter line).
   */
  reach: number;
  /**
   * Offsets where the main scan (depth 0) may restart with a fresh state (undefined: not recorded). Each is the start
   * of a line the statement loop reached by taking a newline token that ends with `\n` (a lone `\r` looked at the
   * next character: a CR LF is one newline), outside any `case … esac` and at or after `reach`. There the loop's state
   * is a fresh one (the pipeline just ended, no heredoc is pending: a newline token reads the pending bodies) and
   * nothing before it depends on the text after it, so a scan started there sees what the full scan sees.
   */
  readonly restarts: number[] | undefined;
}

export const ASSIGN_RE = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?(\+?)=/;

/** One scan of a range of the text: the whole file, or a command substitution queued by an outer scan. */
export interface ScanState {
  readonly t: string;
  i: number;
  /** End of the range; narrowed while a heredoc body is scanned. */
  lim: number;
  /** Command-substitution nesting of this range. */
  readonly depth: number;
  readonly templated: boolean;
  readonly sink: Sink;
  /** Heredocs whose bodies start after the next newline. */
  readonly pending: HeredocRec[];
}

export function newlineLen(sc: ScanState, i: number): number {
  const c = sc.t.charCodeAt(i);
  if (c === Ch.CR) return sc.t.charCodeAt(i + 1) === Ch.NL ? 2 : 1;
  return c === Ch.NL ? 1 : 0;
}
