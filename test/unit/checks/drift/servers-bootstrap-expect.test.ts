import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';

const RULE = 'servers-bootstrap-expect';

const serverTpl = (expect: string) =>
  `#!/bin/bash\ncat > /etc/nomad.d/server.hcl <<EOF\ndata_dir = "/opt/nomad"\nserver {\n  enabled          = true\n  bootstrap_expect = ${expect}\n}\nEOF\ncat > /etc/consul.d/server.hcl <<EOF\nserver = true\nbootstrap_expect = ${expect}\ndata_dir = "/opt/consul"\nEOF\n`;
const clientTpl = '#!/bin/bash\ncat > /etc/nomad.d/client.hcl <<EOF\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n}\nEOF\n';

function run(files: Record<string, string>) {
  const ws = new Workspace('/t');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return r.findings.filter((f) => f.ruleId === RULE);
}

const instances = (serverCount: string) => ({
  'tf/variables.tf': 'variable "server_count" {\n  default = 3\n}\n',
  'tf/terraform.tfvars': `server_count = ${serverCount}\n`,
  'tf/main.tf': [
    'resource "aws_instance" "server" {',
    '  count     = var.server_count',
    '  user_data = templatefile("${path.module}/server.sh.tpl", { server_count = var.server_count })',
    '}',
    'resource "aws_instance" "client" {',
    '  count     = 2',
    '  user_data = templatefile("${path.module}/client.sh.tpl", {})',
    '}',
    '',
  ].join('\n'),
  'tf/client.sh.tpl': clientTpl,
});

test('servers-bootstrap-expect: bootstrap_expect written as 3, tfvars creates 1 server: one error per product, with the count chain and the symptom', () => {
  const f = run({ ...instances('1'), 'tf/server.sh.tpl': serverTpl('3') });
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  for (const x of f) {
    assert.equal(x.severity, 'error');
    assert.equal(x.span.file, 'tf/server.sh.tpl');
    assert.match(
      x.message,
      /bootstrap_expect = 3, but the deployment creates 1 (Nomad|Consul) server \(count of aws_instance\.server = var\.server_count = 1\)/,
    );
    assert.match(x.message, /No cluster leader/);
    assert.ok(x.related.some((r) => r.span.file === 'tf/main.tf'));
    assert.ok(x.related.some((r) => r.span.file === 'tf/terraform.tfvars'));
  }
});

test('servers-bootstrap-expect: fixed (bootstrap_expect from the same variable, or enough servers) is silent', () => {
  assert.deepEqual(run({ ...instances('1'), 'tf/server.sh.tpl': serverTpl('${server_count}') }), []);
  assert.deepEqual(run({ ...instances('3'), 'tf/server.sh.tpl': serverTpl('3') }), []);
  assert.deepEqual(run({ ...instances('5'), 'tf/server.sh.tpl': serverTpl('3') }), []);
});

test('servers-bootstrap-expect: an autoscaling group sized by desired_capacity, through the launch template', () => {
  const asg = (size: string) => ({
    'tf/main.tf': [
      'resource "aws_launch_template" "server" {',
      '  user_data = base64encode(templatefile("${path.module}/server.sh.tpl", {}))',
      '}',
      'resource "aws_autoscaling_group" "server" {',
      `  desired_capacity = ${size}`,
      '  min_size         = 1',
      '  max_size         = 5',
      '  launch_template {',
      '    id = aws_launch_template.server.id',
      '  }',
      '}',
      '',
    ].join('\n'),
    'tf/server.sh.tpl': serverTpl('3'),
  });
  assert.equal(run(asg('2')).length, 2);
  assert.deepEqual(run(asg('3')), []);
});

