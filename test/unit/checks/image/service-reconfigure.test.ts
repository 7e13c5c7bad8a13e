import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, only, spanOf } from './helpers';
import { serviceDefs } from '../../../../server/src/core/checks/image/services';
import type { ServiceDef } from '../../../../server/src/core/checks/image/services';

// Windows services whose arguments are set or replaced after they are created (`nssm set … AppParameters`,
// `sc.exe config … binPath=`): the flags are those of the final command line, at the characters that write them.

const FILE = 'shared/packer/scripts/setup.ps1';

function defs(text: string): ServiceDef[] {
  const { ws } = analyze({ [FILE]: text });
  return serviceDefs(ws.model!).filter((d) => d.os === 'windows');
}

const flagsOf = (d: ServiceDef) => d.flags.map((f) => `${f.name}=${f.resolved ?? '?'}`);

test('nssm install without arguments, then nssm set AppParameters: the flags of AppParameters, at their characters', () => {
  const text = `& nssm install Nomad "C:\\opt\\nomad\\nomad.exe"
& nssm set Nomad AppDirectory "C:\\opt\\nomad"
& nssm set Nomad AppParameters "agent -config=C:\\opt\\nomad\\config -data-dir=C:\\opt\\nomad\\data"
`;
  const [d, ...rest] = defs(text);
  assert.equal(rest.length, 0);
  assert.equal(d!.product, 'nomad');
  assert.equal(d!.flagsUnknown, undefined);
  assert.deepEqual(flagsOf(d!), ['config=C:\\opt\\nomad\\config', 'data-dir=C:\\opt\\nomad\\data']);
  const f = d!.flags[0]!;
  assert.deepEqual({ file: f.span.file, start: f.span.start, end: f.span.end }, { file: FILE, ...spanOf(text, '-config=C:\\opt\\nomad\\config') });
  assert.match(d!.via, /nssm set AppParameters/);
});

test('nssm set AppParameters replaces the arguments nssm install gave (the last one wins)', () => {
  const text = `nssm install nomad C:\\nomad\\nomad.exe agent -config=C:\\old
nssm set NOMAD AppParameters agent -config=C:\\new1
nssm set nomad AppParameters "agent -config=C:\\new2"
`;
  const [d] = defs(text);
  assert.deepEqual(flagsOf(d!), ['config=C:\\new2']);
  assert.equal(d!.flags[0]!.span.start, text.indexOf('-config=C:\\new2'));
});

test('sc.exe create, then sc.exe config binPath= replaces the whole command line', () => {
  const text = `sc.exe create consul binPath= "C:\\consul\\consul.exe agent -config-dir=C:\\old" start= auto
sc.exe config consul binPath= "C:\\consul\\consul.exe agent -config-dir=C:\\consul\\config -datacenter=dc2"
`;
  const [d] = defs(text);
  assert.equal(d!.product, 'consul');
  assert.deepEqual(flagsOf(d!), ['config-dir=C:\\consul\\config', 'datacenter=dc2']);
  assert.equal(d!.flags[0]!.span.start, text.indexOf('-config-dir=C:\\consul\\config'));
  assert.match(d!.via, /sc\.exe create \+ sc\.exe config binPath=/);
});

test('New-Service, then sc.exe config binPath= with a variable that resolves', () => {
  const text = `$ConfigDir = "C:\\HashiCorp\\Nomad\\config"
New-Service -Name nomad -BinaryPathName "C:\\nomad.exe agent -config=C:\\old" -StartupType Automatic
sc.exe config nomad binPath= "C:\\nomad.exe agent -config=$ConfigDir"
`;
  const [d] = defs(text);
  assert.deepEqual(flagsOf(d!), ['config=C:\\HashiCorp\\Nomad\\config']);
});

test('a later value that is not known makes the flags unknown, not the stale ones', () => {
  const text = `nssm install nomad C:\\nomad\\nomad.exe agent -config=C:\\old
nssm set nomad AppParameters $NomadArgs
`;
  const [d] = defs(text);
  assert.deepEqual(d!.flags, []);
  assert.match(d!.flagsUnknown ?? '', /NomadArgs/);
});

