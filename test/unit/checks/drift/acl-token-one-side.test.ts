import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, LIN, linuxClient, only, tree, WIN, windowsClient } from './helpers';

const RULE = 'acl-token-one-side';
const AGENT = '44439d89-180b-4a18-8373-3f3d1425f238';
const withToken = `datacenter = "dc1"\nacl {\n  enabled = true\n  tokens {\n    agent = "${AGENT}"\n  }\n}`;
const noToken = 'datacenter = "dc1"\nacl {\n  enabled = true\n}';

test('acl-token-one-side: Consul agent token on Linux only (warning on the Windows write, masked)', () => {
  const win = windowsClient({ consul: noToken });
  const lin = linuxClient({ consul: withToken });
  const { r } = analyze(tree({ linux: lin, windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'acl');
  assert.equal(f[0]!.severity, 'warning');
  assertSpan(f[0]!, WIN, win, '$consulConfig | Out-File -FilePath C:\\HashiCorp\\Consul\\config\\consul.hcl -Encoding ascii');
  assert.match(f[0]!.message, /Windows client has no acl\.tokens\.agent/);
  assert.match(f[0]!.message, /Permission denied/);
  assert.match(f[0]!.message, /•••• \(36 chars, sha256:[0-9a-f]{8}\)/);
  assert.ok(!JSON.stringify(r).includes(AGENT));
  assert.ok(f[0]!.related.some((x) => x.span.file === LIN && x.span.start === lin.indexOf('agent =')));
});

test('acl-token-one-side: Nomad consul.token on Windows only (finding on the Linux heredoc)', () => {
  const win = windowsClient({ nomadTop: `consul {\n  token = "${AGENT}"\n}` });
  const lin = linuxClient();
  const f = only(analyze(tree({ linux: lin, windows: win })).r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.span.file, LIN);
  assert.match(f[0]!.message, /Linux client has no consul\.token/);
  assert.match(f[0]!.message, /403 \(Permission denied\)/);
});

test('acl-token-one-side: tokens on both sides, or Consul ACLs off, are silent', () => {
  assert.equal(only(analyze(tree({ linux: linuxClient({ consul: withToken }), windows: windowsClient({ consul: withToken }) })).r, RULE).length, 0);
  const off = `datacenter = "dc1"\nacl {\n  tokens {\n    agent = "${AGENT}"\n  }\n}`;
  assert.equal(only(analyze(tree({ linux: linuxClient({ consul: off }), windows: windowsClient({ consul: 'datacenter = "dc1"' }) })).r, RULE).length, 0);
});

test('acl-token-one-side: an unknown token value still counts as present on that side', () => {
  const win = windowsClient(
    { consul: withToken.replace(`"${AGENT}"`, '"$AgentToken"') },
    '$AgentToken = (Invoke-RestMethod -Uri "http://vault:8200/v1/consul/creds/agent").data.token\n',
  );
  assert.equal(only(analyze(tree({ linux: linuxClient({ consul: withToken }), windows: win })).r, RULE).length, 0);
});

test('acl-token-one-side: the recovery token agent_master on one side only is not a request token (was reported)', () => {
  const rec = 'datacenter = "dc1"\nacl {\n  enabled = true\n  tokens {\n    agent_master = "11111111-2222-3333-4444-555555555555"\n  }\n}';
  assert.equal(only(analyze(tree({ linux: linuxClient({ consul: rec }), windows: windowsClient({ consul: noToken }) })).r, RULE).length, 0);
});

test('acl-token-one-side: suppression (PowerShell comment above the write), severity', () => {
  const win = windowsClient({ consul: noToken }).replace(
    '$consulConfig | Out-File',
    '# hashistack-review-ignore acl-token-one-side token set later via consul acl set-agent-token\n$consulConfig | Out-File',
  );
  assert.equal(only(analyze(tree({ linux: linuxClient({ consul: withToken }), windows: win })).r, RULE).length, 0);
  const bad = tree({ linux: linuxClient({ consul: withToken }), windows: windowsClient({ consul: noToken }) });
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'error' } }).r, RULE)[0]!.severity, 'error');
});
