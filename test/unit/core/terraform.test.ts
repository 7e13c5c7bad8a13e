import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { knownText, model, renderVars } from './helpers';

const MOD = 'terraform/modules/stack';
const TPL = `${MOD}/templates/user-data.sh`;
const tpl = '#!/bin/bash\necho "${a}" "${b}" "${c}"\n';

function tree(extra: Record<string, string>, moduleVars: string, call: string): Record<string, string> {
  return {
    'terraform/control/variables.tf':
      'variable "a" {\n  default = "a-default"\n}\nvariable "b" {\n  default = "b-default"\n}\nvariable "c" {\n  default = "c-default"\n}\n',
    'terraform/control/main.tf': `module "stack" {\n  source = "../modules/stack"\n${call}}\n`,
    [`${MOD}/variables.tf`]: moduleVars,
    [`${MOD}/main.tf`]:
      'resource "aws_instance" "client" {\n  user_data = templatefile("${path.module}/templates/user-data.sh", {\n    a = var.a\n    b = var.b\n    c = var.c\n  })\n}\n',
    [TPL]: tpl,
    ...extra,
  };
}

test('terraform: tfvars > variable default in the root; module input > module default', () => {
  const files = tree(
    { 'terraform/control/terraform.tfvars': 'a = "a-tfvars"\n' },
    'variable "a" {}\nvariable "b" {}\nvariable "c" {\n  default = "c-module-default"\n}\n',
    '  a = var.a\n  b = var.b\n',
  );
  const v = renderVars(model(files).m, TPL);
  assert.equal(knownText(v.get('a')), 'a-tfvars');
  assert.equal(knownText(v.get('b')), 'b-default');
  assert.equal(knownText(v.get('c')), 'c-module-default');
  const a = v.get('a')!;
  assert.deepEqual(
    a.chain.map((s) => s.note),
    ['terraform.tfvars sets a', 'module "stack" passes a', 'templatefile() passes a to user-data.sh'],
  );
  assert.equal(a.chain[0]!.span.file, 'terraform/control/terraform.tfvars');
  assert.equal(a.chain[0]!.span.start, 0);
  const b = v.get('b')!;
  assert.equal(b.chain[0]!.note, 'variable "b" default');
});

test('terraform: *.auto.tfvars load after terraform.tfvars, in lexical order; later wins', () => {
  const files = tree(
    {
      'terraform/control/terraform.tfvars': 'a = "from-terraform-tfvars"\nb = "b-tf"\nc = "c-tf"\n',
      'terraform/control/z.auto.tfvars': 'a = "from-z-auto"\n',
      'terraform/control/b.auto.tfvars': 'a = "from-b-auto"\nb = "b-auto"\n',
    },
    'variable "a" {}\nvariable "b" {}\nvariable "c" {}\n',
    '  a = var.a\n  b = var.b\n  c = var.c\n',
  );
  const v = renderVars(model(files).m, TPL);
  assert.equal(knownText(v.get('a')), 'from-z-auto');
  assert.equal(knownText(v.get('b')), 'b-auto');
  assert.equal(knownText(v.get('c')), 'c-tf');
});

test('terraform: locals and string interpolation', () => {
  const files = tree(
    { [`${MOD}/locals.tf`]: 'locals {\n  prefix = "hs"\n  full   = "${local.prefix}-${var.a}"\n}\n' },
    'variable "a" {}\nvariable "b" {}\nvariable "c" {}\n',
    '  a = "x"\n  b = "y"\n  c = "z"\n',
  );
  files[`${MOD}/main.tf`] =
    'resource "aws_instance" "client" {\n  user_data = templatefile("${path.module}/templates/user-data.sh", {\n    a = local.full\n    b = upper(var.b)\n    c = join(",", ["p", "q"])\n  })\n}\n';
  const v = renderVars(model(files).m, TPL);
  assert.equal(knownText(v.get('a')), 'hs-x');
  assert.ok(v.get('a')!.chain.some((s) => s.note === 'local full'));
  assert.equal(knownText(v.get('b')), 'Y');
  assert.equal(knownText(v.get('c')), 'p,q');
});

test('terraform: templatefile path with path.module resolves to the template in the module', () => {
  const { m } = model(tree({}, 'variable "a" {}\nvariable "b" {}\nvariable "c" {}\n', '  a = "1"\n  b = "2"\n  c = "3"\n'));
  const call = m.terraform.templateCalls.find((c) => c.file === `${MOD}/main.tf`)!;
  assert.equal(call.templatePath, TPL);
  assert.equal(call.usedAs, 'resource.aws_instance.client.user_data');
  const r = m.renders.find((x) => x.templateFile === TPL)!;
  assert.equal(r.text.text, '#!/bin/bash\necho "1" "2" "3"\n');
  // The substituted "1" maps back to ${a} in the template.
  const at = r.text.text.indexOf('"1"') + 1;
  assert.deepEqual(r.text.toHost(at, at + 1), { file: TPL, start: tpl.indexOf('${a}'), end: tpl.indexOf('${a}') + 4 });
});

