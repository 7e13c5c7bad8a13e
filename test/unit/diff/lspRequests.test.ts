import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeBuildDiff, computeRoleDiff } from '../../../server/src/lsp/diffRequests';
import { repoRoot } from '../../support/paths';
import { secretValues } from './helpers';

test('hashistack/diffBuilds: markdown with file:line links and rendered roles per side, masked', async () => {
  const r = await computeBuildDiff({ left: 'examples/mixed-os', right: 'examples/windows-only' }, repoRoot());
  assert.match(r.markdown, /\[shared\/packer\/scripts\/client\.ps1:\d+\]\(file:\/\/\S+examples\/windows-only\/shared\/packer\/scripts\/client\.ps1#L\d+\)/);
  assert.ok(r.left['windows-client/nomad']?.includes('server_join'));
  assert.ok(r.right['windows-client/nomad']?.includes('servers'));
  const all = JSON.stringify(r);
  for (const s of await secretValues()) assert.ok(!all.includes(s));
});

test('hashistack/diffRoles: Windows vs Linux clients, paired by product', async () => {
  const r = await computeRoleDiff({ roleA: 'windows-client', roleB: 'linux-client', folder: 'examples/windows-only' }, repoRoot());
  assert.deepEqual(Object.keys(r.left).sort(), ['windows-client/consul', 'windows-client/nomad']);
  assert.deepEqual(Object.keys(r.right).sort(), Object.keys(r.left).sort());
  assert.match(r.right['windows-client/nomad'] ?? '', /Linux client/i);
  assert.match(r.markdown, /`windows-client\/nomad` vs `linux-client\/nomad`/);
  await assert.rejects(computeRoleDiff({ roleA: 'nope', roleB: 'linux-client', folder: 'examples/windows-only' }, repoRoot()));
});
