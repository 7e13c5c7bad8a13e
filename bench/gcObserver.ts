/**
 * Preloaded into the benchmarked language server (`node -r out/bench/gcObserver.js`): records each garbage collection
 * of the server (its start on the wall clock, its duration, V8's kind) into the file HSR_BENCH_GC_LOG names, so that
 * the bench can count the collections that fall inside an edit, from didChange to its diagnostics. Written every
 * 500 ms and at exit; the observer's own cost is a few objects per collection.
 */
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

/** Appends each collection of this process to `rows` as [wall-clock start, duration, V8's kind] until disconnected. */
export function observeCollections(rows: Array<[number, number, number]>): PerformanceObserver {
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) rows.push([performance.timeOrigin + e.startTime, e.duration, (e as { detail?: { kind?: number } }).detail?.kind ?? 0]);
  });
  observer.observe({ entryTypes: ['gc'] });
  return observer;
}

const out = process.env.HSR_BENCH_GC_LOG;
if (out) {
  const rows: Array<[number, number, number]> = [];
  observeCollections(rows);
  const dump = (): void => {
    try {
      writeFileSync(out, JSON.stringify(rows));
    } catch {
      // The bench then reports no collections: it says so.
    }
  };
  process.on('exit', dump);
  setInterval(dump, 500).unref();
}
