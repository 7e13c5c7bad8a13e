import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';

const RULE = 'acl-nomad-consul-token-missing';
const AGENT = '5b7ea2a4-1f6c-4b4e-9a77-0b5d2c2f4c11';
const NOMAD_TOKEN = '7d1c0c55-2b9e-4f0e-8a41-3c9f6a2b1e07';

const DENY = `acl {\n  enabled        = true\n  default_policy = "deny"\n  tokens {\n    agent = "${AGENT}"\n  }\n}`;
const CLIENT_ACL = `acl {\n  enabled = true\n  tokens {\n    agent = "${AGENT}"\n  }\n}`;

const bash = (consul: string, nomad: string, after = '') =>
  `#!/bin/bash\ncat <<EOF | sudo tee /etc/consul.d/consul.hcl\ndatacenter = "dc1"\ndata_dir = "/opt/consul"\n${consul}\nEOF\ncat <<EOF | sudo tee /etc/nomad.d/nomad.hcl\ndata_dir = "/opt/nomad"\n${nomad}\nEOF\n${after}`;
const ps = (consul: string, nomad: string) =>
  `$c = @"\ndatacenter = "dc1"\ndata_dir = "C:/HashiCorp/Consul/data"\n${consul}\n"@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Consul\\config\\consul.hcl", $c, [Text.UTF8Encoding]::new($false))\n$n = @"\ndata_dir = "C:/HashiCorp/Nomad/data"\n${nomad}\n"@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\config\\nomad.hcl", $n, [Text.UTF8Encoding]::new($false))\n`;

const SERVER_NOMAD = 'server {\n  enabled = true\n}';
const CLIENT_NOMAD = 'client {\n  enabled = true\n}';
const withToken = (body: string) => `${body}\nconsul {\n  token = "${NOMAD_TOKEN}"\n}`;

function run(files: Record<string, string>) {
  const ws = new Workspace('/t');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return r.findings.filter((x) => x.ruleId === RULE);
}

const tree = (o: { policy?: string; server?: string; linux?: string; windows?: string; linuxConsul?: string; after?: string }) => ({
  'scripts/server.sh': bash(`server = true\n${o.policy ?? DENY}`, o.server ?? SERVER_NOMAD),
  'scripts/client.sh': bash(o.linuxConsul ?? CLIENT_ACL, o.linux ?? CLIENT_NOMAD, o.after),
  'scripts/client.ps1': ps(CLIENT_ACL, o.windows ?? CLIENT_NOMAD),
});

test('acl-nomad-consul-token-missing: Consul denies by default and no Nomad agent has a Consul token: one error per Nomad role, with the 403', () => {
  const f = run(tree({}));
  assert.deepEqual(f.map((x) => x.span.file).sort(), ['scripts/client.ps1', 'scripts/client.sh', 'scripts/server.sh']);
  for (const x of f) {
    assert.equal(x.severity, 'error');
    assert.match(x.message, /failed to update services in Consul/);
    assert.match(x.message, /Unexpected response code: 403 \(Permission denied\)/);
    assert.ok(x.related.some((rel) => rel.span.file === 'scripts/server.sh'));
    assert.doesNotMatch(x.message, new RegExp(AGENT));
  }
  assert.match(f.find((x) => x.span.file === 'scripts/server.sh')!.message, /no Nomad Servers advertising service/);
});

test('acl-nomad-consul-token-missing: fixed — consul.token on every Nomad agent — is silent', () => {
  assert.deepEqual(run(tree({ server: withToken(SERVER_NOMAD), linux: withToken(CLIENT_NOMAD), windows: withToken(CLIENT_NOMAD) })), []);
  // Only the side that has it is covered.
  assert.deepEqual(
    run(tree({ server: withToken(SERVER_NOMAD), linux: withToken(CLIENT_NOMAD) })).map((x) => x.span.file),
    ['scripts/client.ps1'],
  );
});

test('acl-nomad-consul-token-missing: a default token on the local Consul agent, CONSUL_HTTP_TOKEN, or auto_advertise = false also cover it', () => {
  const linuxDefault = `acl {\n  enabled = true\n  tokens {\n    agent   = "${AGENT}"\n    default = "${AGENT}"\n  }\n}`;
  assert.deepEqual(run(tree({ server: withToken(SERVER_NOMAD), windows: withToken(CLIENT_NOMAD), linuxConsul: linuxDefault })), []);
  assert.deepEqual(
    run(tree({ server: withToken(SERVER_NOMAD), windows: withToken(CLIENT_NOMAD), after: 'echo "CONSUL_HTTP_TOKEN=$TOKEN" >> /etc/nomad.d/nomad.env\n' })),
    [],
  );
  assert.deepEqual(
    run(tree({ server: withToken(SERVER_NOMAD), windows: withToken(CLIENT_NOMAD), linux: `${CLIENT_NOMAD}\nconsul {\n  auto_advertise = false\n}` })),
    [],
  );
});

test('acl-nomad-consul-token-missing: Consul servers that allow by default, or no ACLs, are silent', () => {
  assert.deepEqual(run(tree({ policy: 'acl {\n  enabled        = true\n  default_policy = "allow"\n}' })), []);
  assert.deepEqual(run(tree({ policy: '' })), []);
});

test('acl-nomad-consul-token-missing: the local Consul agent is the one the same script writes (Nomad servers running a Consul client with a default token)', () => {
  const consulClientWithDefault = `acl {\n  enabled = true\n  tokens {\n    default = "${AGENT}"\n  }\n}`;
  const files = {
    'scripts/consul-server.sh': `#!/bin/bash\ncat <<EOF | sudo tee /etc/consul.d/consul.hcl\nserver = true\n${DENY}\nEOF\n`,
    'scripts/nomad-server.sh': bash(consulClientWithDefault, SERVER_NOMAD),
  };
  assert.deepEqual(run(files), []);
  // Without the default token on that Consul client, the Nomad server is reported.
  const f = run({ ...files, 'scripts/nomad-server.sh': bash(CLIENT_ACL, SERVER_NOMAD) });
  assert.deepEqual(
    f.map((x) => x.span.file),
    ['scripts/nomad-server.sh'],
  );
});
