import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeredocBody, decodeShWord, scanBash, type ShExpansion } from '../../../server/src/core/parsers/bash';
import { at, MappedText } from './helpers';

const CLIENT_SH = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'exec > >(tee /var/log/client.log) 2>&1',
  '',
  'CONFIGDIR=/ops/config',
  'NOMAD_VERSION=${NOMAD_VERSION:-1.10.5}',
  'CONSUL_VERSION="${CONSUL_VERSION:-1.21.4}"',
  'HOME_DIR=ubuntu',
  'IP_ADDRESS=$(curl -s http://instance-data/latest/meta-data/local-ipv4)',
  "DOCKER_BRIDGE_IP_ADDRESS=(`ifconfig docker0 2>/dev/null|awk '/inet addr:/ {print $2}'|sed 's/addr://'`)",
  'CLOUD=$1; RETRY_JOIN=$2 ; NODE_CLASS="$3"',
  '',
  '# Install Nomad',
  'curl -L -o nomad.zip https://releases.hashicorp.com/nomad/${NOMAD_VERSION}/nomad_${NOMAD_VERSION}_linux_amd64.zip',
  'sudo unzip -o nomad.zip -d /usr/local/bin',
  'sudo chmod 0755 /usr/local/bin/nomad && sudo chown root:root /usr/local/bin/nomad',
  'sudo mkdir -p /etc/nomad.d /opt/nomad/data',
  '',
  '# Consul',
  'sed -i "s/IP_ADDRESS/$IP_ADDRESS/g" $CONFIGDIR/consul_client.json',
  'sed -i "s/RETRY_JOIN/$RETRY_JOIN/g" $CONFIGDIR/consul_client.json',
  'sudo cp $CONFIGDIR/consul_client.json /etc/consul.d/consul.json',
  'sudo cp $CONFIGDIR/consul_$CLOUD.service /etc/systemd/system/consul.service',
  'sudo systemctl enable consul.service',
  'sudo systemctl start consul.service',
  '',
  '# Nomad',
  'sudo tee /etc/nomad.d/nomad.hcl > /dev/null <<EOF',
  'data_dir  = "/opt/nomad/data"',
  'bind_addr = "$IP_ADDRESS"',
  'client {',
  '  enabled    = true',
  '  node_class = NODE_CLASS',
  '  servers    = ["$RETRY_JOIN"]',
  '}',
  'EOF',
  'sudo sed -i "s/NODE_CLASS/\\"$NODE_CLASS\\"/g" /etc/nomad.d/nomad.hcl',
  'sudo systemctl enable nomad.service',
  'sudo systemctl start nomad.service',
  '',
  '# dnsmasq',
  'echo "server=/consul/$IP_ADDRESS#8600" | sudo tee /etc/dnsmasq.d/10-consul',
  'echo "server=$DOCKER_BRIDGE_IP_ADDRESS" | sudo tee -a /etc/dnsmasq.d/10-consul',
  'sudo systemctl restart dnsmasq',
  "cat <<'UNIT' | sudo tee /etc/systemd/system/nomad.service",
  '[Service]',
  'ExecStart=/usr/local/bin/nomad agent -config /etc/nomad.d',
  'UNIT',
  'echo "export NOMAD_ADDR=http://$IP_ADDRESS:4646" | sudo tee --append /home/$HOME_DIR/.bashrc',
  '',
].join('\n');

