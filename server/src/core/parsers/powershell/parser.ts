/**
 * Light statement parser over the tolerant lexer's tokens. It is not a
 * PowerShell grammar: it recognises pipelines, commands with parameters and
 * arguments, assignments, static method calls and a small expression subset
 * (replace chains, reads), and it walks every nested block. Nesting is
 * handled with a depth limit plus a work list, so deep input cannot overflow
 * the stack; every token is visited a bounded number of times.
 *
 * This file holds the Parser entry, statements, blocks and pipelines;
 * commands.ts commands, parameters and arguments; expressions.ts values and
 * -replace chains; writes.ts the file writes; parseState.ts the shared state
 * and helpers.
 */
import { K, type Stream, type Tok } from './lexer';
import {
  isNumberLike,
  isPunct,
  KEYWORDS_BARE,
  KEYWORDS_BLOCK,
  KEYWORDS_FUNCTION,
  KEYWORDS_SCRIPTBLOCK_NAMED,
  KEYWORDS_VALUE,
  other,
  ParseLimit,
  ParseState,
  pipeable,
  type Res,
  skipNl,
  skipSeparators,
  type Value,
} from './parseState';
import { parseCommand } from './commands';
import type { PsFunctionParam, PsReplaceOp } from './types';
import { parseExpression } from './expressions';
import { redirections } from './writes';

export class Parser extends ParseState {
  /** Token indices (in the main stream) where a top-level statement starts, in order. */
  readonly topLevel: number[] = [];

  run(main: Stream): void {
    // The top level first, recording where each statement starts (the restart points of an incremental rescan).
    parseBlock(this, main, 0, main.toks.length, 0, this.topLevel);
    let guard = 0;
    while (this.work.length > 0 && guard++ < 10_000_000) {
      const w = this.work.pop()!;
      parseBlock(this, w.s, w.from, w.to, 0);
    }
  }
}

export function parseBlock(st: ParseState, s: Stream, from: number, to: number, depth: number, starts?: number[]): void {
  let i = from;
  while (i < to) {
    const t = s.toks[i]!;
    if (
      t.k === K.Nl ||
      (t.k === K.Punct && (t.t === ';' || t.t === ')' || t.t === '}' || t.t === ']' || t.t === ',' || t.t === '&&' || t.t === '||' || t.t === '|'))
    ) {
      i++;
      continue;
    }
    starts?.push(i);
    const next = parseStatement(st, s, i, to, depth);
    i = Math.max(next, i + 1);
  }
}

/** Parses the inside of the group opened at `open`; returns the index after its closer. */
export function group(st: ParseState, s: Stream, open: number, to: number, depth: number): number {
  const close = Math.min(closeOf(s, open), to);
  if (depth >= ParseLimit.MaxDepth) st.work.push({ s, from: open + 1, to: close });
  else parseBlock(st, s, open + 1, close, depth + 1);
  return Math.min(close + 1, Math.max(to, open + 1));
}

export function closeOf(s: Stream, open: number): number {
  const m = s.match[open];
  return m === undefined || m < 0 ? open + 1 : m;
}

export function parseStatement(st: ParseState, s: Stream, i: number, to: number, depth: number): number {
  const t = s.toks[i]!;
  if (t.k === K.Word) {
    const kw = t.t.toLowerCase();
    if (KEYWORDS_FUNCTION.has(kw)) return parseFunction(st, s, i + 1, to, depth);
    if (kw === 'param') {
      const j = skipNl(s, i + 1, to);
      if (isPunct(s, j, '(')) return parseParamBlock(st, s, j, to, depth);
    }
    if (KEYWORDS_BLOCK.has(kw) || (KEYWORDS_SCRIPTBLOCK_NAMED.has(kw) && isPunct(s, skipNl(s, i + 1, to), '{'))) {
      return parseControl(st, s, i + 1, to, depth, kw);
    }
    if (KEYWORDS_VALUE.has(kw)) {
      const j = i + 1;
      if (j < to && !endsStatement(s.toks[j]!)) return parsePipeline(st, s, j, to, depth).next;
      return j;
    }
    if (KEYWORDS_BARE.has(kw)) {
      let j = i + 1;
      while (j < to && s.toks[j]!.k !== K.Nl && !isPunct(s, j, ';')) j++;
      return j;
    }
  }
  return parsePipeline(st, s, i, to, depth).next;
}

