import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workspace } from '../../../../server/src/core/engine';
import { classifyFile } from '../../../../server/src/core/workspace/fileKinds';
import { analyze, only, spanOf } from './helpers';

const RULE = 'uploaded-script-not-run';

/** nehrman/terraform-circlecI-vault-demo (round 10), cut down: the install script is uploaded and never run. */
const azure = (extra = '', publisher = 'MicrosoftWindowsServer'): Record<string, string> => ({
  'main.tf': [
    'resource "azurerm_virtual_machine" "windows" {',
    '  name    = "demostack-windows-0"',
    '  storage_image_reference {',
    `    publisher = "${publisher}"`,
    '    offer     = "WindowsServer"',
    '    sku       = "2016-Datacenter"',
    '    version   = "latest"',
    '  }',
    '  os_profile {',
    '    computer_name  = "windows-0"',
    '    custom_data    = <<EOF',
    'winrm quickconfig -q',
    'EOF',
    '  }',
    '  os_profile_windows_config {',
    '    additional_unattend_config {',
    '      pass         = "oobeSystem"',
    '      component    = "Microsoft-Windows-Shell-Setup"',
    '      setting_name = "FirstLogonCommands"',
    '      content      = file("${path.module}/scripts/FirstLogonCommands.xml")',
    '    }',
    '  }',
    '  provisioner "file" {',
    '    source      = "${path.module}/scripts/InstallHashicorp.ps1"',
    '    destination = "C:\\\\Hashicorp\\\\InstallHashicorp.ps1"',
    '    connection {',
    '      type = "winrm"',
    '    }',
    '  }',
    extra,
    '}',
    '',
  ].join('\n'),
  'scripts/FirstLogonCommands.xml':
    '<FirstLogonCommands>\n  <SynchronousCommand>\n    <CommandLine>cmd.exe /c winrm quickconfig -q</CommandLine>\n    <Order>3</Order>\n  </SynchronousCommand>\n</FirstLogonCommands>\n',
  'scripts/InstallHashicorp.ps1': [
    'New-Item -ItemType Directory -Force -Path C:\\Hashicorp\\Consul',
    'sc.exe create "Hashicorp Consul" binPath= "C:\\Hashicorp\\Consul\\consul.exe agent -config-dir=C:\\Hashicorp\\Consul" start= auto',
    'sc.exe start "Hashicorp Consul"',
    '',
  ].join('\n'),
});

test('uploaded-script-not-run: a script a file provisioner uploads, which creates the Consul service, and that nothing runs (real tree, round 10)', () => {
  const files = azure();
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  const x = f[0]!;
  assert.equal(x.severity, 'error');
  assert.equal(x.category, 'service');
  assert.deepEqual(
    { file: x.span.file, start: x.span.start, end: x.span.end },
    { file: 'main.tf', ...spanOf(files['main.tf']!, '"${path.module}/scripts/InstallHashicorp.ps1"') },
  );
  assert.match(
    x.message,
    /InstallHashicorp\.ps1 is uploaded to C:\\Hashicorp\\InstallHashicorp\.ps1 by a Terraform file provisioner of azurerm_virtual_machine\.windows, but nothing in the tree runs it/,
  );
  assert.match(x.message, /its custom_data and FirstLogonCommands do not/);
  assert.match(x.message, /Creating the service "Hashicorp Consul" never happens/);
  assert.match(x.message, /The specified service does not exist as an installed service\./);
  assert.ok(x.related.some((r) => r.span.file === 'scripts/InstallHashicorp.ps1'));
});

test('uploaded-script-not-run: fixed (a remote-exec runs it, or FirstLogonCommands does) is silent', () => {
  const remote = azure('  provisioner "remote-exec" {\n    inline = ["powershell -ExecutionPolicy Bypass -File C:\\\\Hashicorp\\\\InstallHashicorp.ps1"]\n  }');
  assert.deepEqual(only(analyze(remote).findings, RULE), []);
  const logon = azure();
  logon['scripts/FirstLogonCommands.xml'] = logon['scripts/FirstLogonCommands.xml']!.replace(
    'cmd.exe /c winrm quickconfig -q',
    'powershell -File C:\\Hashicorp\\InstallHashicorp.ps1',
  );
  assert.deepEqual(only(analyze(logon).findings, RULE), []);
});

