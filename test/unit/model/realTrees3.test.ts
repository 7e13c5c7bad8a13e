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

test('bash: a config file next to one that enables server mode in the same config directory is part of the server role', () => {
  // hashicorp/azure-consul init-cluster.tpl: consul-default.json (no `server`) + consul-server.json ("server": true),
  // both in /etc/consul.d read by `consul agent -config-dir /etc/consul.d`; was a phantom linux-client/consul role.
  const script = [
    '#!/bin/bash',
    'sudo tee /etc/consul.d/consul-default.json <<EOF',
    '{',
    '  "data_dir": "/opt/consul/data",',
    '  "retry_join": ["provider=azure tag_name=consul_datacenter tag_value=dc1"]',
    '}',
    'EOF',
    'sudo tee /etc/consul.d/consul-server.json <<EOF',
    '{',
    '  "server": true,',
    '  "bootstrap_expect": 3',
    '}',
    'EOF',
    '',
  ].join('\n');
  const ws = new Workspace('/x');
  ws.setText('init-cluster.sh', script);
  const r = ws.analyze();
  assert.deepEqual(
    r.roles.map((x) => x.id),
    ['server/consul'],
  );
  const role = r.roles[0]!;
  assert.equal(role.settings.find((s) => s.path === 'data_dir')?.display, '"/opt/consul/data"');

  // A directory where one file states client mode is left alone (a script that writes a server and a client file).
  const ws2 = new Workspace('/x');
  ws2.setText('init-cluster.sh', script.replace('"data_dir": "/opt/consul/data",', '"server": false,\n  "data_dir": "/opt/consul/data",'));
  assert.deepEqual(
    ws2
      .analyze()
      .roles.map((x) => x.id)
      .sort(),
    ['linux-client/consul', 'server/consul'],
  );
});
