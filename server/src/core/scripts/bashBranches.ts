/**
 * Which top-level branches of a bash script reach an offset: the arms of a top-level `case … in … esac` (a role
 * dispatch such as `case $ROLE in consul) configure_consul_server ;; *) configure_client ;; esac`), followed through
 * the calls of shell functions. Writes reached by different arms happen on different machines; a write reached by
 * several arms (a helper every branch calls) happens on each of them.
 */
import { shellFunctions } from './bashModel';

/** Reached outside any `case` arm (on every machine the script runs on). */
export const EVERY_BRANCH = '*always*';

interface Arm {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** Arms of `case` statements outside shell functions: pattern line `label)` on its own line, body up to `;;`. */
function topLevelArms(text: string, inFunction: (o: number) => boolean): Arm[] {
  const arms: Arm[] = [];
  let caseNo = 0;
  for (const m of text.matchAll(/^[ \t]*case[ \t][^\n]*[ \t]in[ \t]*$/gm)) {
    if (inFunction(m.index)) continue;
    const end = text.slice(m.index).search(/^[ \t]*esac\b/m);
    if (end < 0) continue;
    const body = text.slice(m.index + m[0].length, m.index + end);
    const base = m.index + m[0].length;
    caseNo++;
    for (const a of body.matchAll(/^[ \t]*\(?([^\n()]+)\)[ \t]*(?:#[^\n]*)?$/gm)) {
      const start = base + a.index + a[0].length;
      const stop = body.indexOf(';;', a.index + a[0].length);
      arms.push({ label: `case${caseNo}:${a[1]!.trim()}`, start, end: stop < 0 ? base + body.length : base + stop });
    }
  }
  return arms;
}

/** For each offset of the script, the set of branches reaching it (undefined when it runs on every machine). */
export function bashBranches(
  text: string,
  heredocs: ReadonlyArray<{ readonly bodyStart: number; readonly bodyEnd: number }> = [],
): (offset: number) => ReadonlySet<string> | undefined {
  const functions = shellFunctions(text, heredocs);
  const innermost = (o: number) => functions.filter((f) => f.bodyStart <= o && o < f.bodyEnd).pop();
  const arms = topLevelArms(text, (o) => innermost(o) !== undefined);
  if (arms.length === 0) return () => undefined;
  const calls = new Map<string, number[]>();
  for (const f of functions) {
    const re = new RegExp(`^[ \\t]*${f.name.replace(/[-]/g, '\\-')}(?=[ \\t]|$)(?![ \\t]*\\()`, 'gm');
    calls.set(
      f.name,
      [...text.matchAll(re)].map((m) => m.index + m[0].length - f.name.length),
    );
  }
  const memo = new Map<string, Set<string>>();
  const reach = (o: number, seen: Set<string>): Set<string> => {
    const f = innermost(o);
    if (!f) {
      const arm = arms.find((a) => a.start <= o && o < a.end);
      return new Set([arm ? arm.label : EVERY_BRANCH]);
    }
    const hit = memo.get(f.name);
    if (hit) return hit;
    if (seen.has(f.name)) return new Set();
    seen.add(f.name);
    const out = new Set<string>();
    for (const c of calls.get(f.name) ?? []) for (const b of reach(c, seen)) out.add(b);
    seen.delete(f.name);
    memo.set(f.name, out);
    return out;
  };
  return (o) => {
    const b = reach(o, new Set());
    return b.size === 0 || b.has(EVERY_BRANCH) ? undefined : b;
  };
}
