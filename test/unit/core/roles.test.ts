import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { model, setting } from './helpers';

const ps = (file: string, body: string) => `$c = @'\n${body}\n'@\n$c | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\${file} -Encoding ascii\n`;
const sh = (target: string, body: string) => `#!/usr/bin/env bash\ncat <<'EOF' | sudo tee ${target}\n${body}\nEOF\n`;

test('roles: server / Linux client / Windows client, Nomad vs Consul', () => {
  const { m } = model({
    'shared/packer/scripts/server.sh':
      sh('/etc/nomad.d/nomad.hcl', 'server {\n  enabled = true\n}') + sh('/etc/consul.d/consul.hcl', 'server = true\nbootstrap_expect = 1'),
    'shared/packer/scripts/client.sh': sh('/etc/nomad.d/nomad.hcl', 'client {\n  enabled = true\n}') + sh('/etc/consul.d/consul.hcl', 'datacenter = "dc1"'),
    'shared/packer/scripts/client.ps1': ps('client.hcl', 'client {\n  enabled = true\n}'),
  });
  assert.deepEqual(
    m.roles.map((r) => r.id),
    ['server/consul', 'server/nomad', 'linux-client/consul', 'linux-client/nomad', 'windows-client/nomad'],
  );
  const win = m.configs.find((c) => c.kind === 'windows-client')!;
  assert.equal(win.doc.os, 'windows');
  assert.match(win.kindReason, /client on windows/);
  assert.equal(m.configs.find((c) => c.kind === 'server' && c.product === 'nomad')!.kindReason, 'server mode is enabled');
});

test("roles: /etc/nomad.d/consul.hcl is Nomad's consul block, not a Consul agent", () => {
  const { m } = model({
    'shared/packer/scripts/client.sh':
      sh('/etc/nomad.d/consul.hcl', 'consul {\n  address = "127.0.0.1:8500"\n}') + sh('/etc/nomad.d/nomad.hcl', 'client {\n  enabled = true\n}'),
  });
  assert.deepEqual(
    m.roles.map((r) => r.id),
    ['linux-client/nomad'],
  );
  assert.equal(setting(m, 'linux-client/nomad', 'consul.address')!.value, '127.0.0.1:8500');
});

test('roles: a config file whose name says server, without server { enabled }', () => {
  const { m } = model({ 'shared/packer/config/nomad_server.hcl': 'data_dir = "/opt/nomad/data"\nbind_addr = "0.0.0.0"\n' });
  assert.equal(m.configs[0]!.kind, 'server');
  assert.equal(m.configs[0]!.kindReason, 'file name says server');
});

test('roles: .hashistack-review.json overrides the inferred role', () => {
  const files = {
    'shared/packer/config/base.hcl': 'datacenter = "dc1"\nclient {\n  enabled = true\n}\n',
    '.hashistack-review.json': JSON.stringify({ roles: [{ path: 'shared/packer/config/base.hcl', kind: 'windows-client', product: 'nomad' }] }),
  };
  const { m, r } = model(files);
  assert.deepEqual(r.configErrors, []);
  assert.equal(m.configs[0]!.kind, 'windows-client');
  assert.equal(m.configs[0]!.kindReason, 'declared in .hashistack-review.json');
  assert.equal(m.configs[0]!.productReason, 'declared in .hashistack-review.json');
});

test('roles: a bad .hashistack-review.json is an error naming the field, not a crash', () => {
  const bad = model({
    'shared/packer/config/nomad.hcl': 'data_dir = "/opt/nomad/data"\nclient {\n  enabled = true\n}\n',
    '.hashistack-review.json': JSON.stringify({ roles: [{ path: 'x.hcl', kind: 'desktop' }] }),
  });
  assert.ok(
    bad.r.configErrors.some((e) => /^\.hashistack-review\.json: roles\.0\.kind: must be one of/.test(e)),
    JSON.stringify(bad.r.configErrors),
  );
  assert.equal(bad.m.configs[0]!.kind, 'linux-client', 'falls back to inference');
  const unknownField = model({ '.hashistack-review.json': JSON.stringify({ rulez: {} }) });
  assert.ok(
    unknownField.r.configErrors.some((e) => /unknown field "rulez"/.test(e)),
    JSON.stringify(unknownField.r.configErrors),
  );
  const notJson = model({ '.hashistack-review.json': '{ roles: ' });
  assert.ok(notJson.r.configErrors.some((e) => /not valid JSON/.test(e)));
});

