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