export function parseFunction(st: ParseState, s: Stream, i: number, to: number, depth: number): number {
  const kw = s.toks[i - 1];
  let j = skipNl(s, i, to);
  const nameTok = j < to && s.toks[j]!.k === K.Word ? s.toks[j]! : undefined;
  if (nameTok) j++;
  j = skipNl(s, j, to);
  const params: PsFunctionParam[] = [];
  if (isPunct(s, j, '(')) {
    j = parseParamBlock(st, s, j, to, depth, params);
    j = skipNl(s, j, to);
  }
  if (!isPunct(s, j, '{')) return j;
  const open = j;
  const close = Math.min(closeOf(s, open), to);
  if (depth >= ParseLimit.MaxDepth) st.work.push({ s, from: open + 1, to: close });
  else {
    // `{ [CmdletBinding()] param(...) … }`: the body's own parameter block.
    let k = skipNl(s, open + 1, close);
    while (k < close && (s.toks[k]!.k === K.Type || isPunct(s, k, '['))) k = skipNl(s, s.toks[k]!.k === K.Type ? k + 1 : closeOf(s, k) + 1, close);
    const p = s.toks[k];
    if (p && k < close && params.length === 0 && p.k === K.Word && p.t.toLowerCase() === 'param' && isPunct(s, skipNl(s, k + 1, close), '(')) {
      parseBlock(st, s, open + 1, k, depth + 1);
      const after = parseParamBlock(st, s, skipNl(s, k + 1, close), close, depth + 1, params);
      parseBlock(st, s, after, close, depth + 1);
    } else parseBlock(st, s, open + 1, close, depth + 1);
  }
  if (nameTok && kw && close < s.toks.length && isPunct(s, close, '}')) {
    st.out.functions.push({
      start: kw.s,
      end: s.toks[close]!.e,
      name: nameTok.t,
      nameStart: nameTok.s,
      nameEnd: nameTok.e,
      bodyStart: s.toks[open]!.e,
      bodyEnd: s.toks[close]!.s,
      params,
    });
  }
  return Math.min(close + 1, Math.max(to, open + 1));
}

export function parseControl(st: ParseState, s: Stream, i: number, to: number, depth: number, kw: string): number {
  let j = i;
  for (let guard = 0; j < to && guard < 64; guard++) {
    const t = s.toks[j]!;
    if (t.k === K.Nl) {
      // `if (x)\n{`: a newline may separate the condition from the block.
      const k = skipNl(s, j, to);
      if (isPunct(s, k, '{') || isPunct(s, k, '(')) {
        j = k;
        continue;
      }
      return j;
    }
    if (t.k === K.Punct && t.t === '(') {
      if (kw === 'foreach') {
        // `foreach ($x in <pipeline>)`: parse what follows `in`.
        const close = Math.min(closeOf(s, j), to);
        let k = j + 1;
        while (k < close && !(s.toks[k]!.k === K.Word && s.toks[k]!.t.toLowerCase() === 'in')) k++;
        if (k < close) {
          parseBlock(st, s, k + 1, close, depth + 1 > ParseLimit.MaxDepth ? depth : depth + 1);
          j = Math.min(close + 1, to);
          continue;
        }
      }
      j = group(st, s, j, to, depth);
      continue;
    }
    if (t.k === K.Punct && t.t === '{') {
      j = group(st, s, j, to, depth);
      // `if {…} else {…}`, `try {…} catch {…} finally {…}`, `do {…} while (…)`.
      const k = skipNl(s, j, to);
      const n = s.toks[k];
      if (n && k < to && n.k === K.Word && /^(else|elseif|catch|finally|while|until)$/i.test(n.t)) {
        kw = n.t.toLowerCase();
        j = k + 1;
        continue;
      }
      return j;
    }
    if (t.k === K.Type || t.k === K.Param || (t.k === K.Punct && t.t === ',') || (t.k === K.Word && guard === 0 && kw !== 'if' && kw !== 'elseif')) {
      j++;
      continue;
    }
    return j;
  }
  return j;
}

