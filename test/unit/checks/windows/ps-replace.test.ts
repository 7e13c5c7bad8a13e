import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFiles, applyFix, exampleFindings, ofRule } from './helpers';

const FILE = 'shared/packer/scripts/client.ps1';
const ps = (op: string) =>
  `param([string] $NodeClass = "windows")\n$NomadConfigFile = "C:\\HashiCorp\\Nomad\\config\\client.hcl"\n$tpl = @'\ndata_dir = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled    = true\n  node_class = "NODE_CLASS"\n}\n'@\n$cfg = $tpl \`\n    ${op} 'NODE_CLASS', $NodeClass\n[IO.File]::WriteAllText($NomadConfigFile, $cfg, [Text.UTF8Encoding]::new($false))\n`;

test('ps-replace: case-insensitive -replace also renames the key node_class', () => {
  const text = ps('-replace');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'ps-replace');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'ps-replace');
  assert.equal(f[0]!.span.start, text.indexOf("-replace 'NODE_CLASS'"));
  assert.equal(f[0]!.span.end - f[0]!.span.start, '-replace'.length);
  assert.equal(f[0]!.related[0]!.span.start, text.indexOf('node_class ='));
  assert.match(f[0]!.message, /node_class/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[FILE]!, /-creplace 'NODE_CLASS'/);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'ps-replace').length, 0);
});

test('ps-replace: -creplace is silent', () => {
  assert.equal(ofRule(analyzeFiles({ [FILE]: ps('-creplace') }).findings, 'ps-replace').length, 0);
});

test('ps-replace: examples', async () => {
  const f = ofRule(await exampleFindings('windows-only'), 'ps-replace');
  assert.equal(f.length, 1);
  assert.equal(ofRule(await exampleFindings('mixed-os'), 'ps-replace').length, 0);
});
