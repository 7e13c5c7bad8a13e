/**
 * Tolerant bash scanner: a hand-written lexer plus a light, flat statement
 * parser. It never throws, runs in linear time (nested command substitutions
 * are re-scanned up to MAX_SUB_DEPTH levels) and uses no recursion, so deep
 * nesting cannot overflow the stack.
 *
 * Decisions worth knowing:
 * - Prefix assignments (`FOO=1 cmd`, `env FOO=1 cmd`) do not persist; they are
 *   NOT in `assignments` but in `ShCommand.envAssignments`.
 * - Commands inside `$(…)` and backticks (also inside unquoted heredoc bodies)
 *   are scanned and listed like top-level commands.
 * - `templated: true`: `${expr}` anywhere (even in single quotes and quoted
 *   heredocs) is a Terraform interpolation, reported as an expansion with
 *   `template: true`; `$${X}` is the bash expansion `${X}` (`templateEscaped`);
 *   `%{ … }` directives are skipped like whitespace between tokens.
 */
import type { ShAssignment, ShCommand, ShComment, ShExpansion, ShHeredoc, ShRedirect, ShScanResult, ShSed, ShWord } from './types';
import { extractSed } from './sed';

const MAX_SUB_DEPTH = 12;

const C_TAB = 9;
const C_NL = 10;
const C_CR = 13;
const C_SP = 32;
const C_DQ = 34;
const C_HASH = 35;
const C_DOLLAR = 36;
const C_PCT = 37;
const C_AMP = 38;
const C_SQ = 39;
const C_LP = 40;
const C_RP = 41;
const C_SEMI = 59;
const C_LT = 60;
const C_GT = 62;
const C_BSL = 92;
const C_BT = 96;
const C_LB = 123;
const C_PIPE = 124;
const C_RB = 125;

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isMeta(c: number): boolean {
  return (
    c === C_SP || c === C_TAB || c === C_NL || c === C_CR || c === C_SEMI || c === C_AMP || c === C_PIPE || c === C_LP || c === C_RP || c === C_LT || c === C_GT
  );
}
function isNewline(c: number): boolean {
  return c === C_NL || c === C_CR;
}

const enum K {
  Paren,
  Brace,
  Double,
  Backtick,
  TfExpr,
  TfString,
}

const enum Ctx {
  Unquoted,
  Double,
  Heredoc,
}

export interface WordTok extends ShWord {
  readonly quoted: boolean;
}

type Tok =
  | { readonly k: 'word'; readonly w: WordTok }
  | { readonly k: 'op'; readonly op: string; readonly start: number; readonly end: number }
  | { readonly k: 'redir'; readonly op: string; readonly fd: number | undefined; readonly start: number; readonly end: number }
  | { readonly k: 'eof'; readonly start: number };

interface HeredocRec {
  start: number;
  end: number;
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  bodyStart: number;
  bodyEnd: number;
  command: ShCommand | undefined;
  targets: ShWord[];
  append: boolean;
  expansions: ShExpansion[];
  terminated: boolean;
  read: boolean;
}

interface CmdBuild {
  words: WordTok[];
  prefix: WordTok[];
  redirects: ShRedirect[];
  heredocs: HeredocRec[];
  start: number;
  end: number;
}

interface Built {
  cmd: ShCommand | undefined;
  heredocs: HeredocRec[];
}

interface SubRange {
  from: number;
  to: number;
  depth: number;
}

interface Sink {
  readonly commands: ShCommand[];
  readonly heredocs: HeredocRec[];
  readonly seds: ShSed[];
  readonly assignments: ShAssignment[];
  readonly comments: ShComment[];
  readonly queue: SubRange[];
}

const ASSIGN_RE = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?(\+?)=/;
const RESERVED_SKIP = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'time', ']]']);
const DECLARERS = new Set(['export', 'readonly', 'local', 'declare', 'typeset']);
const NULL_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);

export function scanBash(text: string, options?: { templated?: boolean }): ShScanResult {
  const templated = options?.templated === true;
  const sink: Sink = { commands: [], heredocs: [], seds: [], assignments: [], comments: [], queue: [{ from: 0, to: text.length, depth: 0 }] };
  try {
    for (let q = 0; q < sink.queue.length; q++) {
      const r = sink.queue[q]!;
      new Scanner(text, r.from, r.to, r.depth, templated, sink).run();
    }
  } catch {
    // Never throw: return what was extracted so far.
  }
  const byStart = <T extends { start: number }>(a: T, b: T): number => a.start - b.start;
  const heredocs: ShHeredoc[] = sink.heredocs.map((h) => {
    const out: ShHeredoc = {
      start: h.start,
      end: h.end,
      delimiter: h.delimiter,
      quoted: h.quoted,
      stripTabs: h.stripTabs,
      bodyStart: h.bodyStart,
      bodyEnd: h.bodyEnd,
      command: h.command,
      targets: h.targets,
      append: h.append,
      expansions: h.expansions,
      terminated: h.terminated,
      ...(templated ? { templated: true } : {}),
    };
    return out;
  });
  return {
    commands: sink.commands.sort(byStart),
    heredocs: heredocs.sort(byStart),
    seds: sink.seds.sort(byStart),
    assignments: sink.assignments.sort(byStart),
    comments: sink.comments.sort(byStart),
  };
}

