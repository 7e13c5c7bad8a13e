import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, linuxClient, only, tree, WIN, windowsClient } from './helpers';

const RULE = 'acl-management-token-on-client';
const MASTER = '4775004c-3516-40a1-af9e-1873cf0d8543';
const AGENT = '44439d89-180b-4a18-8373-3f3d1425f238';
const SERVER_SH = 'shared/packer/scripts/server.sh';
const consulServer = (token: string) =>
  `#!/usr/bin/env bash\ncat <<EOF | sudo tee /etc/consul.d/consul.hcl\nserver           = true\nbootstrap_expect = 1\nacl {\n  enabled = true\n  tokens {\n    initial_management = "${token}"\n  }\n}\nEOF\n`;
const clientAcl = (token: string, key = 'agent') => `datacenter = "dc1"\nacl {\n  enabled = true\n  tokens {\n    ${key} = "${token}"\n  }\n}`;

test("acl-management-token-on-client: the servers' initial_management token as the Windows agent token (error, masked)", () => {
  const win = windowsClient({ consul: clientAcl(MASTER) });
  const { r } = analyze(tree({ linux: linuxClient({ consul: clientAcl(AGENT) }), windows: win, extra: { [SERVER_SH]: consulServer(MASTER) } }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'acl');
  assert.equal(f[0]!.severity, 'error');
  assertSpan(f[0]!, WIN, win, 'agent', 0);
  assert.match(f[0]!.message, /equals the servers' initial management token/);
  assert.match(f[0]!.message, /ACL not found/);
  assert.ok(!f[0]!.message.includes(MASTER));
  assert.ok(!JSON.stringify(r).includes(MASTER));
});

test('acl-management-token-on-client: initial_management key on a client, and the legacy acl_master_token (was missed)', () => {
  const win = windowsClient({ consul: clientAcl(MASTER, 'initial_management') });
  const f = only(analyze(tree({ windows: win })).r, RULE);
  assert.equal(f.length, 1);
  assertSpan(f[0]!, WIN, win, 'initial_management');
  const legacy = windowsClient({ consul: `datacenter = "dc1"\nacl_master_token = "${MASTER}"` });
  const g = only(analyze(tree({ windows: legacy })).r, RULE);
  assert.equal(g.length, 1, JSON.stringify(g));
  assertSpan(g[0]!, WIN, legacy, 'acl_master_token');
});

test('acl-management-token-on-client: a value whose chain names a master token (tfvars consul_master_token -> param)', () => {
  const win = `param([string] $ConsulMasterToken)\n$consulConfig = @"\ndatacenter = "dc1"\nacl {\n  tokens {\n    agent = "$ConsulMasterToken"\n  }\n}\n"@\n$consulConfig | Out-File -FilePath C:\\HashiCorp\\Consul\\config\\consul.hcl -Encoding ascii\n`;
  const caller = `<powershell>\n& C:\\ops\\client.ps1 -ConsulMasterToken "${MASTER}"\n</powershell>\n`;
  const { r } = analyze({ [WIN]: win, 'terraform/templates/user-data-client-windows.ps1': caller });
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(r.findings));
  assert.match(f[0]!.message, /comes from/);
  assert.ok(!JSON.stringify(r).includes(MASTER));
});

test('acl-management-token-on-client: agent token, and the per-agent recovery token agent_master, are silent (agent_master was a false positive)', () => {
  const files = tree({
    linux: linuxClient({ consul: clientAcl(AGENT) }),
    windows: windowsClient({ consul: clientAcl(AGENT) }),
    extra: { [SERVER_SH]: consulServer(MASTER) },
  });
  assert.equal(only(analyze(files).r, RULE).length, 0);
  const rec = tree({ windows: windowsClient({ consul: clientAcl('11111111-2222-3333-4444-555555555555', 'agent_master') }) });
  assert.equal(only(analyze(rec).r, RULE).length, 0);
});

test('acl-management-token-on-client: suppression in HCL on the key line, severity off', () => {
  const win = windowsClient({
    consul: clientAcl(MASTER, 'initial_management').replace(`"${MASTER}"`, `"${MASTER}" # hashistack-review-ignore acl-management-token-on-client lab only`),
  });
  assert.equal(only(analyze(tree({ windows: win })).r, RULE).length, 0);
  const bad = tree({ windows: windowsClient({ consul: clientAcl(MASTER, 'initial_management') }) });
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'off' } }).r, RULE).length, 0);
});
