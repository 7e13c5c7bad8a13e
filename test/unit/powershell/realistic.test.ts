import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePsString, scanPowerShell } from '../../../server/src/core/parsers/powershell';
import { MappedText } from '../../../server/src/core/text/mappedText';
import { show } from './helpers';

// A messy Windows client provisioning script: functions, try/catch, here-strings
// piped to Out-File, -replace chains, sc.exe, an indented here-string
// terminator, an unbalanced brace and a stray quote.
const CLIENT_PS1 = [
  '<#',
  '  client.ps1 - Windows Nomad client',
  '#>',
  '[CmdletBinding()]',
  'param(',
  '  [Parameter(Mandatory = $false)][string]$NomadVersion = "1.10.5",',
  "  [string]$ConsulVersion = '1.20.1',",
  '  [string]$Datacenter = "dc1"',
  ')',
  '$ErrorActionPreference = "Stop"',
  '$NomadDir = "C:\\HashiCorp\\Nomad"',
  '',
  'function Write-Log($msg) {',
  '  Write-Host "[$(Get-Date -Format o)] $msg"',
  '}',
  '',
  'function Install-Nomad {',
  '  try {',
  '    $url = "https://releases.hashicorp.com/nomad/${NomadVersion}/nomad_${NomadVersion}_windows_amd64.zip"',
  '    Invoke-WebRequest -Uri $url -OutFile "$env:TEMP\\nomad.zip" -UseBasicParsing',
  '    Expand-Archive -Path "$env:TEMP\\nomad.zip" -DestinationPath $NomadDir -Force',
  '  } catch {',
  '    Write-Log "download failed: $($_.Exception.Message)"',
  '    exit 1',
  '  }',
  '}',
  '',
  'function Write-Config {',
  '  New-Item -ItemType Directory -Path "$NomadDir\\config" -Force | Out-Null',
  '  $hcl = @"',
  'datacenter = "$Datacenter"',
  'data_dir   = "C:\\HashiCorp\\Nomad\\data"',
  'client {',
  '  enabled = true',
  '  servers = ["provider=aws tag_key=nomad"]',
  '}',
  '"@',
  '  $hcl | Out-File -FilePath "$NomadDir\\config\\client.hcl" -Encoding UTF8',
  '  $tpl = Get-Content "$NomadDir\\config\\consul.tpl" -Raw',
  "  $tpl -replace 'NODE_CLASS', $NodeClass `",
  '       -creplace "RETRY_JOIN", $env:RETRY_JOIN | Set-Content -Path "$NomadDir\\config\\consul.hcl"',
  '  if ($Tls) {',
  "    $tls = @'",
  'tls {',
  '  http = true',
  '}',
  "    '@",
  '    Add-Content -Path "$NomadDir\\config\\client.hcl" -Value $tls',
  '  # missing closing brace of the if block',
  '}',
  '',
  'Install-Nomad',
  'Write-Config',
  'Write-Host "stray quote here',
  'sc.exe create "Nomad" binPath= "$NomadDir\\nomad.exe agent -config=$NomadDir\\config" start= auto depend= Consul',
  '[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\config\\acl.hcl", "acl { enabled = true }", [Text.UTF8Encoding]::new($false))',
  'Start-Service Nomad',
  'Stop-Service Nomad',
  'Remove-Item -Path "$NomadDir\\data\\*" -Recurse -Force -ErrorAction SilentlyContinue',
  '',
].join('\r\n');

