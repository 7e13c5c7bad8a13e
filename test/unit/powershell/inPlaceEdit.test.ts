import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, linuxClient, LIN, only, serverConfig, SRV, WIN, type Files } from '../checks/drift/helpers';
import type { AnalysisResult, EffectiveSetting } from '../../../server/src/core/api';
import type { Workspace } from '../../../server/src/core/engine';
import { scanPowerShell } from '../../../server/src/core/parsers/powershell';

// A Windows script that writes an agent config with placeholders and then edits the file in place
// (`(Get-Content X) -replace … | Set-Content X`, or a `Replace-Token` helper function): the agent reads the
// edited file, not the placeholders.

const SIDE = 'region     = "global"\ndatacenter = "dc1"';

/** Server config file and Linux client both in region "global", datacenter "dc1"; `windows` is the Windows script. */
function files(windows: string, extra: Files = {}): Files {
  return { [SRV]: serverConfig(SIDE), [LIN]: linuxClient({ nomadTop: SIDE }), [WIN]: windows, ...extra };
}

const CONFIG = `$nomadConfig = @"
region     = "_NOMAD_REGION"
datacenter = "_NOMAD_DATACENTER"
data_dir   = "C:/HashiCorp/Nomad/data"
bind_addr  = "0.0.0.0"
client {
  enabled = true
}
"@
`;

const DRIFT = ['datacenter-mismatch', 'region-mismatch', 'hcl-syntax', 'duplicate-config-key', 'template-placeholder-left'];

function assertClean(r: AnalysisResult): void {
  for (const id of DRIFT)
    assert.deepEqual(
      only(r, id).map((f) => f.message),
      [],
      id,
    );
}

function windowsSetting(r: AnalysisResult, path: string, product: 'nomad' | 'consul' = 'nomad'): EffectiveSetting {
  const role = r.roles.find((x) => x.kind === 'windows-client' && x.product === product);
  assert.ok(role, `a Windows ${product} client role: ${r.roles.map((x) => x.id).join(', ')}`);
  const s = role.settings.find((x) => x.path === path);
  assert.ok(s, `${path} in ${role.id}`);
  return s;
}

/** The chain has a step on the characters of `needle` (the n-th occurrence) in `file`. */
function assertChainAt(s: EffectiveSetting, f: Files, file: string, needle: string, nth = 0): void {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = f[file]!.indexOf(needle, at + 1);
  assert.ok(at >= 0, `fixture has ${needle}`);
  assert.ok(
    s.chain.some((c) => c.span.file === file && c.span.start === at),
    `chain of ${s.path} has a step at ${needle}: ${JSON.stringify(s.chain.map((c) => [c.span.file, f[c.span.file]?.slice(c.span.start, c.span.end), c.note]))}`,
  );
}

function windowsDocs(ws: Workspace, product?: 'nomad' | 'consul') {
  return ws.model!.configs.filter((c) => c.doc.hostFile === WIN && (!product || c.product === product));
}

