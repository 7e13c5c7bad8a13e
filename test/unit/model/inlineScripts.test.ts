import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// User data written inline in a Terraform file (`user_data = <<-EOF … EOF`): analysed like a rendered template, its
// findings mapped into the .tf file (round 9B open item).

const tf = (windowsRegion: string) =>
  [
    'variable "region" {',
    '  default = "eu"',
    '}',
    'resource "aws_instance" "server" {',
    '  user_data = base64encode(<<-EOF',
    '    #!/bin/bash',
    '    cat > /etc/nomad.d/server.hcl <<EOT',
    '    region = "${var.region}"',
    '    data_dir = "/opt/nomad"',
    '    server {',
    '      enabled = true',
    '    }',
    '    EOT',
    '  EOF',
    '  )',
    '}',
    'resource "aws_instance" "windows" {',
    '  user_data = <<EOF',
    '<powershell>',
    '$cfg = @"',
    `region = "${windowsRegion}"`,
    'data_dir = "C:/HashiCorp/Nomad/data"',
    'client {',
    '  enabled = true',
    '  servers = ["10.0.0.10"]',
    '}',
    '"@',
    '[IO.File]::WriteAllText("C:\\\\HashiCorp\\\\Nomad\\\\nomad.hcl", $cfg)',
    '</powershell>',
    'EOF',
    '}',
    'resource "aws_instance" "other" {',
    '  user_data = <<EOF',
    '#cloud-config',
    'runcmd:',
    '  - echo hello',
    'EOF',
    '}',
    '',
  ].join('\n');

function analyze(text: string) {
  const ws = new Workspace('/t');
  ws.setText('infra/main.tf', text);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return r;
}

test('inline user data: bash (indented <<-, inside base64encode) and PowerShell heredocs in a .tf file are the server and the Windows client', () => {
  const text = tf('us');
  const r = analyze(text);
  assert.deepEqual(r.roles.map((x) => `${x.kind}/${x.product}`).sort(), ['server/nomad', 'windows-client/nomad']);
  const f = r.findings.filter((x) => x.ruleId === 'region-mismatch');
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'infra/main.tf');
  assert.match(f[0]!.message, /region = "us".*region = "eu"/);
  // The server side maps to its own characters inside the indented heredoc, with the variable default in the chain.
  const server = r.roles.find((x) => x.kind === 'server')!.settings.find((s) => s.path === 'region')!;
  assert.equal(text.slice(server.span.start, server.span.start + 'region'.length), 'region');
  assert.equal(text.lastIndexOf('\n', server.span.start) + 1 + 4, server.span.start, 'column of `region` after the 4-space indent');
  assert.ok(server.chain.some((c) => /variable "region" default/.test(c.note)));
});

test('inline user data: the same region on both sides is silent; a cloud-config heredoc is not a script', () => {
  const r = analyze(tf('eu'));
  assert.deepEqual(
    r.findings.filter((x) => x.ruleId === 'region-mismatch'),
    [],
  );
  assert.equal(r.roles.length, 2);
});
