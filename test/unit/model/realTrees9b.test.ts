import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found in round 9B (docs/real-trees.md, "Round 9B").

test('PowerShell user-data template: a ${x} the Terraform render leaves unknown keeps the Terraform reason, not "$x is not assigned"', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'variable "gossip_key" {}',
      'resource "aws_instance" "server" {',
      '  ami = "ami-1"',
      '}',
      'resource "aws_instance" "win" {',
      '  ami = "ami-2"',
      '  user_data = templatefile("${path.module}/win.ps1.tpl", { server_ip = aws_instance.server.private_ip, gossip_key = var.gossip_key })',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText(
    'win.ps1.tpl',
    [
      '<powershell>',
      '@"',
      'data_dir = "C:/consul/data"',
      'encrypt = "${gossip_key}"',
      'retry_join = ["${server_ip}"]',
      '"@ | Out-File -FilePath C:\\consul\\consul.d\\consul.hcl -Encoding ascii',
      '</powershell>',
      '',
    ].join('\n'),
  );
  ws.analyze();
  const role = ws.model!.roles.find((x) => x.id === 'windows-client/consul');
  assert.ok(role, JSON.stringify(ws.model!.roles.map((x) => x.id)));
  assert.match(role.settings.get('retry_join')?.unknownReason ?? '', /aws_instance\.server\.private_ip` is only known after apply/);
  assert.match(role.settings.get('encrypt')?.unknownReason ?? '', /variable "gossip_key" has no default/);
  for (const k of ['retry_join', 'encrypt']) assert.doesNotMatch(role.settings.get(k)?.unknownReason ?? '', /is not assigned/, k);
});

/** A Linux Nomad server (region east) and a Windows client whose service gets -config/-region through variables. */
function flagTree(region: string, configDir: string): Workspace {
  const ws = new Workspace('/t');
  ws.setText(
    'server.sh',
    '#!/bin/bash\ncat > /etc/nomad.d/server.hcl <<EOF\nregion = "east"\ndata_dir = "/opt/nomad"\nserver {\n  enabled = true\n  bootstrap_expect = 1\n}\nEOF\n',
  );
  ws.setText(
    'client.ps1',
    [
      `$ConfDir = "${configDir}"`,
      `$Region = "${region}"`,
      '@"',
      'data_dir = "C:/nomad/data"',
      'client {',
      '  enabled = true',
      '  servers = ["10.0.0.10:4647"]',
      '}',
      '"@ | Out-File -FilePath C:\\nomad\\conf\\client.hcl -Encoding ascii',
      'New-Service `',
      '  -Name "nomad" `',
      '  -BinaryPathName "C:\\nomad\\nomad.exe agent -config=$ConfDir -region=$Region" `',
      '  -StartupType Automatic',
      '',
    ].join('\n'),
  );
  return ws;
}

test('region-mismatch: a -region flag in the Windows service overrides the config (no false drift when it matches the servers, the flag value when it does not)', () => {
  const same = flagTree('east', 'C:\\nomad\\conf').analyze();
  assert.deepEqual(
    same.findings.filter((f) => f.ruleId === 'region-mismatch').map((f) => f.message),
    [],
  );
  const ws = flagTree('west', 'C:\\nomad\\conf');
  const r = ws.analyze();
  const f = r.findings.filter((x) => x.ruleId === 'region-mismatch');
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.ruleId)));
  assert.match(f[0]!.message, /region "west" from -region=\$Region \(west\) in its New-Service service/);
  assert.equal(f[0]!.span.file, 'client.ps1');
});

test('service-config-path-mismatch: a -config=$ConfDir service path is compared with its resolved value', () => {
  const bad = flagTree('east', 'C:\\nomad\\config').analyze();
  const f = bad.findings.filter((x) => x.ruleId === 'service-config-path-mismatch');
  assert.equal(f.length, 1, JSON.stringify(bad.findings.map((x) => x.ruleId)));
  assert.match(f[0]!.message, /-config=\$ConfDir \(C:\\nomad\\config\)/);
  const ok = flagTree('east', 'C:\\nomad\\conf').analyze();
  assert.deepEqual(
    ok.findings.filter((x) => x.ruleId === 'service-config-path-mismatch').map((x) => x.message),
    [],
  );
});

