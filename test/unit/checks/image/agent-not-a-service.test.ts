import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, spanText } from '../validity/helpers';

const RULE = 'agent-not-a-service';

const start = (line: string, extra = '') =>
  `#!/bin/bash\nset -e\ncurl -sSLo /tmp/nomad.zip https://releases.hashicorp.com/nomad/1.9.3/nomad_1.9.3_linux_amd64.zip\nunzip -o /tmp/nomad.zip -d /usr/local/bin\n${extra}${line}\n`;
const mainTf = `resource "aws_instance" "client" {\n  ami       = "ami-123"\n  user_data = file("\${path.module}/client.sh")\n}\n`;

test('agent-not-a-service: nohup / & / setsid agents in user data, with the reboot symptom', () => {
  for (const line of [
    'sudo nohup nomad agent -config /etc/nomad.d/client.hcl > /var/log/nomad.log &',
    '/usr/local/bin/nomad agent -config=/etc/nomad.d > /tmp/nomad.log 2>&1 &',
    'setsid nomad agent -config /etc/nomad.d & disown',
  ]) {
    const text = start(line);
    const { ws, findings } = run({ 'main.tf': mainTf, 'client.sh': text }, RULE);
    assert.equal(findings.length, 1, `${line}: ${JSON.stringify(findings.map((f) => f.message))}`);
    assert.equal(findings[0]!.severity, 'warning');
    assert.equal(spanText(ws, findings[0]!), line);
    assert.match(findings[0]!.message, /`down` in `nomad node status`/);
  }
  const consul = run({ 'main.tf': mainTf, 'client.sh': start('consul agent -config-dir=/etc/consul.d &') }, RULE);
  assert.equal(consul.findings.length, 1);
  assert.match(consul.findings[0]!.message, /`failed` in `consul members`/);
});

test('agent-not-a-service: silent when the agent also runs as a service, is started in the foreground or in dev mode', () => {
  const line = 'nohup nomad agent -config /etc/nomad.d &';
  const unit = `cat > /etc/systemd/system/nomad.service <<EOF\n[Unit]\nDescription=Nomad\n[Service]\nExecStart=/usr/local/bin/nomad agent -config /etc/nomad.d\nRestart=on-failure\n[Install]\nWantedBy=multi-user.target\nEOF\n`;
  for (const [what, files] of [
    ['a unit in the script', { 'main.tf': mainTf, 'client.sh': start(line, unit) }],
    ['systemctl enable', { 'main.tf': mainTf, 'client.sh': start(`${line}\nsystemctl enable --now nomad`) }],
    ['a package install', { 'main.tf': mainTf, 'client.sh': start(line, 'apt-get install -y nomad\n') }],
    ['foreground', { 'main.tf': mainTf, 'client.sh': start('exec nomad agent -config /etc/nomad.d') }],
    ['&& chain', { 'main.tf': mainTf, 'client.sh': start('nomad agent -config /etc/nomad.d && echo done') }],
    ['dev mode', { 'main.tf': mainTf, 'client.sh': start('nomad agent -dev &') }],
    ['a comment', { 'main.tf': mainTf, 'client.sh': start(`# ${line}`) }],
  ] as const)
    assert.deepEqual(run(files, RULE).findings, [], what);
});

test('agent-not-a-service: Windows Start-Process of nomad.exe agent without a service; silent with New-Service or nssm', () => {
  const ps = (extra: string) =>
    `Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/1.9.3/nomad_1.9.3_windows_amd64.zip" -OutFile C:\\nomad.zip\nExpand-Archive C:\\nomad.zip -DestinationPath C:\\HashiCorp\\Nomad\n${extra}\n`;
  const startLine = 'Start-Process -FilePath "C:\\HashiCorp\\Nomad\\nomad.exe" -ArgumentList "agent -config=C:\\HashiCorp\\Nomad\\config" -WindowStyle Hidden';
  const tf = `resource "aws_instance" "win" {\n  ami       = "ami-123"\n  user_data = file("\${path.module}/client.ps1")\n}\n`;
  const { ws, findings } = run({ 'main.tf': tf, 'client.ps1': ps(startLine) }, RULE);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  assert.equal(spanText(ws, findings[0]!), startLine);
  assert.match(findings[0]!.message, /as a plain process \(Start-Process\)/);
  assert.match(findings[0]!.message, /New-Service/);
  const service = 'New-Service -Name Nomad -BinaryPathName "C:\\HashiCorp\\Nomad\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config" -StartupType Automatic';
  assert.deepEqual(run({ 'main.tf': tf, 'client.ps1': ps(`${service}\n${startLine}`) }, RULE).findings, []);
  assert.deepEqual(
    run({ 'main.tf': tf, 'client.ps1': ps('nssm install Nomad C:\\HashiCorp\\Nomad\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config') }, RULE).findings,
    [],
  );
  assert.deepEqual(
    run({ 'main.tf': tf, 'client.ps1': ps('Start-Process -FilePath "C:\\HashiCorp\\Nomad\\nomad.exe" -ArgumentList "agent -dev"') }, RULE).findings,
    [],
  );
});