class Scanner {
  private i: number;
  private readonly pending: HeredocRec[] = [];

  constructor(
    private readonly t: string,
    from: number,
    private lim: number,
    private readonly depth: number,
    private readonly templated: boolean,
    private readonly sink: Sink,
  ) {
    this.i = from;
  }

  // ───────────────────────────── nested skipping ─────────────────────────────

  private addSub(from: number, to: number): void {
    if (this.depth + 1 <= MAX_SUB_DEPTH && to > from) this.sink.queue.push({ from, to, depth: this.depth + 1 });
  }

  /** Index just past the closing `'` (or lim). Templated: `${…}` inside is skipped whole. */
  private skipSingle(i: number, exps?: ShExpansion[]): number {
    const t = this.t;
    if (!this.templated) {
      const j = t.indexOf("'", i);
      return j < 0 || j >= this.lim ? this.lim : j + 1;
    }
    while (i < this.lim) {
      const c = t.charCodeAt(i);
      if (c === C_SQ) return i + 1;
      if (c === C_DOLLAR && t.charCodeAt(i + 1) === C_DOLLAR && t.charCodeAt(i + 2) === C_LB) i += 3;
      else if (c === C_DOLLAR && t.charCodeAt(i + 1) === C_LB) {
        const e = this.skipStack(i + 2, [K.TfExpr], false);
        if (exps) exps.push({ start: i, end: e, name: t.slice(i + 2, t.charCodeAt(e - 1) === C_RB ? e - 1 : e).trim(), command: false, template: true });
        i = e;
      } else i++;
    }
    return this.lim;
  }

  /**
   * Skips nested shell/template constructs with an explicit stack; returns the
   * index just past the closer of the first stack entry (or lim).
   */
  private skipStack(i: number, stack: K[], inDouble: boolean): number {
    const t = this.t;
    const lim = this.lim;
    const base = stack.length - 1;
    let doubles = 0;
    for (const k of stack) if (k === K.Double) doubles++;
    const push = (k: K): void => {
      if (k === K.Double) doubles++;
      stack.push(k);
    };
    const pop = (): void => {
      if (stack.pop() === K.Double) doubles--;
    };
    while (i < lim && stack.length > base) {
      const top = stack[stack.length - 1]!;
      const c = t.charCodeAt(i);
      if (top === K.TfString) {
        if (c === C_BSL) i += 2;
        else if (c === C_DQ) {
          pop();
          i++;
        } else if ((c === C_DOLLAR || c === C_PCT) && t.charCodeAt(i + 1) === C_LB) {
          if (t.charCodeAt(i - 1) === c) i += 2;
          else {
            push(K.TfExpr);
            i += 2;
          }
        } else i++;
        continue;
      }
      if (top === K.TfExpr) {
        if (c === C_DQ) push(K.TfString);
        else if (c === C_LB) push(K.TfExpr);
        else if (c === C_RB) pop();
        i++;
        continue;
      }
      if (this.templated && c === C_DOLLAR) {
        if (t.charCodeAt(i + 1) === C_DOLLAR && t.charCodeAt(i + 2) === C_LB) {
          if (top !== K.Backtick) push(K.Brace);
          i += 3;
          continue;
        }
        if (t.charCodeAt(i + 1) === C_LB) {
          push(K.TfExpr);
          i += 2;
          continue;
        }
      }
      if (top === K.Backtick) {
        if (c === C_BSL) i += 2;
        else if (c === C_BT) {
          pop();
          i++;
        } else i++;
        continue;
      }
      if (c === C_BSL) {
        i += 2;
        continue;
      }
      if (c === C_DOLLAR) {
        const n = t.charCodeAt(i + 1);
        if (n === C_LP) {
          push(K.Paren);
          i += 2;
          continue;
        }
        if (n === C_LB) {
          push(K.Brace);
          i += 2;
          continue;
        }
        i++;
        continue;
      }
      if (c === C_BT) {
        push(K.Backtick);
        i++;
        continue;
      }
      if (top === K.Double) {
        if (c === C_DQ) pop();
        i++;
        continue;
      }
      if (c === C_DQ) {
        push(K.Double);
        i++;
        continue;
      }
      if (top === K.Brace) {
        if (c === C_RB) {
          pop();
          i++;
        } else if (c === C_SQ && !inDouble && doubles === 0) i = this.skipSingle(i + 1);
        else i++;
        continue;
      }
      // Paren
      if (c === C_SQ) i = this.skipSingle(i + 1);
      else if (c === C_LP) {
        push(K.Paren);
        i++;
      } else if (c === C_RP) {
        pop();
        i++;
      } else if (c === C_HASH && (i === 0 || isMeta(t.charCodeAt(i - 1)))) {
        while (i < lim && !isNewline(t.charCodeAt(i))) i++;
      } else i++;
    }
    return Math.min(i, lim);
  }

