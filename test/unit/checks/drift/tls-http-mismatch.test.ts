import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertFixWorks, assertSpan, LIN, linuxClient, only, serverConfig, tree, WIN, windowsClient } from './helpers';

const RULE = 'tls-http-mismatch';
const tls = (http: string, dir = '/etc/nomad.d/tls') =>
  `tls {\n  http      = ${http}\n  rpc       = true\n  ca_file   = "${dir}/nomad-ca.pem"\n  cert_file = "${dir}/agent.pem"\n  key_file  = "${dir}/agent-key.pem"\n}`;

test('tls-http-mismatch: Linux client http = false vs server http = true (warning, key span, fix)', () => {
  const lin = linuxClient({ nomadTop: tls('false') });
  const files = tree({ server: serverConfig(tls('true')), linux: lin, windows: windowsClient({ nomadTop: tls('true', 'C:/HashiCorp/Nomad/tls') }) });
  const { r } = analyze(files);
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'tls');
  assert.equal(f[0]!.severity, 'warning');
  assertSpan(f[0]!, LIN, lin, 'http');
  assert.match(f[0]!.message, /Client sent an HTTP request to an HTTPS server\./);
  assert.match(f[0]!.message, /Linux client has tls\.http = false/);
  assert.match(f[0]!.message, /server has tls\.http = true/);
  const { fixed } = assertFixWorks(files, f[0]!, r);
  assert.match(fixed[LIN]!, /http {6}= true/);
});

test('tls-http-mismatch: fix in a PowerShell expandable here-string keeps the file valid', () => {
  const win = windowsClient({ nomadTop: tls('false', 'C:/HashiCorp/Nomad/tls') });
  const files = tree({ server: serverConfig(tls('true')), linux: linuxClient({ nomadTop: tls('true') }), windows: win });
  const { r } = analyze(files);
  const f = only(r, RULE);
  assert.equal(f.length, 1);
  assertSpan(f[0]!, WIN, win, 'http');
  assertFixWorks(files, f[0]!, r);
});

test('tls-http-mismatch: same on all agents is silent', () => {
  assert.equal(
    only(
      analyze(
        tree({ server: serverConfig(tls('true')), linux: linuxClient({ nomadTop: tls('true') }), windows: windowsClient({ nomadTop: tls('true', 'C:/x') }) }),
      ).r,
      RULE,
    ).length,
    0,
  );
});

test('tls-http-mismatch: unknown value is not compared', () => {
  const lin = linuxClient({ nomadTop: tls('${HTTPS}') }, 'HTTPS=$(curl -fsS http://169.254.169.254/latest/meta-data/tags/instance/Https)\n');
  assert.equal(only(analyze(tree({ server: serverConfig(tls('true')), linux: lin })).r, RULE).length, 0);
});

test('tls-http-mismatch: ruleSeverity off silences it, HCL // suppression on the key line too', () => {
  const files = tree({ server: serverConfig(tls('true')), linux: linuxClient({ nomadTop: tls('false') }) });
  assert.equal(only(analyze(files).r, RULE).length, 1);
  assert.equal(only(analyze(files, { ruleSeverity: { 'tls-http-mismatch': 'off' } }).r, RULE).length, 0);
  const sup = tree({
    server: serverConfig(tls('true')),
    linux: linuxClient({
      nomadTop: tls('false').replace('http      = false', 'http      = false // hashistack-review-ignore tls-http-mismatch API behind an ALB'),
    }),
  });
  assert.equal(only(analyze(sup).r, RULE).length, 0);
});