test('a reconfiguration inside a branch the creation is not in, or inside a function, makes the flags unknown', () => {
  const branch = defs(`nssm install nomad C:\\nomad\\nomad.exe agent -config=C:\\old
if ($Upgrade) {
  nssm set nomad AppParameters "agent -config=C:\\new"
}
`);
  assert.deepEqual(branch[0]!.flags, []);
  assert.match(branch[0]!.flagsUnknown ?? '', /branch/);
  const fn = defs(`function Set-Args {
  sc.exe config nomad binPath= "C:\\nomad.exe agent -config=C:\\new"
}
sc.exe create nomad binPath= "C:\\nomad.exe agent -config=C:\\old"
`);
  assert.match(fn[0]!.flagsUnknown ?? '', /function/);
  // Creation and reconfiguration in one block (MikaelHashiCorp setup.ps1: both inside `try { … }`) are followed.
  const same = defs(`try {
  & nssm install Nomad "C:\\opt\\nomad\\nomad.exe"
  & nssm set Nomad AppParameters "agent -config=C:\\opt\\nomad\\config"
} catch { exit 1 }
`);
  assert.equal(same[0]!.flagsUnknown, undefined);
  assert.deepEqual(flagsOf(same[0]!), ['config=C:\\opt\\nomad\\config']);
});

test('two services with different names keep their own arguments; names compare case-insensitively', () => {
  const text = `nssm install Consul C:\\consul\\consul.exe
nssm install Nomad C:\\nomad\\nomad.exe agent -config=C:\\nomad\\stale
nssm set consul AppParameters "agent -config-dir=C:\\consul\\config"
nssm set NOMAD AppParameters "agent -config=C:\\nomad\\config"
`;
  const ds = defs(text);
  const consul = ds.find((d) => d.product === 'consul')!;
  const nomad = ds.find((d) => d.product === 'nomad')!;
  assert.deepEqual(flagsOf(consul), ['config-dir=C:\\consul\\config']);
  assert.deepEqual(flagsOf(nomad), ['config=C:\\nomad\\config']);
});

test('nssm reset AppParameters clears the arguments; Set-Service -BinaryPathName makes them unknown', () => {
  const reset = defs(`nssm install nomad C:\\nomad\\nomad.exe agent -config=C:\\old
nssm reset nomad AppParameters
`);
  assert.deepEqual(reset[0]!.flags, []);
  assert.equal(reset[0]!.flagsUnknown, undefined);
  const setService = defs(`New-Service -Name nomad -BinaryPathName "C:\\nomad.exe agent -config=C:\\old"
Set-Service -Name nomad -BinaryPathName $bin
`);
  assert.match(setService[0]!.flagsUnknown ?? '', /Set-Service/);
});

// End to end: service-config-path-mismatch compares the service's -config with where the script writes the config.
const e2e = (later: string) => `$ConfigDir = "C:\\HashiCorp\\Nomad\\config"
New-Item -ItemType Directory -Force -Path $ConfigDir | Out-Null
$cfg = @'
data_dir = "C:/HashiCorp/Nomad/data"
client {
  enabled = true
}
'@
[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\config\\client.hcl", $cfg, [Text.UTF8Encoding]::new($false))
nssm install nomad C:\\HashiCorp\\bin\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\conf.d
${later}
`;

test('service-config-path-mismatch: fires on the stale creation arguments, silent once nssm set AppParameters points at the written directory', () => {
  const stale = analyze({ [FILE]: e2e('') });
  const f = only(stale.findings, 'service-config-path-mismatch');
  assert.equal(f.length, 1, JSON.stringify(f));
  const fixedText = e2e('nssm set nomad AppParameters "agent -config=C:\\HashiCorp\\Nomad\\config"');
  const fixed = analyze({ [FILE]: fixedText });
  assert.deepEqual(only(fixed.findings, 'service-config-path-mismatch'), []);
  // And the other way: the reconfiguration points elsewhere; the finding is on the flag nssm set writes.
  const wrongText = e2e('nssm set nomad AppParameters "agent -config=C:\\HashiCorp\\Nomad\\other"');
  const wrong = only(analyze({ [FILE]: wrongText }).findings, 'service-config-path-mismatch');
  assert.equal(wrong.length, 1, JSON.stringify(wrong));
  assert.deepEqual({ start: wrong[0]!.span.start, end: wrong[0]!.span.end }, spanOf(wrongText, '-config=C:\\HashiCorp\\Nomad\\other'));
  // A later value that is not known: no verdict.
  const unknown = analyze({ [FILE]: e2e('nssm set nomad AppParameters $NomadArgs') });
  assert.deepEqual(only(unknown.findings, 'service-config-path-mismatch'), []);
});

