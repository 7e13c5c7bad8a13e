/**
 * GNU sed, as far as a provisioning script's `sed -i` edits an agent config: the `s` and `d` commands with
 * addresses and `{ … }` blocks, basic (BRE) and extended (`-E` / `-r`, ERE) regular expressions translated to
 * JavaScript, the replacement's `&`, `\&`, `\0`…`\9`, `\n`, `\L \U \E \l \u`, and the `g`, `N`, `Ng`, `I` flags.
 *
 * Sources (GNU sed 4.9 manual): "3.3 The s Command", "4 Addresses", "5.2 Basic (BRE) and extended (ERE) regular
 * expression", "5.5 Character Classes and Bracket Expressions", "5.6 regular expression extensions", "5.8 Escape
 * Sequences"; every behaviour below was also checked against `/bin/sed` (GNU sed 4.9), see test/unit/bash/sedGnu.test.ts.
 *
 * Three-valued: whatever cannot be reproduced faithfully (another command, a form of address, an escape or a
 * regular expression construct not translated, a locale-dependent match on non-ASCII text) makes the lines it may
 * touch unknown, with the reason; it is never guessed.
 */
import { MappedText, MappedTextBuilder } from '../text/mappedText';
import { unescapeDelim } from '../parsers/bash/sed';
import type { ResolvedValue } from '../types';

type Failure = { readonly ok: false; readonly reason: string };
const fail = (reason: string): Failure => ({ ok: false, reason });

export interface SedRegex {
  readonly ok: true;
  /** JavaScript source; matched against one line (sed's pattern space without its newline). */
  readonly source: string;
  /** Capturing groups (`\(…\)` in BRE, `(…)` in ERE), numbered as sed numbers them. */
  readonly groups: number;
  /** Uses constructs whose meaning depends on the locale (`.`, `[^…]`, `\w`, classes): not decided on non-ASCII text. */
  readonly localeSensitive: boolean;
  /** Has groups, alternation or quantifiers: POSIX leftmost-longest may differ from JavaScript's first match. */
  readonly ambiguous: boolean;
}

const JS_SPECIAL = '\\^$.*+?()[]{}|/';
const lit = (c: string): string => (JS_SPECIAL.includes(c) ? `\\${c}` : c);

/** POSIX character classes in the C locale (GNU sed manual 5.5). */
const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\v\\f\\r',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
};

/** Character escapes GNU sed knows everywhere (manual 5.8): `\n \t \f \v \a \r`. */
const CHAR_ESCAPES: Record<string, string> = { n: '\n', t: '\t', f: '\f', v: '\v', a: '\x07', r: '\r' };
const jsCharEscape = (c: string): string => ({ n: '\\n', t: '\\t', f: '\\f', v: '\\v', a: '\\x07', r: '\\r' })[c] ?? c;

const WORD = '[A-Za-z0-9_]';

/**
 * A sed regular expression as a JavaScript one. `\<delim>` is first turned into the bare delimiter, which then has
 * its meaning in the syntax in use (GNU: `s|a\|b|X|` matches a literal `|` in BRE, alternates in ERE).
 */
export function translateSedRegex(pattern: string, ere: boolean, delimiter = '/'): SedRegex | Failure {
  // A tree repeats the same few patterns in every script (`s|RETRY_JOIN|…|g`): translate each once.
  const key = `${ere ? 'E' : 'B'}${delimiter}${pattern}`;
  let hit = translated.get(key);
  if (hit === undefined) {
    if (translated.size >= 2000) translated.clear();
    translated.set(key, (hit = translateUncached(pattern, ere, delimiter)));
  }
  return hit;
}

const translated = new Map<string, SedRegex | Failure>();

