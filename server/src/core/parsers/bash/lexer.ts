/**
 * The character-level lexer: words (with their quoting, escapes and
 * expansions), double-quoted strings, operators and redirection operators.
 * Comments go to the sink as they are passed; the first newline after a
 * heredoc operator reads the pending heredoc bodies.
 */
import type { ShExpansion } from './types';
import { addSub, backtick, dollar, skipArith, skipSingle, skipStack, skipTemplate } from './expansions';
import { readHeredocs } from './heredocs';
import { Ch, ASSIGN_RE, Ctx, isDigit, isMeta, isNewline, K, newlineLen, type ScanState, type Tok, type WordTok } from './scanState';

export function scanWord(sc: ScanState, i: number, allowArray = true): WordTok {
  const t = sc.t;
  const lim = sc.lim;
  const start = i;
  const exps: ShExpansion[] = [];
  let lit = '';
  let run = i;
  let quoted = false;
  const flush = (to: number): void => {
    if (to > run) lit += t.slice(run, to);
  };
  while (i < lim) {
    const c = t.charCodeAt(i);
    if (isMeta(c)) {
      if ((c === Ch.LT || c === Ch.GT) && i === start && t.charCodeAt(i + 1) === Ch.LP) {
        // process substitution <(…) / >(…)
        const end = skipStack(sc, i + 2, [K.Paren], false);
        const innerEnd = Math.max(i + 2, t.charCodeAt(end - 1) === Ch.RP ? end - 1 : end);
        addSub(sc, i + 2, innerEnd);
        exps.push({ start: i, end, name: t.slice(i + 2, innerEnd).trim(), command: true });
        i = end;
        run = i;
        continue;
      }
      if (c === Ch.LP && allowArray && i > start && t.charCodeAt(i - 1) === 61 && ASSIGN_RE.test(t.slice(start, i))) {
        // array assignment a=( … ): its elements are words
        flush(i);
        const from = i;
        i++;
        while (i < lim) {
          const e = t.charCodeAt(i);
          if (e === Ch.RP) {
            i++;
            break;
          }
          if (e === Ch.HASH && isMeta(t.charCodeAt(i - 1))) {
            while (i < lim && !isNewline(t.charCodeAt(i))) i++;
            continue;
          }
          if (isMeta(e)) {
            i++;
            continue;
          }
          const el = scanWord(sc, i, false);
          for (const x of el.expansions) exps.push(x);
          if (el.quoted) quoted = true;
          i = Math.max(el.end, i + 1);
        }
        lit += t.slice(from, i);
        run = i;
        continue;
      }
      break;
    }
    if (c === Ch.BSL) {
      flush(i);
      quoted = true;
      const n = t.charCodeAt(i + 1);
      if (n === Ch.CR && t.charCodeAt(i + 2) === Ch.NL) i += 3;
      else if (isNewline(n)) i += 2;
      else if (i + 1 < lim) {
        lit += t[i + 1]!;
        i += 2;
      } else i++;
      run = i;
      continue;
    }
    if (c === Ch.SQ) {
      flush(i);
      quoted = true;
      const end = skipSingle(sc, i + 1, exps);
      lit += t.slice(i + 1, t.charCodeAt(end - 1) === Ch.SQ && end - 1 > i ? end - 1 : end);
      i = end;
      run = i;
      continue;
    }
    if (c === Ch.DQ) {
      flush(i);
      quoted = true;
      const r = scanDouble(sc, i + 1, exps);
      lit += r.lit;
      i = r.next;
      run = i;
      continue;
    }
    if (c === Ch.DOLLAR) {
      flush(i);
      const r = dollar(sc, i, Ctx.Unquoted, exps);
      if (r.quoted) quoted = true;
      if (r.dq) {
        quoted = true;
        const d = scanDouble(sc, i + 2, exps);
        lit += d.lit;
        i = d.next;
      } else {
        if (r.lit !== undefined) lit += r.lit;
        i = r.next;
      }
      run = i;
      continue;
    }
    if (c === Ch.BT) {
      flush(i);
      i = backtick(sc, i, exps);
      run = i;
      continue;
    }
    if (sc.templated && c === Ch.PCT && t.charCodeAt(i + 1) === Ch.LB) {
      i = skipTemplate(sc, i + 2);
      continue;
    }
    i++;
  }
  flush(i);
  const w: WordTok = {
    start,
    end: i,
    raw: t.slice(start, i),
    literal: exps.length === 0 ? lit : undefined,
    expansions: exps,
    quoted,
    ...(sc.templated ? { templated: true } : {}),
  };
  return w;
}

/** Scans a double-quoted string body starting at i (after the `"`). */
function scanDouble(sc: ScanState, i: number, exps: ShExpansion[]): { next: number; lit: string } {
  const t = sc.t;
  const lim = sc.lim;
  let lit = '';
  let run = i;
  while (i < lim) {
    const c = t.charCodeAt(i);
    if (c === Ch.DQ) {
      lit += t.slice(run, i);
      return { next: i + 1, lit };
    }
    if (c === Ch.BSL) {
      const n = t.charCodeAt(i + 1);
      if (n === Ch.DOLLAR || n === Ch.BT || n === Ch.DQ || n === Ch.BSL) {
        lit += t.slice(run, i) + t[i + 1]!;
        i += 2;
        run = i;
      } else if (isNewline(n)) {
        lit += t.slice(run, i);
        i += n === Ch.CR && t.charCodeAt(i + 2) === Ch.NL ? 3 : 2;
        run = i;
      } else i += 2;
      continue;
    }
    if (c === Ch.DOLLAR) {
      lit += t.slice(run, i);
      const r = dollar(sc, i, Ctx.Double, exps);
      if (r.lit !== undefined) lit += r.lit;
      i = r.next;
      run = i;
      continue;
    }
    if (c === Ch.BT) {
      lit += t.slice(run, i);
      i = backtick(sc, i, exps);
      run = i;
      continue;
    }
    i++;
  }
  i = Math.min(i, lim);
  lit += t.slice(run, i);
  return { next: i, lit };
}

