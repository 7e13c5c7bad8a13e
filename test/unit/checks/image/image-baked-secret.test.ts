import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';

const RULE = 'image-baked-secret';
const KEY = 'pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=';
const TOKEN = '8f2c61a4-5b1e-4c1a-9d2e-7a3b5c6d7e8f';

const config = (encrypt: string, token: string) =>
  `datacenter = "dc1"\ndata_dir = "C:/consul/data"\nencrypt = "${encrypt}"\nacl {\n  enabled = true\n  tokens {\n    default = "${token}"\n  }\n}\n`;

function run(files: Record<string, string>) {
  const ws = new Workspace('/t');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return r.findings.filter((x) => x.ruleId === RULE);
}

// A Packer build uploading a whole directory into the agent's config directory (`source = "files/consul"`,
// `destination = "C:\\"` → `C:\consul\config.hcl`).
const packer = (source: string) =>
  [
    'source "amazon-ebs" "win" {',
    '  ami_name = "nomad-client-windows"',
    '}',
    'build {',
    '  sources = ["source.amazon-ebs.win"]',
    '  provisioner "powershell" {',
    '    inline = ["New-Item -ItemType Directory C:\\\\consul"]',
    '  }',
    '  provisioner "file" {',
    `    source      = "${source}"`,
    '    destination = "C:\\\\"',
    '  }',
    '}',
    '',
  ].join('\n');

test('image-baked-secret: a gossip key and an ACL token in a config a Packer directory upload bakes into the image (masked, one warning each)', () => {
  const f = run({ 'packer/win.pkr.hcl': packer('files/consul'), 'packer/files/consul/config.hcl': config(KEY, TOKEN) });
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  for (const x of f) {
    assert.equal(x.severity, 'warning');
    assert.equal(x.span.file, 'packer/files/consul/config.hcl');
    assert.match(x.message, /written into the machine image/);
    assert.ok(!x.message.includes(KEY) && !x.message.includes(TOKEN), 'secret masked');
  }
  assert.match(f.find((x) => /encrypt/.test(x.message))!.message, /LAN keyring exists but -encrypt given/);
});

test('image-baked-secret: placeholders a boot step fills in, configs written by user data, and a staging directory are silent', () => {
  assert.deepEqual(run({ 'packer/win.pkr.hcl': packer('files/consul'), 'packer/files/consul/config.hcl': config('GOSSIP_KEY', '{{ consul_token }}') }), []);
  // Not uploaded by any build: a config file of the tree is not in an image.
  assert.deepEqual(run({ 'packer/files/consul/config.hcl': config(KEY, TOKEN) }), []);
  // A directory uploaded to a staging path is not the agent's config directory.
  const staging = packer('files/consul').replace('destination = "C:\\\\"', 'destination = "/tmp/"');
  assert.deepEqual(run({ 'packer/linux.pkr.hcl': staging.replace('powershell', 'shell'), 'packer/files/consul/config.hcl': config(KEY, TOKEN) }), []);
});
