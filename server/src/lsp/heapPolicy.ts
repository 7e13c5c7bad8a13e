/**
 * How far the language server's heap may grow between two full collections.
 *
 * V8 lets the old generation grow to a multiple of the live heap before it marks and compacts. That multiple is
 * chosen from the heap limit: with the several-GiB limit Node sets on any machine with 8 GiB or more, V8 allows its
 * highest factor, 4 (MemoryController::MaxGrowingFactor, deps/v8/src/heap/heap-controller.cc). The server's live
 * heap is small (~40 MiB for a 1,000-file tree, ~135 MiB at 5,000) but each keystroke leaves a few MiB of the
 * previous analysis behind, so a burst of typing took the process to ~3.5 times its size after loading before V8
 * collected (it gave the memory back only after 10-25 s of idleness).
 *
 * A fixed factor of 2 (`--heap-growing-percent=100`) bounds that: measured in-process over 200 keystrokes on the
 * benchmark trees, peak RSS 305-310 -> 217-221 MiB at 1,000 files and 585-611 -> 428-432 MiB at 5,000, keystroke
 * p95 unchanged (21.7-26.5 against 25.1-27.3 ms, within run-to-run noise) and the first load as fast. Smaller factors
 * (20-75 %) lowered the peak further but cost keystroke latency (more frequent mark-compacts); see docs/benchmarks.md.
 *
 * The flag is read each time V8 sizes the heap, so setting it once the process runs takes effect from the next
 * collection on. A value given on the command line (`node --heap-growing-percent=N`) is the user's and is kept.
 */
export const HEAP_GROWING_PERCENT = 100;

export interface HeapPolicy {
  /** The flag set, or undefined when the command line already chose one. */
  readonly applied: string | undefined;
  /** One line for the server's log. */
  readonly message: string;
}

export function applyHeapPolicy(execArgv: readonly string[], setFlags: (flags: string) => void): HeapPolicy {
  const given = execArgv.find((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
  if (given !== undefined) return { applied: undefined, message: `Heap growing factor from the command line (${given})` };
  const flag = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
  try {
    setFlags(flag);
  } catch (error) {
    return { applied: undefined, message: `Heap growing factor left to V8 (${flag} refused: ${String(error)})` };
  }
  return { applied: flag, message: `Heap growing factor ${1 + HEAP_GROWING_PERCENT / 100} between full collections (${flag})` };
}