test('servers-bootstrap-expect: not certain which instances are servers (one template for both, for_each or count not known) is silent', () => {
  const shared = {
    'tf/main.tf': [
      'resource "aws_instance" "server" {',
      '  count     = 1',
      '  user_data = templatefile("${path.module}/agent.sh.tpl", { is_server = true })',
      '}',
      'resource "aws_instance" "client" {',
      '  count     = 1',
      '  user_data = templatefile("${path.module}/agent.sh.tpl", { is_server = false })',
      '}',
      '',
    ].join('\n'),
    'tf/agent.sh.tpl': `${serverTpl('3')}${clientTpl}`,
  };
  assert.deepEqual(run(shared), []);
  const forEach = {
    'tf/main.tf':
      'variable "hosts" {}\nresource "aws_instance" "server" {\n  for_each  = var.hosts\n  user_data = templatefile("${path.module}/server.sh.tpl", {})\n}\n',
    'tf/server.sh.tpl': serverTpl('3'),
  };
  assert.deepEqual(run(forEach), []);
});

/** Servers made by `meta` (count / for_each) in tf/main.tf, with `vars` beside them and bootstrap_expect = `expect`. */
const counted = (meta: string, expect: string, vars = '', tfvars?: string) => ({
  'tf/main.tf': `${vars}resource "aws_instance" "server" {\n  ${meta}\n  user_data = templatefile("\${path.module}/server.sh.tpl", {})\n}\n`,
  'tf/server.sh.tpl': serverTpl(expect),
  ...(tfvars !== undefined ? { 'tf/terraform.tfvars': tfvars } : {}),
});
const serverIps = 'variable "server_ips" {\n  type = list(string)\n}\n';

test('servers-bootstrap-expect: count = length(var.server_ips) with 3 addresses in tfvars and bootstrap_expect = 5 is an error naming the tfvars', () => {
  const f = run(counted('count     = length(var.server_ips)', '5', serverIps, 'server_ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]\n'));
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  for (const x of f) {
    assert.match(
      x.message,
      /bootstrap_expect = 5, but the deployment creates 3 (Nomad|Consul) servers \(count of aws_instance\.server = length\(var\.server_ips\) = 3\)/,
    );
    assert.ok(x.related.some((r) => r.span.file === 'tf/terraform.tfvars' && /sets server_ips/.test(r.message)));
  }
  // Fixed: as many addresses as bootstrap_expect, or bootstrap_expect = 3.
  assert.deepEqual(run(counted('count     = length(var.server_ips)', '5', serverIps, 'server_ips = ["a", "b", "c", "d", "e"]\n')), []);
  assert.deepEqual(run(counted('count     = length(var.server_ips)', '3', serverIps, 'server_ips = ["a", "b", "c"]\n')), []);
  // Unknown: no tfvars and no default.
  assert.deepEqual(run(counted('count     = length(var.server_ips)', '5', serverIps)), []);
});

test('servers-bootstrap-expect: for_each over a map, a conditional and arithmetic count, the count of the module call around the servers', () => {
  const nodes = 'variable "nodes" {\n  default = {}\n}\n';
  assert.equal(run(counted('for_each  = var.nodes', '3', nodes, 'nodes = { a = "10.0.0.1", b = "10.0.0.2" }\n')).length, 2);
  assert.deepEqual(run(counted('for_each  = var.nodes', '3', nodes, 'nodes = { a = "1", b = "2", c = "3" }\n')), []);
  assert.equal(run(counted('for_each  = toset(["a"])', '3')).length, 2);
  const ha = 'variable "ha" {\n  default = false\n}\n';
  assert.equal(run(counted('count     = var.ha ? 3 : 1', '3', ha)).length, 2);
  assert.deepEqual(run(counted('count     = var.ha ? 3 : 1', '3', ha, 'ha = true\n')), []);
  const zones = 'variable "zones" {\n  default = 1\n}\n';
  assert.equal(run(counted('count     = var.zones * 2', '3', zones)).length, 2);
  assert.deepEqual(run(counted('count     = var.zones * 2', '3', zones, 'zones = 2\n')), []);
  // The module around one VM: `module "servers" { count = … }` makes that many.
  const mod = (count: string) => ({
    'tf/main.tf': `module "servers" {\n  source = "./server"\n  count  = ${count}\n}\n`,
    'tf/server/main.tf': 'resource "aws_instance" "server" {\n  user_data = templatefile("${path.module}/server.sh.tpl", {})\n}\n',
    'tf/server/server.sh.tpl': serverTpl('3'),
  });
  const one = run(mod('1'));
  assert.equal(one.length, 2);
  assert.match(one[0]!.message, /creates 1 (Nomad|Consul) server \(one aws_instance\.server without count, times count of module\.servers = 1\)/);
  assert.deepEqual(run(mod('3')), []);
  assert.deepEqual(run(mod('var.n')), []);
});

