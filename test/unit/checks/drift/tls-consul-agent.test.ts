import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';

const serverConsul = (tls: string) => `#!/bin/bash
cat <<EOF | sudo tee /etc/consul.d/consul.hcl
datacenter = "dc1"
data_dir   = "/opt/consul/data"
server     = true
${tls}
EOF
`;
const linuxConsul = (tls: string) => `#!/bin/bash
cat <<EOF | sudo tee /etc/consul.d/consul.hcl
datacenter = "dc1"
data_dir   = "/opt/consul/data"
${tls}
EOF
`;
const winConsul = (tls: string) => `$c = @"
datacenter = "dc1"
data_dir = "C:/HashiCorp/Consul/data"
${tls}
"@
[IO.File]::WriteAllText("C:\\HashiCorp\\Consul\\config\\consul.hcl", $c, [Text.UTF8Encoding]::new($false))
`;

function findings(server: string, linux: string, win: string) {
  const ws = new Workspace('/t');
  ws.setText('scripts/server.sh', serverConsul(server));
  ws.setText('scripts/client.sh', linuxConsul(linux));
  ws.setText('scripts/client.ps1', winConsul(win));
  return ws.analyze().findings.filter((f) => f.ruleId === 'tls-consul-agent');
}

const SERVER_TLS = 'tls {\n  defaults {\n    ca_file = "/etc/consul.d/ca.pem"\n    verify_incoming = true\n  }\n}\nauto_encrypt {\n  allow_tls = true\n}';

test('tls-consul-agent: a Windows Consul client without a certificate while the servers verify incoming', () => {
  const f = findings(SERVER_TLS, 'auto_encrypt {\n  tls = true\n}\nca_file = "/etc/consul.d/ca.pem"', '');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.category, 'tls');
  assert.equal(f[0]!.span.file, 'scripts/client.ps1');
  assert.match(f[0]!.message, /tls: client didn't provide a certificate/);
  assert.match(f[0]!.message, /tls\.defaults\.verify_incoming = true/);
});

test('tls-consul-agent: silent when the Windows client uses auto_encrypt too', () => {
  assert.deepEqual(findings(SERVER_TLS, 'auto_encrypt {\n  tls = true\n}', 'auto_encrypt {\n  tls = true\n}'), []);
});

test('tls-consul-agent: a Windows client without the CA the Linux client has (servers not verifying incoming)', () => {
  const f = findings('', 'ca_file = "/etc/consul.d/ca.pem"\nverify_outgoing = true', '');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.message, /certificate signed by unknown authority/);
  assert.deepEqual(findings('', 'ca_file = "/etc/consul.d/ca.pem"', 'ca_file = "C:/HashiCorp/Consul/ca.pem"'), []);
});
