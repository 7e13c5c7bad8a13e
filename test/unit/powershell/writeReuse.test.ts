/**
 * After a keystroke, the PowerShell analysis replays the writes before the edit from the previous analysis instead
 * of computing them again (analyzePowerShell's `previous`, WriteRecord). The result must be exactly what a fresh
 * analysis of the new text gives: checked over chains of random edits (each analysis replaying the previous one, as
 * the engine does) on the benchmark's client.ps1, the examples' scripts and synthetic scripts with parameter
 * defaults, variables assigned after their use, functions, in-place edits, placeholders, Join-Path and ConvertTo-Json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rescanPowerShell, scanPowerShell } from '../../../server/src/core/parsers/powershell';
import type { PsScanResult } from '../../../server/src/core/parsers/powershell';
import { analyzePowerShell, carryWriteRecords, reusedWriteCount } from '../../../server/src/core/scripts/powershellModel';
import type { PsScriptFacts, ScriptInvocation, TreeFileLookup } from '../../../server/src/core/scripts/scriptModel';
import { keepUnchangedDocs } from '../../../server/src/core/model/buildModel';
import { MappedText } from '../../../server/src/core/text/mappedText';
import { bigClientPs1 } from '../../../bench/generate';
import { examplePath } from '../../support/paths';
import { runEditChain, seeds } from '../../support/editChains';

const FILE = 'shared/packer/scripts/client.ps1';

/** Parameter defaults, a variable used before it is assigned, functions with defaults, an in-place edit, reads. */
const SYNTHETIC = [
  'param(',
  '  [string] $Region = "global",',
  '  [string] $Token,',
  '  [string] $NodeClass',
  ')',
  '$Dir = "C:\\HashiCorp\\Nomad"',
  '$cfgPath = Join-Path $Dir "config\\nomad.hcl"',
  '"acl { tokens { agent = `"$Token`" } }`nretry_join = [`"$RetryJoin`"]" | Set-Content C:\\HashiCorp\\Nomad\\acl.hcl',
  "$tpl = @'",
  'region = "REGION"',
  'datacenter = "DC"',
  'client { node_class = "NODE_CLASS" }',
  "'@",
  "$out = $tpl -creplace 'REGION', $Region -replace 'NODE_CLASS', $NodeClass",
  '$out | Out-File -FilePath $cfgPath',
  'function Write-Agent {',
  '  param([string] $Name, [string] $Port)',
  '  $p = Join-Path $Dir "$Name.hcl"',
  '  $c = @"',
  'datacenter = "$Region"',
  'name = "$Name"',
  'ports { http = $Port }',
  'acl { enabled = true }',
  '"@',
  '  $c | Set-Content -Path $p',
  '}',
  'Write-Agent -Name "a1"',
  'Write-Agent -Name "a2" -Port 5000',
  '$again = $tpl -creplace \'REGION\', "r2"',
  '[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\again.hcl", $again)',
  '$json = (ConvertTo-Json -Compress "$Dir\\data")',
  '$c2 = @"',
  'data_dir = $json',
  'bind_addr = "0.0.0.0"',
  'datacenter = "dc1"',
  '"@',
  'Set-Content -Path "C:\\HashiCorp\\Consul\\consul.hcl" -Value $c2',
  '$late = @"',
  'datacenter = "$LateDc"',
  'server { enabled = true }',
  '"@',
  '$late | Set-Content C:\\HashiCorp\\Nomad\\late.hcl',
  '$LateDc = "dc-late"',
  'Write-Agent -Name "a3"',
  '(Get-Content "C:\\HashiCorp\\Consul\\consul.hcl") -replace \'0.0.0.0\', \'10.0.0.1\' | Set-Content "C:\\HashiCorp\\Consul\\consul.hcl"',
  '$tpl2 = Get-Content "C:\\templates\\client.hcl.tpl"',
  "$tpl2 -replace 'TOKEN', $Token | Set-Content C:\\HashiCorp\\Nomad\\client.hcl",
  'function Set-Defaults {',
  '  param([string] $Dc = "dc9")',
  '  "datacenter = `"$Dc`"`nserver { enabled = true }" | Set-Content C:\\HashiCorp\\Nomad\\defaults.hcl',
  '}',
  'Set-Defaults',
  '$server = @"',
  'server { enabled = true }',
  'datacenter = "$Region"',
  '"@',
  '[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\server.hcl", $server)',
].join('\n');

