import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found in round 11 (docs/real-trees.md, "Round 11").

test('data "template_file" whose template is a heredoc joining several file() calls renders each of those scripts with its vars', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'variable "datacenter" {',
      '  default = "dc1"',
      '}',
      'variable "nomad_version" {',
      '  default = "0.10.2"',
      '}',
      'data "template_file" "server" {',
      '  count = "3"',
      '',
      '  template = <<EOF',
      '${file("${path.module}/templates/common.sh")}',
      '${file("${path.module}/templates/nomad-server.sh")}',
      'EOF',
      '',
      '  vars = {',
      '    datacenter    = "${var.datacenter}"',
      '    nomad_version = "${var.nomad_version}"',
      '    username      = "demo"',
      '  }',
      '}',
      'resource "google_compute_instance" "server" {',
      '  count                   = "3"',
      '  metadata_startup_script = "${element(data.template_file.server.*.rendered, count.index)}"',
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('templates/common.sh', '#!/bin/bash\nmkdir -p "/home/${username}/.cache"\n');
  ws.setText(
    'templates/nomad-server.sh',
    [
      '#!/bin/bash',
      'curl -o nomad.zip https://releases.hashicorp.com/nomad/${nomad_version}/nomad_${nomad_version}_linux_amd64.zip',
      'cat > /etc/nomad/server.hcl <<EOF',
      'datacenter = "${datacenter}"',
      'data_dir = "/var/lib/nomad"',
      'server {',
      '  enabled = true',
      '  bootstrap_expect = 3',
      '}',
      'EOF',
      '',
    ].join('\n'),
  );
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'server/nomad');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  assert.equal(role.settings.find((s) => s.path === 'datacenter')?.display, '"dc1"', JSON.stringify(role.settings.find((s) => s.path === 'datacenter')));
  // Every variable is used by one part of the joined template: no "passes … but never uses" finding.
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'template').map((f) => f.message),
    [],
  );
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'template-file-missing').map((f) => f.message),
    [],
  );
});