test('client.sh: everything is extracted', () => {
  const r = scanBash(CLIENT_SH);
  const asg = Object.fromEntries(r.assignments.map((a) => [a.name, a.value?.raw]));
  assert.equal(asg['NOMAD_VERSION'], '${NOMAD_VERSION:-1.10.5}');
  assert.equal(asg['RETRY_JOIN'], '$2');
  assert.equal(asg['NODE_CLASS'], '"$3"');
  assert.equal(asg['IP_ADDRESS'], '$(curl -s http://instance-data/latest/meta-data/local-ipv4)');
  assert.ok('DOCKER_BRIDGE_IP_ADDRESS' in asg);
  const nv = r.assignments.find((a) => a.name === 'NOMAD_VERSION')!;
  assert.equal(nv.value?.expansions[0]?.defaultValue, '1.10.5');
  assert.equal(r.assignments.find((a) => a.name === 'CONSUL_VERSION')!.value?.expansions[0]?.defaultValue, '1.21.4');

  // curl download URL with two expansions at exact offsets
  const curl = r.commands.find((c) => c.name === 'curl' && c.args.some((a) => a.raw.includes('releases')))!;
  const url = curl.args[3]!;
  assert.equal(url.raw, 'https://releases.hashicorp.com/nomad/${NOMAD_VERSION}/nomad_${NOMAD_VERSION}_linux_amd64.zip');
  assert.deepEqual(
    url.expansions.map((e) => [e.name, e.start]),
    [
      ['NOMAD_VERSION', at(CLIENT_SH, '${NOMAD_VERSION}/')],
      ['NOMAD_VERSION', at(CLIENT_SH, '${NOMAD_VERSION}_linux')],
    ],
  );
  const source = MappedText.identity('client.sh', CLIENT_SH);
  const rendered = decodeShWord(source, url, (e) => (e.name === 'NOMAD_VERSION' ? { text: '1.10.5' } : undefined));
  assert.equal(rendered.text, 'https://releases.hashicorp.com/nomad/1.10.5/nomad_1.10.5_linux_amd64.zip');
  assert.deepEqual(rendered.toHost(37, 43), { file: 'client.sh', start: at(CLIENT_SH, '${NOMAD_VERSION}/'), end: at(CLIENT_SH, '${NOMAD_VERSION}/') + 16 });

  // commands, including those in $(…) and backticks
  const names = new Set(r.commands.map((c) => c.name));
  for (const n of ['curl', 'unzip', 'chmod', 'chown', 'mkdir', 'sed', 'cp', 'systemctl', 'tee', 'echo', 'ifconfig', 'awk', 'cat']) assert.ok(names.has(n), n);
  const sc = r.commands.filter((c) => c.name === 'systemctl').map((c) => c.args.map((a) => a.literal).join(' '));
  assert.deepEqual(sc, ['enable consul.service', 'start consul.service', 'enable nomad.service', 'start nomad.service', 'restart dnsmasq']);
  const cps = r.commands.filter((c) => c.name === 'cp').map((c) => c.args.map((a) => a.raw));
  assert.deepEqual(cps, [
    ['$CONFIGDIR/consul_client.json', '/etc/consul.d/consul.json'],
    ['$CONFIGDIR/consul_$CLOUD.service', '/etc/systemd/system/consul.service'],
  ]);

  // seds: placeholders with offsets
  const subs = r.seds.flatMap((s) => s.substitutions.map((x) => [x.pattern, x.replacement, CLIENT_SH.slice(x.patternStart, x.patternEnd)]));
  assert.deepEqual(subs, [
    ['addr:', '', 'addr:'],
    ['IP_ADDRESS', '$IP_ADDRESS', 'IP_ADDRESS'],
    ['RETRY_JOIN', '$RETRY_JOIN', 'RETRY_JOIN'],
    ['NODE_CLASS', '"$NODE_CLASS"', 'NODE_CLASS'],
  ]);
  assert.deepEqual(
    r.seds.map((s) => s.files.map((f) => f.raw)),
    [[], ['$CONFIGDIR/consul_client.json'], ['$CONFIGDIR/consul_client.json'], ['/etc/nomad.d/nomad.hcl']],
  );

  // heredocs and their files
  assert.deepEqual(
    r.heredocs.map((h) => [h.delimiter, h.command?.name, h.targets.map((t) => t.raw), h.quoted]),
    [
      ['EOF', 'tee', ['/etc/nomad.d/nomad.hcl'], false],
      ['UNIT', 'cat', ['/etc/systemd/system/nomad.service'], true],
    ],
  );
  const nomadHcl = r.heredocs[0]!;
  assert.deepEqual(
    nomadHcl.expansions.map((e) => e.name),
    ['IP_ADDRESS', 'RETRY_JOIN'],
  );
  const vals: Record<string, string> = { IP_ADDRESS: '10.0.1.5', RETRY_JOIN: 'provider=aws tag_key=role' };
  const hcl = decodeHeredocBody(source, nomadHcl, (e: ShExpansion) => (vals[e.name] !== undefined ? { text: vals[e.name]! } : undefined));
  assert.match(hcl.text, /bind_addr = "10\.0\.1\.5"/);
  assert.match(hcl.text, /servers {4}= \["provider=aws tag_key=role"\]/);
  const nc = hcl.text.indexOf('NODE_CLASS');
  assert.equal(hcl.hostOffset(nc).offset, at(CLIENT_SH, 'NODE_CLASS\n'));
  assert.equal(r.heredocs[0]!.start, at(CLIENT_SH, '<<EOF'));

  // tee writes of dnsmasq / bashrc are commands with file args
  const tees = r.commands.filter((c) => c.name === 'tee').map((c) => c.args.map((a) => a.raw).join(' '));
  assert.deepEqual(tees, [
    '/var/log/client.log',
    '/etc/nomad.d/nomad.hcl',
    '/etc/dnsmasq.d/10-consul',
    '-a /etc/dnsmasq.d/10-consul',
    '/etc/systemd/system/nomad.service',
    '--append /home/$HOME_DIR/.bashrc',
  ]);
  const comments = r.comments.map((c) => c.text);
  assert.deepEqual(comments, ['#!/usr/bin/env bash', '# Install Nomad', '# Consul', '# Nomad', '# dnsmasq']);
});

