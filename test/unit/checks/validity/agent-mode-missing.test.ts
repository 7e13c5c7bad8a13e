import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, run, spanText } from './helpers';

const RULE = 'agent-mode-missing';

const script = (slave: string, unit = 'ExecStart=/usr/local/bin/nomad agent -config=/etc/nomad.d') =>
  [
    '#!/usr/bin/env bash',
    'nomad_type="$(cat ../data/input/nomad_type)"',
    'cat > ../conf/nomad.service <<EOF',
    '[Service]',
    unit,
    'EOF',
    'cat > ../conf/nomad_base.json <<EOF',
    '{ "data_dir": "/opt/nomad/data", "datacenter": "dc1", "bind_addr": "0.0.0.0" }',
    'EOF',
    'cat > ../conf/nomad_tls.json <<EOF',
    '{ "tls": { "http": true, "rpc": true } }',
    'EOF',
    'cat > ../conf/nomad_master.json <<EOF',
    '{ "server": { "enabled": true, "bootstrap_expect": 3 } }',
    'EOF',
    'cat > ../conf/nomad_slave.json <<EOF',
    slave,
    'EOF',
    'if test -f /etc/certs/nomad.key; then',
    '  ./json_merge ../conf/nomad_base.json ../conf/nomad_tls.json "../conf/nomad_${nomad_type}.json" > ../conf/nomad.json',
    'else',
    '  ./json_merge ../conf/nomad_base.json "../conf/nomad_${nomad_type}.json" > ../conf/nomad.json',
    'fi',
    'sudo mv ../conf/nomad.json /etc/nomad.d/nomad.json',
    '',
  ].join('\n');

test('a merge variant with neither server nor client mode: error at the write of the variant', () => {
  const text = script('{}');
  const { ws, findings } = run({ 'scripts/nomad_configure': text }, RULE);
  assert.equal(findings.length, 1, findings.map((f) => f.message).join('\n'));
  const f = findings[0]!;
  assert.equal(f.category, 'schema');
  assert.equal(f.severity, 'error');
  const start = at(text, '<<EOF', 4);
  assert.deepEqual(f.span, { file: 'scripts/nomad_configure', start, end: at(text, 'EOF\nif') + 3 });
  assert.match(spanText(ws, f), /^<<EOF\n\{\}\nEOF$/);
  assert.match(f.message, /merged into \.\.\/conf\/nomad\.json from nomad_base\.json, nomad_tls\.json, nomad_slave\.json/);
  assert.match(f.message, /Must specify either server, client or dev mode for the agent\./);
  // The server variant has its mode: not reported.
  assert.ok(!findings.some((x) => /nomad_master/.test(spanText(ws, x))));
});

test('fixed: the worker variant enables client mode', () => {
  assert.deepEqual(run({ 'scripts/nomad_configure': script('{ "client": { "enabled": true } }') }, RULE).findings, []);
});

test('a Nomad service that passes -client gives the mode itself', () => {
  const text = script('{}', 'ExecStart=/usr/local/bin/nomad agent -client -config=/etc/nomad.d');
  const unitFile = '[Unit]\nDescription=nomad\n[Service]\nExecStart=/usr/local/bin/nomad agent -client -config=/etc/nomad.d\n';
  assert.deepEqual(run({ 'scripts/nomad_configure': text, 'units/nomad.service': unitFile }, RULE).findings, []);
});
