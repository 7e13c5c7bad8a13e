import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, exampleFindings, run, spanText } from './helpers';

const RULE = 'server-only-key';

const PS = `$ConsulConfig = @'
datacenter       = "dc1"
bootstrap_expect = 3
retry_join       = ["provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"]
autopilot {
  cleanup_dead_servers = true
}
'@
Set-Content -Path C:\\HashiCorp\\Consul\\config\\consul.hcl -Value $ConsulConfig -Encoding ascii
`;

test('Consul Windows client with bootstrap_expect and autopilot', () => {
  const { ws, findings } = run({ 'shared/packer/scripts/client.ps1': PS }, RULE);
  const sorted = findings.sort((a, b) => a.span.start - b.span.start);
  assert.equal(sorted.length, 2);
  assert.equal(sorted[0]!.category, 'schema');
  assert.deepEqual(sorted[0]!.span, { file: 'shared/packer/scripts/client.ps1', start: at(PS, 'bootstrap_expect'), end: at(PS, 'bootstrap_expect') + 16 });
  assert.equal(sorted[0]!.severity, 'error');
  assert.match(sorted[0]!.message, /'bootstrap_expect > 0' requires 'server = true'/);
  assert.equal(spanText(ws, sorted[1]!), 'autopilot');
  assert.equal(sorted[1]!.severity, 'warning');
});

test('fixed client config is silent', () => {
  const fixed = PS.replace('bootstrap_expect = 3\n', '').replace(/autopilot \{\n[^}]*\}\n/, '');
  assert.equal(run({ 'shared/packer/scripts/client.ps1': fixed }, RULE).findings.length, 0);
});

test('Nomad client with a server block carrying raft settings; the server itself is fine', () => {
  const client = 'client {\n  enabled = true\n}\nserver {\n  enabled = false\n  raft_protocol = 3\n}\n';
  const { ws, findings } = run({ 'shared/packer/config/nomad_client.hcl': client }, RULE);
  assert.equal(findings.length, 1);
  assert.equal(spanText(ws, findings[0]!), 'raft_protocol');
  assert.equal(findings[0]!.severity, 'warning');
  const server = 'server {\n  enabled = true\n  bootstrap_expect = 3\n  raft_protocol = 3\n}\n';
  assert.deepEqual(run({ 'shared/packer/config/nomad.hcl': server }, RULE).findings, []);
});

test('examples: silent on mixed-os and windows-only', async () => {
  assert.deepEqual(await exampleFindings('mixed-os'), []);
  assert.deepEqual(
    (await exampleFindings('windows-only')).filter((f) => f.ruleId === RULE),
    [],
  );
});

test('a server-only port set to the agent default on a client changes nothing and is silent (real tree, round 4); another value is reported', () => {
  const nomad = (serf: string) => `#!/bin/bash
cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl
data_dir = "/opt/nomad/data"
ports {
  http = 4646
  rpc  = 4647
  serf = ${serf}
}
client {
  enabled = true
}
EOF
`;
  assert.deepEqual(run({ 'scripts/client.sh': nomad('4648') }, RULE).findings, []);
  const { ws, findings } = run({ 'scripts/client.sh': nomad('5648') }, RULE);
  assert.equal(findings.length, 1);
  assert.equal(spanText(ws, findings[0]!), 'serf');
});

test('Consul advertise_addr_wan on a client is not server-only (clients use it with translate_wan_addrs; real tree, round 6)', () => {
  const sh = `#!/bin/bash
cat <<EOF | sudo tee /etc/consul.d/consul.hcl
server              = false
data_dir            = "/opt/consul"
advertise_addr_wan  = "203.0.113.5"
translate_wan_addrs = true
retry_join          = ["10.0.0.1"]
EOF
`;
  assert.deepEqual(run({ 'scripts/client.sh': sh }, RULE).findings, []);
});

test('a Consul server-only port disabled with -1 on a client states what the client does anyway and is silent (real tree, round 10); another value is reported', () => {
  const sh = (wan: string) => `#!/bin/bash
cat <<EOT >> /etc/consul.d/config.hcl
data_dir = "/opt/consul"
server = false
ports {
  serf_wan = ${wan}
  grpc = 8502
}
retry_join = [ "provider=aws tag_key=consul tag_value=server" ]
EOT
`;
  assert.deepEqual(run({ 'templates/userdata_client.sh': sh('-1') }, RULE).findings, []);
  const { ws, findings } = run({ 'templates/userdata_client.sh': sh('8400') }, RULE);
  assert.equal(findings.length, 1);
  assert.equal(spanText(ws, findings[0]!), 'serf_wan');
});