test('os-setting: a log_file whose trailing backslash escapes the closing quote is left to hcl-escape (no "no trailing slash" advice)', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'client.ps1',
    '$cfg = @\'\ndatacenter = "dc1"\ndata_dir = "C:/consul/data"\nlog_file = "C:\\consul\\logs\\"\n\'@\n[System.IO.File]::WriteAllText("C:\\consul\\consul.hcl", $cfg)\n',
  );
  const r = ws.analyze();
  assert.ok(
    r.findings.some((f) => f.ruleId === 'hcl-escape' && /literal not terminated/.test(f.message)),
    JSON.stringify(r.findings.map((f) => f.ruleId)),
  );
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'os-setting').map((f) => f.message),
    [],
  );
});

test('PowerShell: a template filled by many $c = $c -replace … lines (one per placeholder) is still the config it writes', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'config/consul-windows.hcl',
    'datacenter = "@DC@"\ndata_dir = "C:/consul/data"\nencrypt = "@KEY@"\nretry_join = ["@JOIN@"]\nnode_name = "@NAME@"\nnode_meta {\n  os = "@OS@"\n}\n',
  );
  const lines = ['$c = Get-Content C:\\ops\\config\\consul-windows.hcl -Raw'];
  for (const [k, v] of [
    ['@DC@', 'dc1'],
    ['@KEY@', 'k'],
    ['@JOIN@', '10.0.0.1'],
    ['@NAME@', 'win-1'],
    ['@OS@', 'windows'],
  ])
    lines.push(`$c = $c -replace '${k}', '${v}'`);
  lines.push('Set-Content -Path C:\\consul\\config\\consul.hcl -Value $c -Encoding ascii', '');
  ws.setText('scripts/client.ps1', lines.join('\n'));
  ws.analyze();
  const role = ws.model!.roles.find((x) => x.id === 'windows-client/consul');
  assert.ok(role, JSON.stringify(ws.model!.roles.map((x) => x.id)));
  assert.ok(
    role.configs.some((c) => c.doc.hostFile === 'scripts/client.ps1'),
    JSON.stringify(role.configs.map((c) => c.doc.hostFile)),
  );
  assert.equal(role.settings.get('datacenter')?.value, 'dc1');
  assert.deepEqual(role.settings.get('retry_join')?.value, ['10.0.0.1']);
  assert.equal(role.settings.get('node_meta.os')?.value, 'windows');
});

test('PowerShell: a value that doubles on every line ($d2 = "$d1$d1") stops being followed past the value size limit', () => {
  const ws = new Workspace('/t');
  const lines = ['$d0 = "ab"'];
  for (let i = 0; i < 30; i++) lines.push(`$d${i + 1} = "$d${i}$d${i}"`);
  lines.push('@"', 'data_dir = "C:/consul/data"', 'node_name = "$d24"', '"@ | Set-Content -Path C:\\consul\\consul.d\\consul.hcl -Encoding ascii', '');
  ws.setText('s.ps1', lines.join('\n'));
  const started = Date.now();
  ws.analyze();
  assert.ok(Date.now() - started < 20000, 'bounded');
  const role = ws.model!.roles.find((x) => x.id === 'windows-client/consul');
  assert.ok(role);
  assert.ok(role.settings.get('node_name')?.unknownReason, 'a 32-MiB value is not followed');
});

test('PowerShell: a value cut by the size limit says so, not "computed at run time" (round 9B)', () => {
  const ws = new Workspace('/t');
  const lines = ['$d0 = "ab"'];
  for (let i = 0; i < 30; i++) lines.push(`$d${i + 1} = "$d${i}$d${i}"`);
  // Through a -replace on the oversized value too: its result is cut for the same reason.
  lines.push("$r = $d20 -replace 'a', 'b'");
  lines.push(
    '@"',
    'data_dir = "C:/consul/data"',
    'node_name = "$d24"',
    'datacenter = "$r"',
    '"@ | Set-Content -Path C:\\consul\\consul.d\\consul.hcl -Encoding ascii',
    '',
  );
  ws.setText('s.ps1', lines.join('\n'));
  ws.analyze();
  const role = ws.model!.roles.find((x) => x.id === 'windows-client/consul')!;
  for (const key of ['node_name', 'datacenter']) {
    const reason = role.settings.get(key)?.unknownReason ?? '';
    assert.match(reason, /grows past the 512 KiB/, `${key}: ${reason}`);
    assert.doesNotMatch(reason, /run time/, `${key}: ${reason}`);
  }
});
