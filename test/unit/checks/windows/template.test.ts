import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFiles, applyFix, exampleFindings, ofRule } from './helpers';

const MAIN = 'terraform/main.tf';
const TPL = 'terraform/templates/ud.ps1';
const main = (vars: string) => `resource "aws_instance" "w" {\n  user_data = templatefile("\${path.module}/templates/ud.ps1", {\n${vars}\n  })\n}\n`;

test('template: ${env:X} in a PowerShell template needs $${ (error, range, fix)', () => {
  const tpl = '<powershell>\n$a = "${env:ProgramFiles}\\x"\n& C:\\c.ps1 -Join "${retry_join}"\n</powershell>\n';
  const files: Record<string, string> = { [MAIN]: main('    retry_join = "x"'), [TPL]: tpl };
  const f = ofRule(analyzeFiles(files).findings, 'template');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'template');
  assert.equal(f[0]!.span.file, TPL);
  assert.equal(f[0]!.span.start, tpl.indexOf('${env:'));
  assert.equal(f[0]!.span.end, tpl.indexOf('${env:') + '${env:ProgramFiles}'.length);
  assert.match(f[0]!.message, /Extra characters after interpolation expression/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[TPL]!, /\$\$\{env:ProgramFiles\}/);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'template').length, 0);
});

test('template: used but not passed, and passed but never used', () => {
  const tpl = '<powershell>\n& C:\\c.ps1 -Join "${retry_join}" -Key "${gossip_key}"\n</powershell>\n';
  const files: Record<string, string> = { [MAIN]: main('    retry_join = "x"\n    node_class = "w"'), [TPL]: tpl };
  const f = ofRule(analyzeFiles(files).findings, 'template');
  const missing = f.find((x) => /vars map does not contain key "gossip_key"/.test(x.message));
  assert.ok(missing);
  assert.equal(missing.span.start, tpl.indexOf('gossip_key'));
  const unused = f.find((x) => /node_class/.test(x.message));
  assert.ok(unused);
  assert.equal(unused.span.file, MAIN);
  // No other template receives and uses node_class: dead code, not drift (real trees, round 5).
  assert.equal(unused.severity, 'info');
  assert.match(unused.message, /the value is unused/);
});

test("template: a variable the other OS's template uses but this one ignores is drift (warning naming the other template)", () => {
  const linTpl = 'terraform/templates/ud.sh';
  const files: Record<string, string> = {
    [MAIN]:
      main('    retry_join = "x"\n    gossip_key = var.gossip_key') +
      'resource "aws_instance" "l" {\n  user_data = templatefile("${path.module}/templates/ud.sh", {\n    retry_join = "x"\n    gossip_key = var.gossip_key\n  })\n}\nvariable "gossip_key" {}\n',
    [TPL]: '<powershell>\n& C:\\c.ps1 -Join "${retry_join}"\n</powershell>\n',
    [linTpl]: '#!/bin/bash\nbash /ops/client.sh "${retry_join}" "${gossip_key}"\n',
  };
  const f = ofRule(analyzeFiles(files).findings, 'template').filter((x) => /gossip_key/.test(x.message));
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.message, /while terraform\/templates\/ud\.sh .* does/);
  assert.ok(f[0]!.related.some((r) => /ud\.sh receives and uses gossip_key/.test(r.message)));
});

test('template: consistent call is silent', () => {
  const tpl = '<powershell>\n$a = "$${env:ProgramFiles}"\n& C:\\c.ps1 -Join "${retry_join}"\n</powershell>\n';
  assert.equal(ofRule(analyzeFiles({ [MAIN]: main('    retry_join = "x"'), [TPL]: tpl }).findings, 'template').length, 0);
});

test('template: examples', async () => {
  const f = ofRule(await exampleFindings('windows-only'), 'template');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.span.file, 'terraform/modules/aws-hashistack/templates/user-data-client-windows.ps1');
  assert.equal(ofRule(await exampleFindings('mixed-os'), 'template').length, 0);
});

