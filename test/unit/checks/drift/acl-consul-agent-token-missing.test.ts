import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';

const RULE = 'acl-consul-agent-token-missing';
const TOKEN = '5b7ea2a4-1f6c-4b4e-9a77-0b5d2c2f4c11';

const server = (acl: string) =>
  `#!/bin/bash\ncat <<EOF | sudo tee /etc/consul.d/consul.hcl\ndatacenter = "dc1"\ndata_dir   = "/opt/consul/data"\nserver     = true\n${acl}\nEOF\n`;
const linux = (acl: string, after = '') =>
  `#!/bin/bash\ncat <<EOF | sudo tee /etc/consul.d/consul.hcl\ndatacenter = "dc1"\ndata_dir   = "/opt/consul/data"\n${acl}\nEOF\n${after}`;
const windows = (acl: string, after = '') =>
  `$c = @"\ndatacenter = "dc1"\ndata_dir = "C:/HashiCorp/Consul/data"\n${acl}\n"@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Consul\\config\\consul.hcl", $c, [Text.UTF8Encoding]::new($false))\n${after}`;

const DENY = `acl {\n  enabled        = true\n  default_policy = "deny"\n  tokens {\n    agent = "${TOKEN}"\n  }\n}`;
const DENY_NO_SERVER_TOKEN = 'acl {\n  enabled        = true\n  default_policy = "deny"\n}';
const ALLOW = 'acl {\n  enabled        = true\n  default_policy = "allow"\n}';
const CLIENT_NO_TOKEN = 'acl {\n  enabled = true\n}';
const CLIENT_TOKEN = `acl {\n  enabled = true\n  tokens {\n    agent = "${TOKEN}"\n  }\n}`;

function run(srv: string, lin: string, win: string) {
  const ws = new Workspace('/t');
  ws.setText('scripts/server.sh', srv);
  ws.setText('scripts/client.sh', lin);
  ws.setText('scripts/client.ps1', win);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  const all = r.findings.filter((x) => x.ruleId === RULE);
  return { r, f: all.filter((x) => x.span.file !== 'scripts/server.sh'), onServer: all.filter((x) => x.span.file === 'scripts/server.sh') };
}

test('acl-consul-agent-token-missing: servers deny by default, no client has an agent token: one error per client, with the log lines', () => {
  const lin = linux(CLIENT_NO_TOKEN);
  const win = windows(CLIENT_NO_TOKEN);
  const { f } = run(server(DENY), lin, win);
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  for (const x of f) {
    assert.equal(x.severity, 'error');
    assert.equal(x.category, 'acl');
    assert.match(x.message, /Node info update blocked by ACLs/);
    assert.match(x.message, /Coordinate update blocked by ACLs/);
    assert.match(x.message, /default_policy = "deny"/);
    assert.ok(
      x.related.some((rel) => rel.span.file === 'scripts/server.sh'),
      "points at the servers' default_policy",
    );
  }
  assert.deepEqual(f.map((x) => x.span.file).sort(), ['scripts/client.ps1', 'scripts/client.sh']);
});

test('acl-consul-agent-token-missing: fixed (agent or default token in the config, under any key case) is silent', () => {
  assert.equal(run(server(DENY), linux(CLIENT_TOKEN), windows(CLIENT_TOKEN)).f.length, 0);
  const def = CLIENT_TOKEN.replace('agent =', 'default =');
  assert.equal(run(server(DENY), linux(def), windows(def)).f.length, 0);
  const legacy = `acl_agent_token = "${TOKEN}"`;
  assert.equal(run(server(DENY), linux(legacy), windows(legacy)).f.length, 0);
  const upper = CLIENT_TOKEN.replace('tokens {\n    agent', 'Tokens {\n    Agent');
  assert.equal(run(server(DENY), linux(upper), windows(upper)).f.length, 0);
});

test('acl-consul-agent-token-missing: a token handed over at boot (consul acl set-agent-token, the agent token API) counts', () => {
  const linSet = linux(CLIENT_NO_TOKEN, `consul acl set-agent-token agent "$AGENT_TOKEN"\n`);
  const winSet = windows(
    CLIENT_NO_TOKEN,
    `Invoke-RestMethod -Method Put -Uri "http://127.0.0.1:8500/v1/agent/token/agent" -Body (@{ Token = $AgentToken } | ConvertTo-Json)\n`,
  );
  assert.equal(run(server(DENY), linSet, winSet).f.length, 0);
  // Only the side that sets it is covered.
  const { f } = run(server(DENY), linSet, windows(CLIENT_NO_TOKEN));
  assert.deepEqual(
    f.map((x) => x.span.file),
    ['scripts/client.ps1'],
  );
});

test('acl-consul-agent-token-missing: servers that allow by default, or no ACLs, are silent; legacy acl_datacenter + acl_default_policy fires', () => {
  assert.equal(run(server(ALLOW), linux(CLIENT_NO_TOKEN), windows(CLIENT_NO_TOKEN)).f.length, 0);
  assert.equal(run(server('acl {\n  default_policy = "deny"\n}'), linux(''), windows('')).f.length, 0);
  assert.equal(run(server(''), linux(''), windows('')).f.length, 0);
  const legacy = `acl_datacenter     = "dc1"\nacl_default_policy = "deny"\nacl_agent_token    = "${TOKEN}"`;
  assert.equal(run(server(legacy), linux(''), windows('')).f.length, 2);
});

test('acl-consul-agent-token-missing: a token on one client OS only is left to acl-token-one-side', () => {
  const { r, f } = run(server(DENY), linux(CLIENT_TOKEN), windows(CLIENT_NO_TOKEN));
  assert.equal(f.length, 0);
  assert.equal(r.findings.filter((x) => x.ruleId === 'acl-token-one-side').length, 1);
  assert.ok(!JSON.stringify(r).includes(TOKEN), 'the token never appears in full');
});

test('acl-consul-agent-token-missing: a server without an agent token under its own deny policy gets a warning (real tree, round 4)', () => {
  const { f, onServer } = run(server(DENY_NO_SERVER_TOKEN), linux(CLIENT_TOKEN), windows(CLIENT_TOKEN));
  assert.equal(f.length, 0);
  assert.equal(onServer.length, 1);
  assert.equal(onServer[0]!.severity, 'warning');
  assert.match(onServer[0]!.message, /Consul server has no agent token/);
  assert.match(onServer[0]!.message, /Coordinate update blocked by ACLs/);
  // Handing the server its token at boot counts.
  const srv = server(DENY_NO_SERVER_TOKEN) + 'consul acl set-agent-token agent "$(cat /tmp/agent.token)"\n';
  assert.equal(run(srv, linux(CLIENT_TOKEN), windows(CLIENT_TOKEN)).onServer.length, 0);
  // And with a token in its config it is silent.
  assert.equal(run(server(DENY), linux(CLIENT_TOKEN), windows(CLIENT_TOKEN)).onServer.length, 0);
});
