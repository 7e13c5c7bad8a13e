import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found in round 10 (docs/real-trees.md, "Round 10").

test('Terraform 0.11 file provisioner: content = "${data.template_file.x.rendered}" uploads the rendered template, not the literal text', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'data "template_file" "consulconfig" {',
      '  template = "${file("${path.module}/scripts/consul.tpl")}"',
      '}',
      'resource "azurerm_virtual_machine" "windows" {',
      '  provisioner "file" {',
      '    content     = "${data.template_file.consulconfig.rendered}"',
      '    destination = "C:\\\\Hashicorp\\\\Consul\\\\config.json"',
      '    connection {',
      '      type = "winrm"',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('scripts/consul.tpl', '{\n  "datacenter": "dc7",\n  "data_dir": "C:/consul/data",\n  "server": true,\n  "bootstrap_expect": 3\n}\n');
  const r = ws.analyze();
  const role = r.roles.find((x) => x.product === 'consul');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  assert.equal(role.kind, 'server', role.id);
  const dc = role.settings.find((s) => s.path === 'datacenter');
  assert.equal(dc?.display, '"dc7"', JSON.stringify(role.settings.map((s) => s.path)));
});

test('Terraform file provisioner: content = "${templatefile(...)}" (one interpolation) is the render too', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'resource "aws_instance" "c" {',
      '  provisioner "file" {',
      '    content     = "${templatefile("${path.module}/nomad.hcl.tpl", { dc = "dc9" })}"',
      '    destination = "/etc/nomad.d/nomad.hcl"',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('nomad.hcl.tpl', 'datacenter = "${dc}"\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n}\n');
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'linux-client/nomad');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  assert.equal(role.settings.find((s) => s.path === 'datacenter')?.display, '"dc9"');
});

