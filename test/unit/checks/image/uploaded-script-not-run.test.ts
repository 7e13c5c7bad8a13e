import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workspace } from '../../../../server/src/core/engine';
import type { Finding } from '../../../../server/src/core/types';
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

/** The one finding of the rule on a tree: an error of category service on `needle` (the upload's source) in `file`. */
function theFinding(files: Record<string, string>, file: string, needle: string): Finding {
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  const x = f[0]!;
  assert.equal(x.severity, 'error');
  assert.equal(x.category, 'service');
  assert.deepEqual({ file: x.span.file, start: x.span.start, end: x.span.end }, { file, ...spanOf(files[file]!, needle) });
  return x;
}

/** A copy of a tree with one replacement in one file. */
function edited(files: Record<string, string>, file: string, from: string, to: string): Record<string, string> {
  const text = files[file]!;
  assert.ok(text.includes(from), `fixture does not contain ${from}`);
  return { ...files, [file]: text.replace(from, to) };
}

/** The rule says nothing on a tree. */
function silent(files: Record<string, string>): void {
  assert.deepEqual(only(analyze(files).findings, RULE), []);
}

test('uploaded-script-not-run: a script a file provisioner uploads, which creates the Consul service, and that nothing runs (real tree, round 10)', () => {
  const x = theFinding(azure(), 'main.tf', '"${path.module}/scripts/InstallHashicorp.ps1"');
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
  silent(remote);
  silent(edited(azure(), 'scripts/FirstLogonCommands.xml', 'cmd.exe /c winrm quickconfig -q', 'powershell -File C:\\Hashicorp\\InstallHashicorp.ps1'));
});

