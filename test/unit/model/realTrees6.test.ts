import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

// Shapes found on the round-6 real trees (docs/real-trees.md, "Round 6").

const template = (name: string, upload: string) =>
  JSON.stringify({
    builders: [{ type: 'amazon-ebs', ami_name: name }],
    provisioners: [
      { type: 'file', source: `./${upload}`, destination: `/tmp/${upload}` },
      { type: 'shell', script: './install.sh' },
    ],
  });

function tree(): Workspace {
  const ws = new Workspace('/t');
  ws.setText('packer/consul/server.json', template('consul-server', 'consul.hcl'));
  ws.setText('packer/consul/consul.hcl', 'server = true\nbootstrap_expect = 3\ndata_dir = "/opt/consul"\n');
  ws.setText('packer/consul/install.sh', '#!/bin/bash\ncp -f /tmp/consul.hcl /etc/consul.d/consul.hcl\n');
  ws.setText('packer/nomad/client.json', template('nomad-client', 'consul.hcl'));
  ws.setText('packer/nomad/consul.hcl', 'data_dir = "/opt/consul"\nbind_addr = "0.0.0.0"\n');
  ws.setText('packer/nomad/install.sh', '#!/bin/bash\ncp -f /tmp/consul.hcl /etc/consul.d/consul.hcl\n');
  return ws;
}

test('Packer scripts are linked by their path beside the template, and a copied config by the file nearest the script (not by base name across the tree)', () => {
  const f = tree()
    .analyze()
    .findings.filter((x) => x.ruleId === 'image-baked-agent-config');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /written at image time by packer\/consul\/install\.sh \(shell provisioner at packer\/consul\/server\.json/);
  assert.doesNotMatch(f[0]!.message, /packer\/nomad/);
});

test('two Packer builds are two machines: their configs are not one config directory', () => {
  const ws = tree();
  ws.setText('packer/old/template.json', template('nomad-client-old', 'client.hcl'));
  ws.setText('packer/old/client.hcl', 'data_dir = "/tmp/client"\nclient {\n  enabled = true\n}\n');
  ws.setText('packer/old/install.sh', '#!/bin/bash\necho ok\n');
  ws.setText('packer/nomad/client.hcl', 'data_dir = "/opt/nomad"\nclient {\n  enabled = true\n}\n');
  ws.setText(
    'packer/nomad/client.json',
    JSON.stringify({
      builders: [{ type: 'amazon-ebs', ami_name: 'nomad-client' }],
      provisioners: [
        { type: 'file', source: './client.hcl', destination: '/tmp/client.hcl' },
        { type: 'shell', script: './install.sh' },
      ],
    }),
  );
  const dup = ws.analyze().findings.filter((x) => x.ruleId === 'duplicate-config-key');
  assert.deepEqual(
    dup.map((x) => x.message),
    [],
  );
});

test('a leftover script nothing runs never replaces the config that the deployed user-data writes to the same path', () => {
  const ws = new Workspace('/t');
  const write = (dc: string) =>
    `#!/bin/bash\ncat > /etc/nomad.d/nomad.hcl <<EOF\ndatacenter = "${dc}"\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n  servers = ["10.0.0.1"]\n}\nEOF\n`;
  ws.setText('tf/main.tf', 'resource "aws_instance" "c" {\n  user_data = templatefile("${path.module}/live.sh", {})\n}\n');
  ws.setText('tf/live.sh', write('dc2'));
  ws.setText('tf/zz-legacy.sh', write('dc9'));
  const r = ws.analyze();
  const client = r.roles.find((x) => x.product === 'nomad' && x.kind === 'linux-client')!;
  assert.equal(client.settings.find((s) => s.path === 'datacenter')?.value, 'dc2', 'the deployed script wins');
});

test('image-version-skew: a Linux client image and a Linux server image built separately with different versions (no Windows needed)', () => {
  const pkr = (name: string) =>
    `source "amazon-ebs" "${name}" {\n  ami_name = "${name}-{{timestamp}}"\n}\nbuild {\n  sources = ["source.amazon-ebs.${name}"]\n  provisioner "shell" {\n    script = "./scripts/install.sh"\n  }\n}\n`;
  const install = (v: string) =>
    `#!/bin/bash\ncurl -sSLo nomad.zip https://releases.hashicorp.com/nomad/${v}/nomad_${v}_linux_amd64.zip\nunzip nomad.zip -d /usr/local/bin\n`;
  const run = (serverV: string, client: string) => {
    const ws = new Workspace('/t');
    ws.setText('images/nomad-server/server.pkr.hcl', pkr('nomad-server'));
    ws.setText('images/nomad-server/scripts/install.sh', install(serverV));
    ws.setText('images/nomad-client/client.pkr.hcl', pkr('nomad-client'));
    ws.setText('images/nomad-client/scripts/install.sh', client);
    return ws.analyze().findings.filter((f) => f.ruleId === 'image-version-skew');
  };
  const newer = run('1.10.5', install('1.11.1'));
  assert.equal(newer.length, 1, JSON.stringify(newer.map((f) => f.message)));
  assert.equal(newer[0]!.severity, 'error');
  assert.equal(newer[0]!.span.file, 'images/nomad-client/scripts/install.sh');
  assert.match(newer[0]!.message, /Permission denied/);
  const unpinned = run('1.10.5', '#!/bin/bash\napt-get install -y nomad\n');
  assert.equal(unpinned.length, 1);
  assert.equal(unpinned[0]!.severity, 'warning');
  assert.match(unpinned[0]!.message, /client image pins no version/);
  assert.deepEqual(run('1.10.5', install('1.10.5')), [], 'the same version in both images is silent');
});
