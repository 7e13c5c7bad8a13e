import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, lineOfFinding, only, spanOf, VARIABLES } from './helpers';

const RULE = 'image-tag-version-variable';

const pkr = (env: boolean) => `source "amazon-ebs" "windows" {
  tags = {
    NomadVersion = var.nomad_version
  }
}

build {
  sources = ["source.amazon-ebs.windows"]

  provisioner "powershell" {
${env ? '    environment_vars = ["NOMAD_VERSION=${var.nomad_version}"]\n' : ''}    script = "setup-windows.ps1"
  }
}
`;
const PS = `Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/$env:NOMAD_VERSION/nomad.zip" -OutFile n.zip\n`;

test('tag records var.nomad_version but the build never passes it: info on the tag', () => {
  const text = pkr(false);
  const { findings } = analyze({ 'packer/variables.pkr.hcl': VARIABLES, 'packer/windows.pkr.hcl': text, 'shared/packer/scripts/setup-windows.ps1': PS });
  const f = only(findings, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'version');
  assert.equal(f[0]!.severity, 'info');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(text, 'NomadVersion = var.nomad_version'));
  assert.match(f[0]!.message, /rpc error: Permission denied/);
});

test('variable passed in environment_vars: silent', () => {
  const { findings } = analyze({ 'packer/variables.pkr.hcl': VARIABLES, 'packer/windows.pkr.hcl': pkr(true), 'shared/packer/scripts/setup-windows.ps1': PS });
  assert.deepEqual(only(findings, RULE), []);
});

test('examples/windows-only: fires on the tags of defect 1 (windows.pkr.hcl:39)', async () => {
  const { ws, findings } = await example('windows-only');
  assert.deepEqual(
    only(findings, RULE).map((x) => lineOfFinding(ws, x)),
    ['packer/windows.pkr.hcl:39', 'packer/windows.pkr.hcl:40'],
  );
});

test('examples/mixed-os: silent', async () => {
  const { findings } = await example('mixed-os');
  assert.deepEqual(only(findings, RULE), []);
});

test('variable passed on the command line of an inline provisioner command: silent', () => {
  const text = pkr(false).replace(
    '    script = "setup-windows.ps1"\n  }\n}',
    '    script = "setup-windows.ps1"\n  }\n\n  provisioner "powershell" {\n    inline = ["C:/tmp/install.ps1 -Version ${var.nomad_version}"]\n  }\n}',
  );
  assert.match(text, /inline = \[/);
  const { findings } = analyze({ 'packer/variables.pkr.hcl': VARIABLES, 'packer/windows.pkr.hcl': text, 'shared/packer/scripts/setup-windows.ps1': PS });
  assert.deepEqual(only(findings, RULE), []);
});

test('versions of other tools and of the base image are not judged; a bare var.version is', () => {
  const vars = `${VARIABLES}
variable "vault_version" {
  default = "1.4.0"
}
variable "consul_template_version" {
  default = "0.24.1"
}
variable "os_version" {
  default = "18.04"
}
variable "version" {
  default = "1.7.2"
}
`;
  const text = pkr(false).replace(
    '    NomadVersion = var.nomad_version\n',
    '    VaultVersion = var.vault_version\n    TemplateVersion = var.consul_template_version\n    OS_version = var.os_version\n    Version = var.version\n',
  );
  const { findings } = analyze({ 'packer/variables.pkr.hcl': vars, 'packer/windows.pkr.hcl': text, 'shared/packer/scripts/setup-windows.ps1': PS });
  const f = only(findings, RULE);
  assert.deepEqual(
    f.map((x) => text.slice(x.span.start, x.span.end)),
    ['Version = var.version'],
  );
});
