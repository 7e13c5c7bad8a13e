import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, lineOfFinding, only, spanOf, LINUX_PKR, SERVER_SH, SETUP_SH, VARIABLES } from './helpers';

const RULE = 'image-version-skew';

const windowsPkr = (env: boolean) => `source "amazon-ebs" "windows" {
  region = "us-west-2"
}

build {
  sources = ["source.amazon-ebs.windows"]

  provisioner "powershell" {
${env ? '    environment_vars = ["NOMAD_VERSION=${var.nomad_version}"]\n' : ''}    script = "\${path.root}/../shared/packer/scripts/setup-windows.ps1"
  }
}
`;

const SETUP_WIN_BROKEN = `param(
    [string] $NomadVersion = $env:NOMAD_VERSION
)
if (-not $NomadVersion) {
    $NomadVersion = (Invoke-RestMethod -Uri "https://checkpoint-api.hashicorp.com/v1/check/nomad").current_version
}
Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/$NomadVersion/nomad_$($NomadVersion)_windows_amd64.zip" -OutFile nomad.zip
`;

const SETUP_WIN_FIXED = `param(
    [string] $NomadVersion = $env:NOMAD_VERSION
)
if (-not $NomadVersion) { throw "NOMAD_VERSION is not set" }
Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/$NomadVersion/nomad_$($NomadVersion)_windows_amd64.zip" -OutFile nomad.zip
`;

function tree(winPkr: string, winPs: string, linuxScript = SETUP_SH): Record<string, string> {
  return {
    'packer/variables.pkr.hcl': VARIABLES,
    'packer/linux.pkr.hcl': LINUX_PKR,
    'packer/windows.pkr.hcl': winPkr,
    'shared/packer/scripts/setup.sh': linuxScript,
    'shared/packer/scripts/server.sh': SERVER_SH,
    'shared/packer/scripts/setup-windows.ps1': winPs,
  };
}

test('unpinned Windows client image vs Linux servers pinned to 1.10.5: error at the checkpoint lookup', () => {
  const { findings } = analyze(tree(windowsPkr(false), SETUP_WIN_BROKEN));
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'version');
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file, 'shared/packer/scripts/setup-windows.ps1');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(SETUP_WIN_BROKEN, 'checkpoint-api.hashicorp.com/v1/check/nomad'));
  assert.match(f[0]!.message, /rpc error: Permission denied/);
  assert.match(f[0]!.message, /Node\.GetClientAllocs/);
  assert.match(f[0]!.message, /1\.10\.5/);
  assert.ok(
    f[0]!.related.some((r) => r.span.file === 'shared/packer/scripts/setup.sh'),
    'related: the Linux side',
  );
  assert.ok(
    f[0]!.related.some((r) => r.span.file === 'packer/variables.pkr.hcl'),
    'related: the Linux chain',
  );
});

test('same variable passed to both provisioners: silent', () => {
  const { findings } = analyze(tree(windowsPkr(true), SETUP_WIN_FIXED));
  assert.deepEqual(only(findings, RULE), []);
});

test('different pins, Windows client newer than Linux servers: error at the newer pin', () => {
  const win = `Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/1.11.1/nomad_1.11.1_windows_amd64.zip" -OutFile nomad.zip\n`;
  const { findings } = analyze(tree(windowsPkr(false), win));
  const f = only(findings, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'error');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(win, '1.11.1'));
  assert.match(f[0]!.message, /rpc error: Permission denied/);
});

test('different pins, servers newer than clients: warning on the newer (Linux) side', () => {
  const win = `Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/1.10.1/nomad_1.10.1_windows_amd64.zip" -OutFile nomad.zip\n`;
  const { findings } = analyze(tree(windowsPkr(false), win));
  const f = only(findings, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.span.file, 'shared/packer/scripts/setup.sh');
});

test('examples/windows-only: fires on defect 1 (setup-windows.ps1:22 checkpoint lookup)', async () => {
  const { ws, findings } = await example('windows-only');
  const f = only(findings, RULE);
  const nomad = f.find((x) => x.message.startsWith('nomad:'));
  assert.ok(nomad);
  assert.equal(lineOfFinding(ws, nomad), 'shared/packer/scripts/setup-windows.ps1:22');
  assert.equal(nomad.severity, 'error');
  assert.match(nomad.message, /rpc error: Permission denied/);
});

test('examples/mixed-os: silent', async () => {
  const { findings } = await example('mixed-os');
  assert.deepEqual(only(findings, RULE), []);
});

test('servers and autoscaled clients that apt-install the latest agent at boot from separate user-data scripts (real tree, round 10); one version variable for both is silent', () => {
  const tf = (server: string, client: string) => `variable "nomad_version" {}
resource "aws_launch_configuration" "server" {
  user_data = templatefile("\${path.module}/templates/server.sh.tftpl", { ${server} })
}
resource "aws_launch_configuration" "client" {
  user_data = templatefile("\${path.module}/templates/client.sh.tftpl", { ${client} })
}
`;
  const script = (role: string, pkg: string) => `#!/bin/sh
apt update && apt install -y unzip ${pkg} jq
cat <<EOT >> /etc/nomad.d/nomad.hcl
data_dir = "/opt/nomad/data"
${role === 'server' ? 'server {\n  enabled = true\n  bootstrap_expect = 3\n}' : 'client {\n  enabled = true\n}'}
EOT
`;
  const latest = {
    'main.tf': tf('', ''),
    'templates/server.sh.tftpl': script('server', 'nomad'),
    'templates/client.sh.tftpl': script('client', 'nomad'),
  };
  const f = only(analyze(latest).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'templates/client.sh.tftpl');
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.message, /install nomad at boot with separate scripts/);
  assert.match(f[0]!.message, /autoscaled after a new release is newer than the servers/);
  // Both from one (required) Terraform variable: the version is not known here, but it is the same one.
  const pinned = {
    'main.tf': tf('nomad_version = var.nomad_version', 'nomad_version = var.nomad_version'),
    'templates/server.sh.tftpl': script('server', 'nomad=${nomad_version}'),
    'templates/client.sh.tftpl': script('client', 'nomad=${nomad_version}'),
  };
  assert.deepEqual(only(analyze(pinned).findings, RULE), []);
  // Pinned differently, the clients newer: an error.
  const newer = {
    'main.tf': tf('', ''),
    'templates/server.sh.tftpl': script('server', 'nomad=1.10.5-1'),
    'templates/client.sh.tftpl': script('client', 'nomad=1.11.1-1'),
  };
  const e = only(analyze(newer).findings, RULE);
  assert.equal(e.length, 1);
  assert.equal(e[0]!.severity, 'error');
  assert.match(e[0]!.message, /rpc error: Permission denied/);
});
