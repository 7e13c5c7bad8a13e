import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffRoles } from '../../../server/src/core/diff/diffBuilds';
import { loadSide } from '../../../server/src/core/diff/sides';
import type { RoleDiff } from '../../../server/src/core/diff/types';
import { examplePath, repoRoot } from '../../support/paths';
import { run } from './helpers';

const RANK: Record<string, number> = { changed: 0, removed: 1, added: 2, unchanged: 3 };

function assertDifferencesFirst(d: RoleDiff): void {
  for (let i = 1; i < d.rows.length; i++) {
    const a = d.rows[i - 1]!;
    const b = d.rows[i]!;
    assert.ok(
      RANK[a.change]! < RANK[b.change]! || (RANK[a.change] === RANK[b.change] && a.path < b.path),
      `${a.path} (${a.change}) before ${b.path} (${b.change})`,
    );
  }
}

test('--roles aligns the two effective configs by setting, differences first', async () => {
  const { side } = await loadSide({ kind: 'folder', dir: examplePath('windows-only') }, 'w');
  const d = diffRoles(side, 'windows-client/nomad', 'linux-client/nomad');
  assert.ok(d.left.found && d.right.found);
  const a = side.roles.find((r) => r.id === 'windows-client/nomad')!;
  const b = side.roles.find((r) => r.id === 'linux-client/nomad')!;
  const union = new Set([...a.settings.map((s) => s.path), ...b.settings.map((s) => s.path)]);
  assert.equal(d.rows.length, union.size, 'one row per setting path of either role');
  assertDifferencesFirst(d);
  assert.equal(d.differences + d.equal, d.rows.length);
  const row = (p: string) => d.rows.find((r) => r.path === p);
  assert.equal(row('client.servers')?.change, 'removed'); // only on Windows
  assert.equal(row('tls.ca_file')?.change, 'added'); // only on Linux
  assert.equal(row('region')?.change, 'unchanged');
  assert.equal(row('data_dir')?.change, 'changed');
  assert.equal(row('consul.token')?.secret, 'differs'); // management token on Windows, agent token on Linux
  for (const r of d.rows) assert.equal(r.change === 'unchanged', r.left?.display === r.right?.display && r.left !== undefined && r.right !== undefined);
});

test('--roles in mixed-os: equal secrets are same (masked)', async () => {
  const { side } = await loadSide({ kind: 'folder', dir: examplePath('mixed-os') }, 'm');
  const d = diffRoles(side, 'windows-client/consul', 'linux-client/consul');
  assertDifferencesFirst(d);
  assert.equal(d.rows.find((r) => r.path === 'encrypt')?.secret, 'same (masked)');
  assert.equal(d.rows.find((r) => r.path === 'acl.tokens.agent')?.secret, 'same (masked)');
});

test('CLI --roles: text columns, both products unless --product, JSON rows', async () => {
  const cwd = repoRoot();
  const text = await run(['--roles', 'windows-client', 'linux-client', 'examples/windows-only', '--product', 'nomad'], cwd);
  assert.equal(text.code, 0, text.err);
  const lines = text.out.split('\n');
  const header = lines.findIndex((l) => /SETTING\s+WINDOWS-CLIENT\/NOMAD\s+LINUX-CLIENT\/NOMAD/.test(l));
  assert.ok(header > 0, text.out);
  const col = lines[header]!.indexOf('WINDOWS-CLIENT');
  // Aligned columns: every table row has its left value starting at the same column.
  const rows = lines.slice(header + 1).filter((l) => /^ {2}[~+\-=] /.test(l));
  assert.ok(rows.length > 10);
  for (const l of rows) assert.notEqual(l[col - 1], undefined);
  assert.ok(rows[0]!.startsWith('  ~'), 'differences first');
  assert.ok(rows[rows.length - 1]!.startsWith('  ='), 'equal settings last');
  assert.match(text.out, /Where the differences come from/);

  const both = await run(['--roles', 'windows-client', 'linux-client', 'examples/windows-only', '--format', 'json'], cwd);
  assert.equal(both.code, 0, both.err);
  const diffs = JSON.parse(both.out) as RoleDiff[];
  assert.deepEqual(diffs.map((d) => `${d.left.roleId}|${d.right.roleId}`).sort(), [
    'windows-client/consul|linux-client/consul',
    'windows-client/nomad|linux-client/nomad',
  ]);

  const md = await run(['--roles', 'windows-client/consul', 'linux-client/consul', 'examples/windows-only', '--format', 'markdown'], cwd);
  assert.equal(md.code, 0, md.err);
  assert.match(md.out, /\| ≠ \| `data_dir` \|/);

  const bad = await run(['--roles', 'nope', 'linux-client', 'examples/windows-only'], cwd);
  assert.equal(bad.code, 2);
});