test('Terraform file provisioner: one instance of a counted template_file (element(…*.rendered, count.index), [count.index]) is its render', () => {
  for (const content of [
    '"${element(data.template_file.consulconfig.*.rendered, count.index)}"',
    'data.template_file.consulconfig[count.index].rendered',
    'data.template_file.consulconfig.*.rendered[count.index]',
  ]) {
    const ws = new Workspace('/t');
    ws.setText(
      'main.tf',
      [
        'variable "gossip_key" {',
        '  default = "cg8StVXbQJ0gPvMd9o7yrg=="',
        '}',
        'data "template_file" "consulconfig" {',
        '  count    = 2',
        '  template = "${file("${path.module}/consul.tpl")}"',
        '  vars {',
        '    consul_gossip_key = "${var.gossip_key}"',
        '  }',
        '}',
        'resource "azurerm_virtual_machine" "winmad" {',
        '  count = 2',
        '  provisioner "file" {',
        `    content     = ${content}`,
        '    destination = "C:\\\\Hashicorp\\\\Consul\\\\config.json"',
        '    connection {',
        '      type = "winrm"',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    ws.setText('consul.tpl', '{\n  "datacenter": "dc1",\n  "data_dir": "C:/consul/data",\n  "encrypt": "${consul_gossip_key}"\n}\n');
    const r = ws.analyze();
    const role = r.roles.find((x) => x.id === 'windows-client/consul');
    assert.ok(role, `${content}: ${JSON.stringify(r.roles.map((x) => x.id))}`);
    const enc = role.settings.find((s) => s.path === 'encrypt');
    assert.ok(enc?.secret && enc.chain.some((c) => c.note.includes('consul_gossip_key')), `${content}: ${JSON.stringify(enc)}`);
    assert.ok(!JSON.stringify(r).includes('cg8StVXbQJ0gPvMd9o7yrg=='), 'the key is masked');
  }
});

test('templatefile(): an %{ if } decided by the passed values keeps only its branch; an undecided one keeps both', () => {
  const tpl = [
    '#!/bin/bash',
    'cat << EOF > /etc/consul.d/consul.hcl',
    'datacenter = "dc1"',
    'data_dir = "/opt/consul/data"',
    'server = true',
    'bootstrap_expect = 3',
    'acl {',
    '  enabled        = true',
    '  %{ if bootstrap }default_policy = "allow"%{ else }default_policy = "deny"%{ endif }',
    '  tokens {',
    '    master = "${master_token}"%{ if !bootstrap }',
    '    agent  = "${agent_token}"%{ endif }',
    '  }',
    '}',
    '%{ if mode == "connect" }',
    'connect {',
    '  enabled = true',
    '}',
    '%{ endif }',
    'EOF',
    '',
  ].join('\n');
  const run = (bootstrapVar: string) => {
    const ws = new Workspace('/t');
    ws.setText(
      'main.tf',
      [
        bootstrapVar,
        'variable "mode" {',
        '  default = "plain"',
        '}',
        'resource "aws_instance" "server" {',
        '  user_data = templatefile("${path.module}/server.sh.tpl", { bootstrap = var.bootstrap, mode = var.mode, master_token = "m", agent_token = "a" })',
        '}',
        '',
      ].join('\n'),
    );
    ws.setText('server.sh.tpl', tpl);
    return ws.analyze();
  };
  const decided = run('variable "bootstrap" {\n  type    = bool\n  default = true\n}');
  const role = decided.roles.find((x) => x.id === 'server/consul')!;
  assert.ok(role, JSON.stringify(decided.roles.map((x) => x.id)));
  assert.equal(role.settings.find((s) => s.path === 'acl.default_policy')?.display, '"allow"');
  assert.equal(
    role.settings.find((s) => s.path === 'acl.tokens.agent'),
    undefined,
  );
  assert.equal(
    role.settings.find((s) => s.path === 'connect.enabled'),
    undefined,
  );
  assert.deepEqual(
    decided.findings.filter((f) => f.ruleId === 'duplicate-config-key' || f.ruleId === 'hcl-syntax').map((f) => f.message),
    [],
  );
  const off = run('variable "bootstrap" {\n  type    = bool\n  default = false\n}');
  const offRole = off.roles.find((x) => x.id === 'server/consul')!;
  assert.equal(offRole.settings.find((s) => s.path === 'acl.default_policy')?.display, '"deny"');
  assert.ok(offRole.settings.find((s) => s.path === 'acl.tokens.agent'));
  // No default: undecided, both branches stay (the written text), as before.
  const open = run('variable "bootstrap" {\n  type = bool\n}');
  assert.ok(open.findings.some((f) => f.ruleId === 'duplicate-config-key' && f.message.includes('acl.default_policy')));
});

test('a script written by a heredoc or a here-string (.sh / .ps1 target, or a shebang) is not an agent config, whatever commands it holds', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'server.sh',
    [
      '#!/bin/bash',
      'cat << EOF > /etc/consul.d/consul.hcl',
      'datacenter = "dc1"',
      'data_dir = "/opt/consul/data"',
      'server = true',
      'EOF',
      "cat << 'EOF' > /tmp/bootstrap_tokens.sh",
      '#!/bin/bash',
      'consul kv put acl_bootstrap 1',
      'echo \'node_prefix "" { policy = "write" }\' | consul acl policy create -name agent -rules -',
      'consul acl token create -description "agent" -policy-name agent',
      'server_ip=$(consul members | head -1)',
      'EOF',
      "cat << 'EOF' > /usr/local/bin/join",
      '#!/bin/sh',
      'consul join 10.0.0.1',
      'consul members',
      'EOF',
      '',
    ].join('\n'),
  );
  ws.setText(
    'client.ps1',
    [
      '@"',
      'datacenter = "dc1"',
      'data_dir = "C:/nomad/data"',
      'client {',
      '  enabled = true',
      '}',
      '"@ | Out-File -Encoding ascii C:/nomad/conf/client.hcl',
      "@'",
      'consul services register C:/svc.json',
      'consul kv put x 1',
      "'@ | Out-File -Encoding ascii C:/ops/register.ps1",
      '',
    ].join('\n'),
  );
  const r = ws.analyze();
  assert.deepEqual(r.roles.map((x) => x.id).sort(), ['server/consul', 'windows-client/nomad']);
  const server = r.roles.find((x) => x.id === 'server/consul')!;
  assert.deepEqual(server.sources, ['server.sh']);
  assert.deepEqual(
    r.findings.filter((f) => f.category === 'syntax' || f.ruleId === 'unknown-config-key' || f.ruleId === 'duplicate-config-key').map((f) => f.message),
    [],
  );
});
