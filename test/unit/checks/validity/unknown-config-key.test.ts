import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, exampleFindings, run, spanText } from './helpers';
import { exampleFindings as allExampleFindings } from '../windows/helpers';
import { closestKey, editDistance } from '../../../../server/src/core/checks/validity/configJson';

const RULE = 'unknown-config-key';

const PS = `$NomadConfig = @"
datacenter = "dc1"
client {
  enabled = true
  server  = ["10.0.0.10:4647"]
}
tls {
  rcp = true
}
"@
$NomadConfig | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii
`;

test('unknown keys in a PowerShell here-string: exact span in client.ps1 and the likely key', () => {
  const { ws, findings } = run({ 'shared/packer/scripts/client.ps1': PS }, RULE);
  assert.equal(findings.length, 2);
  const [a, b] = findings.sort((x, y) => x.span.start - y.span.start);
  assert.equal(a!.category, 'schema');
  assert.equal(a!.severity, 'warning');
  assert.deepEqual(a!.span, { file: 'shared/packer/scripts/client.ps1', start: at(PS, 'server  ='), end: at(PS, 'server  =') + 6 });
  assert.equal(spanText(ws, a!), 'server');
  assert.match(a!.message, /unexpected keys server/);
  assert.match(a!.message, /Did you mean `servers`/);
  assert.equal(spanText(ws, b!), 'rcp');
  assert.match(b!.message, /Did you mean `rpc`/);
  assert.equal(b!.fixes?.[0]?.edits[0]?.newText, 'rpc');
});

test('fixed here-string is silent', () => {
  const fixed = PS.replace('server  =', 'servers =').replace('rcp', 'rpc');
  assert.equal(run({ 'shared/packer/scripts/client.ps1': fixed }, RULE).findings.length, 0);
});

test('Consul config file: wording `invalid config key` with the dotted path', () => {
  const hcl = 'datacenter = "dc1"\nacl {\n  enabled = true\n  tokenz {\n    agent = "x"\n  }\n}\n';
  const { ws, findings } = run({ 'shared/packer/config/consul_client.hcl': hcl }, RULE);
  assert.equal(findings.length, 1);
  assert.equal(spanText(ws, findings[0]!), 'tokenz');
  assert.deepEqual(findings[0]!.span, { file: 'shared/packer/config/consul_client.hcl', start: at(hcl, 'tokenz'), end: at(hcl, 'tokenz') + 6 });
  assert.match(findings[0]!.message, /invalid config key acl\.tokenz/);
  assert.match(findings[0]!.message, /`tokens`/);
  assert.equal(run({ 'shared/packer/config/consul_client.hcl': hcl.replace('tokenz', 'tokens') }, RULE).findings.length, 0);
});

test('Consul JSON keys match case-insensitively (mapstructure): "gRPC" in ports/addresses is grpc; a real typo in JSON is reported without "a script step rewrote it" (found on a real tree)', () => {
  const json =
    '{\n  "datacenter": "dc1",\n  "server": false,\n  "data_dir": "/mnt/consul",\n  "ports": {\n    "gRPC": 8502\n  },\n  "addresses": {\n    "gRPC": "0.0.0.0"\n  }\n}\n';
  assert.deepEqual(run({ 'config/consul.json': json }, RULE).findings, []);
  const typo = json.replace('"ports": {\n    "gRPC"', '"ports": {\n    "grcp"');
  const { findings } = run({ 'config/consul.json': typo }, RULE);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  assert.doesNotMatch(findings[0]!.message, /rewrote/);
});

test('Nomad consul block: unknown key is ignored by Nomad, said so', () => {
  const hcl = 'client {\n  enabled = true\n}\nconsul {\n  adress = "127.0.0.1:8500"\n}\n';
  const { findings } = run({ 'shared/packer/config/nomad_client.hcl': hcl }, RULE);
  assert.equal(findings.length, 1);
  assert.match(findings[0]!.message, /silently ignores/);
  assert.match(findings[0]!.message, /`address`/);
});

test('labelled blocks and unknown values do not produce unknown keys', () => {
  const hcl =
    'client {\n  enabled = true\n  host_volume "data" {\n    path = "/srv"\n  }\n}\nplugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}\nadvertise {\n  http = "${ip}"\n}\n';
  assert.deepEqual(run({ 'shared/packer/config/nomad_client.hcl': hcl }, RULE).findings, []);
});

test('edit distance handles transpositions', () => {
  assert.equal(editDistance('rcp', 'rpc'), 1);
  assert.equal(closestKey('server', ['servers', 'enabled', 'state_dir']), 'servers');
  assert.equal(closestKey('windows', ['servers', 'enabled']), undefined);
});

test('examples/mixed-os: silent; windows-only: the key rewritten by -replace, folded into ps-replace', async () => {
  assert.deepEqual(await exampleFindings('mixed-os'), []);
  const all = await allExampleFindings('windows-only');
  assert.equal(all.filter((f) => f.ruleId === RULE).length, 0);
  const pr = all.filter((f) => f.ruleId === 'ps-replace');
  assert.equal(pr.length, 1);
  assert.match(pr[0]!.message, /Nomad refuses to start: `unexpected keys windows`/);
  assert.ok(pr[0]!.related.some((r) => /`windows` in the `client` block \(the host text here is `node_class`/.test(r.message)));
});

test('Nomad: a top-level server_join is silently ignored, not rejected (extraKeys drops hoisted names; real tree, round 7)', () => {
  const sh =
    '#!/bin/bash\ncat <<EOF | sudo tee /etc/nomad.d/nomad.hcl\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n}\nserver_join {\n  retry_join = ["provider=aws tag_key=k tag_value=v"]\n}\nEOF\n';
  const f = run({ 'scripts/client.sh': sh }, RULE).findings;
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /silently ignores it/);
  assert.doesNotMatch(f[0]!.message, /refuses to start/);
});
