/**
 * Garbage collection while the user is not typing.
 *
 * A keystroke's analysis allocates a few MiB; V8 collects its young generation when that fills up, which on a large
 * script is every second keystroke or so, and then inside an analysis: the scavenge (2-10 ms on the benchmark tree,
 * nearly all of it copying the objects still in use into the old generation) adds to that keystroke's latency. The
 * same collection costs nothing to the user when it runs in the pause after the diagnostics are sent: the next
 * analysis then starts with an empty young generation and, on a large script, finishes before it fills.
 *
 * So after an analysis, once nothing has happened for a short while, the server runs a minor collection; after a
 * longer pause (typing stopped) a full one, which also gives memory back to the system sooner than V8's own memory
 * reducer (10-20 s after the last allocation on the benchmark). Any edit or analysis cancels what is pending. An editor sending changes back to back (the benchmark's worst case) never leaves such a
 * pause: there, nothing changes.
 *
 * The collections go through V8's `gc()` extension, exposed at run time (`--expose-gc` set with
 * v8.setFlagsFromString, then `gc` read from a new context), with the options of V8's src/extensions/gc-extension.cc:
 * `{ type: 'minor' }` runs a scavenge, `{ execution: 'async' }` posts a full collection as a task. (Node 20's V8
 * reads only `type: 'minor'`, so a synchronous `type: 'major'` would scavenge: the test checks the kinds V8 reports.)
 * Without the extension (a V8 that refuses the flag), nothing is collected early and the server runs as before.
 */

export type CollectFunction = (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

/** Quiet time after an analysis before the minor collection (ms): longer than the gap between the keys of a burst. */
export const MINOR_AFTER_MS = 20;
/**
 * Quiet time after an analysis before the full collection (ms): typing has stopped. It runs as a task of its own, and
 * a key pressed while it runs waits for it (tens of ms on a large tree), so it comes after a pause longer than a
 * typist's usual ones.
 */
export const MAJOR_AFTER_MS = 3000;

interface Timers {
  setTimeout(callback: () => void, ms: number): { unref?(): unknown };
  clearTimeout(handle: unknown): void;
}

/**
 * V8's collection function, or undefined when it cannot be had. `setFlags` is v8.setFlagsFromString and
 * `readGlobal` reads a name in a new context (vm.runInNewContext): the flag only adds `gc` to contexts created
 * after it is set.
 */
export function exposeCollector(setFlags: (flags: string) => void, readGlobal: (name: string) => unknown): CollectFunction | undefined {
  try {
    setFlags('--expose-gc');
    const gc = readGlobal('gc');
    return typeof gc === 'function' ? (options) => (gc as (o: unknown) => void)(options) : undefined;
  } catch {
    return undefined;
  }
}

export class IdleCollector {
  private pending: unknown[] = [];
  /** Collections run (for tests and the log). */
  readonly runs = { minor: 0, major: 0 };

  constructor(
    private readonly collect: CollectFunction | undefined,
    private readonly timers: Timers = { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    private readonly delays: { readonly minorMs: number; readonly majorMs: number } = { minorMs: MINOR_AFTER_MS, majorMs: MAJOR_AFTER_MS },
  ) {}

  get enabled(): boolean {
    return this.collect !== undefined;
  }

  /** An edit arrived or an analysis is about to run: what was pending would now run in the user's way. */
  busy(): void {
    for (const handle of this.pending) this.timers.clearTimeout(handle);
    this.pending = [];
  }

  /** An analysis was published: collect once the server has been left alone for a while. */
  idle(): void {
    this.busy();
    const collect = this.collect;
    if (collect === undefined) return;
    const later = (ms: number, run: () => void) => {
      const handle = this.timers.setTimeout(run, ms);
      // Pending collections never keep the process alive.
      handle.unref?.();
      this.pending.push(handle);
    };
    later(this.delays.minorMs, () => {
      this.runs.minor++;
      collect({ type: 'minor', execution: 'sync' });
    });
    later(this.delays.majorMs, () => {
      this.runs.major++;
      collect({ type: 'major', execution: 'async' });
    });
  }
}
