/**
 * Expression parser (HCL 2 expression syntax, which is also what HCL v1 /
 * Terraform 0.11 interpolations use). Structured results for literals,
 * collections, traversals and calls; everything else (operators,
 * conditionals, for-expressions, splats) becomes `type: 'other'` with its raw
 * text. Tolerant: never throws, always makes progress, depth-limited.
 * Strings, heredocs and template interpolations are read in stringExpressions.ts.
 */
import type { HclAttribute, HclExpr, HclForExpr } from './ast';
import { scanToken, type Token } from './lexer';
import type { DirectiveResult, InterpolationResult, TemplateHost } from './strings';
import { parseDirective, parseHeredocString, parseInterpolation, parseQuotedString } from './stringExpressions';
import { TokenReader } from './tokenReader';

export const MAX_DEPTH = 500;

const BINARY_OPS = new Set(['==', '!=', '<', '>', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%']);

export class ExprParser extends TokenReader implements TemplateHost {
  private other(start: number, end: number, operands?: readonly HclExpr[]): HclExpr {
    return operands ? { type: 'other', start, end, raw: this.src.slice(start, end), operands } : { type: 'other', start, end, raw: this.src.slice(start, end) };
  }

  private missing(at: Token): HclExpr {
    this.diag(at.start, at.end, 'Missing expression; expected the start of an expression');
    return { type: 'other', start: at.start, end: at.start, raw: '' };
  }

  parseExpression(): HclExpr {
    if (this.depth >= MAX_DEPTH) {
      const t = this.peek();
      this.diag(t.start, t.end, `Expression nested too deeply (more than ${MAX_DEPTH} levels); the rest of it is skipped`);
      this.skipBalanced();
      return this.other(t.start, Math.max(t.start, this.lastEnd));
    }
    this.depth++;
    try {
      const start = this.peek().start;
      let expr = this.parseBinary();
      if (expr.end === expr.start && expr.type === 'other') return expr;
      if (this.isPunct(this.peek(), '?')) {
        this.next();
        const operands: HclExpr[] = [expr, this.parseExpression()];
        if (this.isPunct(this.peek(), ':')) {
          this.next();
          operands.push(this.parseExpression());
        } else {
          const t = this.peek();
          this.diag(t.start, t.end, "Missing false expression in conditional; expected ':'");
        }
        expr = this.other(start, this.lastEnd, operands);
      }
      return expr;
    } finally {
      this.depth--;
    }
  }

  private parseBinary(): HclExpr {
    const start = this.peek().start;
    let expr = this.parseUnary();
    const operands: HclExpr[] = [expr];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct' || !BINARY_OPS.has(t.text)) break;
      this.next();
      const right = this.parseUnary();
      operands.push(right);
      if (right.type === 'other' && right.start === right.end) break;
    }
    if (operands.length > 1) expr = this.other(start, this.lastEnd, operands);
    return expr;
  }

  private parseUnary(): HclExpr {
    const t = this.peek();
    if (t.kind === 'punct' && (t.text === '!' || t.text === '-')) {
      this.next();
      const after = this.peek();
      if (t.text === '-' && after.kind === 'number' && after.start === t.end) {
        const num = this.parsePostfix(this.parseNumber(this.next()));
        if (num.type === 'number') return { type: 'number', start: t.start, end: num.end, value: -num.value, raw: this.src.slice(t.start, num.end) };
        return this.other(t.start, num.end);
      }
      if (this.depth >= MAX_DEPTH) return this.parseExpression();
      this.depth++;
      try {
        const operand = this.parseUnary();
        const end = Math.max(operand.end, t.end);
        if (operand.start === operand.end && operand.type === 'other') return this.other(t.start, end);
        return { type: 'other', start: t.start, end, raw: this.src.slice(t.start, end), unary: { op: t.text, operand } };
      } finally {
        this.depth--;
      }
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parseNumber(tok: Token): HclExpr {
    const raw = tok.text;
    let value: number;
    if (/^0[xX]/.test(raw)) {
      value = parseInt(raw.slice(2), 16);
      if (this.dialect === 'hcl2') this.diag(tok.start, tok.end, 'Invalid number literal; hexadecimal numbers are not supported in HCL 2');
    } else if (this.dialect === 'hcl1' && /^0[0-7]+$/.test(raw)) value = parseInt(raw, 8);
    else value = Number(raw);
    return { type: 'number', start: tok.start, end: tok.end, value, raw };
  }

  private parsePostfix(base: HclExpr): HclExpr {
    if (base.type === 'other' && base.start === base.end) return base;
    const path: string[] | undefined = base.type === 'traversal' ? [...base.path] : undefined;
    let simple = path !== undefined;
    let changed = false;
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, '.')) {
        this.next();
        const n = this.peek();
        if (n.kind === 'ident') {
          this.next();
          path?.push(n.text);
        } else if (n.kind === 'number') {
          this.next();
          for (const seg of n.text.split('.')) path?.push(`[${seg}]`);
        } else if (this.isPunct(n, '*')) {
          this.next();
          simple = false;
        } else {
          this.diag(n.start, n.end, 'Invalid attribute name; an attribute name is required after a dot');
          simple = false;
          changed = true;
          break;
        }
        changed = true;
      } else if (this.isPunct(t, '[')) {
        this.next();
        this.nlIgnore++;
        const inner = this.peek();
        if (this.isPunct(inner, '*')) {
          this.next();
          simple = false;
        } else {
          const idx = this.parseExpression();
          if (idx.start === idx.end) simple = false;
          path?.push(`[${this.src.slice(idx.start, idx.end)}]`);
        }
        const close = this.peek();
        if (this.isPunct(close, ']')) this.next();
        else this.diag(close.start, close.end, "Missing close bracket on index; expected ']'");
        this.nlIgnore--;
        changed = true;
      } else {
        break;
      }
    }
    if (!changed) return base;
    if (simple && path) return { type: 'traversal', start: base.start, end: this.lastEnd, path };
    return this.other(base.start, this.lastEnd);
  }

  private parsePrimary(): HclExpr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        return this.parseNumber(this.next());
      case 'ident':
        return this.parseIdent();
      case 'quote':
        return this.parseQuoted();
      case 'heredoc':
        return parseHeredocString(this);
      case 'punct':
        if (t.text === '(') return this.parseParens();
        if (t.text === '[') return this.parseList();
        if (t.text === '{') return this.parseObject();
        return this.missing(t);
      case 'invalid':
        this.diag(t.start, t.end, `Invalid character ${JSON.stringify(t.text)}; this character is not used within the language`);
        return { type: 'other', start: t.start, end: t.start, raw: '' };
      default:
        return this.missing(t);
    }
  }

  private parseIdent(): HclExpr {
    const t = this.next();
    let name = t.text;
    // provider::name::fn style function names
    while (this.src.startsWith('::', this.pos)) {
      const after = scanToken(this.src, this.pos + 2, this.diags);
      if (after.kind !== 'ident' || after.start !== this.pos + 2) break;
      name += '::' + after.text;
      this.pos = this.lastEnd = after.end;
    }
    const n = this.peek();
    if (this.isPunct(n, '(')) return this.parseCall(t.start, name);
    if (name === 'true' || name === 'false') return { type: 'bool', start: t.start, end: t.end, value: name === 'true' };
    if (name === 'null') return { type: 'null', start: t.start, end: t.end };
    return { type: 'traversal', start: t.start, end: this.lastEnd, path: [name] };
  }

  private parseCall(start: number, name: string): HclExpr {
    const open = this.next();
    this.nlIgnore++;
    const args: HclExpr[] = [];
    let simple = true;
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, ')')) {
        this.next();
        break;
      }
      if (t.kind === 'eof' || this.isPunct(t, '}') || this.isPunct(t, ']')) {
        this.diag(open.start, t.start, "Unterminated function call; expected ')'");
        break;
      }
      const before = this.pos;
      const arg = this.parseExpression();
      if (arg.start === arg.end && this.pos === before) {
        this.next();
        continue;
      }
      args.push(arg);
      const sep = this.peek();
      if (this.isPunct(sep, '...')) {
        this.next();
        simple = false;
      }
      const sep2 = this.peek();
      if (this.isPunct(sep2, ',')) this.next();
      else if (!this.isPunct(sep2, ')') && sep2.kind !== 'eof') this.diag(sep2.start, sep2.end, "Missing argument separator; expected ',' or ')'");
    }
    this.nlIgnore--;
    if (!simple) return this.other(start, this.lastEnd);
    return { type: 'call', start, end: this.lastEnd, name, args };
  }

  private parseParens(): HclExpr {
    const open = this.next();
    this.nlIgnore++;
    const inner = this.parseExpression();
    const close = this.peek();
    const closed = this.isPunct(close, ')');
    if (closed) this.next();
    else this.diag(open.start, close.start, "Unbalanced parentheses; expected ')'");
    this.nlIgnore--;
    if (!closed || (inner.start === inner.end && inner.type === 'other')) return this.other(open.start, this.lastEnd);
    return { type: 'other', start: open.start, end: this.lastEnd, raw: this.src.slice(open.start, this.lastEnd), inner };
  }

  private isForStart(): boolean {
    const t = this.peek();
    if (t.kind !== 'ident' || t.text !== 'for') return false;
    const after = scanToken(this.src, t.end, []);
    return after.kind === 'ident';
  }

  /**
   * Parses a for-expression loosely up to `closer`; returns it as raw text, with its parts (`forExpr`) when they are
   * in the order the HCL spec gives them.
   */
  private parseFor(start: number, closer: string): HclExpr {
    this.nlIgnore++;
    // Each separator as its text, each expression as itself, in order.
    const pieces: Array<string | HclExpr> = [];
    let closed = false;
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, closer)) {
        this.next();
        closed = true;
        break;
      }
      if (t.kind === 'eof' || (t.kind === 'punct' && (t.text === '}' || t.text === ']' || t.text === ')'))) {
        this.diag(start, t.start, `Unterminated for expression; expected '${closer}'`);
        break;
      }
      if (t.kind === 'punct' && (t.text === ':' || t.text === '=>' || t.text === '...' || t.text === ',')) {
        pieces.push(this.next().text);
        continue;
      }
      const before = this.pos;
      const e = this.parseExpression();
      if (e.start === e.end && this.pos === before) {
        this.next();
        pieces.push('?');
      } else pieces.push(e);
    }
    this.nlIgnore--;
    const forExpr = closed ? forParts(pieces, closer === '}') : undefined;
    return forExpr ? { type: 'other', start, end: this.lastEnd, raw: this.src.slice(start, this.lastEnd), forExpr } : this.other(start, this.lastEnd);
  }

  private parseList(): HclExpr {
    const open = this.next();
    if (this.isForStart()) return this.parseFor(open.start, ']');
    this.nlIgnore++;
    const items: HclExpr[] = [];
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, ']')) {
        this.next();
        break;
      }
      if (t.kind === 'eof' || this.isPunct(t, '}') || this.isPunct(t, ')') || this.looksLikeNextItem(t)) {
        this.diag(open.start, open.end, "Unterminated list; expected ']'");
        break;
      }
      const before = this.pos;
      const item = this.parseExpression();
      if (item.start === item.end && this.pos === before) {
        this.next();
        continue;
      }
      items.push(item);
      const sep = this.peek();
      if (this.isPunct(sep, ',')) this.next();
      else if (!this.isPunct(sep, ']') && sep.kind !== 'eof') this.diag(sep.start, sep.end, "Missing item separator; expected ',' or ']'");
    }
    this.nlIgnore--;
    return { type: 'list', start: open.start, end: this.lastEnd, items };
  }

  /** Inside an unclosed collection: an identifier that starts a line and is followed by `=` or `{` is probably the next body item. */
  private looksLikeNextItem(t: Token): boolean {
    if (t.kind !== 'ident') return false;
    const gap = this.src.slice(this.lastEnd, t.start);
    if (!gap.includes('\n')) return false;
    const after = scanToken(this.src, t.end, []);
    if (after.kind === 'punct' && after.text === '{') return true;
    return after.kind === 'punct' && after.text === '=' && this.src.charCodeAt(after.end) !== 0x3d;
  }

  private parseObject(): HclExpr {
    const open = this.next();
    if (this.isForStart()) return this.parseFor(open.start, '}');
    const savedNl = this.nlIgnore;
    this.nlIgnore = 0;
    const items: HclAttribute[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'newline' || this.isPunct(t, ',')) {
        this.next();
        continue;
      }
      if (this.isPunct(t, '}')) {
        this.next();
        break;
      }
      if (t.kind === 'eof' || this.isPunct(t, ']') || this.isPunct(t, ')')) {
        this.diag(open.start, open.end, "Unterminated object; expected '}'");
        break;
      }
      const before = this.pos;
      const key = this.parseExpression();
      if (key.start === key.end && this.pos === before) {
        this.next();
        continue;
      }
      const name =
        key.type === 'string' ? key.value : key.type === 'traversal' && key.path.length === 1 ? (key.path[0] ?? '') : this.src.slice(key.start, key.end);
      const sep = this.peek();
      let value: HclExpr;
      if (this.isPunct(sep, '=') || this.isPunct(sep, ':')) {
        this.next();
        const v = this.peek();
        value = v.kind === 'newline' || this.isPunct(v, '}') || this.isPunct(v, ',') ? this.missing(v) : this.parseExpression();
      } else if (this.isPunct(sep, '{') && this.dialect === 'hcl1') {
        value = this.parseObject();
      } else {
        this.diag(sep.start, sep.end, "Missing key/value separator; expected '=' or ':'");
        value = { type: 'other', start: key.end, end: key.end, raw: '' };
      }
      items.push({ kind: 'attribute', start: key.start, end: Math.max(value.end, key.end), name, nameStart: key.start, nameEnd: key.end, value });
      const after = this.peek();
      if (!(after.kind === 'newline' || after.kind === 'eof' || this.isPunct(after, ',') || this.isPunct(after, '}'))) {
        this.diag(after.start, after.end, "Missing attribute separator; expected a newline or ','");
      }
    }
    this.nlIgnore = savedNl;
    return { type: 'object', start: open.start, end: this.lastEnd, items };
  }

  parseQuoted(): HclExpr & { type: 'string' } {
    return parseQuotedString(this);
  }

  interpolation(pos: number, limit: number): InterpolationResult {
    return parseInterpolation(this, pos, limit);
  }

  directive(pos: number, limit: number): DirectiveResult {
    return parseDirective(this, pos, limit);
  }
}

