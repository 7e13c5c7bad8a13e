/**
 * Template content scanning shared by quoted strings, heredocs and whole
 * template files: literal runs (with dialect-specific escape decoding in
 * quoted strings), `${ }` interpolations, `%{ }` directives and the
 * `$${` / `%%{` escapes. Expressions inside interpolations are parsed by the
 * host (the expression parser), which keeps the whole scan linear.
 */
import type { HclDialect, HclEscapeIssue, HclExpr, HclTemplatePart } from './ast';
import type { LexDiagnostic } from './lexer';

export type TemplateMode =
  /** A quoted string; `openQuote` is the offset of the opening `"`. */
  | { readonly kind: 'quoted'; readonly openQuote: number }
  /** Heredoc content up to `limit` (start of the terminator line); `indent` columns are stripped per line. */
  | { readonly kind: 'heredoc'; readonly limit: number; readonly indent: number }
  /** A whole template file (or a slice of one) up to `limit`. */
  | { readonly kind: 'file'; readonly limit: number };

export interface InterpolationResult {
  readonly expr: HclExpr;
  readonly stripLeft: boolean;
  readonly stripRight: boolean;
  /** After the closing `}` when `closed`, else where parsing stopped. */
  readonly end: number;
  readonly closed: boolean;
}

export interface DirectiveResult {
  readonly keyword: string;
  readonly end: number;
  readonly closed: boolean;
}

export interface TemplateHost {
  readonly src: string;
  readonly dialect: HclDialect;
  readonly diags: LexDiagnostic[];
  /** Records a diagnostic (merged / capped by the host). */
  diag(start: number, end: number, message: string): void;
  /** Parses the inside of `${ ... }`; `pos` is just after `${`. */
  interpolation(pos: number, limit: number): InterpolationResult;
  /** Parses the inside of `%{ ... }`; `pos` is just after `%{`. */
  directive(pos: number, limit: number): DirectiveResult;
}

export interface TemplateScanResult {
  readonly parts: HclTemplatePart[];
  readonly value: string;
  readonly escapeIssues: HclEscapeIssue[];
  readonly contentEnd: number;
  /** After the closing quote (quoted), or `contentEnd`. */
  readonly end: number;
}

const HCL1_SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
const HCL2_SIMPLE: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };
const CONTROL_ESCAPES = new Set(['a', 'b', 'f', 'n', 'r', 't', 'v']);

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
}

function countDigits(src: string, pos: number, max: number, pred: (c: number) => boolean): number {
  let n = 0;
  while (n < max && pos + n < src.length && pred(src.charCodeAt(pos + n))) n++;
  return n;
}

function codePointString(cp: number): string {
  return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
}

interface EscapeDecode {
  readonly value: string;
  readonly length: number;
  readonly issue?: HclEscapeIssue;
}

/** Decodes the escape starting at `pos` (a backslash) inside a quoted string. */
export function decodeEscape(src: string, pos: number, dialect: HclDialect): EscapeDecode {
  const next = src.charAt(pos + 1);
  if (next === '' || next === '\n' || next === '\r') {
    return { value: '\\', length: 1, issue: { start: pos, end: pos + 1, kind: 'invalid', sequence: '\\' } };
  }
  const simple = dialect === 'hcl1' ? HCL1_SIMPLE[next] : HCL2_SIMPLE[next];
  if (simple !== undefined) {
    const issue: HclEscapeIssue | undefined = CONTROL_ESCAPES.has(next) ? { start: pos, end: pos + 2, kind: 'control', sequence: '\\' + next } : undefined;
    return issue ? { value: simple, length: 2, issue } : { value: simple, length: 2 };
  }
  let digits = 0;
  let radix = 16;
  let consumedPrefix = 2;
  if (next === 'u') digits = 4;
  else if (next === 'U') digits = 8;
  else if (dialect === 'hcl1' && next === 'x') digits = 2;
  else if (dialect === 'hcl1' && next >= '0' && next <= '7') {
    digits = 3;
    radix = 8;
    consumedPrefix = 1;
  }
  if (digits > 0) {
    const first = pos + consumedPrefix;
    const pred = radix === 8 ? (c: number) => c >= 0x30 && c <= 0x37 : isHex;
    const n = countDigits(src, first, digits, pred);
    if (n === digits) {
      const cp = parseInt(src.slice(first, first + n), radix);
      return { value: codePointString(cp), length: consumedPrefix + n };
    }
    const len = consumedPrefix + n;
    const sequence = src.slice(pos, pos + len);
    return { value: sequence, length: len, issue: { start: pos, end: pos + len, kind: 'invalid', sequence } };
  }
  // Unknown escape: keep it as written (a surrogate pair stays whole).
  const code = src.charCodeAt(pos + 1);
  const len = code >= 0xd800 && code <= 0xdbff ? 3 : 2;
  const sequence = src.slice(pos, pos + len);
  return { value: sequence, length: len, issue: { start: pos, end: pos + len, kind: 'invalid', sequence } };
}

