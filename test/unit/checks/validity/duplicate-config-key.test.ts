import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, exampleFindings, run, spanText } from './helpers';

const RULE = 'duplicate-config-key';

const BASE = 'data_dir = "/opt/nomad/data"\nlog_level = "INFO"\nclient {\n  enabled = true\n  servers = ["10.0.0.1"]\n}\n';
const CLIENT = 'log_level = "DEBUG"\ndata_dir = "/opt/nomad/data"\nclient {\n  enabled = true\n  servers = ["10.0.0.2"]\n}\n';

test('two files of one role: the later value wins (warning) / same value (info); client.servers is appended, not reported', () => {
  const { ws, findings } = run({ 'shared/packer/config/nomad_base.hcl': BASE, 'shared/packer/config/nomad_client.hcl': CLIENT }, RULE);
  const byKey = new Map(findings.map((f) => [spanText(ws, f), f]));
  assert.equal(findings.length, 3, findings.map((f) => f.message).join('\n'));
  const lvl = byKey.get('log_level')!;
  assert.equal(lvl.category, 'schema');
  assert.equal(lvl.severity, 'warning');
  assert.deepEqual(lvl.span, { file: 'shared/packer/config/nomad_client.hcl', start: 0, end: 9 });
  assert.deepEqual(lvl.related[0]!.span, { file: 'shared/packer/config/nomad_base.hcl', start: at(BASE, 'log_level'), end: at(BASE, 'log_level') + 9 });
  assert.match(lvl.message, /"INFO" at shared\/packer\/config\/nomad_base\.hcl:2 and "DEBUG" here/);
  assert.equal(byKey.get('data_dir')!.severity, 'info');
  assert.equal(byKey.get('enabled')!.severity, 'info');
  assert.ok(!findings.some((f) => /client\.servers/.test(f.message)));
});

test('fixed: each key set once is silent', () => {
  const client = 'client {\n  servers = ["10.0.0.2"]\n}\n';
  assert.deepEqual(run({ 'shared/packer/config/nomad_base.hcl': BASE, 'shared/packer/config/nomad_client.hcl': client }, RULE).findings, []);
});

test('same key twice in one file', () => {
  const hcl = 'client {\n  enabled = true\n  node_class = "a"\n}\nclient {\n  node_class = "b"\n}\n';
  const { ws, findings } = run({ 'shared/packer/config/nomad_client.hcl': hcl }, RULE);
  assert.equal(findings.length, 1);
  assert.equal(spanText(ws, findings[0]!), 'node_class');
  assert.equal(findings[0]!.span.start, at(hcl, 'node_class', 1));
  assert.match(findings[0]!.message, /same file/);
});

test('a later script write that replaces the same file is not a merge', () => {
  const body =
    '@\'\ndata_dir = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled = true\n}\n\'@ | Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\client.hcl" -Encoding ascii\n';
  assert.deepEqual(run({ 'shared/packer/scripts/client.ps1': body + body }, RULE).findings, []);
});

test('examples: silent on mixed-os and windows-only (client.ps1 overwrites the image client.hcl)', async () => {
  assert.deepEqual(await exampleFindings('mixed-os'), []);
  assert.deepEqual(
    (await exampleFindings('windows-only')).filter((f) => f.ruleId === RULE),
    [],
  );
});

test('a template substituted in place with sed and then copied to the agent directory is one file, not two (no duplicates)', () => {
  const tpl = 'data_dir = "/opt/consul/data"\nserver = true\nbootstrap_expect = SERVER_COUNT\nretry_join = ["RETRY_JOIN"]\n';
  const sh = [
    '#!/bin/bash',
    'CONFIGDIR=/ops/shared/config',
    'CONSULCONFIGDIR=/etc/consul.d',
    'SERVER_COUNT=$1',
    'RETRY_JOIN=$2',
    'sed -i "s/SERVER_COUNT/$SERVER_COUNT/g" $CONFIGDIR/consul.hcl',
    'sed -i "s/RETRY_JOIN/$RETRY_JOIN/g" $CONFIGDIR/consul.hcl',
    'sudo cp $CONFIGDIR/consul.hcl $CONSULCONFIGDIR',
    '',
  ].join('\n');
  const ud = '#!/bin/bash\nsudo bash /ops/shared/scripts/server.sh "3" "provider=aws tag_key=A tag_value=b"\n';
  const files = { 'shared/config/consul.hcl': tpl, 'shared/scripts/server.sh': sh, 'shared/data-scripts/user-data-server.sh': ud };
  assert.deepEqual(
    run(files, RULE).findings.map((f) => f.message),
    [],
  );
  assert.deepEqual(
    run(files, 'hcl-syntax').findings.map((f) => f.message),
    [],
  );
  const ws = run(files, RULE).ws;
  const docs = ws.model!.configs.map((c) => c.doc.targetPath);
  assert.deepEqual(docs, ['/etc/consul.d/consul.hcl']);
});