/**
 * Writes whose values reach forward (a variable assigned after its use, a function defined after its call, a parameter
 * the script may declare later) and a replace shared by several writes.
 */
const SHARED = [
  "$base = @'",
  'datacenter = "DC"',
  'region = "RG"',
  "'@",
  "$cfg = $base -creplace 'DC', \"dc1\" -creplace 'RG', $Rg",
  '$cfg | Set-Content C:\\nomad\\one.hcl',
  '"datacenter = `"$Undeclared`"`nserver { enabled = true }" | Set-Content C:\\nomad\\undeclared.hcl',
  'Install-Late -V "x"',
  '$cfg | Set-Content C:\\nomad\\two.hcl',
  '$Rg = "r1"',
  '$cfg | Set-Content C:\\nomad\\three.hcl',
  'function Install-Late { param($V) "datacenter = `"$V`"`nregion = `"$Rg`"" | Set-Content C:\\nomad\\late.hcl }',
  '$cfg | Set-Content C:\\nomad\\four.hcl',
].join('\n');

const PALETTE = [
  'z',
  '\n',
  '"',
  "'",
  '{',
  '}',
  '(',
  ')',
  '#',
  '@"\n',
  '\n"@',
  '`',
  ';',
  '|',
  ' ',
  '$',
  'DC',
  'REGION',
  '\n$Region = "eu"\n',
  '\n$Rg = "r2"\n',
  '\n$Dir = "D:\\x"\n',
  '\n$LateDc = "dc2"\n',
  '\n$NodeClass = "win"\n',
  '\nparam([string] $Token = "t0")\n',
  '\nfunction Write-Agent { param([string] $Name = "d") "datacenter = `"$Name`"`nacl { enabled = true }" | Set-Content C:\\x\\$Name.hcl }\n',
  '\nfunction Install-Late { param($V) "datacenter = `"$V`"`nserver { enabled = true }" | Set-Content C:\\nomad\\late2.hcl }\n',
  '\nWrite-Agent -Name "b1"\n',
  '\nInstall-Late -V "y"\n',
  '\n$cfg | Set-Content C:\\nomad\\five.hcl\n',
  '\n$out | Out-File -FilePath $cfgPath\n',
  "\n(Get-Content $cfgPath) -replace 'dc1', 'dc2' | Set-Content $cfgPath\n",
  '\n$tpl = @\'\nregion = "REGION"\nserver { enabled = true }\n\'@\n',
  " -replace 'dc', 'DC'",
  '\nWrite-Host "edit"\n',
  '\nparam($Undeclared, $Rg)\n',
  '\nfunction Set-Tok { param([string] $Token = "t1", [string] $NodeClass = "c1") }\n',
];

const TEMPLATE = 'datacenter = "dc1"\nacl { tokens { agent = "TOKEN" } }\n';

const lookup: TreeFileLookup = {
  findByScriptPath: (p) =>
    /client\.hcl\.tpl$/i.test(p) ? { file: 'templates/client.hcl.tpl', text: MappedText.identity('templates/client.hcl.tpl', TEMPLATE) } : undefined,
};

/** A caller passing -Token and -RetryJoin (declared parameters passed, others not: both branches of `variable`). */
const CALLERS: readonly ScriptInvocation[] = [
  {
    callerFile: 'user-data.ps1',
    scriptBaseName: 'client.ps1',
    scriptPathText: 'C:\\ops\\client.ps1',
    named: new Map([
      ['token', { value: { kind: 'known', text: 'tok', chain: [] }, span: { file: 'user-data.ps1', start: 0, end: 5 }, callerFile: 'user-data.ps1' }],
      ['retryjoin', { value: { kind: 'known', text: '10.0.0.9', chain: [] }, span: { file: 'user-data.ps1', start: 6, end: 9 }, callerFile: 'user-data.ps1' }],
    ]),
    positional: [],
    span: { file: 'user-data.ps1', start: 0, end: 20 },
  },
];

