import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

test('a PowerShell user-data that edits in place the config a script it called wrote continues that document', () => {
  const server =
    '#!/bin/bash\ncat <<EOF | sudo tee /etc/nomad.d/nomad.hcl\nregion     = "global"\ndatacenter = "dc1"\ndata_dir   = "/opt/nomad/data"\nserver {\n  enabled          = true\n  bootstrap_expect = 1\n}\nEOF\n';
  const client = `$c = @'\nregion     = "_REGION_"\ndatacenter = "dc1"\ndata_dir   = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled = true\n  servers = ["10.0.0.1:4647"]\n}\n'@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\config\\client.hcl", $c, [Text.UTF8Encoding]::new($false))\n`;
  const userData = (edit: boolean) =>
    `& C:\\ops\\client.ps1\n${edit ? '(Get-Content "C:\\HashiCorp\\Nomad\\config\\client.hcl") -creplace "_REGION_", "global" | Set-Content "C:\\HashiCorp\\Nomad\\config\\client.hcl" -Encoding ascii\n' : ''}`;
  const run = (edit: boolean) => {
    const ws = new Workspace('/t');
    ws.setText('scripts/server.sh', server);
    ws.setText('ops/client.ps1', client);
    ws.setText('scripts/user-data.ps1', userData(edit));
    return ws.analyze().findings.filter((f) => f.ruleId === 'region-mismatch');
  };
  assert.equal(run(false).length, 1, 'without the edit the placeholder stays: drift');
  assert.deepEqual(
    run(true).map((f) => f.message),
    [],
    'the edit in the caller replaces the placeholder of the callee’s document',
  );
});
