/**
 * Tolerant HCL body parser (HCL v1 and HCL 2): attributes and blocks with
 * exact source ranges. Never throws; a half-typed file yields every item that
 * can be parsed plus diagnostics. Linear time, depth-limited recursion.
 */
import type { HclAttribute, HclBlock, HclBody, HclDialect, HclExpr, HclLabel, HclParseResult, HclSyntaxDiagnostic } from './ast';
import { ExprParser, MAX_DEPTH } from './expressions';
import { isIdentContinue, scanIdentEnd, type LexDiagnostic, type Token } from './lexer';

class BodyParser extends ExprParser {
  parseFile(): HclBody {
    const items = this.parseItems(undefined);
    return { start: 0, end: this.src.length, items };
  }

  /** Parses body items until EOF, or until `}` when `open` (the block's `{`) is given. */
  private parseItems(open: Token | undefined, singleLine = false): Array<HclAttribute | HclBlock> {
    const items: Array<HclAttribute | HclBlock> = [];
    for (;;) {
      if (singleLine && items.length === 1) {
        // HCL 2 single-line block: `a { b = 1 }` holds one argument and closes on the same line.
        singleLine = false;
        const only = items[0];
        if (only?.kind === 'block') {
          this.diag(only.start, only.end, 'Invalid single-line block definition; a single-line block definition cannot contain another block definition');
        }
        const t = this.peek();
        if (!this.isPunct(t, '}') && t.kind !== 'eof') {
          this.diag(t.start, t.end, 'Invalid single-line block definition; a single-line block definition can contain only a single argument');
        }
      }
      const t = this.peek();
      if (t.kind === 'newline') {
        this.next();
        continue;
      }
      if (t.kind === 'eof') {
        if (open) this.diag(open.start, open.end, 'Unclosed configuration block; there is no closing brace for this block before the end of the file');
        return items;
      }
      if (this.isPunct(t, '}')) {
        if (open) return items;
        this.diag(t.start, t.end, 'Argument or block definition required; unexpected closing brace');
        this.next();
        continue;
      }
      if (this.dialect === 'hcl1' && this.isPunct(t, ',')) {
        this.next();
        continue;
      }
      if (t.kind === 'ident' || (t.kind === 'quote' && this.dialect === 'hcl1')) {
        const item = this.parseItem();
        if (item) items.push(item);
        continue;
      }
      if (t.kind === 'invalid') this.diag(t.start, t.end, `Invalid character ${JSON.stringify(t.text)}; this character is not used within the language`);
      else this.diag(t.start, t.end, 'Argument or block definition required; an argument or block definition is required here');
      if (t.kind === 'quote' || t.kind === 'heredoc' || (t.kind === 'punct' && (t.text === '[' || t.text === '(' || t.text === '{'))) this.skipBalanced();
      else this.next();
    }
  }

  private readName(): { name: string; start: number; end: number } {
    const t = this.peek();
    if (t.kind === 'quote') {
      const s = this.parseQuoted();
      return { name: s.value, start: s.start, end: s.end };
    }
    this.next();
    let end = t.end;
    if (this.dialect === 'hcl1') {
      // HCL v1 accepts dotted keys (`foo.bar = 1`); its scanner continues an identifier with letters, digits, `-`
      // and `.`, so a digit may follow the dot (Consul's `telemetry { disable_compat_1.9 = true }`).
      while (this.src.charCodeAt(end) === 0x2e && isIdentContinue(this.src.charCodeAt(end + 1))) {
        end = scanIdentEnd(this.src, end + 1);
      }
      this.pos = this.lastEnd = end;
    }
    return { name: this.src.slice(t.start, end), start: t.start, end };
  }

