/**
 * What the PowerShell parser's modules share: the state of one parse (the
 * text, the records it builds, the deferred work list), the statement
 * keywords, and small token and value helpers.
 */
import { K, type Stream } from './lexer';
import type { PsAssignment, PsCommand, PsFileWrite, PsFunction, PsMethodCall, PsValue } from './types';

/** Nesting limit (a const enum: inlined as a literal in every module). */
export const enum ParseLimit {
  MaxDepth = 40,
}

export const KEYWORDS_BLOCK = new Set([
  'if',
  'elseif',
  'else',
  'foreach',
  'for',
  'while',
  'do',
  'until',
  'switch',
  'try',
  'catch',
  'finally',
  'trap',
  'data',
  'class',
  'enum',
  'configuration',
  'node',
]);
export const KEYWORDS_SCRIPTBLOCK_NAMED = new Set(['begin', 'process', 'end', 'dynamicparam', 'clean']);
export const KEYWORDS_VALUE = new Set(['return', 'throw', 'exit']);
export const KEYWORDS_BARE = new Set(['break', 'continue', 'using']);
export const KEYWORDS_FUNCTION = new Set(['function', 'filter', 'workflow']);

export type Value = PsValue;
export type MutCommand = { -readonly [P in keyof PsCommand]: PsCommand[P] } & { invocationOperator?: '&' | '.' };

export interface Out {
  readonly commands: PsCommand[];
  readonly methodCalls: PsMethodCall[];
  readonly assignments: PsAssignment[];
  readonly fileWrites: PsFileWrite[];
  readonly functions: PsFunction[];
}

export interface Res {
  value: Value;
  next: number;
}

/** The state of one parse over `text`; the parser modules are free functions over it. */
export class ParseState {
  readonly work: Array<{ s: Stream; from: number; to: number }> = [];

  constructor(
    readonly text: string,
    readonly out: Out,
  ) {}
}

export function isPunct(s: Stream, i: number, p: string): boolean {
  const t = s.toks[i];
  return t !== undefined && t.k === K.Punct && t.t === p;
}

export function skipNl(s: Stream, i: number, to: number): number {
  while (i < to && s.toks[i]!.k === K.Nl) i++;
  return i;
}

export function skipSeparators(s: Stream, i: number, to: number): number {
  while (i < to && (s.toks[i]!.k === K.Nl || isPunct(s, i, ';'))) i++;
  return i;
}

export function other(text: string, start: number, end: number): Value {
  return { start, end, kind: 'other', text: text.slice(start, end) };
}

export function pipeable(v: Value | undefined): Value | undefined {
  if (!v) return undefined;
  return v.kind === 'string' || v.kind === 'variable' || v.kind === 'replace' || v.kind === 'read' ? v : undefined;
}

export function isNumberLike(w: string): boolean {
  return /^[+-]?(0x[0-9a-f]+|\d[\d_]*(\.\d+)*(e[+-]?\d+)?)(kb|mb|gb|tb|pb|[ld])?$/i.test(w) || /^\d+\.\.\d+$/.test(w);
}

/** Text of a value as written: string content (raw), bareword text, `$name`, raw text otherwise. */
export function valueText(text: string, v: Value): string {
  switch (v.kind) {
    case 'string':
      return text.slice(v.literal.contentStart, v.literal.contentEnd);
    case 'bareword':
    case 'other':
      return v.text;
    case 'variable':
      return text.slice(v.start, v.end);
    default:
      return text.slice(v.start, v.end);
  }
}
