import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found on the round-4 real trees (docs/real-trees.md, "Round 4").

test('a relative templatefile() path is relative to the root module directory (Terraform runs there), not to the tree root', () => {
  const ws = new Workspace('/t');
  const dir = 'examples/nomad-cluster';
  ws.setText(`${dir}/variables.tf`, 'variable "consul_server_instance_count" {\n  default = 3\n}\n');
  ws.setText(
    `${dir}/consul-server.tf`,
    [
      'resource "null_resource" "consul_server" {',
      '  provisioner "file" {',
      '    content = templatefile("./consul/server.hcl", {',
      '      number_of_servers = var.consul_server_instance_count',
      '    })',
      '    destination = "/etc/consul.d/consul.hcl"',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText(
    `${dir}/consul/server.hcl`,
    'datacenter       = "dc1"\ndata_dir         = "/opt/consul"\nserver           = true\nbootstrap_expect = ${number_of_servers}\n',
  );
  const r = ws.analyze();
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'hcl-syntax').map((f) => f.message),
    [],
    'the template is rendered with its templatefile() values, not read as a raw config',
  );
  const server = r.roles.find((x) => x.product === 'consul' && x.kind === 'server');
  const expect = server?.settings.find((s) => s.path === 'bootstrap_expect');
  assert.equal(expect?.value, 3);
  assert.ok(
    expect?.chain.some((c) => c.span.file === `${dir}/consul-server.tf`),
    'the chain goes through the templatefile() call',
  );
});

test('a path built on path.module stays relative to the tree (unchanged behaviour)', () => {
  const ws = new Workspace('/t');
  ws.setText('infra/main.tf', 'module "c" {\n  source = "./modules/c"\n  n = 5\n}\n');
  ws.setText(
    'infra/modules/c/main.tf',
    'variable "n" {}\nresource "null_resource" "s" {\n  provisioner "file" {\n    content = templatefile("${path.module}/tpl/server.hcl", { n = var.n })\n    destination = "/etc/consul.d/consul.hcl"\n  }\n}\n',
  );
  ws.setText('infra/modules/c/tpl/server.hcl', 'data_dir = "/opt/consul"\nserver = true\nbootstrap_expect = ${n}\n');
  const r = ws.analyze();
  const server = r.roles.find((x) => x.product === 'consul' && x.kind === 'server');
  assert.equal(server?.settings.find((s) => s.path === 'bootstrap_expect')?.value, 5);
  assert.equal(r.findings.filter((f) => f.ruleId === 'hcl-syntax').length, 0);
});

test('a command substitution with quotes inside a heredoc config value is one run-time value, not broken HCL', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'scripts/client.sh',
    [
      '#!/bin/bash',
      'cat > /etc/consul.d/consul.hcl <<EOF',
      'datacenter = "dc1"',
      'data_dir   = "/opt/consul"',
      'retry_join = ["10.0.0.1"]',
      'node_meta = {',
      '  zone = "$(curl -s -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/zone | cut -d/ -f4)"',
      '}',
      'EOF',
      '',
    ].join('\n'),
  );
  const r = ws.analyze();
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'hcl-syntax' || f.ruleId === 'duplicate-config-key').map((f) => f.message),
    [],
  );
  const role = r.roles.find((x) => x.product === 'consul');
  const zone = role?.settings.find((s) => s.path === 'node_meta.zone');
  assert.ok(zone, 'the value is one setting');
  assert.match(zone.display, /unknown .*computed at run time/);
  assert.ok(!role!.settings.some((s) => /Metadata-Flavor|http/.test(s.path)), 'no settings invented from the command text');
});

test('a PowerShell subexpression with quotes inside an expandable here-string is one run-time value, not broken HCL', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'scripts/client.ps1',
    [
      '$c = @"',
      'datacenter = "dc1"',
      'data_dir   = "C:/consul/data"',
      'retry_join = ["10.0.0.1"]',
      'node_meta = {',
      '  zone = "$((Invoke-RestMethod -Headers @{"Metadata-Flavor" = "Google"} -Uri "http://metadata/zone").Split("/")[-1])"',
      '}',
      '"@',
      '[IO.File]::WriteAllText("C:\\consul\\config\\consul.hcl", $c, [Text.UTF8Encoding]::new($false))',
      '',
    ].join('\n'),
  );
  const r = ws.analyze();
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'hcl-syntax' || f.ruleId === 'hcl-escape').map((f) => f.message),
    [],
  );
  const zone = r.roles.find((x) => x.product === 'consul')?.settings.find((s) => s.path === 'node_meta.zone');
  assert.match(zone?.display ?? '', /unknown .*computed at run time/);
});
