import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles, applyFix, exampleFindings, EXAMPLES, lineOf, ofRule } from './helpers';

const FILE = 'shared/packer/scripts/client.ps1';
const ps = (body: string) =>
  `$ConsulConfigFile = "C:\\HashiCorp\\Consul\\config\\consul.hcl"\n$consulConfig = @"\n${body}\n"@\n[IO.File]::WriteAllText($ConsulConfigFile, $consulConfig, [Text.UTF8Encoding]::new($false))\n`;

test('hcl-escape: one finding per string, at the first bad escape, naming the others; the fix rewrites them all (round 10)', () => {
  const text = ps('datacenter = "dc1"\ndata_dir = "C:\\HashiCorp\\Consul\\data"');
  const files: Record<string, string> = { [FILE]: text };
  const { findings } = analyzeFiles(files);
  const f = ofRule(findings, 'hcl-escape');
  // The agent stops at the first illegal escape: one finding for the string, not three.
  assert.equal(f.length, 1);
  const first = f[0]!;
  assert.equal(first.span.start, text.indexOf('\\HashiCorp\\Consul\\data'));
  assert.equal(first.category, 'hcl-escape');
  assert.equal(first.severity, 'error');
  assert.equal(first.span.file, FILE);
  assert.equal(first.span.end - first.span.start, 2);
  assert.match(first.message, /illegal char escape/);
  assert.match(first.message, /PowerShell expandable here-string/);
  assert.match(first.message, /2 more single backslashes: `\\C`, `\\d`; the agent stops at the first/);
  assert.equal(first.fixes?.length, 2);
  // Each fix, applied once, repairs the whole string.
  const slashed = applyFix(files, first.fixes![0]!);
  assert.match(slashed[FILE]!, /data_dir = "C:\/HashiCorp\/Consul\/data"/);
  assert.equal(ofRule(analyzeFiles(slashed).findings, 'hcl-escape').length, 0);
  const doubled = applyFix(files, first.fixes![1]!);
  assert.match(doubled[FILE]!, /data_dir = "C:\\\\HashiCorp\\\\Consul\\\\data"/);
  assert.equal(ofRule(analyzeFiles(doubled).findings, 'hcl-escape').length, 0);
});

test('hcl-escape: a control escape before an illegal one: one error at the illegal one (where the agent stops), naming the other', () => {
  const text = ps('data_dir = "C:\\tmp\\HashiCorp"\nlog_file = "C:\\HashiCorp\\x.log"');
  const f = ofRule(analyzeFiles({ [FILE]: text }).findings, 'hcl-escape');
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  const dd = f.find((x) => /^data_dir/.test(x.message))!;
  assert.equal(dd.severity, 'error');
  assert.equal(dd.span.start, text.indexOf('\\HashiCorp"'));
  assert.match(dd.message, /1 more single backslash: `\\t`;/);
});

test('hcl-escape: doubling fix yields C:\\\\ which HCL accepts', () => {
  const text = ps('data_dir = "C:\\HashiCorp"');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'hcl-escape');
  assert.equal(f.length, 1);
  const fixed = applyFix(files, f[0]!.fixes![1]!);
  assert.match(fixed[FILE]!, /"C:\\\\HashiCorp"/);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'hcl-escape').length, 0);
});

test('hcl-escape: \\t / \\n in a Windows path is a warning (TAB/LF), one per string', () => {
  const text = ps('log_file = "C:\\tmp\\nomad.log"');
  const f = ofRule(analyzeFiles({ [FILE]: text }).findings, 'hcl-escape');
  assert.equal(f.length, 1);
  assert.ok(f.every((x) => x.severity === 'warning'));
  assert.equal(f[0]!.span.start, text.indexOf('\\tmp'));
  assert.match(f[0]!.message, /TAB/);
  assert.match(f[0]!.message, /1 more single backslash: `\\n`; each is read as a control character too/);
});

test('hcl-escape: \\n outside a path is not reported', () => {
  const text = ps('name = "line1\\nline2"');
  assert.equal(ofRule(analyzeFiles({ [FILE]: text }).findings, 'hcl-escape').length, 0);
});

