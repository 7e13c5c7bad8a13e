import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, exampleFindings, run, spanText } from './helpers';

const RULE = 'invalid-config-value';

const PS = `$NomadConfig = @"
client {
  enabled = "yes"
  servers = "10.0.0.10:4647"
}
"@
$NomadConfig | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii
`;

test('wrong types in client.ps1: error on the value span in the host file', () => {
  const { ws, findings } = run({ 'shared/packer/scripts/client.ps1': PS }, RULE);
  const sorted = findings.sort((a, b) => a.span.start - b.span.start);
  assert.equal(sorted.length, 2);
  assert.equal(sorted[0]!.category, 'schema');
  assert.equal(sorted[0]!.severity, 'error');
  assert.deepEqual(sorted[0]!.span, { file: 'shared/packer/scripts/client.ps1', start: at(PS, '"yes"'), end: at(PS, '"yes"') + 5 });
  assert.match(sorted[0]!.message, /client\.enabled/);
  assert.match(sorted[0]!.message, /decodeBool/);
  assert.equal(spanText(ws, sorted[1]!), '"10.0.0.10:4647"');
  assert.match(sorted[1]!.message, /client\.servers/);
});

test('fixed values are silent (HCL v1 also accepts "true")', () => {
  const fixed = PS.replace('"yes"', '"true"').replace('"10.0.0.10:4647"', '["10.0.0.10:4647"]');
  assert.equal(run({ 'shared/packer/scripts/client.ps1': fixed }, RULE).findings.length, 0);
});

test('unresolved values are skipped: ${...}, bare placeholders, values only known at run time', () => {
  const tpl = 'server {\n  enabled = true\n  bootstrap_expect = "${server_count}"\n}\nports {\n  http = HTTP_PORT\n}\n';
  assert.deepEqual(run({ 'shared/packer/config/nomad.hcl': tpl }, RULE).findings, []);
  const sh = [
    '#!/bin/bash',
    'SERVER_COUNT=$(curl -s http://169.254.169.254/latest/meta-data/x)',
    'cat <<EOF > /etc/nomad.d/nomad.hcl',
    'server {',
    '  enabled = true',
    '  bootstrap_expect = $SERVER_COUNT',
    '}',
    'EOF',
    '',
  ].join('\n');
  assert.deepEqual(run({ 'shared/packer/scripts/server.sh': sh }, RULE).findings, []);
});

test('Consul: a list where a string is expected', () => {
  const hcl = 'datacenter = ["dc1"]\nretry_join = ["a"]\n';
  const { ws, findings } = run({ 'shared/packer/config/consul_client.hcl': hcl }, RULE);
  assert.equal(findings.length, 1);
  assert.equal(spanText(ws, findings[0]!), '["dc1"]');
});

test('examples: silent on mixed-os and windows-only', async () => {
  assert.deepEqual(await exampleFindings('mixed-os'), []);
  assert.deepEqual(
    (await exampleFindings('windows-only')).filter((f) => f.ruleId === RULE),
    [],
  );
});

test("Consul tls: verify_server_hostname in tls.grpc is rejected with the agent error (real tree, round 4); in tls.internal_rpc it is fine; tls.defaults is config-key-version's (accepted from Consul 1.17)", () => {
  const consul = (block: string) => `#!/bin/bash
cat <<EOF | sudo tee /etc/consul.d/consul.hcl
datacenter = "dc1"
data_dir   = "/opt/consul"
server     = true
tls {
  ${block} {
    ca_file                = "/etc/consul.d/tls/ca.pem"
    verify_server_hostname = true
  }
}
EOF
`;
  const { ws, findings } = run({ 'scripts/server.sh': consul('grpc') }, RULE);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  assert.equal(spanText(ws, findings[0]!), 'verify_server_hostname');
  assert.match(findings[0]!.message, /verify_server_hostname is only valid in the tls\.internal_rpc stanza/);
  assert.match(findings[0]!.message, /refuses to start/);
  assert.deepEqual(run({ 'scripts/server.sh': consul('internal_rpc') }, RULE).findings, []);
  assert.deepEqual(run({ 'scripts/server.sh': consul('defaults') }, RULE).findings, []);
});
