/**
 * Token cursor and expression parser (HCL 2 expression syntax, which is also
 * what HCL v1 / Terraform 0.11 interpolations use). Structured results for
 * literals, collections, traversals and calls; everything else (operators,
 * conditionals, for-expressions, splats) becomes `type: 'other'` with its raw
 * text. Tolerant: never throws, always makes progress, depth-limited.
 */
import type { HclAttribute, HclDialect, HclExpr } from './ast';
import { addDiagnostic, scanToken, skipBlanks, type LexDiagnostic, type Token } from './lexer';
import { locateHeredoc, scanTemplate, type DirectiveResult, type InterpolationResult, type TemplateHost } from './strings';

export const MAX_DEPTH = 500;

const BINARY_OPS = new Set(['==', '!=', '<', '>', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%']);
const OPENERS: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

export class ExprParser implements TemplateHost {
  readonly diags: LexDiagnostic[] = [];
  pos = 0;
  /** Tokens starting at or after `limit` read as end of file. */
  limit: number;
  /** > 0 inside brackets / interpolations, where newlines are not significant. */
  nlIgnore = 0;
  depth = 0;
  /** End of the last consumed token or string. */
  lastEnd = 0;
  private cacheKey = -1;
  private cacheLimit = -1;
  private cacheTok: Token | undefined;

  constructor(
    readonly src: string,
    readonly dialect: HclDialect,
  ) {
    this.limit = src.length;
  }

  /** Records a diagnostic; a run of identical adjacent diagnostics is merged, and the total is capped. */
  diag(start: number, end: number, message: string): void {
    addDiagnostic(this.diags, start, end, message);
  }

  /** The next token; newline tokens are skipped (and consumed) while `nlIgnore > 0`. */
  peek(): Token {
    for (;;) {
      let tok: Token;
      if (this.cacheKey === this.pos && this.cacheLimit === this.limit && this.cacheTok) {
        tok = this.cacheTok;
      } else {
        tok = scanToken(this.src, this.pos, this.diags);
        if (tok.start >= this.limit) tok = { kind: 'eof', start: this.limit, end: this.limit, text: '' };
        this.cacheKey = this.pos;
        this.cacheLimit = this.limit;
        this.cacheTok = tok;
      }
      if (tok.kind === 'newline' && this.nlIgnore > 0) {
        this.pos = tok.end;
        continue;
      }
      return tok;
    }
  }

  next(): Token {
    const tok = this.peek();
    this.pos = tok.end;
    if (tok.kind !== 'eof' && tok.kind !== 'newline') this.lastEnd = tok.end;
    return tok;
  }

  isPunct(tok: Token, text: string): boolean {
    return tok.kind === 'punct' && tok.text === text;
  }

  /** Skips one token, or a whole bracketed group without recursion. */
  skipBalanced(): void {
    const first = this.next();
    if (first.kind === 'quote') return this.skipQuotedRest();
    if (first.kind === 'heredoc') return this.skipHeredocRest(first);
    if (first.kind !== 'punct' || OPENERS[first.text] === undefined) return;
    let level = 1;
    const saved = this.nlIgnore;
    this.nlIgnore = 1;
    while (level > 0) {
      const t = this.next();
      if (t.kind === 'eof') break;
      if (t.kind === 'quote') this.skipQuotedRest();
      else if (t.kind === 'heredoc') this.skipHeredocRest(t);
      else if (t.kind === 'punct' && OPENERS[t.text] !== undefined) level++;
      else if (t.kind === 'punct' && (t.text === '}' || t.text === ']' || t.text === ')')) level--;
    }
    this.nlIgnore = saved;
  }

  private skipQuotedRest(): void {
    const src = this.src;
    let p = this.pos;
    while (p < this.limit) {
      const c = src.charCodeAt(p);
      if (c === 0x22 || c === 0x0a) break;
      p += c === 0x5c ? 2 : 1;
    }
    p = Math.min(p, this.limit);
    this.pos = src.charCodeAt(p) === 0x22 ? p + 1 : p;
    this.lastEnd = this.pos;
  }

  private skipHeredocRest(tok: Token): void {
    const flush = tok.text.startsWith('<<-');
    const info = locateHeredoc(this.src, tok.end, tok.text.slice(flush ? 3 : 2), flush);
    this.pos = this.lastEnd = info.end;
  }

  private other(start: number, end: number): HclExpr {
    return { type: 'other', start, end, raw: this.src.slice(start, end) };
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
        const a = this.parseExpression();
        if (this.isPunct(this.peek(), ':')) {
          this.next();
          this.parseExpression();
        } else {
          const t = this.peek();
          this.diag(t.start, t.end, "Missing false expression in conditional; expected ':'");
          void a;
        }
        expr = this.other(start, this.lastEnd);
      }
      return expr;
    } finally {
      this.depth--;
    }
  }

  private parseBinary(): HclExpr {
    const start = this.peek().start;
    let expr = this.parseUnary();
    let combined = false;
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct' || !BINARY_OPS.has(t.text)) break;
      this.next();
      combined = true;
      const right = this.parseUnary();
      if (right.type === 'other' && right.start === right.end) break;
    }
    if (combined) expr = this.other(start, this.lastEnd);
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
        return this.other(t.start, Math.max(operand.end, t.end));
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
        return this.parseHeredoc();
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
    this.parseExpression();
    const close = this.peek();
    if (this.isPunct(close, ')')) this.next();
    else this.diag(open.start, close.start, "Unbalanced parentheses; expected ')'");
    this.nlIgnore--;
    return this.other(open.start, this.lastEnd);
  }

  private isForStart(): boolean {
    const t = this.peek();
    if (t.kind !== 'ident' || t.text !== 'for') return false;
    const after = scanToken(this.src, t.end, []);
    return after.kind === 'ident';
  }

  /** Parses a for-expression loosely up to `closer`; returns it as raw text. */
  private parseFor(start: number, closer: string): HclExpr {
    this.nlIgnore++;
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, closer)) {
        this.next();
        break;
      }
      if (t.kind === 'eof' || (t.kind === 'punct' && (t.text === '}' || t.text === ']' || t.text === ')'))) {
        this.diag(start, t.start, `Unterminated for expression; expected '${closer}'`);
        break;
      }
      if (t.kind === 'punct' && (t.text === ':' || t.text === '=>' || t.text === '...' || t.text === ',')) {
        this.next();
        continue;
      }
      const before = this.pos;
      const e = this.parseExpression();
      if (e.start === e.end && this.pos === before) this.next();
    }
    this.nlIgnore--;
    return this.other(start, this.lastEnd);
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
    const open = this.next();
    const res = scanTemplate(this, open.end, { kind: 'quoted', openQuote: open.start });
    this.pos = this.lastEnd = res.end;
    return {
      type: 'string',
      start: open.start,
      end: res.end,
      value: res.value,
      parts: res.parts,
      contentStart: open.end,
      contentEnd: res.contentEnd,
      heredoc: false,
      escapeIssues: res.escapeIssues,
    };
  }

  private parseHeredoc(): HclExpr {
    const tok = this.next();
    const flush = tok.text.startsWith('<<-');
    const marker = tok.text.slice(flush ? 3 : 2);
    const restStart = skipBlanks(this.src, tok.end, this.diags);
    if (restStart < this.src.length && this.src.charCodeAt(restStart) !== 0x0a) {
      this.diag(restStart, restStart + 1, 'Invalid heredoc introduction; the marker must be followed by a newline');
    }
    const info = locateHeredoc(this.src, tok.end, marker, flush);
    if (!info.terminated) this.diag(tok.start, tok.end, `Unterminated heredoc; no closing marker "${marker}" was found`);
    const res = scanTemplate(this, info.contentStart, { kind: 'heredoc', limit: info.contentEnd, indent: info.indent });
    this.pos = this.lastEnd = info.end;
    return {
      type: 'string',
      start: tok.start,
      end: info.end,
      value: res.value,
      parts: res.parts,
      contentStart: info.contentStart,
      contentEnd: info.contentEnd,
      heredoc: true,
      escapeIssues: res.escapeIssues,
    };
  }

  private withScope<T>(pos: number, limit: number, fn: () => T): T {
    const saved = { pos: this.pos, limit: this.limit, nl: this.nlIgnore, lastEnd: this.lastEnd };
    this.pos = pos;
    this.lastEnd = pos;
    this.limit = limit;
    this.nlIgnore = 1;
    try {
      return fn();
    } finally {
      this.pos = saved.pos;
      this.limit = saved.limit;
      this.nlIgnore = saved.nl;
      this.lastEnd = saved.lastEnd;
    }
  }

  interpolation(pos: number, limit: number): InterpolationResult {
    return this.withScope(pos, limit, () => {
      const stripLeft = this.src.charCodeAt(pos) === 0x7e;
      if (stripLeft) this.pos = this.lastEnd = pos + 1;
      const expr = this.parseExpression();
      let stripRight = false;
      let t = this.peek();
      if (this.isPunct(t, '~')) {
        this.next();
        stripRight = true;
        t = this.peek();
      }
      const closed = this.isPunct(t, '}');
      if (closed) this.next();
      return { expr, stripLeft, stripRight, end: this.lastEnd, closed };
    });
  }

  directive(pos: number, limit: number): DirectiveResult {
    return this.withScope(pos, limit, () => {
      if (this.src.charCodeAt(pos) === 0x7e) this.pos = this.lastEnd = pos + 1;
      const kw = this.peek();
      let keyword = '';
      if (kw.kind === 'ident') {
        this.next();
        keyword = kw.text;
        if (keyword === 'if') {
          this.parseExpression();
        } else if (keyword === 'for') {
          for (;;) {
            const t = this.peek();
            if (t.kind === 'ident' && t.text === 'in') {
              this.next();
              this.parseExpression();
              break;
            }
            if (t.kind === 'ident' || this.isPunct(t, ',')) this.next();
            else {
              this.diag(t.start, t.end, "Invalid 'for' directive; expected 'in'");
              break;
            }
          }
        } else if (keyword !== 'else' && keyword !== 'endif' && keyword !== 'endfor') {
          this.diag(kw.start, kw.end, `Invalid template directive '${keyword}'; expected if, else, endif, for or endfor`);
        }
      } else {
        this.diag(kw.start, kw.end, 'Invalid template directive; expected a keyword');
      }
      let t = this.peek();
      if (this.isPunct(t, '~')) {
        this.next();
        t = this.peek();
      }
      const closed = this.isPunct(t, '}');
      if (closed) this.next();
      return { keyword, end: this.lastEnd, closed };
    });
  }
}