test('a reconfiguration in another script (image build vs user-data) is not placed against the creation: unknown', () => {
  const { ws } = analyze({
    [FILE]: `& nssm install Nomad "C:\\opt\\nomad\\nomad.exe"
& nssm set Nomad AppParameters "agent -config=C:\\opt\\nomad\\config"
`,
    'terraform/templates/user-data-server.ps1': `nssm set Nomad AppParameters "agent -config=C:\\etc\\nomad.d"
`,
  });
  const [d, ...rest] = serviceDefs(ws.model!).filter((x) => x.os === 'windows');
  assert.equal(rest.length, 0);
  assert.deepEqual(d!.flags, []);
  assert.match(d!.flagsUnknown ?? '', /another script/);
});

test('nssm arguments are one command line: `-config C:\\x` (a parameter to PowerShell) and a quoted path with a space', () => {
  const text = `nssm install nomad C:\\nomad\\nomad.exe
nssm set nomad AppParameters agent -config "C:\\Program Files\\Nomad\\config" -data-dir C:\\nomad\\data
`;
  const [d] = defs(text);
  assert.deepEqual(flagsOf(d!), ['config=C:\\Program Files\\Nomad\\config', 'data-dir=C:\\nomad\\data']);
  const f = d!.flags[0]!;
  assert.deepEqual({ start: f.span.start, end: f.span.end }, spanOf(text, '-config "C:\\Program Files\\Nomad\\config"'));
  assert.equal(d!.flags[1]!.span.start, text.indexOf('-data-dir C:\\nomad\\data'));
  assert.equal(d!.flags[1]!.span.end, text.indexOf('-data-dir C:\\nomad\\data') + '-data-dir C:\\nomad\\data'.length);
});

test('a reconfiguration inside an undecided %{ if } of a user-data template is a branch: unknown; both in one arm: followed', () => {
  const tf = `resource "aws_instance" "w" {
  ami       = "x"
  user_data = templatefile("\${path.module}/ud.ps1", { upgrade = var.upgrade })
}
variable "upgrade" { type = bool }
`;
  const run = (ps: string) => serviceDefs(analyze({ 'main.tf': tf, 'ud.ps1': ps }).ws.model!).filter((d) => d.os === 'windows');
  const branch = run(`<powershell>
nssm install nomad C:\\nomad\\nomad.exe agent -config=C:\\old
%{ if upgrade }
nssm set nomad AppParameters "agent -config=C:\\new"
%{ endif }
</powershell>`);
  assert.match(branch[0]!.flagsUnknown ?? '', /branch/);
  const arm = run(`<powershell>
%{ if upgrade }
nssm install nomad C:\\nomad\\nomad.exe agent -config=C:\\old
nssm set nomad AppParameters "agent -config=C:\\new"
%{ endif }
</powershell>`);
  assert.deepEqual(flagsOf(arm[0]!), ['config=C:\\new']);
});

test('nssm and sc.exe run by their full path, or through a variable holding it, are read like the bare names', () => {
  const text = `$nssm = "C:\\tools\\nssm\\win64\\nssm.exe"
& "C:\\tools\\nssm\\win64\\nssm.exe" install nomad C:\\nomad\\nomad.exe agent -config=C:\\old
& $nssm set nomad AppParameters "agent -config=C:\\nomad\\config"
C:\\Windows\\System32\\sc.exe create consul binPath= "C:\\consul\\consul.exe agent -config-dir=C:\\consul\\config"
`;
  const ds = defs(text);
  const nomad = ds.find((d) => d.product === 'nomad');
  const consul = ds.find((d) => d.product === 'consul');
  assert.ok(nomad && consul, JSON.stringify(ds.map((d) => d.name)));
  assert.deepEqual(flagsOf(nomad), ['config=C:\\nomad\\config']);
  assert.equal(nomad.flags[0]!.span.start, text.indexOf('-config=C:\\nomad\\config'));
  assert.deepEqual(flagsOf(consul), ['config-dir=C:\\consul\\config']);
  // A variable that does not resolve names no known program: nothing is read from it.
  const unknown = defs(`& $tool install nomad C:\\nomad\\nomad.exe agent -config=C:\\x\n`);
  assert.equal(unknown.length, 0);
});
