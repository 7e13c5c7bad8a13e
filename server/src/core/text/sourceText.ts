import type { LineCol, LineColRange } from '../types';

/**
 * The decoded text of one file with its line table. Lines end at LF, CRLF or a
 * lone CR, the way editors count them, so positions agree with VS Code.
 */
export class SourceText {
  private lineStartsCache: number[] | undefined;

  constructor(
    /** Path relative to the analysis root, `/` separators. */
    readonly file: string,
    readonly text: string,
  ) {}

  get lineStarts(): readonly number[] {
    if (this.lineStartsCache === undefined) this.lineStartsCache = computeLineStarts(this.text);
    return this.lineStartsCache;
  }

  /** 0-based line/character of a UTF-16 offset (clamped into the text). */
  positionAt(offset: number): LineCol {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - (starts[lo] ?? 0) };
  }

  offsetAt(pos: LineCol): number {
    const starts = this.lineStarts;
    if (pos.line < 0) return 0;
    if (pos.line >= starts.length) return this.text.length;
    const lineStart = starts[pos.line] ?? 0;
    const next = pos.line + 1 < starts.length ? (starts[pos.line + 1] ?? this.text.length) : this.text.length;
    return Math.max(lineStart, Math.min(lineStart + pos.character, next));
  }

  rangeOf(start: number, end: number): LineColRange {
    return { start: this.positionAt(start), end: this.positionAt(Math.max(start, end)) };
  }

  /** The text of the (0-based) line without its terminator. */
  lineText(line: number): string {
    const starts = this.lineStarts;
    const s = starts[line];
    if (s === undefined) return '';
    let e = line + 1 < starts.length ? (starts[line + 1] ?? this.text.length) : this.text.length;
    while (e > s && (this.text[e - 1] === '\n' || this.text[e - 1] === '\r')) e--;
    return this.text.slice(s, e);
  }
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}