/** Scans template content starting at `pos` in the given mode. Never throws; always makes progress. */
export function scanTemplate(host: TemplateHost, pos: number, mode: TemplateMode): TemplateScanResult {
  const res = scanTemplateContent(host, pos, mode);
  checkDirectiveNesting(res.parts, (d) => host.diag(d.start, d.end, d.message));
  return res;
}

/** Reports `%{ if }` / `%{ for }` directives without their `endif` / `endfor` and vice versa. */
export function checkDirectiveNesting(parts: readonly HclTemplatePart[], report: (d: LexDiagnostic) => void): void {
  const diags = { push: report };
  const stack: Array<{ keyword: string; start: number; end: number; sawElse: boolean }> = [];
  for (const part of parts) {
    if (part.kind !== 'directive') continue;
    const top = stack[stack.length - 1];
    switch (part.keyword) {
      case 'if':
      case 'for':
        stack.push({ keyword: part.keyword, start: part.start, end: part.end, sawElse: false });
        break;
      case 'else':
        if (!top || top.keyword !== 'if' || top.sawElse)
          diags.push({ start: part.start, end: part.end, message: 'Unexpected else directive; no matching if directive' });
        else top.sawElse = true;
        break;
      case 'endif':
      case 'endfor': {
        const opener = part.keyword === 'endif' ? 'if' : 'for';
        if (top && top.keyword === opener) stack.pop();
        else diags.push({ start: part.start, end: part.end, message: `Unexpected ${part.keyword} directive; no matching ${opener} directive` });
        break;
      }
      default:
        break;
    }
  }
  for (const open of stack) {
    diags.push({
      start: open.start,
      end: open.end,
      message: `Unexpected end of template; the ${open.keyword} directive is missing its corresponding end${open.keyword} directive`,
    });
  }
}