  /** Index just past the `))` closing an arithmetic expression whose body starts at i. */
  private skipArith(i: number): number {
    const e = this.skipStack(i, [K.Paren], false);
    return this.t.charCodeAt(e) === C_RP && e < this.lim ? e + 1 : e;
  }

  /** Index just past the `}` closing a Terraform interpolation whose body starts at i. */
  private skipTemplate(i: number): number {
    return this.skipStack(i, [K.TfExpr], false);
  }

  // ───────────────────────────── expansions ─────────────────────────────

  private braceExpansion(start: number, innerStart: number, end: number, escaped: boolean): ShExpansion {
    const t = this.t;
    const innerEnd = t.charCodeAt(end - 1) === C_RB && end - 1 >= innerStart ? end - 1 : end;
    const inner = t.slice(innerStart, innerEnd);
    let k = 0;
    if ((inner[0] === '#' || inner[0] === '!') && inner.length > 1) k = 1;
    let j = k;
    const c0 = inner.charCodeAt(k);
    if (isNameStart(c0)) {
      while (j < inner.length && isNameChar(inner.charCodeAt(j))) j++;
    } else if (isDigit(c0)) {
      while (j < inner.length && isDigit(inner.charCodeAt(j))) j++;
    } else if (k < inner.length) j = k + 1;
    const name = inner.slice(k, j);
    const rest = inner.slice(j);
    const m = /^:?[-=]/.exec(rest);
    const exp: ShExpansion = {
      start,
      end,
      name,
      command: false,
      ...(m ? { defaultValue: stripShQuotes(rest.slice(m[0].length)) } : {}),
      ...(escaped ? { templateEscaped: true } : {}),
    };
    return exp;
  }

  /**
   * Handles `$` at i. Pushes an expansion or returns literal text.
   * `quoted` is set for `$'…'`.
   */
  private dollar(i: number, ctx: Ctx, exps: ShExpansion[]): { next: number; lit?: string; quoted?: boolean; dq?: boolean } {
    const t = this.t;
    const n = t.charCodeAt(i + 1);
    if (this.templated) {
      if (n === C_DOLLAR && t.charCodeAt(i + 2) === C_LB) {
        const end = this.skipStack(i + 3, [K.Brace], ctx !== Ctx.Unquoted);
        exps.push(this.braceExpansion(i, i + 3, end, true));
        return { next: end };
      }
      if (n === C_LB) {
        const end = this.skipTemplate(i + 2);
        const innerEnd = t.charCodeAt(end - 1) === C_RB && end - 1 >= i + 2 ? end - 1 : end;
        exps.push({ start: i, end, name: t.slice(i + 2, innerEnd).trim(), command: false, template: true });
        return { next: end };
      }
    }
    if (n === C_LP) {
      if (t.charCodeAt(i + 2) === C_LP) {
        const end = this.skipArith(i + 3);
        const innerEnd = Math.max(i + 3, t.slice(end - 2, end) === '))' ? end - 2 : end);
        exps.push({ start: i, end, name: t.slice(i + 3, innerEnd).trim(), command: false, arithmetic: true });
        return { next: end };
      }
      const end = this.skipStack(i + 2, [K.Paren], false);
      const innerEnd = Math.max(i + 2, t.charCodeAt(end - 1) === C_RP ? end - 1 : end);
      this.addSub(i + 2, innerEnd);
      exps.push({ start: i, end, name: t.slice(i + 2, innerEnd).trim(), command: true });
      return { next: end };
    }
    if (n === C_LB) {
      const end = this.skipStack(i + 2, [K.Brace], ctx !== Ctx.Unquoted);
      exps.push(this.braceExpansion(i, i + 2, end, false));
      return { next: end };
    }
    if (ctx === Ctx.Unquoted && n === C_SQ) {
      // $'…' ANSI-C quoting
      let j = i + 2;
      let lit = '';
      while (j < this.lim) {
        const c = t.charCodeAt(j);
        if (c === C_SQ) {
          j++;
          return { next: j, lit, quoted: true };
        }
        if (c === C_BSL && j + 1 < this.lim) {
          const e = t[j + 1]!;
          lit += ANSI_ESC[e] ?? (e === "'" || e === '"' || e === '\\' || e === '?' ? e : '\\' + e);
          j += 2;
          continue;
        }
        lit += t[j]!;
        j++;
      }
      return { next: this.lim, lit, quoted: true };
    }
    if (ctx === Ctx.Unquoted && n === C_DQ) return { next: i + 1, lit: '', dq: true };
    if (isNameStart(n)) {
      let j = i + 2;
      while (j < this.lim && isNameChar(t.charCodeAt(j))) j++;
      exps.push({ start: i, end: j, name: t.slice(i + 1, j), command: false });
      return { next: j };
    }
    if (i + 1 < this.lim && (isDigit(n) || '@*#?$!-'.includes(t[i + 1]!))) {
      exps.push({ start: i, end: i + 2, name: t[i + 1]!, command: false });
      return { next: i + 2 };
    }
    return { next: i + 1, lit: '$' };
  }