const SERVER_TPL = [
  '#!/bin/bash',
  '%{ if enable_acl ~}',
  'ACL_ENABLED=true',
  '%{ endif ~}',
  'SERVER_COUNT=${server_count}',
  'export NOMAD_VERSION="$${NOMAD_VERSION:-${nomad_version}}"',
  "cat <<'EOF' > /etc/nomad.d/server.hcl",
  'datacenter = "${datacenter}"',
  'server {',
  '  enabled          = true',
  '  bootstrap_expect = ${server_count}',
  '  encrypt          = "${gossip_key}"',
  '  server_join { retry_join = ["${join("\\", \\"", retry_join)}"] }',
  '}',
  'EOF',
  'cat <<EOF >> /etc/consul.d/consul.hcl',
  'advertise_addr = "$${IP}"',
  'bind_addr = "$IP"',
  'EOF',
  "sed -i 's/SERVER_IP/${server_ip}/' /etc/nomad.d/server.hcl",
  'systemctl enable nomad',
  '',
].join('\n');

test('server.sh as a Terraform template: interpolations, $${…} escapes and directives', () => {
  const r = scanBash(SERVER_TPL, { templated: true });
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['export', 'cat', 'cat', 'sed', 'systemctl'],
  );
  const sc = r.assignments.find((a) => a.name === 'SERVER_COUNT')!;
  assert.deepEqual(
    sc.value?.expansions.map((e) => [e.name, e.template, e.start, e.end]),
    [['server_count', true, at(SERVER_TPL, '${server_count}'), at(SERVER_TPL, '${server_count}') + 15]],
  );
  assert.ok(r.assignments.some((a) => a.name === 'ACL_ENABLED'));
  const nv = r.assignments.find((a) => a.name === 'NOMAD_VERSION')!;
  const e = nv.value!.expansions[0]!;
  assert.equal(e.name, 'NOMAD_VERSION');
  assert.equal(e.templateEscaped, true);
  assert.equal(e.defaultValue, '${nomad_version}');
  // quoted heredoc: Terraform still renders its interpolations
  const [srv, consul] = r.heredocs;
  assert.deepEqual(
    srv!.expansions.map((x) => [x.name, x.template === true]),
    [
      ['datacenter', true],
      ['server_count', true],
      ['gossip_key', true],
      ['join("\\", \\"", retry_join)', true],
    ],
  );
  assert.deepEqual(
    srv!.targets.map((t) => t.literal),
    ['/etc/nomad.d/server.hcl'],
  );
  assert.deepEqual(
    consul!.expansions.map((x) => [x.name, x.templateEscaped === true]),
    [
      ['IP', true],
      ['IP', false],
    ],
  );
  assert.equal(consul!.append, true);
  const source = MappedText.identity('server.sh.tpl', SERVER_TPL);
  const tfvals: Record<string, string> = { datacenter: 'dc1', server_count: '3', gossip_key: 'k3y' };
  const body = decodeHeredocBody(source, srv!, (x) => (x.template && tfvals[x.name] !== undefined ? { text: tfvals[x.name]! } : undefined));
  assert.match(body.text, /datacenter = "dc1"\n/);
  assert.match(body.text, /bootstrap_expect = 3\n/);
  const c2 = decodeHeredocBody(source, consul!);
  assert.equal(c2.text, 'advertise_addr = "${IP}"\nbind_addr = "$IP"\n');
  assert.equal(c2.hostOffset(c2.text.indexOf('IP}')).offset, at(SERVER_TPL, 'IP}"'));
  const sub = r.seds[0]!.substitutions[0]!;
  assert.equal(sub.replacement, '${server_ip}');
  assert.deepEqual(
    sub.expansions.map((x) => x.name),
    ['server_ip'],
  );
});
