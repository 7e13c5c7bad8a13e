/**
 * Heredocs: reading the bodies after the line that opened them, the
 * expansions in unquoted (and, templated, quoted) bodies, and which command
 * a heredoc feeds and which files that pipeline writes it to.
 */
import type { ShWord } from './types';
import { backtick, dollar, skipTemplate } from './expansions';
import { Ch, Ctx, isNewline, newlineLen, type Built, type HeredocRec, type ScanState } from './scanState';

const NULL_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);

export function readHeredocs(sc: ScanState): void {
  const t = sc.t;
  const lim = sc.lim;
  let p = sc.i;
  let unterminated = false;
  for (const h of sc.pending) {
    h.read = true;
    h.bodyStart = p;
    let found = false;
    while (p < lim) {
      let e = p;
      while (e < lim && !isNewline(t.charCodeAt(e))) e++;
      let s = p;
      if (h.stripTabs) while (s < e && t.charCodeAt(s) === Ch.TAB) s++;
      if (e - s === h.delimiter.length && t.startsWith(h.delimiter, s)) {
        h.bodyEnd = p;
        h.end = e;
        p = e < lim ? e + newlineLen(sc, e) : e;
        found = true;
        break;
      }
      p = e < lim ? e + newlineLen(sc, e) : e;
    }
    if (!found) {
      unterminated = true;
      h.bodyEnd = lim;
      h.end = lim;
      h.terminated = false;
      p = lim;
    }
    scanBody(sc, h);
  }
  sc.pending.length = 0;
  sc.i = p;
  // The bodies (and their delimiter lines) were read up to p: no restart before it. An unterminated body looked for
  // its delimiter to the end of the text: text appended there may end it, so no restart at all after it.
  const reach = unterminated ? Infinity : p;
  if (reach > sc.sink.reach) sc.sink.reach = reach;
}

/** Expansions of a heredoc body (and sub-scans of its command substitutions). */
function scanBody(sc: ScanState, h: HeredocRec): void {
  const t = sc.t;
  const exps = h.expansions;
  let i = h.bodyStart;
  const end = h.bodyEnd;
  if (h.quoted && !sc.templated) return;
  // Limit skipping to the body.
  const saved = sc.lim;
  sc.lim = end;
  try {
    while (i < end) {
      const c = t.charCodeAt(i);
      if (h.quoted) {
        if (c === Ch.DOLLAR && t.charCodeAt(i + 1) === Ch.DOLLAR && t.charCodeAt(i + 2) === Ch.LB) i += 3;
        else if (c === Ch.DOLLAR && t.charCodeAt(i + 1) === Ch.LB) {
          const e = skipTemplate(sc, i + 2);
          const innerEnd = t.charCodeAt(e - 1) === Ch.RB && e - 1 >= i + 2 ? e - 1 : e;
          exps.push({ start: i, end: e, name: t.slice(i + 2, innerEnd).trim(), command: false, template: true });
          i = e;
        } else i++;
        continue;
      }
      if (c === Ch.BSL) i += 2;
      else if (c === Ch.DOLLAR) i = dollar(sc, i, Ctx.Heredoc, exps).next;
      else if (c === Ch.BT) i = backtick(sc, i, exps);
      else i++;
    }
  } finally {
    sc.lim = saved;
  }
}

/** At the end of a pipeline: the command each heredoc feeds, and the files (`tee` arguments, redirects) the pipeline writes it to. */
export function finishPipeline(pipeline: Built[]): void {
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