function translateUncached(pattern: string, ere: boolean, delimiter: string): SedRegex | Failure {
  if (pattern === '') return fail('an empty regular expression reuses the last one sed ran');
  const p = unescapeDelim(pattern, delimiter);
  let out = '';
  let groups = 0;
  const open: number[] = [];
  const closed = new Set<number>();
  let localeSensitive = false;
  let ambiguous = false;
  /** At the start of the expression or of a group / alternative: `*` is literal (BRE), `^` an anchor. */
  let atStart = true;
  /** The last token can take a quantifier. */
  let atom = false;
  /** The last token was a quantifier. */
  let quantified = false;
  const openGroup = (): void => {
    out += '(';
    groups++;
    open.push(groups);
    atStart = true;
    atom = false;
    quantified = false;
  };
  const alternate = (): void => {
    out += '|';
    ambiguous = true;
    atStart = true;
    atom = false;
    quantified = false;
  };
  const emitAtom = (s: string): void => {
    out += s;
    atStart = false;
    atom = true;
    quantified = false;
  };
  const quantifier = (q: string): Failure | undefined => {
    if (!atom) return fail(`\`${q}\` with nothing before it is not translated`);
    if (quantified) return fail('a repeated quantifier is not translated');
    out += q;
    ambiguous = true;
    quantified = true;
    atStart = false;
    return undefined;
  };
  const interval = (i: number, close: string): { q: string; next: number } | Failure => {
    const end = p.indexOf(close, i);
    if (end < 0) return fail('unmatched `{` in the regular expression');
    const body = p.slice(i, end);
    const m = /^(\d*)(,(\d*))?$/.exec(body);
    if (!m || (m[1] === '' && m[2] === undefined)) return fail(`interval \`{${body}}\` is not translated`);
    const q = m[2] === undefined ? `{${m[1]}}` : `{${m[1] || '0'},${m[3] ?? ''}}`;
    return { q, next: end + close.length - 1 };
  };
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      i++;
      if (n === undefined) return fail('a trailing backslash in the regular expression');
      if (!ere && n === '(') openGroup();
      else if (!ere && n === ')') {
        if (open.length === 0) return fail('unmatched `\\)`');
        closed.add(open.pop()!);
        emitAtom(')');
      } else if (!ere && n === '|') alternate();
      else if (!ere && (n === '+' || n === '?')) {
        const f = quantifier(n);
        if (f) return f;
      } else if (!ere && n === '{') {
        const r = interval(i + 1, '\\}');
        if ('reason' in r) return r;
        const f = quantifier(r.q);
        if (f) return f;
        i = r.next;
      } else if (n >= '1' && n <= '9') {
        if (!closed.has(Number(n))) return fail(`back-reference \\${n} to a group not closed before it`);
        emitAtom(`\\${n}`);
        ambiguous = true;
      } else if (n === 'w' || n === 'W') {
        emitAtom(n === 'w' ? WORD : '[^A-Za-z0-9_]');
        localeSensitive = true;
      } else if (n === 's' || n === 'S') {
        emitAtom(n === 's' ? '[ \\t\\n\\v\\f\\r]' : '[^ \\t\\n\\v\\f\\r]');
        localeSensitive = true;
      } else if (n === 'b' || n === 'B') {
        out += `\\${n}`;
        localeSensitive = true;
        atom = false;
      } else if (n === '<' || n === '>') {
        out += n === '<' ? `\\b(?=${WORD})` : `\\b(?<=${WORD})`;
        localeSensitive = true;
        atom = false;
      } else if (n === '`' || n === "'") {
        // The start / end of the pattern space: one line here.
        out += n === '`' ? '^' : '$';
        atom = false;
      } else if (n in CHAR_ESCAPES) emitAtom(jsCharEscape(n));
      else if (/[0-9A-Za-z]/.test(n)) return fail(`the escape \\${n} in the regular expression is not translated`);
      else emitAtom(lit(n));
      continue;
    }
    if (c === '[') {
      const b = bracket(p, i);
      if (!b.ok) return b as Failure;
      const r = b as { source: string; next: number; localeSensitive: boolean };
      emitAtom(r.source);
      localeSensitive ||= r.localeSensitive;
      i = r.next;
      continue;
    }
    if (c === '.') {
      emitAtom('[^\\n]');
      localeSensitive = true;
      continue;
    }
    if (c === '*') {
      if (atStart && !ere) {
        emitAtom('\\*');
        continue;
      }
      const f = quantifier('*');
      if (f) return f;
      continue;
    }
    if (c === '^') {
      // BRE: an anchor only at the start of the expression or of a group / alternative (manual 5.3).
      if (ere || atStart) {
        out += '^';
        atom = false;
      } else emitAtom('\\^');
      continue;
    }
    if (c === '$') {
      const rest = p.slice(i + 1);
      if (ere || rest === '' || rest.startsWith('\\)') || rest.startsWith('\\|')) {
        out += '$';
        atom = false;
        atStart = false;
      } else emitAtom('\\$');
      continue;
    }
    if (ere && c === '(') {
      openGroup();
      continue;
    }
    if (ere && c === ')') {
      if (open.length === 0) return fail('unmatched `)`');
      closed.add(open.pop()!);
      emitAtom(')');
      continue;
    }
    if (ere && c === '|') {
      alternate();
      continue;
    }
    if (ere && (c === '+' || c === '?')) {
      const f = quantifier(c);
      if (f) return f;
      continue;
    }
    if (ere && c === '{') {
      const r = interval(i + 1, '}');
      if ('reason' in r) return r;
      const f = quantifier(r.q);
      if (f) return f;
      i = r.next;
      continue;
    }
    emitAtom(lit(c));
  }
  if (open.length > 0) return fail('unmatched `(` in the regular expression');
  try {
    new RegExp(out);
  } catch {
    return fail('the regular expression has no JavaScript equivalent');
  }
  return { ok: true, source: out, groups, localeSensitive, ambiguous };
}