export function nextToken(sc: ScanState, cmdStart: boolean, cond: boolean): Tok {
  const t = sc.t;
  const lim = sc.lim;
  for (;;) {
    let i = sc.i;
    // blanks and line continuations
    for (;;) {
      const c = t.charCodeAt(i);
      if (i >= lim) break;
      if (c === Ch.SP || c === Ch.TAB) i++;
      else if (c === Ch.BSL && isNewline(t.charCodeAt(i + 1))) i += 1 + newlineLen(sc, i + 1);
      else break;
    }
    sc.i = i;
    if (i >= lim) return { k: 'eof', start: lim };
    const c = t.charCodeAt(i);
    if (c === Ch.HASH) {
      let j = i;
      while (j < lim && !isNewline(t.charCodeAt(j))) j++;
      sc.sink.comments.push({ start: i, end: j, text: t.slice(i, j) });
      sc.i = j;
      continue;
    }
    if (isNewline(c)) {
      sc.i = i + newlineLen(sc, i);
      if (sc.pending.length > 0) readHeredocs(sc);
      return { k: 'op', op: '\n', start: i, end: i + 1 };
    }
    if (sc.templated && c === Ch.PCT && t.charCodeAt(i + 1) === Ch.LB) {
      sc.i = skipTemplate(sc, i + 2);
      continue;
    }
    const op = (s: string): Tok => {
      sc.i = i + s.length;
      return { k: 'op', op: s, start: i, end: i + s.length };
    };
    const redir = (s: string, fd: number | undefined, from: number): Tok => {
      sc.i = i + s.length;
      return { k: 'redir', op: s, fd, start: from, end: i + s.length };
    };
    const n = t.charCodeAt(i + 1);
    switch (c) {
      case Ch.SEMI:
        if (n === Ch.SEMI) return op(t.charCodeAt(i + 2) === Ch.AMP ? ';;&' : ';;');
        if (n === Ch.AMP) return op(';&');
        return op(';');
      case Ch.AMP:
        if (n === Ch.AMP) return op('&&');
        if (n === Ch.GT && !cond) return redir(t.charCodeAt(i + 2) === Ch.GT ? '&>>' : '&>', undefined, i);
        return op('&');
      case Ch.PIPE:
        if (n === Ch.PIPE) return op('||');
        if (n === Ch.AMP) return op('|&');
        return op('|');
      case Ch.LP:
        if (cmdStart && n === Ch.LP) {
          // (( arithmetic command ))
          const end = skipArith(sc, i + 2);
          sc.i = end;
          return { k: 'op', op: '((', start: i, end };
        }
        return op('(');
      case Ch.RP:
        return op(')');
      case Ch.LT:
      case Ch.GT:
        if (n === Ch.LP) break; // process substitution: a word
        if (cond) break;
        return redirOp(sc, i, undefined, i);
      default:
        break;
    }
    if (isDigit(c) && !cond) {
      let j = i;
      while (j < lim && isDigit(t.charCodeAt(j))) j++;
      const d = t.charCodeAt(j);
      if ((d === Ch.LT || d === Ch.GT) && t.charCodeAt(j + 1) !== Ch.LP) {
        return redirOp(sc, j, Number(t.slice(i, j)), i);
      }
    }
    if (cond && (c === Ch.LT || c === Ch.GT) && n !== Ch.LP) {
      sc.i = i + 1;
      return { k: 'word', w: { start: i, end: i + 1, raw: t[i]!, literal: t[i]!, expansions: [], quoted: false } };
    }
    const w = scanWord(sc, i);
    if (w.end === i) {
      // Should not happen; guarantee progress.
      sc.i = i + 1;
      continue;
    }
    sc.i = w.end;
    return { k: 'word', w };
  }
}

function redirOp(sc: ScanState, i: number, fd: number | undefined, from: number): Tok {
  const t = sc.t;
  const c = t.charCodeAt(i);
  const n = t.charCodeAt(i + 1);
  let s: string;
  if (c === Ch.LT) {
    if (n === Ch.LT) {
      const n2 = t.charCodeAt(i + 2);
      s = n2 === Ch.LT ? '<<<' : n2 === 45 ? '<<-' : '<<';
    } else if (n === Ch.GT) s = '<>';
    else if (n === Ch.AMP) s = '<&';
    else s = '<';
  } else if (n === Ch.GT) s = '>>';
  else if (n === Ch.PIPE) s = '>|';
  else if (n === Ch.AMP) s = '>&';
  else s = '>';
  sc.i = i + s.length;
  return { k: 'redir', op: s, fd, start: from, end: i + s.length };
}
