import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found in round 9B (docs/real-trees.md, "Round 9B").

test('PowerShell user-data template: a ${x} the Terraform render leaves unknown keeps the Terraform reason, not "$x is not assigned"', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'variable "gossip_key" {}',
      'resource "aws_instance" "server" {',
      '  ami = "ami-1"',
      '}',
      'resource "aws_instance" "win" {',
      '  ami = "ami-2"',
      '  user_data = templatefile("${path.module}/win.ps1.tpl", { server_ip = aws_instance.server.private_ip, gossip_key = var.gossip_key })',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText(
    'win.ps1.tpl',
    [
      '<powershell>',
      '@"',
      'data_dir = "C:/consul/data"',
      'encrypt = "${gossip_key}"',
      'retry_join = ["${server_ip}"]',
      '"@ | Out-File -FilePath C:\\consul\\consul.d\\consul.hcl -Encoding ascii',
      '</powershell>',
      '',
    ].join('\n'),
  );
  ws.analyze();
  const role = ws.model!.roles.find((x) => x.id === 'windows-client/consul');
  assert.ok(role, JSON.stringify(ws.model!.roles.map((x) => x.id)));
  assert.match(role.settings.get('retry_join')?.unknownReason ?? '', /aws_instance\.server\.private_ip` is only known after apply/);
  assert.match(role.settings.get('encrypt')?.unknownReason ?? '', /variable "gossip_key" has no default/);
  for (const k of ['retry_join', 'encrypt']) assert.doesNotMatch(role.settings.get(k)?.unknownReason ?? '', /is not assigned/, k);
});
