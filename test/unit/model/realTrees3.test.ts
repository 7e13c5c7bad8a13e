import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found on the round-3 real trees (docs/real-trees.md, "Round 3").

const serverTpl = ['datacenter = "dc1"', 'data_dir = @@data_dir@@', 'server {', '  enabled = true', '  bootstrap_expect = @@bootstrap_expect@@', '}', ''].join(
  '\n',
);

const serverPs1 = [
  'param(',
  "    $ipAddress = '10.11.0.101',",
  '    $bootstrapExpect = 1',
  ')',
  "$serviceHome = 'C:\\nomad-server'",
  'Set-Content `',
  '    -Encoding Ascii `',
  '    "$serviceHome\\config\\nomad-server.hcl" `',
  '    (',
  '        (Get-Content nomad-server.hcl) `',
  '            -replace \'@@data_dir@@\',(ConvertTo-Json -Depth 100 -Compress "$serviceHome\\data") `',
  '            -replace \'@@bootstrap_expect@@\',"$bootstrapExpect"',
  '    )',
  '',
].join('\n');

test('PowerShell: a number parameter default expanded in a string is known ("$bootstrapExpect" -> 1), and bootstrap_expect is no secret', () => {
  // rgl/nomad-windows-vagrant provision-nomad-server.ps1: was "unknown (`1` is computed at run time)", then masked as a secret.
  const ws = new Workspace('/x');
  ws.setText('nomad-server.hcl', serverTpl);
  ws.setText('provision-nomad-server.ps1', serverPs1);
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'server/nomad');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  const be = role.settings.find((s) => s.path === 'server.bootstrap_expect');
  assert.ok(be);
  assert.equal(be.display, '1');
  assert.equal(be.secret, false);
  assert.ok(be.chain.some((c) => /parameter \$bootstrapExpect default/.test(c.note)));
});
