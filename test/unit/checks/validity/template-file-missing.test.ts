/**
 * template-file-missing: a templatefile()/file() path that is not a file of the tree. Most cases run on a real
 * temporary folder through Workspace.load, since what matters is what the walk of the disk knows: a template of a
 * kind the engine does not read (`.yaml`, `.txt`, `.cmd`, no extension) exists and must not be reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../../../../server/src/core/engine';
import type { Finding } from '../../../../server/src/core/types';
import { fileMissingHarness } from './fileMissingHarness';

const RULE = 'template-file-missing';
const { tree, write, missing, load, spanText } = fileMissingHarness(RULE, 'hsr-tfm-');

const userData = (tpl: string) =>
  `resource "aws_instance" "client" {\n  ami       = "ami-1"\n  user_data = templatefile("\${path.module}/${tpl}", { region = "eu" })\n}\n`;

test('template-file-missing: fires on a templatefile() path that is not in the tree, silent once the file exists', async () => {
  const root = tree({ 'infra/main.tf': userData('templates/user-data.ps1') });
  const { ws, findings } = await load(root);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  const f = findings[0]!;
  assert.equal(f.severity, 'error');
  assert.equal(f.category, 'template');
  assert.equal(f.span.file, 'infra/main.tf');
  assert.equal(spanText(ws, f), '"${path.module}/templates/user-data.ps1"');
  // Terraform's own words, with the path as Terraform prints it (relative to the root module).
  assert.match(
    f.message,
    /terraform plan fails with "Invalid value for "path" parameter: no file exists at "templates\/user-data\.ps1"; this function works only with files that are distributed as part of the configuration source code/,
  );
  assert.match(f.message, /templatefile\(\) in resource\.aws_instance\.client\.user_data at infra\/main\.tf:3 reads infra\/templates\/user-data\.ps1/);

  write(root, 'infra/templates/user-data.ps1', '<powershell>\nWrite-Output "${region}"\n</powershell>\n');
  assert.deepEqual((await load(root)).findings, []);
});

test('template-file-missing: an existing template of a kind the engine does not read is not missing (.yaml, .txt, .cmd, no extension)', async () => {
  // The false positive that got the first attempt reverted: these files exist, the engine just never reads them.
  const templates = ['templates/bootstrap.yaml', 'templates/setup.txt', 'templates/startup.cmd', 'templates/userdata', 'templates/run-agent'];
  const root = tree({
    // One template really is missing: it alone is reported (the rule is on, the others are known).
    'main.tf': [...templates, 'templates/gone.txt'].map((t, i) => userData(t).replace('"client"', `"c${i}"`)).join('\n'),
    'templates/bootstrap.yaml': 'packages: [nomad]\n',
    'templates/setup.txt': 'region=${region}\n',
    'templates/startup.cmd': 'echo %COMPUTERNAME%\r\n',
    'templates/userdata': 'region ${region}\n',
    'templates/run-agent': '#!/bin/bash\necho "${region}"\n',
  });
  const { ws, findings } = await load(root);
  assert.deepEqual(
    findings.map((f) => /reads (\S+),/.exec(f.message)?.[1]),
    ['templates/gone.txt'],
  );
  // Only the shell script among them is read; the others are known by name.
  assert.ok(ws.hasFile('templates/run-agent'));
  assert.ok(!ws.hasFile('templates/setup.txt'));
  assert.equal(ws.pathStatus('templates/setup.txt'), 'present');
  assert.equal(ws.pathStatus('templates/nope.txt'), 'absent');
});

test('template-file-missing: file(), filebase64() and a data "template_file" with template = file(…)', async () => {
  const main = [
    'resource "aws_instance" "a" {\n  user_data = file("${path.module}/scripts/a.sh")\n}\n',
    'resource "azurerm_linux_virtual_machine" "b" {\n  custom_data = filebase64("${path.module}/scripts/b.yaml")\n}\n',
    'data "template_file" "c" {\n  template = file("${path.module}/scripts/c.tpl")\n  vars = { x = "1" }\n}\n',
    'resource "aws_instance" "d" {\n  user_data = "${file("scripts/d.sh")}"\n}\n',
  ].join('\n');
  const root = tree({ 'main.tf': main });
  const { findings } = await load(root);
  assert.deepEqual(findings.map((f) => /reads (\S+),/.exec(f.message)?.[1]).sort(), ['scripts/a.sh', 'scripts/b.yaml', 'scripts/c.tpl', 'scripts/d.sh']);
  assert.ok(findings.some((f) => /^data "template_file" "c" \(template = file\(…\)\)/.test(f.message)));
  assert.ok(findings.some((f) => /^filebase64\(\) in resource\.azurerm_linux_virtual_machine\.b\.custom_data/.test(f.message)));
  for (const [rel, text] of Object.entries({
    'scripts/a.sh': '#!/bin/bash\n',
    'scripts/b.yaml': 'x: 1\n',
    'scripts/c.tpl': '${x}\n',
    'scripts/d.sh': 'echo\n',
  }))
    write(root, rel, text);
  assert.deepEqual((await load(root)).findings, []);
});

test('template-file-missing: a deleted template makes it fire (deleteFile, markPath), a re-created one clears it', async () => {
  const root = tree({
    'main.tf': userData('templates/user-data.ps1') + userData('templates/setup.txt').replace('"client"', '"other"'),
    'templates/user-data.ps1': '${region}\n',
    'templates/setup.txt': '${region}\n',
  });
  const { ws, findings } = await load(root);
  assert.deepEqual(findings, []);
  // A file the engine reads is deleted like an editor or a watcher deletes it.
  ws.deleteFile('templates/user-data.ps1');
  assert.deepEqual(
    missing(ws).map((f) => /reads (\S+),/.exec(f.message)?.[1]),
    ['templates/user-data.ps1'],
  );
  // A file it does not read is only known by name.
  ws.markPath('templates/setup.txt', false);
  assert.equal(missing(ws).length, 2);
  ws.markPath('templates/setup.txt', true);
  ws.setText('templates/user-data.ps1', '${region}\n');
  assert.deepEqual(missing(ws), []);
  // A deleted folder takes every file below it, read or not.
  ws.markPath('templates', false);
  assert.equal(missing(ws).length, 2);
  assert.ok(!ws.hasFile('templates/user-data.ps1'));
});

test('template-file-missing: a path with unknown parts, outside the tree or guarded is not judged', async () => {
  const main = `variable "tpl" {}
resource "aws_instance" "a" {
  user_data = templatefile(var.tpl, {})
}
resource "aws_instance" "b" {
  user_data = templatefile("\${path.module}/\${aws_instance.a.id}.ps1", {})
}
resource "aws_instance" "c" {
  user_data = file(lookup(var.m, "k"))
  key_name  = file("~/.ssh/id_rsa.pub")
  tags      = { k = file("/etc/hostname") }
}
resource "aws_instance" "d" {
  user_data = file("\${path.module}/../../shared/x.sh")
  a         = fileexists("\${path.module}/opt.sh") ? file("\${path.module}/opt.sh") : ""
  b         = try(file("\${path.module}/maybe.sh"), "")
  c         = can(file("\${path.module}/maybe2.sh")) ? 1 : 0
  # The control: known, inside the tree, not guarded, missing.
  d         = file("\${path.module}/missing.sh")
}
`;
  const root = tree({ 'main.tf': main });
  assert.deepEqual(
    (await load(root)).findings.map((f) => /reads (\S+),/.exec(f.message)?.[1]),
    ['missing.sh'],
  );
});

test('template-file-missing: each instance of a module called twice is checked with its own input', async () => {
  const root = tree({
    'main.tf':
      'module "servers" {\n  source = "./modules/node"\n  tpl    = "server.sh"\n}\nmodule "clients" {\n  source = "./modules/node"\n  tpl    = "client.sh"\n}\n',
    'modules/node/main.tf': 'variable "tpl" {}\nresource "aws_instance" "n" {\n  user_data = templatefile("${path.module}/templates/${var.tpl}", {})\n}\n',
    'modules/node/templates/server.sh': '#!/bin/bash\necho server\n',
  });
  const { findings } = await load(root);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  const f = findings[0]!;
  assert.equal(f.span.file, 'modules/node/main.tf');
  assert.match(f.message, /as instantiated by module "clients" at main\.tf:5\) reads modules\/node\/templates\/client\.sh/);
  // Terraform runs in the root module: the path it prints is relative to it.
  assert.match(f.message, /no file exists at "modules\/node\/templates\/client\.sh"/);
  assert.ok(f.related.some((r) => r.message === 'module "clients" passes tpl'));
});

test('template-file-missing: a path that exists with another letter case is missing on Linux, and the message says so', async () => {
  const root = tree({ 'main.tf': userData('templates/Startup.ps1'), 'templates/startup.ps1': '${region}\n' });
  const { findings } = await load(root);
  assert.equal(findings.length, 1);
  assert.match(findings[0]!.message, /templates\/startup\.ps1 exists with a different letter case/);
  assert.match(findings[0]!.message, /Linux runner/);
});

test('template-file-missing: nothing is reported until the listing of the tree is complete', () => {
  // An in-memory workspace knows only the files it was given: a missing path there proves nothing.
  const ws = new Workspace('/tmp/hsr-tfm-memory');
  ws.setText('main.tf', userData('templates/user-data.ps1'));
  assert.deepEqual(missing(ws), []);
  ws.setListingComplete();
  assert.equal(missing(ws).length, 1);
  ws.markPath('templates/user-data.ps1', true);
  assert.deepEqual(missing(ws), []);
});

test('template-file-missing: creating an unrelated file reuses the analysis; creating the missing template re-runs it', async () => {
  const root = tree({ 'main.tf': userData('templates/user-data.ps1'), 'scripts/client.sh': '#!/bin/bash\necho hi\n' });
  const { ws, findings } = await load(root);
  assert.equal(findings.length, 1);
  const runs = ws.unitAnalysisCount;
  // Another file appearing does not change any answer the unit's checks used: the analysis is reused.
  ws.markPath('docs/notes.txt', true);
  assert.equal(missing(ws).length, 1);
  assert.equal(ws.unitAnalysisCount, runs);
  ws.markPath('templates/user-data.ps1', true);
  assert.deepEqual(missing(ws), []);
  assert.equal(ws.unitAnalysisCount, runs + 1);
});

test('template-file-missing: paths under a skipped, ignored or symlinked directory are not judged', async () => {
  const root = tree({
    'main.tf': [
      userData('node_modules/pkg/t.sh').replace('"client"', '"a"'),
      userData('vendor/t.sh').replace('"client"', '"b"'),
      userData('linked/t.sh').replace('"client"', '"c"'),
      // The control: a plain directory the walk lists, without the file.
      userData('real/gone.sh').replace('"client"', '"d"'),
    ].join('\n'),
    '.hashistack-review.json': JSON.stringify({ ignore: ['vendor/**'] }),
    'vendor/t.sh': '#!/bin/bash\n',
    'node_modules/pkg/t.sh': '#!/bin/bash\n',
    'real/t.sh': '#!/bin/bash\n',
  });
  fs.symlinkSync(path.join(root, 'real'), path.join(root, 'linked'), 'dir');
  assert.deepEqual(
    (await load(root)).findings.map((f) => /reads (\S+),/.exec(f.message)?.[1]),
    ['real/gone.sh'],
  );
});

/** A Windows client whose user data is read from `tpl` (a path expression), with `meta` (count / for_each) on it. */
const windowsClient = (meta: string, tpl = '"${path.module}/templates/windows.ps1"') =>
  `resource "aws_instance" "windows" {\n  ${meta}\n  ami       = "ami-1"\n  user_data = templatefile(${tpl}, { region = "eu" })\n}\n`;
