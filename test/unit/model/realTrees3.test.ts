import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import { productFromPath } from '../../../server/src/core/agent/configDoc';

// Shapes found on the round-3 real trees (docs/real-trees.md, "Round 3").

const serverTpl = ['datacenter = "dc1"', 'data_dir = @@data_dir@@', 'server {', '  enabled = true', '  bootstrap_expect = @@bootstrap_expect@@', '}', ''].join(
  '\n',
);

const serverPs1 = [
  'param(',
  "    $ipAddress = '10.11.0.101',",
  '    $bootstrapExpect = 1',
  ')',
  "$serviceHome = 'C:\\nomad-server'",
  'Set-Content `',
  '    -Encoding Ascii `',
  '    "$serviceHome\\config\\nomad-server.hcl" `',
  '    (',
  '        (Get-Content nomad-server.hcl) `',
  '            -replace \'@@data_dir@@\',(ConvertTo-Json -Depth 100 -Compress "$serviceHome\\data") `',
  '            -replace \'@@bootstrap_expect@@\',"$bootstrapExpect"',
  '    )',
  '',
].join('\n');

test('PowerShell: a number parameter default expanded in a string is known ("$bootstrapExpect" -> 1), and bootstrap_expect is no secret', () => {
  // rgl/nomad-windows-vagrant provision-nomad-server.ps1: was "unknown (`1` is computed at run time)", then masked as a secret.
  const ws = new Workspace('/x');
  ws.setText('nomad-server.hcl', serverTpl);
  ws.setText('provision-nomad-server.ps1', serverPs1);
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'server/nomad');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  const be = role.settings.find((s) => s.path === 'server.bootstrap_expect');
  assert.ok(be);
  assert.equal(be.display, '1');
  assert.equal(be.secret, false);
  assert.ok(be.chain.some((c) => /parameter \$bootstrapExpect default/.test(c.note)));
});

test('bash: a config file next to one that enables server mode in the same config directory is part of the server role', () => {
  // hashicorp/azure-consul init-cluster.tpl: consul-default.json (no `server`) + consul-server.json ("server": true),
  // both in /etc/consul.d read by `consul agent -config-dir /etc/consul.d`; was a phantom linux-client/consul role.
  const script = [
    '#!/bin/bash',
    'sudo tee /etc/consul.d/consul-default.json <<EOF',
    '{',
    '  "data_dir": "/opt/consul/data",',
    '  "retry_join": ["provider=azure tag_name=consul_datacenter tag_value=dc1"]',
    '}',
    'EOF',
    'sudo tee /etc/consul.d/consul-server.json <<EOF',
    '{',
    '  "server": true,',
    '  "bootstrap_expect": 3',
    '}',
    'EOF',
    '',
  ].join('\n');
  const ws = new Workspace('/x');
  ws.setText('init-cluster.sh', script);
  const r = ws.analyze();
  assert.deepEqual(
    r.roles.map((x) => x.id),
    ['server/consul'],
  );
  const role = r.roles[0]!;
  assert.equal(role.settings.find((s) => s.path === 'data_dir')?.display, '"/opt/consul/data"');

  // A directory where one file states client mode is left alone (a script that writes a server and a client file).
  const ws2 = new Workspace('/x');
  ws2.setText('init-cluster.sh', script.replace('"data_dir": "/opt/consul/data",', '"server": false,\n  "data_dir": "/opt/consul/data",'));
  assert.deepEqual(
    ws2
      .analyze()
      .roles.map((x) => x.id)
      .sort(),
    ['linux-client/consul', 'server/consul'],
  );
});

