import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found on the round-5 real trees (docs/real-trees.md, "Round 5").

const userData =
  '<powershell>\n$cfg = @"\ndatacenter = "${dc}"\ndata_dir   = "C:/consul/data"\nbind_addr  = "$BindAddr"\n"@\n$cfg | Set-Content -Path C:\\consul\\config\\consul.hcl -Encoding ascii\n</powershell>\n';

function psExpansion(files: Record<string, string>): string[] {
  const ws = new Workspace('/t');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  return ws
    .analyze()
    .findings.filter((f) => f.ruleId === 'ps-expansion')
    .map((f) => f.message);
}

test('a templatefile() inside a conditional renders its template: ${dc} is Terraform, not PowerShell', () => {
  const f = psExpansion({
    'mod/main.tf':
      'variable "dc" {\n  default = "dc1"\n}\nvariable "os" {}\nresource "aws_instance" "w" {\n  user_data = var.os == "Windows" ? templatefile("${path.module}/ud.ps1", { dc = var.dc }) : templatefile("${path.module}/ud.sh", { dc = var.dc })\n}\n',
    'mod/ud.ps1': userData,
    'mod/ud.sh': '#!/bin/bash\necho "${dc}"\n',
  });
  assert.equal(f.filter((m) => /\$dc\b/.test(m)).length, 0, f.join('\n'));
  assert.equal(f.filter((m) => /\$BindAddr/.test(m)).length, 1, 'a real unassigned PowerShell variable is still reported');
});

test('a templatefile() value not known in the tree (wrapped in base64encode, no variable declared) is still Terraform, not PowerShell', () => {
  const f = psExpansion({
    'mod/asg.tf': 'resource "aws_launch_template" "w" {\n  user_data = base64encode(templatefile("${path.module}/ud.ps1", {\n    dc = var.dc,\n  }))\n}\n',
    'mod/ud.ps1': userData,
  });
  assert.equal(f.filter((m) => /\$dc\b/.test(m)).length, 0, f.join('\n'));
  assert.equal(f.filter((m) => /\$BindAddr/.test(m)).length, 1);
});

test('Packer dynamic "provisioner" blocks are provisioners (type from labels, body from content)', () => {
  const build = (dynamic: boolean) =>
    [
      'source "amazon-ebs" "win" {',
      '  ami_name     = "win-{{timestamp}}"',
      '  communicator = "winrm"',
      '}',
      'build {',
      '  sources = ["source.amazon-ebs.win"]',
      dynamic
        ? '  dynamic "provisioner" {\n    for_each = var.windows ? [1] : []\n    labels   = ["powershell"]\n    content {\n      script = "../scripts/setup.ps1"\n    }\n  }'
        : '  provisioner "powershell" {\n    script = "../scripts/setup.ps1"\n  }',
      '}',
      '',
    ].join('\n');
  const setup =
    '$c = @\'\nserver           = true\nbootstrap_expect = 3\ndata_dir         = "C:/consul/data"\n\'@\n[IO.File]::WriteAllText("C:\\consul\\config\\consul.hcl", $c, [Text.UTF8Encoding]::new($false))\n';
  const baked = (dynamic: boolean) => {
    const ws = new Workspace('/t');
    ws.setText('packer/build.pkr.hcl', build(dynamic));
    ws.setText('scripts/setup.ps1', setup);
    return ws.analyze().findings.filter((f) => f.ruleId === 'image-baked-agent-config').length;
  };
  assert.equal(baked(false), 1, 'the plain provisioner bakes the server config');
  assert.equal(baked(true), 1, 'the dynamic one too');
});

test('a Terraform remote-exec command that runs an uploaded script is its caller (arguments known, or known only at apply)', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'packer/windows.pkr.hcl',
    'source "googlecompute" "win" {\n  image_name = "win"\n}\nbuild {\n  sources = ["source.googlecompute.win"]\n  provisioner "file" {\n    source      = "config/windows.ps1"\n    destination = "c:/users/hashistack/config.ps1"\n  }\n}\n',
  );
  ws.setText(
    'packer/config/windows.ps1',
    'param (\n    [string]$r = "",\n    [string]$j = ""\n)\n$c = @"\nregion = "$r"\ndata_dir = "C:/nomad/data"\nclient {\n  enabled = true\n  servers = [ "$j" ]\n}\n"@\n[IO.File]::WriteAllText("c:/users/hashistack/nomad/client.hcl", $c, [Text.UTF8Encoding]::new($false))\n',
  );
  ws.setText(
    'terraform/main.tf',
    'variable "region" {\n  default = "europe"\n}\nresource "google_compute_instance" "server" {\n  name = "s"\n}\nresource "google_compute_instance" "client_windows" {\n  provisioner "remote-exec" {\n    inline = [\n      "powershell.exe -ExecutionPolicy Bypass -File c:/users/hashistack/config.ps1 -r \\"${var.region}\\" -j \\"${google_compute_instance.server.network_ip}\\"",\n    ]\n  }\n}\n',
  );
  const r = ws.analyze();
  const win = r.roles.find((x) => x.product === 'nomad' && x.kind === 'windows-client')!;
  const region = win.settings.find((s) => s.path === 'region')!;
  assert.equal(region.value, 'europe', 'the known argument reaches the config');
  assert.ok(
    region.chain.some((c) => c.span.file === 'terraform/main.tf'),
    JSON.stringify(region.chain),
  );
  const servers = win.settings.find((s) => s.path === 'client.servers')!;
  assert.match(servers.display, /known only when it applies the configuration/, 'not the parameter default ""');
});