test('uploaded-script-not-run: any launcher the tree does not show keeps it silent', () => {
  // A custom image (may carry a scheduled task of its own).
  silent(azure('', 'MyCompany'));
  // A local-exec (ansible, ssh, winrm from the operator's machine).
  silent(azure('  provisioner "local-exec" {\n    command = "ansible-playbook site.yml"\n  }'));
  // A VM extension (CustomScriptExtension) elsewhere.
  const ext = azure();
  ext['ext.tf'] = 'resource "azurerm_virtual_machine_extension" "setup" {\n  name = "setup"\n  settings = var.settings\n}\n';
  silent(ext);
  // A remote-exec command whose script is a variable.
  silent(azure('  provisioner "remote-exec" {\n    inline = ["${var.command}"]\n  }'));
  // A boot file the tree does not hold.
  const missing = azure();
  delete missing['scripts/FirstLogonCommands.xml'];
  silent(missing);
  // Uploaded to a Startup folder: Windows runs it at logon.
  silent(
    edited(
      azure(),
      'main.tf',
      'C:\\\\Hashicorp\\\\InstallHashicorp.ps1',
      'C:\\\\ProgramData\\\\Microsoft\\\\Windows\\\\Start Menu\\\\Programs\\\\StartUp\\\\InstallHashicorp.ps1',
    ),
  );
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
  silent(gcp('  provisioner "remote-exec" {\n    inline = ["sudo bash /tmp/install.sh"]\n  }'));
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

/** A provisioner block of a Packer build, with its attribute lines. */
function prov(type: string, ...lines: string[]): string {
  return [`  provisioner "${type}" {`, ...lines.map((l) => `    ${l}`), '  }'].join('\n');
}

/** A Windows Packer build that uploads the install script into the image, and the instance booting that image. */
const packerWindows = (opts: { build?: string; userData?: string; extraTf?: string; provisioners?: string } = {}): Record<string, string> => ({
  'packer/windows.pkr.hcl': [
    'source "amazon-ebs" "windows" {',
    '  ami_name     = "nomad-windows-${local.stamp}"',
    '  communicator = "winrm"',
    '}',
    '',
    'locals {',
    '  stamp = formatdate("YYYYMMDDhhmm", timestamp())',
    '}',
    '',
    'build {',
    '  sources = ["source.amazon-ebs.windows"]',
    opts.build ?? prov('file', 'source      = "scripts/install-nomad.ps1"', 'destination = "C:/ops/"'),
    opts.provisioners ?? prov('powershell', 'inline = ["New-Item -ItemType Directory -Force -Path C:/ProgramData/nomad"]'),
    '}',
    '',
  ].join('\n'),
  'scripts/install-nomad.ps1': [
    'New-Item -ItemType Directory -Force -Path C:\\ops\\nomad',
    'sc.exe create "Nomad" binPath= "C:\\ops\\nomad.exe agent -config=C:\\ops\\nomad" start= auto',
    'sc.exe start "Nomad"',
    '',
  ].join('\n'),
  'terraform/main.tf': [
    'data "aws_ami" "windows" {',
    '  most_recent = true',
    '  owners      = ["self"]',
    '  filter {',
    '    name   = "name"',
    '    values = ["nomad-windows-*"]',
    '  }',
    '}',
    '',
    'resource "aws_instance" "client" {',
    '  ami           = data.aws_ami.windows.id',
    '  instance_type = "t3.medium"',
    opts.userData ?? ['  user_data = <<EOF', '<powershell>', 'Start-Service -Name Nomad', '</powershell>', 'EOF'].join('\n'),
    '}',
    opts.extraTf ?? '',
    '',
  ].join('\n'),
});

test('uploaded-script-not-run: Packer, a Windows build uploads install-nomad.ps1 to C:/ops/ and nothing runs it', () => {
  const x = theFinding(packerWindows(), 'packer/windows.pkr.hcl', '"scripts/install-nomad.ps1"');
  assert.match(x.message, /install-nomad\.ps1 is uploaded to C:\/ops\/install-nomad\.ps1 by a Packer file provisioner, but nothing in the tree runs it/);
  assert.match(x.message, /the boot of aws_instance\.client \(the instance booting the image\) does not/);
  assert.match(x.message, /Creating the service "Nomad" never happens/);
  assert.match(x.message, /The specified service does not exist as an installed service\./);
  assert.match(x.message, /powershell -ExecutionPolicy Bypass -File C:\/ops\/install-nomad\.ps1/);
  assert.ok(x.related.some((r) => r.span.file === 'scripts/install-nomad.ps1'));
  assert.ok(x.related.some((r) => r.span.file === 'terraform/main.tf' && /aws_instance\.client boots the image/.test(r.message)));
  // Another build uploading its own install-nomad.sh names the script without running it: still reported.
  const both = packerWindows();
  both['packer/linux.pkr.hcl'] = [
    'source "amazon-ebs" "linux" {',
    '  ami_name = "nomad-linux"',
    '}',
    'build {',
    '  sources = ["source.amazon-ebs.linux"]',
    prov('file', 'source      = "scripts/install-nomad.sh"', 'destination = "/tmp/install-nomad.sh"'),
    '}',
    '',
  ].join('\n');
  theFinding(both, 'packer/windows.pkr.hcl', '"scripts/install-nomad.ps1"');
});

test('uploaded-script-not-run: Packer, fixed (a provisioner, the user data or a scheduled task runs it) is silent', () => {
  silent(packerWindows({ provisioners: prov('powershell', 'inline = ["powershell -ExecutionPolicy Bypass -File C:/ops/install-nomad.ps1"]') }));
  // Elevated, with its own execute_command.
  const elevated = prov(
    'powershell',
    'elevated_user     = "Administrator"',
    'elevated_password = build.Password',
    'execute_command   = "powershell -ExecutionPolicy Bypass \\"& { {{.Vars}}{{.Path}}; exit $LastExitCode }\\""',
    'inline            = ["& C:\\\\ops\\\\install-nomad.ps1"]',
  );
  silent(packerWindows({ provisioners: elevated }));
  // The script run by the provisioner itself instead of uploaded; or uploaded and also run (the upload is redundant).
  const scripts = prov('powershell', 'scripts = ["scripts/install-nomad.ps1"]');
  silent(packerWindows({ build: scripts }));
  silent(packerWindows({ provisioners: scripts }));
  // The user data of the instance booting the image runs it.
  silent(packerWindows({ userData: ['  user_data = <<EOF', '<powershell>', '& C:\\ops\\install-nomad.ps1', '</powershell>', 'EOF'].join('\n') }));
  // A scheduled task registered at image time runs it at startup.
  const task = prov(
    'powershell',
    'inline = [',
    '  "$a = New-ScheduledTaskAction -Execute powershell.exe -Argument \'-File C:\\\\ops\\\\install-nomad.ps1\'",',
    '  "Register-ScheduledTask -TaskName bootstrap -Action $a -Trigger (New-ScheduledTaskTrigger -AtStartup) -User SYSTEM",',
    ']',
  );
  silent(packerWindows({ provisioners: task }));
  silent(
    packerWindows({
      provisioners: prov(
        'windows-shell',
        'inline = ["schtasks /create /tn bootstrap /sc onstart /ru SYSTEM /tr \\"powershell -File C:\\\\ops\\\\install-nomad.ps1\\""]',
      ),
    }),
  );
  // A provisioner running every script of the destination directory.
  silent(packerWindows({ provisioners: prov('powershell', 'inline = ["Get-ChildItem C:/ops/*.ps1 | ForEach-Object { & $_.FullName }"]') }));
});

test('uploaded-script-not-run: Packer, silent when the tree does not show the whole path', () => {
  // No instance of the tree boots the image: user data elsewhere may run the script (the usual way to use a baked script).
  silent(edited(packerWindows(), 'terraform/main.tf', '"nomad-windows-*"', '"other-*"'));
  // User data the tree does not hold.
  silent(packerWindows({ userData: '  user_data = var.user_data' }));
  silent(packerWindows({ userData: '  user_data = file("${path.module}/missing.ps1")' }));
  // A provisioner whose commands the tree does not show.
  silent(packerWindows({ provisioners: prov('ansible', 'playbook_file = "site.yml"') }));
  silent(packerWindows({ provisioners: prov('powershell', 'inline = var.commands') }));
  silent(packerWindows({ provisioners: prov('powershell', 'script = "scripts/not-in-tree.ps1"') }));
  // A directory upload (may carry a task definition or an EC2Launch config this review does not read).
  silent(packerWindows({ provisioners: prov('file', 'source      = "config/"', 'destination = "C:/ProgramData/Amazon/EC2Launch/config/"') }));
  // An SSM association on the Terraform side.
  silent(packerWindows({ extraTf: 'resource "aws_ssm_association" "setup" {\n  name = "AWS-RunPowerShellScript"\n}' }));
  // Another upload whose content the tree does not show (a task definition read with file()).
  silent(packerWindows({ provisioners: prov('file', 'content     = file("task.xml")', 'destination = "C:/ops/task.xml"') }));
  // Uploaded to a Startup folder.
  silent(edited(packerWindows(), 'packer/windows.pkr.hcl', '"C:/ops/"', '"C:/ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp/"'));
});

test('uploaded-script-not-run: Packer, a Linux JSON template uploads install-nomad.sh and nothing runs it', () => {
  const linux = (provisioners = '    {"type": "shell", "inline": ["sudo apt-get update"]}', userData = 'systemctl start nomad'): Record<string, string> => ({
    'packer/nomad-client.json': [
      '{',
      '  "variables": {"ami_prefix": "nomad-client"},',
      '  "builders": [{"type": "amazon-ebs", "ami_name": "{{user `ami_prefix`}}-{{timestamp}}", "ssh_username": "ubuntu"}],',
      '  "provisioners": [',
      '    {"type": "file", "source": "scripts/install-nomad.sh", "destination": "/tmp/install-nomad.sh"},',
      provisioners,
      '  ]',
      '}',
      '',
    ].join('\n'),
    'scripts/install-nomad.sh': [
      '#!/bin/bash',
      'cat > /etc/systemd/system/nomad.service <<EOF',
      '[Service]',
      'ExecStart=/usr/local/bin/nomad agent -config /etc/nomad.d',
      'EOF',
      'systemctl enable nomad',
      '',
    ].join('\n'),
    'main.tf': [
      'data "aws_ami" "client" {',
      '  filter {',
      '    name   = "name"',
      '    values = ["nomad-client-*"]',
      '  }',
      '}',
      'resource "aws_launch_template" "client" {',
      '  image_id  = data.aws_ami.client.id',
      '  user_data = base64encode(file("${path.module}/user-data.sh"))',
      '}',
      '',
    ].join('\n'),
    'user-data.sh': `#!/bin/bash\n${userData}\n`,
  });
  const x = theFinding(linux(), 'packer/nomad-client.json', '"scripts/install-nomad.sh"');
  assert.match(x.message, /install-nomad\.sh is uploaded to \/tmp\/install-nomad\.sh by a Packer file provisioner/);
  assert.match(x.message, /systemctl status nomad` answers "Unit nomad\.service could not be found\."/);
  assert.match(x.message, /aws_launch_template\.client/);
  // Run by a later shell provisioner, by the user data, or by a systemd unit the build installs: silent.
  silent(linux('    {"type": "shell", "inline": ["sudo bash /tmp/install-nomad.sh"]}'));
  silent(linux(undefined, 'bash /tmp/install-nomad.sh'));
  const unit = linux(
    '    {"type": "shell", "inline": ["printf \'[Service]\\\\nExecStart=/bin/bash /tmp/install-nomad.sh\\\\n\' | sudo tee /etc/systemd/system/bootstrap.service", "sudo systemctl enable bootstrap"]}',
  );
  silent(unit);
  // Provisioned by a configuration manager: silent.
  silent(linux('    {"type": "ansible", "playbook_file": "site.yml"}'));
});