  private backtick(i: number, exps: ShExpansion[]): number {
    const end = this.skipStack(i + 1, [K.Backtick], false);
    const innerEnd = Math.max(i + 1, this.t.charCodeAt(end - 1) === C_BT ? end - 1 : end);
    this.addSub(i + 1, innerEnd);
    exps.push({ start: i, end, name: this.t.slice(i + 1, innerEnd).trim(), command: true });
    return end;
  }

  // ───────────────────────────── words ─────────────────────────────

  private scanWord(i: number, allowArray = true): WordTok {
    const t = this.t;
    const lim = this.lim;
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
        if ((c === C_LT || c === C_GT) && i === start && t.charCodeAt(i + 1) === C_LP) {
          // process substitution <(…) / >(…)
          const end = this.skipStack(i + 2, [K.Paren], false);
          const innerEnd = Math.max(i + 2, t.charCodeAt(end - 1) === C_RP ? end - 1 : end);
          this.addSub(i + 2, innerEnd);
          exps.push({ start: i, end, name: t.slice(i + 2, innerEnd).trim(), command: true });
          i = end;
          run = i;
          continue;
        }
        if (c === C_LP && allowArray && i > start && t.charCodeAt(i - 1) === 61 && ASSIGN_RE.test(t.slice(start, i))) {
          // array assignment a=( … ): its elements are words
          flush(i);
          const from = i;
          i++;
          while (i < lim) {
            const e = t.charCodeAt(i);
            if (e === C_RP) {
              i++;
              break;
            }
            if (e === C_HASH && isMeta(t.charCodeAt(i - 1))) {
              while (i < lim && !isNewline(t.charCodeAt(i))) i++;
              continue;
            }
            if (isMeta(e)) {
              i++;
              continue;
            }
            const el = this.scanWord(i, false);
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
      if (c === C_BSL) {
        flush(i);
        quoted = true;
        const n = t.charCodeAt(i + 1);
        if (n === C_CR && t.charCodeAt(i + 2) === C_NL) i += 3;
        else if (isNewline(n)) i += 2;
        else if (i + 1 < lim) {
          lit += t[i + 1]!;
          i += 2;
        } else i++;
        run = i;
        continue;
      }
      if (c === C_SQ) {
        flush(i);
        quoted = true;
        const end = this.skipSingle(i + 1, exps);
        lit += t.slice(i + 1, t.charCodeAt(end - 1) === C_SQ && end - 1 > i ? end - 1 : end);
        i = end;
        run = i;
        continue;
      }
      if (c === C_DQ) {
        flush(i);
        quoted = true;
        const r = this.scanDouble(i + 1, exps);
        lit += r.lit;
        i = r.next;
        run = i;
        continue;
      }
      if (c === C_DOLLAR) {
        flush(i);
        const r = this.dollar(i, Ctx.Unquoted, exps);
        if (r.quoted) quoted = true;
        if (r.dq) {
          quoted = true;
          const d = this.scanDouble(i + 2, exps);
          lit += d.lit;
          i = d.next;
        } else {
          if (r.lit !== undefined) lit += r.lit;
          i = r.next;
        }
        run = i;
        continue;
      }
      if (c === C_BT) {
        flush(i);
        i = this.backtick(i, exps);
        run = i;
        continue;
      }
      if (this.templated && c === C_PCT && t.charCodeAt(i + 1) === C_LB) {
        i = this.skipTemplate(i + 2);
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
      ...(this.templated ? { templated: true } : {}),
    };
    return w;
  }

  /** Scans a double-quoted string body starting at i (after the `"`). */
  private scanDouble(i: number, exps: ShExpansion[]): { next: number; lit: string } {
    const t = this.t;
    const lim = this.lim;
    let lit = '';
    let run = i;
    while (i < lim) {
      const c = t.charCodeAt(i);
      if (c === C_DQ) {
        lit += t.slice(run, i);
        return { next: i + 1, lit };
      }
      if (c === C_BSL) {
        const n = t.charCodeAt(i + 1);
        if (n === C_DOLLAR || n === C_BT || n === C_DQ || n === C_BSL) {
          lit += t.slice(run, i) + t[i + 1]!;
          i += 2;
          run = i;
        } else if (isNewline(n)) {
          lit += t.slice(run, i);
          i += n === C_CR && t.charCodeAt(i + 2) === C_NL ? 3 : 2;
          run = i;
        } else i += 2;
        continue;
      }
      if (c === C_DOLLAR) {
        lit += t.slice(run, i);
        const r = this.dollar(i, Ctx.Double, exps);
        if (r.lit !== undefined) lit += r.lit;
        i = r.next;
        run = i;
        continue;
      }
      if (c === C_BT) {
        lit += t.slice(run, i);
        i = this.backtick(i, exps);
        run = i;
        continue;
      }
      i++;
    }
    i = Math.min(i, lim);
    lit += t.slice(run, i);
    return { next: i, lit };
  }

  // ───────────────────────────── tokens ─────────────────────────────

  private newlineLen(i: number): number {
    const c = this.t.charCodeAt(i);
    if (c === C_CR) return this.t.charCodeAt(i + 1) === C_NL ? 2 : 1;
    return c === C_NL ? 1 : 0;
  }

  private next(cmdStart: boolean, cond: boolean): Tok {
    const t = this.t;
    const lim = this.lim;
    for (;;) {
      let i = this.i;
      // blanks and line continuations
      for (;;) {
        const c = t.charCodeAt(i);
        if (i >= lim) break;
        if (c === C_SP || c === C_TAB) i++;
        else if (c === C_BSL && isNewline(t.charCodeAt(i + 1))) i += 1 + this.newlineLen(i + 1);
        else break;
      }
      this.i = i;
      if (i >= lim) return { k: 'eof', start: lim };
      const c = t.charCodeAt(i);
      if (c === C_HASH) {
        let j = i;
        while (j < lim && !isNewline(t.charCodeAt(j))) j++;
        this.sink.comments.push({ start: i, end: j, text: t.slice(i, j) });
        this.i = j;
        continue;
      }
      if (isNewline(c)) {
        this.i = i + this.newlineLen(i);
        if (this.pending.length > 0) this.readHeredocs();
        return { k: 'op', op: '\n', start: i, end: i + 1 };
      }
      if (this.templated && c === C_PCT && t.charCodeAt(i + 1) === C_LB) {
        this.i = this.skipTemplate(i + 2);
        continue;
      }
      const op = (s: string): Tok => {
        this.i = i + s.length;
        return { k: 'op', op: s, start: i, end: i + s.length };
      };
      const redir = (s: string, fd: number | undefined, from: number): Tok => {
        this.i = i + s.length;
        return { k: 'redir', op: s, fd, start: from, end: i + s.length };
      };
      const n = t.charCodeAt(i + 1);
      switch (c) {
        case C_SEMI:
          if (n === C_SEMI) return op(t.charCodeAt(i + 2) === C_AMP ? ';;&' : ';;');
          if (n === C_AMP) return op(';&');
          return op(';');
        case C_AMP:
          if (n === C_AMP) return op('&&');
          if (n === C_GT && !cond) return redir(t.charCodeAt(i + 2) === C_GT ? '&>>' : '&>', undefined, i);
          return op('&');
        case C_PIPE:
          if (n === C_PIPE) return op('||');
          if (n === C_AMP) return op('|&');
          return op('|');
        case C_LP:
          if (cmdStart && n === C_LP) {
            // (( arithmetic command ))
            const end = this.skipArith(i + 2);
            this.i = end;
            return { k: 'op', op: '((', start: i, end };
          }
          return op('(');
        case C_RP:
          return op(')');
        case C_LT:
        case C_GT:
          if (n === C_LP) break; // process substitution: a word
          if (cond) break;
          return this.redirOp(i, undefined, i);
        default:
          break;
      }
      if (isDigit(c) && !cond) {
        let j = i;
        while (j < lim && isDigit(t.charCodeAt(j))) j++;
        const d = t.charCodeAt(j);
        if ((d === C_LT || d === C_GT) && t.charCodeAt(j + 1) !== C_LP) {
          return this.redirOp(j, Number(t.slice(i, j)), i);
        }
      }
      if (cond && (c === C_LT || c === C_GT) && n !== C_LP) {
        this.i = i + 1;
        return { k: 'word', w: { start: i, end: i + 1, raw: t[i]!, literal: t[i]!, expansions: [], quoted: false } };
      }
      const w = this.scanWord(i);
      if (w.end === i) {
        // Should not happen; guarantee progress.
        this.i = i + 1;
        continue;
      }
      this.i = w.end;
      return { k: 'word', w };
    }
  }

  private redirOp(i: number, fd: number | undefined, from: number): Tok {
    const t = this.t;
    const c = t.charCodeAt(i);
    const n = t.charCodeAt(i + 1);
    let s: string;
    if (c === C_LT) {
      if (n === C_LT) {
        const n2 = t.charCodeAt(i + 2);
        s = n2 === C_LT ? '<<<' : n2 === 45 ? '<<-' : '<<';
      } else if (n === C_GT) s = '<>';
      else if (n === C_AMP) s = '<&';
      else s = '<';
    } else if (n === C_GT) s = '>>';
    else if (n === C_PIPE) s = '>|';
    else if (n === C_AMP) s = '>&';
    else s = '>';
    this.i = i + s.length;
    return { k: 'redir', op: s, fd, start: from, end: i + s.length };
  }

  // ───────────────────────────── heredocs ─────────────────────────────

  private readHeredocs(): void {
    const t = this.t;
    const lim = this.lim;
    let p = this.i;
    for (const h of this.pending) {
      h.read = true;
      h.bodyStart = p;
      let found = false;
      while (p < lim) {
        let e = p;
        while (e < lim && !isNewline(t.charCodeAt(e))) e++;
        let s = p;
        if (h.stripTabs) while (s < e && t.charCodeAt(s) === C_TAB) s++;
        if (e - s === h.delimiter.length && t.startsWith(h.delimiter, s)) {
          h.bodyEnd = p;
          h.end = e;
          p = e < lim ? e + this.newlineLen(e) : e;
          found = true;
          break;
        }
        p = e < lim ? e + this.newlineLen(e) : e;
      }
      if (!found) {
        h.bodyEnd = lim;
        h.end = lim;
        h.terminated = false;
        p = lim;
      }
      this.scanBody(h);
    }
    this.pending.length = 0;
    this.i = p;
  }

  /** Expansions of a heredoc body (and sub-scans of its command substitutions). */
  private scanBody(h: HeredocRec): void {
    const t = this.t;
    const exps = h.expansions;
    let i = h.bodyStart;
    const end = h.bodyEnd;
    if (h.quoted && !this.templated) return;
    // Limit skipping to the body.
    const saved = this.lim;
    this.lim = end;
    try {
      while (i < end) {
        const c = t.charCodeAt(i);
        if (h.quoted) {
          if (c === C_DOLLAR && t.charCodeAt(i + 1) === C_DOLLAR && t.charCodeAt(i + 2) === C_LB) i += 3;
          else if (c === C_DOLLAR && t.charCodeAt(i + 1) === C_LB) {
            const e = this.skipTemplate(i + 2);
            const innerEnd = t.charCodeAt(e - 1) === C_RB && e - 1 >= i + 2 ? e - 1 : e;
            exps.push({ start: i, end: e, name: t.slice(i + 2, innerEnd).trim(), command: false, template: true });
            i = e;
          } else i++;
          continue;
        }
        if (c === C_BSL) i += 2;
        else if (c === C_DOLLAR) i = this.dollar(i, Ctx.Heredoc, exps).next;
        else if (c === C_BT) i = this.backtick(i, exps);
        else i++;
      }
    } finally {
      this.lim = saved;
    }
  }

  // ───────────────────────────── statements ─────────────────────────────

  run(): void {
    let cur: CmdBuild = newBuild();
    let pipeline: Built[] = [];
    let casePattern = false;
    let caseDepth = 0;
    let guard = 0;
    const endCommand = (): void => {
      const b = this.finishCommand(cur);
      cur = newBuild();
      if (b) pipeline.push(b);
    };
    const endPipeline = (): void => {
      endCommand();
      if (pipeline.length > 0) this.finishPipeline(pipeline);
      pipeline = [];
    };
    for (;;) {
      if (++guard > 4 * (this.lim + 16)) break; // defensive: never loop forever
      const atStart = cur.words.length === 0 && cur.prefix.length === 0 && cur.redirects.length === 0 && cur.heredocs.length === 0;
      const condMode = cur.words.length > 0 && cur.words[0]!.raw === '[[';
      const tok = this.next(atStart, condMode);
      if (tok.k === 'eof') break;
      if (casePattern) {
        if (tok.k === 'word' && !tok.w.quoted && tok.w.raw === 'esac') {
          caseDepth = Math.max(0, caseDepth - 1);
          casePattern = false;
        } else if (tok.k === 'op' && tok.op === ')') casePattern = false;
        continue;
      }
      if (condMode) {
        if (tok.k === 'word') {
          cur.words.push(tok.w);
          cur.end = tok.w.end;
          if (tok.w.raw === ']]') endCommand();
          continue;
        }
        if (tok.k === 'op' && (tok.op === '&&' || tok.op === '||' || tok.op === '(' || tok.op === ')')) continue;
      }
      if (tok.k === 'word') {
        const w = tok.w;
        if (cur.words.length === 0) {
          if (cur.prefix.length === 0 && cur.redirects.length === 0 && !w.quoted) {
            const r = w.raw;
            if (RESERVED_SKIP.has(r)) continue;
            if (r === 'esac') {
              caseDepth = Math.max(0, caseDepth - 1);
              continue;
            }
            if (r === 'case') {
              // subject word, then `in`
              this.skipUntilWord('in');
              caseDepth++;
              casePattern = true;
              continue;
            }
            if (r === 'for' || r === 'select') {
              this.skipForHeader();
              continue;
            }
            if (r === 'function') {
              this.next(false, false); // the name
              this.skipParenPair();
              continue;
            }
            if (r === '[[') {
              cur.words.push(w);
              cur.start = w.start;
              cur.end = w.end;
              continue;
            }
          }
          if (ASSIGN_RE.test(w.raw)) {
            if (cur.prefix.length === 0 && cur.redirects.length === 0) cur.start = w.start;
            cur.prefix.push(w);
            cur.end = w.end;
            continue;
          }
        }
        if (cur.words.length === 0 && cur.prefix.length === 0 && cur.redirects.length === 0) cur.start = w.start;
        cur.words.push(w);
        cur.end = w.end;
        continue;
      }
      if (tok.k === 'redir') {
        this.handleRedirect(tok, cur);
        continue;
      }
      // operators
      switch (tok.op) {
        case '((':
          continue;
        case '(':
          if (cur.words.length === 1 && cur.prefix.length === 0 && this.peekChar() === C_RP) {
            // function definition name() { … }
            this.next(false, false);
            cur = newBuild();
            continue;
          }
          endPipeline();
          continue;
        case '|':
        case '|&':
          endCommand();
          continue;
        case ';;':
        case ';&':
        case ';;&':
          endPipeline();
          if (caseDepth > 0) casePattern = true;
          continue;
        default:
          endPipeline();
          continue;
      }
    }
    endPipeline();
    // Heredocs whose body never started (no newline before EOF).
    for (const h of this.pending) {
      h.bodyStart = this.lim;
      h.bodyEnd = this.lim;
      h.end = this.lim;
      h.terminated = false;
    }
    this.pending.length = 0;
  }

  private peekChar(): number {
    let i = this.i;
    while (i < this.lim && (this.t.charCodeAt(i) === C_SP || this.t.charCodeAt(i) === C_TAB)) i++;
    return i < this.lim ? this.t.charCodeAt(i) : -1;
  }

  private skipParenPair(): void {
    if (this.peekChar() !== C_LP) return;
    this.next(false, false);
    if (this.peekChar() === C_RP) this.next(false, false);
  }

  private skipUntilWord(word: string): void {
    for (let n = 0; n < 64; n++) {
      const save = this.i;
      const tok = this.next(false, false);
      if (tok.k === 'eof') return;
      if (tok.k === 'word' && tok.w.raw === word) return;
      if (tok.k === 'op' && tok.op !== '\n') {
        this.i = save;
        return;
      }
    }
  }

  /** After `for`/`select`: `NAME [in words] ;|newline` or `((…))`. */
  private skipForHeader(): void {
    for (;;) {
      const save = this.i;
      const tok = this.next(true, false);
      if (tok.k === 'eof') return;
      if (tok.k === 'op') {
        if (tok.op === '((') continue;
        if (tok.op === ';' || tok.op === '\n') return;
        this.i = save;
        return;
      }
      if (tok.k === 'word' && tok.w.raw === 'do' && !tok.w.quoted) return;
      if (tok.k === 'redir') {
        this.i = save;
        return;
      }
    }
  }

  private handleRedirect(tok: Extract<Tok, { k: 'redir' }>, cur: CmdBuild): void {
    if (cur.words.length === 0 && cur.prefix.length === 0 && cur.redirects.length === 0 && cur.heredocs.length === 0) cur.start = tok.start;
    const save = this.i;
    const nt = this.next(false, false);
    if (nt.k !== 'word') {
      this.i = save;
      cur.end = Math.max(cur.end, tok.end);
      return;
    }
    const w = nt.w;
    cur.end = Math.max(cur.end, w.end);
    const op = tok.op;
    if (op === '<<' || op === '<<-') {
      const h: HeredocRec = {
        start: tok.start,
        end: w.end,
        delimiter: w.literal ?? w.raw,
        quoted: w.quoted,
        stripTabs: op === '<<-',
        bodyStart: w.end,
        bodyEnd: w.end,
        command: undefined,
        targets: [],
        append: false,
        expansions: [],
        terminated: true,
        read: false,
      };
      cur.heredocs.push(h);
      this.pending.push(h);
      this.sink.heredocs.push(h);
      return;
    }
    if (op === '<<<' || op === '<&') return;
    if (op === '>&') {
      if (/^(\d+|-)$/.test(w.raw)) return;
      cur.redirects.push({ start: tok.start, end: w.end, op: '&>', target: w, rawOp: rawOp(tok) });
      return;
    }
    let norm: ShRedirect['op'];
    if (op === '<' || op === '<>') norm = '<';
    else if (tok.fd === 2) norm = '2>';
    else if (tok.fd !== undefined && tok.fd !== 1)
      return; // other fds: not a file the command writes to stdout
    else if (op === '>>') norm = '>>';
    else if (op === '>|') norm = '>|';
    else if (op === '&>' || op === '&>>') norm = '&>';
    else norm = '>';
    cur.redirects.push({ start: tok.start, end: w.end, op: norm, target: w, rawOp: rawOp(tok) });
  }

  private finishCommand(b: CmdBuild): Built | undefined {
    if (b.words.length === 0) {
      for (const a of b.prefix) {
        const asg = makeAssignment(a, false, undefined);
        if (asg) this.sink.assignments.push(asg);
      }
      if (b.prefix.length === 0 && b.redirects.length === 0 && b.heredocs.length === 0) return undefined;
      return { cmd: undefined, heredocs: b.heredocs };
    }
    const words = b.words;
    const env: ShAssignment[] = [];
    for (const a of b.prefix) {
      const asg = makeAssignment(a, false, undefined);
      if (asg) env.push(asg);
    }
    let i = 0;
    let sudo = false;
    for (;;) {
      const w = words[i];
      if (!w || i === words.length - 1) break;
      const name = w.literal;
      if (name === 'sudo') {
        sudo = true;
        i++;
        while (i < words.length - 1) {
          const o = words[i]!.literal ?? '';
          if (o === '--') {
            i++;
            break;
          }
          if (!o.startsWith('-')) break;
          i += /^-[ugCDhprtTU]$/.test(o) ? 2 : 1;
        }
        continue;
      }
      if (name === 'env') {
        i++;
        while (i < words.length - 1) {
          const o = words[i]!;
          const ol = o.literal ?? '';
          if (ol === '--') {
            i++;
            continue;
          }
          if (ol.startsWith('-')) {
            i += ol === '-u' || ol === '-C' || ol === '-S' ? 2 : 1;
            continue;
          }
          if (ASSIGN_RE.test(o.raw)) {
            const asg = makeAssignment(o, false, undefined);
            if (asg) env.push(asg);
            i++;
            continue;
          }
          break;
        }
        continue;
      }
      if (name === 'nohup' || name === 'exec' || name === 'time') {
        i++;
        continue;
      }
      break;
    }
    if (i >= words.length) i = words.length - 1;
    const nameWord = words[i]!;
    const cmd: ShCommand = {
      start: b.start,
      end: b.end,
      name: nameWord.literal ?? nameWord.raw,
      nameStart: nameWord.start,
      nameEnd: nameWord.end,
      args: words.slice(i + 1),
      redirects: b.redirects,
      sudo,
      ...(env.length > 0 ? { envAssignments: env } : {}),
    };
    this.sink.commands.push(cmd);
    if (DECLARERS.has(cmd.name)) this.declarations(cmd);
    else if (cmd.name === 'sed') {
      const sed = extractSed(this.t, cmd);
      if (sed) this.sink.seds.push(sed);
    }
    return { cmd, heredocs: b.heredocs };
  }

  private declarations(cmd: ShCommand): void {
    let exported = cmd.name === 'export';
    let options = true;
    for (const a of cmd.args) {
      const lit = a.literal;
      if (options && lit !== undefined && lit.startsWith('-') && lit.length > 1) {
        if (lit === '--') options = false;
        else if (lit.includes('x') && (cmd.name === 'declare' || cmd.name === 'typeset' || cmd.name === 'local')) exported = true;
        continue;
      }
      if (options && lit !== undefined && lit.startsWith('+')) continue;
      const asg = makeAssignment(a, exported, cmd.name);
      if (asg) {
        this.sink.assignments.push(asg);
        continue;
      }
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.raw)) {
        this.sink.assignments.push({
          start: a.start,
          end: a.end,
          name: a.raw,
          nameStart: a.start,
          nameEnd: a.end,
          value: undefined,
          exported,
          declaredBy: cmd.name,
        });
      }
    }
  }

