import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, lineOfFinding, only, spanOf } from './helpers';

const RULE = 'image-baked-agent-state';

const SETUP = `New-Service -Name "nomad" -BinaryPathName "C:\\HashiCorp\\bin\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config" -StartupType Automatic | Out-Null
Start-Service -Name "nomad"
`;
const CLEAN_BROKEN = `"Remove-Item \\"C:\\\\HashiCorp\\\\Nomad\\\\data\\\\*\\" -Recurse -Force -ErrorAction SilentlyContinue"`;
const pkr = (inline: string, restart = true) => `build {
  sources = ["source.amazon-ebs.windows"]

  provisioner "powershell" {
    script = "\${path.root}/../shared/packer/scripts/setup-windows.ps1"
  }
${restart ? '\n  provisioner "windows-restart" {}\n' : ''}
  provisioner "powershell" {
    inline = [
      ${inline}
    ]
  }
}
`;
const LINUX_HCL = `build {\n  sources = ["source.amazon-ebs.linux"]\n  provisioner "shell" {\n    script = "setup.sh"\n  }\n}\n`;

test('started auto-start service, SilentlyContinue cleanup without Stop-Service: error on the Remove-Item', () => {
  const text = pkr(CLEAN_BROKEN + ',');
  const { findings } = analyze({ 'packer/windows.pkr.hcl': text, 'shared/packer/scripts/setup-windows.ps1': SETUP });
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'state');
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file, 'packer/windows.pkr.hcl');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(text, CLEAN_BROKEN));
  assert.match(f[0]!.message, /node secret ID does not match\. Not registering node\./);
  assert.match(f[0]!.message, /rpc error: Permission denied/);
  assert.ok(f[0]!.related.some((r) => r.span.file === 'shared/packer/scripts/setup-windows.ps1'));
});

test('stop first, remove without SilentlyContinue, verify empty: silent', () => {
  const fixed = `"Get-Service -Name nomad, consul -ErrorAction SilentlyContinue | Stop-Service -Force",
      "Remove-Item -Path 'C:/HashiCorp/Nomad/data/*' -Recurse -Force",
      "if (Get-ChildItem -Path 'C:/HashiCorp/Nomad/data' -Force) { throw 'not empty' }",`;
  const { findings } = analyze({ 'packer/windows.pkr.hcl': pkr(fixed), 'shared/packer/scripts/setup-windows.ps1': SETUP });
  assert.deepEqual(only(findings, RULE), []);
});

test('bash: systemctl enable --now nomad in a Packer script with no stop: error on the start', () => {
  const sh = `#!/bin/bash\nsudo systemctl enable --now nomad\n`;
  const { findings } = analyze({ 'packer/linux.pkr.hcl': LINUX_HCL, 'shared/packer/scripts/setup.sh': sh });
  const f = only(findings, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.span.file, 'shared/packer/scripts/setup.sh');
  const s = spanOf(sh, 'systemctl enable --now nomad');
  assert.ok(f[0]!.span.start <= s.start && f[0]!.span.end >= s.end, JSON.stringify(f[0]!.span));
});

test('bash: started then stopped: silent', () => {
  const sh = `#!/bin/bash\nsudo systemctl enable --now nomad\nsudo systemctl stop nomad\nsudo rm -rf /opt/nomad/data/*\n`;
  const { findings } = analyze({ 'packer/linux.pkr.hcl': LINUX_HCL, 'shared/packer/scripts/setup.sh': sh });
  assert.deepEqual(only(findings, RULE), []);
});

test('examples/windows-only: fires on defect 2 (windows.pkr.hcl:65)', async () => {
  const { ws, findings } = await example('windows-only');
  const f = only(findings, RULE);
  const at65 = f.find((x) => lineOfFinding(ws, x) === 'packer/windows.pkr.hcl:65');
  assert.ok(at65, f.map((x) => lineOfFinding(ws, x)).join(','));
  assert.equal(at65.severity, 'error');
});

test('examples/mixed-os: silent', async () => {
  const { findings } = await example('mixed-os');
  assert.deepEqual(only(findings, RULE), []);
});

test('examples/windows-only: no finding on the Consul cleanup (windows.pkr.hcl:66): the build never registers or starts Consul', async () => {
  const { ws, findings } = await example('windows-only');
  const f = only(findings, RULE).map((x) => lineOfFinding(ws, x));
  assert.ok(!f.includes('packer/windows.pkr.hcl:66'), f.join(','));
});

test('silent cleanup of an agent the build did start still warns; of one it never started is silent', () => {
  const consulClean = `"Remove-Item \\"C:\\\\HashiCorp\\\\Consul\\\\data\\\\*\\" -Recurse -Force -ErrorAction SilentlyContinue"`;
  const text = pkr(consulClean + ',', false);
  assert.deepEqual(
    only(analyze({ 'packer/windows.pkr.hcl': text, 'shared/packer/scripts/setup-windows.ps1': SETUP }).findings, RULE).filter(
      (x) => x.span.file === 'packer/windows.pkr.hcl',
    ),
    [],
  );
  const withConsul =
    SETUP +
    'New-Service -Name "consul" -BinaryPathName "C:\\HashiCorp\\bin\\consul.exe agent -config-dir=C:\\HashiCorp\\Consul\\config" -StartupType Automatic | Out-Null\n';
  const f = only(analyze({ 'packer/windows.pkr.hcl': text, 'shared/packer/scripts/setup-windows.ps1': withConsul }).findings, RULE).filter(
    (x) => x.span.file === 'packer/windows.pkr.hcl',
  );
  assert.equal(f.length, 1);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(text, consulClean));
});
