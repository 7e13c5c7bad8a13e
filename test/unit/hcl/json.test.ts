import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonConfig } from '../../../server/src/core/parsers/hcl';
import { attr, block, slice, str } from './helpers';

test('JSON agent config becomes blocks and attributes with offsets', () => {
  const text = '{\n  "datacenter": "dc1",\n  "client": { "enabled": true, "servers": ["10.0.0.1", "10.0.0.2"] },\n  "ports": { "http": 4646 }\n}\n';
  const r = parseJsonConfig(text);
  assert.deepEqual(r.diagnostics, []);
  const dc = attr(r.body, 'datacenter');
  assert.deepEqual([dc.start, dc.end, dc.nameStart, dc.nameEnd], [4, 23, 4, 16]);
  const v = str(dc.value);
  assert.deepEqual([v.start, v.end, v.contentStart, v.contentEnd, v.value], [18, 23, 19, 22, 'dc1']);
  const client = block(r.body, 'client');
  assert.equal(slice(text, client), '"client": { "enabled": true, "servers": ["10.0.0.1", "10.0.0.2"] }');
  assert.equal(slice(text, client.body), '{ "enabled": true, "servers": ["10.0.0.1", "10.0.0.2"] }');
  const servers = attr(client.body, 'servers').value;
  assert.ok(servers.type === 'list' && servers.items.length === 2);
  assert.equal(slice(text, servers.items[1] ?? servers), '"10.0.0.2"');
  assert.deepEqual(attr(block(r.body, 'ports').body, 'http').value, {
    type: 'number',
    start: text.indexOf('4646'),
    end: text.indexOf('4646') + 4,
    value: 4646,
    raw: '4646',
  });
});

test('JSON: array of objects becomes repeated blocks; nested objects stay blocks', () => {
  const text = '{"service": [{"name": "a"}, {"name": "b"}], "acl": {"tokens": {"agent": "x"}}, "empty": [], "mixed": [1, {"a": 2}]}';
  const r = parseJsonConfig(text);
  assert.deepEqual(r.diagnostics, []);
  const s0 = block(r.body, 'service', 0);
  const s1 = block(r.body, 'service', 1);
  assert.equal(str(attr(s0.body, 'name').value).value, 'a');
  assert.equal(slice(text, s1.body), '{"name": "b"}');
  const tokens = block(block(r.body, 'acl').body, 'tokens');
  assert.equal(str(attr(tokens.body, 'agent').value).value, 'x');
  assert.equal(attr(r.body, 'empty').value.type, 'list');
  const mixed = attr(r.body, 'mixed').value;
  assert.ok(mixed.type === 'list' && mixed.items[1]?.type === 'object');
});

test('JSON escapes: control and invalid', () => {
  const text = '{"data_dir": "C:\\tmp\\nomad", "x": "C:\\q", "ok": "C:\\\\nomad\\u0041"}';
  const r = parseJsonConfig(text);
  const dd = str(attr(r.body, 'data_dir').value);
  assert.equal(dd.value, 'C:\tmp\nomad');
  assert.deepEqual(
    dd.escapeIssues.map((i) => [i.kind, i.sequence]),
    [
      ['control', '\\t'],
      ['control', '\\n'],
    ],
  );
  assert.deepEqual(
    str(attr(r.body, 'x').value).escapeIssues.map((i) => [i.start, i.kind]),
    [[text.indexOf('\\q'), 'invalid']],
  );
  assert.equal(str(attr(r.body, 'ok').value).value, 'C:\\nomadA');
  assert.equal(r.diagnostics.length, 1);
});

test('JSON tolerance: half-typed file keeps what parsed', () => {
  const text = '{\n  "datacenter": "dc1",\n  "client": {\n    "enabled": true,\n    "servers": [\n';
  const r = parseJsonConfig(text);
  assert.ok(r.diagnostics.length >= 2);
  assert.equal(str(attr(r.body, 'datacenter').value).value, 'dc1');
  const client = block(r.body, 'client');
  assert.deepEqual(attr(client.body, 'enabled').value.type, 'bool');
  assert.equal(attr(client.body, 'servers').value.type, 'list');
});

test('JSON tolerance: garbage, missing colon, missing comma, unterminated string', () => {
  for (const text of [
    '{"a": 1 "b": 2}',
    '{"a" 1, "b": 2}',
    '{"a": @, "b": 2}',
    '{"a": "x\n, "b": 2}',
    '{"a": 1,, "b": 2,}',
    '{"a": }',
    '',
    '[1]',
    '{"a": 1}}',
    '{{{{',
  ]) {
    const r = parseJsonConfig(text);
    assert.ok(Array.isArray(r.body.items), text);
    if (text.includes('"b": 2')) assert.equal(attr(r.body, 'b').value.type, 'number', text);
  }
  assert.ok(parseJsonConfig('{"a": 1 "b": 2}').diagnostics.length > 0);
});

test('JSON deep nesting does not overflow', () => {
  const depth = 10000;
  const text = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const r = parseJsonConfig(text);
  assert.ok(r.diagnostics.some((d) => d.message.includes('nested too deeply')));
});