const countVar = 'variable "windows_client_count" {\n  default = 1\n}\n';
const tplVar = 'variable "windows_template" {\n  default = "templates/windows.ps1"\n}\n';

test('template-file-missing: count = 0 (literal or from tfvars) with a path validate can evaluate stays an error, and says count does not help', async () => {
  const cases: Array<Record<string, string>> = [
    { 'main.tf': windowsClient('count = 0') },
    { 'main.tf': countVar + windowsClient('count = var.windows_client_count'), 'terraform.tfvars': 'windows_client_count = 0\n' },
  ];
  for (const files of cases) {
    const { findings } = await load(tree(files));
    assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
    const f = findings[0]!;
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /Even with count = (0|var\.windows_client_count = 0) on resource "aws_instance" "windows" it does: plan first runs the validation walk/,
    );
  }
});

test('template-file-missing: count = 0 with a path built from a root-module variable is a warning: plan succeeds only while the count is 0', async () => {
  const cases: Array<Record<string, string>> = [
    { 'main.tf': tplVar + windowsClient('count = 0', 'var.windows_template') },
    {
      'main.tf': tplVar + countVar + windowsClient('count = var.windows_client_count', 'var.windows_template'),
      'terraform.tfvars': 'windows_client_count = 0\n',
    },
    // A conditional count resolved to 0.
    {
      'main.tf': tplVar + 'variable "windows" {\n  default = false\n}\n' + windowsClient('count = var.windows ? 1 : 0', 'var.windows_template'),
    },
    { 'main.tf': tplVar + 'variable "os" {\n  default = "linux"\n}\n' + windowsClient('count = var.os == "windows" ? 2 : 0', 'var.windows_template') },
    // An empty for_each.
    { 'main.tf': tplVar + windowsClient('for_each = {}', 'var.windows_template') },
    { 'main.tf': tplVar + windowsClient('for_each = toset([])', 'var.windows_template') },
  ];
  for (const files of cases) {
    const { ws, findings } = await load(tree(files));
    assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
    const f = findings[0]!;
    assert.equal(f.severity, 'warning', f.message);
    assert.match(
      f.message,
      /terraform plan succeeds only while (count|for_each) = .* on resource "aws_instance" "windows": a block with no instances is not evaluated/,
    );
    assert.match(f.message, /Once it has an instance, plan fails with "Invalid value for "path" parameter: no file exists at "templates\/windows.ps1"/);
    const why = f.related.find((r) => /: no instances$/.test(r.message));
    assert.ok(why, JSON.stringify(f.related));
    assert.match(ws.sourceText(why.span.file)!.text.slice(why.span.start, why.span.end), /^(0|var\.|\{\}|toset)/);
  }
});

test('template-file-missing: count = 1, an unknown count or a conditional count that resolves to 1 keeps the plain error', async () => {
  for (const files of [
    { 'main.tf': tplVar + windowsClient('count = 1', 'var.windows_template') },
    { 'main.tf': tplVar + 'variable "n" {}\n' + windowsClient('count = var.n', 'var.windows_template') },
    { 'main.tf': tplVar + windowsClient('count = length(var.names)', 'var.windows_template') },
    { 'main.tf': tplVar + 'variable "windows" {\n  default = true\n}\n' + windowsClient('count = var.windows ? 1 : 0', 'var.windows_template') },
    { 'main.tf': tplVar + windowsClient('for_each = var.hosts', 'var.windows_template') },
  ]) {
    const { findings } = await load(tree(files));
    assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
    assert.equal(findings[0]!.severity, 'error');
    assert.doesNotMatch(findings[0]!.message, /no instances|does not prevent|succeeds only while/);
  }
});

test('template-file-missing: for_each = {} from tfvars, count = length([]) and a module for_each over an empty map have no instances', async () => {
  const hosts = 'variable "hosts" {\n  default = { a = "10.0.0.1" }\n}\n';
  const names = 'variable "names" {\n  type    = list(string)\n  default = ["w1"]\n}\n';
  // A path built from a root-module variable: a warning while there are no instances.
  const empty: Array<Record<string, string>> = [
    { 'main.tf': tplVar + hosts + windowsClient('for_each = var.hosts', 'var.windows_template'), 'terraform.tfvars': 'hosts = {}\n' },
    { 'main.tf': tplVar + windowsClient('count = length([])', 'var.windows_template') },
    { 'main.tf': tplVar + names + windowsClient('count = length(var.names)', 'var.windows_template'), 'terraform.tfvars': 'names = []\n' },
    { 'main.tf': tplVar + names + windowsClient('for_each = toset(var.names)', 'var.windows_template'), 'terraform.tfvars': 'names = []\n' },
  ];
  for (const files of empty) {
    const { findings } = await load(tree(files));
    assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
    assert.equal(findings[0]!.severity, 'warning', findings[0]!.message);
    assert.match(
      findings[0]!.message,
      /terraform plan succeeds only while (count = length\(.*\) = 0|for_each = .* \(no elements\)) on resource "aws_instance" "windows"/,
    );
  }
  // The same with instances: the plain error.
  const some: Array<Record<string, string>> = [
    { 'main.tf': tplVar + hosts + windowsClient('for_each = var.hosts', 'var.windows_template') },
    { 'main.tf': tplVar + names + windowsClient('count = length(var.names)', 'var.windows_template'), 'terraform.tfvars': 'names = ["a", "b"]\n' },
  ];
  for (const files of some) {
    const { findings } = await load(tree(files));
    assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
    assert.equal(findings[0]!.severity, 'error');
    assert.doesNotMatch(findings[0]!.message, /no instances|succeeds only while/);
  }
  // A literal path under count = length([]) stays an error: the validation walk reads it anyway.
  const { findings } = await load(tree({ 'main.tf': windowsClient('count = length([])') }));
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.severity, 'error');
  assert.match(findings[0]!.message, /Even with count = length\(\[\]\) = 0 on resource "aws_instance" "windows" it does/);
  // A module whose for_each is an empty map in tfvars, with a path from a root variable.
  const mod = 'variable "tpl" {}\nresource "aws_instance" "c" {\n  user_data = file("${path.root}/${var.tpl}")\n}\n';
  const main =
    'variable "tpl" {\n  default = "templates/win.ps1"\n}\nvariable "pools" {\n  default = { a = 1 }\n}\nmodule "pool" {\n  source   = "./mod"\n  for_each = var.pools\n  tpl      = var.tpl\n}\n';
  const noPools = (await load(tree({ 'main.tf': main, 'mod/main.tf': mod, 'terraform.tfvars': 'pools = {}\n' }))).findings;
  assert.deepEqual(
    noPools.map((f) => f.severity),
    ['warning'],
  );
  assert.deepEqual(
    (await load(tree({ 'main.tf': main, 'mod/main.tf': mod }))).findings.map((f) => f.severity),
    ['error'],
  );
});

test('template-file-missing: a module called with count = 0 and a path from a root variable is a warning; another call of it with instances makes it the error', async () => {
  const mod = 'variable "tpl" {}\nresource "aws_instance" "c" {\n  user_data = file("${path.root}/${var.tpl}")\n}\n';
  const tpl = 'variable "tpl" {\n  default = "templates/win.ps1"\n}\n';
  const off = 'module "off" {\n  source = "./mod"\n  count  = 0\n  tpl    = var.tpl\n}\n';
  const on = 'module "on" {\n  source = "./mod"\n  tpl    = var.tpl\n}\n';
  const summary = (fs: Finding[]) => fs.map((f) => [f.severity, /module "(\w+)"/.exec(f.message)?.[1]]);
  assert.deepEqual(summary((await load(tree({ 'main.tf': tpl + off, 'mod/main.tf': mod }))).findings), [['warning', 'off']]);
  assert.deepEqual(summary((await load(tree({ 'main.tf': tpl + off + on, 'mod/main.tf': mod }))).findings), [['error', 'on']]);
  assert.deepEqual(summary((await load(tree({ 'main.tf': tpl + on + off, 'mod/main.tf': mod }))).findings), [['error', 'on']]);
});
