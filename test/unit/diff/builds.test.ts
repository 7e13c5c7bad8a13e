import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffBuilds } from '../../../server/src/core/diff/diffBuilds';
import { findingKey } from '../../../server/src/core/diff/diffBuilds';
import { loadSide } from '../../../server/src/core/diff/sides';
import type { BuildDiff } from '../../../server/src/core/diff/types';
import { examplePath, repoRoot } from '../../support/paths';
import { run, tfvars } from './helpers';

async function examplesDiff(): Promise<{ diff: BuildDiff; right: Awaited<ReturnType<typeof loadSide>>; left: Awaited<ReturnType<typeof loadSide>> }> {
  const left = await loadSide({ kind: 'folder', dir: examplePath('mixed-os') }, 'mixed-os');
  const right = await loadSide({ kind: 'folder', dir: examplePath('windows-only') }, 'windows-only');
  return { diff: diffBuilds(left.side, right.side), left, right };
}

test('mixed-os vs windows-only: deployment inputs that differ in the tfvars are exactly the changed inputs', async () => {
  const { diff } = await examplesDiff();
  const a = await tfvars('mixed-os');
  const b = await tfvars('windows-only');
  for (const name of ['client_count', 'windows_client_count']) {
    const change = diff.inputs.find((i) => i.name === name);
    if (a.get(name) !== b.get(name)) {
      assert.ok(change, `${name} should be reported as changed`);
      assert.equal(change.left?.display, a.get(name));
      assert.equal(change.right?.display, b.get(name));
      assert.match(change.left?.location?.file ?? '', /terraform\.tfvars$/);
    } else assert.equal(change, undefined, `${name} is equal in both tfvars`);
  }
  // The seed's configuration: the Linux client count changes.
  assert.notEqual(a.get('client_count'), b.get('client_count'));
  const expected = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
  assert.deepEqual(
    diff.inputs.map((i) => i.name),
    expected,
  );
});

test('mixed-os vs windows-only: the Windows Nomad version is unpinned in windows-only, the Linux one changes', async () => {
  const { diff } = await examplesDiff();
  const win = diff.versions.find((v) => v.product === 'nomad' && v.os === 'windows');
  assert.ok(win?.right, 'nomad/windows on the right');
  assert.equal(win.right.pinned, false);
  assert.equal(win.right.version, null);
  assert.ok(win.right.reasons.length > 0);
  const lin = diff.versions.find((v) => v.product === 'nomad' && v.os === 'linux');
  const b = await tfvars('windows-only');
  assert.equal(lin?.change, 'changed');
  assert.equal(lin?.right?.version, b.get('nomad_version'));
  assert.ok(lin?.right?.chain.every((h) => h.line >= 1 && h.file.length > 0));
});

test('mixed-os vs windows-only: new findings, matched by rule + file + message without numbers', async () => {
  const { diff, left, right } = await examplesDiff();
  const leftKeys = new Set(left.side.findings.map(findingKey));
  const expectedNew = right.side.findings.filter((f) => !leftKeys.has(findingKey(f))).length;
  assert.equal(diff.findings.new.length, expectedNew);
  assert.equal(diff.findings.new.length + diff.findings.unchanged.length, right.side.findings.length);
  assert.equal(diff.findings.fixed.length + diff.findings.unchanged.length, left.side.findings.length);
  if (right.side.findings.length > left.side.findings.length) assert.ok(diff.findings.new.length > 0, 'windows-only has new findings');
  assert.ok(diff.findings.new.every((f) => f.line >= 1));
});

test('mixed-os vs windows-only: settings changed/added/removed with chains on both sides', async () => {
  const { diff } = await examplesDiff();
  const ids = new Set(diff.roles.map((r) => r.roleId));
  assert.ok(ids.has('windows-client/nomad') && ids.has('windows-client/consul'));
  const nomad = diff.roles.find((r) => r.roleId === 'windows-client/nomad')!;
  // client.ps1 of windows-only writes client.servers (the wrong "fix") and drops server_join.
  assert.ok(nomad.added.some((c) => c.path === 'client.servers'));
  assert.ok(nomad.removed.some((c) => c.path === 'client.server_join.retry_join'));
  for (const c of [...nomad.changed, ...nomad.added, ...nomad.removed]) {
    for (const v of [c.left, c.right]) if (v) for (const h of v.chain) assert.ok(h.line >= 1 && !h.file.startsWith('/'), `${c.path}: ${h.file}:${h.line}`);
  }
  const consul = diff.roles.find((r) => r.roleId === 'windows-client/consul')!;
  const enc = consul.removed.find((c) => c.path === 'encrypt');
  assert.ok(enc, 'Consul encrypt removed on Windows');
  assert.equal(enc.secret, 'differs');
  // Roles that are the same in both builds: no changes.
  const server = diff.roles.find((r) => r.roleId === 'server/nomad')!;
  assert.equal(server.changed.length + server.added.length + server.removed.length, 0);
  assert.ok(server.unchangedCount > 0);
});

test('a build against itself has no changes', async () => {
  const left = await loadSide({ kind: 'folder', dir: examplePath('windows-only') }, 'a');
  const right = await loadSide({ kind: 'folder', dir: examplePath('windows-only') }, 'b');
  const d = diffBuilds(left.side, right.side);
  assert.equal(d.summary.settingsChanged + d.summary.settingsAdded + d.summary.settingsRemoved + d.summary.inputsChanged + d.summary.versionsChanged, 0);
  assert.equal(d.summary.findingsNew + d.summary.findingsFixed, 0);
  assert.equal(d.summary.findingsUnchanged, left.side.findings.length);
});

test('CLI: text, json and markdown formats of the same diff agree', async () => {
  const cwd = repoRoot();
  const json = await run(['examples/mixed-os', 'examples/windows-only', '--format', 'json'], cwd);
  assert.equal(json.code, 0, json.err);
  const d = JSON.parse(json.out) as BuildDiff;
  assert.equal(d.schemaVersion, 1);
  assert.equal(d.kind, 'build-diff');
  const text = await run(['diff', 'examples/mixed-os', 'examples/windows-only'], cwd);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /Build diff: examples\/mixed-os {2}-> {2}examples\/windows-only/);
  for (const i of d.inputs) assert.match(text.out, new RegExp(`~\\s+${i.name}\\s`));
  // Each changed setting shows its chain on both sides as file:line hops.
  assert.match(text.out, /left: {2}terraform\/control\/terraform\.tfvars:\d+ /);
  assert.match(text.out, /right: terraform\/control\/terraform\.tfvars:\d+ /);
  const md = await run(['examples/mixed-os', 'examples/windows-only', '--format=markdown'], cwd);
  assert.equal(md.code, 0, md.err);
  assert.match(md.out, /^## HashiStack build diff/);
  for (const r of d.roles) assert.ok(md.out.includes(`#### \`${r.roleId}\``), r.roleId);
  assert.match(md.out, /\| changed \| `consul\.token` \|/);
  assert.match(md.out, /`shared\/packer\/scripts\/client\.ps1:\d+`/);
});

test('CLI: usage errors exit 2, unreadable sides exit 1', async () => {
  const cwd = repoRoot();
  assert.equal((await run(['examples/mixed-os'], cwd)).code, 2);
  assert.equal((await run(['a', 'b', '--format', 'yaml'], cwd)).code, 2);
  assert.equal((await run(['--bogus'], cwd)).code, 2);
  const missing = await run(['examples/nope', 'examples/mixed-os'], cwd);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /not a folder/);
  assert.equal((await run(['--help'], cwd)).code, 0);
});