  private parseItem(): HclAttribute | HclBlock | undefined {
    const name = this.readName();
    const labels: HclLabel[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'quote') {
        const s = this.parseQuoted();
        labels.push({ start: s.start, end: s.end, value: s.value });
      } else if (t.kind === 'ident') {
        this.next();
        labels.push({ start: t.start, end: t.end, value: t.text });
      } else {
        break;
      }
    }
    let t = this.peek();
    if (this.isPunct(t, '=') || (this.dialect === 'hcl1' && this.isPunct(t, ':'))) {
      if (labels.length > 0) {
        const first = labels[0];
        this.diag(first?.start ?? t.start, t.start, 'Unexpected labels before an attribute assignment');
      }
      const eq = this.next();
      return this.finishAttribute(name, eq);
    }
    if (!this.isPunct(t, '{')) {
      this.diag(t.start, t.end, `Invalid ${labels.length > 0 ? 'block definition' : 'argument or block definition'}; expected '=' or '{' after "${name.name}"`);
      // Skip the rest of the line, but open a block if a brace shows up.
      while (t.kind !== 'newline' && t.kind !== 'eof' && !this.isPunct(t, '{') && !this.isPunct(t, '}')) {
        if (t.kind === 'quote' || t.kind === 'heredoc' || this.isPunct(t, '[') || this.isPunct(t, '(')) this.skipBalanced();
        else this.next();
        t = this.peek();
      }
      if (!this.isPunct(t, '{')) return undefined;
    }
    return this.parseBlock(name, labels);
  }

  private finishAttribute(name: { name: string; start: number; end: number }, eq: Token): HclAttribute {
    const v = this.peek();
    let value: HclExpr;
    if (v.kind === 'newline' || v.kind === 'eof' || this.isPunct(v, '}')) {
      this.diag(
        v.kind === 'newline' || v.kind === 'eof' ? eq.start : v.start,
        v.kind === 'eof' ? v.start : v.end,
        'Missing expression; expected the start of an expression after "="',
      );
      value = { type: 'other', start: eq.end, end: eq.end, raw: '' };
    } else {
      value = this.parseExpression();
    }
    const after = this.peek();
    if (this.dialect === 'hcl1') {
      if (this.isPunct(after, ',')) this.next();
    } else if (after.kind !== 'newline' && after.kind !== 'eof' && !this.isPunct(after, '}')) {
      this.diag(after.start, after.end, 'Missing newline after argument; an argument definition must end with a newline');
    }
    return {
      kind: 'attribute',
      start: name.start,
      end: Math.max(value.end, eq.end),
      name: name.name,
      nameStart: name.start,
      nameEnd: name.end,
      value,
    };
  }

  private parseBlock(name: { name: string; start: number; end: number }, labels: HclLabel[]): HclBlock {
    const open = this.next();
    let items: Array<HclAttribute | HclBlock> = [];
    if (this.depth >= MAX_DEPTH) {
      this.diag(open.start, open.end, `Block nested too deeply (more than ${MAX_DEPTH} levels); its content is skipped`);
      this.pos = open.start;
      this.skipBalanced();
    } else {
      const savedNl = this.nlIgnore;
      this.nlIgnore = 0;
      this.depth++;
      const first = this.peek();
      const singleLine = this.dialect === 'hcl2' && first.kind !== 'newline' && first.kind !== 'eof' && !this.isPunct(first, '}');
      try {
        items = this.parseItems(open, singleLine);
      } finally {
        this.depth--;
        this.nlIgnore = savedNl;
      }
      const close = this.peek();
      if (this.isPunct(close, '}')) this.next();
    }
    const end = Math.max(this.lastEnd, open.end);
    return {
      kind: 'block',
      start: name.start,
      end,
      type: name.name,
      typeStart: name.start,
      typeEnd: name.end,
      labels,
      body: { start: open.start, end, items },
    };
  }
}

/** Sorts diagnostics by position and drops exact duplicates. */
export function finishDiagnostics(diags: readonly LexDiagnostic[]): HclSyntaxDiagnostic[] {
  const seen = new Set<string>();
  const out: HclSyntaxDiagnostic[] = [];
  for (const d of diags) {
    const key = `${d.start}:${d.end}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ start: d.start, end: d.end, message: d.message });
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Parses HCL text. Never throws. */
export function parseHcl(text: string, dialect: HclDialect = 'hcl2'): HclParseResult {
  const parser = new BodyParser(text, dialect);
  let body: HclBody;
  try {
    body = parser.parseFile();
  } catch (err) {
    // Defensive: the parser is designed not to throw; keep the file usable if it does.
    parser.diag(0, 0, `Internal parser error: ${err instanceof Error ? err.message : String(err)}`);
    body = { start: 0, end: text.length, items: [] };
  }
  return { body, diagnostics: finishDiagnostics(parser.diags) };
}

/**
 * One HCL expression written on its own (the condition of a template's `%{ if … }`), parsed as the value of an
 * attribute; undefined when it does not parse cleanly. Offsets are relative to a `_ = ` prefix, not to any file.
 */
export function parseExpressionText(text: string): HclExpr | undefined {
  const r = parseHcl(`_ = ${text.replace(/[\r\n]+/g, ' ')}\n`, 'hcl2');
  const item = r.body.items[0];
  if (r.diagnostics.length > 0 || r.body.items.length !== 1 || item?.kind !== 'attribute') return undefined;
  return item.value;
}
