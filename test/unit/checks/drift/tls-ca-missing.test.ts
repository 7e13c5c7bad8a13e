import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, linuxClient, only, serverConfig, SRV, tree, WIN, windowsClient } from './helpers';

const RULE = 'tls-ca-missing';
const full = (dir: string, role: string, extra = '') =>
  `tls {\n  http      = true\n  rpc       = true\n  ca_file   = "${dir}/nomad-ca.pem"\n  cert_file = "${dir}/${role}.pem"\n  key_file  = "${dir}/${role}-key.pem"\n${extra}}`;

test('tls-ca-missing: Windows client enables TLS without ca_file (error, on the rpc key, names the x509 symptom and the server value)', () => {
  const win = windowsClient({
    nomadTop:
      'tls {\n  http      = true\n  rpc       = true\n  cert_file = "C:/HashiCorp/Nomad/tls/client.pem"\n  key_file  = "C:/HashiCorp/Nomad/tls/client-key.pem"\n}',
  });
  const { r } = analyze(
    tree({ server: serverConfig(full('/etc/nomad.d/tls', 'server')), linux: linuxClient({ nomadTop: full('/etc/nomad.d/tls', 'client') }), windows: win }),
  );
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'tls');
  assert.equal(f[0]!.severity, 'error');
  assertSpan(f[0]!, WIN, win, 'rpc');
  assert.match(f[0]!.message, /sets no tls\.ca_file/);
  assert.match(f[0]!.message, /x509: certificate signed by unknown authority/);
  assert.match(f[0]!.message, /tls\.ca_file = "\/etc\/nomad\.d\/tls\/nomad-ca\.pem"/);
  assert.ok(f[0]!.related.length > 0);
});

test('tls-ca-missing: TLS on with no files at all: one finding per missing file', () => {
  const win = windowsClient({ nomadTop: 'tls {\n  http = true\n  rpc  = true\n}' });
  const { r } = analyze(tree({ server: serverConfig(full('/etc/nomad.d/tls', 'server')), windows: win }));
  const f = only(r, RULE);
  assert.deepEqual(f.map((x) => /sets no (tls\.\w+)/.exec(x.message)![1]).sort(), ['tls.ca_file', 'tls.cert_file', 'tls.key_file']);
  for (const x of f) assertSpan(x, WIN, win, 'rpc'); // tls.rpc is preferred over tls.http as the anchor
});

test('tls-ca-missing: verify_server_hostname on the server but not on a client (warning)', () => {
  const lin = linuxClient({ nomadTop: full('/etc/nomad.d/tls', 'client') });
  const { r } = analyze(tree({ server: serverConfig(full('/etc/nomad.d/tls', 'server', '  verify_server_hostname = true\n')), linux: lin }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.severity, 'warning');
  assertSpan(f[0]!, 'shared/packer/scripts/client.sh', lin, 'rpc');
  assert.match(f[0]!.message, /not in expected client\.<region>\.nomad, server\.<region>\.nomad/);
  assert.ok(f[0]!.related.some((x) => x.span.file === SRV));
});

test('tls-ca-missing: complete TLS everywhere is silent; TLS off everywhere is silent', () => {
  const vsh = '  verify_server_hostname = true\n';
  assert.equal(
    only(
      analyze(
        tree({
          server: serverConfig(full('/etc/nomad.d/tls', 'server', vsh)),
          linux: linuxClient({ nomadTop: full('/etc/nomad.d/tls', 'client', vsh) }),
          windows: windowsClient({ nomadTop: full('C:/HashiCorp/Nomad/tls', 'client', vsh) }),
        }),
      ).r,
      RULE,
    ).length,
    0,
  );
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: linuxClient(), windows: windowsClient() })).r, RULE).length, 0);
});

test('tls-ca-missing: ca_file computed at run time counts as set (no finding)', () => {
  const win = windowsClient(
    {
      nomadTop:
        'tls {\n  http      = true\n  rpc       = true\n  ca_file   = "$CaPath"\n  cert_file = "C:/HashiCorp/Nomad/tls/client.pem"\n  key_file  = "C:/HashiCorp/Nomad/tls/client-key.pem"\n}',
    },
    '$CaPath = (Invoke-RestMethod -Uri "http://10.0.0.5/ca-path")\n',
  );
  assert.equal(only(analyze(tree({ server: serverConfig(full('/etc/nomad.d/tls', 'server')), windows: win })).r, RULE).length, 0);
});

test('tls-ca-missing: suppression on the line above the key (HCL # comment inside the here-string), severity off', () => {
  const body =
    'tls {\n  http      = true\n  # hashistack-review-ignore tls-ca-missing CA is in the Windows machine store\n  rpc       = true\n  cert_file = "C:/HashiCorp/Nomad/tls/client.pem"\n  key_file  = "C:/HashiCorp/Nomad/tls/client-key.pem"\n}';
  const files = tree({ server: serverConfig(full('/etc/nomad.d/tls', 'server')), windows: windowsClient({ nomadTop: body }) });
  assert.equal(only(analyze(files).r, RULE).length, 0);
  const bad = tree({ server: serverConfig(full('/etc/nomad.d/tls', 'server')), windows: windowsClient({ nomadTop: body.replace(/ *# hashistack.*\n/, '') }) });
  assert.equal(only(analyze(bad).r, RULE).length, 1);
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'off' } }).r, RULE).length, 0);
});