/** A bracket expression from `[` at i (manual 5.5): POSIX classes; a backslash is literal except `\n \t …` (5.8). */
function bracket(p: string, i: number): { ok: true; source: string; next: number; localeSensitive: boolean } | Failure {
  let j = i + 1;
  let out = '[';
  let localeSensitive = false;
  if (p[j] === '^') {
    out += '^';
    j++;
    localeSensitive = true;
  }
  let first = true;
  for (; j < p.length; j++) {
    const c = p[j]!;
    if (c === ']' && !first) return { ok: true, source: `${out}]`, next: j, localeSensitive };
    first = false;
    if (c === '[' && (p[j + 1] === ':' || p[j + 1] === '.' || p[j + 1] === '=')) {
      const kind = p[j + 1]!;
      const end = p.indexOf(`${kind}]`, j + 2);
      if (end < 0) return fail('an unterminated `[:` in a bracket expression');
      const name = p.slice(j + 2, end);
      if (kind !== ':' || !(name in CLASSES)) return fail(`\`[${kind}${name}${kind}]\` in a bracket expression is not translated`);
      out += CLASSES[name];
      localeSensitive = true;
      j = end + 1;
      continue;
    }
    if (c === '\\') {
      const n = p[j + 1];
      if (n !== undefined && n in CHAR_ESCAPES) {
        out += jsCharEscape(n);
        j++;
        continue;
      }
      if (n !== undefined && 'doxc'.includes(n)) return fail(`the escape \\${n} in a bracket expression is not translated`);
      out += '\\\\';
      continue;
    }
    if (c === '-' && p[j + 1] !== ']' && out.length > 1 && !out.endsWith('^') && out !== '[') {
      out += '-';
      localeSensitive = true;
      continue;
    }
    out += c === '[' || c === ']' || c === '^' || c === '-' ? `\\${c}` : c;
  }
  return fail('an unterminated bracket expression');
}

type RepPart = { readonly text: string } | { readonly group: number } | { readonly op: 'U' | 'L' | 'E' | 'u' | 'l' };

export interface SedReplacement {
  readonly ok: true;
  readonly parts: readonly RepPart[];
  /** The highest `\N` used (0 for `&` / `\0` only, -1 for none). */
  readonly maxGroup: number;
  readonly caseOps: boolean;
}

/**
 * The replacement of an `s` command (manual 3.3 and 5.8): `&` and `\0` the whole match, `\1`…`\9` groups, `\&` a
 * literal `&`, `\<delim>` the delimiter, `\n \t …` characters, `\L \U \E \l \u` case conversion; any other escaped
 * character is itself (GNU: "Backslash followed by unrecognized letter, use letter as-is").
 */
