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

// A config document written outside every location the agent loads (real tree dcallao__consul-gcp-lab, round 13:
// the gossip key went to /tmp/consul.d/gossip.json while the unit starts `consul agent -config-dir=/etc/consul.d/`).
const gossipSh = (flag: string, after = '') => `#!/bin/bash
cat <<'EOF' > /etc/systemd/system/consul.service
[Unit]
Description=Consul
[Service]
ExecStart=/usr/local/bin/consul agent ${flag}
[Install]
WantedBy=multi-user.target
EOF
cat <<EOF > /tmp/consul.d/gossip.json
{"encrypt": "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="}
EOF
cat <<EOF > /etc/consul.d/consul.hcl
data_dir   = "/opt/consul"
datacenter = "dc1"
retry_join = ["10.0.0.1"]
EOF
${after}`;

test('a config written outside the -config-dir the unit loads: error at its write, naming encrypt and the loaded directory', () => {
  const text = gossipSh('-config-dir=/etc/consul.d/');
  const { findings } = analyze({ 'scripts/server.sh': text });
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.span.file, 'scripts/server.sh');
  const line = text.slice(0, f[0]!.span.start).split('\n').length;
  assert.equal(text.split('\n')[line - 1], 'cat <<EOF > /tmp/consul.d/gossip.json');
  assert.match(f[0]!.message, /\/tmp\/consul\.d\/gossip\.json/);
  assert.match(f[0]!.message, /`encrypt`/);
  assert.match(f[0]!.message, /-config-dir \/etc\/consul\.d\//);
  assert.match(f[0]!.message, /memberlist: failed to receive: No installed keys could decrypt the message/);
});

test('the file copied / moved / read into the loaded directory afterwards: silent', () => {
  assert.equal(only(analyze({ 'scripts/server.sh': gossipSh('-config-dir=/etc/consul.d/') }).findings, RULE).length, 1);
  for (const after of [
    'cp /tmp/consul.d/gossip.json /etc/consul.d/\n',
    'sudo mv /tmp/consul.d/* /etc/consul.d/\n',
    'envsubst < /tmp/consul.d/gossip.json > /etc/consul.d/gossip.json\n',
  ]) {
    const { findings } = analyze({ 'scripts/server.sh': gossipSh('-config-dir=/etc/consul.d/', after) });
    assert.deepEqual(only(findings, RULE), [], after);
  }
});

test('loaded locations not known (flag from an unset variable, or no config flag): silent', () => {
  assert.equal(only(analyze({ 'scripts/server.sh': gossipSh('-config-dir=/etc/consul.d') }).findings, RULE).length, 1);
  for (const flag of ['-config-dir=$CONSUL_CONFIG_DIR', '-server']) {
    const { findings } = analyze({ 'scripts/server.sh': gossipSh(flag) });
    assert.deepEqual(only(findings, RULE), [], flag);
  }
});

test('Windows: Set-Content C:\\temp\\gossip.hcl with sc.exe create … -config-dir=C:\\consul\\config: error at the write', () => {
  const ps = (after: string) => `$cfg = @'
datacenter = "dc1"
data_dir   = "C:/consul/data"
retry_join = ["10.0.0.1"]
'@
Set-Content -Path C:\\consul\\config\\consul.hcl -Value $cfg
$gossip = @'
encrypt   = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="
log_level = "INFO"
'@
Set-Content -Path C:\\temp\\gossip.hcl -Value $gossip
${after}sc.exe create consul binPath= "C:\\consul\\consul.exe agent -config-dir=C:\\consul\\config" start= auto
`;
  const text = ps('');
  const { findings } = analyze({ 'scripts/consul.ps1': text });
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  const line = text.slice(0, f[0]!.span.start).split('\n').length;
  assert.match(text.split('\n')[line - 1]!, /^Set-Content -Path C:\\temp\\gossip\.hcl/);
  assert.match(f[0]!.message, /`encrypt`/);
  assert.match(f[0]!.message, /C:\\consul\\config/);
  // C:\consul\config\consul.hcl is in the loaded directory: only the gossip file is reported.
  assert.doesNotMatch(f[0]!.message, /consul\.hcl/);
  const copied = analyze({ 'scripts/consul.ps1': ps('Copy-Item C:\\temp\\gossip.hcl -Destination C:\\consul\\config\\\n') });
  assert.deepEqual(only(copied.findings, RULE), []);
  const moved = analyze({ 'scripts/consul.ps1': ps('Move-Item -Path c:/TEMP/gossip.hcl -Destination C:\\consul\\config\\gossip.hcl\n') });
  assert.deepEqual(only(moved.findings, RULE), []);
});

