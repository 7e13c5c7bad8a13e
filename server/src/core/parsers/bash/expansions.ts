/**
 * Expansions: `$VAR`, `${…}`, `$(…)`, `$((…))`, backticks, `$'…'` and, in
 * templated scripts, Terraform `${…}`; plus the explicit-stack skipping of
 * nested quotes and substitutions that finds where each one ends.
 */
import type { ShExpansion } from './types';
import { Ch, Ctx, isDigit, isMeta, isNameChar, isNameStart, isNewline, K, type ScanState } from './scanState';

const MAX_SUB_DEPTH = 12;

export function addSub(sc: ScanState, from: number, to: number): void {
  if (sc.depth + 1 <= MAX_SUB_DEPTH && to > from) sc.sink.queue.push({ from, to, depth: sc.depth + 1 });
}

/** Index just past the closing `'` (or lim). Templated: `${…}` inside is skipped whole. */
export function skipSingle(sc: ScanState, i: number, exps?: ShExpansion[]): number {
  const t = sc.t;
  if (!sc.templated) {
    const j = t.indexOf("'", i);
    return j < 0 || j >= sc.lim ? sc.lim : j + 1;
  }
  while (i < sc.lim) {
    const c = t.charCodeAt(i);
    if (c === Ch.SQ) return i + 1;
    if (c === Ch.DOLLAR && t.charCodeAt(i + 1) === Ch.DOLLAR && t.charCodeAt(i + 2) === Ch.LB) i += 3;
    else if (c === Ch.DOLLAR && t.charCodeAt(i + 1) === Ch.LB) {
      const e = skipStack(sc, i + 2, [K.TfExpr], false);
      if (exps) exps.push({ start: i, end: e, name: t.slice(i + 2, t.charCodeAt(e - 1) === Ch.RB ? e - 1 : e).trim(), command: false, template: true });
      i = e;
    } else i++;
  }
  return sc.lim;
}

/**
 * Skips nested shell/template constructs with an explicit stack; returns the
 * index just past the closer of the first stack entry (or lim).
 */
export function skipStack(sc: ScanState, i: number, stack: K[], inDouble: boolean): number {
  const t = sc.t;
  const lim = sc.lim;
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
      if (c === Ch.BSL) i += 2;
      else if (c === Ch.DQ) {
        pop();
        i++;
      } else if ((c === Ch.DOLLAR || c === Ch.PCT) && t.charCodeAt(i + 1) === Ch.LB) {
        if (t.charCodeAt(i - 1) === c) i += 2;
        else {
          push(K.TfExpr);
          i += 2;
        }
      } else i++;
      continue;
    }
    if (top === K.TfExpr) {
      if (c === Ch.DQ) push(K.TfString);
      else if (c === Ch.LB) push(K.TfExpr);
      else if (c === Ch.RB) pop();
      i++;
      continue;
    }
    if (sc.templated && c === Ch.DOLLAR) {
      if (t.charCodeAt(i + 1) === Ch.DOLLAR && t.charCodeAt(i + 2) === Ch.LB) {
        if (top !== K.Backtick) push(K.Brace);
        i += 3;
        continue;
      }
      if (t.charCodeAt(i + 1) === Ch.LB) {
        push(K.TfExpr);
        i += 2;
        continue;
      }
    }
    if (top === K.Backtick) {
      if (c === Ch.BSL) i += 2;
      else if (c === Ch.BT) {
        pop();
        i++;
      } else i++;
      continue;
    }
    if (c === Ch.BSL) {
      i += 2;
      continue;
    }
    if (c === Ch.DOLLAR) {
      const n = t.charCodeAt(i + 1);
      if (n === Ch.LP) {
        push(K.Paren);
        i += 2;
        continue;
      }
      if (n === Ch.LB) {
        push(K.Brace);
        i += 2;
        continue;
      }
      i++;
      continue;
    }
    if (c === Ch.BT) {
      push(K.Backtick);
      i++;
      continue;
    }
    if (top === K.Double) {
      if (c === Ch.DQ) pop();
      i++;
      continue;
    }
    if (c === Ch.DQ) {
      push(K.Double);
      i++;
      continue;
    }
    if (top === K.Brace) {
      if (c === Ch.RB) {
        pop();
        i++;
      } else if (c === Ch.SQ && !inDouble && doubles === 0) i = skipSingle(sc, i + 1);
      else i++;
      continue;
    }
    // Paren
    if (c === Ch.SQ) i = skipSingle(sc, i + 1);
    else if (c === Ch.LP) {
      push(K.Paren);
      i++;
    } else if (c === Ch.RP) {
      pop();
      i++;
    } else if (c === Ch.HASH && (i === 0 || isMeta(t.charCodeAt(i - 1)))) {
      while (i < lim && !isNewline(t.charCodeAt(i))) i++;
    } else i++;
  }
  return Math.min(i, lim);
}

