import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { launchSettings } from '../../../server/src/core/agent/launchFlags';
import type { LaunchFlagInput } from '../../../server/src/core/agent/launchFlags';
import { isSecretSettingPath } from '../../../server/src/core/secrets';
import { model, setting } from './helpers';

const span = { file: 'x', start: 0, end: 1 };
const flag = (name: string, value: string, more: Partial<LaunchFlagInput> = {}): LaunchFlagInput => ({ name, value, span, resolved: value, eq: true, ...more });
const byPath = (product: 'nomad' | 'consul', flags: LaunchFlagInput[]) => Object.fromEntries(launchSettings(product, flags).map((s) => [s.path, s.value]));

test('launch flags: Nomad flags map to their config settings (command/agent/command.go readConfig)', () => {
  assert.deepEqual(
    byPath('nomad', [
      flag('server', '', { bare: true, resolved: '' }),
      flag('bootstrap-expect', '3'),
      flag('servers', 'a:4647,b:4647'),
      flag('retry-join', 'x'),
      flag('retry-join', 'y', { eq: false }),
      flag('dc', 'east'),
      flag('node', 'n1'),
      flag('acl-enabled', 'false'),
      flag('meta', 'k=v'),
    ]),
    {
      'server.enabled': true,
      'server.bootstrap_expect': 3,
      'client.servers': ['a:4647', 'b:4647'],
      'server.server_join.retry_join': ['x', 'y'],
      datacenter: 'east',
      name: 'n1',
      'acl.enabled': false,
    },
  );
});

test('launch flags: a boolean flag takes a value only as -flag=value; Consul -client is the client address', () => {
  // `-client 0.0.0.0` for Nomad: a boolean flag, the next word is not its value.
  assert.deepEqual(byPath('nomad', [flag('client', '0.0.0.0', { eq: false })]), { 'client.enabled': true });
  assert.deepEqual(byPath('consul', [flag('client', '0.0.0.0', { eq: false }), flag('server', '', { bare: true, resolved: '' })]), {
    client_addr: '0.0.0.0',
    server: true,
  });
  assert.deepEqual(byPath('consul', [flag('bootstrap-expect', 'three')]), { bootstrap_expect: undefined });
});

test('launch flags: the server unit and the client unit of one machine each give their own role (mode flags)', () => {
  const unit = (exec: string) => `[Service]\nExecStart=${exec}\n`;
  const sh = (target: string, body: string) => `cat <<'EOF' | sudo tee ${target}\n${body}\nEOF\n`;
  const { m } = model({
    'scripts/server.sh': `#!/usr/bin/env bash\n${sh('/etc/nomad.d/server.hcl', 'server {\n  enabled = true\n}')}`,
    'scripts/client.sh': `#!/usr/bin/env bash\n${sh('/etc/nomad.d/client.hcl', 'client {\n  enabled = true\n}')}`,
    'config/nomad-server.service': unit('/usr/bin/nomad agent -server -config=/etc/nomad.d -bootstrap-expect=3 -dc=east'),
    'config/nomad-client.service': unit('/usr/bin/nomad agent -client -config=/etc/nomad.d -servers=10.0.0.1 -dc=west'),
  });
  assert.equal(setting(m, 'server/nomad', 'server.bootstrap_expect')!.value, 3);
  assert.equal(setting(m, 'server/nomad', 'datacenter')!.value, 'east');
  assert.equal(setting(m, 'server/nomad', 'client.servers'), undefined);
  assert.deepEqual(setting(m, 'linux-client/nomad', 'client.servers')!.value, ['10.0.0.1']);
  assert.equal(setting(m, 'linux-client/nomad', 'datacenter')!.value, 'west');
  assert.equal(setting(m, 'linux-client/nomad', 'server.bootstrap_expect'), undefined);
});

test('launch flags: two launch lines that may start the role and disagree leave the setting unknown', () => {
  const unit = (exec: string) => `[Service]\nExecStart=${exec}\n`;
  const { m } = model({
    'scripts/client.sh': `#!/usr/bin/env bash\ncat <<'EOF' | sudo tee /etc/nomad.d/client.hcl\ndatacenter = "dc1"\nclient {\n  enabled = true\n}\nEOF\n`,
    'config/a/nomad.service': unit('/usr/bin/nomad agent -config=/etc/nomad.d -dc=east'),
    'config/b/nomad.service': unit('/usr/bin/nomad agent -config=/etc/nomad.d'),
  });
  const dc = setting(m, 'linux-client/nomad', 'datacenter')!;
  assert.equal(dc.value, undefined);
  assert.match(dc.unknownReason ?? '', /-dc is passed by .* but not by .*which of them starts this agent is not known/);
});

test('launch flags: the secrets a launch line may carry are secret settings', () => {
  for (const [product, name] of [
    ['nomad', 'encrypt'],
    ['nomad', 'consul-token'],
    ['nomad', 'consul-auth'],
    ['nomad', 'vault-token'],
    ['nomad', 'acl-replication-token'],
    ['consul', 'encrypt'],
  ] as const) {
    const s = launchSettings(product, [flag(name, 'x')]);
    assert.equal(s.length, 1, name);
    assert.ok(isSecretSettingPath(s[0]!.path), `${product} -${name} → ${s[0]!.path}`);
  }
});

test('launch flags: a config that states no mode takes the mode of the launch lines that load it (consul agent -server)', () => {
  const unit = (exec: string) => `[Service]\nExecStart=${exec}\n`;
  const files = {
    'scripts/consul.sh': `#!/usr/bin/env bash\ncat <<'EOF' | sudo tee /etc/consul.d/connect.hcl\ndatacenter = "dc1"\nEOF\n`,
    'config/consul.service': unit('/usr/bin/consul agent -server -bootstrap-expect=3 -config-dir=/etc/consul.d'),
  };
  const { m } = model(files);
  assert.deepEqual(
    m.roles.map((r) => r.id),
    ['server/consul'],
  );
  assert.match(m.roles[0]!.configs[0]!.kindReason, /started with -server by the systemd unit launch line of the consul service "consul"/);
  assert.equal(setting(m, 'server/consul', 'bootstrap_expect')!.value, 3);
  // Without -server it is a client (Consul's default mode).
  const client = model({ ...files, 'config/consul.service': unit('/usr/bin/consul agent -config-dir=/etc/consul.d') }).m;
  assert.deepEqual(
    client.roles.map((r) => r.id),
    ['linux-client/consul'],
  );
});

test('launch flags: a shared file loaded by a -server and a -client launch line keeps its roles', () => {
  const unit = (exec: string) => `[Service]\nExecStart=${exec}\n`;
  const { m } = model({
    'nomad.d/global.hcl': 'datacenter = "dc1"\nacl {\n  enabled = true\n}\n',
    'nomad.d/role/server.hcl': 'server {\n  enabled = true\n}\n',
    'nomad.d/role/client.hcl': 'client {\n  enabled = true\n}\n',
    'config/nomad-server.service': unit('/usr/bin/nomad agent -server -config=/etc/nomad.d -config=/etc/nomad.d/role/server.hcl'),
    'config/nomad-client.service': unit('/usr/bin/nomad agent -client -config=/etc/nomad.d -config=/etc/nomad.d/role/client.hcl'),
  });
  const global = (id: string) => m.roles.find((r) => r.id === id)!.configs.some((c) => c.doc.hostFile === 'nomad.d/global.hcl');
  assert.ok(global('server/nomad'));
  assert.ok(global('linux-client/nomad'));
});
