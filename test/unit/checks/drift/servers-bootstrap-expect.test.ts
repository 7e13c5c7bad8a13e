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

test('servers-bootstrap-expect: not certain which instances are servers (one template for both, for_each, no count known) is silent', () => {
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
    'tf/main.tf': 'resource "aws_instance" "server" {\n  for_each  = toset(["a"])\n  user_data = templatefile("${path.module}/server.sh.tpl", {})\n}\n',
    'tf/server.sh.tpl': serverTpl('3'),
  };
  assert.deepEqual(run(forEach), []);
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