/** Index just past the `))` closing an arithmetic expression whose body starts at i. */
export function skipArith(sc: ScanState, i: number): number {
  const e = skipStack(sc, i, [K.Paren], false);
  return sc.t.charCodeAt(e) === Ch.RP && e < sc.lim ? e + 1 : e;
}

/** Index just past the `}` closing a Terraform interpolation whose body starts at i. */
export function skipTemplate(sc: ScanState, i: number): number {
  return skipStack(sc, i, [K.TfExpr], false);
}

function braceExpansion(sc: ScanState, start: number, innerStart: number, end: number, escaped: boolean): ShExpansion {
  const t = sc.t;
  const innerEnd = t.charCodeAt(end - 1) === Ch.RB && end - 1 >= innerStart ? end - 1 : end;
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
export function dollar(sc: ScanState, i: number, ctx: Ctx, exps: ShExpansion[]): { next: number; lit?: string; quoted?: boolean; dq?: boolean } {
  const t = sc.t;
  const n = t.charCodeAt(i + 1);
  if (sc.templated) {
    if (n === Ch.DOLLAR && t.charCodeAt(i + 2) === Ch.LB) {
      const end = skipStack(sc, i + 3, [K.Brace], ctx !== Ctx.Unquoted);
      exps.push(braceExpansion(sc, i, i + 3, end, true));
      return { next: end };
    }
    if (n === Ch.LB) {
      const end = skipTemplate(sc, i + 2);
      const innerEnd = t.charCodeAt(end - 1) === Ch.RB && end - 1 >= i + 2 ? end - 1 : end;
      exps.push({ start: i, end, name: t.slice(i + 2, innerEnd).trim(), command: false, template: true });
      return { next: end };
    }
  }
  if (n === Ch.LP) {
    if (t.charCodeAt(i + 2) === Ch.LP) {
      const end = skipArith(sc, i + 3);
      const innerEnd = Math.max(i + 3, t.slice(end - 2, end) === '))' ? end - 2 : end);
      exps.push({ start: i, end, name: t.slice(i + 3, innerEnd).trim(), command: false, arithmetic: true });
      return { next: end };
    }
    const end = skipStack(sc, i + 2, [K.Paren], false);
    const innerEnd = Math.max(i + 2, t.charCodeAt(end - 1) === Ch.RP ? end - 1 : end);
    addSub(sc, i + 2, innerEnd);
    exps.push({ start: i, end, name: t.slice(i + 2, innerEnd).trim(), command: true });
    return { next: end };
  }
  if (n === Ch.LB) {
    const end = skipStack(sc, i + 2, [K.Brace], ctx !== Ctx.Unquoted);
    exps.push(braceExpansion(sc, i, i + 2, end, false));
    return { next: end };
  }
  if (ctx === Ctx.Unquoted && n === Ch.SQ) {
    // $'…' ANSI-C quoting
    let j = i + 2;
    let lit = '';
    while (j < sc.lim) {
      const c = t.charCodeAt(j);
      if (c === Ch.SQ) {
        j++;
        return { next: j, lit, quoted: true };
      }
      if (c === Ch.BSL && j + 1 < sc.lim) {
        const e = t[j + 1]!;
        lit += ANSI_ESC[e] ?? (e === "'" || e === '"' || e === '\\' || e === '?' ? e : '\\' + e);
        j += 2;
        continue;
      }
      lit += t[j]!;
      j++;
    }
    return { next: sc.lim, lit, quoted: true };
  }
  if (ctx === Ctx.Unquoted && n === Ch.DQ) return { next: i + 1, lit: '', dq: true };
  if (isNameStart(n)) {
    let j = i + 2;
    while (j < sc.lim && isNameChar(t.charCodeAt(j))) j++;
    exps.push({ start: i, end: j, name: t.slice(i + 1, j), command: false });
    return { next: j };
  }
  if (i + 1 < sc.lim && (isDigit(n) || '@*#?$!-'.includes(t[i + 1]!))) {
    exps.push({ start: i, end: i + 2, name: t[i + 1]!, command: false });
    return { next: i + 2 };
  }
  return { next: i + 1, lit: '$' };
}

export function backtick(sc: ScanState, i: number, exps: ShExpansion[]): number {
  const end = skipStack(sc, i + 1, [K.Backtick], false);
  const innerEnd = Math.max(i + 1, sc.t.charCodeAt(end - 1) === Ch.BT ? end - 1 : end);
  addSub(sc, i + 1, innerEnd);
  exps.push({ start: i, end, name: sc.t.slice(i + 1, innerEnd).trim(), command: true });
  return end;
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
