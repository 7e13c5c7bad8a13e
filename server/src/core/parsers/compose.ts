/**
 * Docker Compose files, read for the command lines their services run: each service's `image`, `entrypoint` and
 * `command` (string or list form), with the characters each word of those lines comes from. And `.env` files, which
 * Compose reads variables from.
 *
 * The YAML is parsed with js-yaml (YAML 1.2; a well-kept, small library with no native code). js-yaml gives values,
 * not positions: where a `command:` / `entrypoint:` value is written is found by scanning the text for the key inside
 * the service's block (block-style YAML, as Compose files are written), and each word is then looked up in that
 * value's text in order. A word not found there (an escape in a double-quoted string, a value that comes from an
 * anchor) points at the whole value, or at the service's name when the key is not found in its block.
 *
 * Pure functions of the text (cached by the Workspace like the other parses); they never throw: malformed YAML gives
 * `error` and no services.
 */
import { load } from 'js-yaml';
import { yamlLines } from '../text/yamlLines';
import type { YamlLine } from '../text/yamlLines';

/** One word of a command line, as Compose passes it to the container (quotes removed, variables not yet substituted). */
export interface ComposeWord {
  readonly text: string;
  /** Where the word is written (from its first character to its last, quotes outside them excluded); the whole value when `exact` is false. */
  readonly start: number;
  readonly end: number;
  readonly exact: boolean;
}

export interface ComposeArgs {
  /**
   * `string`: written as one string, split into words as a shell would (Compose's own loader, compose-go, reads the
   * string form of `command` / `entrypoint` as a `ShellCommand` and splits it with shell word rules; the value does
   * not run in a shell). `list`: one word per item.
   */
  readonly form: 'string' | 'list';
  readonly words: readonly ComposeWord[];
  /** The value as written (after the key), or the service name when the key was not found in the text. */
  readonly start: number;
  readonly end: number;
}

export interface ComposeService {
  readonly name: string;
  readonly image: string | undefined;
  /** Undefined when the service does not set it (or sets it to null): the image's own ENTRYPOINT / CMD apply. */
  readonly entrypoint: ComposeArgs | undefined;
  readonly command: ComposeArgs | undefined;
  /** Where the service's name is written (the start of the file when not found). */
  readonly nameStart: number;
  readonly nameEnd: number;
}

export interface ComposeFileParse {
  readonly services: readonly ComposeService[];
  /** Why the file could not be read as a Compose file (malformed YAML, too large); `services` is then empty. */
  readonly error?: string;
}

/** Larger files are not parsed: a Compose file is a few kilobytes, and a huge YAML file must not stall an edit. */
export const MAX_COMPOSE_BYTES = 1024 * 1024;

export function parseComposeFile(text: string): ComposeFileParse {
  if (text.length > MAX_COMPOSE_BYTES) return { services: [], error: `not read as a Compose file: over ${MAX_COMPOSE_BYTES} characters` };
  let doc: unknown;
  try {
    doc = load(text, { maxDepth: 50 });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { services: [], error: `malformed YAML, its services are not read: ${msg}` };
  }
  if (!isMap(doc) || !isMap(doc['services'])) return { services: [] };
  const blocks = serviceBlocks(text);
  const out: ComposeService[] = [];
  for (const [name, svc] of Object.entries(doc['services'])) {
    if (!isMap(svc)) continue;
    const block = blocks.get(name);
    const nameStart = block?.nameStart ?? 0;
    const nameEnd = block?.nameEnd ?? 0;
    const args = (key: 'command' | 'entrypoint'): ComposeArgs | undefined => {
      const v = svc[key];
      if (v === null || v === undefined) return undefined;
      const at = block?.values.get(key) ?? { start: nameStart, end: nameEnd, found: false };
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        const words = splitShellWords(String(v));
        return { form: 'string', words: locate(text, at, words), start: at.start, end: at.end };
      }
      if (Array.isArray(v)) {
        const items = v
          .filter((x) => x !== null && typeof x !== 'object')
          .map((x) => ({ text: String(x as string | number | boolean), raw: [String(x as string)] }));
        return { form: 'list', words: locate(text, at, items), start: at.start, end: at.end };
      }
      return undefined;
    };
    out.push({
      name,
      image: typeof svc['image'] === 'string' ? svc['image'] : undefined,
      entrypoint: args('entrypoint'),
      command: args('command'),
      nameStart,
      nameEnd,
    });
  }
  return { services: out };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A mapping key at the start of a line's content: `name:`, `"name":`, `'name':`. */