function scanTemplateContent(host: TemplateHost, pos: number, mode: TemplateMode): TemplateScanResult {
  const src = host.src;
  const quoted = mode.kind === 'quoted';
  const limit = mode.kind === 'quoted' ? src.length : Math.min(mode.limit, src.length);
  const indent = mode.kind === 'heredoc' ? mode.indent : 0;
  const parts: HclTemplatePart[] = [];
  const escapeIssues: HclEscapeIssue[] = [];
  let value = '';
  let litStart = pos;
  let litValue = '';
  let runStart = pos;

  const flushRun = (to: number): void => {
    if (to > runStart) litValue += src.slice(runStart, to);
  };
  const flushLiteral = (to: number): void => {
    flushRun(to);
    if (to > litStart) {
      parts.push({ kind: 'literal', start: litStart, end: to, value: litValue });
      value += litValue;
    }
    litValue = '';
  };
  const stripIndent = (at: number): number => {
    let p = at;
    while (p < limit && p - at < indent && (src.charCodeAt(p) === 0x20 || src.charCodeAt(p) === 0x09)) p++;
    return p;
  };
  if (indent > 0) {
    pos = stripIndent(pos);
    runStart = pos;
  }

  while (true) {
    if (pos >= limit) {
      flushLiteral(limit);
      if (quoted) {
        const msg = host.dialect === 'hcl1' ? 'literal not terminated' : 'Unterminated template string; no closing quote was found for the string';
        host.diag(mode.openQuote, limit, msg);
      }
      return { parts, value, escapeIssues, contentEnd: limit, end: limit };
    }
    const c = src.charCodeAt(pos);
    if (quoted && c === 0x22 /* " */) {
      flushLiteral(pos);
      return { parts, value, escapeIssues, contentEnd: pos, end: pos + 1 };
    }
    if (quoted && c === 0x0a) {
      const eol = src.charCodeAt(pos - 1) === 0x0d && pos - 1 >= litStart ? pos - 1 : pos;
      flushLiteral(eol);
      const msg =
        host.dialect === 'hcl1'
          ? 'literal not terminated (quoted strings cannot contain a newline; a trailing backslash escapes the closing quote)'
          : 'Invalid multi-line string; quoted strings may not be split over multiple lines (unterminated template string)';
      host.diag(mode.kind === 'quoted' ? mode.openQuote : pos, eol, msg);
      return { parts, value, escapeIssues, contentEnd: eol, end: eol };
    }
    if ((c === 0x24 /* $ */ || c === 0x25) /* % */ && src.charCodeAt(pos + 1) === c && src.charCodeAt(pos + 2) === 0x7b) {
      // `$${` / `%%{`: a literal `${` / `%{`
      flushLiteral(pos);
      const lit = c === 0x24 ? '${' : '%{';
      parts.push({ kind: 'literal', start: pos, end: pos + 3, value: lit });
      value += lit;
      pos += 3;
      litStart = runStart = pos;
      continue;
    }
    if ((c === 0x24 || c === 0x25) && src.charCodeAt(pos + 1) === 0x7b /* { */) {
      flushLiteral(pos);
      const open = pos;
      const isInterp = c === 0x24;
      const res = isInterp ? host.interpolation(pos + 2, limit) : host.directive(pos + 2, limit);
      let end = res.end;
      if (!res.closed) {
        // Look for the closing brace before the end of the string / line / content.
        let stop = limit;
        if (quoted) {
          const nl = src.indexOf('\n', res.end);
          const q = src.indexOf('"', res.end);
          stop = Math.min(nl < 0 ? limit : nl, q < 0 ? limit : q);
        }
        const brace = src.indexOf('}', res.end);
        if (brace >= 0 && brace < stop) {
          host.diag(res.end, brace, `Extra characters after ${isInterp ? 'interpolation expression' : 'template directive'}; expected a closing brace`);
          end = brace + 1;
        } else if (!quoted) {
          host.diag(open, limit, `Unterminated template ${isInterp ? 'interpolation' : 'directive'}: no closing brace before the end of the template`);
          litStart = runStart = open;
          pos = limit;
          continue;
        } else {
          host.diag(open, Math.max(res.end, open + 2), `Unterminated template ${isInterp ? 'interpolation' : 'directive'}; expected a closing brace`);
          end = Math.max(res.end, open + 2);
        }
      }
      const raw = src.slice(open, end);
      if (isInterp) {
        const r = res as InterpolationResult;
        parts.push({ kind: 'interpolation', start: open, end, expr: r.expr, stripLeft: r.stripLeft, stripRight: r.stripRight });
      } else {
        parts.push({ kind: 'directive', start: open, end, keyword: (res as DirectiveResult).keyword, raw });
      }
      value += raw;
      pos = end;
      litStart = runStart = pos;
      continue;
    }
    if (quoted && c === 0x5c /* \ */) {
      flushRun(pos);
      const esc = decodeEscape(src, pos, host.dialect);
      if (esc.issue) {
        escapeIssues.push(esc.issue);
        if (esc.issue.kind === 'invalid') {
          const msg =
            host.dialect === 'hcl1'
              ? `illegal char escape: ${esc.issue.sequence}`
              : `Invalid escape sequence: ${esc.issue.sequence} is not a valid escape sequence`;
          host.diag(esc.issue.start, esc.issue.end, msg);
        }
      }
      litValue += esc.value;
      pos += esc.length;
      runStart = pos;
      continue;
    }
    pos++;
    if (c === 0x0a && indent > 0) {
      flushRun(pos);
      pos = stripIndent(pos);
      runStart = pos;
    }
  }
}

export interface HeredocInfo {
  /** Start of the content (the line after the marker). */
  readonly contentStart: number;
  /** Start of the terminator line (or the end of the text). */
  readonly contentEnd: number;
  /** After the terminator marker. */
  readonly end: number;
  readonly indent: number;
  readonly terminated: boolean;
}

/**
 * Locates a heredoc's content and terminator. `afterMarker` is just after
 * `<<EOF`/`<<-EOF`. Linear in the size of the heredoc.
 */
export function locateHeredoc(src: string, afterMarker: number, marker: string, flush: boolean): HeredocInfo {
  const len = src.length;
  let nl = src.indexOf('\n', afterMarker);
  const contentStart = nl < 0 ? len : nl + 1;
  let lineStart = contentStart;
  let indent = Number.MAX_SAFE_INTEGER;
  while (lineStart < len) {
    nl = src.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? len : nl;
    let p = lineStart;
    while (p < lineEnd && (src.charCodeAt(p) === 0x20 || src.charCodeAt(p) === 0x09)) p++;
    let e = lineEnd;
    if (src.charCodeAt(e - 1) === 0x0d) e--;
    if (e - p === marker.length && src.startsWith(marker, p)) {
      return { contentStart, contentEnd: lineStart, end: e, indent: flush && indent !== Number.MAX_SAFE_INTEGER ? indent : 0, terminated: true };
    }
    if (p < e) indent = Math.min(indent, p - lineStart);
    lineStart = lineEnd + 1;
  }
  return { contentStart, contentEnd: len, end: len, indent: flush && indent !== Number.MAX_SAFE_INTEGER ? indent : 0, terminated: false };
}
