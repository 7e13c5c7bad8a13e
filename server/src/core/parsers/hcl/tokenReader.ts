/**
 * Token cursor shared by the expression and body parsers: peeks and consumes
 * tokens up to a limit (newlines skipped inside brackets), records
 * diagnostics, and skips whole bracketed groups, strings and heredocs.
 */
import type { HclDialect } from './ast';
import { addDiagnostic, scanToken, type LexDiagnostic, type Token } from './lexer';
import { locateHeredoc } from './strings';

const OPENERS: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

export class TokenReader {
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
}
