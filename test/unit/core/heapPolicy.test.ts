/**
 * The language server's heap policy: a fixed growing factor of 2 unless the command line chose one, checked on the
 * decision and, in a real Node process, on the limit V8 then computes (its `--trace-gc-verbose` line).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { HEAP_GROWING_PERCENT, applyHeapPolicy } from '../../../server/src/lsp/heapPolicy';

/** Runs a child Node that applies the policy (compiled module next to this test's), then forces two full GCs. */
function factorsInChild(nodeFlags: readonly string[]): string[] {
  const policy = path.join(__dirname, '../../../server/src/lsp/heapPolicy.js');
  const script = [
    `const { applyHeapPolicy } = require(${JSON.stringify(policy)});`,
    `applyHeapPolicy(process.execArgv, require('node:v8').setFlagsFromString);`,
    'const keep = []; for (let i = 0; i < 100000; i++) keep.push({ i, s: "x" + i });',
    'gc(); gc();',
  ].join('\n');
  const r = spawnSync(process.execPath, [...nodeFlags, '--expose-gc', '--trace-gc-verbose', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return [...r.stdout.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d+)\)/g)].map((m) => m[1]!);
}

describe('heap policy', () => {
  it('sets the growing factor when the command line gives none', () => {
    const set: string[] = [];
    const p = applyHeapPolicy(['--nolazy'], (f) => set.push(f));
    assert.deepEqual(set, [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    assert.equal(p.applied, set[0]);
    assert.match(p.message, /factor 2 /);
  });

  it("keeps the command line's own factor", () => {
    const set: string[] = [];
    const p = applyHeapPolicy(['--heap-growing-percent=30'], (f) => set.push(f));
    assert.deepEqual(set, []);
    assert.equal(p.applied, undefined);
    assert.match(p.message, /--heap-growing-percent=30/);
  });

  it('says so when V8 refuses the flag, and does not throw', () => {
    const p = applyHeapPolicy([], () => {
      throw new Error('flags frozen');
    });
    assert.equal(p.applied, undefined);
    assert.match(p.message, /left to V8 .*flags frozen/);
  });

  it('takes effect in a running process: V8 sizes the old generation with factor 2', () => {
    const withPolicy = factorsInChild([]);
    assert.ok(withPolicy.length > 0, 'no [HeapController] limit line from --trace-gc-verbose');
    assert.ok(
      withPolicy.every((f) => f === '2.0'),
      `factors: ${withPolicy.join(', ')}`,
    );
    // The command line's choice wins over the policy.
    const given = factorsInChild(['--heap-growing-percent=50']);
    assert.ok(given.length > 0 && given.every((f) => f === '1.5'), `factors: ${given.join(', ')}`);
  });
});
