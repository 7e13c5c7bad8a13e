import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import { shellFunctions } from '../../../server/src/core/scripts/bashModel';

// Shapes found on the round-8b real trees (docs/real-trees.md, "Round 8b").

// One boot script for every machine: a `case` on the machine's role calls functions that write heredoc configs; a
// helper every arm calls writes the file that carries the shared settings (datacenter, gossip key, data_dir).
const script = [
  '#!/bin/bash',
  'ROLE="$1"',
  '',
  'write_consul_common() {',
  '  cat > /etc/consul.d/common.hcl <<EOF',
  'datacenter = "dc1"',
  'data_dir = "/opt/consul"',
  'acl {',
  '  enabled = true',
  '}',
  'EOF',
  '  systemctl restart consul',
  '}',
  '',
  'consul_server() {',
  '  cat > /etc/consul.d/server.hcl <<EOF',
  'server = true',
  'bootstrap_expect = 3',
  'EOF',
  '  write_consul_common',
  '}',
  '',
  'nomad_common() {',
  '  write_consul_common',
  '  cat > /etc/nomad.d/common.hcl <<EOF',
  'data_dir = "/opt/nomad"',
  'consul {',
  '  address = "127.0.0.1:8500"',
  '}',
  'EOF',
  '}',
  '',
  'nomad_server() {',
  '  cat > /etc/nomad.d/server.hcl <<EOF',
  'server {',
  '  enabled = true',
  '}',
  'EOF',
  '  nomad_common',
  '}',
  '',
  'nomad_client() {',
  '  cat > /etc/nomad.d/client.hcl <<EOF',
  'client {',
  '  enabled = true',
  '}',
  'EOF',
  '  nomad_common',
  '}',
  '',
  'case $ROLE in',
  '  consul)',
  '    consul_server',
  '    ;;',
  '  nomad)',
  '    nomad_server',
  '    ;;',
  '  *)',
  '    nomad_client',
  '    ;;',
  'esac',
  '',
].join('\n');

test('bash: a file a role-dispatching script writes from a helper every case arm calls belongs to the role of each arm (real tree, round 8b)', () => {
  // Was: the shared Consul file folded into the Consul server role only (no Consul client role at all, although the
  // Nomad arms run a Consul client with the same file), and the shared Nomad file in the client role only.
  const ws = new Workspace('/x');
  ws.setText('boot.sh', script);
  const r = ws.analyze();
  assert.deepEqual(
    r.roles.map((x) => x.id),
    ['server/consul', 'server/nomad', 'linux-client/consul', 'linux-client/nomad'],
  );
  const role = (id: string) => ws.model!.roles.find((x) => x.id === id)!;
  assert.equal(role('linux-client/consul').settings.get('datacenter')?.value, 'dc1');
  assert.equal(role('server/consul').settings.get('datacenter')?.value, 'dc1');
  assert.equal(role('server/nomad').settings.get('data_dir')?.value, '/opt/nomad');
  assert.equal(role('linux-client/nomad').settings.get('data_dir')?.value, '/opt/nomad');
  // The shared file is one document: one finding per mistake, not one per role.
  assert.equal(ws.model!.configs.filter((c) => c.doc.targetPath === '/etc/consul.d/common.hcl').length, 1);
});

test('bash: a closing brace inside a heredoc body does not end the shell function that writes it', () => {
  const text = 'f() {\n  cat > /etc/nomad.d/a.hcl <<EOF\nclient {\n  enabled = true\n}\nEOF\n  echo done\n}\n';
  const body = text.indexOf('client {');
  const fns = shellFunctions(text, [{ bodyStart: body, bodyEnd: text.indexOf('EOF\n  echo') }]);
  assert.deepEqual(
    fns.map((f) => text.slice(f.bodyEnd, f.bodyEnd + 2)),
    ['}\n'],
  );
  assert.ok(fns[0]!.bodyEnd > text.indexOf('echo done'));
});
