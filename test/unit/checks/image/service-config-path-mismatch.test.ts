import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, only, spanOf } from './helpers';

const RULE = 'service-config-path-mismatch';

const script = (cfg: string) => `$NomadConfigDir = "C:\\HashiCorp\\Nomad\\config"
$NomadConfigFile = Join-Path $NomadConfigDir "client.hcl"
$nomadConfig = @'
data_dir = "C:/HashiCorp/Nomad/data"
client {
  enabled = true
}
'@
[IO.File]::WriteAllText($NomadConfigFile, $nomadConfig, [Text.UTF8Encoding]::new($false))
New-Service -Name "nomad" -BinaryPathName "C:\\HashiCorp\\bin\\nomad.exe agent ${cfg}" -StartupType Automatic -DependsOn consul | Out-Null
`;

test('New-Service -config points at another directory than the one the script writes: error on the flag', () => {
  const text = script('-config=C:\\HashiCorp\\Nomad\\conf.d');
  const { findings } = analyze({ 'shared/packer/scripts/client.ps1': text });
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'service');
  assert.equal(f[0]!.span.file, 'shared/packer/scripts/client.ps1');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(text, '-config=C:\\HashiCorp\\Nomad\\conf.d'));
  assert.match(f[0]!.message, /no servers/);
});

test('same directory written with different case and slashes: silent', () => {
  const { findings } = analyze({ 'shared/packer/scripts/client.ps1': script('-config=c:/hashicorp/nomad/config/') });
  assert.deepEqual(only(findings, RULE), []);
});

test('examples: silent on windows-only and mixed-os (paths agree there)', async () => {
  for (const name of ['windows-only', 'mixed-os']) {
    const { findings } = await example(name);
    assert.deepEqual(only(findings, RULE), [], name);
  }
});

test('a unit of another HashiCorp tool whose name starts with consul/nomad (consul-terraform-sync) is not the agent (real tree, round 4)', () => {
  const sh = (unit: string, exec: string) => `#!/bin/bash
cat <<EOF | sudo tee /etc/consul.d/consul.hcl
data_dir   = "/opt/consul"
datacenter = "dc1"
retry_join = ["10.0.0.1"]
EOF
cat <<EOF | sudo tee /etc/systemd/system/${unit}.service
[Unit]
Description=${unit}
[Service]
ExecStart=${exec}
[Install]
WantedBy=multi-user.target
EOF
`;
  const cts = analyze({ 'scripts/client.sh': sh('consul-terraform-sync', '/usr/bin/consul-terraform-sync start -config-dir=/etc/consul-nia.d/') });
  assert.deepEqual(only(cts.findings, RULE), []);
  // The agent itself pointed at the wrong directory still fires.
  const agent = analyze({ 'scripts/client.sh': sh('consul', '/usr/bin/consul agent -config-dir=/etc/consul-nia.d/') });
  assert.equal(only(agent.findings, RULE).length, 1);
});