// nicholasjackson/terraform-gcp-hashicorp-suite (Terraform 0.11): config templates rendered by template_file data
// sources, whose `.rendered` is passed into the startup script template and written there with `tee <<EOF`.
function gcpSuite(ws: Workspace): void {
  ws.setText(
    'main.tf',
    [
      'module "servers" {',
      '  source = "./nomad"',
      '  nomad_type = "server"',
      '}',
      'module "client" {',
      '  source = "./nomad"',
      '  nomad_type = "client"',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText(
    'nomad/instance.tf',
    [
      'variable "nomad_type" {}',
      'variable "nomad_region" {',
      '  default = "gcp"',
      '}',
      'data "template_file" "config_nomad" {',
      '  template = "${file("${path.module}/templates/nomad-${var.nomad_type}.hcl.tpl")}"',
      '  vars {',
      '    region = "${var.nomad_region}"',
      '  }',
      '}',
      'data "template_file" "startup" {',
      '  template = "${file("${path.module}/templates/startup.sh.tpl")}"',
      '  vars {',
      '    nomad_config = "${data.template_file.config_nomad.rendered}"',
      '  }',
      '}',
      'resource "google_compute_instance_template" "nomad" {',
      '  metadata_startup_script = "${data.template_file.startup.rendered}"',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('nomad/templates/nomad-server.hcl.tpl', 'data_dir = "/mnt/nomad"\nregion = "${region}"\nserver {\n  enabled = true\n}\n');
  ws.setText('nomad/templates/nomad-client.hcl.tpl', 'data_dir = "/mnt/nomad"\nregion = "${region}"\nclient {\n  enabled = true\n}\n');
  ws.setText(
    'nomad/templates/consul-client.json.tpl',
    '{\n  "datacenter": "${datacenter}",\n  "data_dir": "/mnt/consul",\n  "retry_join": ["provider=gce tag_value=${tag}"],\n  "server": false\n}\n',
  );
  ws.setText('nomad/templates/startup.sh.tpl', '#!/bin/bash\nsudo tee /etc/nomad.d/config.hcl > /dev/null <<EOF\n  ${nomad_config}\nEOF\n');
}

test('Terraform: a template_file rendered into another template variable is embedded with its values and mapping', () => {
  // Was: the server role had only the literal `${nomad_config}`, and nomad-server.hcl.tpl was analysed raw
  // (hcl-syntax on `${instances}`).
  const ws = new Workspace('/x');
  gcpSuite(ws);
  const r = ws.analyze();
  const server = r.roles.find((x) => x.id === 'server/nomad');
  assert.ok(server, JSON.stringify(r.roles.map((x) => x.id)));
  const region = server.settings.find((s) => s.path === 'region')!;
  assert.equal(region.display, '"gcp"');
  assert.ok(region.chain.some((c) => /variable "nomad_region" default/.test(c.note)));
  // The setting's position is in the inner template, where it is written.
  assert.equal(region.span.file, 'nomad/templates/nomad-server.hcl.tpl');
  assert.equal(server.sources.includes('nomad/templates/startup.sh.tpl'), true);
});

test('A config template no render reached keeps ${name} unknown (no region-mismatch against the rendered server)', () => {
  const ws = new Workspace('/x');
  gcpSuite(ws);
  const r = ws.analyze();
  const client = r.roles.find((x) => x.id === 'linux-client/nomad');
  assert.ok(client, JSON.stringify(r.roles.map((x) => x.id)));
  const region = client.settings.find((s) => s.path === 'region')!;
  assert.match(region.display, /^unknown \(`\$\{region\}` is a Terraform template variable/);
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'region-mismatch' || f.ruleId === 'hcl-syntax'),
    [],
  );
});

test('A .json.tpl Consul config in a Terraform module folder named nomad/ is a Consul config (file name over repository folder)', () => {
  const ws = new Workspace('/x');
  gcpSuite(ws);
  const r = ws.analyze();
  const consul = r.roles.find((x) => x.id === 'linux-client/consul');
  assert.ok(consul, JSON.stringify(r.roles.map((x) => x.id)));
  assert.equal(consul.settings.find((s) => s.path === 'data_dir')?.display, '"/mnt/consul"');
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'unknown-config-key' || f.ruleId === 'invalid-config-value'),
    [],
  );
});

test('productFromPath: a .d directory of the repository still wins, a plain folder only when the file name names no product', () => {
  assert.equal(productFromPath('e2e/terraform/etc/nomad.d/consul.hcl', 'repository'), 'nomad');
  assert.equal(productFromPath('nomad/templates/consul-client.json.tpl', 'repository'), 'consul');
  assert.equal(productFromPath('config/consul/base.json', 'repository'), 'consul');
  assert.equal(productFromPath('/opt/nomad/consul.hcl'), 'nomad');
});

test('bash: $1 inside a shell function is the argument of its call (installConsul 1.0.6), not "computed at run time"', () => {
  // nicholasjackson/terraform-gcp-hashicorp-suite startup.sh.tpl: was "consul/linux unpinned: version `$1` is computed at run time".
  const script = [
    '#!/bin/bash',
    'function installConsul() {',
    '  curl -sLo consul.zip https://releases.hashicorp.com/consul/$1/consul_$1_linux_amd64.zip',
    '}',
    '',
    'installNomad() {',
    '  curl -sLo nomad.zip https://releases.hashicorp.com/nomad/$1/nomad_$1_linux_amd64.zip',
    '}',
    'CONSUL=1.0.6',
    'installConsul $CONSUL',
    'installNomad',
    '',
  ].join('\n');
  const ws = new Workspace('/x');
  ws.setText('install.sh', script);
  const v = ws.analyze().versions;
  const consul = v.find((x) => x.product === 'consul')!;
  assert.equal(consul.version, '1.0.6');
  assert.ok(consul.chain.some((c) => /passed as \$1 to installConsul\(\)/.test(c.note)));
  const nomad = v.find((x) => x.product === 'nomad')!;
  assert.equal(nomad.version, undefined);
  assert.match(nomad.reason ?? '', /installNomad is called without a 1\. argument/);
});

test('PowerShell: -replace with (ConvertTo-Json -Compress "$x") puts the JSON string literal of $x (escaped backslashes) into the config', () => {
  // rgl/nomad-windows-vagrant: data_dir / advertise were "computed at run time".
  const ws = new Workspace('/x');
  ws.setText('nomad-server.hcl', 'data_dir = @@data_dir@@\nbind_addr = @@ip_address@@\nserver {\n  enabled = true\n}\n');
  ws.setText(
    'provision-nomad-server.ps1',
    [
      "param($ipAddress = '10.11.0.101')",
      "$serviceHome = 'C:\\nomad-server'",
      'Set-Content -Encoding Ascii "$serviceHome\\config\\nomad-server.hcl" (',
      '    (Get-Content nomad-server.hcl) `',
      '        -replace \'@@data_dir@@\',(ConvertTo-Json -Depth 100 -Compress "$serviceHome\\data") `',
      '        -replace \'@@ip_address@@\',(ConvertTo-Json -Depth 100 -Compress "$ipAddress")',
      ')',
      '',
    ].join('\n'),
  );
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'server/nomad')!;
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  const dataDir = role.settings.find((s) => s.path === 'data_dir')!;
  assert.equal(dataDir.display, JSON.stringify('C:\\nomad-server\\data'));
  assert.ok(dataDir.chain.some((c) => /ConvertTo-Json/.test(c.note)));
  assert.equal(role.settings.find((s) => s.path === 'bind_addr')?.display, '"10.11.0.101"');
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'hcl-escape' || f.ruleId === 'hcl-syntax'),
    [],
  );
});