test('terraform: 0.11 template_file data source with "${file(\\"${path.module}/…\\")}"', () => {
  const files: Record<string, string> = {
    'tf11/main.tf':
      'variable "retry_join" {\n  default = "provider=aws tag_key=k tag_value=v"\n}\n\ndata "template_file" "user_data_client" {\n  template = "${file("${path.module}/templates/client.sh")}"\n\n  vars {\n    retry_join = "${var.retry_join}"\n  }\n}\n',
    'tf11/templates/client.sh': '#!/bin/bash\necho "${retry_join}"\n',
  };
  const { m } = model(files);
  const call = m.terraform.templateCalls.find((c) => c.file === 'tf11/main.tf');
  assert.ok(call);
  assert.equal(call.templatePath, 'tf11/templates/client.sh');
  assert.equal(call.usedAs, 'data.template_file.user_data_client');
  assert.equal(knownText(renderVars(m, 'tf11/templates/client.sh').get('retry_join')), 'provider=aws tag_key=k tag_value=v');
});

test('terraform: resource attributes are unknown with a reason (never guessed)', () => {
  const files = tree({}, 'variable "a" {}\nvariable "b" {}\nvariable "c" {}\n', '  a = "1"\n  b = "2"\n  c = "3"\n');
  files[`${MOD}/main.tf`] =
    'resource "aws_instance" "server" {}\nresource "aws_instance" "client" {\n  user_data = templatefile("${path.module}/templates/user-data.sh", {\n    a = aws_instance.server.private_ip\n    b = file("${path.module}/ca.pem")\n    c = var.undeclared\n  })\n}\n';
  const v = renderVars(model(files).m, TPL);
  const a = v.get('a')!;
  assert.equal(a.kind, 'unknown');
  assert.match(a.kind === 'unknown' ? a.reason : '', /aws_instance\.server\.private_ip` is only known after apply/);
  assert.equal(v.get('b')!.kind, 'unknown');
  assert.match(v.get('c')!.kind === 'unknown' ? (v.get('c') as { reason: string }).reason : '', /no variable "undeclared"/);
});

test('terraform: variable without default and without input is unknown; secrets are marked by name or sensitive = true', () => {
  const files = tree(
    { 'terraform/control/terraform.tfvars': 'a = "k3y-material-xyz"\n' },
    'variable "a" {\n  sensitive = true\n}\nvariable "b" {}\nvariable "c" {}\n',
    '  a = var.a\n  c = var.c\n',
  );
  files[`${MOD}/main.tf`] =
    'resource "aws_instance" "client" {\n  user_data = templatefile("${path.module}/templates/user-data.sh", {\n    a = var.a\n    b = var.b\n    c = var.c\n    consul_master_token = var.c\n  })\n}\n';
  const v = renderVars(model(files).m, TPL);
  const a = v.get('a')!;
  assert.equal(a.kind === 'known' && a.secret, true, 'sensitive = true marks the value secret');
  assert.equal(v.get('b')!.kind, 'unknown');
  assert.match((v.get('b') as { reason: string }).reason, /variable "b" has no default and no tfvars or module input sets it/);
  const tok = v.get('consul_master_token')!;
  assert.equal(tok.kind === 'known' && tok.secret, true, 'a template variable named like a token is secret');
  const c = v.get('c')!;
  assert.equal(c.kind === 'known' && c.secret === true, false);
});

test('terraform: path.cwd in a child module is the root module directory', () => {
  const files = tree({}, 'variable "a" {}\nvariable "b" {}\nvariable "c" {}\n', '  a = "1"\n  b = "2"\n  c = "3"\n');
  files[`${MOD}/main.tf`] = 'resource "aws_instance" "client" {\n  user_data = templatefile("${path.cwd}/templates/root.sh", {})\n}\n';
  files['terraform/control/templates/root.sh'] = 'echo root\n';
  const { m } = model(files);
  const call = m.terraform.templateCalls.find((c) => c.file === `${MOD}/main.tf`)!;
  assert.equal(call.templatePath, 'terraform/control/templates/root.sh');
});

test('terraform: path.module / path.root in a root module at the top of the tree is `.` (not the absolute `/…`)', () => {
  const files = {
    'main.tf':
      'resource "aws_instance" "a" {\n  user_data = templatefile("${path.module}/templates/a.sh", {\n    a = "x"\n  })\n}\nresource "aws_instance" "b" {\n  user_data = templatefile("${path.root}/../templates/b.sh", {\n    a = "y"\n  })\n}\n',
    'templates/a.sh': '#!/bin/bash\necho "${a}"\n',
    'templates/b.sh': '#!/bin/bash\necho "${a}"\n',
  };
  const { m } = model(files);
  assert.equal(knownText(renderVars(m, 'templates/a.sh').get('a')), 'x');
  assert.equal(knownText(renderVars(m, 'templates/b.sh').get('a')), 'y');
});
