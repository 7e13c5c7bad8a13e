/**
 * After a keystroke, the PowerShell analysis replays the writes before the edit from the previous analysis instead
 * of computing them again (analyzePowerShell's `previous`, WriteRecord). The result must be exactly what a fresh
 * analysis of the new text gives: checked over chains of random edits (each analysis replaying the previous one, as
 * the engine does) on the benchmark's client.ps1, the examples' scripts and synthetic scripts with parameter
 * defaults, variables assigned after their use, functions, in-place edits, placeholders, Join-Path and ConvertTo-Json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rescanPowerShell, scanPowerShell } from '../../../server/src/core/parsers/powershell';
import type { PsScanResult } from '../../../server/src/core/parsers/powershell';
import { analyzePowerShell, carryWriteRecords, reusedWriteCount } from '../../../server/src/core/scripts/powershellModel';
import type { PsScriptFacts, ScriptInvocation, TreeFileLookup } from '../../../server/src/core/scripts/scriptModel';
import { keepUnchangedDocs } from '../../../server/src/core/model/buildModel';
import { MappedText } from '../../../server/src/core/text/mappedText';
import { examplePowerShellScripts, rng, runEditChain, seeds } from '../../support/editChains';
import { Workspace } from '../../../server/src/core/engine';

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
  // One analysis in ten is given an older analysis than the one its scan was resumed from (never to be replayed).
  const stale = rng(seed ^ 0x3c3c);
  let older: State | undefined;
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
      const previous = older !== undefined && stale() < 0.1 ? older.facts : prev.scan.facts;
      older = prev.scan;
      return { scan, facts: analyze(t, scan, callers, previous) };
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
  const files = examplePowerShellScripts(600);
  const runs = files.flatMap(([name, text]) => seeds(6).map((seed) => check(name, text, seed * 7919, 12, seed % 2 ? CALLERS : [])));
  assertReplayed(runs, 1 / 3);
});

/**
 * Through the engine: a user-data script calls client.ps1 with arguments and edits in place what it wrote, and edits
 * land in client.ps1 and, now and then, in the caller's arguments (a change of the analysis key: nothing may be
 * replayed across it). Every analysis equals the one a fresh workspace gives for the same files.
 */
test('replayed writes: the engine over edits of a script and of its caller equals a fresh workspace', () => {
  const caller = (token: string) =>
    `& C:\\ops\\client.ps1 -Token "${token}" -RetryJoin "10.0.0.1"\n(Get-Content "C:\\HashiCorp\\Consul\\consul.hcl") -replace 'dc1', 'dc2' | Set-Content "C:\\HashiCorp\\Consul\\consul.hcl"\n`;
  const fixed = {
    'shared/packer/scripts/server.sh':
      '#!/bin/bash\ncat <<EOF | sudo tee /etc/nomad.d/nomad.hcl\nregion = "global"\ndatacenter = "dc1"\nserver {\n  enabled = true\n}\nEOF\n',
    // Read by client.ps1 (Get-Content): consumed by the script, so not a config of its own.
    'shared/packer/config/client.hcl': TEMPLATE,
  };
  let replayed = 0;
  let steps = 0;
  for (const seed of seeds(12)) {
    const r = rng(seed * 104729);
    const script = SYNTHETIC.replace('C:\\templates\\client.hcl.tpl', 'C:\\templates\\client.hcl');
    let files: Record<string, string> = { ...fixed, 'ops/client.ps1': script, 'scripts/user-data.ps1': caller('t0') };
    const ws = new Workspace('/t');
    for (const [f, t] of Object.entries(files)) ws.setText(f, t);
    ws.analyze();
    for (let i = 0; i < 12; i++) {
      // A new argument, alone or with an edit of client.ps1 in the same step.
      const argument = r() < 0.3;
      if (argument) files = { ...files, 'scripts/user-data.ps1': caller(`t${Math.floor(r() * 3)}`) };
      if (!argument || r() < 0.5) {
        const t = files['ops/client.ps1']!;
        const at = Math.floor(r() * (t.length + 1));
        const next =
          r() < 0.3 ? t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 4)) : t.slice(0, at) + PALETTE[Math.floor(r() * PALETTE.length)]! + t.slice(at);
        files = { ...files, 'ops/client.ps1': next };
      }
      for (const [f, t] of Object.entries(files)) ws.setText(f, t);
      const incremental = ws.analyze();
      const fresh = new Workspace('/t');
      for (const [f, t] of Object.entries(files)) fresh.setText(f, t);
      const where = `seed ${seed} step ${i}`;
      assert.deepStrictEqual(incremental, fresh.analyze(), where);
      // The engine's cache of script analyses (private): how many writes the last analysis of client.ps1 replayed.
      const cached = (ws as unknown as { scriptCache: Map<string, Array<{ key: string; value: { facts: object } }>> }).scriptCache.get('ops/client.ps1');
      const full = cached?.find((e) => e.key.startsWith('full|'));
      steps++;
      if (full && reusedWriteCount(full.value.facts) > 0) replayed++;
    }
  }
  assert.ok(replayed > steps / 5, `${replayed} of ${steps} analyses replayed a write`);
});
