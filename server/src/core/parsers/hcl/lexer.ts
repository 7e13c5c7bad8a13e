/**
 * Token scanner for the tolerant HCL parser.
 *
 * The scanner is stateless: `scanToken(src, pos)` returns the next token at or
 * after `pos`, skipping blanks and comments. String and heredoc *contents* are
 * not tokens: the parser reads them character by character (see strings.ts),
 * because interpolations nest expressions inside them.
 */

export type TokenKind =
  | 'ident'
  | 'number'
  /** `"`: the parser reads the string content itself. */
  | 'quote'
  /** `<<EOF` or `<<-EOF` (the marker only; content follows on the next line). */
  | 'heredoc'
  | 'punct'
  | 'newline'
  | 'eof'
  /** A character HCL does not use (`@`, `;`, a lone `&`, ...). */
  | 'invalid';

export interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
  /** Source text of the token (for `punct` the operator, for `heredoc` the whole `<<-EOF`). */
  readonly text: string;
}

export interface LexDiagnostic {
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

/** Diagnostics beyond this count are dropped (one summary diagnostic is added). */
export const MAX_DIAGNOSTICS = 1000;
const TOO_MANY = 'Too many syntax errors; errors after this point are not reported';

/** Appends a diagnostic, merging it into the previous one when identical and adjacent; caps the list. */
export function addDiagnostic(diags: LexDiagnostic[], start: number, end: number, message: string): void {
  const prev = diags[diags.length - 1];
  if (prev && prev.message === message && start >= prev.start && start <= prev.end + 1) {
    diags[diags.length - 1] = { start: prev.start, end: Math.max(prev.end, end), message };
    return;
  }
  if (diags.length >= MAX_DIAGNOSTICS) {
    if (prev?.message !== TOO_MANY) diags.push({ start, end, message: TOO_MANY });
    return;
  }
  diags.push({ start, end, message });
}

const ONE_CHAR_PUNCT = new Set(['{', '}', '[', ']', '(', ')', '=', ':', ',', '.', '?', '!', '+', '-', '*', '/', '%', '<', '>', '~']);

const NON_ASCII_ID_START = /[\p{L}\p{Nl}]/u;
const NON_ASCII_ID_CONTINUE = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/u;

export function isIdentStart(code: number): boolean {
  if (code < 0x80) {
    return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
  }
  return NON_ASCII_ID_START.test(String.fromCharCode(code));
}

export function isIdentContinue(code: number): boolean {
  if (code < 0x80) {
    return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x2d;
  }
  return NON_ASCII_ID_CONTINUE.test(String.fromCharCode(code));
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
}

/** Skips spaces, tabs, carriage returns and comments (not newlines). */
export function skipBlanks(src: string, pos: number, diags: LexDiagnostic[]): number {
  const len = src.length;
  while (pos < len) {
    const c = src.charCodeAt(pos);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0xfeff) {
      pos++;
    } else if (c === 0x23 /* # */ || (c === 0x2f && src.charCodeAt(pos + 1) === 0x2f)) {
      const nl = src.indexOf('\n', pos);
      pos = nl < 0 ? len : nl;
    } else if (c === 0x2f && src.charCodeAt(pos + 1) === 0x2a /* * */) {
      const close = src.indexOf('*/', pos + 2);
      if (close < 0) {
        addDiagnostic(diags, pos, len, 'Unterminated comment: a /* comment is not closed before the end of the file');
        pos = len;
      } else {
        pos = close + 2;
      }
    } else {
      break;
    }
  }
  return pos;
}

/** Scans a number literal starting at `pos` (a digit). HCL v1 hex/octal forms are accepted too. */
function scanNumber(src: string, pos: number): number {
  const len = src.length;
  if (src.charCodeAt(pos) === 0x30 && (src.charCodeAt(pos + 1) | 0x20) === 0x78 && isHexDigit(src.charCodeAt(pos + 2))) {
    pos += 2;
    while (pos < len && isHexDigit(src.charCodeAt(pos))) pos++;
    return pos;
  }
  while (pos < len && isDigit(src.charCodeAt(pos))) pos++;
  if (src.charCodeAt(pos) === 0x2e && isDigit(src.charCodeAt(pos + 1))) {
    pos++;
    while (pos < len && isDigit(src.charCodeAt(pos))) pos++;
  }
  if ((src.charCodeAt(pos) | 0x20) === 0x65 /* e */) {
    let p = pos + 1;
    const sign = src.charCodeAt(p);
    if (sign === 0x2b || sign === 0x2d) p++;
    if (isDigit(src.charCodeAt(p))) {
      while (p < len && isDigit(src.charCodeAt(p))) p++;
      pos = p;
    }
  }
  return pos;
}

/** Returns the end of an identifier starting at `pos` (which must be an identifier start). */
export function scanIdentEnd(src: string, pos: number): number {
  const len = src.length;
  pos++;
  while (pos < len && isIdentContinue(src.charCodeAt(pos))) pos++;
  return pos;
}

/** Scans the next token at or after `pos`. Newlines are returned as tokens. */
export function scanToken(src: string, start: number, diags: LexDiagnostic[]): Token {
  const pos = skipBlanks(src, start, diags);
  const len = src.length;
  if (pos >= len) return { kind: 'eof', start: len, end: len, text: '' };
  const c = src.charCodeAt(pos);
  if (c === 0x0a) return { kind: 'newline', start: pos, end: pos + 1, text: '\n' };
  if (c === 0x22) return { kind: 'quote', start: pos, end: pos + 1, text: '"' };
  if (isIdentStart(c)) {
    const end = scanIdentEnd(src, pos);
    return { kind: 'ident', start: pos, end, text: src.slice(pos, end) };
  }
  if (isDigit(c)) {
    const end = scanNumber(src, pos);
    return { kind: 'number', start: pos, end, text: src.slice(pos, end) };
  }
  if (c === 0x3c && src.charCodeAt(pos + 1) === 0x3c) {
    // Heredoc: <<EOF or <<-EOF
    let p = pos + 2;
    if (src.charCodeAt(p) === 0x2d) p++;
    if (isIdentStart(src.charCodeAt(p))) {
      const end = scanIdentEnd(src, p);
      return { kind: 'heredoc', start: pos, end, text: src.slice(pos, end) };
    }
  }
  const c2 = src.charCodeAt(pos + 1);
  if (c === 0x2e && c2 === 0x2e && src.charCodeAt(pos + 2) === 0x2e) return { kind: 'punct', start: pos, end: pos + 3, text: '...' };
  if (c2 === 0x3d /* = */ && (c === 0x3d || c === 0x21 || c === 0x3c || c === 0x3e)) {
    return { kind: 'punct', start: pos, end: pos + 2, text: src.slice(pos, pos + 2) };
  }
  if ((c === 0x26 && c2 === 0x26) || (c === 0x7c && c2 === 0x7c) || (c === 0x3d && c2 === 0x3e)) {
    return { kind: 'punct', start: pos, end: pos + 2, text: src.slice(pos, pos + 2) };
  }
  const one = src.charAt(pos);
  if (ONE_CHAR_PUNCT.has(one)) return { kind: 'punct', start: pos, end: pos + 1, text: one };
  // One invalid character (a whole surrogate pair counts as one).
  const width = c >= 0xd800 && c <= 0xdbff && pos + 1 < len ? 2 : 1;
  return { kind: 'invalid', start: pos, end: pos + width, text: src.slice(pos, pos + width) };
}
