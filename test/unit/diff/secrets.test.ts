import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffBuilds, diffRoles } from '../../../server/src/core/diff/diffBuilds';
import type { BuildSide } from '../../../server/src/core/diff/types';
import type { EffectiveSetting, RoleView } from '../../../server/src/core/api';
import { maskSecret } from '../../../server/src/core/secrets';
import { repoRoot } from '../../support/paths';
import { run, secretValues } from './helpers';

test('no secret value from either tfvars appears in text, JSON or Markdown output', async () => {
  const secrets = await secretValues();
  assert.ok(secrets.length >= 4, `found ${secrets.length} secret values`);
  const cwd = repoRoot();
  const outputs: string[] = [];
  for (const format of ['text', 'json', 'markdown']) {
    for (const args of [
      ['examples/mixed-os', 'examples/windows-only'],
      ['examples/windows-only', 'examples/mixed-os'],
      ['--roles', 'windows-client', 'linux-client', 'examples/windows-only'],
      ['--roles', 'server', 'windows-client', 'examples/mixed-os'],
    ]) {
      const r = await run([...args, '--format', format], cwd);
      assert.equal(r.code, 0, r.err);
      outputs.push(r.out, r.err);
    }
  }
  for (const out of outputs) for (const s of secrets) assert.ok(!out.includes(s), `secret ${s.slice(0, 4)}… leaked`);
  // Fingerprints are there instead.
  assert.ok(outputs.some((o) => /sha256:[0-9a-f]{8}/.test(o)));
});

function setting(path: string, secretValue: string): EffectiveSetting {
  return { path, value: undefined, display: maskSecret(secretValue), secret: true, span: { file: 'a.hcl', start: 0, end: 1 }, chain: [] };
}

function side(settings: EffectiveSetting[], id = 'windows-client/consul'): BuildSide {
  const role: RoleView = { id, name: id, kind: 'windows-client', product: 'consul', sources: [], settings };
  return {
    root: '/x',
    roles: [role],
    findings: [],
    fileProblems: [],
    versions: [],
    inputs: [],
    configErrors: [],
    sources: { positionAt: () => ({ line: 0, character: 0 }) },
  };
}

test('equal secrets compare as same (masked), different ones as differs with both fingerprints', () => {
  const k1 = 'c2VjcmV0LWdvc3NpcC1rZXktMTIzNDU2Nzg5MDEyMzQ=';
  const k2 = 'b3RoZXItZ29zc2lwLWtleS0xMjM0NTY3ODkwMTIzNDU=';
  const same = diffBuilds(side([setting('encrypt', k1)]), side([setting('encrypt', k1)]));
  assert.equal(same.roles[0]!.changed.length, 0);
  assert.equal(same.roles[0]!.unchangedCount, 1);
  const differ = diffBuilds(side([setting('encrypt', k1)]), side([setting('encrypt', k2)]));
  const c = differ.roles[0]!.changed[0]!;
  assert.equal(c.secret, 'differs');
  assert.match(c.left!.fingerprint!, /^sha256:[0-9a-f]{8}$/);
  assert.notEqual(c.left!.fingerprint, c.right!.fingerprint);
  const json = JSON.stringify(differ);
  assert.ok(!json.includes(k1) && !json.includes(k2));
  const roles = diffRoles(side([setting('encrypt', k1), setting('acl.tokens.agent', k2)].concat([]), 'r'), 'r', 'r');
  assert.ok(roles.rows.every((r) => r.change === 'unchanged' && r.secret === 'same (masked)'));
});