  private finishPipeline(pipeline: Built[]): void {
    for (let k = 0; k < pipeline.length; k++) {
      const b = pipeline[k]!;
      for (const h of b.heredocs) {
        h.command = b.cmd;
        const targets: ShWord[] = [];
        let append = false;
        for (let j = k; j < pipeline.length; j++) {
          const c = pipeline[j]!.cmd;
          if (!c) break;
          if (c.name === 'tee') {
            let opts = true;
            for (const a of c.args) {
              const l = a.literal;
              if (opts && l !== undefined && l.startsWith('-') && l.length > 1) {
                if (l === '--') opts = false;
                else if (l === '--append' || (!l.startsWith('--') && l.includes('a'))) append = true;
                continue;
              }
              if (l === undefined || !NULL_TARGETS.has(l)) targets.push(a);
            }
          }
          let redirected = false;
          for (const r of c.redirects) {
            if (r.op === '<' || r.op === '2>') continue;
            redirected = true;
            const l = r.target.literal;
            if (l !== undefined && NULL_TARGETS.has(l)) continue;
            targets.push(r.target);
            if (r.op === '>>' || r.rawOp === '&>>') append = true;
          }
          if (redirected) break;
        }
        h.targets = targets;
        h.append = append;
      }
    }
  }
}

function rawOp(tok: { op: string; fd: number | undefined }): string {
  return (tok.fd !== undefined ? String(tok.fd) : '') + tok.op;
}