test('uploaded-script-not-run: any launcher the tree does not show keeps it silent', () => {
  // A custom image (may carry a scheduled task of its own).
  assert.deepEqual(only(analyze(azure('', 'MyCompany')).findings, RULE), []);
  // A local-exec (ansible, ssh, winrm from the operator's machine).
  assert.deepEqual(only(analyze(azure('  provisioner "local-exec" {\n    command = "ansible-playbook site.yml"\n  }')).findings, RULE), []);
  // A VM extension (CustomScriptExtension) elsewhere.
  const ext = azure();
  ext['ext.tf'] = 'resource "azurerm_virtual_machine_extension" "setup" {\n  name = "setup"\n  settings = var.settings\n}\n';
  assert.deepEqual(only(analyze(ext).findings, RULE), []);
  // A remote-exec command whose script is a variable.
  assert.deepEqual(only(analyze(azure('  provisioner "remote-exec" {\n    inline = ["${var.command}"]\n  }')).findings, RULE), []);
  // A boot file the tree does not hold.
  const missing = azure();
  delete missing['scripts/FirstLogonCommands.xml'];
  assert.deepEqual(only(analyze(missing).findings, RULE), []);
  // Uploaded to a Startup folder: Windows runs it at logon.
  const startup = azure();
  startup['main.tf'] = startup['main.tf']!.replace(
    'C:\\\\Hashicorp\\\\InstallHashicorp.ps1',
    'C:\\\\ProgramData\\\\Microsoft\\\\Windows\\\\Start Menu\\\\Programs\\\\StartUp\\\\InstallHashicorp.ps1',
  );
  assert.deepEqual(only(analyze(startup).findings, RULE), []);
});

test('uploaded-script-not-run: Linux, a systemd unit the uploaded script would install, on a stock GCP image', () => {
  const gcp = (extra = '') => ({
    'main.tf': [
      'resource "google_compute_instance" "server" {',
      '  name = "server"',
      '  boot_disk {',
      '    initialize_params {',
      '      image = "ubuntu-os-cloud/ubuntu-2204-lts"',
      '    }',
      '  }',
      '  metadata_startup_script = "apt-get update"',
      '  provisioner "file" {',
      '    source      = "scripts/install.sh"',
      '    destination = "/tmp/install.sh"',
      '  }',
      extra,
      '}',
      '',
    ].join('\n'),
    'scripts/install.sh': [
      '#!/bin/bash',
      'cat > /etc/systemd/system/nomad.service <<EOF',
      '[Service]',
      'ExecStart=/usr/local/bin/nomad agent -config /etc/nomad.d',
      'EOF',
      'systemctl enable --now nomad',
      '',
    ].join('\n'),
  });
  const f = only(analyze(gcp()).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /systemctl status nomad` answers "Unit nomad\.service could not be found\."/);
  assert.match(f[0]!.message, /its metadata_startup_script does not/);
  assert.deepEqual(only(analyze(gcp('  provisioner "remote-exec" {\n    inline = ["sudo bash /tmp/install.sh"]\n  }')).findings, RULE), []);
});

test('uploaded-script-not-run: a Windows unattend / FirstLogonCommands XML is read from disk (its commands are part of the boot path)', async () => {
  assert.equal(classifyFile('scripts/FirstLogonCommands.xml'), 'template');
  assert.equal(classifyFile('unattend.xml'), 'template');
  assert.equal(classifyFile('pom.xml'), undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-upload-'));
  try {
    for (const [f, t] of Object.entries(azure())) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), t);
    }
    const ws = await Workspace.load(dir);
    assert.equal(only(ws.analyze().findings, RULE).length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
