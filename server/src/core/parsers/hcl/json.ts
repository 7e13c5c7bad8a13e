/**
 * JSON agent configs (Nomad/Consul accept `.json`) converted to the HCL tree
 * with exact offsets. Object-valued keys become blocks, an array of objects
 * becomes repeated blocks (each block's range starts at the key), everything
 * else becomes an attribute. Tolerant: reports diagnostics, keeps what parsed.
 */
import type { HclAttribute, HclBlock, HclBody, HclEscapeIssue, HclExpr, HclParseResult } from './ast';
import { addDiagnostic, type LexDiagnostic } from './lexer';
import { finishDiagnostics } from './parser';

const MAX_JSON_DEPTH = 500;

interface JMember {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly value: JNode;
}

type JNode =
  | { readonly kind: 'object'; readonly start: number; readonly end: number; readonly members: JMember[] }
  | { readonly kind: 'array'; readonly start: number; readonly end: number; readonly items: JNode[] }
  | {
      readonly kind: 'string';
      readonly start: number;
      readonly end: number;
      readonly value: string;
      readonly contentEnd: number;
      readonly escapeIssues: HclEscapeIssue[];
    }
  | { readonly kind: 'number'; readonly start: number; readonly end: number; readonly raw: string }
  | { readonly kind: 'bool'; readonly start: number; readonly end: number; readonly value: boolean }
  | { readonly kind: 'null'; readonly start: number; readonly end: number }
  | { readonly kind: 'missing'; readonly start: number; readonly end: number };

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class JsonReader {
  pos = 0;
  depth = 0;
  readonly diags: LexDiagnostic[] = [];
  constructor(readonly src: string) {}

  skipWs(): number {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) this.pos++;
      else break;
    }
    return this.pos;
  }

  private ch(): string {
    return this.src.charAt(this.pos);
  }

  private diag(start: number, end: number, message: string): void {
    addDiagnostic(this.diags, start, end, message);
  }

  /** Skips a bracketed group without recursion (used past the depth limit). */
  private skipGroup(): void {
    let level = 0;
    const src = this.src;
    while (this.pos < src.length) {
      const c = src.charAt(this.pos);
      if (c === '"') {
        this.readString();
        continue;
      }
      this.pos++;
      if (c === '{' || c === '[') level++;
      else if (c === '}' || c === ']') {
        level--;
        if (level <= 0) return;
      }
    }
  }

  readValue(): JNode {
    const start = this.skipWs();
    const c = this.ch();
    if (c === '{' || c === '[') {
      if (this.depth >= MAX_JSON_DEPTH) {
        this.diag(start, start + 1, `JSON nested too deeply (more than ${MAX_JSON_DEPTH} levels); the rest of it is skipped`);
        this.skipGroup();
        return { kind: 'missing', start, end: this.pos };
      }
      this.depth++;
      try {
        return c === '{' ? this.readObject() : this.readArray();
      } finally {
        this.depth--;
      }
    }
    if (c === '"') return this.readString();
    const m = /-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
    m.lastIndex = start;
    const hit = m.exec(this.src);
    if (hit) {
      const raw = hit[0];
      this.pos = start + raw.length;
      if (raw === 'true' || raw === 'false') return { kind: 'bool', start, end: this.pos, value: raw === 'true' };
      if (raw === 'null') return { kind: 'null', start, end: this.pos };
      return { kind: 'number', start, end: this.pos, raw };
    }
    this.diag(
      start,
      Math.min(start + 1, this.src.length),
      c === '' ? 'Missing value; unexpected end of file' : `Invalid JSON value starting with ${JSON.stringify(c)}`,
    );
    return { kind: 'missing', start, end: start };
  }

  readString(): JNode & { kind: 'string' } {
    const src = this.src;
    const start = this.pos;
    let p = start + 1;
    let value = '';
    let run = p;
    const escapeIssues: HclEscapeIssue[] = [];
    for (;;) {
      if (p >= src.length || src.charCodeAt(p) === 0x0a) {
        value += src.slice(run, p);
        this.diag(start, p, 'literal not terminated: the JSON string has no closing quote on this line');
        this.pos = p;
        return { kind: 'string', start, end: p, value, contentEnd: p, escapeIssues };
      }
      const c = src.charAt(p);
      if (c === '"') {
        value += src.slice(run, p);
        this.pos = p + 1;
        return { kind: 'string', start, end: p + 1, value, contentEnd: p, escapeIssues };
      }
      if (c !== '\\') {
        p++;
        continue;
      }
      value += src.slice(run, p);
      const e = src.charAt(p + 1);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        if ('bfnrt'.includes(e)) escapeIssues.push({ start: p, end: p + 2, kind: 'control', sequence: '\\' + e });
        value += simple;
        p += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(p + 2, p + 6))) {
        value += String.fromCharCode(parseInt(src.slice(p + 2, p + 6), 16));
        p += 6;
      } else {
        const len = e === '' || e === '\n' ? 1 : 2;
        const sequence = src.slice(p, p + len);
        escapeIssues.push({ start: p, end: p + len, kind: 'invalid', sequence });
        this.diag(p, p + len, `illegal char escape: ${sequence}`);
        value += sequence;
        p += len;
      }
      run = p;
    }
  }

  private readObject(): JNode {
    const start = this.pos++;
    const members: JMember[] = [];
    for (;;) {
      const at = this.skipWs();
      const c = this.ch();
      if (c === '}') {
        this.pos++;
        return { kind: 'object', start, end: this.pos, members };
      }
      if (c === '' || c === ']') {
        this.diag(start, start + 1, "Unclosed JSON object; expected '}'");
        return { kind: 'object', start, end: at, members };
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c !== '"') {
        this.diag(at, at + 1, `Expected a quoted key, found ${JSON.stringify(c)}`);
        if (c === '{' || c === '[') this.readValue();
        else this.pos++;
        continue;
      }
      const key = this.readString();
      const colonAt = this.skipWs();
      let value: JNode;
      if (this.ch() === ':') {
        this.pos++;
        const vAt = this.skipWs();
        const v = this.ch();
        value =
          v === '}' || v === ',' || v === ''
            ? (this.diag(colonAt, colonAt + 1, 'Missing value after ":"'), { kind: 'missing', start: vAt, end: vAt })
            : this.readValue();
      } else {
        this.diag(key.start, key.end, "Missing ':' after object key");
        value = { kind: 'missing', start: key.end, end: key.end };
      }
      members.push({ key: key.value, keyStart: key.start, keyEnd: key.end, value });
      const after = this.skipWs();
      const a = this.ch();
      if (a !== ',' && a !== '}' && a !== '') this.diag(after, after + 1, "Expected ',' or '}' after an object member");
    }
  }

  private readArray(): JNode {
    const start = this.pos++;
    const items: JNode[] = [];
    for (;;) {
      const at = this.skipWs();
      const c = this.ch();
      if (c === ']') {
        this.pos++;
        return { kind: 'array', start, end: this.pos, items };
      }
      if (c === '' || c === '}') {
        this.diag(start, start + 1, "Unclosed JSON array; expected ']'");
        return { kind: 'array', start, end: at, items };
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      const item = this.readValue();
      if (item.kind === 'missing' && this.pos === at) this.pos++;
      else items.push(item);
      const after = this.skipWs();
      const a = this.ch();
      if (a !== ',' && a !== ']' && a !== '') this.diag(after, after + 1, "Expected ',' or ']' after an array item");
    }
  }
}

