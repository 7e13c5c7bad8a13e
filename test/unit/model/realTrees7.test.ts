import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found on the round-7 and round-8 real trees (docs/real-trees.md).

const consulScript = (clientBody: string) => `#!/bin/bash
if [ \${is_server} == true ]; then
  tee /etc/consul.d/config.json <<EOF
{ "server": true, "data_dir": "/opt/consul", "bootstrap_expect": \${min_servers} }
EOF
else
  tee /etc/consul.d/config.json <<EOF
${clientBody}
EOF
fi
`;

function tree(clientBody: string): Workspace {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'resource "aws_instance" "server" {',
      '  user_data = templatefile("${path.module}/consul.sh.tpl", { is_server = true, min_servers = 3 })',
      '}',
      'resource "aws_instance" "client" {',
      '  user_data = templatefile("${path.module}/consul.sh.tpl", { is_server = false, min_servers = 3 })',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('consul.sh.tpl', consulScript(clientBody));
  return ws;
}

test('one script writing a config file in an if/else (server = true in one branch only): the other branch is the client, not a second server file', () => {
  const broken = tree('{ "data_dir": "/opt/consul", "bootstrap_expect": ${min_servers} }').analyze();
  assert.deepEqual(broken.roles.map((r) => `${r.kind}/${r.product}`).sort(), ['linux-client/consul', 'server/consul']);
  const f = broken.findings.filter((x) => x.ruleId === 'server-only-key');
  assert.equal(f.length, 1, JSON.stringify(broken.findings.map((x) => x.message)));
  assert.match(f[0]!.message, /Consul refuses to start: `'bootstrap_expect > 0' requires 'server = true'`/);
  assert.equal(f[0]!.span.file, 'consul.sh.tpl');

  const fixed = tree('{ "data_dir": "/opt/consul" }').analyze();
  assert.deepEqual(
    fixed.findings.filter((x) => x.ruleId === 'server-only-key'),
    [],
  );
  assert.deepEqual(fixed.roles.map((r) => `${r.kind}/${r.product}`).sort(), ['linux-client/consul', 'server/consul']);
});

test('a file of a server config directory that states no mode still joins the server (the alignment is kept for other paths)', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'server.sh',
    '#!/bin/bash\ntee /etc/consul.d/server.json <<EOF\n{ "server": true, "bootstrap_expect": 3 }\nEOF\ntee /etc/consul.d/common.json <<EOF\n{ "data_dir": "/opt/consul" }\nEOF\n',
  );
  const r = ws.analyze();
  assert.deepEqual(
    r.roles.map((x) => `${x.kind}/${x.product}`),
    ['server/consul'],
  );
});

// A staging file converted for the agent: `"@ > $Staging` (UTF-16 on PowerShell 5.1), then
// `Get-Content $Staging | Out-File -Encoding ASCII $Config`, and the service starts the agent with that one file.
const staging = (serviceConfig: string) =>
  [
    '$Folder = "C:\\nomad\\"',
    '$Staging = "$Folder\\client_staging.hcl"',
    '$Config = "$Folder\\client.hcl"',
    '@"',
    'data_dir = "C:/nomad/data"',
    'client {',
    '  enabled = true',
    '}',
    '"@ > $Staging',
    'Get-Content $Staging | Out-File -Encoding ASCII $Config',
    `sc.exe create "Nomad" binPath="$Folder\\nomad.exe agent -config=${serviceConfig}" start= auto`,
    '',
  ].join('\n');

test('a staging file converted to ASCII for a service that loads one config file: neither its encoding nor its keys count', () => {
  const run = (svc: string) => {
    const ws = new Workspace('/t');
    ws.setText('install.ps1', staging(svc));
    return ws.analyze().findings.filter((f) => f.ruleId === 'encoding' || f.ruleId === 'duplicate-config-key');
  };
  assert.deepEqual(
    run('$Config').map((f) => f.ruleId),
    [],
  );
  // The service loads the UTF-16 file itself: the encoding error is real.
  const utf16 = run('$Staging');
  assert.deepEqual(
    utf16.map((f) => f.ruleId),
    ['encoding'],
  );
  assert.match(utf16[0]!.message, /UTF-16/);
  // The service loads the whole directory: both files are read (their keys twice, the UTF-16 file breaks the agent).
  const dir = run('C:\\nomad');
  assert.ok(dir.some((f) => f.ruleId === 'encoding'));
  assert.ok(dir.some((f) => f.ruleId === 'duplicate-config-key'));
});

test('a unit file Packer uploads to /tmp that nothing installs is not the service: the package unit runs the agent', () => {
  const template = (extra: string) =>
    [
      'source "amazon-ebs" "img" {',
      '  ami_name = "consul"',
      '}',
      'build {',
      '  sources = ["source.amazon-ebs.img"]',
      '  provisioner "file" {',
      '    source      = "configs/consul.hcl"',
      '    destination = "/tmp/consul.hcl"',
      '  }',
      '  provisioner "file" {',
      '    source      = "configs/consul.service"',
      '    destination = "/tmp/consul.service"',
      '  }',
      '  provisioner "shell" {',
      '    scripts = ["scripts/install.sh"]',
      '  }',
      extra,
      '}',
      '',
    ].join('\n');
  const ws = new Workspace('/t');
  ws.setText('packer/configs/consul.hcl', 'data_dir = "/opt/consul"\nbind_addr = "0.0.0.0"\n');
  ws.setText('packer/configs/consul.service', '[Service]\nExecStart=/bin/consul agent -config-file /consul/config/agent.hcl\n');
  ws.setText('packer/scripts/install.sh', '#!/bin/bash\napt-get install -y consul\nmv /tmp/consul.hcl /etc/consul.d/consul.hcl\n');
  const mismatch = () => ws.analyze().findings.filter((f) => f.ruleId === 'service-config-path-mismatch');
  ws.setText('packer/template.pkr.hcl', template(''));
  assert.deepEqual(
    mismatch().map((f) => f.message),
    [],
  );
  // Installed by an inline command of the template: that unit is the service, and its -config-file is wrong.
  ws.setText(
    'packer/template.pkr.hcl',
    template('  provisioner "shell" {\n    inline = ["sudo mv /tmp/consul.service /etc/systemd/system/consul.service"]\n  }'),
  );
  assert.equal(mismatch().length, 1);
  // Or by the install script.
  ws.setText('packer/template.pkr.hcl', template(''));
  ws.setText(
    'packer/scripts/install.sh',
    '#!/bin/bash\napt-get install -y consul\nmv /tmp/consul.hcl /etc/consul.d/consul.hcl\ncp /tmp/consul.service /etc/systemd/system/\n',
  );
  assert.equal(mismatch().length, 1);
});