/** A single-name traversal's name (`k`, `in`, `if`). */
function word(p: string | HclExpr | undefined): string | undefined {
  return p !== undefined && typeof p !== 'string' && p.type === 'traversal' && p.path.length === 1 ? p.path[0] : undefined;
}

/**
 * The parts of a for-expression read loosely as `pieces` (separators as text, expressions as themselves):
 * `for k, v in coll : key => value ... if cond`. Undefined unless they come in exactly that order.
 */
function forParts(pieces: ReadonlyArray<string | HclExpr>, object: boolean): HclForExpr | undefined {
  let i = 0;
  if (word(pieces[i++]) !== 'for') return undefined;
  const first = word(pieces[i++]);
  if (!first) return undefined;
  let keyVar: string | undefined;
  let valueVar = first;
  if (pieces[i] === ',') {
    const second = word(pieces[i + 1]);
    if (!second) return undefined;
    keyVar = first;
    valueVar = second;
    i += 2;
  }
  if (word(pieces[i++]) !== 'in') return undefined;
  const collection = pieces[i++];
  if (collection === undefined || typeof collection === 'string' || pieces[i++] !== ':') return undefined;
  let key: HclExpr | undefined;
  let value = pieces[i++];
  if (value === undefined || typeof value === 'string') return undefined;
  if (object) {
    if (pieces[i++] !== '=>') return undefined;
    key = value;
    value = pieces[i++];
    if (value === undefined || typeof value === 'string') return undefined;
  }
  const grouping = object && pieces[i] === '...';
  if (grouping) i++;
  let condition: HclExpr | undefined;
  if (word(pieces[i]) === 'if') {
    const c = pieces[i + 1];
    if (c === undefined || typeof c === 'string') return undefined;
    condition = c;
    i += 2;
  }
  if (i !== pieces.length) return undefined;
  return {
    object,
    ...(keyVar !== undefined ? { keyVar } : {}),
    valueVar,
    collection,
    ...(key ? { key } : {}),
    value,
    grouping,
    ...(condition ? { condition } : {}),
  };
}
