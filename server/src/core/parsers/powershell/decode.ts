/**
 * Decodes a PowerShell string literal's content into a virtual document whose
 * every offset maps back to the source characters (through backtick escapes,
 * doubled quotes, Terraform `$${` escapes and substituted expansions).
 */
import type { ResolvedValue } from '../../types';
import type { MappedText } from '../../text/mappedText';
import { MappedTextBuilder } from '../../text/mappedText';
import type { PsExpansion, PsNode, PsStringLiteral } from './types';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  e: '\x1b',
};

/**
 * The variable a `$( … )` subexpression only reads: `$($ip)` is `$ip`; `$($node.Address)` and `$($args[0])` read
 * `$node` / `$args` (`plain` false: a property or element of it). Anything else (a command, an operator) is undefined.
 */
export function subexpressionVariable(inner: string): { name: string; plain: boolean } | undefined {
  const m = /^\s*\$(?:\{([^}]+)\}|((?:[A-Za-z_]\w*:)?[A-Za-z_]\w*))((?:\.[A-Za-z_]\w*|\[\s*\d+\s*\])*)\s*$/.exec(inner);
  if (!m) return undefined;
  return { name: (m[1] ?? m[2])!, plain: m[3] === '' };
}

function isDq(c: number): boolean {
  return c === 34 || c === 0x201c || c === 0x201d || c === 0x201e;
}
function isSq(c: number): boolean {
  return c === 39 || c === 0x2018 || c === 0x2019 || c === 0x201a || c === 0x201b;
}

export function decodePsString(
  source: MappedText,
  lit: PsStringLiteral,
  expand?: (e: PsExpansion) => { text: string; origin?: ResolvedValue } | undefined,
): MappedText {
  const b = new MappedTextBuilder(source);
  const text = source.text;
  const end = Math.min(lit.contentEnd, text.length);
  const exps = [...lit.expansions].sort((x, y) => x.start - y.start);
  const escapes = [...((lit as { templateEscapes?: ReadonlyArray<PsNode & { text: string }> }).templateEscapes ?? [])].sort((x, y) => x.start - y.start);
  const expandable = lit.quote === 'expandable';
  let k = 0;
  let m = 0;
  let run = lit.contentStart;
  let i = lit.contentStart;
  const flush = (to: number): void => {
    if (to > run) b.copy(run, to);
  };
  while (i < end) {
    while (k < exps.length && exps[k]!.start < i) k++;
    while (m < escapes.length && escapes[m]!.start < i) m++;
    const e = exps[k];
    if (e && e.start === i) {
      flush(i);
      let r: { text: string; origin?: ResolvedValue } | undefined;
      try {
        r = expand?.(e);
      } catch {
        r = undefined;
      }
      const eEnd = Math.min(e.end, end);
      if (r) b.emit(r.text, e.start, eEnd, r.origin);
      else b.copy(e.start, eEnd);
      i = run = Math.max(eEnd, i + 1);
      k++;
      continue;
    }
    const esc = escapes[m];
    if (esc && esc.start === i) {
      flush(i);
      b.emit(esc.text, esc.start, Math.min(esc.end, end));
      i = run = Math.max(Math.min(esc.end, end), i + 1);
      m++;
      continue;
    }
    const c = text.charCodeAt(i);
    if (expandable && c === 96 && i + 1 < end) {
      flush(i);
      const d = decodeEscape(text, i, end);
      b.emit(d.text, i, d.end);
      i = run = d.end;
      continue;
    }
    if (!lit.hereString && i + 1 < end && (expandable ? isDq(c) && isDq(text.charCodeAt(i + 1)) : isSq(c) && isSq(text.charCodeAt(i + 1)))) {
      flush(i);
      b.emit(text[i + 1]!, i, i + 2);
      i = run = i + 2;
      continue;
    }
    if (!lit.hereString) {
      i++;
      continue;
    }
    // A here-string has no doubled quotes: nothing happens before the next expansion, template escape or backtick,
    // so jump there (most of a config here-string is plain text, and every here-string is decoded per analysis).
    let next = Math.min(end, e ? e.start : end, esc ? esc.start : end);
    if (expandable) {
      const tick = text.indexOf('`', i + 1);
      if (tick >= 0 && tick < next) next = tick;
    }
    i = Math.max(next, i + 1);
  }
  flush(end);
  return b.build();
}

/** The backtick escape at `i` (text[i] === '`'): decoded text and the end offset. */
function decodeEscape(text: string, i: number, end: number): { text: string; end: number } {
  const ch = text[i + 1]!;
  const simple = SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return { text: simple, end: i + 2 };
  if (ch === 'u' && text[i + 2] === '{') {
    let k = i + 3;
    while (k < end && k < i + 10 && /[0-9a-fA-F]/.test(text[k]!)) k++;
    if (text[k] === '}' && k > i + 3) {
      const cp = parseInt(text.slice(i + 3, k), 16);
      if (cp <= 0x10ffff) return { text: String.fromCodePoint(cp), end: k + 1 };
    }
  }
  // A CRLF after a backtick is one escaped line break.
  if (ch === '\r' && text[i + 2] === '\n' && i + 2 < end) return { text: '\r\n', end: i + 3 };
  // `$ `" `` `' and any other character: the character itself (keep surrogate pairs whole).
  const cp = text.codePointAt(i + 1)!;
  const s = String.fromCodePoint(cp);
  return { text: s, end: Math.min(i + 1 + s.length, end) };
}
