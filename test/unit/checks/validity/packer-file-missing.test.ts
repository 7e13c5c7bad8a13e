/**
 * packer-file-missing: a Packer provisioner script, a file upload source or an HCL2 file()/templatefile() path that
 * is not in the tree. Run on real temporary folders through Workspace.load: existence is what the walk of the disk
 * saw (a `.txt`, `.reg` or extension-less file exists even though the engine never reads it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';
import { fileMissingHarness } from './fileMissingHarness';

const RULE = 'packer-file-missing';
const { tree, write, missing, load, spanText } = fileMissingHarness(RULE, 'hsr-pfm-');

/** A Windows image whose build runs the given provisioner blocks. */
const windowsImage = (provisioners: string, head = '') => `${head}source "amazon-ebs" "windows" {
  ami_name     = "hashistack-windows-1"
  communicator = "winrm"
}

build {
  sources = ["source.amazon-ebs.windows"]
${provisioners}
}
`;

const PS1 = 'Write-Output "setup"\n';

test('packer-file-missing: a powershell script that is not in the tree (HCL2), silent once the file exists', async () => {
  const root = tree({
    'packer/windows.pkr.hcl': windowsImage('  provisioner "powershell" {\n    script = "../scripts/setup-windows.ps1"\n  }'),
  });
  const { ws, findings } = await load(root);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  const f = findings[0]!;
  assert.equal(f.severity, 'error');
  assert.equal(f.category, 'template');
  assert.equal(f.span.file, 'packer/windows.pkr.hcl');
  assert.equal(spanText(ws, f), '"../scripts/setup-windows.ps1"');
  // Packer's own words (provisioner/powershell Prepare + os.Stat), with the path as written.
  assert.match(f.message, /"Bad script '\.\.\/scripts\/setup-windows\.ps1': stat \.\.\/scripts\/setup-windows\.ps1: no such file or directory"/);
  // From the tree root the path would leave the tree: only the reading beside the template is named.
  assert.match(f.message, /\(no scripts\/setup-windows\.ps1\)/);
  assert.match(f.message, /packer build \(and packer validate\) stops before it launches anything/);

  write(root, 'scripts/setup-windows.ps1', PS1);
  assert.deepEqual((await load(root)).findings, []);
});

test('packer-file-missing: `scripts = [...]` and a legacy JSON template (script, scripts, file source, {{user}} defaults)', async () => {
  const json = JSON.stringify(
    {
      variables: { scripts_dir: 'packer/scripts/windows' },
      builders: [{ type: 'amazon-ebs', communicator: 'winrm', ami_name: 'windows-{{timestamp}}' }],
      provisioners: [
        { type: 'powershell', scripts: ['{{user `scripts_dir`}}/install_consul.ps1', '{{user `scripts_dir`}}/install_windows_updates.ps1'] },
        { type: 'powershell', script: 'scripts/windows/gone.ps1' },
        { type: 'file', source: 'RDP-Tcp-443.reg', destination: 'C:/RDP-Tcp-443.reg' },
        // Exists: a .reg file the engine never reads is still a file of the tree.
        { type: 'file', source: 'present.reg', destination: 'C:/present.reg' },
      ],
    },
    null,
    2,
  );
  const root = tree({
    'packer/aws/consul.json': json,
    'packer/scripts/windows/install_consul.ps1': PS1,
    'packer/aws/present.reg': 'Windows Registry Editor Version 5.00\n',
    'packer/hcl/image.pkr.hcl': windowsImage('  provisioner "powershell" {\n    scripts = ["scripts/a.ps1", "scripts/b.ps1"]\n  }'),
    'packer/hcl/scripts/a.ps1': PS1,
  });
  const { ws, findings } = await load(root);
  const got = findings.map((f) => `${f.span.file} ${spanText(ws, f)}`).sort();
  assert.deepEqual(got, [
    'packer/aws/consul.json "RDP-Tcp-443.reg"',
    'packer/aws/consul.json "scripts/windows/gone.ps1"',
    'packer/aws/consul.json "{{user `scripts_dir`}}/install_windows_updates.ps1"',
    'packer/hcl/image.pkr.hcl "scripts/b.ps1"',
  ]);
  const reg = findings.find((f) => spanText(ws, f) === '"RDP-Tcp-443.reg"')!;
  assert.match(reg.message, /"Bad source 'RDP-Tcp-443\.reg': stat RDP-Tcp-443\.reg: no such file or directory"/);
  // Relative to where Packer runs: beside the template and from the tree root, neither holds it.
  assert.match(reg.message, /\(no packer\/aws\/RDP-Tcp-443\.reg, no RDP-Tcp-443\.reg\)/);
  const upd = findings.find((f) => spanText(ws, f).includes('install_windows_updates'))!;
  // The {{user}} default is substituted, and the variable is named among the related locations.
  assert.match(upd.message, /runs packer\/scripts\/windows\/install_windows_updates\.ps1/);
  assert.ok(upd.related.some((r) => r.message === 'Packer variable "scripts_dir" default'));
});

