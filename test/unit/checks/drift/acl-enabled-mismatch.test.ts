import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertFixWorks, assertSpan, linuxClient, only, serverConfig, SRV, tree, WIN, windowsClient } from './helpers';

const RULE = 'acl-enabled-mismatch';
const acl = (on: string) => `acl {\n  enabled = ${on}\n}`;

test('acl-enabled-mismatch: Nomad ACLs on the server, off on the Windows client (error, key span, fix)', () => {
  const win = windowsClient({ nomadTop: acl('false') });
  const files = tree({ server: serverConfig(acl('true')), linux: linuxClient({ nomadTop: acl('true') }), windows: win });
  const { r } = analyze(files);
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'acl');
  assert.equal(f[0]!.severity, 'error');
  assertSpan(f[0]!, WIN, win, 'enabled', 0); // the acl block (nomadTop) comes before client { enabled }
  assert.match(f[0]!.message, /Nomad ACLs differ/);
  assert.match(f[0]!.message, /ACL support disabled/);
  assert.match(f[0]!.message, /Windows client has acl\.enabled = false/);
  assert.match(f[0]!.message, /server has acl\.enabled = true/);
  assert.ok(f[0]!.related.some((x) => x.span.file === SRV));
  const { fixed } = assertFixWorks(files, f[0]!, r);
  assert.match(fixed[WIN]!, /acl \{\n {2}enabled = true/);
});

test('acl-enabled-mismatch: Consul ACLs missing on the Windows agent (span = the write)', () => {
  const consulLin = 'datacenter = "dc1"\nacl {\n  enabled        = true\n  default_policy = "deny"\n}';
  const win = windowsClient({ consul: 'datacenter = "dc1"' });
  const { r } = analyze(tree({ linux: linuxClient({ consul: consulLin }), windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assertSpan(f[0]!, WIN, win, '$consulConfig | Out-File -FilePath C:\\HashiCorp\\Consul\\config\\consul.hcl -Encoding ascii');
  assert.match(f[0]!.message, /Consul ACLs differ/);
  assert.match(f[0]!.message, /has no `acl\.enabled`/);
});

test('acl-enabled-mismatch: agreement is silent (token_ttl is local and may differ)', () => {
  const files = tree({
    server: serverConfig('acl {\n  enabled   = true\n  token_ttl = "30s"\n}'),
    linux: linuxClient({ nomadTop: acl('true') }),
    windows: windowsClient({ nomadTop: 'acl {\n  enabled   = true\n  token_ttl = "60s"\n}' }),
  });
  assert.equal(only(analyze(files).r, RULE).length, 0);
});

test('acl-enabled-mismatch: unknown values are not compared', () => {
  const win = windowsClient({ nomadTop: acl('$AclOn') }, '$AclOn = Invoke-RestMethod -Uri "http://169.254.169.254/latest/meta-data/tags/instance/Acl"\n');
  assert.equal(only(analyze(tree({ server: serverConfig(acl('true')), windows: win })).r, RULE).length, 0);
  const srv = `#!/usr/bin/env bash\nACL=$(curl -fsS http://10.0.0.5/acl)\ncat <<EOF | sudo tee /etc/nomad.d/server.hcl\nserver {\n  enabled = true\n}\nacl {\n  enabled = \${ACL}\n}\nEOF\n`;
  assert.equal(
    only(analyze(tree({ windows: windowsClient({ nomadTop: acl('false') }), extra: { 'shared/packer/scripts/server.sh': srv } })).r, RULE).length,
    0,
  );
});

test('acl-enabled-mismatch: suppression and severity', () => {
  const win = windowsClient({ nomadTop: 'acl {\n  # hashistack-review-ignore acl-enabled-mismatch bootstrapping in two phases\n  enabled = false\n}' });
  assert.equal(only(analyze(tree({ server: serverConfig(acl('true')), windows: win })).r, RULE).length, 0);
  const bad = tree({ server: serverConfig(acl('true')), windows: windowsClient({ nomadTop: acl('false') }) });
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'warning' } }).r, RULE)[0]!.severity, 'warning');
});

/** A bash script writing a Consul agent config: the server's with its `acl` block, or the client's without one. */
const consulScript = (hcl: readonly string[]) =>
  ['#!/bin/bash', 'cat <<EOF | sudo tee /etc/consul.d/consul.hcl', 'datacenter = "dc1"', ...hcl, 'EOF', ''].join('\n');
const consulServer = (acl: string) => consulScript(['server = true', acl]);
const consulClient = consulScript(['retry_join = ["10.0.0.10"]']);
const consulTree = (acl: string) => ({ 'scripts/server.sh': consulServer(acl), 'scripts/client.sh': consulClient });

test('acl-enabled-mismatch: Consul client without ACLs, servers default_policy = "allow" (or unset): a warning that says nothing fails yet (round 13)', () => {
  for (const acl of ['acl {\n  enabled        = true\n  default_policy = "allow"\n}', 'acl {\n  enabled = true\n}']) {
    const f = only(analyze(consulTree(acl)).r, RULE);
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.span.file, 'scripts/client.sh');
    assert.match(f[0]!.message, /Consul ACLs differ/);
    assert.match(f[0]!.message, /nothing fails yet/);
    assert.match(f[0]!.message, /Node info update blocked by ACLs/);
    assert.doesNotMatch(f[0]!.message, /Requests between them fail/);
  }
});

test('acl-enabled-mismatch: Consul client without ACLs, servers default_policy = "deny" or unknown: still an error', () => {
  for (const pol of ['"deny"', '"${POLICY}"']) {
    const f = only(analyze(consulTree(`acl {\n  enabled        = true\n  default_policy = ${pol}\n}`)).r, RULE);
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0]!.severity, 'error', pol);
    assert.match(f[0]!.message, /Requests between them fail/);
  }
});
