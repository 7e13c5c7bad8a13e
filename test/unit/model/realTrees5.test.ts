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
