/**
 * Strings in expressions: quoted strings and heredocs (their content is
 * scanned by strings.ts), and the `${ … }` / `%{ … }` callbacks through
 * which that scan hands interpolations back to the expression parser.
 */
import type { HclExpr } from './ast';
import type { ExprParser } from './expressions';
import { skipBlanks } from './lexer';
import { locateHeredoc, scanTemplate, type DirectiveResult, type InterpolationResult } from './strings';

export function parseQuotedString(p: ExprParser): HclExpr & { type: 'string' } {
  const open = p.next();
  const res = scanTemplate(p, open.end, { kind: 'quoted', openQuote: open.start });
  p.pos = p.lastEnd = res.end;
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

export function parseHeredocString(p: ExprParser): HclExpr {
  const tok = p.next();
  const flush = tok.text.startsWith('<<-');
  const marker = tok.text.slice(flush ? 3 : 2);
  const restStart = skipBlanks(p.src, tok.end, p.diags);
  if (restStart < p.src.length && p.src.charCodeAt(restStart) !== 0x0a) {
    p.diag(restStart, restStart + 1, 'Invalid heredoc introduction; the marker must be followed by a newline');
  }
  const info = locateHeredoc(p.src, tok.end, marker, flush);
  if (!info.terminated) p.diag(tok.start, tok.end, `Unterminated heredoc; no closing marker "${marker}" was found`);
  const res = scanTemplate(p, info.contentStart, { kind: 'heredoc', limit: info.contentEnd, indent: info.indent });
  p.pos = p.lastEnd = info.end;
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

function withScope<T>(p: ExprParser, pos: number, limit: number, fn: () => T): T {
  const saved = { pos: p.pos, limit: p.limit, nl: p.nlIgnore, lastEnd: p.lastEnd };
  p.pos = pos;
  p.lastEnd = pos;
  p.limit = limit;
  p.nlIgnore = 1;
  try {
    return fn();
  } finally {
    p.pos = saved.pos;
    p.limit = saved.limit;
    p.nlIgnore = saved.nl;
    p.lastEnd = saved.lastEnd;
  }
}

export function parseInterpolation(p: ExprParser, pos: number, limit: number): InterpolationResult {
  return withScope(p, pos, limit, () => {
    const stripLeft = p.src.charCodeAt(pos) === 0x7e;
    if (stripLeft) p.pos = p.lastEnd = pos + 1;
    const expr = p.parseExpression();
    let stripRight = false;
    let t = p.peek();
    if (p.isPunct(t, '~')) {
      p.next();
      stripRight = true;
      t = p.peek();
    }
    const closed = p.isPunct(t, '}');
    if (closed) p.next();
    return { expr, stripLeft, stripRight, end: p.lastEnd, closed };
  });
}

export function parseDirective(p: ExprParser, pos: number, limit: number): DirectiveResult {
  return withScope(p, pos, limit, () => {
    if (p.src.charCodeAt(pos) === 0x7e) p.pos = p.lastEnd = pos + 1;
    const kw = p.peek();
    let keyword = '';
    if (kw.kind === 'ident') {
      p.next();
      keyword = kw.text;
      if (keyword === 'if') {
        p.parseExpression();
      } else if (keyword === 'for') {
        for (;;) {
          const t = p.peek();
          if (t.kind === 'ident' && t.text === 'in') {
            p.next();
            p.parseExpression();
            break;
          }
          if (t.kind === 'ident' || p.isPunct(t, ',')) p.next();
          else {
            p.diag(t.start, t.end, "Invalid 'for' directive; expected 'in'");
            break;
          }
        }
      } else if (keyword !== 'else' && keyword !== 'endif' && keyword !== 'endfor') {
        p.diag(kw.start, kw.end, `Invalid template directive '${keyword}'; expected if, else, endif, for or endfor`);
      }
    } else {
      p.diag(kw.start, kw.end, 'Invalid template directive; expected a keyword');
    }
    let t = p.peek();
    if (p.isPunct(t, '~')) {
      p.next();
      t = p.peek();
    }
    const closed = p.isPunct(t, '}');
    if (closed) p.next();
    return { keyword, end: p.lastEnd, closed };
  });
}