test('servers-bootstrap-expect: user data written inline in the resource (<<-EOF) counts that resource', () => {
  const main = (count: number) =>
    `resource "aws_instance" "server" {\n  count     = ${count}\n  user_data = <<-EOF\n    #!/bin/bash\n    cat > /etc/nomad.d/server.hcl <<EOT\n    server {\n      enabled          = true\n      bootstrap_expect = 3\n    }\n    EOT\n  EOF\n}\n`;
  const f = run({ 'tf/main.tf': main(1) });
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /count of aws_instance\.server = 1/);
  assert.deepEqual(run({ 'tf/main.tf': main(3) }), []);
});

test('servers-bootstrap-expect: a server config uploaded by a Terraform file provisioner counts the resource the provisioner is in (real tree, round 10)', () => {
  const tf = (count: string) =>
    [
      'data "template_file" "consulconfig" {',
      '  template = file("${path.module}/consul.tpl")',
      '}',
      'resource "azurerm_virtual_machine" "windows" {',
      count,
      '  provisioner "file" {',
      '    content     = data.template_file.consulconfig.rendered',
      '    destination = "C:\\\\Hashicorp\\\\Consul\\\\config.json"',
      '    connection {',
      '      type = "winrm"',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
  const tpl = '{\n  "datacenter": "dc1",\n  "data_dir": "C:/consul/data",\n  "server": true,\n  "bootstrap_expect": 3\n}\n';
  const one = run({ 'main.tf': tf(''), 'consul.tpl': tpl });
  assert.equal(one.length, 1, JSON.stringify(one.map((f) => f.message)));
  assert.equal(one[0]!.span.file, 'consul.tpl');
  assert.match(one[0]!.message, /creates 1 Consul server \(one azurerm_virtual_machine\.windows without count\)/);
  assert.deepEqual(run({ 'main.tf': tf('  count = 3'), 'consul.tpl': tpl }), []);
});

test('servers-bootstrap-expect: bootstrap_expect = 1 on 3 counted servers: each bootstraps itself (Consul and Nomad log strings); one server, or 3, is silent', () => {
  const f = run({ ...instances('3'), 'tf/server.sh.tpl': serverTpl('1') });
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  const consul = f.find((x) => /^Consul server/.test(x.message))!;
  const nomad = f.find((x) => /^Nomad server/.test(x.message))!;
  assert.match(consul.message, /bootstrap_expect = 1, but the deployment creates 3 Consul servers \(count of aws_instance\.server = var\.server_count = 3\)/);
  assert.match(consul.message, /BootstrapExpect is set to 1; this is the same as Bootstrap mode\./);
  assert.match(consul.message, /Two nodes are in bootstrap mode/);
  assert.match(consul.message, /split brain/);
  assert.match(nomad.message, /server\.bootstrap_expect = 1, but the deployment creates 3 Nomad servers/);
  assert.match(nomad.message, /skipping adding Raft peer because an existing peer is in bootstrap mode/);
  for (const x of f) {
    assert.equal(x.severity, 'error');
    assert.equal(x.span.file, 'tf/server.sh.tpl');
    assert.ok(x.related.some((r) => r.span.file === 'tf/terraform.tfvars'));
  }
  assert.deepEqual(run({ ...instances('1'), 'tf/server.sh.tpl': serverTpl('1') }), []);
  assert.deepEqual(run({ ...instances('3'), 'tf/server.sh.tpl': serverTpl('3') }), []);
  assert.deepEqual(run({ ...instances('3'), 'tf/server.sh.tpl': serverTpl('${server_count}') }), []);
});

test('servers-bootstrap-expect: Consul bootstrap = true on 2 counted servers is bootstrap mode on each', () => {
  const tpl = '#!/bin/bash\ncat > /etc/consul.d/server.hcl <<EOF\nserver    = true\nbootstrap = true\ndata_dir  = "/opt/consul"\nEOF\n';
  const f = run({ ...instances('2'), 'tf/server.sh.tpl': tpl });
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /Consul server: bootstrap = true, but the deployment creates 2 Consul servers/);
  assert.deepEqual(run({ ...instances('1'), 'tf/server.sh.tpl': tpl }), []);
});