interface State {
  readonly scan: PsScanResult;
  readonly facts: PsScriptFacts;
}

function analyze(text: string, scan: PsScanResult, callers: readonly ScriptInvocation[], previous?: PsScriptFacts): PsScriptFacts {
  const facts = analyzePowerShell(FILE, MappedText.identity(FILE, text), scan, false, callers, lookup, 'full', previous);
  // As the engine does: documents equal to the previous ones are the previous objects, and the records follow them.
  const kept = keepUnchangedDocs(facts, previous) as PsScriptFacts;
  carryWriteRecords(facts, kept);
  return kept;
}

/** What the model reads of an analysis (the resolver closures aside). */
function observable(f: PsScriptFacts): unknown {
  return { configDocs: f.configDocs, invocations: f.invocations, placeholderMatches: f.placeholderMatches };
}

function check(
  name: string,
  text: string,
  seed: number,
  steps: number,
  callers: readonly ScriptInvocation[],
): { resumed: number; steps: number; writes: number } {
  let writes = 0;
  const run = runEditChain<State>({
    name,
    text,
    seed,
    steps,
    palette: PALETTE,
    full: (t) => {
      const scan = scanPowerShell(t);
      return { scan, facts: analyze(t, scan, callers) };
    },
    rescan: (t, prev) => {
      const scan = rescanPowerShell(t, undefined, { text: prev.text, scan: prev.scan.scan });
      return { scan, facts: analyze(t, scan, callers, prev.scan.facts) };
    },
    compare: (inc, full, where) => {
      writes += reusedWriteCount(inc.facts);
      assert.deepStrictEqual(observable(inc.facts), observable(full.facts), where);
    },
    keptPrefix: (inc) => reusedWriteCount(inc.facts) > 0,
  });
  return { ...run, writes };
}

function assertReplayed(runs: ReadonlyArray<{ resumed: number; steps: number; writes: number }>, minShare: number): void {
  const resumed = runs.reduce((n, r) => n + r.resumed, 0);
  const steps = runs.reduce((n, r) => n + r.steps, 0);
  const writes = runs.reduce((n, r) => n + r.writes, 0);
  if (process.env.HSR_REUSE_STATS) console.log(`replayed: ${resumed} of ${steps} analyses, ${writes} writes`);
  if (!(resumed > steps * minShare)) throw new Error(`only ${resumed} of ${steps} analyses replayed a write (need more than ${minShare * 100} %)`);
  assert.ok(writes > resumed, `${writes} writes replayed`);
}

test('replayed writes: the synthetic scripts over random edits equal a fresh analysis (with and without callers)', () => {
  const runs = [
    ...seeds(150).map((seed) => check('synthetic', SYNTHETIC, seed, 20, seed % 2 ? CALLERS : [])),
    ...seeds(150).map((seed) => check('shared', SHARED, seed * 31, 20, seed % 2 ? CALLERS : [])),
  ];
  assertReplayed(runs, 1 / 5);
});

test('replayed writes: the examples and the benchmark client.ps1 over random edits equal a fresh analysis', () => {
  const files: Array<[string, string]> = [];
  for (const ex of ['windows-only', 'mixed-os']) {
    const dir = path.join(examplePath(ex), 'shared/packer/scripts');
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.ps1')) files.push([`${ex}/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')]);
  }
  const base = fs.readFileSync(path.join(examplePath('windows-only'), 'shared/packer/scripts/client.ps1'), 'utf8');
  files.push(['bench client.ps1', bigClientPs1(base, 600, 1)]);
  const runs = files.flatMap(([name, text]) => seeds(6).map((seed) => check(name, text, seed * 7919, 12, seed % 2 ? CALLERS : [])));
  assertReplayed(runs, 1 / 3);
});
