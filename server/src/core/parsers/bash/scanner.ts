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
import type { ShHeredoc, ShScanResult } from './types';
import type { Sink } from './scanState';
import { scanStatements } from './statements';

export function scanBash(text: string, options?: { templated?: boolean }): ShScanResult {
  const templated = options?.templated === true;
  const sink: Sink = { commands: [], heredocs: [], seds: [], assignments: [], comments: [], queue: [{ from: 0, to: text.length, depth: 0 }] };
  try {
    for (let q = 0; q < sink.queue.length; q++) {
      const r = sink.queue[q]!;
      scanStatements({ t: text, i: r.from, lim: r.to, depth: r.depth, templated, sink, pending: [] });
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
