import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workspace } from '../../../server/src/core/engine';

const runNomad = [
  '#!/bin/bash',
  'set -e',
  'cat > /etc/nomad.d/default.hcl <<EOF',
  'datacenter = "dc1"',
  'data_dir = "/opt/nomad/data"',
  'enable_syslog = true',
  'client {',
  '  enabled = true',
  '}',
  'EOF',
  '',
].join('\n');

test('an extension-less shell script (run-nomad) is discovered from disk and analysed', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hsr-noext-'));
  mkdirSync(path.join(root, 'modules/run-nomad'), { recursive: true });
  writeFileSync(path.join(root, 'modules/run-nomad/run-nomad'), runNomad);
  writeFileSync(path.join(root, 'modules/run-nomad/LICENSE'), 'MIT\n');
  writeFileSync(path.join(root, 'modules/run-nomad/notes'), 'plain text, no shebang\n');
  const ws = await Workspace.load(root);
  assert.deepEqual(ws.files(), ['modules/run-nomad/run-nomad']);
  const r = ws.analyze();
  assert.deepEqual(
    r.roles.map((x) => x.id),
    ['linux-client/nomad'],
  );
});

test('a .tpl user-data that is a bash script is analysed as one (its heredoc becomes an agent config)', () => {
  const ws = new Workspace('/t');
  ws.setText('main.tf', 'resource "aws_instance" "c" {\n  user_data = templatefile("${path.module}/user-data.tpl", { dc = "dc1" })\n}\n');
  ws.setText(
    'user-data.tpl',
    '#!/bin/bash\ncat > /etc/nomad.d/client.hcl <<EOF\ndatacenter = "${dc}"\ndata_dir = "/opt/nomad/data"\nclient {\n  enabled = true\n}\nEOF\n',
  );
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'linux-client/nomad');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  const dc = role.settings.find((s) => s.path === 'datacenter')!;
  assert.equal(dc.value, 'dc1');
  assert.ok(dc.chain.some((s) => s.note.includes('templatefile() passes dc')));
});

test('a .tpl PowerShell user-data (<powershell>) is analysed as PowerShell', () => {
  const ws = new Workspace('/t');
  ws.setText('main.tf', 'resource "aws_instance" "w" {\n  user_data = templatefile("${path.module}/win.tpl", {})\n}\n');
  ws.setText(
    'win.tpl',
    '<powershell>\n$c = @"\ndatacenter = "dc1"\ndata_dir = "C:/n"\nclient {\n  enabled = true\n}\n"@\n$c | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii\n</powershell>\n',
  );
  const r = ws.analyze();
  assert.ok(
    r.roles.some((x) => x.id === 'windows-client/nomad'),
    JSON.stringify(r.roles.map((x) => x.id)),
  );
});
