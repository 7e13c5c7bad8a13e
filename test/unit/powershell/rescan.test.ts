/**
 * The incremental rescan of a PowerShell script after a keystroke gives exactly the scan of the whole new text:
 * checked over chains of random edits (each rescan starting from the previous rescan) on the examples' scripts, the
 * benchmark's 3,000-line client.ps1 and a script full of constructs that reach across lines (here-strings, block
 * comments, if/else, try/catch, do/while, subexpressions, line continuations, CRLF).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rescanPowerShell, scanPowerShell } from '../../../server/src/core/parsers/powershell';
import type { PsScanResult } from '../../../server/src/core/parsers/powershell';
import { assertKeptPrefix, examplePowerShellScripts, runEditChain, seeds } from '../../support/editChains';

const TRICKY = [
  'param([string] $Name = "x")',
  '$a = 1; $b = 2',
  '<# block',
  '   comment #>',
  'if ($a -eq 1) {',
  '  Write-Host "one"',
  '}',
  'else {',
  '  Write-Host "other $($a + 1)"',
  '}',
  'try { Get-Item C:\\x } catch { Write-Warning $_ } finally { $z = 3 }',
  'do { $i++ } while ($i -lt 3)',
  '$cfg = @"',
  'datacenter = "$Name"',
  'data_dir = "C:\\data"',
  '"@',
  "$raw = @'",
  'key = "value"',
  "'@",
  'Set-Content -Path C:\\x.hcl -Value $cfg `',
  '  -Encoding ascii',
  'function Install-X {',
  '  param([string] $P)',
  '  $c = $raw -replace "value", $P',
  '  [IO.File]::WriteAllText("C:\\y.hcl", $c)',
  '}',
  'Install-X -P "v"',
  '$h = @{ a = 1; b = "two" }',
  '# trailing comment',
  '& "C:\\bin\\nomad.exe" agent -config C:\\x.hcl',
].join('\n');

const PALETTE = [
  'z',
  '\n',
  '\r\n',
  '"',
  "'",
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '<#',
  '#>',
  '#',
  '@"\n',
  '\n"@',
  "@'\n",
  "\n'@",
  '`',
  '`\n',
  '$(',
  ';',
  '|',
  ' ',
  'else { }',
  '\nelse { $q = 1 }',
  '\ncatch { }',
  '\nwhile ($true)',
  'Write-Host "edit"\n',
  '$x = "y"\n',
  '<persist>true</persist>\n',
  '<powershell>',
];

function plain(s: PsScanResult): unknown {
  return JSON.parse(JSON.stringify(s));
}

/** Whether the rescan kept the earlier scan's records (the same objects: a full scan makes new ones). */
function keptPrefix(inc: PsScanResult, prev: PsScanResult): boolean {
  return inc.strings.length > 0 && inc.strings[0] === prev.strings[0];
}

/** Applies `steps` random edits to `text`, checking each rescan against a full scan; returns how many kept a prefix. */
function check(name: string, text: string, seed: number, steps: number): { resumed: number; steps: number } {
  return runEditChain<PsScanResult>({
    name,
    text,
    seed,
    steps,
    palette: PALETTE,
    full: (t) => scanPowerShell(t),
    rescan: (t, prev) => rescanPowerShell(t, undefined, prev),
    compare: (inc, full, where) => assert.deepStrictEqual(plain(inc), plain(full), where),
    keptPrefix,
  });
}

test('rescan equals a full scan over random edits of the tricky script (500 chains of 20 edits)', () => {
  assertKeptPrefix(
    seeds(500).map((seed) => check('tricky', TRICKY, seed, 20)),
    1 / 10,
  );
});

test('rescan equals a full scan on the examples and the benchmark client.ps1; most keystrokes keep a prefix', () => {
  const files = examplePowerShellScripts(3000);
  files.push(['tricky CRLF', TRICKY.replace(/\n/g, '\r\n')]);
  assertKeptPrefix(
    files.flatMap(([name, text]) => seeds(8).map((seed) => check(name, text, seed * 7919, 15))),
    1 / 3,
  );
});
