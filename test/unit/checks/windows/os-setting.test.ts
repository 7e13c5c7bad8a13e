import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFiles, applyFix, exampleFindings, ofRule } from './helpers';

const FILE = 'shared/packer/scripts/client.ps1';
const ps = (body: string) =>
  `$NomadConfigFile = "C:\\HashiCorp\\Nomad\\config\\client.hcl"\n$cfg = @'\n${body}\nclient {\n  enabled = true\n}\n'@\n[IO.File]::WriteAllText($NomadConfigFile, $cfg, [Text.UTF8Encoding]::new($false))\n`;

test('os-setting: enable_syslog = true on Windows (error, key range, fix)', () => {
  const text = ps('data_dir = "C:/HashiCorp/Nomad/data"\nenable_syslog = true');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'os-setting');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'os-setting');
  assert.equal(f[0]!.span.start, text.indexOf('enable_syslog'));
  assert.equal(f[0]!.span.end, text.indexOf('enable_syslog') + 'enable_syslog'.length);
  assert.match(f[0]!.message, /Syslog setup failed: Platform does not support syslog/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[FILE]!, /enable_syslog = false/);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'os-setting').length, 0);
});

test('os-setting: Linux data_dir on a Windows Nomad client', () => {
  const text = ps('data_dir = "/opt/nomad/data"');
  const f = ofRule(analyzeFiles({ [FILE]: text }).findings, 'os-setting');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.start, text.indexOf('"/opt/nomad/data"'));
  assert.match(f[0]!.message, /data-dir must be given as an absolute path/);
});

test('os-setting: log_file directory without trailing slash is info; fix adds /', () => {
  const text = ps('data_dir = "C:/HashiCorp/Nomad/data"\nlog_file = "C:/HashiCorp/Nomad/logs"');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'os-setting');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'info');
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[FILE]!, /"C:\/HashiCorp\/Nomad\/logs\/"/);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'os-setting').length, 0);
});

test('os-setting: fixed fixture is silent', () => {
  const text = ps('data_dir = "C:/HashiCorp/Nomad/data"\nlog_file = "C:/HashiCorp/Nomad/logs/nomad.log"\nenable_syslog = false');
  assert.equal(ofRule(analyzeFiles({ [FILE]: text }).findings, 'os-setting').length, 0);
});

test('os-setting: examples', async () => {
  const f = ofRule(await exampleFindings('windows-only'), 'os-setting');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /enable_syslog/);
  assert.equal(ofRule(await exampleFindings('mixed-os'), 'os-setting').length, 0);
});