test('Consul: one service per file in the config directory is a list of definitions, not a conflict', () => {
  const svc = (name: string, port: number) =>
    `service {\n  name = "${name}"\n  port = ${port}\n  check {\n    http     = "http://127.0.0.1:${port}/health"\n    interval = "10s"\n  }\n}\n`;
  const write = (file: string, body: string) => `cat > /etc/consul.d/${file} <<CFG\n${body}CFG\n`;
  const script = (web: string) =>
    `#!/bin/bash\n${write('consul.hcl', 'data_dir = "/opt/consul"\nserver = false\nretry_join = ["10.0.0.1"]\n')}${write('web.hcl', web)}${write('api.hcl', svc('api', 9090))}${write('two.hcl', svc('a', 1) + svc('b', 2))}`;
  const file = 'shared/packer/scripts/client.sh';
  const ok = run({ [file]: script(svc('web', 8080)) }, RULE);
  const role = ok.ws.analyze().roles.find((r) => r.product === 'consul');
  assert.ok(role && role.settings.some((s) => s.path === 'service.name'), 'the service files are part of the Consul role');
  assert.deepEqual(ok.findings, [], 'every service block is its own registration');
  // The same key twice inside one service block is still a duplicate.
  const { ws, findings } = run({ [file]: script('service {\n  name = "web"\n  port = 8080\n  port = 8081\n}\n') }, RULE);
  assert.equal(findings.length, 1, findings.map((f) => f.message).join('\n'));
  assert.equal(spanText(ws, findings[0]!), 'port');
  assert.match(findings[0]!.message, /`service\.port` is set twice in the same file/);
});

test('configs of one role kind on different machines (Linux and Windows) or in different directories are not merged (real tree, round 5)', () => {
  const srv = 'server           = true\ndata_dir         = "/opt/consul/data"\nbootstrap_expect = 1\n';
  const win = 'server           = true\ndata_dir         = "C:/opt/consul/data"\nbootstrap_expect = 1\n';
  assert.deepEqual(run({ 'config/consul.hcl': srv, 'config/consul_windows.hcl': win }, RULE).findings, []);
  const ps = (dir: string, file: string, body: string) =>
    `$c = @'\n${body}'@\n[IO.File]::WriteAllText("${dir}\\\\${file}", $c, [Text.UTF8Encoding]::new($false))\n`;
  const two =
    ps('C:\\\\etc\\\\consul.d', 'consul_client.hcl', 'server = false\nretry_join = ["10.0.0.1"]\n') +
    ps('C:\\\\opt\\\\consul\\\\config', 'consul.hcl', 'server = false\nretry_join = ["10.0.0.2"]\n');
  assert.deepEqual(run({ 'scripts/client.ps1': two }, RULE).findings, []);
  // The same two files in one directory are merged by the agent: reported.
  const one =
    ps('C:\\\\opt\\\\consul\\\\config', 'a.hcl', 'server = false\nretry_join = ["10.0.0.1"]\n') +
    ps('C:\\\\opt\\\\consul\\\\config', 'b.hcl', 'server = false\nretry_join = ["10.0.0.2"]\n');
  assert.ok(run({ 'scripts/client.ps1': one }, RULE).findings.length > 0);
});

test('two tree files of the same name in different directories are two versions of one file, not two files of one config directory (real tree, round 8)', () => {
  const cfg = (level: string) => `log_level = "${level}"\ndata_dir = "C:\\\\nomad\\\\data"\nclient {\n  enabled = true\n}\n`;
  const copy = 'Copy-Item ".\\\\ci\\\\agent.hcl" -Destination "C:\\\\nomad\\\\conf\\\\agent.hcl" -Force\nStart-Service nomad\n';
  // Only ci/agent.hcl is deployed; dev/agent.hcl is the other version of that file.
  assert.deepEqual(run({ 'scripts/setup.ps1': copy, 'ci/agent.hcl': cfg('DEBUG'), 'dev/agent.hcl': cfg('INFO') }, RULE).findings, []);
  // Neither deployed: still two versions of one file name.
  assert.deepEqual(run({ 'ci/agent.hcl': cfg('DEBUG'), 'dev/agent.hcl': cfg('INFO') }, RULE).findings, []);
  // Two different names beside each other are still one directory's files: reported.
  assert.ok(run({ 'conf/base.hcl': cfg('DEBUG'), 'conf/agent.hcl': cfg('INFO') }, RULE).findings.length > 0);
});

test('inputs of one merge the script runs (json_merge base tls "x_${type}" > x.json) are not files of the config directory', () => {
  const script = [
    '#!/usr/bin/env bash',
    'type="$(cat ../data/input/consul_type)"',
    'cat > ../conf/consul_base.json <<EOF',
    '{ "ports": { "http": 8500, "https": -1 }, "datacenter": "dc1", "data_dir": "/opt/consul/data" }',
    'EOF',
    'cat > ../conf/consul_tls.json <<EOF',
    '{ "ports": { "http": -1, "https": 8500 }, "verify_incoming": true, "ca_file": "/etc/certs/consul.ca" }',
    'EOF',
    'cat > ../conf/consul_origin.json <<EOF',
    '{ "bootstrap": true, "server": true }',
    'EOF',
    'cat > ../conf/consul_master.json <<EOF',
    '{ "server": true, "retry_join": ["10.0.0.1"] }',
    'EOF',
    'if test -f /etc/certs/consul.key; then',
    '  ./json_merge ../conf/consul_base.json ../conf/consul_tls.json "../conf/consul_${type}.json" > ../conf/consul.json',
    'else',
    '  ./json_merge ../conf/consul_base.json "../conf/consul_${type}.json" > ../conf/consul.json',
    'fi',
    'sudo mv ../conf/consul.json /etc/consul.d/consul.json',
    '',
  ].join('\n');
  assert.deepEqual(
    run({ 'scripts/consul_configure.sh': script }, RULE).findings.map((f) => f.message),
    [],
  );
  // Without the merge, the same files in one directory are loaded together: the duplicates are reported.
  const loose = script.replace(/ {2}\.\/json_merge[^\n]*\n/g, '');
  assert.ok(run({ 'scripts/consul_configure.sh': loose }, RULE).findings.length >= 2);
});