const KEY = /^(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"{}[\],&*!|>%@`?:-][^:#\n]*?))[ \t]*:(?=[ \t\r]|$)/;

interface Block {
  readonly nameStart: number;
  readonly nameEnd: number;
  /** Where each `command:` / `entrypoint:` value is written: after the colon, to the end of its last line. */
  readonly values: Map<string, { start: number; end: number; found: boolean }>;
}

/**
 * The services' blocks as written: the top-level `services:` key, its children (one indentation level deeper) and
 * their `command:` / `entrypoint:` keys (one level deeper again). Flow-style mappings (`nomad: {command: …}`) are
 * not scanned; their words then point at the service's name.
 */
function serviceBlocks(text: string): Map<string, Block> {
  const lines = yamlLines(text);
  const out = new Map<string, Block>();
  const keyAt = (l: YamlLine) => {
    const m = KEY.exec(text.slice(l.start + l.indent, l.end));
    if (!m) return undefined;
    const name = m[1] ?? m[2] ?? m[3]!.trimEnd();
    const keyStart = l.start + l.indent + (m[1] !== undefined || m[2] !== undefined ? 1 : 0);
    return { name, keyStart, keyEnd: keyStart + name.length, after: l.start + l.indent + m[0].length };
  };
  // The lines of a block that starts after line `i` and holds the lines deeper than `indent`.
  const blockEnd = (i: number, indent: number) => {
    let j = i + 1;
    let last = i;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.blank) continue;
      if (l.indent <= indent) break;
      last = j;
    }
    return last;
  };
  const top = lines.findIndex((l) => !l.blank && l.indent === 0 && keyAt(l)?.name === 'services');
  if (top < 0) return out;
  const servicesEnd = blockEnd(top, 0);
  const childIndent = (from: number, to: number) => {
    for (let k = from; k <= to; k++) if (!lines[k]!.blank) return lines[k]!.indent;
    return -1;
  };
  const svcIndent = childIndent(top + 1, servicesEnd);
  for (let i = top + 1; i <= servicesEnd; i++) {
    const l = lines[i]!;
    if (l.blank || l.indent !== svcIndent) continue;
    const k = keyAt(l);
    if (!k) continue;
    const end = blockEnd(i, svcIndent);
    const values = new Map<string, { start: number; end: number; found: boolean }>();
    const keyIndent = childIndent(i + 1, end);
    for (let j = i + 1; j <= end; j++) {
      const c = lines[j]!;
      if (c.blank || c.indent !== keyIndent) continue;
      const ck = keyAt(c);
      if (!ck || (ck.name !== 'command' && ck.name !== 'entrypoint')) continue;
      const last = blockEnd(j, keyIndent);
      const valueEnd = last === j ? c.end : lines[last]!.end;
      let start = ck.after;
      while (start < valueEnd && (text[start] === ' ' || text[start] === '\t')) start++;
      values.set(ck.name, { start, end: Math.max(start, valueEnd), found: true });
    }
    out.set(k.name, { nameStart: k.keyStart, nameEnd: k.keyEnd, values });
  }
  return out;
}

/** A word with the texts it may be written as (quoted parts joined), for finding it in the value. */
interface RawWord {
  readonly text: string;
  /** The pieces of the word as written, in order (a word `a"b c"` is written as `a` then `b c`). */
  readonly raw: readonly string[];
}

/** Finds each word in the value's text, in order; a word not found points at the whole value. */
function locate(text: string, at: { start: number; end: number; found: boolean }, words: readonly RawWord[]): ComposeWord[] {
  const value = text.slice(at.start, at.end);
  let cursor = 0;
  return words.map((w) => {
    if (!at.found) return { text: w.text, start: at.start, end: at.end, exact: false };
    let from = cursor;
    let first = -1;
    let ok = true;
    for (const piece of w.raw) {
      if (piece === '') continue;
      const i = value.indexOf(piece, from);
      if (i < 0) {
        ok = false;
        break;
      }
      if (first < 0) first = i;
      from = i + piece.length;
    }
    if (!ok || first < 0) return { text: w.text, start: at.start, end: at.end, exact: false };
    cursor = from;
    return { text: w.text, start: at.start + first, end: at.start + from, exact: true };
  });
}

/**
 * Splits a string into words as a POSIX shell does, without expanding anything: blanks separate words; single quotes
 * keep everything; double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``; a backslash outside quotes keeps
 * the next character. A `${…}` reference stays whole inside its word (its default may hold blanks).
 */
