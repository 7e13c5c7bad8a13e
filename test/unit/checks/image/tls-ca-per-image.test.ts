import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, only, spanOf } from './helpers';

const RULE = 'tls-ca-per-image';

const PREP = `#!/bin/bash
sudo mkdir -p /etc/consul.d/tls
consul tls ca create
sudo mv consul-agent-ca*.pem /etc/consul.d/tls
`;

const pkr = (name: string, family: string) => `source "googlecompute" "${name}" {
  project_id   = "p"
  image_family = "${family}"
  zone         = "europe-west1-c"
}

build {
  sources = ["sources.googlecompute.${name}"]
  provisioner "shell" {
    scripts = ["../consul_prep.sh"]
  }
}
`;

const userData = (role: string) => `#!/bin/bash
consul tls cert create -${role} -dc dc1 -ca /etc/consul.d/tls/consul-agent-ca.pem -key /etc/consul.d/tls/consul-agent-ca-key.pem
sudo tee /etc/consul.d/consul.hcl > /dev/null <<EOF
datacenter = "dc1"
data_dir = "/opt/consul"
${role === 'server' ? 'server = true\nbootstrap_expect = 3\n' : ''}tls {
  defaults {
    ca_file = "/etc/consul.d/tls/consul-agent-ca.pem"
    cert_file = "/etc/consul.d/tls/dc1-${role}-consul-0.pem"
    key_file = "/etc/consul.d/tls/dc1-${role}-consul-0-key.pem"
    verify_outgoing = true
  }
}
EOF
`;

const TREE = {
  'packer/consul_prep.sh': PREP,
  'packer/gcp/server.pkr.hcl': pkr('server', 'hashistack'),
  'packer/gcp/client.pkr.hcl': pkr('client', 'hashistack-client'),
  'scripts/server.sh': userData('server'),
  'scripts/client.sh': userData('client'),
};

test('two images each run `consul tls ca create`, agents use the CA: one error on the command, naming both images', () => {
  const { findings } = analyze(TREE);
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.category, 'tls');
  assert.equal(f[0]!.span.file, 'packer/consul_prep.sh');
  const s = spanOf(PREP, 'consul tls ca create');
  assert.ok(f[0]!.span.start <= s.start && f[0]!.span.end >= s.end, JSON.stringify(f[0]!.span));
  assert.match(f[0]!.message, /x509: certificate signed by unknown authority/);
  assert.match(f[0]!.message, /server\.pkr\.hcl/);
  assert.match(f[0]!.message, /client\.pkr\.hcl/);
  assert.deepEqual(f[0]!.related.map((r) => r.span.file).sort(), ['packer/gcp/client.pkr.hcl', 'packer/gcp/server.pkr.hcl']);
});

test('one image creates the CA, agents verify: one warning (a rebuild changes the CA, the key ships in the image); without verification: silent', () => {
  const { 'packer/gcp/client.pkr.hcl': _drop, ...one } = TREE;
  void _drop;
  const f = only(analyze(one).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.span.file, 'packer/consul_prep.sh');
  assert.match(f[0]!.message, /every rebuild of the image makes a new one/);
  assert.match(f[0]!.message, /rolling replacement/);
  assert.match(f[0]!.message, /x509: certificate signed by unknown authority/);
  assert.match(f[0]!.message, /CA private key/);
  const noVerify = {
    ...one,
    'scripts/server.sh': userData('server').replace('verify_outgoing = true', ''),
    'scripts/client.sh': userData('client').replace('verify_outgoing = true', ''),
  };
  assert.deepEqual(only(analyze(noVerify).findings, RULE), []);
});

test('two images, the CA is made once and uploaded into both (fixed): silent', () => {
  const fixed = `#!/bin/bash\nsudo mkdir -p /etc/consul.d/tls\nsudo mv /tmp/consul-agent-ca.pem /etc/consul.d/tls\n`;
  assert.deepEqual(only(analyze({ ...TREE, 'packer/consul_prep.sh': fixed }).findings, RULE), []);
});

test('two images create a CA but no agent config names a CA file (TLS not used): silent', () => {
  const plain = (role: string) =>
    `#!/bin/bash\nsudo tee /etc/consul.d/consul.hcl > /dev/null <<EOF\ndatacenter = "dc1"\ndata_dir = "/opt/consul"\n${role === 'server' ? 'server = true\n' : ''}EOF\n`;
  const { findings } = analyze({ ...TREE, 'scripts/server.sh': plain('server'), 'scripts/client.sh': plain('client') });
  assert.deepEqual(only(findings, RULE), []);
});

test('one build with two sources runs `sudo consul tls ca create` inline: each source makes its own CA', () => {
  const two = `source "googlecompute" "a" {\n  project_id = "p"\n}\nsource "googlecompute" "b" {\n  project_id = "p"\n}\n\nbuild {\n  sources = ["sources.googlecompute.a", "sources.googlecompute.b"]\n  provisioner "shell" {\n    inline = ["sudo consul tls ca create"]\n  }\n}\n`;
  const { findings } = analyze({ 'packer/gcp/image.pkr.hcl': two, 'scripts/server.sh': userData('server'), 'scripts/client.sh': userData('client') });
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'packer/gcp/image.pkr.hcl');
  assert.match(f[0]!.message, /once for each of its 2 sources/);
});