test('packer-file-missing: a path found by any reading the model accepts is silent (beside the template, from the root, path.root, {{template_dir}})', async () => {
  const root = tree({
    'packer/windows.pkr.hcl': windowsImage(
      [
        '  provisioner "powershell" {\n    script = "scripts/beside.ps1"\n  }',
        // Written for a run from the tree root.
        '  provisioner "powershell" {\n    script = "packer/scripts/from-root.ps1"\n  }',
        '  provisioner "powershell" {\n    script = "${path.root}/scripts/beside.ps1"\n  }',
        '  provisioner "shell-local" {\n    scripts = ["./scripts/local.sh"]\n  }',
      ].join('\n'),
    ),
    'packer/scripts/beside.ps1': PS1,
    'packer/scripts/from-root.ps1': PS1,
    'packer/scripts/local.sh': '#!/bin/bash\necho hi\n',
    'packer/linux.json': JSON.stringify({
      builders: [{ type: 'amazon-ebs' }],
      provisioners: [{ type: 'shell', script: '{{template_dir}}/scripts/install.sh' }],
    }),
    'packer/scripts/install.sh': '#!/bin/bash\necho install\n',
  });
  assert.deepEqual((await load(root)).findings, []);
});

test('packer-file-missing: directory uploads: an existing directory is silent (with or without the trailing slash), a missing one is reported', async () => {
  const root = tree({
    'packer/image.pkr.hcl': windowsImage(
      [
        '  provisioner "file" {\n    source      = "files/consul/"\n    destination = "C:/consul/"\n  }',
        '  provisioner "file" {\n    source      = "files/consul"\n    destination = "C:/"\n  }',
        '  provisioner "file" {\n    source      = "files/nomad/"\n    destination = "C:/nomad/"\n  }',
      ].join('\n'),
    ),
    'packer/files/consul/consul.hcl': 'datacenter = "dc1"\n',
  });
  const { ws, findings } = await load(root);
  assert.deepEqual(
    findings.map((f) => spanText(ws, f)),
    ['"files/nomad/"'],
  );
  assert.match(findings[0]!.message, /which is not a directory of the tree/);
  assert.match(findings[0]!.message, /"Bad source 'files\/nomad\/': stat files\/nomad\/: no such file or directory"/);
});

test('packer-file-missing: unknown parts, build-time values, absolute or outside paths, generated or downloaded files are not judged', async () => {
  const hcl = windowsImage(
    [
      '  provisioner "powershell" {\n    script = "${var.scripts_dir}/setup.ps1"\n  }',
      '  provisioner "powershell" {\n    script = "${local.from_env}/setup.ps1"\n  }',
      '  provisioner "powershell" {\n    script = "${path.cwd}/setup.ps1"\n  }',
      '  provisioner "powershell" {\n    scripts = ["C:/scripts/setup.ps1", "/opt/setup.ps1"]\n  }',
      '  provisioner "powershell" {\n    script = "../../outside/setup.ps1"\n  }',
      '  provisioner "file" {\n    source      = "build/generated.hcl"\n    destination = "C:/nomad/generated.hcl"\n    generated   = true\n  }',
      '  provisioner "file" {\n    source      = "C:/nomad/logs/nomad.log"\n    destination = "logs/"\n    direction   = "download"\n  }',
      // A provisioner whose paths mean something else to it: not judged.
      '  provisioner "ansible" {\n    playbook_file = "playbooks/missing.yml"\n  }',
      // The control: known, inside the tree, missing.
      '  provisioner "powershell" {\n    script = "scripts/control.ps1"\n  }',
    ].join('\n'),
    'variable "scripts_dir" {\n  type = string\n}\n\nlocals {\n  from_env = env("SCRIPTS_DIR")\n}\n\n',
  );
  const json = JSON.stringify({
    variables: { nodefault: null, fromenv: '{{env `SCRIPTS`}}' },
    builders: [{ type: 'amazon-ebs' }],
    provisioners: [
      { type: 'shell', script: '{{user `nodefault`}}/x.sh' },
      { type: 'shell', script: '{{user `fromenv`}}/x.sh' },
      { type: 'shell', script: '{{env `SCRIPTS`}}/x.sh' },
      { type: 'shell', script: '{{pwd}}/x.sh' },
      // The control of the JSON template.
      { type: 'shell', script: 'scripts/control.sh' },
    ],
  });
  const root = tree({ 'image.pkr.hcl': hcl, 'linux.json': json });
  const { ws, findings } = await load(root);
  assert.deepEqual(findings.map((f) => spanText(ws, f)).sort(), ['"scripts/control.ps1"', '"scripts/control.sh"']);
});

