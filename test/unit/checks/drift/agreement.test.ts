/** region-mismatch, datacenter-mismatch, identity-host-uuid, vault-address-consul-dns: broken fires, fixed is silent. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';
import type { Finding } from '../../../../server/src/core/types';

const serverSh = (extra = '') => `#!/bin/bash
cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl
region     = "global"
datacenter = "dc1"
data_dir   = "/opt/nomad/data"
server {
  enabled          = true
  bootstrap_expect = 1
}
EOF
cat <<EOF | sudo tee /etc/consul.d/consul.hcl
datacenter = "dc1"
data_dir   = "/opt/consul/data"
server     = true
EOF
${extra}`;
const clientSh = (extra = '') => `#!/bin/bash
cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl
datacenter = "dc1"
data_dir   = "/opt/nomad/data"
client {
  enabled = true
  servers = ["10.0.0.1:4647"]
}
EOF
${extra}`;
const clientPs1 = (nomadBody: string, consulBody = 'datacenter = "dc1"\ndata_dir = "C:/HashiCorp/Consul/data"') => `$nomad = @"
${nomadBody}
"@
[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\config\\client.hcl", $nomad, [Text.UTF8Encoding]::new($false))
$consul = @"
${consulBody}
"@
[IO.File]::WriteAllText("C:\\HashiCorp\\Consul\\config\\consul.hcl", $consul, [Text.UTF8Encoding]::new($false))
`;
const WIN_NOMAD = (lines: string) => `${lines}\ndata_dir = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled = true\n  servers = ["10.0.0.1:4647"]\n}`;

function run(files: Record<string, string>, rule: string): { findings: Finding[]; files: Record<string, string> } {
  const ws = new Workspace('/t');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  return { findings: ws.analyze().findings.filter((f) => f.ruleId === rule), files };
}

function tree(ps: string, extraServer = '', extraClient = ''): Record<string, string> {
  return { 'scripts/server.sh': serverSh(extraServer), 'scripts/client.sh': clientSh(extraClient), 'scripts/client.ps1': ps };
}

function applyFirstFix(r: { findings: Finding[]; files: Record<string, string> }): Record<string, string> {
  const fix = r.findings[0]!.fixes![0]!;
  const files = { ...r.files };
  for (const e of [...fix.edits].sort((a, b) => b.span.start - a.span.start)) {
    const t = files[e.span.file]!;
    files[e.span.file] = t.slice(0, e.span.start) + e.newText + t.slice(e.span.end);
  }
  return files;
}

test('region-mismatch: a Windows client in another region than the servers', () => {
  const ps = clientPs1(WIN_NOMAD('region = "eu"\ndatacenter = "dc1"'));
  const r = run(tree(ps), 'region-mismatch');
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.category, 'servers');
  assert.equal(f.severity, 'error');
  assert.equal(f.span.file, 'scripts/client.ps1');
  assert.equal(ps.slice(f.span.start, f.span.end), 'region');
  assert.match(f.message, /No path to region/);
  assert.match(f.message, /client\.eu\.nomad vs server\.global\.nomad/);
  const fixed = applyFirstFix(r);
  assert.match(fixed['scripts/client.ps1']!, /region = "global"/);
  assert.equal(run(fixed, 'region-mismatch').findings.length, 0);
});

test('region-mismatch: an unset region is the default "global" and agrees', () => {
  assert.equal(run(tree(clientPs1(WIN_NOMAD('datacenter = "dc1"'))), 'region-mismatch').findings.length, 0);
});

test('datacenter-mismatch: Nomad clients split across datacenters; a Consul agent outside its servers’ datacenter', () => {
  const ps = clientPs1(WIN_NOMAD('datacenter = "dc-win"'), 'datacenter = "dc2"\ndata_dir = "C:/HashiCorp/Consul/data"');
  const r = run(tree(ps), 'datacenter-mismatch');
  assert.equal(r.findings.length, 2, JSON.stringify(r.findings.map((f) => f.message)));
  const nomad = r.findings.find((f) => f.message.startsWith('Nomad'))!;
  assert.equal(nomad.severity, 'warning');
  assert.match(nomad.message, /No nodes are available in datacenter "dc1"/);
  const consul = r.findings.find((f) => f.message.startsWith('Consul'))!;
  assert.equal(consul.severity, 'error');
  assert.match(consul.message, /part of wrong datacenter 'dc1'/);
  assert.equal(ps.slice(consul.span.start, consul.span.end), 'datacenter');
  assert.equal(run(tree(clientPs1(WIN_NOMAD('datacenter = "dc1"'))), 'datacenter-mismatch').findings.length, 0);
});

test('identity-host-uuid: no_host_uuid = false on image-built clients is an error; the fix sets the default back', () => {
  const ps = clientPs1(
    'datacenter = "dc1"\ndata_dir = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled = true\n  no_host_uuid = false\n  servers = ["10.0.0.1:4647"]\n}',
  );
  const files = { ...tree(ps), 'packer/windows.pkr.hcl': 'build {\n  provisioner "powershell" {\n    script = "../scripts/setup.ps1"\n  }\n}\n' };
  const r = run(files, 'identity-host-uuid');
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.category, 'identity');
  assert.equal(r.findings[0]!.severity, 'error');
  assert.match(r.findings[0]!.message, /node secret ID does not match\. Not registering node\./);
  const fixed = applyFirstFix(r);
  assert.match(fixed['scripts/client.ps1']!, /no_host_uuid = true/);
  assert.equal(run(fixed, 'identity-host-uuid').findings.length, 0);
});

test('vault-address-consul-dns: a .service.consul Vault address on Windows without DNS forwarding, Linux has dnsmasq', () => {
  const ps = clientPs1(WIN_NOMAD('datacenter = "dc1"\nvault {\n  enabled = true\n  address = "https://vault.service.consul:8200"\n}'));
  const dnsmasq = 'echo "server=/consul/127.0.0.1#8600" | sudo tee /etc/dnsmasq.d/10-consul\n';
  const r = run(tree(ps, '', dnsmasq), 'vault-address-consul-dns');
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, /lookup vault\.service\.consul: no such host/);
  assert.match(r.findings[0]!.message, /while the Linux scripts do/);
  const withNrpt = ps + 'Add-DnsClientNrptRule -Namespace ".consul" -NameServers "127.0.0.1"\n';
  assert.equal(run(tree(withNrpt, '', dnsmasq), 'vault-address-consul-dns').findings.length, 0);
});

test('vault-address-consul-dns: a custom Consul domain (domain = "global", vault.service.dc1.global) is a Consul DNS name too (real tree, round 4)', () => {
  const ps = clientPs1(WIN_NOMAD('datacenter = "dc1"\nvault {\n  enabled = true\n  address = "http://vault.service.dc1.global:8200"\n}'));
  const domain = 'cat <<EOF | sudo tee /etc/consul.d/domain.hcl\ndomain = "global"\nEOF\n';
  const r = run(tree(ps, domain), 'vault-address-consul-dns');
  assert.equal(r.findings.length, 1, JSON.stringify(r.findings.map((f) => f.message)));
  assert.match(r.findings[0]!.message, /forwarding of \.global to Consul's DNS/);
  assert.match(r.findings[0]!.message, /lookup vault\.service\.dc1\.global: no such host/);
  // Without the custom domain the name is an ordinary DNS name: silent.
  assert.equal(run(tree(ps), 'vault-address-consul-dns').findings.length, 0);
  // Forwarding the custom domain on Windows: silent.
  const nrpt = ps + 'Add-DnsClientNrptRule -Namespace ".global" -NameServers "127.0.0.1"\n';
  assert.equal(run(tree(nrpt, domain), 'vault-address-consul-dns').findings.length, 0);
});

test('vault-address-consul-dns: a local forwarder on Windows (BIND zone "consul" forwarding to 127.0.0.1 port 8600) counts as forwarding (real tree, round 5)', () => {
  const ps = clientPs1(WIN_NOMAD('datacenter = "dc1"\nvault {\n  enabled = true\n  address = "https://vault.service.consul:8200"\n}'));
  const bind =
    ps +
    '$named = @"\nzone "consul" IN {\n  type forward;\n  forward only;\n  forwarders { 127.0.0.1 port 8600; };\n};\n"@\nSet-Content -Path C:\\bind\\etc\\named.conf -Value $named\nnetsh interface ipv4 set dnsserver "Ethernet" static 127.0.0.1 primary\n';
  assert.equal(run(tree(bind), 'vault-address-consul-dns').findings.length, 0);
  assert.equal(run(tree(ps), 'vault-address-consul-dns').findings.length, 1, 'without it the finding stays');
});

test('datacenter-mismatch: a user-data heredoc edited by `sed -i -E` with a group back-reference (ERE, GNU sed) compares the edited datacenter', () => {
  // The Linux client's heredoc with its datacenter line indented, then edited in place.
  const userData = clientSh(`sed -i -E 's/^(\\s*)datacenter = .*/\\1datacenter = "dc2"/' /etc/nomad.d/nomad.hcl\n`).replace('\ndatacenter', '\n  datacenter');
  const files = (winDc: string) => ({
    'scripts/server.sh': serverSh().replace(/dc1/g, 'dc2'),
    'templates/user-data-client.sh': userData,
    'scripts/client.ps1': clientPs1(WIN_NOMAD(`datacenter = "${winDc}"`), 'datacenter = "dc2"\ndata_dir = "C:/HashiCorp/Consul/data"'),
  });
  const agree = run(files('dc2'), 'datacenter-mismatch').findings;
  assert.equal(agree.length, 0, JSON.stringify(agree.map((f) => f.message)));
  const split = run(files('dc1'), 'datacenter-mismatch').findings.filter((f) => f.message.startsWith('Nomad'));
  assert.equal(split.length, 1, JSON.stringify(split.map((f) => f.message)));
  assert.match(split[0]!.message, /"dc2"/);
});
