import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  analyze,
  assertFixWorks,
  assertSpan,
  KEY_A,
  KEY_B,
  LIN,
  linuxClient,
  only,
  serverConfig,
  terraformTree,
  TFVARS,
  tree,
  UD_WIN,
  WIN,
  windowsClient,
} from './helpers';

const RULE = 'gossip-consul-encrypt';
const consul = (extra: string) =>
  `datacenter = "dc1"\ndata_dir   = "/opt/consul/data"\nretry_join = ["provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"]\n${extra}`;

test('gossip-consul-encrypt: different literal keys on the Windows and Linux clients (error, exact span, masked)', () => {
  const lin = linuxClient({ consul: consul(`encrypt = "${KEY_A}"`) });
  const win = windowsClient({ consul: consul(`encrypt = "${KEY_B}"`) });
  const { r } = analyze(tree({ server: serverConfig(), linux: lin, windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'gossip');
  assert.equal(f[0]!.severity, 'error');
  assertSpan(f[0]!, WIN, win, 'encrypt');
  assert.match(f[0]!.message, /no installed keys could decrypt the message/);
  assert.match(f[0]!.message, /Windows client encrypt = •••• \(44 chars, sha256:[0-9a-f]{8}\)/);
  assert.match(f[0]!.message, /Linux client encrypt = •••• \(44 chars/);
  for (const k of [KEY_A, KEY_B]) {
    assert.ok(!f[0]!.message.includes(k));
    assert.ok(!JSON.stringify(r).includes(k), 'raw key leaked into the result');
  }
  assert.ok(f[0]!.related.some((x) => x.span.file === LIN && x.span.start === lin.indexOf('encrypt')));
});

test('gossip-consul-encrypt: same key everywhere is silent', () => {
  const { r } = analyze(
    tree({ linux: linuxClient({ consul: consul(`encrypt = "${KEY_A}"`) }), windows: windowsClient({ consul: consul(`encrypt = "${KEY_A}"`) }) }),
  );
  assert.equal(only(r, RULE).length, 0);
});

test('gossip-consul-encrypt: no key anywhere is silent (nothing to drift)', () => {
  const { r } = analyze(tree({ linux: linuxClient({ consul: consul('') }), windows: windowsClient({ consul: consul('') }) }));
  assert.equal(only(r, RULE).length, 0);
});

test('gossip-consul-encrypt: key passed through tfvars to the Linux script only: finding on the Windows write, related shows the tfvars line', () => {
  const files = terraformTree({ winPassesKey: false });
  const { r } = analyze(files);
  const f = only(r, RULE);
  assert.equal(f.length, 1);
  assertSpan(f[0]!, WIN, files[WIN]!, '$consulConfig | Out-File -FilePath C:\\HashiCorp\\Consul\\config\\consul.hcl -Encoding ascii');
  assert.match(f[0]!.message, /Windows client has no `encrypt` key/);
  assert.match(f[0]!.message, /terraform\/control\/terraform\.tfvars:2/);
  const tfv = files[TFVARS]!;
  assert.ok(
    f[0]!.related.some((x) => x.span.file === TFVARS && x.span.start === tfv.indexOf('consul_encrypt_key')),
    JSON.stringify(f[0]!.related),
  );
  assert.ok(f[0]!.related.some((x) => x.span.file === 'terraform/modules/aws-hashistack/main.tf' && /templatefile/.test(x.message)));
  assert.ok(!JSON.stringify(r).includes(KEY_A));
});

test('gossip-consul-encrypt: fixed chain (Windows user-data passes -ConsulEncryptKey) is silent', () => {
  const { r } = analyze(terraformTree({ winPassesKey: true }));
  assert.equal(only(r, RULE).length, 0);
  assert.ok(!JSON.stringify(r).includes(KEY_A));
});

test('gossip-consul-encrypt: a key read at run time (Invoke-RestMethod / $(curl)) never drifts', () => {
  const win = windowsClient(
    { consul: consul('encrypt = "$GossipKey"') },
    '$GossipKey = (Invoke-RestMethod -Uri "http://vault.service.consul:8200/v1/secret/gossip").data.key\n',
  );
  const lin = linuxClient(
    { consul: consul('encrypt = "${GOSSIP_KEY}"') },
    'GOSSIP_KEY=$(curl -fsS http://vault.service.consul:8200/v1/secret/gossip | jq -r .data.key)\n',
  );
  const { r } = analyze(tree({ linux: linuxClient({ consul: consul(`encrypt = "${KEY_A}"`) }), windows: win }));
  assert.equal(only(r, RULE).length, 0, JSON.stringify(only(r, RULE)));
  const r2 = analyze(tree({ linux: lin, windows: windowsClient({ consul: consul(`encrypt = "${KEY_A}"`) }) })).r;
  assert.equal(only(r2, RULE).length, 0, JSON.stringify(only(r2, RULE)));
});

test('gossip-consul-encrypt: suppression comment in PowerShell (line above) and in HCL (same line)', () => {
  const lin = linuxClient({ consul: consul(`encrypt = "${KEY_A}"`) });
  const above = windowsClient({ consul: consul(`encrypt = "${KEY_B}"`) }).replace('$consulConfig | Out-File', '$consulConfig | Out-File');
  // PowerShell comment above the write of a config that lacks the key.
  const winMissing = windowsClient({ consul: consul('') }).replace(
    '$consulConfig | Out-File',
    '# hashistack-review-ignore gossip-consul-encrypt key comes from the golden image\n$consulConfig | Out-File',
  );
  assert.equal(only(analyze(tree({ linux: lin, windows: winMissing })).r, RULE).length, 0);
  // HCL comment on the key's own line inside the here-string.
  const winHcl = above.replace(`encrypt = "${KEY_B}"`, `encrypt = "${KEY_B}" # hashistack-review-ignore gossip-consul-encrypt rotating keys`);
  assert.equal(only(analyze(tree({ linux: lin, windows: winHcl })).r, RULE).length, 0);
  // A comment naming another rule does not silence it.
  const other = above.replace(`encrypt = "${KEY_B}"`, `encrypt = "${KEY_B}" # hashistack-review-ignore tls-rpc-mismatch`);
  assert.equal(only(analyze(tree({ linux: lin, windows: other })).r, RULE).length, 1);
});

test('gossip-consul-encrypt: per-rule severity', () => {
  const files = tree({ linux: linuxClient({ consul: consul(`encrypt = "${KEY_A}"`) }), windows: windowsClient({ consul: consul(`encrypt = "${KEY_B}"`) }) });
  assert.equal(only(analyze(files, { ruleSeverity: { [RULE]: 'off' } }).r, RULE).length, 0);
  assert.equal(only(analyze(files, { ruleSeverity: { [RULE]: 'info' } }).r, RULE)[0]!.severity, 'info');
});

test('gossip-consul-encrypt: the quick-fix threads the key through templatefile -> user-data -> param -> here-string, and the finding is gone', async () => {
  const files = terraformTree({ winPassesKey: false });
  const { r } = analyze(files);
  const f = only(r, RULE)[0]!;
  assert.ok(f.fixes && f.fixes.length === 1, 'one fix offered');
  assert.match(f.fixes[0]!.title, /consul_encrypt_key = var\.consul_encrypt_key/);
  assert.deepEqual(
    [...new Set(f.fixes[0]!.edits.map((e) => e.span.file))].sort(),
    ['shared/packer/scripts/client.ps1', 'terraform/modules/aws-hashistack/main.tf', UD_WIN].sort(),
  );
  const { fixed, after } = assertFixWorks(files, f, r);
  assert.equal(only(after, RULE).length, 0);
  // The Windows client now gets the same key, through the whole chain.
  const win = after.roles.find((x) => x.product === 'consul' && x.kind === 'windows-client')!;
  const enc = win.settings.find((x) => x.path === 'encrypt')!;
  assert.ok(
    enc.chain.some((c) => c.span.file === TFVARS),
    JSON.stringify(enc.chain),
  );
  assert.match(fixed[WIN]!, /\[string\] \$ConsulEncryptKey/);
  assert.match(fixed[UD_WIN]!, /-ConsulEncryptKey "\$\{consul_encrypt_key\}"/);
  assert.ok(!JSON.stringify(after).includes(KEY_A), 'still masked');
  // The official HCL parser accepts every rendered config of the fixed tree.
  const { Workspace } = await import('../../../../server/src/core/engine');
  const ws = new Workspace('/tmp/hsr-thread-fix');
  for (const [file, text] of Object.entries(fixed)) ws.setText(file, text);
  const official = await ws.analyzeWithOfficialParser();
  assert.deepEqual(
    official.findings.filter((x) => x.ruleId === 'hcl-syntax').map((x) => x.message),
    [],
  );
});

test('gossip-consul-encrypt: no thread fix for a literal here-string (it would need a placeholder and a -creplace)', () => {
  const files = terraformTree({ winPassesKey: false });
  const literal = { ...files, [WIN]: files[WIN]!.replace('$consulConfig = @"', "$consulConfig = @'").replace('"@\n$consulConfig', "'@\n$consulConfig") };
  const f = only(analyze(literal).r, RULE);
  assert.equal(f.length, 1);
  assert.deepEqual(f[0]!.fixes ?? [], []);
});