test('packer-file-missing: nothing is reported until the listing of the tree is complete', () => {
  const ws = new Workspace('/tmp/hsr-pfm-memory');
  ws.setText('packer/windows.pkr.hcl', windowsImage('  provisioner "powershell" {\n    script = "scripts/setup.ps1"\n  }'));
  assert.deepEqual(missing(ws), []);
  ws.setListingComplete();
  assert.equal(missing(ws).length, 1);
  // Creating the script clears it (the check's existence answers are re-asked).
  ws.setText('packer/scripts/setup.ps1', PS1);
  assert.deepEqual(missing(ws), []);
});

test('packer-file-missing: HCL2 file()/templatefile() in a Packer template (user_data of a WinRM bootstrap), relative to the template', async () => {
  const pkr = `source "amazon-ebs" "windows" {
  ami_name       = "hashistack-windows-1"
  communicator   = "winrm"
  user_data      = file("scripts/bootstrap_win.txt")
}

source "amazon-ebs" "windows2" {
  ami_name     = "hashistack-windows-2"
  communicator = "winrm"
  user_data    = templatefile("\${path.root}/scripts/bootstrap.pkrtpl.hcl", { user = "Administrator" })
}

source "amazon-ebs" "windows3" {
  ami_name     = "hashistack-windows-3"
  communicator = "winrm"
  user_data    = try(file("scripts/maybe.txt"), "")
}

build {
  sources = ["source.amazon-ebs.windows", "source.amazon-ebs.windows2", "source.amazon-ebs.windows3"]
}
`;
  const root = tree({ 'packer/windows.pkr.hcl': pkr });
  const { ws, findings } = await load(root);
  assert.deepEqual(findings.map((f) => spanText(ws, f)).sort(), ['"${path.root}/scripts/bootstrap.pkrtpl.hcl"', '"scripts/bootstrap_win.txt"']);
  const file = findings.find((f) => spanText(ws, f) === '"scripts/bootstrap_win.txt"')!;
  assert.match(file.message, /file\(\) in source\.amazon-ebs\.windows\.user_data at packer\/windows\.pkr\.hcl:4 reads scripts\/bootstrap_win\.txt/);
  // The file functions join the path to the template's directory: that is the one place Packer looks.
  assert.match(file.message, /\(no packer\/scripts\/bootstrap_win\.txt\)/);
  assert.match(file.message, /Call to function "file" failed: no file exists at scripts\/bootstrap_win\.txt\./);

  write(root, 'packer/scripts/bootstrap_win.txt', '<powershell>\nwinrm quickconfig -q\n</powershell>\n');
  write(root, 'packer/scripts/bootstrap.pkrtpl.hcl', '<powershell>\nnet user ${user} /active:yes\n</powershell>\n');
  assert.deepEqual((await load(root)).findings, []);
});

test('packer-file-missing: a script that exists with another letter case is named (Linux build runners)', async () => {
  const root = tree({
    'packer/windows.pkr.hcl': windowsImage('  provisioner "powershell" {\n    script = "scripts/Setup.ps1"\n  }'),
    'packer/scripts/setup.ps1': PS1,
  });
  const { findings } = await load(root);
  assert.equal(findings.length, 1);
  assert.match(findings[0]!.message, /packer\/scripts\/setup\.ps1 exists with a different letter case/);
});