export function parseSedReplacement(rep: string, delimiter = '/'): SedReplacement | Failure {
  const parts: RepPart[] = [];
  let maxGroup = -1;
  let caseOps = false;
  let buf = '';
  const flush = (): void => {
    if (buf) parts.push({ text: buf });
    buf = '';
  };
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i]!;
    if (c === '&') {
      flush();
      parts.push({ group: 0 });
      maxGroup = Math.max(maxGroup, 0);
      continue;
    }
    if (c !== '\\') {
      buf += c;
      continue;
    }
    const n = rep[++i];
    if (n === undefined) return fail('the replacement ends with a backslash');
    if (n === delimiter) buf += n;
    else if (n >= '0' && n <= '9') {
      flush();
      parts.push({ group: Number(n) });
      maxGroup = Math.max(maxGroup, Number(n));
    } else if ('LUElu'.includes(n)) {
      flush();
      parts.push({ op: n as 'U' });
      caseOps = true;
    } else if (n in CHAR_ESCAPES) buf += CHAR_ESCAPES[n];
    else if (n === '\n') buf += '\n';
    else if ('doxc'.includes(n)) return fail(`the escape \\${n} in the replacement is not translated`);
    else buf += n;
  }
  flush();
  return { ok: true, parts, maxGroup, caseOps };
}

/** The replacement text for one match (`groups[0]` the whole match; an unmatched group is empty). */
export function expandReplacement(r: SedReplacement, groups: readonly (string | undefined)[]): string | Failure {
  let out = '';
  let mode: 'U' | 'L' | undefined;
  let once: 'u' | 'l' | undefined;
  for (const part of r.parts) {
    if ('op' in part) {
      // GNU 4.9: `\L` / `\U` / `\E` also drop a pending `\u` / `\l` (`s/\w\+/\u\L&/` gives `foo`).
      if (part.op === 'u' || part.op === 'l') once = part.op;
      else {
        mode = part.op === 'E' ? undefined : part.op;
        once = undefined;
      }
      continue;
    }
    let s = 'text' in part ? part.text : (groups[part.group] ?? '');
    if (!s) continue;
    if (r.caseOps && (mode || once)) {
      if (/[^\x00-\x7f]/.test(s)) return fail('case conversion of non-ASCII text depends on the locale');
      const conv = (t: string): string => (mode === 'U' ? t.toUpperCase() : mode === 'L' ? t.toLowerCase() : t);
      s = once ? (once === 'u' ? s[0]!.toUpperCase() : s[0]!.toLowerCase()) + conv(s.slice(1)) : conv(s);
      once = undefined;
    }
    out += s;
  }
  return out;
}

export interface SedFlags {
  readonly ok: true;
  readonly global: boolean;
  /** Replace from the Nth match on (manual 3.3: `N` alone the Nth only; `Ng` the Nth and later). */
  readonly nth: number;
  readonly ignoreCase: boolean;
}

/** The flags of an `s` command (manual 3.3). `M` changes nothing on a one-line pattern space; `w FILE` writes elsewhere. */
export function parseSedFlags(flags: string): SedFlags | Failure {
  let global = false;
  let nth = 1;
  let ignoreCase = false;
  const w = flags.indexOf('w');
  const f = w >= 0 ? flags.slice(0, w) : flags;
  if (w >= 0 && /\/dev\/stdout/.test(flags.slice(w))) return fail('`w /dev/stdout` writes the line into the edited file too');
  const num = /\d+/.exec(f);
  if (num) {
    nth = Number(num[0]);
    if (nth === 0) return fail('the number flag 0 is an error for sed');
  }
  for (const c of f.replace(/\d+/, '')) {
    if (c === 'g') global = true;
    else if (c === 'i' || c === 'I') ignoreCase = true;
    else if (c === 'm' || c === 'M') continue;
    else if (c === 'p') return fail('the `p` flag prints the line a second time into the edited file');
    else if (c === 'e') return fail('the `e` flag runs the pattern space as a command');
    else if (!/\s/.test(c)) return fail(`the flag \`${c}\` is not modelled`);
  }
  return { ok: true, global, nth, ignoreCase };
}

export interface SedMatch {
  readonly start: number;
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
}

