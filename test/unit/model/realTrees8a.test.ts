import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found on the round-8a real trees (docs/real-trees.md, "Round 8a").

test('a config file whose data_dir is a Windows drive path is a Windows agent even when its path does not name Windows', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'agent.hcl',
    'data_dir = "C:\\\\ProgramData\\\\nomad\\\\data"\nclient {\n  enabled = true\n}\nvault {\n  address = "http://vault.service.consul:8200"\n}\n',
  );
  ws.setText('consul.hcl', 'data_dir = "C:/ProgramData/consul/data"\nbind_addr = "0.0.0.0"\n');
  ws.setText('linux.hcl', 'data_dir = "/opt/nomad/data"\nclient {\n  enabled = true\n}\n');
  const r = ws.analyze();
  const kinds = r.roles.map((x) => `${x.kind}/${x.product}:${x.sources.join(',')}`).sort();
  assert.deepEqual(kinds, ['linux-client/nomad:linux.hcl', 'windows-client/consul:consul.hcl', 'windows-client/nomad:agent.hcl']);
});

test('PowerShell: $c = Get-Content …; $c = $c -replace …; Set-Content … -Value $c edits the file in place (the right-hand $c is the earlier value)', () => {
  const ws = new Workspace('/t');
  ws.setText('client.hcl', 'data_dir = "C:\\\\nomad\\\\data"\nclient {\n  enabled = true\n  node_class = "NODE_CLASS"\n}\n');
  ws.setText(
    'configure.ps1',
    '$p = "C:\\\\nomad\\\\conf\\\\client.hcl"\n$c = Get-Content -Path $p -Raw\n$c = $c -replace "NODE_CLASS", "web"\nSet-Content -Path $p -Value $c\n',
  );
  const r = ws.analyze();
  // The case-insensitive -replace also renames the key node_class: found only when the edit is followed.
  const f = r.findings.filter((x) => x.ruleId === 'ps-replace');
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => `${x.ruleId}: ${x.message}`)));
  assert.match(f[0]!.message, /node_class/);
});
