import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

const consulTpl = 'datacenter = "dc1"\ndata_dir = "C:/consul/data"\nacl {\n  enabled = true\n  tokens {\n    agent = "${token}"\n  }\n}\n';

test('Terraform file provisioner: templatefile content uploaded over WinRM becomes the Windows client config, with the chain', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'variable "agent_token" {',
      '  default = "11111111-2222-3333-4444-555555555555"',
      '}',
      'resource "azurerm_virtual_machine" "win" {',
      '  connection {',
      '    type = "winrm"',
      '  }',
      '  provisioner "file" {',
      '    content     = templatefile("${path.module}/consul.hcl.tpl", { token = var.agent_token })',
      '    destination = "C:/HashiCorp/Consul/config/consul.hcl"',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('consul.hcl.tpl', consulTpl);
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'windows-client/consul');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  const token = role.settings.find((s) => s.path === 'acl.tokens.agent')!;
  assert.ok(token.secret);
  assert.ok(token.chain.some((s) => s.note.includes('templatefile() passes token')));
  assert.ok(!JSON.stringify(r).includes('11111111-2222-3333-4444-555555555555'), 'the token is masked');
});

test('Terraform file provisioner: data.template_file.x.rendered and a Nomad config uploaded to a .json path', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'data "template_file" "nomad" {',
      '  template = file("${path.module}/nomad.hcl.tpl")',
      '  vars = {',
      '    dc = "dc9"',
      '  }',
      '}',
      'resource "aws_instance" "c" {',
      '  provisioner "file" {',
      '    content     = data.template_file.nomad.rendered',
      '    destination = "/etc/nomad.d/config.json"',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('nomad.hcl.tpl', 'datacenter = "${dc}"\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n}\n');
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'linux-client/nomad');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  // HCL uploaded to config.json: Nomad decodes every file with hcl.Decode, which picks HCL or JSON from the text
  // (command/agent/config_parse.go), so the file loads as HCL: no syntax finding, and its settings are read.
  assert.ok(!r.findings.some((f) => f.category === 'syntax'), JSON.stringify(r.findings.map((f) => f.ruleId)));
  assert.equal(role.settings.find((s) => s.path === 'datacenter')?.display, '"dc9"');
});

test('Terraform file provisioner: HCL uploaded to a Consul .json path is invalid (Consul picks the decoder by extension)', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'resource "aws_instance" "c" {',
      '  provisioner "file" {',
      '    content     = file("${path.module}/consul.hcl")',
      '    destination = "/etc/consul.d/config.json"',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('consul.hcl', 'datacenter = "dc9"\ndata_dir = "/opt/consul"\n');
  const r = ws.analyze();
  assert.ok(
    r.findings.some((f) => f.category === 'syntax' && /not valid JSON/.test(f.message)),
    JSON.stringify(r.findings.map((f) => f.ruleId)),
  );
});

test('Packer file provisioner: a config copied into the Windows image joins the Windows role; a script appends to it', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'packer/windows.pkr.hcl',
    [
      'build {',
      '  provisioner "file" {',
      '    source      = "${path.root}/../config/nomad-common.hcl"',
      '    destination = "C:/HashiCorp/Nomad/config/nomad.hcl"',
      '  }',
      '  provisioner "powershell" {',
      '    script = "${path.root}/../scripts/setup.ps1"',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('config/nomad-common.hcl', 'datacenter = "dc1"\ndata_dir = "C:/nomad/data"\nenable_syslog = true\n');
  ws.setText(
    'scripts/client.ps1',
    '$c = @"\nclient {\n  enabled = true\n}\n"@\n$c | Add-Content -Path C:\\HashiCorp\\Nomad\\config\\nomad.hcl -Encoding ascii\n',
  );
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'windows-client/nomad');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  assert.deepEqual(role.sources, ['config/nomad-common.hcl', 'scripts/client.ps1']);
  assert.ok(
    r.findings.some((f) => f.ruleId === 'os-setting' && f.span.file === 'config/nomad-common.hcl'),
    'enable_syslog on the Windows image',
  );
});
