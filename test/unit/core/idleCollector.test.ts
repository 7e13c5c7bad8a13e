/**
 * Garbage collection in the pauses between analyses: what is scheduled and cancelled (with fake timers), and, in a
 * child Node without `--expose-gc` on its command line, that the collector obtained at run time really makes V8 run a
 * scavenge (the `gc` performance entry of that kind) and nothing else.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { IdleCollector, MINOR_AFTER_MS, exposeCollector } from '../../../server/src/lsp/idleCollector';
import type { CollectFunction } from '../../../server/src/lsp/idleCollector';

/** Timers that run only when the test advances the clock. */
class FakeTimers {
  now = 0;
  private next = 1;
  private readonly queue = new Map<number, { at: number; run: () => void }>();
  setTimeout = (run: () => void, ms: number) => {
    const id = this.next++;
    this.queue.set(id, { at: this.now + ms, run });
    return { id, unref: () => undefined };
  };
  clearTimeout = (handle: unknown) => {
    this.queue.delete((handle as { id: number }).id);
  };
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.queue].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > this.now) continue;
      this.queue.delete(id);
      t.run();
    }
  }
  get size(): number {
    return this.queue.size;
  }
}

function recorder(): { calls: string[]; collect: CollectFunction } {
  const calls: string[] = [];
  return { calls, collect: (o) => calls.push(`${o.type}/${o.execution}`) };
}

describe('idle collector', () => {
  it('runs a minor collection after a short pause, once', () => {
    const timers = new FakeTimers();
    const { calls, collect } = recorder();
    const c = new IdleCollector(collect, timers);
    c.idle();
    timers.advance(MINOR_AFTER_MS - 1);
    assert.deepEqual(calls, []);
    timers.advance(1);
    assert.deepEqual(calls, ['minor/sync']);
    timers.advance(60_000);
    assert.deepEqual(calls, ['minor/sync']);
    assert.equal(c.runs, 1);
    assert.equal(timers.size, 0);
  });

  it('collects nothing while edits keep coming (each cancels what is pending)', () => {
    const timers = new FakeTimers();
    const { calls, collect } = recorder();
    const c = new IdleCollector(collect, timers);
    for (let i = 0; i < 50; i++) {
      c.idle(); // an analysis published
      timers.advance(MINOR_AFTER_MS - 5); // the next key comes sooner than the pause
      c.busy(); // its edit
    }
    assert.deepEqual(calls, []);
    assert.equal(timers.size, 0);
    // Typing stops: one collection, not one per analysis.
    c.idle();
    timers.advance(MINOR_AFTER_MS);
    assert.deepEqual(calls, ['minor/sync']);
  });

  it('a second analysis replaces the pending collection of the first', () => {
    const timers = new FakeTimers();
    const { calls, collect } = recorder();
    const c = new IdleCollector(collect, timers);
    c.idle();
    timers.advance(MINOR_AFTER_MS - 1);
    c.idle();
    assert.equal(timers.size, 1);
    timers.advance(1);
    assert.deepEqual(calls, []);
    timers.advance(MINOR_AFTER_MS);
    assert.deepEqual(calls, ['minor/sync']);
  });

  it('without a collector schedules nothing', () => {
    const timers = new FakeTimers();
    const c = new IdleCollector(undefined, timers);
    c.idle();
    assert.equal(c.enabled, false);
    assert.equal(timers.size, 0);
  });

  it('exposeCollector gives up quietly when the flag or the function is refused', () => {
    assert.equal(
      exposeCollector(
        () => {
          throw new Error('no');
        },
        () => () => undefined,
      ),
      undefined,
    );
    assert.equal(
      exposeCollector(
        () => undefined,
        () => undefined,
      ),
      undefined,
    );
  });

  it('the collector obtained at run time makes V8 run a scavenge, and only that', () => {
    const mod = path.join(__dirname, '../../../server/src/lsp/idleCollector.js');
    const script = [
      `const { exposeCollector } = require(${JSON.stringify(mod)});`,
      "const { PerformanceObserver, constants } = require('node:perf_hooks');",
      'const kinds = [];',
      "new PerformanceObserver((l) => { for (const e of l.getEntries()) kinds.push(e.detail.kind); }).observe({ entryTypes: ['gc'] });",
      "const collect = exposeCollector(require('node:v8').setFlagsFromString, (n) => require('node:vm').runInNewContext(n));",
      "if (typeof collect !== 'function') throw new Error('no collector');",
      'globalThis.keep = Array.from({ length: 1000 }, (_, i) => ({ i }));',
      "setTimeout(() => { collect({ type: 'minor', execution: 'sync' });",
      '  setTimeout(() => console.log(JSON.stringify({ kinds, minor: constants.NODE_PERFORMANCE_GC_MINOR, major: constants.NODE_PERFORMANCE_GC_MAJOR })), 300); }, 50);',
    ].join('\n');
    // No --expose-gc on the command line: the server gets it at run time.
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim()) as { kinds: number[]; minor: number; major: number };
    assert.ok(out.kinds.includes(out.minor), `no minor collection in ${JSON.stringify(out.kinds)}`);
    assert.ok(!out.kinds.includes(out.major), `a full collection in ${JSON.stringify(out.kinds)}`);
  });
});
