/**
 * cloud-init user data (`#cloud-config`): the agent configs its `write_files`
 * entries write. Read with a narrow, position-keeping reader of the shapes
 * cloud-config uses for files — a `write_files:` list of mappings whose
 * `content` is a block scalar (`|`, `|-`, `|+`) or a one-line plain/quoted
 * scalar — so every character of a written config maps back through the
 * Terraform render to the host file. Base64/gzip-encoded content is decoded
 * (its characters cannot map one to one: the whole document stands for the
 * encoded text); flow-style mappings are skipped.
 *
 * Reference: cloud-init documentation, module "Write Files" (`write_files`:
 * `path`, `content`, `encoding`, `append`, `permissions`, `owner`, `defer`),
 * and module "Runcmd" (https://cloudinit.readthedocs.io/en/latest/reference/modules.html).
 */
import { gunzipSync } from 'node:zlib';
import type { AgentConfigDoc } from '../agent/configDoc';
import { looksLikeAgentConfigPath } from '../agent/configDoc';
import { DEFAULT_MAX_FILE_BYTES } from '../text/decode';
import { type MappedText, MappedTextBuilder } from '../text/mappedText';
import { yamlLines } from '../text/yamlLines';
import type { YamlLine } from '../text/yamlLines';

/** Whether a (rendered) user-data text is a cloud-config document. */
export function isCloudConfig(text: string): boolean {
  return /^\uFEFF?\s*#cloud-config\b/.test(text);
}