test('Versions: a release download path behind a host variable ("${releases}/consul/${version}/consul_${version}_…zip") is read', () => {
  // hashicorp/nomad e2e/terraform packer/windows install-consul.ps1: Consul 1.6.1 was missing from the versions.
  const ws = new Workspace('/x');
  ws.setText(
    'install-consul.ps1',
    [
      '$releases = "https://releases.hashicorp.com"',
      '$version = "1.6.1"',
      '$url = "${releases}/consul/${version}/consul_${version}_windows_amd64.zip"',
      'Invoke-WebRequest -Uri $url -Outfile consul.zip',
      '',
    ].join('\n'),
  );
  const v = ws.analyze().versions.filter((x) => x.product === 'consul');
  assert.equal(v.length, 1);
  assert.equal(v[0]!.version, '1.6.1');
  assert.equal(v[0]!.os, 'windows');
});

test('Packer inline "/opt/provision.ps1 -nomad_version 0.9.6 -nostart" is a caller of provision.ps1 (its parameters are passed)', () => {
  // hashicorp/nomad e2e/terraform Windows image: nomad/windows was "unpinned: $nomad_version is not assigned".
  const ws = new Workspace('/x');
  ws.setText(
    'packer/windows.json',
    JSON.stringify(
      {
        builders: [{ type: 'amazon-ebs', communicator: 'winrm', ami_name: 'w' }],
        provisioners: [
          { type: 'file', source: './scripts/provision.ps1', destination: '/opt/provision.ps1' },
          { type: 'powershell', inline: ['/opt/provision.ps1 -nomad_version 0.9.6 -nostart'] },
        ],
      },
      null,
      2,
    ),
  );
  ws.setText(
    'packer/scripts/provision.ps1',
    [
      'param(',
      '    [string]$nomad_version,',
      '    [switch]$nostart = $false',
      ')',
      '$url = "https://releases.hashicorp.com/nomad/${nomad_version}/nomad_${nomad_version}_windows_amd64.zip"',
      'Invoke-WebRequest -Uri $url -Outfile nomad.zip',
      '',
    ].join('\n'),
  );
  const v = ws.analyze().versions.filter((x) => x.product === 'nomad');
  assert.equal(v.length, 1, JSON.stringify(v));
  assert.equal(v[0]!.version, '0.9.6');
  assert.ok(v[0]!.chain.some((c) => /Packer inline command passes -nomad_version 0.9.6/.test(c.note)));
});