test('in-place edit: Set-Content of a here-string, then (Get-Content X) -replace … | Set-Content X (path in another case and with /)', () => {
  const edit =
    '(Get-Content "c:/HashiCorp/Nomad/config/NOMAD.hcl") -replace "_NOMAD_REGION", "global" -replace "_NOMAD_DATACENTER", "dc1" | Set-Content "c:/HashiCorp/Nomad/config/NOMAD.hcl"\n';
  const win = `${CONFIG}$nomadConfig | Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\nomad.hcl"\n${edit}`;
  const f = files(win);
  const { ws, r } = analyze(f);
  assertClean(r);
  const dc = windowsSetting(r, 'datacenter');
  assert.equal(dc.value, 'dc1');
  assertChainAt(dc, f, WIN, '-replace "_NOMAD_DATACENTER"');
  assert.equal(windowsSetting(r, 'region').value, 'global');
  // The placeholder version is not a second config of the role: one document, the edited one.
  const docs = windowsDocs(ws);
  assert.equal(docs.length, 1, docs.map((d) => d.doc.id).join(', '));
  assert.match(docs[0]!.doc.via, /edited in place/);
  // Its positions still map to the here-string: `datacenter` is the key written in the here-string.
  assert.equal(f[WIN]!.slice(dc.span.start, dc.span.start + 'datacenter'.length), 'datacenter');
  assert.ok(dc.span.start < f[WIN]!.indexOf('"@'), 'the key maps into the here-string');
  // The replacements are recorded as placeholder matches on the here-string's characters.
  const facts = ws.model!.scripts.find((s) => s.file === WIN)!;
  const m = facts.placeholderMatches.find((x) => x.pattern === '_NOMAD_DATACENTER');
  assert.ok(m, 'placeholder match recorded');
  assert.equal(f[WIN]!.slice(m.matchSpan.start, m.matchSpan.end), '_NOMAD_DATACENTER');
  assert.ok(m.matchSpan.start < f[WIN]!.indexOf('"@'));

  // Without the edit the placeholders stay: the drift is real.
  const { r: broken } = analyze(files(`${CONFIG}$nomadConfig | Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\nomad.hcl"\n`));
  assert.equal(only(broken, 'datacenter-mismatch').length, 1);
  assert.equal(only(broken, 'region-mismatch').length, 1);
});

test('in-place edit: Out-File to $NomadFile, then (Get-Content -Path $NomadFile -Raw).Replace(…) | Set-Content -Path $NomadFile', () => {
  const head = `$NomadFile = "C:\\HashiCorp\\Nomad\\config\\nomad.hcl"\n$Dc = "dc1"\n${CONFIG}$nomadConfig | Out-File -FilePath $NomadFile -Encoding ascii\n`;
  const edit = `(Get-Content -Path $NomadFile -Raw).Replace('_NOMAD_DATACENTER', $Dc).Replace('_NOMAD_REGION', 'global') | Set-Content -Path $NomadFile\n`;
  const f = files(head + edit);
  const { ws, r } = analyze(f);
  assertClean(r);
  const dc = windowsSetting(r, 'datacenter');
  assert.equal(dc.value, 'dc1');
  assertChainAt(dc, f, WIN, ".Replace('_NOMAD_DATACENTER'");
  assertChainAt(dc, f, WIN, '$Dc = "dc1"');
  assert.equal(windowsSetting(r, 'region').value, 'global');
  assert.equal(windowsDocs(ws).length, 1);
  // The UTF-16 Out-File write is rewritten by Set-Content: only the last write's encoding matters.
  assert.deepEqual(
    only(r, 'encoding').filter((x) => x.span.start === f[WIN]!.indexOf('$nomadConfig | Out-File')),
    [],
  );

  const { r: broken } = analyze(files(head));
  assert.equal(only(broken, 'datacenter-mismatch').length, 1);
  assert.equal(only(broken, 'region-mismatch').length, 1);
});

test('in-place edit: [IO.File]::WriteAllText, then [IO.File]::ReadAllText(X) -creplace … written back with WriteAllText; a bare placeholder is no hcl-syntax', () => {
  const config = `$nomadConfig = @"
region     = "global"
datacenter = _NOMAD_DATACENTER
data_dir   = "C:/HashiCorp/Nomad/data"
client {
  enabled = true
}
"@
`;
  const head = `$path = 'C:\\HashiCorp\\Nomad\\config\\client.hcl'\n${config}[IO.File]::WriteAllText($path, $nomadConfig)\n`;
  const edit = `$edited = [IO.File]::ReadAllText($path) -creplace '_NOMAD_DATACENTER', '"dc1"'\n[IO.File]::WriteAllText($path, $edited)\n`;
  const f = files(head + edit);
  const { ws, r } = analyze(f);
  assertClean(r);
  const dc = windowsSetting(r, 'datacenter');
  assert.equal(dc.value, 'dc1');
  assertChainAt(dc, f, WIN, "-creplace '_NOMAD_DATACENTER'");
  assert.equal(windowsDocs(ws).length, 1);

  const { r: broken } = analyze(files(head));
  assert.equal(only(broken, 'hcl-syntax').length, 1, 'the bare placeholder is reported when nothing replaces it');
});

