import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanPowerShell } from '../../../server/src/core/parsers/powershell';
import type { PsCommand } from '../../../server/src/core/parsers/powershell/types';
import { at, show } from './helpers';

function cmd(src: string, name?: string): PsCommand {
  const r = scanPowerShell(src);
  const c = name ? r.commands.find((x) => x.name === name) : r.commands[0];
  assert.ok(c, `command ${name ?? '#0'} not found`);
  return c;
}
function params(src: string, c: PsCommand): string[] {
  return c.parameters.map((p) => `${p.name}=${show(src, p.value)}`);
}
function args(src: string, c: PsCommand): string[] {
  return c.arguments.map((a) => show(src, a));
}

test('sc.exe create with binPath= / start= / depend=', () => {
  const src = 'sc.exe create "Nomad" binPath= "C:\\HashiCorp\\Nomad\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config" start= auto depend= Consul';
  const c = cmd(src);
  assert.equal(c.name, 'sc.exe');
  assert.deepEqual([c.start, c.end, c.nameStart, c.nameEnd], [0, src.length, 0, 6]);
  assert.deepEqual(args(src, c), [
    'word(create)',
    'str(Nomad)',
    'word(binPath=)',
    'str(C:\\HashiCorp\\Nomad\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config)',
    'word(start=)',
    'word(auto)',
    'word(depend=)',
    'word(Consul)',
  ]);
  assert.deepEqual(c.parameters, []);
  assert.equal(c.arguments[3]!.start, at(src, '"C:'));
});

test('nssm install and set', () => {
  const src = 'nssm install Nomad C:\\HashiCorp\\Nomad\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config\nnssm set Nomad AppDirectory C:\\HashiCorp\\Nomad';
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.commands.map((c) => [c.name, args(src, c)]),
    [
      ['nssm', ['word(install)', 'word(Nomad)', 'word(C:\\HashiCorp\\Nomad\\nomad.exe)', 'word(agent)', 'word(-config=C:\\HashiCorp\\Nomad\\config)']],
      ['nssm', ['word(set)', 'word(Nomad)', 'word(AppDirectory)', 'word(C:\\HashiCorp\\Nomad)']],
    ],
  );
});

test('call operator with a quoted path', () => {
  const src = '& "C:\\path\\nomad.exe" agent -config "C:\\HashiCorp\\Nomad\\config" -dc dc1';
  const c = cmd(src);
  assert.equal(c.name, 'C:\\path\\nomad.exe');
  assert.deepEqual([c.nameStart, c.nameEnd], [2, at(src, ' agent')]);
  assert.equal((c as PsCommand & { invocationOperator?: string }).invocationOperator, '&');
  assert.deepEqual(args(src, c), ['word(agent)']);
  assert.deepEqual(params(src, c), ['config=str(C:\\HashiCorp\\Nomad\\config)', 'dc=word(dc1)']);
});

test('Start-Process with an argument list', () => {
  const src = 'Start-Process -FilePath "C:\\HashiCorp\\Nomad\\nomad.exe" -ArgumentList "agent", "-config=C:\\HashiCorp\\Nomad\\config" -NoNewWindow -Wait';
  const c = cmd(src);
  assert.deepEqual(params(src, c), [
    'FilePath=str(C:\\HashiCorp\\Nomad\\nomad.exe)',
    'ArgumentList=other("agent", "-config=C:\\HashiCorp\\Nomad\\config")',
    'NoNewWindow=-',
    'Wait=-',
  ]);
});

test('choco install with --version and -y', () => {
  const src = 'choco install nomad --version 1.10.5 -y';
  const c = cmd(src);
  assert.equal(c.name, 'choco');
  assert.deepEqual(args(src, c), ['word(install)', 'word(nomad)', 'word(--version)', 'word(1.10.5)']);
  assert.deepEqual(params(src, c), ['y=-']);
});

test('Invoke-WebRequest with an expanding URL', () => {
  const src =
    'Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/${NomadVersion}/nomad_${NomadVersion}_windows_amd64.zip" -OutFile $zip -UseBasicParsing';
  const r = scanPowerShell(src);
  const c = r.commands[0]!;
  assert.deepEqual(params(src, c), [
    'Uri=str(https://releases.hashicorp.com/nomad/${NomadVersion}/nomad_${NomadVersion}_windows_amd64.zip)',
    'OutFile=$zip',
    'UseBasicParsing=-',
  ]);
  assert.deepEqual(
    r.strings[0]!.expansions.map((e) => e.name),
    ['NomadVersion', 'NomadVersion'],
  );
});

