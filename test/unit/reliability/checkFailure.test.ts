/**
 * A check that throws is reported by id and the others still report; the
 * engine keeps working afterwards (directly through runChecks, through
 * Workspace.analyze with a throwing check in the registry, and in the CLI).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import { ALL_CHECKS, runChecks } from '../../../server/src/core/checks/registry';
import type { Check } from '../../../server/src/core/checks/check';
import { runCli } from '../../../server/src/cli/main';
import { examplePath, repoRoot } from '../../support/paths';

const throwing: Check = {
  id: 'test-throwing-check',
  category: 'syntax',
  severity: 'error',
  title: 'throws on purpose',
  run() {
    throw new Error('boom on purpose');
  },
};

const throwingNonError: Check = {
  id: 'test-throwing-string',
  category: 'syntax',
  severity: 'error',
  title: 'throws a string on purpose',
  run() {
    throw 'not an Error';
  },
};

const key = (f: { ruleId: string; span: { file: string; start: number; end: number } }) => `${f.ruleId}|${f.span.file}|${f.span.start}|${f.span.end}`;

/** ALL_CHECKS is typed readonly; the test adds a check for the duration of `fn` and always restores it. */
async function withRegistered<T>(extra: Check[], fn: () => Promise<T> | T): Promise<T> {
  const list = ALL_CHECKS as Check[];
  const before = list.length;
  list.unshift(...extra);
  try {
    return await fn();
  } finally {
    list.splice(0, list.length - before);
    assert.equal(list.length, before);
  }
}

describe('a failing check does not take the analysis down', () => {
  it('runChecks([throwing, real]) reports the failure by id and still returns the real findings', async () => {
    const ws = await Workspace.load(examplePath('windows-only'));
    const result = ws.analyze();
    const model = ws.model;
    assert.ok(model);
    const real = ALL_CHECKS.find((c) => c.id === 'os-setting');
    assert.ok(real, 'os-setting is registered');
    const alone = runChecks(model, [real]);
    assert.ok(alone.findings.length > 0, 'the real check fires on windows-only');
    const mixed = runChecks(model, [throwing, real, throwingNonError]);
    assert.equal(mixed.failures.length, 2);
    assert.match(mixed.failures[0]!, /test-throwing-check/);
    assert.match(mixed.failures[0]!, /boom on purpose/);
    assert.match(mixed.failures[1]!, /test-throwing-string/);
    assert.deepEqual(mixed.findings.map(key), alone.findings.map(key));
    // The engine is unaffected: the same model runs every check again, and a fresh analysis is identical.
    const all = runChecks(model);
    assert.deepEqual(all.failures, []);
    const again = ws.analyze();
    assert.deepEqual(ws.checkFailures, []);
    assert.deepEqual(again.findings.map(key), result.findings.map(key));
  });

  it('Workspace.analyze with a throwing check in the registry: checkFailures names it, findings unchanged, recovers once removed', async () => {
    const ws = await Workspace.load(examplePath('windows-only'));
    const baseline = ws.analyze().findings.map(key);
    const withFailure = await withRegistered([throwing], () => ws.analyze());
    assert.equal(ws.checkFailures.length, 1);
    assert.match(ws.checkFailures[0]!, /check test-throwing-check failed: boom on purpose/);
    assert.deepEqual(withFailure.findings.map(key), baseline);
    // Editing and re-analysing still works, and the failure log is cleared.
    const text = ws.sourceText('shared/packer/scripts/client.ps1')!.text;
    ws.setText('shared/packer/scripts/client.ps1', text.replace('enable_syslog = true', 'enable_syslog = false'));
    const edited = ws.analyze();
    assert.deepEqual(ws.checkFailures, []);
    assert.ok(!edited.findings.some((f) => f.ruleId === 'os-setting' && /enable_syslog/.test(f.message)), 'the edit is analysed');
    assert.ok(edited.findings.length > 0);
  });

  it('CLI check reports the failed check on stderr and still prints the findings', async () => {
    let out = '';
    let err = '';
    const code = await withRegistered([throwing], () =>
      runCli(['check', examplePath('windows-only'), '--format', 'json'], { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: repoRoot() }),
    );
    assert.equal(code, 1, 'the real errors still decide the exit code');
    assert.match(err, /test-throwing-check failed: boom on purpose/);
    const report = JSON.parse(out) as { findings: unknown[] };
    assert.ok(report.findings.length > 10);
  });
});