test('roles: Nomad load order: later file (byte order of names) wins for scalars, client.servers is appended', () => {
  const { m } = model({
    'shared/packer/scripts/client.ps1':
      ps('10-client.hcl', 'datacenter = "dc1"\nclient {\n  enabled = true\n  servers = ["10.0.1.10:4647"]\n}') +
      ps('20-override.hcl', 'datacenter = "dc2"\nclient {\n  servers = ["10.0.1.11:4647"]\n}'),
  });
  assert.equal(setting(m, 'windows-client/nomad', 'datacenter')!.value, 'dc2');
  assert.deepEqual(setting(m, 'windows-client/nomad', 'client.servers')!.value, ['10.0.1.10:4647', '10.0.1.11:4647']);
  const role = m.roles.find((r) => r.id === 'windows-client/nomad')!;
  assert.deepEqual(
    role.configs.map((c) => c.doc.targetPath),
    ['C:\\HashiCorp\\Nomad\\config\\10-client.hcl', 'C:\\HashiCorp\\Nomad\\config\\20-override.hcl'],
  );
  assert.equal(role.allEntries.filter((e) => e.path === 'datacenter').length, 2);
});

test('roles: server_join.retry_join lists replace across files (not appended)', () => {
  const { m } = model({
    'shared/packer/scripts/client.sh':
      sh('/etc/nomad.d/a.hcl', 'client {\n  enabled = true\n  server_join {\n    retry_join = ["10.0.1.10"]\n  }\n}') +
      sh('/etc/nomad.d/b.hcl', 'client {\n  server_join {\n    retry_join = ["10.0.1.11"]\n  }\n}'),
  });
  assert.deepEqual(setting(m, 'linux-client/nomad', 'client.server_join.retry_join')!.value, ['10.0.1.11']);
});

test('roles: load order is byte order (Go sort.Strings), so "Z.hcl" loads before "a.hcl"', () => {
  const { m } = model({
    'shared/packer/scripts/client.sh':
      sh('/etc/nomad.d/a.hcl', 'datacenter = "from-a"\nclient {\n  enabled = true\n}') + sh('/etc/nomad.d/Z.hcl', 'datacenter = "from-Z"'),
  });
  assert.equal(setting(m, 'linux-client/nomad', 'datacenter')!.value, 'from-a');
});

test('roles: a consul-template config installed beside the agents is not a Consul agent config', () => {
  const ct = 'vault {\n  address = "http://active.vault.service.consul:8200"\n}\nsyslog {\n  enabled = true\n}\nacl = {\n  enabled = true\n}\n';
  const consul = 'data_dir = "/opt/consul/data"\nretry_join = ["10.0.0.1"]\nacl {\n  enabled = true\n}\n';
  const sh =
    '#!/bin/bash\nCONFIGDIR=/ops/shared/config\nsudo cp $CONFIGDIR/consul_client.hcl /etc/consul.d/consul.hcl\nsudo cp $CONFIGDIR/consul-template.hcl /etc/consul-template.d/consul-template.hcl\n';
  const { m, r } = model({ 'shared/config/consul-template.hcl': ct, 'shared/config/consul_client.hcl': consul, 'shared/scripts/client.sh': sh });
  assert.deepEqual(
    m.configs.map((c) => c.doc.targetPath),
    ['/etc/consul.d/consul.hcl'],
  );
  assert.deepEqual(
    r.findings.filter((f) => ['unknown-config-key', 'duplicate-config-key'].includes(f.ruleId)).map((f) => f.message),
    [],
  );
  // Standalone (not installed by any script): not an agent config either.
  const alone = model({ 'shared/config/consul-template.hcl': ct });
  assert.deepEqual(alone.m.configs.length, 0);
});

