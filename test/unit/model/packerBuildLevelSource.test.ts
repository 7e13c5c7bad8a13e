/**
 * A build-level `source "TYPE.NAME" { … }` block adds its own settings to the top-level source it refines (Packer
 * merges the two bodies). Its `communicator = "winrm"` or WinRM settings make that build's image a Windows one, and its
 * `ami_name` is the name the image gets, even when the top-level block says neither.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import type { AnalysisResult } from '../../../server/src/core/api';
import { buildSourcesOf, packerProvisioners, sourceIsWindows } from '../../../server/src/core/packer';

function analyze(files: Record<string, string>): { ws: Workspace; r: AnalysisResult } {
  const ws = new Workspace('/virtual');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return { ws, r };
}

/** One top-level source for both OSes: nothing in it says Windows (no communicator, no WinRM setting, no AMI name). */
const BASE = `source "amazon-ebs" "base" {
  instance_type = "t3.medium"
  region        = "eu-west-1"
}
`;

const TF = `data "aws_ami" "windows" {
  most_recent = true
  owners      = ["self"]
  filter {
    name   = "name"
    values = ["hashistack-windows-*"]
  }
}

resource "aws_instance" "windows_client" {
  ami           = data.aws_ami.windows.id
  instance_type = "t3.medium"
  user_data     = templatefile("\${path.module}/user-data.ps1", {})
}
`;

test('build-level source with communicator = "winrm" (and its own ami_name): the image is Windows, image-ec2launch-not-reset fires', () => {
  // Provisioned with Ansible over WinRM: no PowerShell provisioner, so only the build-level block says Windows.
  const pkr = `${BASE}
build {
  source "amazon-ebs.base" {
    name           = "windows"
    ami_name       = "hashistack-windows-1"
    communicator   = "winrm"
    winrm_username = "Administrator"
  }

  provisioner "ansible" {
    playbook_file = "playbooks/nomad-client.yml"
  }
}
`;
  const { r } = analyze({
    'packer/windows.pkr.hcl': pkr,
    'terraform/main.tf': TF,
    'terraform/user-data.ps1': '<powershell>\nStart-Service nomad\n</powershell>\n',
  });
  const f = r.findings.filter((x) => x.ruleId === 'image-ec2launch-not-reset');
  // Before: only the top-level block's communicator was read, and the build-level ami_name was not: no link, no finding.
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => `${x.ruleId}: ${x.message}`)));
  assert.equal(f[0]!.span.file, 'packer/windows.pkr.hcl');
  assert.match(f[0]!.message, /aws_instance\.windows_client/);
  assert.ok(f[0]!.related.some((x) => x.message === 'AMI name of this build' && x.span.file === 'packer/windows.pkr.hcl'));
});

test('build-level communicator = "winrm": the agent config a file provisioner bakes into that image is a Windows client config', () => {
  const pkr = `${BASE}
build {
  source "amazon-ebs.base" {
    name         = "windows"
    communicator = "winrm"
  }

  provisioner "file" {
    source      = "config/client.hcl"
    destination = "C:/nomad/config/client.hcl"
  }
}
`;
  const client = 'datacenter = "dc1"\ndata_dir = "C:/nomad/data"\nclient {\n  enabled = true\n}\n';
  const { r } = analyze({ 'packer/windows.pkr.hcl': pkr, 'packer/config/client.hcl': client });
  const ids = r.roles.map((x) => x.id);
  // Before: no Windows provisioner in the build, so the upload was read as going into a Linux image.
  assert.ok(ids.includes('windows-client/nomad'), JSON.stringify(ids));
  assert.ok(!ids.includes('linux-client/nomad'), JSON.stringify(ids));
});

test('the same top-level source refined into a Linux and a Windows build: each build keeps its own OS', () => {
  const pkr = `${BASE}
build {
  name = "linux"
  source "amazon-ebs.base" {
    name     = "linux"
    ami_name = "hashistack-linux-1"
  }
  provisioner "file" {
    source      = "config/client.hcl"
    destination = "/etc/nomad.d/client.hcl"
  }
}

build {
  name = "windows"
  source "amazon-ebs.base" {
    name         = "windows"
    ami_name     = "hashistack-windows-1"
    communicator = "winrm"
  }
  provisioner "file" {
    source      = "config/client.hcl"
    destination = "C:/nomad/config/client.hcl"
  }
}
`;
  const client = 'datacenter = "dc1"\nclient {\n  enabled = true\n}\n';
  const { ws, r } = analyze({ 'packer/images.pkr.hcl': pkr, 'packer/config/client.hcl': client });
  const model = ws.model!;
  const oses = packerProvisioners(model).map((p) => p.buildSources.map((s) => `${s.name}:${sourceIsWindows(model.packerFiles, s) ? 'windows' : 'linux'}`));
  assert.deepEqual(oses, [['amazon-ebs.linux:linux'], ['amazon-ebs.windows:windows']]);
  const ids = r.roles.map((x) => x.id).sort();
  assert.ok(ids.includes('linux-client/nomad') && ids.includes('windows-client/nomad'), JSON.stringify(ids));
});

test('WinRM hints: winrm_* settings count only where no other communicator is chosen; `sources = [...]` adds no settings', () => {
  const files = (build: string) => ({ 'packer/x.pkr.hcl': `${BASE}\nbuild {\n${build}\n}\n` });
  const windowsOf = (build: string): boolean[] => {
    const { ws } = analyze(files(build));
    const f = ws.model!.packerFiles.find((x) => x.file === 'packer/x.pkr.hcl')!;
    const b = f.parse.body.items.find((i) => i.kind === 'block' && i.type === 'build');
    assert.ok(b && b.kind === 'block');
    return buildSourcesOf(b.body, f.file).map((s) => sourceIsWindows(ws.model!.packerFiles, s));
  };
  assert.deepEqual(windowsOf('  source "amazon-ebs.base" {\n    winrm_username = "Administrator"\n  }'), [true]);
  assert.deepEqual(windowsOf('  source "amazon-ebs.base" {\n    communicator   = "ssh"\n    winrm_username = "Administrator"\n  }'), [false]);
  assert.deepEqual(windowsOf('  sources = ["source.amazon-ebs.base"]'), [false]);
});
