import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFiles, applyFix, exampleFindings, ofRule } from './helpers';

const RULE = 'ps-command-string';
const FILE = 'shared/packer/scripts/setup-windows.ps1';

const script = (lines: string) =>
  `$CorednsDir = "C:\\coredns"\nNew-Item -ItemType Directory -Force -Path $CorednsDir | Out-Null\n${lines}\nSet-DnsClientServerAddress -InterfaceIndex 6 -ServerAddresses 127.0.0.1\n`;

test('ps-command-string: quoted command lines as statements never run (real tree, round 4); the fix uses the call operator', () => {
  const text = script('"$CorednsDir\\WinCoreDNS.exe install"\n"$CorednsDir\\WinCoreDNS.exe start"   # start it');
  const files = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, RULE);
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'service');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(text.slice(f[0]!.span.start, f[0]!.span.end), '"$CorednsDir\\WinCoreDNS.exe install"');
  assert.match(f[0]!.message, /WinCoreDNS\.exe never runs \(its "install" never happens\)/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[FILE]!, /^& "\$CorednsDir\\WinCoreDNS\.exe" install$/m);
  assert.equal(ofRule(analyzeFiles(fixed).findings, RULE).length, 1, 'the other line is still reported');
});

test('ps-command-string: real invocations, strings used as values, and a bare path returned by a function are silent', () => {
  const ok = script(
    [
      '& "$CorednsDir\\WinCoreDNS.exe" install',
      'Start-Process -FilePath "$CorednsDir\\WinCoreDNS.exe" -ArgumentList "start" -Wait',
      '$cmd = "$CorednsDir\\WinCoreDNS.exe install"',
      'Write-Host "$CorednsDir\\WinCoreDNS.exe install"',
      'sc.exe create nomad binPath= "C:\\HashiCorp\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config"',
      'function NomadExe { "C:\\HashiCorp\\nomad.exe" }',
      '$args = @(',
      '  "C:\\HashiCorp\\nomad.exe agent"',
      ')',
      '$x = "a" +',
      '  "C:\\HashiCorp\\nomad.exe agent"',
    ].join('\n'),
  );
  assert.deepEqual(
    ofRule(analyzeFiles({ [FILE]: ok }).findings, RULE).map((f) => f.message),
    [],
  );
});

test('ps-command-string: examples are silent', async () => {
  for (const name of ['windows-only', 'mixed-os'] as const) assert.deepEqual(ofRule(await exampleFindings(name), RULE), [], name);
});
