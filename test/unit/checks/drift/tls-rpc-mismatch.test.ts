import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertFixWorks, assertSpan, linuxClient, only, serverConfig, SRV, tree, WIN, windowsClient } from './helpers';

const RULE = 'tls-rpc-mismatch';
const tls = (rpc: string, role = 'client') =>
  `tls {\n  http      = true\n  rpc       = ${rpc}\n  ca_file   = "/etc/nomad.d/tls/nomad-ca.pem"\n  cert_file = "/etc/nomad.d/tls/${role}.pem"\n  key_file  = "/etc/nomad.d/tls/${role}-key.pem"\n}`;
const winTls = (rpc: string) =>
  `tls {\n  http      = true\n  rpc       = ${rpc}\n  ca_file   = "C:/HashiCorp/Nomad/tls/nomad-ca.pem"\n  cert_file = "C:/HashiCorp/Nomad/tls/client.pem"\n  key_file  = "C:/HashiCorp/Nomad/tls/client-key.pem"\n}`;

test('tls-rpc-mismatch: Windows client rpc = false vs server rpc = true (error, span on the key, fix syncs the value)', () => {
  const win = windowsClient({ nomadTop: winTls('false') });
  const files = tree({ server: serverConfig(tls('true', 'server')), linux: linuxClient({ nomadTop: tls('true') }), windows: win });
  const { r } = analyze(files);
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'tls');
  assert.equal(f[0]!.severity, 'error');
  assertSpan(f[0]!, WIN, win, 'rpc');
  assert.match(f[0]!.message, /non-TLS connection attempted with RequireTLS set/);
  assert.match(f[0]!.message, /TLS connection attempted, server not configured for TLS/);
  assert.match(f[0]!.message, /Windows client has tls\.rpc = false/);
  assert.match(f[0]!.message, /server has tls\.rpc = true/);
  assert.ok(f[0]!.related.some((x) => x.span.file === SRV));
  const { fixed } = assertFixWorks(files, f[0]!, r);
  assert.match(fixed[WIN]!, /rpc {7}= true/);
});

test('tls-rpc-mismatch: Windows client without any tls block (span = the Out-File write, no fix)', () => {
  const win = windowsClient();
  const { r } = analyze(tree({ server: serverConfig(tls('true', 'server')), linux: linuxClient({ nomadTop: tls('true') }), windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1);
  assertSpan(f[0]!, WIN, win, '$nomadConfig | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii');
  assert.match(f[0]!.message, /Windows client has no `tls\.rpc`/);
  assert.equal(f[0]!.fixes, undefined);
});

test('tls-rpc-mismatch: all agents alike is silent; rpc_upgrade_mode on the server is silent', () => {
  assert.equal(
    only(
      analyze(
        tree({
          server: serverConfig(tls('true', 'server')),
          linux: linuxClient({ nomadTop: tls('true') }),
          windows: windowsClient({ nomadTop: winTls('true') }),
        }),
      ).r,
      RULE,
    ).length,
    0,
  );
  const upgrade = serverConfig(tls('true', 'server').replace('rpc       = true', 'rpc       = true\n  rpc_upgrade_mode = true'));
  assert.equal(only(analyze(tree({ server: upgrade, linux: linuxClient(), windows: windowsClient() })).r, RULE).length, 0);
});

test('tls-rpc-mismatch: a client value computed at run time is not compared', () => {
  const win = windowsClient(
    { nomadTop: winTls('$UseTls') },
    '$UseTls = (Invoke-RestMethod -Uri "http://169.254.169.254/latest/meta-data/tags/instance/NomadTls")\n',
  );
  const lin = linuxClient({ nomadTop: tls('${USE_TLS}') }, 'USE_TLS=$(curl -fsS http://169.254.169.254/latest/meta-data/tags/instance/NomadTls)\n');
  const { r } = analyze(tree({ server: serverConfig(tls('true', 'server')), linux: lin, windows: win }));
  assert.equal(only(r, RULE).length, 0, JSON.stringify(only(r, RULE)));
});

test('tls-rpc-mismatch: suppression (PowerShell line above the write) and severity', () => {
  const win = windowsClient().replace(
    '$nomadConfig | Out-File',
    '# hashistack-review-ignore tls-rpc-mismatch servers run rpc_upgrade_mode during rollout\n$nomadConfig | Out-File',
  );
  const files = tree({ server: serverConfig(tls('true', 'server')), linux: linuxClient({ nomadTop: tls('true') }), windows: win });
  assert.equal(only(analyze(files).r, RULE).length, 0);
  const bad = tree({ server: serverConfig(tls('true', 'server')), linux: linuxClient({ nomadTop: tls('true') }), windows: windowsClient() });
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'warning' } }).r, RULE)[0]!.severity, 'warning');
  assert.equal(only(analyze(bad, { ruleSeverity: { tls: 'off' } }).r, RULE).length, 0, 'category-level severity');
});
