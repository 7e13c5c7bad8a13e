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
 *
 * The modules: `statements.ts` (the statement loop, control structures,
 * redirects) over `lexer.ts` (tokens, words, quotes), `expansions.ts` (`$…`,
 * backticks, skipping of nested constructs), `heredocs.ts` and `commands.ts`
 * (command records, `sudo`/`env` prefixes, declarations); `scanState.ts`
 * holds the state they share.
 */
import type { ShHeredoc, ShNode, ShScanResult } from './types';
import type { HeredocRec, Sink } from './scanState';
import { scanStatements } from './statements';
import { commonPrefixLength, countBefore, countBelow } from '../textPrefix';

export function scanBash(text: string, options?: { templated?: boolean }): ShScanResult {
  const templated = options?.templated === true;
  const run = scanFrom(text, 0, templated);
  const result = run.result;
  // Restart points of a plain script whose scan completed (a scan that threw did not run its substitutions).
  if (!templated && run.completed) restartPoints.set(result, run.restarts);
  return result;
}

/**
 * The scan of `text` given the scan of an earlier version of the same file (the text before a keystroke). The
 * records before the first changed character are kept as they were (the same objects: nothing to lex or allocate for
 * them) and only the rest is scanned again, from the start of the line holding the change, or an earlier line: the
 * last restart point of the earlier scan at or before the change (see `Sink.restarts`: a line start outside any
 * `case`, no heredoc pending, nothing before it having looked at or past it). Templated scripts, and edits before
 * the first restart point, are scanned whole. The result equals `scanBash(text, options)`: a differential test
 * checks this over thousands of random edits.
 */
export function rescanBash(
  text: string,
  options: { templated?: boolean } | undefined,
  previous: { readonly text: string; readonly scan: ShScanResult },
): ShScanResult {
  const restarts = restartPoints.get(previous.scan);
  if (options?.templated === true || restarts === undefined || restarts.length === 0) return scanBash(text, options);
  const kept = countBelow(restarts, commonPrefixLength(previous.text, text) + 1);
  if (kept === 0) return scanBash(text, options);
  const from = restarts[kept - 1]!;
  const run = scanFrom(text, from, false);
  if (!run.completed) return scanBash(text, options);
  const prev = previous.scan;
  const commands = join(prev.commands, run.result.commands, from);
  const heredocs = join(prev.heredocs, run.result.heredocs, from);
  const seds = join(prev.seds, run.result.seds, from);
  const assignments = join(prev.assignments, run.result.assignments, from);
  const comments = join(prev.comments, run.result.comments, from);
  if (!commands || !heredocs || !seds || !assignments || !comments) return scanBash(text, options);
  const result: ShScanResult = { commands, heredocs, seds, assignments, comments };
  restartPoints.set(result, [...restarts.slice(0, kept), ...run.restarts]);
  return result;
}

/** Restart offsets of a plain (not templated) scan, by scan: see `Sink.restarts`. */
const restartPoints = new WeakMap<ShScanResult, readonly number[]>();

/** Scans `text` from `from` (0, or a restart point of an earlier scan: the state there is a fresh one). */
function scanFrom(text: string, from: number, templated: boolean): { result: ShScanResult; restarts: number[]; completed: boolean } {
  const sink: Sink = {
    commands: [],
    heredocs: [],
    seds: [],
    assignments: [],
    comments: [],
    queue: [{ from, to: text.length, depth: 0 }],
    reach: from,
    restarts: templated ? undefined : [],
  };
  let completed = true;
  try {
    for (let q = 0; q < sink.queue.length; q++) {
      const r = sink.queue[q]!;
      scanStatements({ t: text, i: r.from, lim: r.to, depth: r.depth, templated, sink, pending: [] });
    }
  } catch {
    // Never throw: return what was extracted so far.
    completed = false;
  }
  const heredocs = sink.heredocs.map((h) => publicHeredoc(h, templated));
  const result: ShScanResult = {
    commands: sink.commands.sort(byStart),
    heredocs: heredocs.sort(byStart),
    seds: sink.seds.sort(byStart),
    assignments: sink.assignments.sort(byStart),
    comments: sink.comments.sort(byStart),
  };
  return { result, restarts: sink.restarts ?? [], completed };
}

function publicHeredoc(h: HeredocRec, templated: boolean): ShHeredoc {
  return {
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
}

function byStart(a: ShNode, b: ShNode): number {
  return a.start - b.start;
}

/**
 * The records of the earlier scan that start before `from`, then the new ones (all at or after `from`); undefined
 * when a kept record reaches past `from` (it would depend on the changed text: never expected, checked anyway).
 */
function join<T extends ShNode>(before: readonly T[], after: readonly T[], from: number): T[] | undefined {
  const out = before.slice(0, countBefore(before, from));
  for (const x of out) if (x.end > from) return undefined;
  for (const x of after) out.push(x);
  return out;
}

/** The restart points recorded for a scan (for tests): undefined for a templated scan or one that threw. */
export function bashRestartPoints(scan: ShScanResult): readonly number[] | undefined {
  return restartPoints.get(scan);
}
