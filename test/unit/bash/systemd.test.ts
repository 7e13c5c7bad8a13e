import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExecStartFlags, parseSystemdUnit } from '../../../server/src/core/parsers/bash';
import { at } from './helpers';

const UNIT = [
  '[Unit]',
  'Description=Nomad',
  'Wants=network-online.target',
  '# comment',
  '',
  '[Service]',
  'ExecReload=/bin/kill -HUP $MAINPID',
  'ExecStart=/usr/local/bin/nomad agent -config /etc/nomad.d -data-dir=/opt/nomad \\',
  '    -region "global" -dev',
  'KillMode = process',
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

test('sections, entries and offsets', () => {
  const u = parseSystemdUnit(UNIT);
  assert.deepEqual(
    u.sections.map((s) => [s.name, s.start, s.entries.map((e) => e.key)]),
    [
      ['Unit', 0, ['Description', 'Wants']],
      ['Service', at(UNIT, '[Service]'), ['ExecReload', 'ExecStart', 'KillMode']],
      ['Install', at(UNIT, '[Install]'), ['WantedBy']],
    ],
  );
  const d = u.sections[0]!.entries[0]!;
  assert.deepEqual(d, { key: 'Description', value: 'Nomad', start: 7, end: 24, valueStart: 19 });
  const km = u.sections[1]!.entries[2]!;
  assert.equal(km.value, 'process');
  assert.equal(km.valueStart, at(UNIT, 'process'));
});

test('continuation lines keep value offsets aligned with the source', () => {
  const u = parseSystemdUnit(UNIT);
  const es = u.sections[1]!.entries[1]!;
  assert.equal(es.key, 'ExecStart');
  assert.equal(es.valueStart, at(UNIT, '/usr/local/bin/nomad'));
  assert.equal(es.value.replace(/\s+/g, ' '), '/usr/local/bin/nomad agent -config /etc/nomad.d -data-dir=/opt/nomad -region "global" -dev');
  for (let i = 0; i < es.value.length; i++) if (es.value[i] !== ' ') assert.equal(UNIT[es.valueStart + i], es.value[i]);
  assert.equal(es.end, at(UNIT, '-dev') + 4);
});

test('ExecStart flags: -flag value, -flag=value, quoted values, bare flags', () => {
  const u = parseSystemdUnit(UNIT);
  const es = u.sections[1]!.entries[1]!;
  const flags = parseExecStartFlags(es.value, es.valueStart);
  assert.deepEqual(
    flags.map((f) => [f.name, f.value]),
    [
      ['config', '/etc/nomad.d'],
      ['data-dir', '/opt/nomad'],
      ['region', 'global'],
      ['dev', undefined],
    ],
  );
  const [cfg, dd, rg, dev] = flags;
  assert.deepEqual([cfg!.start, cfg!.end, cfg!.valueStart], [at(UNIT, '-config'), at(UNIT, '/etc/nomad.d') + 12, at(UNIT, '/etc/nomad.d')]);
  assert.deepEqual([dd!.start, dd!.end, dd!.valueStart], [at(UNIT, '-data-dir'), at(UNIT, '/opt/nomad ') + 10, at(UNIT, '/opt/nomad ')]);
  assert.deepEqual([rg!.valueStart, rg!.valueEnd], [at(UNIT, '"global"'), at(UNIT, '"global"') + 8]);
  assert.deepEqual([dev!.start, dev!.end], [at(UNIT, '-dev'), at(UNIT, '-dev') + 4]);
});

test('single-line ExecStart with systemd prefix and --flags', () => {
  const v = '-/usr/bin/consul agent --config-dir=/etc/consul.d -bind 10.0.0.1';
  assert.deepEqual(parseExecStartFlags(v, 100), [
    { name: 'config-dir', value: '/etc/consul.d', start: 123, end: 149, valueStart: 136, valueEnd: 149 },
    { name: 'bind', value: '10.0.0.1', start: 150, end: 164, valueStart: 156, valueEnd: 164 },
  ]);
});

test('CRLF units and garbage do not throw', () => {
  const u = parseSystemdUnit('[Service]\r\nExecStart=/bin/nomad agent \\\r\n -config=/x\r\nUser=root\r\n');
  const e = u.sections[0]!.entries;
  assert.deepEqual(
    e.map((x) => x.key),
    ['ExecStart', 'User'],
  );
  assert.deepEqual(
    parseExecStartFlags(e[0]!.value, e[0]!.valueStart).map((f) => [f.name, f.value]),
    [['config', '/x']],
  );
  assert.doesNotThrow(() => parseSystemdUnit('[broken\n=\nkey\n\\\n'));
  assert.doesNotThrow(() => parseExecStartFlags('"unterminated -x', 0));
});