function newBuild(): CmdBuild {
  return { words: [], prefix: [], redirects: [], heredocs: [], start: 0, end: 0 };
}

function makeAssignment(w: ShWord, exported: boolean, declaredBy: string | undefined): ShAssignment | undefined {
  const m = ASSIGN_RE.exec(w.raw);
  if (!m) return undefined;
  const eq = m[0].length;
  const name = m[1]!;
  const vStart = w.start + eq;
  const value: ShWord = {
    start: vStart,
    end: w.end,
    raw: w.raw.slice(eq),
    literal: w.literal === undefined ? undefined : w.literal.slice(eq),
    expansions: w.expansions.filter((e) => e.start >= vStart),
    ...(w.templated ? { templated: true } : {}),
    ...(/['"\\]/.test(w.raw.slice(eq)) ? { quoted: true } : {}),
  };
  return {
    start: w.start,
    end: w.end,
    name,
    nameStart: w.start,
    nameEnd: w.start + name.length,
    value,
    exported,
    ...(declaredBy ? { declaredBy } : {}),
  };
}

const ANSI_ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v' };

/** Quote removal for `${X:-default}` defaults: drops quotes, resolves backslashes. */
export function stripShQuotes(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      out += s[i + 1]!;
      i++;
    } else if (c !== '"' && c !== "'") out += c;
  }
  return out;
}
