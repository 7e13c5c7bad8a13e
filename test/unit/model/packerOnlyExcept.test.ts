import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import type { AnalysisResult } from '../../../server/src/core/api';
import { packerProvisioners } from '../../../server/src/core/packer';

function analyze(files: Record<string, string>): { ws: Workspace; r: AnalysisResult } {
  const ws = new Workspace('/virtual');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return { ws, r };
}

const SOURCES = `source "amazon-ebs" "linux" {
  ami_name     = "hashistack-linux-1"
  communicator = "ssh"
}

source "amazon-ebs" "windows" {
  ami_name     = "hashistack-windows-1"
  communicator = "winrm"
}
`;

/** Registers Nomad with automatic start and starts it: agent state the Windows image must not ship. */
const INSTALL_PS1 = `New-Service -Name "nomad" -BinaryPathName "C:\\nomad\\nomad.exe agent -config=C:\\nomad\\config" -StartupType Automatic | Out-Null
Start-Service -Name "nomad"
`;
/** Stops Nomad and empties its data dir, on the Linux image only. */
const CLEANUP_SH = `#!/bin/bash
sudo systemctl stop nomad
sudo rm -rf /opt/nomad/data/*
`;

test('HCL only: the Linux cleanup does not stop the agent the Windows image started (image-baked-agent-state gained)', () => {
  const pkr = `${SOURCES}
build {
  sources = ["source.amazon-ebs.linux", "source.amazon-ebs.windows"]

  provisioner "powershell" {
    only   = ["amazon-ebs.windows"]
    script = "scripts/install.ps1"
  }

  provisioner "shell" {
    only   = ["amazon-ebs.linux"]
    script = "scripts/cleanup.sh"
  }
}
`;
  const { r } = analyze({ 'packer/image.pkr.hcl': pkr, 'packer/scripts/install.ps1': INSTALL_PS1, 'packer/scripts/cleanup.sh': CLEANUP_SH });
  // Before only/except were read, the build was one image: `systemctl stop nomad` counted as stopping the Windows service.
  const f = r.findings.filter((x) => x.ruleId === 'image-baked-agent-state');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'packer/scripts/install.ps1');
  assert.equal(INSTALL_PS1.slice(f[0]!.span.start, f[0]!.span.end), 'Start-Service -Name "nomad"');
});

test('HCL except, build-level sources renamed by `name`: the config uploaded to the Linux image is a Linux client config', () => {
  // One top-level source used twice under two names; only/except match the build-level names (the `source.` prefix of
  // Packer 1.6 is accepted too).
  const pkr = `source "amazon-ebs" "base" {
  instance_type = "t3.medium"
}

build {
  source "source.amazon-ebs.base" {
    name = "linux"
  }
  source "amazon-ebs.base" {
    name = "windows"
  }

  provisioner "powershell" {
    only   = ["source.amazon-ebs.windows"]
    script = "scripts/install.ps1"
  }

  provisioner "file" {
    except      = ["amazon-ebs.windows"]
    source      = "config/client.hcl"
    destination = "/etc/nomad.d/client.hcl"
  }
}
`;
  const client = 'datacenter = "dc1"\ndata_dir = "/opt/nomad/data"\nclient {\n  enabled = true\n}\n';
  const { r } = analyze({ 'packer/image.pkr.hcl': pkr, 'packer/scripts/install.ps1': INSTALL_PS1, 'packer/config/client.hcl': client });
  const ids = r.roles.map((x) => x.id);
  // Before: the PowerShell provisioner made the whole build a Windows image, and this upload a windows-client config.
  assert.ok(ids.includes('linux-client/nomad'), JSON.stringify(ids));
  assert.ok(!ids.includes('windows-client/nomad'), JSON.stringify(ids));
});

test('HCL only: a Linux instance booting the Linux AMI of a two-OS build is not told to reset EC2Launch', () => {
  const pkr = `${SOURCES}
build {
  sources = ["source.amazon-ebs.linux", "source.amazon-ebs.windows"]

  provisioner "powershell" {
    only   = ["amazon-ebs.windows"]
    inline = ["Write-Output windows"]
  }

  provisioner "shell" {
    only   = ["amazon-ebs.linux"]
    inline = ["echo linux"]
  }
}
`;
  const tf = `data "aws_ami" "linux" {
  most_recent = true
  owners      = ["self"]
  filter {
    name   = "name"
    values = ["hashistack-linux-*"]
  }
}

resource "aws_instance" "linux_client" {
  ami           = data.aws_ami.linux.id
  instance_type = "t3.medium"
  user_data     = templatefile("\${path.module}/user-data.sh", {})
}
`;
  const { r } = analyze({ 'packer/image.pkr.hcl': pkr, 'terraform/main.tf': tf, 'terraform/user-data.sh': '#!/bin/bash\necho boot\n' });
  // Before: the winrm source made the one build a Windows image whose AMI names included the Linux one.
  assert.deepEqual(
    r.findings.filter((x) => x.ruleId === 'image-ec2launch-not-reset').map((x) => x.message),
    [],
  );
});