const COLOCATED = 'servers-bootstrap-expect-colocated';
function runAll(files: Record<string, string>) {
  const ws = new Workspace('/t');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return r.findings.filter((f) => f.ruleId === RULE || f.ruleId === COLOCATED);
}

/** discoposse/nomad-aws-minilab (round 10): one script copies both server configs onto every node. */
const minilab = (consulExpect: string, nomadExpect: string) => ({
  'conf/install.sh': [
    '#!/bin/bash',
    'sudo curl https://raw.githubusercontent.com/x/y/master/conf/nomad/server.hcl -o /tmp/nomad/server.hcl',
    'sudo cp /tmp/nomad/server.hcl /etc/nomad.d/server.hcl',
    'sudo curl https://raw.githubusercontent.com/x/y/master/conf/consul/server.hcl -o /tmp/consul/server.hcl',
    'sudo cp /tmp/consul/server.hcl /etc/consul.d/server.hcl',
    'sudo nohup consul agent --config-file /etc/consul.d/server.hcl >$HOME/consul.log &',
    'sudo nohup nomad agent -config /etc/nomad.d/server.hcl >$HOME/nomad.log &',
    '',
  ].join('\n'),
  'conf/consul/server.hcl': `data_dir = "/opt/consul"\nserver           = true\nbootstrap_expect = ${consulExpect}\nretry_join       = ["10.0.0.100", "10.0.1.100", "10.0.2.100"]\n`,
  'conf/nomad/server.hcl': `data_dir = "/opt/nomad"\nserver {\n  enabled          = true\n  bootstrap_expect = ${nomadExpect}\n}\n`,
});

test('servers-bootstrap-expect-colocated: one script writes both server configs, Consul expects 1 and Nomad 3: error on the Consul value (real tree, round 10)', () => {
  const files = minilab('1', '3');
  const f = runAll(files);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  const x = f[0]!;
  assert.equal(x.ruleId, COLOCATED);
  assert.equal(x.severity, 'error');
  assert.equal(x.span.file, 'conf/consul/server.hcl');
  const text = files['conf/consul/server.hcl'];
  assert.equal(text.slice(x.span.start, x.span.end), 'bootstrap_expect');
  assert.match(
    x.message,
    /Consul server: bootstrap_expect = 1, but the Nomad servers on the same machines \(both written by conf\/install\.sh\) expect 3 servers/,
  );
  assert.match(x.message, /BootstrapExpect is set to 1; this is the same as Bootstrap mode\./);
  assert.match(x.message, /No cluster leader/);
  assert.ok(x.related.some((r) => r.span.file === 'conf/nomad/server.hcl'));
  // The other way round: the finding is on Nomad's 1.
  const g = runAll(minilab('3', '1'));
  assert.equal(g.length, 1);
  assert.equal(g[0]!.span.file, 'conf/nomad/server.hcl');
  assert.match(g[0]!.message, /skipping adding Raft peer/);
});