/** `param( [type]$Name = default, … )` at `open`; `params` (if given) receives the parameters in order. */
export function parseParamBlock(st: ParseState, s: Stream, open: number, to: number, depth: number, params?: PsFunctionParam[]): number {
  const close = Math.min(closeOf(s, open), to);
  let j = open + 1;
  while (j < close) {
    const t = s.toks[j]!;
    if (t.k === K.Punct && (t.t === '[' || t.t === '(' || t.t === '{' || t.t === '@(' || t.t === '@{' || t.t === '$(')) {
      const c = Math.min(closeOf(s, j), close);
      if (t.t !== '[') parseBlock(st, s, j + 1, c, depth + 1);
      j = c + 1;
      continue;
    }
    if (t.k === K.Var) {
      const k = skipNl(s, j + 1, close);
      const eq = s.toks[k];
      if (eq && eq.k === K.Op && eq.t === '=' && k < close) {
        const r = parseExpression(st, s, skipNl(s, k + 1, close), close, depth, true);
        st.out.assignments.push({ start: t.s, end: r.value.end, name: t.t, nameStart: t.s, nameEnd: t.e, value: r.value, isParameterDefault: true });
        params?.push({ start: t.s, end: r.value.end, name: t.t, defaultValue: r.value });
        j = r.next;
        continue;
      }
      params?.push({ start: t.s, end: t.e, name: t.t, defaultValue: undefined });
    }
    j++;
  }
  return Math.min(close + 1, Math.max(to, open + 1));
}

// ---------------------------------------------------------------- pipelines

export function parsePipeline(st: ParseState, s: Stream, i: number, to: number, depth: number): Res {
  const toks = s.toks;
  // Assignment: [type]…$var = value
  let j = i;
  while (j < to && toks[j]!.k === K.Type) j++;
  const v = toks[j];
  if (v && j < to && v.k === K.Var && !v.splat) {
    const eqI = j + 1;
    const eq = toks[eqI];
    if (eq && eqI < to && eq.k === K.Op && /^(=|\+=|-=|\*=|\/=|%=)$/.test(eq.t)) {
      const rhsStart = skipNl(s, eqI + 1, to);
      const r = rhsStart < to ? parseRhs(st, s, rhsStart, to, depth) : undefined;
      st.out.assignments.push({
        start: toks[i]!.s,
        end: r ? r.value.end : eq.e,
        name: v.t,
        nameStart: v.s,
        nameEnd: v.e,
        value: r?.value,
        isParameterDefault: false,
      });
      return { value: r?.value ?? other(st.text, v.s, eq.e), next: r ? r.next : eqI + 1 };
    }
  }
  const start = toks[i]!.s;
  let input: Value | undefined;
  let value: Value | undefined;
  let elements = 0;
  // The last element turned the piped text into a replace of it (`… | ForEach-Object { $_ -replace … }`): the pipeline's value.
  let perLineValue = false;
  let k = i;
  while (k < to) {
    const t = toks[k]!;
    let r: Res;
    if (isCommandStart(t, elements > 0)) {
      const perLine = input !== undefined ? perObjectReplace(st, s, k, to, depth) : undefined;
      r = parseCommand(st, s, k, to, depth, input);
      // `Get-Content X | ForEach-Object { $_ -replace 'A', 'B' } | Set-Content X`: the replace applied to every line
      // of the piped text is the replace applied to the text (a placeholder does not span lines).
      if (perLine && input) {
        perLineValue = true;
        r = {
          value:
            input.kind === 'replace'
              ? { start: input.start, end: r.value.end, kind: 'replace', base: input.base, ops: [...input.ops, ...perLine] }
              : { start: input.start, end: r.value.end, kind: 'replace', base: input, ops: perLine },
          next: r.next,
        };
      } else perLineValue = false;
    } else {
      perLineValue = false;
      r = parseExpression(st, s, k, to, depth, false);
      r = { value: r.value, next: redirections(st, s, r.next, to, depth, r.value) };
      // Assignment to a member / index (`$x.Prop = …`): parse the right side for nested commands.
      const eq = toks[r.next];
      if (eq && r.next < to && eq.k === K.Op && /^(=|\+=|-=)$/.test(eq.t)) {
        const rhs = skipNl(s, r.next + 1, to);
        if (rhs < to) r = parseRhs(st, s, rhs, to, depth);
      }
    }
    elements++;
    value = r.value;
    k = Math.max(r.next, k + 1);
    const p = toks[k];
    if (p && k < to && p.k === K.Punct && p.t === '|') {
      input = pipeable(value);
      k = skipNl(s, k + 1, to);
      continue;
    }
    break;
  }
  const end = toks[Math.min(k, to) - 1]?.e ?? start;
  if ((elements > 1 && !perLineValue) || value === undefined) value = other(st.text, start, Math.max(start, end));
  return { value, next: k };
}