export function splitShellWords(s: string): RawWord[] {
  const out: RawWord[] = [];
  let text = '';
  let raw: string[] = [];
  let piece = '';
  let inWord = false;
  const flushPiece = () => {
    if (piece !== '') raw.push(piece);
    piece = '';
  };
  const endWord = () => {
    flushPiece();
    if (inWord) out.push({ text, raw });
    text = '';
    raw = [];
    inWord = false;
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      endWord();
      continue;
    }
    inWord = true;
    if (ch === "'") {
      flushPiece();
      const close = s.indexOf("'", i + 1);
      const body = close < 0 ? s.slice(i + 1) : s.slice(i + 1, close);
      text += body;
      raw.push(body);
      i = close < 0 ? s.length : close;
    } else if (ch === '"') {
      flushPiece();
      let j = i + 1;
      let body = '';
      let written = '';
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) {
          // The escape is written, the character is passed: the written form is split at it.
          if (written !== '') raw.push(written);
          written = '';
          j++;
        }
        body += s[j];
        written += s[j];
      }
      if (written !== '') raw.push(written);
      text += body;
      i = j;
    } else if (ch === '\\' && i + 1 < s.length) {
      flushPiece();
      text += s[i + 1];
      piece += s[i + 1];
      i++;
    } else if (ch === '$' && s[i + 1] === '{') {
      const close = s.indexOf('}', i + 2);
      const ref = close < 0 ? s.slice(i) : s.slice(i, close + 1);
      text += ref;
      piece += ref;
      i = close < 0 ? s.length : close;
    } else {
      text += ch;
      piece += ch;
    }
  }
  endWord();
  return out;
}

/** A `.env` file's variables: `NAME=value`, `export NAME=value`, quoted values, `#` comments. */
export function parseDotEnv(text: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if (v.startsWith('"')) {
      const close = v.indexOf('"', 1);
      v =
        close < 0
          ? v.slice(1)
          : v
              .slice(1, close)
              .replace(/\\n/g, '\n')
              .replace(/\\(["\\])/g, '$1');
    } else if (v.startsWith("'")) {
      const close = v.indexOf("'", 1);
      v = close < 0 ? v.slice(1) : v.slice(1, close);
    } else v = v.replace(/\s+#.*$/, '').trim();
    out.set(m[1]!, v);
  }
  return out;
}

/**
 * Compose's interpolation of one word (compose-spec "Interpolation"; docs.docker.com/compose "Set, use, and manage
 * variables": `$VAR`, `${VAR}`, `${VAR:-default}` / `${VAR-default}` (default when unset or empty / unset),
 * `${VAR:?err}` / `${VAR?err}` (error), `${VAR:+alt}` / `${VAR+alt}` (alternative when set), `$$` a literal `$`).
 * Variables come from the shell environment of `docker compose` or the `.env` file of the project directory, the
 * shell winning. Only the `.env` values are known here: a variable that the `.env` does not set is unknown (the shell
 * may set it), and so is every form that depends on it, a default included. `vars`: the variables the `.env` gave.
 */
export function interpolateCompose(
  word: string,
  env: ReadonlyMap<string, string> | undefined,
  envFile: string,
): { text: string; vars: readonly string[] } | { unknown: string } {
  let out = '';
  const vars: string[] = [];
  for (let i = 0; i < word.length; i++) {
    const ch = word[i]!;
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const next = word[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let op = '';
    let arg = '';
    if (next === '{') {
      // The matching brace (a default may hold another `${…}`).
      let depth = 0;
      let j = i + 1;
      for (; j < word.length; j++) {
        if (word[j] === '{') depth++;
        else if (word[j] === '}' && --depth === 0) break;
      }
      if (j >= word.length) return { unknown: `"${word}" has an unclosed \${` };
      const body = word.slice(i + 2, j);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
      if (!m) return { unknown: `\${${body}} is not a Compose variable reference` };
      name = m[1]!;
      op = m[2] ?? '';
      arg = m[3] ?? '';
      i = j;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(word.slice(i + 1));
      if (!m) {
        out += '$';
        continue;
      }
      name = m[0];
      i += name.length;
    }
    const has = env?.has(name) === true;
    if (has && !vars.includes(name)) vars.push(name);
    const v = env?.get(name) ?? '';
    if (!has) {
      const dflt = op === ':-' || op === '-' ? ` (its default "${arg}" applies only when ${name} is not set)` : '';
      return {
        unknown: `${name} is read from the environment of the shell that runs docker compose or from the .env file of the project directory (${envFile}), which ${env ? 'does not set it' : 'does not exist'}${dflt}`,
      };
    }
    let piece: string;
    const sub = (s: string) => interpolateCompose(s, env, envFile);
    if (op === ':-') piece = v !== '' ? v : '\u0000';
    else if (op === ':?') {
      if (v === '') return { unknown: `${name} is empty in ${envFile}: docker compose stops with "${arg}"` };
      piece = v;
    } else if (op === ':+') piece = v !== '' ? '\u0000' : '';
    else if (op === '+') piece = '\u0000';
    else piece = v;
    if (piece === '\u0000') {
      const r = sub(arg);
      if ('unknown' in r) return r;
      for (const v of r.vars) if (!vars.includes(v)) vars.push(v);
      piece = r.text;
    }
    out += piece;
  }
  return { text: out, vars };
}