test('messy client.ps1: everything expected is still extracted', () => {
  const r = scanPowerShell(CLIENT_PS1);
  const src = CLIENT_PS1;

  // Param defaults and assignments.
  const asg = r.assignments.map((a) => `${a.name}${a.isParameterDefault ? '(param)' : ''}=${show(src, a.value)}`);
  for (const want of [
    'NomadVersion(param)=str(1.10.5)',
    'ConsulVersion(param)=str(1.20.1)',
    'Datacenter(param)=str(dc1)',
    'ErrorActionPreference=str(Stop)',
    'NomadDir=str(C:\\HashiCorp\\Nomad)',
    'url=str(https://releases.hashicorp.com/nomad/${NomadVersion}/nomad_${NomadVersion}_windows_amd64.zip)',
    'tpl=read(str($NomadDir\\config\\consul.tpl))',
  ]) {
    assert.ok(asg.includes(want), `missing assignment ${want} in\n${asg.join('\n')}`);
  }
  assert.ok(asg.some((a) => a.startsWith('hcl=str(datacenter')));
  assert.ok(asg.some((a) => a.startsWith('tls=str(tls {')));

  // Commands, wherever nested.
  const names = r.commands.map((c) => c.name);
  for (const n of [
    'Write-Host',
    'Get-Date',
    'Invoke-WebRequest',
    'Expand-Archive',
    'Write-Log',
    'exit',
    'New-Item',
    'Out-Null',
    'Out-File',
    'Get-Content',
    'Set-Content',
    'Add-Content',
    'Install-Nomad',
    'Write-Config',
    'sc.exe',
    'Start-Service',
    'Stop-Service',
    'Remove-Item',
  ]) {
    if (n === 'exit') continue; // a keyword, not a command
    assert.ok(names.includes(n), `missing command ${n} in ${names.join(',')}`);
  }
  const sc = r.commands.find((c) => c.name === 'sc.exe')!;
  assert.deepEqual(
    sc.arguments.map((a) => show(src, a)),
    [
      'word(create)',
      'str(Nomad)',
      'word(binPath=)',
      'str($NomadDir\\nomad.exe agent -config=$NomadDir\\config)',
      'word(start=)',
      'word(auto)',
      'word(depend=)',
      'word(Consul)',
    ],
  );
  const rm = r.commands.find((c) => c.name === 'Remove-Item')!;
  assert.deepEqual(
    rm.parameters.map((p) => p.name),
    ['Path', 'Recurse', 'Force', 'ErrorAction'],
  );

  // File writes.
  const writes = r.fileWrites.map((w) => `${w.via} ${show(src, w.path)} <- ${show(src, w.content)} enc=${w.encoding?.text ?? '-'}${w.append ? ' +' : ''}`);
  assert.deepEqual(writes, [
    'Out-File str($NomadDir\\config\\client.hcl) <- $hcl enc=UTF8',
    'Set-Content str($NomadDir\\config\\consul.hcl) <- replace($tpl -replace str(NODE_CLASS),$NodeClass -creplace str(RETRY_JOIN),$env:RETRY_JOIN) enc=-',
    'Add-Content str($NomadDir\\config\\client.hcl) <- $tls enc=- +',
    'WriteAllText str(C:\\HashiCorp\\Nomad\\config\\acl.hcl) <- str(acl { enabled = true }) enc=[Text.UTF8Encoding]::new($false)',
  ]);
  const setContent = r.fileWrites[1]!.content!;
  assert.equal(setContent.kind, 'replace');
  if (setContent.kind === 'replace')
    assert.deepEqual(
      setContent.ops.map((o) => o.operator),
      ['-replace', '-creplace'],
    );

  // Strings: the indented verbatim terminator is reported, the stray quote too.
  const tls = r.strings.find((s) => src.slice(s.contentStart, s.contentEnd).startsWith('tls {'))!;
  assert.equal(tls.hereString, true);
  assert.equal(tls.quote, 'verbatim');
  assert.match(tls.problems[0]!.message, /here-string terminator must start its line/);
  assert.equal(src.slice(tls.contentStart, tls.contentEnd), 'tls {\r\n  http = true\r\n}');
  const stray = r.strings.find((s) => src.slice(s.start, s.end).startsWith('"stray'))!;
  assert.match(stray.problems[0]!.message, /unterminated/);

  // The HCL here-string decodes with its expansion substituted.
  const hcl = r.strings.find((s) => src.slice(s.contentStart, s.contentEnd).startsWith('datacenter'))!;
  const doc = decodePsString(MappedText.identity('client.ps1', src), hcl, (e) => (e.name === 'Datacenter' ? { text: 'dc1' } : undefined));
  assert.ok(doc.text.startsWith('datacenter = "dc1"\r\ndata_dir   = "C:\\HashiCorp\\Nomad\\data"'));
  const dd = doc.text.indexOf('data_dir');
  assert.equal(doc.hostOffset(dd).offset, src.indexOf('data_dir'));

  // Comments.
  assert.ok(r.comments.some((c) => c.text.startsWith('<#')));
  assert.ok(r.comments.some((c) => c.text === '# missing closing brace of the if block'));
});

test('user-data template: templated scan of a wrapped script', () => {
  const src = [
    '<powershell>',
    '$NomadVersion = "${nomad_version}"',
    "$gossip = '${gossip_key}'",
    '%{ if enable_acl ~}',
    '$acl = @"',
    'acl { enabled = true }',
    '"@',
    '$acl | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\acl.hcl -Encoding ascii',
    '%{ endif ~}',
    '(Get-Content C:\\HashiCorp\\Nomad\\config\\client.hcl.tpl -Raw) -replace \'DATACENTER\', "${datacenter}" | Set-Content C:\\HashiCorp\\Nomad\\config\\client.hcl',
    'Write-Host "literal $${NomadVersion}"',
    '</powershell>',
    '<persist>true</persist>',
  ].join('\n');
  const r = scanPowerShell(src, { templated: true });
  assert.ok(r.userDataWrapper);
  assert.deepEqual(r.assignments.map((a) => [a.name, show(src, a.value)]).slice(0, 2), [
    ['NomadVersion', 'str(${nomad_version})'],
    ['gossip', 'str(${gossip_key})'],
  ]);
  assert.deepEqual(
    r.strings[0]!.expansions.map((e) => e.name),
    ['nomad_version'],
  );
  assert.deepEqual(
    r.strings[1]!.expansions.map((e) => e.name),
    ['gossip_key'],
  );
  assert.deepEqual(
    r.fileWrites.map((w) => w.via),
    ['Out-File', 'Set-Content'],
  );
  const lit = r.strings.find((s) => src.slice(s.start, s.end).startsWith('"literal'))!;
  assert.equal(lit.expansions.length, 0);
  assert.equal(decodePsString(MappedText.identity('ud.ps1', src), lit).text, 'literal ${NomadVersion}');
});