const FOREACH_OBJECT = new Set(['foreach-object', '%', 'foreach']);

/**
 * The replace operations of `ForEach-Object { $_ -replace 'A', 'B' -replace … }` (or `$_.Replace(…)`, `$PSItem`) at
 * token `k`: the block is parsed on a scratch state (the real parse of the command records what it contains once).
 */
function perObjectReplace(st: ParseState, s: Stream, k: number, to: number, depth: number): PsReplaceOp[] | undefined {
  const name = s.toks[k]!;
  if (!FOREACH_OBJECT.has(name.t.toLowerCase()) || depth >= ParseLimit.MaxDepth) return undefined;
  const open = k + 1;
  if (!isPunct(s, open, '{') || open >= to) return undefined;
  const close = Math.min(closeOf(s, open), to);
  const after = s.toks[close + 1];
  if (
    close >= to ||
    (after !== undefined && close + 1 < to && !(after.k === K.Punct && (after.t === '|' || after.t === ')' || after.t === ';')) && after.k !== K.Nl)
  )
    return undefined;
  const scratch = new ParseState(st.text, { commands: [], methodCalls: [], assignments: [], fileWrites: [], functions: [] });
  const b = skipNl(s, open + 1, close);
  if (b >= close) return undefined;
  const e = parseExpression(scratch, s, b, close, depth + 1, false);
  if (skipSeparators(s, e.next, close) < close) return undefined;
  const v = e.value;
  if (v.kind !== 'replace' || v.base.kind !== 'variable' || !/^(_|psitem)$/i.test(v.base.name)) return undefined;
  return [...v.ops];
}

/** Right side of an assignment: a statement (if/switch/…) or a pipeline. */
export function parseRhs(st: ParseState, s: Stream, i: number, to: number, depth: number): Res {
  const t = s.toks[i]!;
  if (t.k === K.Word) {
    const kw = t.t.toLowerCase();
    if (KEYWORDS_BLOCK.has(kw) || KEYWORDS_FUNCTION.has(kw)) {
      const next = parseStatement(st, s, i, to, depth);
      const end = s.toks[Math.min(next, to) - 1]?.e ?? t.e;
      return { value: other(st.text, t.s, end), next };
    }
  }
  return parsePipeline(st, s, i, to, depth);
}

export function isCommandStart(t: Tok, inPipeline: boolean): boolean {
  if (t.k === K.Word) return !isNumberLike(t.t);
  if (t.k === K.Punct && t.t === '&') return true;
  if (t.k === K.Op && (t.t === '.' || (inPipeline && t.t === '%'))) return true;
  return false;
}

export function endsStatement(t: Tok): boolean {
  if (t.k === K.Nl) return true;
  if (t.k !== K.Punct) return false;
  return t.t === ';' || t.t === '|' || t.t === ')' || t.t === '}' || t.t === ']' || t.t === '&&' || t.t === '||' || t.t === '&';
}