test('New-Service, Start-Service, Stop-Service, Remove-Item, Restart-Computer', () => {
  const src = [
    'New-Service -Name Nomad -BinaryPathName "C:\\HashiCorp\\Nomad\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config" -StartupType Automatic -DependsOn Consul',
    'Start-Service -Name Nomad',
    'Stop-Service Nomad -Force',
    'Remove-Item -Path C:\\HashiCorp\\Nomad\\data\\* -Recurse -Force -ErrorAction SilentlyContinue',
    'Restart-Computer -Force',
  ].join('\r\n');
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.commands.map((c) => [c.name, ...params(src, c), ...args(src, c)]),
    [
      [
        'New-Service',
        'Name=word(Nomad)',
        'BinaryPathName=str(C:\\HashiCorp\\Nomad\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config)',
        'StartupType=word(Automatic)',
        'DependsOn=word(Consul)',
      ],
      ['Start-Service', 'Name=word(Nomad)'],
      ['Stop-Service', 'Force=-', 'word(Nomad)'],
      ['Remove-Item', 'Path=word(C:\\HashiCorp\\Nomad\\data\\*)', 'Recurse=-', 'Force=-', 'ErrorAction=word(SilentlyContinue)'],
      ['Restart-Computer', 'Force=-'],
    ],
  );
});

test('-Name:value parameters and line continuations', () => {
  const src = 'Set-Service -Name:Nomad `\n  -StartupType:Automatic `\r\n  -Status Running';
  const c = cmd(src);
  assert.deepEqual(params(src, c), ['Name=word(Nomad)', 'StartupType=word(Automatic)', 'Status=word(Running)']);
  assert.equal(c.end, src.length);
});

test('pipeline input: string, variable, replace chain, read; not for other commands', () => {
  const src = ['"x" | A', '$v | B', "$c -replace 'a','b' | C", 'Get-Content $f | D', 'Get-ChildItem | E'].join('\n');
  const r = scanPowerShell(src);
  const input = (n: string) => show(src, r.commands.find((c) => c.name === n)!.pipelineInput);
  assert.equal(input('A'), 'str(x)');
  assert.equal(input('B'), '$v');
  assert.equal(input('C'), 'replace($c -replace str(a),str(b))');
  assert.equal(input('D'), 'read($f)');
  assert.equal(input('E'), '-');
});

test('replace chains', () => {
  const src = [
    "$a = (Get-Content $tpl -Raw) -replace 'A', $b -creplace \"C\", 'd'",
    "$b = $content -replace 'NODE_CLASS', $NodeClass -ireplace 'X', \"Y\"",
    "$c = [IO.File]::ReadAllText($tpl) -creplace '{{dc}}', $env:DC",
    "$d = $x -replace 'a', 'b' + 'c'",
  ].join('\n');
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.assignments.map((a) => show(src, a.value)),
    [
      'replace(read($tpl) -replace str(A),$b -creplace str(C),str(d))',
      'replace($content -replace str(NODE_CLASS),$NodeClass -ireplace str(X),str(Y))',
      'replace(read($tpl) -creplace str({{dc}}),$env:DC)',
      "other($x -replace 'a', 'b' + 'c')",
    ],
  );
  const v = r.assignments[0]!.value!;
  assert.equal(v.kind, 'replace');
  if (v.kind === 'replace') {
    assert.deepEqual([v.start, v.end], [at(src, '(Get'), at(src, "'d'") + 3]);
    assert.deepEqual(
      v.ops.map((o) => [o.operator, o.start, o.end]),
      [
        ['-replace', at(src, '-replace'), at(src, '$b') + 2],
        ['-creplace', at(src, '-creplace'), at(src, "'d'") + 3],
      ],
    );
  }
});

