import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';

const template = `datacenter = "dc1"
data_dir   = "DATA_DIR"
bind_addr  = "0.0.0.0"
advertise {
  http = "IP_ADDRESS"
  rpc  = "IP_ADDRESS"
}
client {
  enabled = true
  server_join {
    retry_join = ["RETRY_JOIN"]
  }
}
`;
const clientSh = `#!/bin/bash
IP_ADDRESS="10.0.0.5"
RETRY_JOIN="provider=aws tag_key=ConsulAutoJoin tag_value=x"
sudo cp /ops/config/nomad_client.hcl /etc/nomad.d/nomad.hcl
sudo sed -i "s|IP_ADDRESS|$IP_ADDRESS|g" /etc/nomad.d/nomad.hcl
sudo sed -i "s|RETRY_JOIN|$RETRY_JOIN|g" /etc/nomad.d/nomad.hcl
sudo sed -i "s|DATA_DIR|/opt/nomad/data|g" /etc/nomad.d/nomad.hcl
`;
const clientPs1 = (chain: string) => `param([string] $RetryJoin = "provider=aws tag_key=ConsulAutoJoin tag_value=x", [string] $IpAddress = "10.0.0.9")
$cfg = (Get-Content C:\\ops\\config\\nomad_client.hcl -Raw) -creplace 'RETRY_JOIN', $RetryJoin -creplace 'DATA_DIR', 'C:/HashiCorp/Nomad/data'${chain}
[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\config\\client.hcl", $cfg, [Text.UTF8Encoding]::new($false))
`;

function analyze(ps: string) {
  const ws = new Workspace('/t');
  ws.setText('shared/config/nomad_client.hcl', template);
  ws.setText('shared/scripts/client.sh', clientSh);
  ws.setText('shared/scripts/client.ps1', ps);
  return ws.analyze().findings.filter((f) => f.ruleId === 'template-placeholder-left');
}

test('template-placeholder-left: the Windows -replace chain forgets IP_ADDRESS that the Linux sed substitutes', () => {
  const found = analyze(clientPs1(''));
  assert.equal(found.length, 2, JSON.stringify(found.map((f) => f.message)));
  for (const f of found) {
    assert.equal(f.category, 'template');
    assert.equal(f.severity, 'error');
    assert.equal(f.span.file, 'shared/config/nomad_client.hcl');
    assert.equal(template.slice(f.span.start, f.span.end), '"IP_ADDRESS"');
    assert.match(f.message, /Nomad Windows client: advertise\.(http|rpc) is still the placeholder IP_ADDRESS/);
    assert.match(f.message, /client\.sh substitutes IP_ADDRESS/);
  }
});

test('template-placeholder-left: silent once the Windows chain substitutes it too', () => {
  assert.deepEqual(analyze(clientPs1(" -creplace 'IP_ADDRESS', $IpAddress")), []);
});

test('template-placeholder-left: a config file nobody templates is not judged', () => {
  const ws = new Workspace('/t');
  ws.setText('config/nomad.hcl', template);
  assert.deepEqual(
    ws.analyze().findings.filter((f) => f.ruleId === 'template-placeholder-left'),
    [],
  );
});