test('JSON only: provisioners restricted to builder names (`name`, else the builder `type`) run on that builder only', () => {
  const json = JSON.stringify(
    {
      builders: [
        { type: 'amazon-ebs', ami_name: 'hashistack-linux-{{timestamp}}' },
        { type: 'amazon-ebs', name: 'windows', communicator: 'winrm', ami_name: 'hashistack-windows-{{timestamp}}' },
      ],
      provisioners: [
        { type: 'powershell', only: ['windows'], script: 'scripts/install.ps1' },
        { type: 'shell', only: ['amazon-ebs'], script: 'scripts/cleanup.sh' },
      ],
    },
    null,
    2,
  );
  const { r } = analyze({ 'packer/image.json': json, 'packer/scripts/install.ps1': INSTALL_PS1, 'packer/scripts/cleanup.sh': CLEANUP_SH });
  const f = r.findings.filter((x) => x.ruleId === 'image-baked-agent-state');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'packer/scripts/install.ps1');
});

test('only/except naming a source the build does not have: ignored, no crash (a typo does not drop the provisioner)', () => {
  const pkr = `${SOURCES}
build {
  sources = ["source.amazon-ebs.linux", "source.amazon-ebs.windows"]

  provisioner "powershell" {
    only   = ["amazon-ebs.windwos"]
    script = "scripts/install.ps1"
  }

  provisioner "shell" {
    except = ["amazon-ebs.ghost", "amazon-ebs.windows"]
    script = "scripts/cleanup.sh"
  }

  provisioner "shell" {
    only   = []
    inline = ["echo everywhere"]
  }
}
`;
  const { ws, r } = analyze({ 'packer/image.pkr.hcl': pkr, 'packer/scripts/install.ps1': INSTALL_PS1, 'packer/scripts/cleanup.sh': CLEANUP_SH });
  const runs = packerProvisioners(ws.model!).map((p) => p.runsOn.map((s) => s.name));
  // The misspelt `only` names nothing of the build: reviewed as running everywhere, as before only/except were read.
  // The unknown name in `except` excludes nothing; the known one still does. An empty `only` restricts nothing either.
  assert.deepEqual(runs, [['amazon-ebs.linux', 'amazon-ebs.windows'], ['amazon-ebs.linux'], ['amazon-ebs.linux', 'amazon-ebs.windows']]);
  // So the Windows image runs install.ps1 and never stops Nomad: the cleanup is kept off it.
  const f = r.findings.filter((x) => x.ruleId === 'image-baked-agent-state');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'packer/scripts/install.ps1');
});

test('HCL only: a version tag on the Windows source is not vouched for by the Linux provisioner that passes the variable', () => {
  const pkr = `variable "nomad_version" {
  default = "1.10.5"
}

source "amazon-ebs" "linux" {
  ami_name = "hashistack-linux-1"
}

source "amazon-ebs" "windows" {
  ami_name     = "hashistack-windows-1"
  communicator = "winrm"
  tags = {
    NomadVersion = var.nomad_version
  }
}

build {
  sources = ["source.amazon-ebs.linux", "source.amazon-ebs.windows"]

  provisioner "shell" {
    only             = ["amazon-ebs.linux"]
    environment_vars = ["NOMAD_VERSION=\${var.nomad_version}"]
    script           = "scripts/setup.sh"
  }

  provisioner "powershell" {
    only   = ["amazon-ebs.windows"]
    script = "scripts/install.ps1"
  }
}
`;
  const { r } = analyze({
    'packer/image.pkr.hcl': pkr,
    'packer/scripts/setup.sh': '#!/bin/bash\ncurl -o /tmp/nomad.zip "https://releases.hashicorp.com/nomad/${NOMAD_VERSION}/nomad.zip"\n',
    'packer/scripts/install.ps1': INSTALL_PS1,
  });
  // Before: any provisioner of the build passing var.nomad_version silenced the tag of every source.
  const f = r.findings.filter((x) => x.ruleId === 'image-tag-version-variable');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(pkr.slice(f[0]!.span.start, f[0]!.span.end), 'NomadVersion = var.nomad_version');
  assert.match(f[0]!.message, /install\.ps1/);
});

test('HCL only: the EC2Launch reset of one Windows source does not reset the other', () => {
  const pkr = `source "amazon-ebs" "win2019" {
  ami_name     = "hashistack-win2019-1"
  communicator = "winrm"
}

source "amazon-ebs" "win2022" {
  ami_name     = "hashistack-win2022-1"
  communicator = "winrm"
}

build {
  sources = ["source.amazon-ebs.win2019", "source.amazon-ebs.win2022"]

  provisioner "powershell" {
    only   = ["amazon-ebs.win2022"]
    inline = ["& 'C:/Program Files/Amazon/EC2Launch/EC2Launch.exe' reset --block"]
  }
}
`;
  const tf = `data "aws_ami" "win2019" {
  most_recent = true
  owners      = ["self"]
  filter {
    name   = "name"
    values = ["hashistack-win2019-*"]
  }
}

resource "aws_instance" "windows_client" {
  ami           = data.aws_ami.win2019.id
  instance_type = "t3.medium"
  user_data     = templatefile("\${path.module}/user-data.ps1", {})
}
`;
  const { r } = analyze({
    'packer/image.pkr.hcl': pkr,
    'terraform/main.tf': tf,
    'terraform/user-data.ps1': '<powershell>\nWrite-Output boot\n</powershell>\n',
  });
  // Before: one image, and the reset anywhere in the build block counted for both AMIs.
  const f = r.findings.filter((x) => x.ruleId === 'image-ec2launch-not-reset');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /aws_instance\.windows_client/);
});