test('roles: a shared file of a config directory kept in the tree is loaded by every agent whose config is there or below', () => {
  const files = {
    'nomad.d/global.hcl': 'acl {\n  enabled = true\n}\ntls {\n  rpc = true\n}\n',
    'nomad.d/linux.hcl': 'client {\n  options {\n    "user.denylist" = "root"\n  }\n}\ndata_dir = "/opt/nomad/data"\n',
    'nomad.d/windows.hcl': 'data_dir = "c:\\\\opt\\\\nomad\\\\data"\nclient {\n  enabled = true\n}\n',
    'nomad.d/role/server.hcl': 'server {\n  enabled = true\n  bootstrap_expect = 3\n}\n',
    'nomad.d/role/client.hcl': 'client {\n  enabled = true\n}\n',
  };
  const { m, r } = model(files);
  const filesOf = (id: string) => m.roles.find((x) => x.id === id)!.configs.map((c) => c.doc.hostFile);
  assert.deepEqual(filesOf('server/nomad'), ['nomad.d/global.hcl', 'nomad.d/linux.hcl', 'nomad.d/role/server.hcl']);
  assert.deepEqual(filesOf('linux-client/nomad'), ['nomad.d/role/client.hcl', 'nomad.d/global.hcl', 'nomad.d/linux.hcl']);
  // linux.hcl names its OS: not loaded on Windows.
  assert.deepEqual(filesOf('windows-client/nomad'), ['nomad.d/global.hcl', 'nomad.d/windows.hcl']);
  assert.equal(setting(m, 'server/nomad', 'acl.enabled')!.value, true);
  assert.equal(setting(m, 'windows-client/nomad', 'tls.rpc')!.value, true);
  assert.match(m.configs.find((c) => c.doc.hostFile === 'nomad.d/global.hcl')!.kindReason, /shared file of the config directory nomad\.d/);
  assert.deepEqual(
    r.findings.filter((f) => ['acl-enabled-mismatch', 'tls-rpc-mismatch'].includes(f.ruleId)).map((f) => f.message),
    [],
  );
});

test('roles: a mode-less tree file whose name says server or client keeps the role its name gives', () => {
  const { m } = model({
    'config/nomad_server.hcl': 'data_dir = "/opt/nomad/data"\nbind_addr = "0.0.0.0"\n',
    'config/client-common.hcl': 'data_dir = "/opt/nomad/data"\nbind_addr = "0.0.0.0"\n',
    'config/server.hcl': 'server {\n  enabled = true\n}\n',
    'config/client.hcl': 'client {\n  enabled = true\n}\n',
  });
  const byFile = (f: string) => m.configs.find((c) => c.doc.hostFile === f)!;
  assert.equal(byFile('config/nomad_server.hcl').kind, 'server');
  assert.equal(byFile('config/nomad_server.hcl').alsoKinds, undefined);
  assert.equal(byFile('config/client-common.hcl').kind, 'linux-client');
  assert.equal(byFile('config/client-common.hcl').alsoKinds, undefined);
});

test('roles: merge variants are one agent each; the fixed inputs of the merge join every variant', () => {
  const sh = [
    '#!/usr/bin/env bash',
    'consul_type="$(cat ../data/input/consul_type)"',
    'cat > ../conf/consul_base.json <<EOF',
    '{ "encrypt": "k", "datacenter": "dc1", "data_dir": "/opt/consul/data" }',
    'EOF',
    'cat > ../conf/consul_master.json <<EOF',
    '{ "server": true, "bootstrap_expect": 3, "retry_join": ["10.0.0.1"] }',
    'EOF',
    'cat > ../conf/consul_slave.json <<EOF',
    '{ "retry_join": ["10.0.0.1"], "ui": true }',
    'EOF',
    './json_merge ../conf/consul_base.json "../conf/consul_${consul_type}.json" > ../conf/consul.json',
    '',
  ].join('\n');
  const { m } = model({ 'scripts/consul_configure.sh': sh });
  const filesOf = (id: string) => m.roles.find((x) => x.id === id)!.configs.map((c) => c.doc.targetPath);
  assert.deepEqual(
    m.roles.map((r) => r.id),
    ['server/consul', 'linux-client/consul'],
  );
  assert.deepEqual(filesOf('server/consul'), ['../conf/consul_base.json', '../conf/consul_master.json']);
  assert.deepEqual(filesOf('linux-client/consul'), ['../conf/consul_base.json', '../conf/consul_slave.json']);
  assert.equal(setting(m, 'linux-client/consul', 'encrypt')!.value, 'k');
  assert.match(m.configs.find((c) => c.doc.targetPath === '../conf/consul_base.json')!.kindReason, /variants of consul_\$\{consul_type\}\.json/);
});
