import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFiles, applyFix, exampleFindings, ofRule } from './helpers';

const FILE = 'shared/packer/scripts/client.ps1';
const ps = (write: string) =>
  `$NomadConfigFile = "C:\\HashiCorp\\Nomad\\config\\client.hcl"\n$cfg = @'\ndata_dir = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled = true\n}\n'@\n${write}\n`;

test('encoding: Out-File without -Encoding writes UTF-16 (error, fix rewrites with WriteAllText)', () => {
  const w = '$cfg | Out-File -FilePath $NomadConfigFile';
  const text = ps(w);
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'encoding');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'encoding');
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.start, text.indexOf(w));
  assert.equal(f[0]!.span.end, text.indexOf(w) + w.length);
  assert.match(f[0]!.message, /illegal UTF-8 encoding/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[FILE]!, /\[IO\.File\]::WriteAllText\(\$NomadConfigFile, \$cfg, \[Text\.UTF8Encoding\]::new\(\$false\)\)/);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'encoding').length, 0);
});

test('encoding: -Encoding UTF8 writes a BOM on 5.1', () => {
  const text = ps('$cfg | Set-Content -Path $NomadConfigFile -Encoding UTF8');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'encoding');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /At 1:1: illegal char/);
  const ascii = f[0]!.fixes!.find((x) => /ascii/.test(x.title))!;
  const fixed = applyFix(files, ascii);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'encoding').length, 0);
});

test('encoding: WriteAllText with [Text.Encoding]::UTF8 emits a BOM', () => {
  const text = ps('[IO.File]::WriteAllText($NomadConfigFile, $cfg, [Text.Encoding]::UTF8)');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'encoding');
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.match(f[0]!.message, /byte-order mark/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'encoding').length, 0);
});

test('encoding: safe writes are silent', () => {
  for (const w of [
    '$cfg | Set-Content -Path $NomadConfigFile -Encoding ascii',
    '[IO.File]::WriteAllText($NomadConfigFile, $cfg, [Text.UTF8Encoding]::new($false))',
    '$e = [Text.UTF8Encoding]::new($false)\n[IO.File]::WriteAllText($NomadConfigFile, $cfg, $e)',
  ]) {
    assert.equal(ofRule(analyzeFiles({ [FILE]: ps(w) }).findings, 'encoding').length, 0, w);
  }
});

test('encoding: non-ASCII in a BOM-less .ps1 string', () => {
  const text = ps('[IO.File]::WriteAllText($NomadConfigFile, $cfg, [Text.UTF8Encoding]::new($false))\nWrite-Host "Déployé"');
  const f = ofRule(analyzeFiles({ [FILE]: text }).findings, 'encoding');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.span.start, text.indexOf('é'));
  assert.equal(f[0]!.severity, 'warning');
});

test('encoding: examples', async () => {
  const f = ofRule(await exampleFindings('windows-only'), 'encoding');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /Out-File/);
  assert.equal(ofRule(await exampleFindings('mixed-os'), 'encoding').length, 0);
});

test('encoding: `> file` is Out-File with its default encoding (UTF-16 LE on PowerShell 5.1; real tree, round 7)', () => {
  const ps = '$x = @"\ndatacenter = "dc1"\ndata_dir = "C:/nomad/data"\nclient {\n  enabled = true\n}\n"@ > C:\\nomad\\config\\client.hcl\n';
  const f = ofRule(analyzeFiles({ 'scripts/client.ps1': ps }).findings, 'encoding');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /redirection operator/);
  assert.match(f[0]!.message, /UTF-16 LE/);
});
