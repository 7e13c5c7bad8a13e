/**
 * The lines of a block-style YAML text (cloud-init user data, Docker Compose files) as the readers that locate keys
 * in it need them: where each line starts and ends (before `\r\n` / `\n`), its indent in spaces (YAML indents with
 * spaces only), and whether it holds nothing (blank, or a comment only).
 */
export interface YamlLine {
  readonly start: number;
  /** Before the line break (a `\r` of `\r\n` excluded). */
  readonly end: number;
  readonly indent: number;
  /** Blank, or a comment only. */
  readonly blank: boolean;
}

export function yamlLines(text: string): YamlLine[] {
  const out: YamlLine[] = [];
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const lineEnd = end > pos && text[end - 1] === '\r' ? end - 1 : end;
    let i = pos;
    while (i < lineEnd && text.charCodeAt(i) === 32 /* space */) i++;
    const rest = text.slice(i, lineEnd).trim();
    out.push({ start: pos, end: lineEnd, indent: i - pos, blank: rest === '' || rest.startsWith('#') });
    if (nl < 0) break;
    pos = nl + 1;
  }
  return out;
}