/** The JavaScript regular expressions of a translated pattern (global; case-sensitive and -insensitive), built once per command, not per line. */
const compiledCache = new WeakMap<SedRegex, { cs?: RegExp; ci?: RegExp }>();

function compiled(re: SedRegex, ignoreCase: boolean): RegExp {
  let c = compiledCache.get(re);
  if (!c) compiledCache.set(re, (c = {}));
  return ignoreCase ? (c.ci ??= new RegExp(re.source, 'gi')) : (c.cs ??= new RegExp(re.source, 'g'));
}

/**
 * The matches an `s` command replaces in one line, as GNU sed finds them: leftmost-longest (POSIX), the next
 * search from the end of the last match, an empty match right after a match skipped (`echo abc | sed 's/b*\/X/g'`
 * gives `XaXcX`; JavaScript's replace gives `XaXXcX`), replaced from the Nth one on (`g`) or the Nth only.
 */
export function sedMatches(line: string, re: SedRegex, flags: SedFlags, needGroups: boolean): SedMatch[] | Failure {
  if (re.localeSensitive || flags.ignoreCase) {
    if (/[^\x00-\x7f]/.test(line)) return fail('matching non-ASCII text depends on the locale sed runs in');
  }
  const rx = compiled(re, flags.ignoreCase);
  const out: SedMatch[] = [];
  let pos = 0;
  let prevEnd = -1;
  let count = 0;
  while (pos <= line.length) {
    rx.lastIndex = pos;
    const m = rx.exec(line);
    if (!m) break;
    const start = m.index;
    let end = start + m[0].length;
    let groups: (string | undefined)[] = [...m];
    if (start === end && start === prevEnd) {
      // GNU: no empty match right after the previous match; look again one character on.
      pos = start + 1;
      continue;
    }
    if (re.ambiguous) {
      const longer = longestAt(line, re, flags, start, end);
      if (longer && longer.end > end) {
        if (needGroups) return fail('POSIX leftmost-longest matching assigns the groups differently from JavaScript here');
        end = longer.end;
        groups = longer.groups;
      }
    }
    count++;
    if (count >= flags.nth) out.push({ start, end, groups });
    if (count >= flags.nth && !flags.global) break;
    prevEnd = end;
    pos = end > start ? end : end + 1;
  }
  return out;
}

/**
 * The longest match starting at `start` (POSIX), or undefined when JavaScript's is already the longest: the same
 * expression, anchored at `start` (sticky) and made to end after the best end so far (`(?<=^[\s\S]{n,})`), so the
 * engine's backtracking looks for a longer one; one search per longer end found (usually none).
 */