test('template: a bash user-data rendered into a GCE PowerShell metadata key (real tree, round 4); the PowerShell one is silent', async () => {
  const { Workspace } = await import('../../../../server/src/core/engine');
  const tree = (script: string) => {
    const ws = new Workspace('/t');
    ws.setText(
      'gcp/main.tf',
      `resource "google_compute_instance" "windows_client" {\n  name = "win"\n  metadata = {\n    "sysprep-specialize-script-ps1" = templatefile("\${path.module}/../shared/${script}", {\n      dc = "dc1"\n    })\n  }\n}\n`,
    );
    ws.setText('shared/user-data-client.sh', '#!/bin/bash\nset -e\necho "${dc}"\n');
    ws.setText('shared/user-data-client.ps1', '$ErrorActionPreference = "Stop"\nWrite-Host "${dc}"\n');
    return ws.analyze().findings.filter((f) => f.ruleId === 'template' && /metadata|guest/.test(f.message));
  };
  const bad = tree('user-data-client.sh');
  assert.equal(bad.length, 1, JSON.stringify(bad.map((f) => f.message)));
  assert.equal(bad[0]!.span.file, 'gcp/main.tf');
  assert.match(bad[0]!.message, /sysprep-specialize-script-ps1 makes a Windows guest run this script with PowerShell/);
  assert.match(bad[0]!.message, /bash script/);
  assert.deepEqual(tree('user-data-client.ps1'), []);
});

test('template: a PowerShell script under the Linux-only GCE startup-script key is reported', async () => {
  const { Workspace } = await import('../../../../server/src/core/engine');
  const ws = new Workspace('/t');
  ws.setText(
    'gcp/main.tf',
    'resource "google_compute_instance" "w" {\n  metadata = {\n    startup-script = templatefile("${path.module}/client.ps1", { dc = "dc1" })\n  }\n}\n',
  );
  ws.setText('gcp/client.ps1', 'Write-Host "${dc}"\n');
  const f = ws.analyze().findings.filter((x) => x.ruleId === 'template' && /guest/.test(x.message));
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /startup-script is run only by Linux guests/);
});

test("template: a variable only the other agent's template uses (Consul node_name vs the Nomad template) is not drift (real tree, round 6)", async () => {
  const { Workspace } = await import('../../../../server/src/core/engine');
  const ws = new Workspace('/t');
  ws.setText(
    'tf/main.tf',
    'resource "null_resource" "s" {\n  provisioner "file" {\n    content     = templatefile("${path.module}/nomad.hcl.tpl", { node_name = "n1" })\n    destination = "/etc/nomad.d/nomad.hcl"\n  }\n  provisioner "file" {\n    content     = templatefile("${path.module}/consul.hcl.tpl", { node_name = "n1" })\n    destination = "/etc/consul.d/consul.hcl"\n  }\n}\n',
  );
  ws.setText('tf/nomad.hcl.tpl', 'data_dir = "/opt/nomad"\nserver {\n  enabled = true\n}\n');
  ws.setText('tf/consul.hcl.tpl', 'node_name = "${node_name}"\ndata_dir = "/opt/consul"\nserver = true\n');
  const f = ws.analyze().findings.filter((x) => x.ruleId === 'template' && /node_name/.test(x.message));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'info');
});

test("template: merge(var.folders, { … }) passes the variable default's keys and the literal's; an unreadable vars map reports nothing missing (real tree, round 7)", () => {
  const tpl = '<powershell>\n& C:\\c.ps1 -Dir "${consul_folder}" -Node "${node_name}"\n</powershell>\n';
  const mainTf = (vars: string) =>
    `variable "folders" {\n  default = {\n    consul_folder = "C:/consul"\n  }\n}\nresource "aws_instance" "w" {\n  user_data = templatefile("\${path.module}/templates/ud.ps1", ${vars})\n}\n`;
  const missing = (vars: string) =>
    ofRule(analyzeFiles({ [MAIN]: mainTf(vars), [TPL]: tpl }).findings, 'template').filter((x) => /does not pass it/.test(x.message));
  assert.deepEqual(missing('merge(var.folders, { node_name = "web" })'), []);
  assert.deepEqual(missing('local.unknown_map'), [], 'a map the model cannot read: nothing reported missing');
  assert.equal(missing('merge(var.folders, {})').length, 1, 'node_name really is not passed');
});

