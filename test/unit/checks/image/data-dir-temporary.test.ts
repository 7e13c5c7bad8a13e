import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, spanText } from '../validity/helpers';
import { isTemporaryDir } from '../../../../server/src/core/checks/image/dataDirTemporary';

const RULE = 'data-dir-temporary';

const bash = (target: string, config: string) => `#!/bin/bash\ncat > ${target} <<EOF\n${config}\nEOF\n`;
const nomadServer = (dir: string) => bash('/etc/nomad.d/server.hcl', `data_dir = "${dir}"\nserver {\n  enabled          = true\n  bootstrap_expect = 3\n}`);
const consulClient = (dir: string) =>
  bash('/etc/consul.d/consul.hcl', `data_dir   = "${dir}"\nretry_join = ["provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"]`);
const windowsClient = (dir: string) =>
  `$c = @'\ndata_dir = "${dir}"\nclient {\n  enabled = true\n}\n'@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\config\\client.hcl", $c)\n`;

test('data-dir-temporary: a Nomad server in /tmp loses its Raft state (error), a Consul client its node ID (warning)', () => {
  const server = run({ 'scripts/server.sh': nomadServer('/tmp/nomad') }, RULE);
  assert.equal(server.findings.length, 1, JSON.stringify(server.findings.map((f) => f.message)));
  assert.equal(server.findings[0]!.severity, 'error');
  assert.equal(server.findings[0]!.category, 'state');
  assert.equal(spanText(server.ws, server.findings[0]!), '"/tmp/nomad"');
  assert.match(server.findings[0]!.message, /Raft log and snapshots/);

  const client = run({ 'scripts/client.sh': consulClient('/var/tmp/consul') }, RULE);
  assert.equal(client.findings.length, 1);
  assert.equal(client.findings[0]!.severity, 'warning');
  assert.match(client.findings[0]!.message, /has conflicting node ID/);
  assert.match(client.findings[0]!.message, /\/opt\/consul\/data/);
});

test('data-dir-temporary: Windows temp directories too; persistent directories are silent', () => {
  const win = run({ 'scripts/client.ps1': windowsClient('C:\\\\Windows\\\\Temp\\\\nomad') }, RULE);
  assert.equal(win.findings.length, 1, JSON.stringify(win.findings.map((f) => f.message)));
  assert.match(win.findings[0]!.message, /C:\/HashiCorp\/Nomad\/data/);
  assert.deepEqual(run({ 'scripts/server.sh': nomadServer('/opt/nomad/data') }, RULE).findings, []);
  assert.deepEqual(run({ 'scripts/client.sh': consulClient('/var/lib/consul') }, RULE).findings, []);
  assert.deepEqual(run({ 'scripts/client.ps1': windowsClient('C:/HashiCorp/Nomad/data') }, RULE).findings, []);
});

test('isTemporaryDir: the temporary directories and nothing that only starts like them', () => {
  for (const p of [
    '/tmp',
    '/tmp/',
    '/tmp/consul',
    '/var/tmp/nomad',
    '/dev/shm/x',
    'C:\\Windows\\Temp\\nomad',
    'c:/windows/temp',
    'C:\\Users\\svc\\AppData\\Local\\Temp\\consul',
  ])
    assert.ok(isTemporaryDir(p), p);
  for (const p of ['/tmpdata', '/opt/tmp', '/var/tmpfs', '/var/lib/nomad', 'C:\\Windows\\Temporary', 'C:/HashiCorp/Consul/data', 'tmp/consul', ''])
    assert.ok(!isTemporaryDir(p), p);
});