function toExpr(node: JNode, src: string): HclExpr {
  switch (node.kind) {
    case 'string':
      return {
        type: 'string',
        start: node.start,
        end: node.end,
        value: node.value,
        parts: node.contentEnd > node.start + 1 ? [{ kind: 'literal', start: node.start + 1, end: node.contentEnd, value: node.value }] : [],
        contentStart: node.start + 1,
        contentEnd: node.contentEnd,
        heredoc: false,
        escapeIssues: node.escapeIssues,
      };
    case 'number':
      return { type: 'number', start: node.start, end: node.end, value: Number(node.raw), raw: node.raw };
    case 'bool':
      return { type: 'bool', start: node.start, end: node.end, value: node.value };
    case 'null':
      return { type: 'null', start: node.start, end: node.end };
    case 'array':
      return { type: 'list', start: node.start, end: node.end, items: node.items.map((i) => toExpr(i, src)) };
    case 'object':
      return {
        type: 'object',
        start: node.start,
        end: node.end,
        items: node.members.map((m) => attribute(m, toExpr(m.value, src))),
      };
    case 'missing':
      return { type: 'other', start: node.start, end: node.end, raw: src.slice(node.start, node.end) };
  }
}

function attribute(m: JMember, value: HclExpr): HclAttribute {
  return { kind: 'attribute', start: m.keyStart, end: Math.max(value.end, m.keyEnd), name: m.key, nameStart: m.keyStart, nameEnd: m.keyEnd, value };
}

function block(m: JMember, obj: JNode & { kind: 'object' }, src: string): HclBlock {
  return {
    kind: 'block',
    start: m.keyStart,
    end: obj.end,
    type: m.key,
    typeStart: m.keyStart,
    typeEnd: m.keyEnd,
    labels: [],
    body: toBody(obj, src),
  };
}

function toBody(obj: JNode & { kind: 'object' }, src: string): HclBody {
  const items: Array<HclAttribute | HclBlock> = [];
  for (const m of obj.members) {
    const v = m.value;
    if (v.kind === 'object') {
      items.push(block(m, v, src));
    } else if (v.kind === 'array' && v.items.length > 0 && v.items.every((i) => i.kind === 'object')) {
      for (const i of v.items) if (i.kind === 'object') items.push(block(m, i, src));
    } else {
      items.push(attribute(m, toExpr(v, src)));
    }
  }
  return { start: obj.start, end: obj.end, items };
}

/** Parses a JSON agent config into the HCL tree. Never throws. */
export function parseJsonConfig(text: string): HclParseResult {
  const reader = new JsonReader(text);
  try {
    const start = reader.skipWs();
    if (start >= text.length) return { body: { start: 0, end: text.length, items: [] }, diagnostics: [] };
    const root = reader.readValue();
    const rest = reader.skipWs();
    if (rest < text.length) reader.diags.push({ start: rest, end: text.length, message: 'Extra characters after the top-level JSON value' });
    let items: Array<HclAttribute | HclBlock> = [];
    if (root.kind === 'object') items = [...toBody(root, text).items];
    else if (root.kind !== 'missing') reader.diags.push({ start: root.start, end: root.end, message: 'A JSON config must be an object at the top level' });
    return { body: { start: 0, end: text.length, items }, diagnostics: finishDiagnostics(reader.diags) };
  } catch (err) {
    reader.diags.push({ start: 0, end: 0, message: `Internal JSON parser error: ${err instanceof Error ? err.message : String(err)}` });
    return { body: { start: 0, end: text.length, items: [] }, diagnostics: finishDiagnostics(reader.diags) };
  }
}