test('packer-file-missing: builder files (user_data_file, floppy_files, floppy_dirs, cd_files) are reported when missing, silent when present', async () => {
  const src = `source "amazon-ebs" "windows" {
  ami_name       = "hashistack-windows-1"
  communicator   = "winrm"
  user_data_file = "scripts/bootstrap_win.txt"
}

source "vsphere-iso" "windows" {
  communicator = "winrm"
  floppy_files = ["answer/Autounattend.xml", "drivers"]
  floppy_dirs  = ["pvscsi"]
  cd_files     = ["answer/unattend-cd.xml"]
}

build {
  sources = ["source.amazon-ebs.windows", "source.vsphere-iso.windows"]
}
`;
  const { ws, findings } = await load(tree({ 'packer/windows.pkr.hcl': src }));
  assert.deepEqual(findings.map((f) => spanText(ws, f)).sort(), [
    '"answer/Autounattend.xml"',
    '"answer/unattend-cd.xml"',
    '"drivers"',
    '"pvscsi"',
    '"scripts/bootstrap_win.txt"',
  ]);
  const byText = (t: string) => findings.find((f) => spanText(ws, f) === `"${t}"`)!;
  assert.equal(byText('scripts/bootstrap_win.txt').severity, 'error');
  assert.match(
    byText('scripts/bootstrap_win.txt').message,
    /^The source "amazon-ebs" "windows" names scripts\/bootstrap_win\.txt in user_data_file .*"user_data_file not found: scripts\/bootstrap_win\.txt"/,
  );
  assert.match(
    byText('answer/Autounattend.xml').message,
    /"Bad Floppy disk file 'answer\/Autounattend\.xml': stat answer\/Autounattend\.xml: no such file or directory"/,
  );
  assert.match(byText('pvscsi').message, /not a directory of the tree .*"Bad Floppy disk directory 'pvscsi': /);
  assert.match(byText('answer/unattend-cd.xml').message, /"Bad CD disk file 'answer\/unattend-cd\.xml': /);

  // Present: beside the template or from the tree root; a directory counts for floppy_files too.
  const present = await load(
    tree({
      'packer/windows.pkr.hcl': src,
      'packer/scripts/bootstrap_win.txt': '<powershell></powershell>\n',
      'answer/Autounattend.xml': '<unattend/>\n',
      'answer/unattend-cd.xml': '<unattend/>\n',
      'packer/drivers/vmxnet3.inf': 'x\n',
      'packer/pvscsi/pvscsi.sys': 'x\n',
    }),
  );
  assert.deepEqual(present.findings, []);
});

test('packer-file-missing: builder files: globs, http_directory, user_data_file of a non-amazon builder and unused sources are not judged', async () => {
  const { findings } = await load(
    tree({
      'windows.pkr.hcl': `source "vsphere-iso" "windows" {
  floppy_files   = ["answer/*.xml", "drivers/[ab].inf"]
  cd_files       = ["cd/**"]
  http_directory = "http"
  user_data_file = "not-read-by-vsphere.txt"
}

source "amazon-ebs" "unused" {
  user_data_file = "nowhere.txt"
}

build {
  sources = ["source.vsphere-iso.windows"]
}
`,
    }),
  );
  assert.deepEqual(findings, []);
});

test('packer-file-missing: builder files set in a build-level source block and in a legacy JSON builder', async () => {
  const { ws, findings } = await load(
    tree({
      'hcl/windows.pkr.hcl': `source "amazon-ebs" "windows" {
  ami_name = "hashistack-windows-1"
}

build {
  source "amazon-ebs.windows" {
    name           = "win2022"
    user_data_file = "\${path.root}/bootstrap.ps1"
  }
}
`,
      'json/windows.json': JSON.stringify(
        {
          variables: { answer: 'answer' },
          builders: [{ type: 'hyperv-iso', floppy_files: ['{{user `answer`}}/Autounattend.xml', '{{template_dir}}/present.ps1'] }],
          provisioners: [],
        },
        null,
        2,
      ),
      'json/present.ps1': PS1,
    }),
  );
  assert.deepEqual(findings.map((f) => spanText(ws, f)).sort(), ['"${path.root}/bootstrap.ps1"', '"{{user `answer`}}/Autounattend.xml"']);
  const hcl = findings.find((f) => f.span.file === 'hcl/windows.pkr.hcl')!;
  assert.match(hcl.message, /^The source "amazon-ebs\.windows" in a build names hcl\/bootstrap\.ps1 in user_data_file/);
  const json = findings.find((f) => f.span.file === 'json/windows.json')!;
  assert.match(json.message, /^The builder "hyperv-iso" names answer\/Autounattend\.xml in floppy_files/);
  assert.ok(json.related.some((r) => /Packer variable "answer" default/.test(r.message)));
});