test('template: a template embedded through a local (startup.sh.tpl carrying nomad.sh.tpl) is the same instance, not a sibling (real tree, round 7)', async () => {
  const { Workspace } = await import('../../../../server/src/core/engine');
  const ws = new Workspace('/t');
  ws.setText(
    'tf/main.tf',
    'locals {\n  base  = { region = "us-east-1" }\n  inner = templatefile("${path.module}/nomad.sh.tpl", local.base)\n}\nresource "aws_instance" "c" {\n  user_data = templatefile("${path.module}/startup.sh.tpl", merge(local.base, { nomad_config = local.inner }))\n}\n',
  );
  ws.setText('tf/nomad.sh.tpl', '#!/bin/bash\necho "region = \\"${region}\\"" > /etc/nomad.d/region.hcl\n');
  ws.setText('tf/startup.sh.tpl', '#!/bin/bash\n${nomad_config}\n');
  const f = ws.analyze().findings.filter((x) => x.ruleId === 'template' && /region/.test(x.message));
  assert.ok(
    f.every((x) => x.severity === 'info'),
    JSON.stringify(f.map((x) => [x.severity, x.message])),
  );
});

test('template: a value the embedding template uses reaches the instance; the part it embeds not using it is info, not drift (round-7 tree)', async () => {
  const { Workspace } = await import('../../../../server/src/core/engine');
  const ws = new Workspace('/t');
  const main = (embed: boolean) =>
    [
      'locals {',
      '  base          = { use_docker = true }',
      '  server_part   = templatefile("${path.module}/consul.sh.tpl", merge(local.base, { is_server = true }))',
      '  client_part   = templatefile("${path.module}/consul.sh.tpl", merge(local.base, { is_server = false }))',
      '  launch_common = merge(local.base, { x = 1 })',
      '}',
      'resource "aws_launch_configuration" "server" {',
      `  user_data = templatefile("\${path.module}/startup.sh.tpl", merge(local.launch_common, { consul_config = ${embed ? 'local.server_part' : '"none"'} }))`,
      '}',
      'resource "aws_launch_configuration" "client" {',
      `  user_data = templatefile("\${path.module}/startup.sh.tpl", merge(local.launch_common, { consul_config = ${embed ? 'local.client_part' : '"none"'} }))`,
      '}',
      '',
    ].join('\n');
  ws.setText('tf/consul.sh.tpl', '#!/bin/bash\necho "server = ${is_server}" > /etc/consul.d/mode.hcl\n');
  ws.setText('tf/startup.sh.tpl', '#!/bin/bash\nif [ "${use_docker}" = "true" ]; then apt-get install -y docker.io; fi\n${consul_config}\n');
  const docker = () => ws.analyze().findings.filter((x) => x.ruleId === 'template' && /use_docker/.test(x.message));
  ws.setText('tf/main.tf', main(true));
  const f = docker();
  assert.ok(f.length > 0);
  for (const x of f) {
    assert.equal(x.severity, 'info', x.message);
    assert.match(x.message, /which embeds this render in the same user-data, uses it/);
  }
  // Without the embedding the parts and the startup script are separate renders: the sibling that uses the value is
  // evidence of drift, as before (warning).
  ws.setText('tf/main.tf', main(false));
  assert.ok(docker().some((x) => x.severity === 'warning'));
});

test('template: a Terraform 0.11 data "template_file" is named as such, with the template provider\'s errors (round 10)', () => {
  const tf =
    'data "template_file" "client" {\n  template = "${file("${path.module}/templates/ud.ps1")}"\n\n  vars {\n    retry_join = "x"\n    node_class = "w"\n  }\n}\n\nresource "aws_instance" "w" {\n  user_data = "${data.template_file.client.rendered}"\n}\n';
  const tpl = '<powershell>\n$a = "${env:ProgramFiles}\\x"\n& C:\\c.ps1 -Join "${retry_join}" -Key "${gossip_key}"\n</powershell>\n';
  const f = ofRule(analyzeFiles({ [MAIN]: tf, [TPL]: tpl }).findings, 'template');
  assert.equal(f.length, 3, JSON.stringify(f.map((x) => x.message)));
  for (const x of f) {
    assert.doesNotMatch(x.message, /templatefile\(\)/, x.message);
    assert.match(x.message, /data "template_file" "client"/, x.message);
    for (const r of x.related) assert.doesNotMatch(r.message, /templatefile\(\)/, r.message);
  }
  const unused = f.find((x) => /node_class/.test(x.message))!;
  assert.match(unused.message, /^data "template_file" "client" passes node_class in vars but/);
  const missing = f.find((x) => /gossip_key/.test(x.message))!;
  assert.match(missing.message, /There is no variable named "gossip_key"/);
  assert.match(missing.message, /unknown variable accessed: gossip_key/);
  assert.doesNotMatch(missing.message, /vars map does not contain key/);
});