test('jq -n ".encrypt = …" > /tmp/consul.d/gossip.json (dcallao): error at the jq command naming encrypt; silent when moved into /etc/consul.d', () => {
  const sh = (after: string) =>
    gossipSh('-config-dir=/etc/consul.d/', `jq -n ".encrypt = \\"$(consul keygen)\\"" > /tmp/consul.d/gossip.json\n${after}`).replace(
      /cat <<EOF > \/tmp\/consul\.d\/gossip\.json\n[^\n]*\nEOF\n/,
      '',
    );
  const text = sh('');
  const f = only(analyze({ 'scripts/server.sh': text }).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(text.slice(f[0]!.span.start, f[0]!.span.end), 'jq -n ".encrypt = \\"$(consul keygen)\\"" > /tmp/consul.d/gossip.json');
  assert.match(f[0]!.message, /its settings \(`encrypt`\) never apply/);
  assert.deepEqual(only(analyze({ 'scripts/server.sh': sh('mv /tmp/consul.d/gossip.json /etc/consul.d/\n') }).findings, RULE), []);
});

test('a staging file read through the variable that names it (Get-Content $ConfigPath | Out-File $ConfigPath2, mocofound): silent', () => {
  const ps = `$FolderName = "C:\\nomad"
$ConfigPath = "$FolderName\\client.hcl"
$ConfigPath2 = "$FolderName\\client2.hcl"
$formatText = @"
data_dir  = "C:\\\\nomad\\\\data"
log_level = "DEBUG"
client {
  enabled = true
}
"@ > $ConfigPath
Get-Content $ConfigPath | out-file -encoding ASCII $ConfigPath2
sc.exe create "Nomad" binPath="$FolderName\\nomad.exe agent -config=$ConfigPath2" start= auto
`;
  assert.deepEqual(only(analyze({ 'scripts/nomad.ps1': ps }).findings, RULE), []);
  // Without the copy line the staging file is never loaded: reported.
  const f = only(analyze({ 'scripts/nomad.ps1': ps.replace(/^Get-Content[^\n]*\n/m, '') }).findings, RULE);
  assert.ok(f.length >= 1, JSON.stringify(f));
});

test('another agent launch of the tree that names no product (nssm install … ${product}.exe agent --config-dir=…, angrycub): locations unknown, silent', () => {
  const ps = (generic: string) => `function Generate-ConsulConfig {
@"
{ "datacenter": "dc1", "data_dir": "C:\\\\Consul\\\\data", "encrypt": "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=" }
"@ | Out-File -Encoding ASCII -FilePath C:\\Consul\\config\\consul.json
@"
{ "datacenter": "lab", "data_dir": "C:\\\\Consul\\\\lab\\\\data" }
"@ | Out-File -Encoding ASCII -FilePath C:\\Consul\\lab\\config\\consul.json
}
function CreateHashicorpService ($product, $installPath) {
${generic}
}
nssm install Consul-Lab C:\\Consul\\bin\\consul.exe agent -config-dir="C:\\Consul\\lab\\config"
`;
  assert.deepEqual(
    only(
      analyze({ 'WindowsBootstrap.ps1': ps('  nssm install ${productTitle} ${installPath}\\bin\\${product}.exe agent -config-dir="${installPath}\\config"') })
        .findings,
      RULE,
    ),
    [],
  );
  assert.equal(only(analyze({ 'WindowsBootstrap.ps1': ps('') }).findings, RULE).length, 1);
});
