import type { SystemdUnit } from './types';

type Entry = { key: string; value: string; start: number; end: number; valueStart: number };
type Section = { name: string; start: number; entries: Entry[] };

function lineEnd(t: string, i: number): number {
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if (c === 10 || c === 13) return i;
    i++;
  }
  return i;
}

function nextLine(t: string, e: number): number {
  if (e >= t.length) return t.length;
  return t.charCodeAt(e) === 13 && t.charCodeAt(e + 1) === 10 ? e + 2 : e + 1;
}

/**
 * Parses a systemd unit. Entries before any `[Section]` go to a section named
 * `''`. A value continued with a trailing backslash keeps its length: the
 * backslash and the line break become spaces, so `value[i]` is the source
 * character at `valueStart + i` (parse it with `parseExecStartFlags`).
 * Comment lines (`#`, `;`) inside a continuation are blanked the same way.
 */
export function parseSystemdUnit(text: string): SystemdUnit {
  const sections: Section[] = [];
  let cur: Section | undefined;
  let p = 0;
  const t = text;
  if (t.charCodeAt(0) === 0xfeff) p = 1;
  while (p < t.length) {
    const e = lineEnd(t, p);
    let s = p;
    while (s < e && (t[s] === ' ' || t[s] === '\t')) s++;
    const c = t[s];
    if (s === e || c === '#' || c === ';') {
      p = nextLine(t, e);
      continue;
    }
    if (c === '[') {
      const close = t.indexOf(']', s);
      const name = close >= 0 && close < e ? t.slice(s + 1, close).trim() : t.slice(s + 1, e).trim();
      cur = { name, start: s, entries: [] };
      sections.push(cur);
      p = nextLine(t, e);
      continue;
    }
    const eq = t.indexOf('=', s);
    if (eq < 0 || eq >= e) {
      p = nextLine(t, e);
      continue;
    }
    const key = t.slice(s, eq).trim();
    let vs = eq + 1;
    while (vs < e && (t[vs] === ' ' || t[vs] === '\t')) vs++;
    // continuation lines
    let last = e;
    let value = '';
    let segStart = vs;
    for (let guard = 0; guard < 100000; guard++) {
      let le = last;
      while (le > segStart && (t[le - 1] === ' ' || t[le - 1] === '\t')) le--;
      if (le > segStart && t[le - 1] === '\\' && last < t.length) {
        const nl = nextLine(t, last);
        value += t.slice(segStart, le - 1) + ' '.repeat(nl - (le - 1));
        segStart = nl;
        last = lineEnd(t, nl);
        let q = nl;
        while (q < last && (t[q] === ' ' || t[q] === '\t')) q++;
        if (t[q] === '#' || t[q] === ';') {
          // comment line inside a continuation: blank it, keep continuing
          const nn = nextLine(t, last);
          value += ' '.repeat(nn - nl);
          segStart = nn;
          last = lineEnd(t, nn);
          if (nn >= t.length) break;
        }
        continue;
      }
      value += t.slice(segStart, last);
      break;
    }
    value = value.replace(/[ \t]+$/, '');
    if (!cur) {
      cur = { name: '', start: 0, entries: [] };
      sections.push(cur);
    }
    cur.entries.push({ key, value, start: s, end: vs + value.length, valueStart: vs });
    p = nextLine(t, last);
  }
  return { sections };
}

export interface ExecStartFlag {
  /** Flag name without leading dashes: `config`, `data-dir`. */
  name: string;
  value?: string;
  /** Span of the flag through its value. */
  start: number;
  end: number;
  /** Span of the value token (quotes included) when there is one. */
  valueStart?: number;
  valueEnd?: number;
}

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(value: string, base: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /\s/.test(value[i]!)) i++;
    if (i >= value.length) break;
    const start = i;
    let text = '';
    while (i < value.length && !/\s/.test(value[i]!)) {
      const c = value[i]!;
      if (c === '"' || c === "'") {
        const close = value.indexOf(c, i + 1);
        const e = close < 0 ? value.length : close;
        text += value.slice(i + 1, e).replace(/\\(.)/g, '$1');
        i = close < 0 ? value.length : close + 1;
      } else if (c === '\\' && i + 1 < value.length) {
        text += value[i + 1]!;
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    out.push({ text, start: base + start, end: base + i });
  }
  return out;
}

/**
 * Flags of an `ExecStart=` command line: `-flag=value`, `-flag value`,
 * `--flag`, `-flag` alone. The executable (with systemd's `-@+!:` prefixes)
 * and positional words such as `agent` are skipped.
 */
export function parseExecStartFlags(value: string, valueStart: number): ExecStartFlag[] {
  const out: ExecStartFlag[] = [];
  const toks = tokenize(value, valueStart);
  for (let k = 1; k < toks.length; k++) {
    const tk = toks[k]!;
    const raw = tk.text;
    if (!raw.startsWith('-') || raw === '-' || raw === '--') continue;
    const body = raw.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) {
      const rawTok = value.slice(tk.start - valueStart, tk.end - valueStart);
      const rawEq = rawTok.indexOf('=');
      out.push({ name: body.slice(0, eq), value: body.slice(eq + 1), start: tk.start, end: tk.end, valueStart: tk.start + rawEq + 1, valueEnd: tk.end });
      continue;
    }
    const n = toks[k + 1];
    if (n && !(n.text.startsWith('-') && n.text.length > 1)) {
      out.push({ name: body, value: n.text, start: tk.start, end: n.end, valueStart: n.start, valueEnd: n.end });
      k++;
      continue;
    }
    out.push({ name: body, start: tk.start, end: tk.end });
  }
  return out;
}
