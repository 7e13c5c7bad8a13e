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
