import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, lineOfFinding, only, spanOf, LINUX_PKR, SETUP_SH, VARIABLES } from './helpers';

const RULE = 'packer-version-env-missing';

const PROV_NO_ENV = `provisioner "powershell" {
    script = "\${path.root}/../shared/packer/scripts/setup-windows.ps1"
  }`;
const PROV_ENV = `provisioner "powershell" {
    environment_vars = ["NOMAD_VERSION=\${var.nomad_version}"]
    script = "\${path.root}/../shared/packer/scripts/setup-windows.ps1"
  }`;
const pkr = (prov: string) => `build {
  sources = ["source.amazon-ebs.windows"]

  ${prov}
}
`;
const WIN = `param([string] $NomadVersion = $env:NOMAD_VERSION)
if (-not $NomadVersion) {
    $NomadVersion = (Invoke-RestMethod -Uri "https://checkpoint-api.hashicorp.com/v1/check/nomad").current_version
}
Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/$NomadVersion/nomad.zip" -OutFile nomad.zip
`;

function tree(win: string): Record<string, string> {
  return {
    'packer/variables.pkr.hcl': VARIABLES,
    'packer/linux.pkr.hcl': LINUX_PKR,
    'packer/windows.pkr.hcl': win,
    'shared/packer/scripts/setup.sh': SETUP_SH,
    'shared/packer/scripts/setup-windows.ps1': WIN,
  };
}

test('Windows provisioner gets no NOMAD_VERSION while Linux does: error on the provisioner block', () => {
  const text = pkr(PROV_NO_ENV);
  const { findings } = analyze(tree(text));
  const f = only(findings, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'version');
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file, 'packer/windows.pkr.hcl');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(text, PROV_NO_ENV));
  assert.match(f[0]!.message, /NOMAD_VERSION/);
  assert.match(f[0]!.message, /rpc error: Permission denied/);
  assert.ok(f[0]!.related.some((r) => r.span.file === 'packer/linux.pkr.hcl'));
});

test('both provisioners pass NOMAD_VERSION: silent', () => {
  const { findings } = analyze(tree(pkr(PROV_ENV)));
  assert.deepEqual(only(findings, RULE), []);
});

test('examples/windows-only: fires on defect 1 (windows.pkr.hcl:52)', async () => {
  const { ws, findings } = await example('windows-only');
  const f = only(findings, RULE);
  assert.equal(f.length, 1);
  assert.equal(lineOfFinding(ws, f[0]!), 'packer/windows.pkr.hcl:52');
  assert.match(f[0]!.message, /NOMAD_VERSION \/ CONSUL_VERSION/);
});

test('examples/mixed-os: silent', async () => {
  const { findings } = await example('mixed-os');
  assert.deepEqual(only(findings, RULE), []);
});

test('a script that never reads NOMAD_VERSION (unpinned Chocolatey): passing it would pin nothing, silent', () => {
  const t = tree(pkr(PROV_NO_ENV));
  t['shared/packer/scripts/setup-windows.ps1'] = 'choco install nomad -y\n';
  const { findings } = analyze(t);
  assert.deepEqual(only(findings, RULE), []);
  // The drift itself stays reported, by the rule that names it.
  assert.equal(only(findings, 'image-version-skew').length, 1);
});

test('PowerShell reads the variable in another case ($env:nomad_version): still reported', () => {
  const t = tree(pkr(PROV_NO_ENV));
  t['shared/packer/scripts/setup-windows.ps1'] = WIN.replace('$env:NOMAD_VERSION', '$env:nomad_version');
  assert.equal(only(analyze(t).findings, RULE).length, 1);
});