test('in-place edit: Copy-Item of a tree template, then -replace on the copy; the template is not a config of its own', () => {
  const TPL = 'shared/config/nomad-windows.hcl.tmpl';
  const template = 'region     = "_NOMAD_REGION"\ndatacenter = "_NOMAD_DATACENTER"\ndata_dir   = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled = true\n}\n';
  const head = 'Copy-Item -Path C:\\ops\\shared\\config\\nomad-windows.hcl.tmpl -Destination C:\\HashiCorp\\Nomad\\config\\nomad.hcl\n';
  const edit =
    '(Get-Content C:\\HashiCorp\\Nomad\\config\\nomad.hcl) -replace "_NOMAD_REGION", "global" -replace "_NOMAD_DATACENTER", "dc1" | Set-Content C:\\HashiCorp\\Nomad\\config\\nomad.hcl\n';
  const f = files(head + edit, { [TPL]: template });
  const { ws, r } = analyze(f);
  assertClean(r);
  const dc = windowsSetting(r, 'datacenter');
  assert.equal(dc.value, 'dc1');
  assertChainAt(dc, f, WIN, '-replace "_NOMAD_DATACENTER"');
  // The setting's key is the template's characters, and the document says which template it came from.
  assert.equal(dc.span.file, TPL);
  const docs = windowsDocs(ws);
  assert.equal(docs.length, 1);
  assert.equal(docs[0]!.doc.templateFile, TPL);

  const { r: broken } = analyze(files(head, { [TPL]: template }));
  assert.equal(only(broken, 'datacenter-mismatch').length, 1);

  // Copied into the directory: the copy keeps the template's name, and the edit of that name continues it.
  const toDir = 'Copy-Item -Path C:\\ops\\shared\\config\\nomad-windows.hcl.tmpl -Destination C:\\HashiCorp\\Nomad\\config\\ -Force\n';
  const editCopy = edit.replace(/nomad\.hcl/g, 'nomad-windows.hcl.tmpl');
  const { ws: ws2, r: r2 } = analyze(files(toDir + editCopy, { [TPL]: template }));
  assertClean(r2);
  assert.equal(windowsSetting(r2, 'datacenter').value, 'dc1');
  assert.equal(windowsDocs(ws2).length, 1);
});

const HELPER = `function Replace-Token {
    param([string]$Path, [string]$Token, [string]$Value)
    (Get-Content $Path) -replace $Token, $Value | Set-Content $Path -Encoding UTF8
}
`;

