import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

const heredoc = (dc: string, mode: string) =>
  [
    '#!/bin/bash',
    'cat > /etc/nomad.d/nomad.hcl <<EOF',
    `datacenter = "${dc}"`,
    'data_dir = "/opt/nomad"',
    `${mode} {`,
    '  enabled = true',
    '}',
    'EOF',
    '',
  ].join('\n');

test('a module called twice renders its template once per call, each with its own inputs', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'env/main.tf',
    [
      'module "servers" {',
      '  source   = "../modules/stack"',
      '  template = "server.sh.tpl"',
      '  dc       = "dc-servers"',
      '}',
      'module "clients" {',
      '  source   = "../modules/stack"',
      '  template = "client.sh.tpl"',
      '  dc       = "dc-clients"',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText(
    'modules/stack/main.tf',
    [
      'variable "template" {}',
      'variable "dc" {}',
      'resource "aws_instance" "node" {',
      '  user_data = templatefile("${path.module}/${var.template}", { dc = var.dc })',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('modules/stack/server.sh.tpl', heredoc('${dc}', 'server'));
  ws.setText('modules/stack/client.sh.tpl', heredoc('${dc}', 'client'));
  const r = ws.analyze();
  const dc = (id: string) => r.roles.find((x) => x.id === id)?.settings.find((s) => s.path === 'datacenter');
  assert.equal(dc('server/nomad')?.value, 'dc-servers', JSON.stringify(r.roles.map((x) => x.id)));
  const client = dc('linux-client/nomad');
  assert.equal(client?.value, 'dc-clients', 'the second call renders the client template with its own dc');
  assert.ok(client!.chain.some((s) => s.note === 'module "clients" passes dc'));
});

test('a module called once keeps one render (no change for single-instance trees)', () => {
  const ws = new Workspace('/t');
  ws.setText('env/main.tf', 'module "one" {\n  source = "../modules/stack"\n  template = "client.sh.tpl"\n  dc = "dc1"\n}\n');
  ws.setText(
    'modules/stack/main.tf',
    'variable "template" {}\nvariable "dc" {}\nresource "aws_instance" "n" {\n  user_data = templatefile("${path.module}/${var.template}", { dc = var.dc })\n}\n',
  );
  ws.setText('modules/stack/client.sh.tpl', heredoc('${dc}', 'client'));
  const r = ws.analyze();
  assert.equal(r.roles.find((x) => x.id === 'linux-client/nomad')?.settings.find((s) => s.path === 'datacenter')?.value, 'dc1');
  assert.equal(ws.model!.renders.length, 1);
});
