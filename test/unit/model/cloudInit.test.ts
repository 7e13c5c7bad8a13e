import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import { cloudInitDocs } from '../../../server/src/core/model/cloudInit';
import { MappedText } from '../../../server/src/core/text/mappedText';

// cloud-init user data: agent configs written by `write_files`, from a templatefile()-rendered YAML or an inline
// `#cloud-config` heredoc, mapped back to the characters of the template / .tf file.

const MAIN = (clientRegion: string) =>
  [
    'variable "region" {',
    '  default = "eu"',
    '}',
    'resource "aws_instance" "server" {',
    '  user_data = <<-EOF',
    '    #cloud-config',
    '    write_files:',
    '      - path: /etc/nomad.d/server.hcl',
    '        permissions: "0644"',
    '        content: |',
    '          region   = "${var.region}"',
    '          data_dir = "/opt/nomad"',
    '          server {',
    '            enabled          = true',
    '            bootstrap_expect = 1',
    '          }',
    '    runcmd:',
    '      - systemctl start nomad',
    '  EOF',
    '}',
    'resource "aws_instance" "client" {',
    `  user_data = templatefile("\${path.module}/cloud-init.yaml", { region = "${clientRegion}" })`,
    '}',
    '',
  ].join('\n');

const CLOUD_INIT = [
  '#cloud-config',
  'write_files:',
  '- path: /etc/nomad.d/client.hcl',
  '  content: |',
  '    region   = "${region}"',
  '    data_dir = "/opt/nomad"',
  '    client {',
  '      enabled = true',
  '      servers = ["10.0.0.1"]',
  '    }',
  '- path: /etc/motd',
  '  content: hello',
  'runcmd:',
  '- systemctl start nomad',
  '',
].join('\n');

function analyze(clientRegion: string) {
  const ws = new Workspace('/t');
  ws.setText('tf/main.tf', MAIN(clientRegion));
  ws.setText('tf/cloud-init.yaml', CLOUD_INIT);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return r;
}

test('cloud-init write_files: a rendered YAML template and an inline #cloud-config heredoc give the client and the server, mapped to their characters', () => {
  const r = analyze('us');
  assert.deepEqual(r.roles.map((x) => `${x.kind}/${x.product}`).sort(), ['linux-client/nomad', 'server/nomad']);
  const f = r.findings.filter((x) => x.ruleId === 'region-mismatch');
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'tf/cloud-init.yaml');
  assert.equal(CLOUD_INIT.slice(f[0]!.span.start, f[0]!.span.start + 'region'.length), 'region');
  const main = MAIN('us');
  const server = r.roles.find((x) => x.kind === 'server')!.settings.find((s) => s.path === 'region')!;
  assert.equal(server.span.file, 'tf/main.tf');
  assert.equal(main.slice(server.span.start, server.span.start + 'region'.length), 'region');
  assert.equal(server.value, 'eu');
  // The same region on both sides is silent.
  assert.deepEqual(
    analyze('eu').findings.filter((x) => x.ruleId === 'region-mismatch'),
    [],
  );
});

test('cloud-init reader: only agent configs; encoded content skipped; a one-line quoted content; a document that is not cloud-config gives nothing', () => {
  const text = [
    '#cloud-config',
    'write_files:',
    '  - path: /etc/consul.d/gossip.json',
    '    content: \'{"encrypt": "x"}\'',
    '  - path: /etc/nomad.d/b64.hcl',
    '    encoding: b64',
    '    content: cmVnaW9uID0gImV1Ig==',
    '  - path: /etc/hosts',
    '    content: |',
    '      127.0.0.1 localhost',
    'packages:',
    '  - nomad',
    '',
  ].join('\n');
  const docs = cloudInitDocs(MappedText.identity('u.yaml', text), 'u.yaml', 'u', undefined);
  assert.deepEqual(
    docs.map((d) => [d.targetPath, d.text.text, d.format]),
    [['/etc/consul.d/gossip.json', '{"encrypt": "x"}', 'json']],
  );
  assert.equal(text.slice(docs[0]!.text.toHost(0, 1).start, docs[0]!.text.toHost(0, 1).start + 1), '{');
  assert.deepEqual(cloudInitDocs(MappedText.identity('u.yaml', text.replace('#cloud-config', '# not cloud')), 'u.yaml', 'u', undefined), []);
});

test('cloud-init runcmd runs after write_files: its sed -i fills the placeholders of the written config', () => {
  const ws = new Workspace('/t');
  const main = [
    'resource "aws_instance" "server" {',
    '  user_data = <<-EOF',
    '    #cloud-config',
    '    write_files:',
    '      - path: /etc/nomad.d/server.hcl',
    '        content: |',
    '          region = "eu"',
    '          server {',
    '            enabled = true',
    '          }',
    '  EOF',
    '}',
    'resource "aws_instance" "client" {',
    '  user_data = templatefile("${path.module}/cloud-init.yaml", { region = "eu" })',
    '}',
    '',
  ].join('\n');
  const yaml = (runcmd: string) =>
    [
      '#cloud-config',
      'write_files:',
      '- path: /etc/nomad.d/client.hcl',
      '  content: |',
      '    region = "REGION_PLACEHOLDER"',
      '    client {',
      '      enabled = true',
      '      servers = ["10.0.0.1"]',
      '    }',
      'runcmd:',
      runcmd,
      '- systemctl start nomad',
      '',
    ].join('\n');
  ws.setText('tf/main.tf', main);
  ws.setText('tf/cloud-init.yaml', yaml('- sed -i "s/REGION_PLACEHOLDER/${region}/" /etc/nomad.d/client.hcl'));
  const filled = ws.analyze();
  assert.deepEqual(
    filled.findings.filter((f) => f.ruleId === 'region-mismatch'),
    [],
  );
  const client = filled.roles.find((r) => r.kind === 'linux-client')!.settings.find((s) => s.path === 'region')!;
  assert.equal(client.value, 'eu');
  ws.setText('tf/cloud-init.yaml', yaml('- echo no sed'));
  assert.equal(ws.analyze().findings.filter((f) => f.ruleId === 'region-mismatch').length, 1);
});
