/**
 * Garbage collection while the user is not typing.
 *
 * A keystroke's analysis allocates a few MiB; V8 collects its young generation when that fills up, which on a large
 * script is every second keystroke or so, and then inside an analysis: the scavenge (2-10 ms on the benchmark tree,
 * nearly all of it copying the objects still in use into the old generation) adds to that keystroke's latency. The
 * same collection costs nothing to the user when it runs in the pause after the diagnostics are sent: the next
 * analysis then starts with an empty young generation and, on a large script, finishes before it fills. Measured on
 * the real server at 1,000 files with 100 ms between a diagnostics and the next edit: 133 scavenges fell inside the
 * 200 edits before, none after; keystroke p95 31 -> 26 ms (docs/benchmarks.md, eighth session).
 *
 * So after an analysis, once nothing has happened for a short while, the server runs a minor collection. Any edit or
 * analysis cancels it. An editor sending changes back to back (the benchmark's worst case) never leaves such a pause:
 * there, nothing changes.
 *
 * Only minor collections: a full collection between two analyses was measured in the sixth session to deoptimise ~40
 * optimised functions ("weak objects": objects their code embeds die while no analysis runs), which made the next
 * edits slower; and started 3 s into a pause it gave no memory back sooner than V8's own memory reducer (RSS back near
 * its level after loading 13-19 s after the typing, with or without it).
 *
 * The collection goes through V8's `gc()` extension, exposed at run time (`--expose-gc` set with v8.setFlagsFromString,
 * then `gc` read from a new context), with the option of V8's src/extensions/gc-extension.cc `{ type: 'minor' }` (a
 * scavenge). Without the extension (a V8 that refuses the flag), nothing is collected early and the server runs as
 * before.
 */

/** V8's `gc()`: a scavenge (`minor`, what the server runs) or a full collection (`major`, the benchmark client's). */
export type CollectFunction = (options: { type: 'minor' | 'major'; execution: 'sync' }) => void;

/** Quiet time after an analysis before the minor collection (ms): longer than the gap between the keys of a burst. */
export const MINOR_AFTER_MS = 20;
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
  /** The pending collection's timer. */
  private pending: unknown = undefined;
  /** Collections run (for tests and the log). */
  runs = 0;

  constructor(
    private readonly collect: CollectFunction | undefined,
    private readonly timers: Timers = { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    private readonly delayMs: number = MINOR_AFTER_MS,
  ) {}

  get enabled(): boolean {
    return this.collect !== undefined;
  }

  /** An edit arrived or an analysis is about to run: what was pending would now run in the user's way. */
  busy(): void {
    if (this.pending !== undefined) this.timers.clearTimeout(this.pending);
    this.pending = undefined;
  }

  /** An analysis was published: collect once the server has been left alone for a while. */
  idle(): void {
    this.busy();
    const collect = this.collect;
    if (collect === undefined) return;
    const handle = this.timers.setTimeout(() => {
      this.pending = undefined;
      this.runs++;
      collect({ type: 'minor', execution: 'sync' });
    }, this.delayMs);
    // A pending collection never keeps the process alive.
    handle.unref?.();
    this.pending = handle;
  }
}