test('hcl-escape: trailing backslash escapes the quote: literal not terminated', () => {
  const text = ps('log_file = "C:/logs/nomad\\"\nlog_level = "INFO"');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'hcl-escape');
  const lit = f.find((x) => /literal not terminated/.test(x.message));
  assert.ok(lit, JSON.stringify(f));
  assert.equal(lit.span.start, text.indexOf('\\"\nlog_level'));
  const fixed = applyFix(files, lit.fixes![0]!);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'hcl-escape').length, 0);
});

test('hcl-escape: an illegal escape and a trailing backslash in one string: one finding, one fix for all (round 9B t6)', () => {
  const text = ps('log_file = "C:\\consul\\logs\\"\nlog_level = "INFO"');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'hcl-escape');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.start, text.indexOf('\\consul\\logs'));
  assert.match(f[0]!.message, /2 more single backslashes: `\\l`, the trailing one \(`\\"`\), which escapes the closing quote \("literal not terminated"\);/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[FILE]!, /log_file = "C:\/consul\/logs\/"\n/);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'hcl-escape').length, 0);
});

test('hcl-escape: fixed fixture (C:/ and C:\\\\) is silent', () => {
  const text = ps('data_dir = "C:\\\\HashiCorp\\\\Consul\\\\data"\nlog_file = "C:/HashiCorp/Consul/logs/"');
  assert.equal(ofRule(analyzeFiles({ [FILE]: text }).findings, 'hcl-escape').length, 0);
});

test('hcl-escape: examples/windows-only line 42 fires, mixed-os is silent', async () => {
  const f = ofRule(await exampleFindings('windows-only'), 'hcl-escape');
  const text = fs.readFileSync(path.join(EXAMPLES, 'windows-only', FILE), 'utf8');
  assert.equal(f.length, 1);
  assert.ok(f.every((x) => x.span.file === FILE && lineOf(text, x.span.start) === 42));
  assert.equal(ofRule(await exampleFindings('mixed-os'), 'hcl-escape').length, 0);
});

test('hcl-escape: a single backslash in a JSON agent config (uploaded config.json) is reported with the JSON decoder error, and fixed', () => {
  const tf = [
    'resource "azurerm_virtual_machine" "win" {',
    '  provisioner "file" {',
    '    source      = "consul.json"',
    '    destination = "C:/Hashicorp/Consul/config.json"',
    '    connection {',
    '      type = "winrm"',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  const json = '{\n  "datacenter": "dc1",\n  "data_dir": "C:\\HashiCorp\\Consul\\data",\n  "log_file": "C:\\tmp\\consul.log"\n}\n';
  const files: Record<string, string> = { 'main.tf': tf, 'consul.json': json };
  const f = ofRule(analyzeFiles(files).findings, 'hcl-escape');
  // One per string: data_dir (\\H, \\C, \\d) and log_file (\\t, then \\c, where the decoder stops).
  const invalid = f.filter((x) => x.severity === 'error');
  assert.equal(invalid.length, 2, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f.length, 2);
  const first = invalid.find((x) => x.span.start === json.indexOf('\\HashiCorp'))!;
  assert.ok(first);
  assert.equal(first.span.file, 'consul.json');
  assert.match(first.message, /invalid character 'H' in string escape code/);
  assert.doesNotMatch(first.message, /not an HCL escape/);
  assert.match(first.message, /JSON string in Consul's config/);
  const log = f.find((x) => x.span.start === json.indexOf('\\consul.log'))!;
  assert.equal(log.severity, 'error');
  assert.match(
    log.message,
    /1 more single backslash: `\\t`; the agent stops at the first invalid escape, and a valid one is read as a control character\. The quick fixes rewrite both/,
  );
  // The hcl-syntax check leaves the escapes to this rule: one finding per backslash, not two.
  assert.equal(ofRule(analyzeFiles(files).findings, 'hcl-syntax').length, 0);
  let cur = files;
  for (let i = 0; i < 6; i++) {
    const r = ofRule(analyzeFiles(cur).findings, 'hcl-escape');
    if (r.length === 0) break;
    cur = applyFix(cur, r[0]!.fixes![0]!);
  }
  assert.equal(ofRule(analyzeFiles(cur).findings, 'hcl-escape').length, 0);
  assert.match(cur['consul.json']!, /"data_dir": "C:\/HashiCorp\/Consul\/data"/);
});