test('servers-bootstrap-expect-colocated: fixed (equal values), both 1, two values of 2 or more, or configs from different scripts are silent', () => {
  assert.deepEqual(runAll(minilab('3', '3')), []);
  assert.deepEqual(runAll(minilab('1', '1')), []);
  assert.deepEqual(runAll(minilab('5', '3')), []);
  // Each server config copied by its own script: nothing says they run on the same machines.
  const split = minilab('1', '3');
  const lines = split['conf/install.sh'].split('\n');
  const two = {
    ...split,
    'conf/install.sh': [lines[0], lines[1], lines[2], lines[6], ''].join('\n'),
    'conf/install-consul.sh': [lines[0], lines[3], lines[4], lines[5], ''].join('\n'),
  };
  assert.deepEqual(runAll(two), []);
});

test('servers-bootstrap-expect-colocated: when Terraform decides the count, servers-bootstrap-expect reports the wrong value instead', () => {
  const tpl =
    '#!/bin/bash\ncat > /etc/nomad.d/server.hcl <<EOF\nserver {\n  enabled          = true\n  bootstrap_expect = 3\n}\nEOF\ncat > /etc/consul.d/server.hcl <<EOF\nserver = true\nbootstrap_expect = 1\nEOF\n';
  const f = runAll({ ...instances('3'), 'tf/server.sh.tpl': tpl });
  assert.deepEqual(
    f.map((x) => [x.ruleId, /^Consul/.test(x.message)]),
    [[RULE, true]],
  );
  // Unknown count: the colocated rule (both written by one template, carried by aws_instance.server).
  const g = runAll({
    'tf/main.tf':
      'variable "n" {}\nresource "aws_instance" "server" {\n  count     = var.n\n  user_data = templatefile("${path.module}/server.sh.tpl", {})\n}\n',
    'tf/server.sh.tpl': tpl,
  });
  assert.equal(g.length, 1, JSON.stringify(g.map((x) => x.message)));
  assert.equal(g[0]!.ruleId, COLOCATED);
  assert.match(g[0]!.message, /both (configured by aws_instance\.server|written by tf\/server\.sh\.tpl)/);
});

test('servers-bootstrap-expect: GCE per-instance configs whose startup script is in a nested block (preserved_state { metadata }) count one server each', () => {
  const files = (count: string) => ({
    'tf/main.tf': [
      'resource "google_compute_region_per_instance_config" "server" {',
      `  count = ${count}`,
      '  preserved_state {',
      '    metadata = {',
      '      startup-script = templatefile("${path.module}/server.sh.tpl", {})',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
    'tf/server.sh.tpl': serverTpl('3'),
  });
  const f = run(files('1'));
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /count of google_compute_region_per_instance_config\.server = 1/);
  assert.deepEqual(run(files('3')), []);
});

test('servers-bootstrap-expect: -bootstrap-expect=1 on the Consul server unit of 3 instances (a launch-line flag) is judged, on the flag', () => {
  const server = `#!/bin/bash\ncat > /etc/consul.d/server.hcl <<EOF\nserver = true\ndata_dir = "/opt/consul"\nEOF\n`;
  const unitText = '[Service]\nExecStart=/usr/bin/consul agent -config-dir=/etc/consul.d -bootstrap-expect=1\n';
  const f = run({ ...instances('3'), 'tf/server.sh.tpl': server, 'config/consul.service': unitText });
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'config/consul.service');
  assert.equal(unitText.slice(f[0]!.span.start, f[0]!.span.end), '-bootstrap-expect=1');
  assert.match(
    f[0]!.message,
    /bootstrap_expect = 1 \(-bootstrap-expect=1 on its launch line in config\/consul\.service\), but the deployment creates 3 Consul servers/,
  );
});
