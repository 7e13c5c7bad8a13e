/**
 * cloud-init user data (`#cloud-config`): the agent configs its `write_files`
 * entries write. Read with a narrow, position-keeping reader of the shapes
 * cloud-config uses for files — a `write_files:` list of mappings whose
 * `content` is a block scalar (`|`, `|-`, `|+`) or a one-line plain/quoted
 * scalar — so every character of a written config maps back through the
 * Terraform render to the host file. Base64/gzip-encoded content and flow
 * style are skipped (their text is not readable here).
 *
 * Reference: cloud-init documentation, module "Write Files" (`write_files`:
 * `path`, `content`, `encoding`, `append`, `permissions`, `owner`, `defer`).
 */
import type { AgentConfigDoc } from '../agent/configDoc';
import { looksLikeAgentConfigPath } from '../agent/configDoc';
import { type MappedText, MappedTextBuilder } from '../text/mappedText';

/** Whether a (rendered) user-data text is a cloud-config document. */
export function isCloudConfig(text: string): boolean {
  return /^\uFEFF?\s*#cloud-config\b/.test(text);
}

interface Line {
  readonly start: number;
  readonly end: number; // before the newline
  readonly indent: number;
  readonly blank: boolean;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const lineEnd = end > pos && text[end - 1] === '\r' ? end - 1 : end;
    const raw = text.slice(pos, lineEnd);
    const indent = raw.length - raw.replace(/^ +/, '').length;
    out.push({ start: pos, end: lineEnd, indent, blank: raw.trim() === '' || raw.trim().startsWith('#') });
    if (nl < 0) break;
    pos = nl + 1;
  }
  return out;
}

/** `key: value` at a line's indent (after an optional `- `). */
const KEY = /^(\s*)(-\s+)?([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$/;

function unquote(v: string): string {
  const t = v.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t.replace(/\s+#.*$/, '');
}

/**
 * A block scalar (`|`, `|-`, `|+`) whose header is on line `at`: its more-indented lines without their common
 * indent, copied into `b` (one newline each); returns the index of the line after it.
 */
function copyBlockScalar(src: string, lines: readonly Line[], at: number, b: MappedTextBuilder): { next: number; copied: boolean } {
  const header = lines[at]!;
  const body: Line[] = [];
  let k = at + 1;
  while (k < lines.length && (lines[k]!.indent > header.indent || src.slice(lines[k]!.start, lines[k]!.end).trim() === '')) body.push(lines[k++]!);
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

/**
 * The agent config documents a cloud-config writes. `text` is the rendered user data (its mapping leads to the
 * host file); `hostFile` the file that holds it; `idBase` makes the ids unique; `templateFile` the template it was
 * rendered from, if any.
 */
export function cloudInitDocs(text: MappedText, hostFile: string, idBase: string, templateFile: string | undefined): AgentConfigDoc[] {
  const src = text.text;
  if (!isCloudConfig(src)) return [];
  const lines = linesOf(src);
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
    let content: { text: MappedText } | undefined;
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
        const v = value.trim();
        if (/^[|>][+-]?\d*$/.test(v)) {
          // A block scalar: the more-indented lines below, without their common indent (folded `>` is not read).
          const builder = new MappedTextBuilder(text);
          const r = copyBlockScalar(src, lines, j, builder);
          if (v.startsWith('|') && r.copied) content = { text: builder.build() };
          j = r.next;
          continue;
        }
        if (v !== '' && !/^[[{]/.test(v)) {
          const builder = new MappedTextBuilder(text);
          copyInlineScalar(v, k.start + t.indexOf(v), builder);
          content = { text: builder.build() };
        }
      }
      j++;
    }
    if (path && content && !encoding && looksLikeAgentConfigPath(path)) {
      out.push({
        id: `${idBase}#write_files${n}`,
        hostFile: text.primaryFile(hostFile),
        os: /^[A-Za-z]:[\\/]/.test(path) ? 'windows' : 'linux',
        osReason: `written by cloud-init write_files (${path})`,
        targetPath: path,
        writeSpan: text.toHost(itemStart, lines[Math.max(i, j - 1)]!.end),
        via: 'cloud-init write_files',
        text: content.text,
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

/**
 * The `runcmd` commands of a cloud-config as one shell script (one command per line), mapped to their characters:
 * cloud-init runs them after `write_files`, so a `sed -i` there edits the files written above. String items (plain,
 * quoted or block scalars); argv-list items (`- [ sh, -c, … ]`) are skipped.
 */
export function cloudInitRuncmd(text: MappedText): MappedText | undefined {
  const src = text.text;
  if (!isCloudConfig(src)) return undefined;
  const lines = linesOf(src);
  const at = lines.findIndex((l) => l.indent === 0 && /^runcmd\s*:\s*$/.test(src.slice(l.start, l.end)));
  if (at < 0) return undefined;
  const b = new MappedTextBuilder(text);
  let any = false;
  let i = at + 1;
  while (i < lines.length) {
    const l = lines[i]!;
    const t = src.slice(l.start, l.end);
    if (l.blank) {
      i++;
      continue;
    }
    if (l.indent === 0 && !/^-\s/.test(t)) break;
    const m = /^(\s*)-\s+(.*)$/.exec(t);
    if (!m) {
      i++;
      continue;
    }
    const v = m[2]!;
    const col = m[1]!.length + t.slice(m[1]!.length).indexOf(v);
    if (/^[|>][+-]?\d*\s*$/.test(v)) {
      // A block scalar item: its more-indented lines.
      const r = copyBlockScalar(src, lines, i, b);
      any ||= r.copied;
      i = r.next;
      continue;
    }
    if (!v.startsWith('[')) {
      copyInlineScalar(v, l.start + col, b);
      b.emit('\n', l.end, l.end);
      any = true;
    }
    i++;
  }
  return any ? b.build() : undefined;
}
