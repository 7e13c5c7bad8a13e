import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, KEY_A, KEY_B, linuxClient, only, serverConfig, SRV, tree, WIN, windowsClient } from './helpers';

const RULE = 'gossip-nomad-encrypt';

test('gossip-nomad-encrypt: server.encrypt shipped in a Windows client config (warning, exact span, no secret)', () => {
  const win = windowsClient({ nomadTop: `server {\n  encrypt = "${KEY_A}"\n}` });
  const { r } = analyze(tree({ server: serverConfig(`server {\n  encrypt = "${KEY_A}"\n}`), linux: linuxClient(), windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'gossip');
  assert.equal(f[0]!.severity, 'warning');
  assertSpan(f[0]!, WIN, win, 'encrypt');
  assert.match(f[0]!.message, /clients do not gossip/);
  assert.ok(!JSON.stringify(r).includes(KEY_A));
});

test('gossip-nomad-encrypt: two server configs with different keys (error, names the memberlist symptom, both masked)', () => {
  const second = 'shared/packer/config/nomad_server_extra.hcl';
  const extra = `server {\n  enabled = true\n  encrypt = "${KEY_B}"\n}\n`;
  const srv = serverConfig(`server {\n  encrypt = "${KEY_A}"\n}`);
  const { r } = analyze(tree({ server: srv, linux: linuxClient(), extra: { [second]: extra } }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file === SRV || f[0]!.span.file === second, true);
  const text = f[0]!.span.file === SRV ? srv : extra;
  assertSpan(f[0]!, f[0]!.span.file, text, 'encrypt');
  assert.match(f[0]!.message, /no installed keys could decrypt the message/);
  assert.match(f[0]!.message, /•••• \(44 chars, sha256:[0-9a-f]{8}\) vs •••• \(44 chars/);
  for (const k of [KEY_A, KEY_B]) assert.ok(!JSON.stringify(r).includes(k));
});

test('gossip-nomad-encrypt: key only on the servers is silent; same key twice is silent', () => {
  const srv = serverConfig(`server {\n  encrypt = "${KEY_A}"\n}`);
  assert.equal(only(analyze(tree({ server: srv, linux: linuxClient(), windows: windowsClient() })).r, RULE).length, 0);
  const extra = { 'shared/packer/config/nomad_server_extra.hcl': `server {\n  enabled = true\n  encrypt = "${KEY_A}"\n}\n` };
  assert.equal(only(analyze(tree({ server: srv, extra })).r, RULE).length, 0);
});

test('gossip-nomad-encrypt: a server key read at run time is not compared', () => {
  const sh = `#!/usr/bin/env bash\nKEY=$(curl -fsS http://10.0.0.5/gossip)\ncat <<EOF | sudo tee /etc/nomad.d/server.hcl\nserver {\n  enabled = true\n  encrypt = "\${KEY}"\n}\nEOF\n`;
  const { r } = analyze(tree({ server: serverConfig(`server {\n  encrypt = "${KEY_A}"\n}`), extra: { 'shared/packer/scripts/server.sh': sh } }));
  assert.equal(only(r, RULE).length, 0, JSON.stringify(only(r, RULE)));
});

test('gossip-nomad-encrypt: suppression in bash (line above the heredoc key) and severity off', () => {
  const lin = linuxClient({ nomadTop: `server {\n  # hashistack-review-ignore gossip-nomad-encrypt dev cluster\n  encrypt = "${KEY_A}"\n}` });
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: lin })).r, RULE).length, 0);
  const bad = tree({ server: serverConfig(), linux: linuxClient({ nomadTop: `server {\n  encrypt = "${KEY_A}"\n}` }) });
  assert.equal(only(analyze(bad).r, RULE).length, 1);
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'off' } }).r, RULE).length, 0);
});
