/**
 * Thin wrapper around `@cdktf/hcl2json` (HashiCorp's HCL 2 parser compiled to
 * WebAssembly) that turns its rejection messages into structured errors.
 *
 * Messages look like
 *   parse config: [b.hcl:2,6-3,1: Invalid expression; Expected ... token. b.hcl:4,5-6: Invalid character; ...]
 * i.e. `file:line,col-endCol` or `file:line,col-endLine,endCol`, then
 * `Summary; Detail`, several diagnostics separated by a space.
 */

export interface OfficialHclError {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** 1-based end line, when the message gives a range. */
  readonly endLine?: number;
  /** 1-based end column (exclusive, as HCL reports it). */
  readonly endColumn?: number;
  readonly summary: string;
  readonly detail: string;
}

interface Hcl2JsonModule {
  parse(filename: string, contents: string): Promise<unknown>;
}

let loaded: Hcl2JsonModule | undefined;

function hcl2json(): Hcl2JsonModule {
  if (!loaded) {
    loaded = require('@cdktf/hcl2json') as Hcl2JsonModule;
  }
  return loaded;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function splitSummary(text: string): { summary: string; detail: string } {
  const semi = text.indexOf('; ');
  if (semi < 0) return { summary: text.trim(), detail: '' };
  return { summary: text.slice(0, semi).trim(), detail: text.slice(semi + 2).trim() };
}

/** Parses an hcl2json rejection message into errors. Exported for tests. */
export function parseOfficialMessage(message: string, fileName: string): OfficialHclError[] {
  let body = message.trim();
  const wrapped = /^parse config:\s*\[([\s\S]*)\]$/.exec(body);
  if (wrapped && wrapped[1] !== undefined) body = wrapped[1];
  const head = new RegExp(`(?:^|\\s)${escapeRegExp(fileName)}:(\\d+),(\\d+)(?:-(?:(\\d+),)?(\\d+))?: `, 'g');
  const heads: Array<{ index: number; textStart: number; m: RegExpExecArray }> = [];
  for (let m = head.exec(body); m; m = head.exec(body)) {
    heads.push({ index: m.index, textStart: m.index + m[0].length, m });
  }
  if (heads.length === 0) {
    const { summary, detail } = splitSummary(body);
    return [{ line: 1, column: 1, summary, detail }];
  }
  const errors: OfficialHclError[] = [];
  heads.forEach((h, i) => {
    const next = heads[i + 1];
    const text = body.slice(h.textStart, next ? next.index : body.length);
    const { summary, detail } = splitSummary(text);
    const line = Number(h.m[1]);
    const column = Number(h.m[2]);
    const endLine = h.m[3] !== undefined ? Number(h.m[3]) : h.m[4] !== undefined ? line : undefined;
    const endColumn = h.m[4] !== undefined ? Number(h.m[4]) : undefined;
    errors.push({
      line,
      column,
      ...(endLine !== undefined ? { endLine } : {}),
      ...(endColumn !== undefined ? { endColumn } : {}),
      summary,
      detail,
    });
  });
  return errors;
}

/**
 * Parses `text` with HashiCorp's HCL 2 parser and returns its errors (empty
 * when the text parses). Note: it also reports decode-level problems such as
 * a redefined attribute.
 */
export async function officialHclErrors(text: string, fileName = 'input.hcl'): Promise<OfficialHclError[]> {
  try {
    await hcl2json().parse(fileName, text);
    return [];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return parseOfficialMessage(message, fileName);
  }
}
