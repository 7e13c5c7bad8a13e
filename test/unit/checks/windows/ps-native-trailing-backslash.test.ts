import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFiles, applyFix, exampleFindings, ofRule } from './helpers';

const RULE = 'ps-native-trailing-backslash';
const FILE = 'scripts/client-windows.ps1';

test('ps-native-trailing-backslash: a quoted sc.exe binPath ending in a backslash, followed by start= auto (round 9B shape); the fix drops it', () => {
  const text = [
    'New-Item -ItemType Directory -Force -Path C:\\nomad\\conf | Out-Null',
    'sc.exe create "Nomad" binPath= "C:\\nomad\\nomad.exe agent -config=C:\\nomad\\conf\\ -data-dir=C:\\nomad\\data\\" start= auto',
    'sc.exe start "Nomad"',
    '',
  ].join('\n');
  const files = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'service');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(text.slice(f[0]!.span.start, f[0]!.span.end), '"C:\\nomad\\nomad.exe agent -config=C:\\nomad\\conf\\ -data-dir=C:\\nomad\\data\\"');
  assert.match(f[0]!.message, /what follows \(start= auto\) becomes part of it/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[FILE]!, /-data-dir=C:\\nomad\\data" start= auto$/m);
  assert.equal(ofRule(analyzeFiles(fixed).findings, RULE).length, 0);
});

test('ps-native-trailing-backslash: even backslashes, last arguments, unquoted or space-free values, variables at the end and cmdlets are silent', () => {
  const ok = [
    '$d = "C:\\nomad\\data\\"',
    'sc.exe create "Nomad" binPath= "C:\\nomad\\nomad.exe agent -data-dir=C:\\nomad\\data\\\\" start= auto',
    'sc.exe create "Consul" start= auto binPath= "C:\\consul\\consul.exe agent -data-dir=C:\\consul\\data\\"',
    'nssm install Nomad C:\\nomad\\nomad.exe agent -config=C:\\nomad\\conf\\',
    'nssm set Nomad AppDirectory "C:\\nomad\\" ',
    'nssm set Nomad AppParameters "agent -config=$d" ',
    'sc.exe create "Nomad2" binPath= "C:\\nomad\\nomad.exe agent -data-dir=$d" start= auto',
    'New-Service -Name Nomad -BinaryPathName "C:\\nomad\\nomad.exe agent -config=C:\\nomad\\conf\\" -StartupType Automatic',
    'sc "C:\\some file\\" -Value x',
    '',
  ].join('\n');
  assert.deepEqual(
    ofRule(analyzeFiles({ [FILE]: ok }).findings, RULE).map((f) => f.message),
    [],
  );
});

test('ps-native-trailing-backslash: examples are silent', async () => {
  for (const name of ['windows-only', 'mixed-os'] as const) assert.deepEqual(ofRule(await exampleFindings(name), RULE), [], name);
});