test('helper function: Replace-Token called with positional and with named arguments edits the file written before', () => {
  const head = `${HELPER}$NOMAD_CONFIG_PATH = "C:\\HashiCorp\\Nomad\\config"\n$NOMAD_REGION = "global"\n${CONFIG}$nomadConfig | Set-Content -Path "$NOMAD_CONFIG_PATH\\nomad.hcl"\n`;
  const calls =
    'Replace-Token "$NOMAD_CONFIG_PATH\\nomad.hcl" "_NOMAD_REGION" $NOMAD_REGION\nReplace-Token -Path "$NOMAD_CONFIG_PATH\\nomad.hcl" -Token "_NOMAD_DATACENTER" -Value "dc1"\n';
  const f = files(head + calls);
  const { ws, r } = analyze(f);
  assertClean(r);
  const dc = windowsSetting(r, 'datacenter');
  assert.equal(dc.value, 'dc1');
  // The chain goes through the -replace in the function and the argument of the call.
  assertChainAt(dc, f, WIN, '-replace $Token, $Value');
  assertChainAt(dc, f, WIN, '"dc1"');
  const region = windowsSetting(r, 'region');
  assert.equal(region.value, 'global');
  assertChainAt(region, f, WIN, '$NOMAD_REGION = "global"');
  const docs = windowsDocs(ws);
  assert.equal(docs.length, 1, docs.map((d) => d.doc.id).join(', '));
  assert.match(docs[0]!.doc.id, /@\d+$/, 'the id names the call');
  assert.match(docs[0]!.doc.via, /Replace-Token/);
  // Both replacements are recorded, on the here-string's placeholders.
  const facts = ws.model!.scripts.find((s) => s.file === WIN)!;
  assert.deepEqual([...new Set(facts.placeholderMatches.map((m) => m.pattern))].sort(), ['_NOMAD_DATACENTER', '_NOMAD_REGION']);

  const { r: broken } = analyze(files(head));
  assert.equal(only(broken, 'datacenter-mismatch').length, 1);
  assert.equal(only(broken, 'region-mismatch').length, 1);
});