test('assignments: plain, typed, env, scoped, from commands, param defaults', () => {
  const src = [
    'param(',
    '  [Parameter(Mandatory = $false)]',
    '  [string]$NomadVersion = "1.10.5",',
    "  [string] $Region = 'global',",
    '  [switch]$Force,',
    '  $Servers = @("a", "b")',
    ')',
    '$env:NOMAD_ADDR = "http://127.0.0.1:4646"',
    '[string]$dc = "dc1"',
    '$script:cfg = Get-Content C:\\cfg.hcl -Raw',
    '$global:n += 1',
    '$x = if ($a) { "y" } else { "z" }',
  ].join('\n');
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.assignments.map((a) => [a.name, show(src, a.value), a.isParameterDefault]),
    [
      ['NomadVersion', 'str(1.10.5)', true],
      ['Region', 'str(global)', true],
      ['Servers', 'other(@("a", "b"))', true],
      ['env:NOMAD_ADDR', 'str(http://127.0.0.1:4646)', false],
      ['dc', 'str(dc1)', false],
      ['script:cfg', 'read(word(C:\\cfg.hcl))', false],
      ['global:n', 'other(1)', false],
      ['x', 'other(if ($a) { "y" } else { "z" })', false],
    ],
  );
  const nv = r.assignments[0]!;
  assert.deepEqual([nv.nameStart, nv.nameEnd], [at(src, '$NomadVersion'), at(src, '$NomadVersion') + 13]);
  const dc = r.assignments[4]!;
  assert.equal(dc.start, at(src, '[string]$dc'));
});

test('function bodies with their own param block', () => {
  const src = 'function Install-Nomad {\n  param([string]$Version = "1.11.1")\n  choco install nomad --version $Version -y\n}';
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.assignments.map((a) => [a.name, a.isParameterDefault]),
    [['Version', true]],
  );
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['choco'],
  );
});

test('commands nested in parens, subexpressions, script blocks, if/foreach/try', () => {
  const src = [
    'if (Test-Path $p) { Remove-Item $p }',
    'elseif ($(Get-Service Nomad).Status -eq "Running") { Stop-Service Nomad }',
    'else { foreach ($s in Get-Service) { try { Write-Host $s } catch { Write-Warning "x" } finally { Clear-Host } } }',
    'Get-ChildItem | ForEach-Object { Remove-Item $_.FullName } | % { Out-Host }',
    '$n = (Get-Item (Join-Path $root "nomad.exe")).VersionInfo',
    'while ($true) { Start-Sleep 1; break }',
    'switch ($x) { "a" { Invoke-A } default { Invoke-B } }',
    '$sb = { Invoke-C }',
    '@( Invoke-D ) ; @{ k = (Invoke-E) }',
  ].join('\n');
  const names = scanPowerShell(src).commands.map((c) => c.name);
  for (const n of [
    'Test-Path',
    'Remove-Item',
    'Get-Service',
    'Stop-Service',
    'Write-Host',
    'Write-Warning',
    'Clear-Host',
    'Get-ChildItem',
    'ForEach-Object',
    '%',
    'Out-Host',
    'Get-Item',
    'Join-Path',
    'Start-Sleep',
    'Invoke-A',
    'Invoke-B',
    'Invoke-C',
    'Invoke-D',
    'Invoke-E',
  ]) {
    assert.ok(names.includes(n), `missing ${n} in ${names.join(',')}`);
  }
  assert.equal(names.filter((n) => n === 'Remove-Item').length, 2);
  assert.equal(names.filter((n) => n === 'Get-Service').length, 2);
});

test('static method calls and type literals', () => {
  const src = '$t = [System.IO.File]::ReadAllText("C:\\t.hcl")\n[Environment]::SetEnvironmentVariable("NOMAD_ADDR", $a, [EnvironmentVariableTarget]::Machine)';
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.methodCalls.map((m) => [m.typeName, m.method, m.args.map((a) => show(src, a))]),
    [
      ['System.IO.File', 'ReadAllText', ['str(C:\\t.hcl)']],
      ['Environment', 'SetEnvironmentVariable', ['str(NOMAD_ADDR)', '$a', 'other([EnvironmentVariableTarget]::Machine)']],
    ],
  );
  assert.equal(show(src, r.assignments[0]!.value), 'read(str(C:\\t.hcl))');
});

test('EC2 user-data wrapper', () => {
  const src = '<powershell>\r\nStart-Service Nomad\r\n</powershell>\r\n<persist>true</persist>\r\n';
  const r = scanPowerShell(src);
  assert.deepEqual(r.userDataWrapper, { start: 12, end: at(src, '</powershell>') });
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['Start-Service'],
  );
  assert.equal(scanPowerShell('Start-Service Nomad').userDataWrapper, undefined);
});

test('persist tag inside the wrapper is skipped', () => {
  const src = '<powershell>\n<persist>true</persist>\nStop-Service Nomad\n</powershell>';
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['Stop-Service'],
  );
});