function longestAt(line: string, re: SedRegex, flags: SedFlags, start: number, end: number): { end: number; groups: (string | undefined)[] } | undefined {
  let best: { end: number; groups: (string | undefined)[] } | undefined;
  let atLeast = end + 1;
  while (atLeast <= line.length) {
    const rx = new RegExp(`(?:${re.source})(?<=^[\\s\\S]{${atLeast},})`, `y${flags.ignoreCase ? 'i' : ''}`);
    rx.lastIndex = start;
    const m = rx.exec(line);
    if (!m) break;
    best = { end: start + m[0].length, groups: [...m] };
    atLeast = best.end + 1;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses (manual 4): `N`, `$`, `/re/` (`I`), `\%re%`, ranges `A,B` of those, and `!`.

type Addr = { readonly line: number } | { readonly last: true } | { readonly re: SedRegex; readonly ignoreCase: boolean };

export interface SedAddress {
  readonly ok: true;
  readonly a1?: Addr;
  readonly a2?: Addr;
  readonly negate: boolean;
}

export function parseSedAddress(raw: string | undefined, ere: boolean): SedAddress | Failure {
  if (raw === undefined || raw.trim() === '') return { ok: true, negate: false };
  let s = raw.trim();
  let negate = false;
  if (s.endsWith('!')) {
    negate = true;
    s = s.slice(0, -1).trim();
  }
  const one = (t: string): { addr: Addr; rest: string } | Failure => {
    let m = /^(\d+)\s*/.exec(t);
    if (m) {
      if (t[m[0].length] === '~') return fail('the `first~step` address is not modelled');
      return { addr: { line: Number(m[1]) }, rest: t.slice(m[0].length) };
    }
    if (t.startsWith('$')) return { addr: { last: true }, rest: t.slice(1).trimStart() };
    let d = '';
    let from = 0;
    if (t.startsWith('/')) {
      d = '/';
      from = 1;
    } else if (t.startsWith('\\') && t.length > 1) {
      d = t[1]!;
      from = 2;
    } else return fail(`the address \`${raw}\` is not modelled`);
    let j = from;
    while (j < t.length && t[j] !== d) j += t[j] === '\\' ? 2 : 1;
    if (j >= t.length) return fail(`the address \`${raw}\` is not terminated`);
    const re = translateSedRegex(t.slice(from, j), ere, d);
    if (!re.ok) return re;
    m = /^[IM]*/.exec(t.slice(j + 1));
    const fl = m ? m[0] : '';
    return { addr: { re, ignoreCase: fl.includes('I') }, rest: t.slice(j + 1 + fl.length).trimStart() };
  };
  const a = one(s);
  if (!('addr' in a)) return a;
  if (a.rest === '') return { ok: true, a1: a.addr, negate };
  if (!a.rest.startsWith(',')) return fail(`the address \`${raw}\` is not modelled`);
  const second = a.rest.slice(1).trimStart();
  if (/^[+~]/.test(second)) return fail(`the address form \`${raw}\` is not modelled`);
  if ('line' in a.addr && a.addr.line === 0) return fail('the `0,/re/` address is not modelled');
  const b = one(second);
  if (!('addr' in b)) return b;
  if (b.rest !== '') return fail(`the address \`${raw}\` is not modelled`);
  return { ok: true, a1: a.addr, a2: b.addr, negate };
}

// ---------------------------------------------------------------------------------------------------------------
// Running a script over a file.

export interface SedSubstitutionInput {
  readonly pattern: string;
  readonly flags: string;
  readonly delimiter: string;
  /** The replacement as sed receives it (shell expansions done), still with sed's escapes. */
  readonly replacement: string;
  /** What the replaced text stands for (the chain of the replacement); an unknown one keeps the matched text. */
  readonly origin?: ResolvedValue;
  /** Called for each replaced match: the line's text, the match's virtual offsets in it. */
  readonly onMatch?: (matched: string, line: MappedText, start: number, end: number) => void;
}

export type SedCommandInput =
  | { readonly kind: 's'; readonly address?: string; readonly s: SedSubstitutionInput }
  | { readonly kind: 'd' | '{'; readonly address?: string }
  | { readonly kind: '}' }
  | { readonly kind: 'other'; readonly name: string; readonly address?: string };

export interface SedRunInput {
  readonly extended: boolean;
  /** An option that changes what sed writes in a way not modelled (`-n`, `-z`, `--posix`, `-f FILE`). */
  readonly unmodelled?: string;
  readonly commands: readonly SedCommandInput[];
}

/**
 * One line of the edited file. Its text is sliced from the file and its mapped text built only when a command reads
 * or changes it: most lines of a config file match none of a script's `s` commands, and building two mapped texts per
 * line of every file every `sed -i` edits was most of the cost of applying the edits.
 */
class Line {
  private mapped: MappedText | undefined;
  private plain: string | undefined;
  /** A command replaced the text (or it is unknown): the line is no longer a copy of the file's. */
  changed = false;
  deleted = false;
  unknown?: string;

  constructor(
    private readonly base: MappedText,
    /** The line's start and end in the file, without its newline. */
    readonly start: number,
    readonly end: number,
    /** The line ends with a newline (the last line of a file may not). */
    readonly hasNl: boolean,
    readonly no: number,
  ) {}

  /** The line's current text. */
  get str(): string {
    return this.mapped ? this.mapped.text : (this.plain ??= this.base.text.slice(this.start, this.end));
  }

  /** The line's current text, mapped to the host files. */
  get text(): MappedText {
    return (this.mapped ??= new MappedTextBuilder(this.base).copy(this.start, this.end).build());
  }

  set text(t: MappedText) {
    this.mapped = t;
    this.changed = true;
  }
}

const unknownValue = (reason: string): ResolvedValue => ({ kind: 'unknown', reason, chain: [] });

/** Applies a sed script to a file's text; lines it cannot edit faithfully carry an unknown origin with the reason. */
export function runSed(base: MappedText, run: SedRunInput): MappedText {
  const lines: Line[] = [];
  {
    let at = 0;
    let no = 1;
    while (at < base.text.length) {
      const e = base.text.indexOf('\n', at);
      const end = e < 0 ? base.text.length : e;
      lines.push(new Line(base, at, end, e >= 0, no++));
      at = end + 1;
    }
  }
  const lastNo = lines.length;
  const markAll = (reason: string, which: readonly Line[]): void => {
    for (const l of which) if (!l.deleted && !l.unknown) l.unknown = reason;
  };
  if (run.unmodelled) markAll(run.unmodelled, lines);
  else {
    // Pass by pass: each command over every line in order gives the same result as sed's line-by-line cycle for
    // `s`, `d` and blocks (a deleted line leaves the cycle; ranges keep their state per command, in line order).
    const stack: boolean[][] = [lines.map(() => true)];
    for (const cmd of run.commands) {
      const active = stack[stack.length - 1]!;
      if (cmd.kind === '}') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const sel = selectLines(lines, active, cmd.address, run.extended, lastNo);
      if (!('reason' in sel) && sel.unknownFrom !== undefined) {
        const from = sel.unknownFrom;
        markAll(
          sel.unknownReason!,
          lines.slice(from).filter((_, i) => active[i + from]),
        );
      }
      if (cmd.kind === '{') {
        if ('reason' in sel) {
          markAll(
            sel.reason,
            lines.filter((_, i) => active[i]),
          );
          stack.push(lines.map(() => false));
        } else stack.push(sel.mask);
        continue;
      }
      if ('reason' in sel) {
        markAll(
          sel.reason,
          lines.filter((_, i) => active[i]),
        );
        continue;
      }
      const chosen = lines.filter((l, i) => sel.mask[i] && !l.deleted && !l.unknown);
      if (cmd.kind === 'd') {
        for (const l of chosen) l.deleted = true;
        continue;
      }
      if (cmd.kind === 'other') {
        markAll(`the sed command \`${cmd.name}\` is not modelled`, chosen);
        continue;
      }
      if (cmd.kind === 's') substitute(chosen, cmd.s, run.extended);
    }
  }
  // The result: runs of lines no command touched are copied from the file in one piece.
  const parts: MappedText[] = [];
  let runFrom = -1;
  let runTo = -1;
  const flush = (): void => {
    if (runFrom >= 0 && runTo > runFrom) parts.push(new MappedTextBuilder(base).copy(runFrom, runTo).build());
    runFrom = -1;
  };
  for (const l of lines) {
    if (l.deleted) {
      flush();
      continue;
    }
    const lineEnd = l.hasNl ? l.end + 1 : l.end;
    if (!l.unknown && !l.changed) {
      if (runFrom < 0) runFrom = l.start;
      runTo = lineEnd;
      continue;
    }
    flush();
    const t = l.text;
    parts.push(l.unknown && t.text ? new MappedTextBuilder(t).emit(t.text, 0, t.text.length, unknownValue(l.unknown)).build() : t);
    if (l.hasNl) parts.push(new MappedTextBuilder(base).copy(l.end, l.end + 1).build());
  }
  flush();
  return concatOrEmpty(base, parts);
}

function concatOrEmpty(base: MappedText, parts: MappedText[]): MappedText {
  return parts.length === 0 ? new MappedTextBuilder(base).build() : MappedText.concat(parts);
}

function substitute(lines: readonly Line[], s: SedSubstitutionInput, ere: boolean): void {
  const re = translateSedRegex(s.pattern, ere, s.delimiter);
  const fl = parseSedFlags(s.flags);
  const rep = /[0-9A-Za-z&\\]/.test(s.delimiter) ? fail(`the delimiter \`${s.delimiter}\` is not modelled`) : parseSedReplacement(s.replacement, s.delimiter);
  const bad = !re.ok ? re : !fl.ok ? fl : !rep.ok ? rep : undefined;
  if (bad && 'reason' in bad) {
    for (const l of lines) if (!l.unknown) l.unknown = `sed s${s.delimiter}${s.pattern}${s.delimiter}…: ${bad.reason}`;
    return;
  }
  const r = re as SedRegex;
  const f = fl as SedFlags;
  const p = rep as SedReplacement;
  if (p.maxGroup > r.groups) {
    for (const l of lines)
      if (!l.unknown) l.unknown = `sed s${s.delimiter}${s.pattern}${s.delimiter}…: invalid reference \\${p.maxGroup} on the s command's right side`;
    return;
  }
  for (const l of lines) {
    const t = l.str;
    const ms = sedMatches(t, r, f, p.maxGroup > 0);
    if (!Array.isArray(ms)) {
      l.unknown = `sed s${s.delimiter}${s.pattern}${s.delimiter}…: ${ms.reason}`;
      continue;
    }
    if (ms.length === 0) continue;
    const src = l.text;
    const b = new MappedTextBuilder(src);
    let last = 0;
    let failed: string | undefined;
    for (const m of ms) {
      b.copy(last, m.start);
      const text = s.origin?.kind === 'unknown' ? t.slice(m.start, m.end) : expandReplacement(p, m.groups);
      if (typeof text !== 'string') {
        failed = text.reason;
        break;
      }
      b.emit(text, m.start, m.end, s.origin);
      s.onMatch?.(t.slice(m.start, m.end), src, m.start, m.end);
      last = m.end;
    }
    if (failed) {
      l.unknown = `sed s${s.delimiter}${s.pattern}${s.delimiter}…: ${failed}`;
      continue;
    }
    b.copy(last, t.length);
    l.text = b.build();
  }
}

interface Selection {
  readonly mask: boolean[];
  readonly unknownFrom?: number;
  readonly unknownReason?: string;
}

function selectLines(lines: readonly Line[], active: readonly boolean[], raw: string | undefined, ere: boolean, lastNo: number): Selection | Failure {
  const a = parseSedAddress(raw, ere);
  if (!a.ok) return a;
  const mask = lines.map(() => false);
  const test = (addr: Addr, l: Line): boolean | undefined => {
    if ('line' in addr) return l.no === addr.line;
    if ('last' in addr) return l.no === lastNo;
    if (l.unknown) return undefined;
    const m = sedMatches(l.str, addr.re, { ok: true, global: false, nth: 1, ignoreCase: addr.ignoreCase }, false);
    return Array.isArray(m) ? m.length > 0 : undefined;
  };
  let inRange = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!active[i] || l.deleted) continue;
    let hit: boolean | undefined;
    if (!a.a1) hit = true;
    else if (!a.a2) hit = test(a.a1, l);
    else if (inRange) {
      hit = true;
      const a2 = a.a2;
      const endHere = 'line' in a2 ? l.no >= a2.line : test(a2, l);
      if (endHere === undefined) return { mask, unknownFrom: i, unknownReason: `the end of the range \`${raw}\` is not known` };
      if (endHere) inRange = false;
    } else {
      const start = test(a.a1, l);
      if (start === undefined) return { mask, unknownFrom: i, unknownReason: `the start of the range \`${raw}\` is not known` };
      hit = start;
      if (start) {
        const a2 = a.a2;
        // A line-number end at or before the start line: only that line (manual 4.4).
        if ('line' in a2) inRange = a2.line > l.no;
        else if ('last' in a2) inRange = l.no !== lastNo;
        else inRange = true;
      }
    }
    if (hit === undefined) return { mask, unknownFrom: i, unknownReason: `the address \`${raw}\` cannot be decided on an unknown line` };
    mask[i] = hit !== a.negate;
  }
  return { mask };
}

/** Whether the regular expression matches all of `text` case-sensitively (a case-insensitive match that is not only a case match). */
export function sedMatchesWhole(pattern: string, ere: boolean, delimiter: string, text: string): boolean {
  const r = translateSedRegex(pattern, ere, delimiter);
  if (!r.ok) return true;
  try {
    return new RegExp(`^(?:${r.source})$`).test(text);
  } catch {
    return true;
  }
}