test('helper function: one function writing two files with different values gives two documents', () => {
  const win = `function Write-AgentConfig {
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [string] $Datacenter = "dc1"
    )
    $config = @"
datacenter = "$Datacenter"
data_dir   = "C:/HashiCorp/data"
client {
  enabled = true
}
"@
    $config | Set-Content -Path $Path -Encoding ascii
}
Write-AgentConfig -Path "C:\\HashiCorp\\Nomad\\config\\nomad.hcl" -Datacenter "dc1"
Write-AgentConfig "C:\\HashiCorp\\Nomad\\config\\extra.hcl" "dc2"
`;
  const f = files(win);
  const { ws } = analyze(f);
  const docs = windowsDocs(ws).map((c) => ({ target: c.doc.targetPath, id: c.doc.id, dc: /datacenter = "([^"]*)"/.exec(c.doc.text.text)?.[1] }));
  assert.equal(docs.length, 2, JSON.stringify(docs));
  assert.deepEqual(
    docs.map((d) => [d.target, d.dc]),
    [
      ['C:\\HashiCorp\\Nomad\\config\\nomad.hcl', 'dc1'],
      ['C:\\HashiCorp\\Nomad\\config\\extra.hcl', 'dc2'],
    ],
  );
  assert.notEqual(docs[0]!.id, docs[1]!.id);
  // Stable ids: the same text gives the same ids.
  assert.deepEqual(
    windowsDocs(analyze(f).ws).map((c) => c.doc.id),
    docs.map((d) => d.id),
  );
});

test('helper function: Replace-Token on two files written before, with different values for each', () => {
  const consul = `$consulConfig = @"
datacenter = "_DC_"
data_dir   = "C:/HashiCorp/Consul/data"
retry_join = ["10.0.0.1"]
"@
$consulConfig | Set-Content -Path "C:\\HashiCorp\\Consul\\config\\consul.hcl"
`;
  const head = `${HELPER}${CONFIG}$nomadConfig | Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\nomad.hcl"\n${consul}`;
  const calls = [
    'Replace-Token "C:\\HashiCorp\\Nomad\\config\\nomad.hcl" "_NOMAD_DATACENTER" "dc1"',
    'Replace-Token "C:\\HashiCorp\\Nomad\\config\\nomad.hcl" "_NOMAD_REGION" "global"',
    'Replace-Token -Value "east" -Path "C:\\HashiCorp\\Consul\\config\\consul.hcl" -Token "_DC_"',
    '',
  ].join('\n');
  const f = files(head + calls);
  const { ws, r } = analyze(f);
  assertClean(r);
  assert.equal(windowsSetting(r, 'datacenter').value, 'dc1');
  assert.equal(windowsSetting(r, 'datacenter', 'consul').value, 'east');
  const nomad = windowsDocs(ws, 'nomad');
  const consulDocs = windowsDocs(ws, 'consul');
  assert.equal(nomad.length, 1);
  assert.equal(consulDocs.length, 1);
  assert.notEqual(nomad[0]!.doc.id, consulDocs[0]!.doc.id);
  assert.match(consulDocs[0]!.doc.text.text, /datacenter = "east"/);
});

test('helper function: a recursive function and deep call chains stay bounded', () => {
  const win = `function Loop {
    param([string]$Path)
    (Get-Content $Path) -replace "_X_", "y" | Set-Content $Path
    Loop $Path
}
function A { param($P) B $P }
function B { param($P) C $P }
function C { param($P) D $P }
function D { param($P) E $P }
function E { param($P) Loop $P }
${CONFIG}$nomadConfig | Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\nomad.hcl"
Loop "C:\\HashiCorp\\Nomad\\config\\nomad.hcl"
A "C:\\HashiCorp\\Nomad\\config\\nomad.hcl"
`;
  const { ws } = analyze(files(win));
  assert.ok(windowsDocs(ws).length >= 1);
});

test('scanner: function definitions with their parameters; String.Replace on a read is a replace chain', () => {
  const t = `function Replace-Token { param([string]$Path, [string]$Token = "x")\n  Set-Content $Path "a"\n}\nfunction F($a, $b) { }\n$v = (Get-Content -Path $f -Raw).Replace('_DC_', $Dc)\n$w = $x.Substring(1)\n`;
  const scan = scanPowerShell(t);
  assert.deepEqual(
    scan.functions?.map((f) => [f.name, f.params.map((p) => p.name), f.params.map((p) => p.defaultValue?.kind)]),
    [
      ['Replace-Token', ['Path', 'Token'], [undefined, 'string']],
      ['F', ['a', 'b'], [undefined, undefined]],
    ],
  );
  const v = scan.assignments.find((a) => a.name === 'v')!.value!;
  assert.equal(v.kind, 'replace');
  assert.equal(v.kind === 'replace' ? v.ops[0]!.operator : '', '.Replace');
  assert.equal(v.kind === 'replace' ? v.base.kind : '', 'read');
  assert.equal(scan.assignments.find((a) => a.name === 'w')!.value!.kind, 'other');
  // The function body is still scanned: its write is recorded.
  assert.equal(scan.fileWrites.length, 1);
});

test('in-place edit: (Get-Content X | ForEach-Object { $_ -replace … }) | Set-Content X, one replacement per line of the file', () => {
  const head = `${CONFIG}$nomadConfig | Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\nomad.hcl"\n`;
  const edit = [
    '(Get-Content C:\\HashiCorp\\Nomad\\config\\nomad.hcl | ForEach-Object { $_ -replace "_NOMAD_REGION", "global" }) | Set-Content C:\\HashiCorp\\Nomad\\config\\nomad.hcl',
    'Get-Content C:\\HashiCorp\\Nomad\\config\\nomad.hcl | % { $_.Replace("_NOMAD_DATACENTER", "dc1") } | Set-Content C:\\HashiCorp\\Nomad\\config\\nomad.hcl',
    '',
  ].join('\n');
  const f = files(head + edit);
  const { r } = analyze(f);
  assertClean(r);
  assert.equal(windowsSetting(r, 'region').value, 'global');
  assert.equal(windowsSetting(r, 'datacenter').value, 'dc1');
  assertChainAt(windowsSetting(r, 'region'), f, WIN, '-replace "_NOMAD_REGION"');

  // A ForEach-Object body that is not a replace of $_ does not edit the text as a replace would.
  const scan = scanPowerShell('Get-Content a.hcl | ForEach-Object { "# $_" } | Set-Content a.hcl\n');
  assert.notEqual(scan.fileWrites[0]?.content?.kind, 'replace');
  const { r: broken } = analyze(files(head));
  assert.equal(only(broken, 'region-mismatch').length, 1);
});