/** `key: value` at a line's indent (after an optional `- `). */
const KEY = /^(\s*)(-\s+)?([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$/;

function unquote(v: string): string {
  const t = v.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t.replace(/\s+#.*$/, '');
}

/**
 * A block scalar (`|`, `|-`, `|+`; `>` when line breaks do not matter) whose header is on line `at`: its lines more
 * indented than `parentIndent` (the header line's indent, or the column of the sequence dash the header follows)
 * without their common indent, copied into `b` (one newline each); returns the index of the line after it.
 */
function copyBlockScalar(
  src: string,
  lines: readonly YamlLine[],
  at: number,
  b: MappedTextBuilder,
  parentIndent = lines[at]!.indent,
): { next: number; copied: boolean } {
  const body: YamlLine[] = [];
  let k = at + 1;
  while (k < lines.length && (lines[k]!.indent > parentIndent || src.slice(lines[k]!.start, lines[k]!.end).trim() === '')) body.push(lines[k++]!);
  while (body.length > 0 && src.slice(body[body.length - 1]!.start, body[body.length - 1]!.end).trim() === '') body.pop();
  const ind = Math.min(...body.filter((x) => src.slice(x.start, x.end).trim() !== '').map((x) => x.indent));
  if (body.length === 0 || !Number.isFinite(ind)) return { next: k, copied: false };
  for (const x of body) {
    if (x.end - x.start > ind) b.copy(x.start + ind, x.end);
    b.emit('\n', x.end, x.end);
  }
  return { next: k, copied: true };
}

/** A one-line scalar `v` starting at `start`, copied into `b` without its quotes (escapes of a quoted one decoded). */
function copyInlineScalar(v: string, start: number, b: MappedTextBuilder): void {
  const quoted = /^["']/.test(v) && v.length > 1 && v.endsWith(v[0]!);
  const s0 = start + (quoted ? 1 : 0);
  const e0 = start + v.length - (quoted ? 1 : 0);
  let decoded: string | undefined;
  if (quoted && v.startsWith("'")) decoded = v.slice(1, -1).replace(/''/g, "'");
  else if (quoted && v.includes('\\')) {
    try {
      decoded = JSON.parse(v) as string;
    } catch {
      decoded = undefined; // an escape JSON does not share with YAML: keep the text as written
    }
  }
  if (decoded !== undefined) b.emit(decoded, s0, e0);
  else b.copy(s0, e0);
}

type DecodingStep = 'base64' | 'gzip';

/**
 * How cloud-init turns an entry's content into the file's bytes: a YAML `!!binary` scalar is base64 already decoded
 * by the YAML loader, then `encoding` applies. The accepted values are those of cc_write_files'
 * `canonicalize_extraction`: `gz`/`gzip`, `gz+base64`/`gzip+base64`/`gz+b64`/`gzip+b64` (base64, then gunzip),
 * `b64`/`base64`; any other value is written as plain text (with a warning in the cloud-init log).
 */
function decodingSteps(encoding: string | undefined, binary: boolean): DecodingStep[] {
  const steps: DecodingStep[] = binary ? ['base64'] : [];
  const e = (encoding ?? '').trim();
  if (e === 'gz' || e === 'gzip') steps.push('gzip');
  else if (/^gz(?:ip)?\+(?:base64|b64)$/.test(e)) steps.push('base64', 'gzip');
  else if (e === 'b64' || e === 'base64') steps.push('base64');
  return steps;
}

const FATAL_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * An encoded content decoded, as a document that stands as a whole for the encoded characters (a decoded character
 * has no one character of its own). Content that does not decode gives undefined: not strict base64 (such as a
 * `${base64encode(…)}` the Terraform render left as written), not gzip, or not UTF-8 text; cloud-init would fail or
 * write bytes no agent reads as a config. An empty result writes no config either. A BOM is kept: the agent sees it.
 */
function decodeContent(content: MappedText, steps: readonly DecodingStep[]): MappedText | undefined {
  let bytes: Buffer = Buffer.from(content.text, 'utf8');
  for (const step of steps) {
    if (step === 'base64') {
      // Python's b64decode (cloud-init) rejects a wrong padding; Buffer.from would silently skip bad characters.
      const b64 = bytes.toString('latin1').replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
      bytes = Buffer.from(b64, 'base64');
    } else {
      try {
        bytes = gunzipSync(bytes, { maxOutputLength: DEFAULT_MAX_FILE_BYTES });
      } catch {
        return undefined; // not gzip data, truncated, or over the size limit
      }
    }
  }
  let decoded: string;
  try {
    decoded = FATAL_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  return decoded === '' ? undefined : new MappedTextBuilder(content).emit(decoded, 0, content.text.length).build();
}

/**
 * The agent config documents a cloud-config writes. `text` is the rendered user data (its mapping leads to the
 * host file); `hostFile` the file that holds it; `idBase` makes the ids unique; `templateFile` the template it was
 * rendered from, if any.
 */
export function cloudInitDocs(text: MappedText, hostFile: string, idBase: string, templateFile: string | undefined): AgentConfigDoc[] {
  const src = text.text;
  if (!isCloudConfig(src)) return [];
  const lines = yamlLines(src);
  const at = lines.findIndex((l) => l.indent === 0 && /^write_files\s*:\s*$/.test(src.slice(l.start, l.end)));
  if (at < 0) return [];
  const out: AgentConfigDoc[] = [];
  let i = at + 1;
  let n = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.blank) {
      i++;
      continue;
    }
    const lineText = src.slice(l.start, l.end);
    if (l.indent === 0 && !/^-\s/.test(lineText)) break; // the next top-level key
    const item = /^(\s*)-\s+/.exec(lineText);
    if (!item) {
      i++;
      continue;
    }
    // One list item: its keys sit at the column after `- `.
    const keyIndent = item[0].length;
    const itemStart = l.start;
    let path: string | undefined;
    let encoding: string | undefined;
    let append = false;
    let binary = false;
    // `literal`: the text is the file's text as written (a folded `>` block scalar is not: its line breaks change).
    let content: { text: MappedText; literal: boolean } | undefined;
    let j = i;
    let first = true;
    while (j < lines.length) {
      const k = lines[j]!;
      const t = src.slice(k.start, k.end);
      if (!first && !k.blank && (k.indent < keyIndent || (k.indent <= keyIndent - 2 && /^\s*-\s/.test(t)))) break;
      if (k.blank) {
        j++;
        continue;
      }
      const m = KEY.exec(t);
      first = false;
      if (!m) {
        j++;
        continue;
      }
      const key = m[3]!;
      const value = m[4] ?? '';
      if (key === 'path') path = unquote(value);
      else if (key === 'encoding') encoding = unquote(value).toLowerCase();
      else if (key === 'append') append = /^true$/i.test(unquote(value));
      else if (key === 'content') {
        // YAML's `!!binary` tag: the scalar is base64, decoded by the YAML loader before cloud-init sees it.
        const tag = /^!!binary(?:\s+|$)/.exec(value.trim());
        const v = value.trim().slice(tag ? tag[0].length : 0);
        binary = tag !== null;
        if (/^[|>][+-]?\d*$/.test(v)) {
          // A block scalar: the more-indented lines below, without their common indent. Folded `>` changes line
          // breaks, so it is read only for base64, where whitespace does not count.
          const builder = new MappedTextBuilder(text);
          const r = copyBlockScalar(src, lines, j, builder);
          if (r.copied) content = { text: builder.build(), literal: v.startsWith('|') };
          j = r.next;
          continue;
        }
        if (v !== '' && !/^[[{]/.test(v)) {
          const builder = new MappedTextBuilder(text);
          copyInlineScalar(v, k.start + t.indexOf(v), builder);
          content = { text: builder.build(), literal: true };
        }
      }
      j++;
    }
    const steps = decodingSteps(encoding, binary);
    const written = content && (steps.length > 0 ? decodeContent(content.text, steps) : content.literal ? content.text : undefined);
    if (path && written && looksLikeAgentConfigPath(path)) {
      out.push({
        id: `${idBase}#write_files${n}`,
        hostFile: text.primaryFile(hostFile),
        os: /^[A-Za-z]:[\\/]/.test(path) ? 'windows' : 'linux',
        osReason: `written by cloud-init write_files (${path})`,
        targetPath: path,
        writeSpan: text.toHost(itemStart, lines[Math.max(i, j - 1)]!.end),
        via: steps.length > 0 ? `cloud-init write_files (content decoded: ${steps.join(', ')})` : 'cloud-init write_files',
        text: written,
        format: /\.json$/i.test(path) ? 'json' : 'hcl',
        templateFile,
        append,
        encoding: undefined,
      });
    }
    n++;
    i = Math.max(j, i + 1);
  }
  return out;
}

/** A runcmd argv element: its value, and the span of the scalar (with its quotes) in the user data. */
interface ArgvElement {
  readonly value: MappedText;
  readonly start: number;
  readonly end: number;
}

/** The index after the closing quote of the quoted scalar that opens at `src[at]`, or -1 if it does not close. */
function quotedEnd(src: string, at: number): number {
  const q = src[at]!;
  for (let p = at + 1; p < src.length; p++) {
    if (q === '"' && src[p] === '\\') p++;
    else if (src[p] === q) {
      if (q === "'" && src[p + 1] === "'")
        p++; // '' is an escaped quote
      else return p + 1;
    }
  }
  return -1;
}

/** An argv element written as the one-line scalar src[start, end) (plain or quoted), decoded. */
function argvElement(text: MappedText, start: number, end: number): ArgvElement {
  const b = new MappedTextBuilder(text);
  copyInlineScalar(text.text.slice(start, end), start, b);
  return { value: b.build(), start, end };
}

/**
 * A flow sequence `[ sed, -i, "s/A/B/", /etc/f ]` opening at `src[open]` (it may span lines): its elements.
 * Undefined when an element is not a scalar or the sequence is not read to its end.
 */
function flowArgv(text: MappedText, open: number): ArgvElement[] | undefined {
  const src = text.text;
  const args: ArgvElement[] = [];
  let p = open + 1;
  const skipSpace = (): void => {
    for (;;) {
      while (p < src.length && /\s/.test(src[p]!)) p++;
      if (src[p] !== '#') return;
      while (p < src.length && src[p] !== '\n') p++; // a comment
    }
  };
  for (;;) {
    skipSpace();
    if (src[p] === ']') return args; // also after a trailing comma, which YAML allows
    let end = p;
    if (src[p] === '"' || src[p] === "'") end = quotedEnd(src, p);
    else if (p < src.length && !/[[\]{},]/.test(src[p]!)) {
      // A plain scalar ends at `,` / `]`, at a comment, or (here: not folded) at the line's end.
      while (end < src.length && !/[,\]\n]/.test(src[end]!) && !(src[end] === '#' && /\s/.test(src[end - 1]!))) end++;
      while (/\s/.test(src[end - 1]!)) end--;
    }
    if (end <= p) return undefined;
    args.push(argvElement(text, p, end));
    p = end;
    skipSpace();
    if (src[p] === ',') p++;
    else if (src[p] === ']') return args;
    else return undefined;
  }
}

/** A one-line scalar value written at src[start…] up to `lineEnd`, without a trailing comment: its end. */
function scalarEnd(src: string, start: number, lineEnd: number): number {
  if (src[start] === '"' || src[start] === "'") {
    const e = quotedEnd(src, start);
    return e > 0 && e <= lineEnd ? e : lineEnd;
  }
  const v = src.slice(start, lineEnd);
  return start + v.replace(/\s+#.*$/, '').trimEnd().length;
}

/**
 * A block sequence argv (`- - sed` then `  - -i` …, or a bare `-` then `  - sed` …) whose first element's dash is at
 * column `dashCol` of line `first`: its elements (one-line scalars or block scalars).
 * Undefined when an element is itself a collection.
 */
function blockArgv(text: MappedText, lines: readonly YamlLine[], first: number, dashCol: number): ArgvElement[] | undefined {
  const src = text.text;
  const args: ArgvElement[] = [];
  let k = first;
  while (k < lines.length) {
    const l = lines[k]!;
    if (l.blank) {
      k++;
      continue;
    }
    const col = k === first ? dashCol : l.indent;
    const m = /^-(?:\s+|$)/.exec(src.slice(l.start + col, l.end));
    if (k !== first && (l.indent < dashCol || (l.indent === dashCol && !m))) break;
    // A plain or quoted element folded onto the next line (a block scalar's lines are consumed with it): not read.
    if (l.indent > dashCol && k !== first) return undefined;
    if (!m) return undefined;
    const start = l.start + col + m[0].length;
    const v = src.slice(start, l.end).trimEnd();
    if (v === '' || /^(?:[[{]|-(?:\s|$)|[\w.-]+\s*:(?:\s|$))/.test(v)) return undefined;
    if (/^[|>][+-]?\d*$/.test(v)) {
      // A block scalar element (a script for `sh -c`): its lines are more indented than its dash.
      const b = new MappedTextBuilder(text);
      const r = copyBlockScalar(src, lines, k, b, col);
      if (!r.copied || !v.startsWith('|')) return undefined;
      args.push({ value: b.build(), start, end: lines[r.next - 1]!.end });
      k = r.next;
      continue;
    }
    args.push(argvElement(text, start, scalarEnd(src, start, l.end)));
    k++;
  }
  return args;
}

/**
 * `[ sh, -c, "…" ]` (also `bash`/`dash`, a path to them, combined flags such as `-ec`): the command string the shell
 * runs, when it is the last element (an element after it would set `$0`, `$1`, …, so the string is not the same
 * command on its own).
 */
function shellCommandString(args: readonly ArgvElement[]): ArgvElement | undefined {
  if (!/^(?:.*\/)?(?:ba|da)?sh$/.test(args[0]?.value.text ?? '')) return undefined;
  let command = false;
  let k = 1;
  for (; k < args.length; k++) {
    const a = args[k]!.value.text;
    if (a === '--') {
      k++;
      break;
    }
    if (!/^[-+][A-Za-z]+$/.test(a)) break;
    if (a.startsWith('-') && a.includes('c')) command = true;
    if (a.endsWith('o')) k++; // `-o pipefail`: the next word names the option
  }
  return command && k === args.length - 1 ? args[k] : undefined;
}

/** Characters a shell word may hold unquoted (Python's `shlex.quote` safe set). */
const SHELL_SAFE = /^[\w@%+=:,./-]+$/;

/**
 * Appends an argv list as the shell command line that runs the same words: each element single-quoted where it needs
 * it (`'` written `'\''`), as cloud-init's `shellify` does; an element's characters keep their mapping.
 */
function appendArgvCommand(b: MappedTextBuilder, args: readonly ArgvElement[]): void {
  args.forEach((a, k) => {
    if (k > 0) b.emit(' ', a.start, a.start);
    const v = a.value.text;
    if (SHELL_SAFE.test(v)) {
      b.embed(a.value, a.start, a.end);
      return;
    }
    const w = new MappedTextBuilder(a.value);
    let run = 0;
    for (let q = v.indexOf("'"); q >= 0; q = v.indexOf("'", q + 1)) {
      w.copy(run, q).emit("'\\''", q, q + 1);
      run = q + 1;
    }
    w.copy(run, v.length);
    b.emit("'", a.start, a.start).embed(w.build(), a.start, a.end).emit("'", a.end, a.end);
  });
}

/**
 * The argv of a list item of runcmd whose value starts at column `col` of line `at`: a flow sequence, a block
 * sequence on the same line (`- - sed`), or one below a bare `-`. Lines after it are more indented than its dash, so
 * the caller skips them.
 */
function argvItem(text: MappedText, lines: readonly YamlLine[], at: number, col: number): ArgvElement[] | undefined {
  const l = lines[at]!;
  if (text.text[l.start + col] === '[') return flowArgv(text, l.start + col);
  if (l.start + col < l.end) return blockArgv(text, lines, at, col);
  const below = lines.findIndex((x, k) => k > at && !x.blank);
  return below > 0 && lines[below]!.indent > l.indent ? blockArgv(text, lines, below, lines[below]!.indent) : undefined;
}

/**
 * The `runcmd` commands of a cloud-config as one shell script (one command per line), mapped to their characters:
 * cloud-init runs them after `write_files`, so a `sed -i` there edits the files written above. Like cloud-init's
 * runcmd module (which writes the items into one `sh` script with `util.shellify`): a string item (plain, quoted or a
 * block scalar) is a command line as written; a list item is an argv, "executed as if passed to execve()" (cloud-init
 * docs, module "Runcmd"), i.e. its elements quoted into one command line. A list `[ sh, -c, "…" ]` gives the command
 * string itself, so the commands inside it are read. Lists are read in flow (`- [ sed, -i, … ]`) and block
 * (`- - sed` / `  - -i`) style; a list holding a collection is skipped.
 */
export function cloudInitRuncmd(text: MappedText): MappedText | undefined {
  const src = text.text;
  if (!isCloudConfig(src)) return undefined;
  const lines = yamlLines(src);
  const at = lines.findIndex((l) => l.indent === 0 && /^runcmd\s*:\s*$/.test(src.slice(l.start, l.end)));
  if (at < 0) return undefined;
  const b = new MappedTextBuilder(text);
  let any = false;
  let itemIndent: number | undefined;
  let i = at + 1;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.blank) {
      i++;
      continue;
    }
    const t = src.slice(l.start, l.end);
    const m = /^\s*-(?:\s+|$)/.exec(t);
    itemIndent ??= m ? l.indent : -1;
    // The next key ends the list; a more indented line is the rest of an item already read.
    if (itemIndent < 0 || l.indent < itemIndent || (l.indent === itemIndent && !m)) break;
    if (l.indent > itemIndent || !m) {
      i++;
      continue;
    }
    const col = m[0].length;
    const v = t.slice(col).trimEnd();
    if (/^[|>][+-]?\d*$/.test(v)) {
      // A block scalar item: its more-indented lines.
      const r = copyBlockScalar(src, lines, i, b);
      any ||= r.copied;
      i = r.next;
      continue;
    }
    if (v !== '' && !v.startsWith('[') && !/^-(?:\s|$)/.test(v)) {
      copyInlineScalar(v, l.start + col, b);
      b.emit('\n', l.end, l.end);
      any = true;
      i++;
      continue;
    }
    const args = argvItem(text, lines, i, col);
    if (args && args.length > 0) {
      const script = shellCommandString(args);
      if (script) b.embed(script.value, script.start, script.end);
      else appendArgvCommand(b, args);
      const end = args[args.length - 1]!.end;
      b.emit('\n', end, end);
      any = true;
    }
    i++;
  }
  return any ? b.build() : undefined;
}
