import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, LIN, linuxClient, only, serverConfig, tree, WIN, windowsClient } from './helpers';

const RULE = 'tls-consul-address';
const consul = (addr: string, ssl?: string) => `consul {\n  address = "${addr}"\n${ssl === undefined ? '' : `  ssl     = ${ssl}\n`}}`;

test('tls-consul-address: port 8501 without consul.ssl on the Windows client (error, span on address)', () => {
  const win = windowsClient({ nomadTop: consul('127.0.0.1:8501') });
  const { r } = analyze(tree({ server: serverConfig(), linux: linuxClient({ nomadTop: consul('127.0.0.1:8501', 'true') }), windows: win }));
  const f = only(r, RULE).filter((x) => x.severity === 'error');
  assert.equal(f.length, 1, JSON.stringify(only(r, RULE)));
  assert.equal(f[0]!.category, 'tls');
  assertSpan(f[0]!, WIN, win, 'address');
  assert.match(f[0]!.message, /Client sent an HTTP request to an HTTPS server\./);
  assert.match(f[0]!.message, /no Nomad Servers advertising service "nomad" in Consul datacenters/);
});

test('tls-consul-address: port 8500 with ssl = true (HTTPS to an HTTP port)', () => {
  const lin = linuxClient({ nomadTop: consul('127.0.0.1:8500', 'true') });
  const { r } = analyze(tree({ server: serverConfig(), linux: lin }));
  const f = only(r, RULE);
  assert.equal(f.length, 1);
  assertSpan(f[0]!, LIN, lin, 'address');
  assert.match(f[0]!.message, /http: server gave HTTP response to HTTPS client/);
});

test('tls-consul-address: consul.ssl differs between the clients (warning on the Windows ssl key)', () => {
  const win = windowsClient({ nomadTop: consul('consul.service.internal:8443', 'false') });
  const { r } = analyze(tree({ server: serverConfig(), linux: linuxClient({ nomadTop: consul('consul.service.internal:8443', 'true') }), windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.severity, 'warning');
  assertSpan(f[0]!, WIN, win, 'ssl');
  assert.match(f[0]!.message, /Windows client has consul\.ssl = false/);
  assert.match(f[0]!.message, /Linux client has consul\.ssl = true/);
});

test('tls-consul-address: matching ports and ssl are silent', () => {
  const files = tree({
    server: serverConfig(consul('127.0.0.1:8500')),
    linux: linuxClient({ nomadTop: consul('127.0.0.1:8501', 'true') }),
    windows: windowsClient({ nomadTop: consul('127.0.0.1:8501', 'true') }),
  });
  assert.equal(only(analyze(files).r, RULE).length, 0);
});

test('tls-consul-address: consul.ssl computed at run time never produces a finding (was a false positive)', () => {
  const lin = linuxClient(
    { nomadTop: consul('127.0.0.1:8501', '${CONSUL_SSL}') },
    'CONSUL_SSL=$(curl -fsS http://169.254.169.254/latest/meta-data/tags/instance/ConsulSsl)\n',
  );
  const win = windowsClient(
    { nomadTop: consul('127.0.0.1:8501', '$ConsulSsl') },
    '$ConsulSsl = Invoke-RestMethod -Uri "http://169.254.169.254/latest/meta-data/tags/instance/ConsulSsl"\n',
  );
  const { r } = analyze(tree({ server: serverConfig(), linux: lin, windows: win }));
  assert.equal(only(r, RULE).length, 0, JSON.stringify(only(r, RULE)));
});

test('tls-consul-address: bash suppression comment in the heredoc line above, severity info', () => {
  const lin = linuxClient({
    nomadTop: 'consul {\n  # hashistack-review-ignore tls-consul-address stunnel terminates TLS locally\n  address = "127.0.0.1:8501"\n}',
  });
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: lin })).r, RULE).length, 0);
  const bad = tree({ server: serverConfig(), linux: linuxClient({ nomadTop: consul('127.0.0.1:8501') }) });
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'info' } }).r, RULE)[0]!.severity, 'info');
});
