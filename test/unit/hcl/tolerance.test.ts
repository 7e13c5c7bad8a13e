import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHcl, type HclBlock, type HclDialect } from '../../../server/src/core/parsers/hcl';
import { attr, block } from './helpers';

const dialects: HclDialect[] = ['hcl1', 'hcl2'];

test('unclosed block keeps its items', () => {
  for (const d of dialects) {
    const r = parseHcl('datacenter = "dc1"\nclient {\n  enabled = true\n', d);
    assert.equal(attr(r.body, 'datacenter').value.type, 'string');
    const c = block(r.body, 'client');
    assert.equal(attr(c.body, 'enabled').value.type, 'bool');
    assert.ok(r.diagnostics.some((x) => x.message.startsWith('Unclosed configuration block') && x.start === 26));
  }
});

test('unclosed list at end of block: block still closes', () => {
  const text = 'client {\n  servers = [\n}\nserver { enabled = true }\n';
  const r = parseHcl(text);
  const c = block(r.body, 'client');
  assert.equal(attr(c.body, 'servers').value.type, 'list');
  assert.equal(c.end, text.indexOf('}') + 1);
  assert.equal(attr(block(r.body, 'server').body, 'enabled').value.type, 'bool');
  assert.ok(r.diagnostics.some((x) => x.message.includes('Unterminated list')));
});

test('unclosed list followed by the next attribute', () => {
  const r = parseHcl('servers = ["a",\nregion = "global"\n');
  assert.equal(attr(r.body, 'region').value.type, 'string');
  const s = attr(r.body, 'servers').value;
  assert.ok(s.type === 'list' && s.items.length === 1);
});

test('key = at EOF and key = before the next line', () => {
  for (const d of dialects) {
    const r = parseHcl('a = 1\nkey =', d);
    const k = attr(r.body, 'key');
    assert.deepEqual([k.start, k.end, k.value.start, k.value.end], [6, 11, 11, 11]);
    assert.equal(r.diagnostics.length, 1);
    const r2 = parseHcl('key =\nb = 2\n', d);
    assert.equal(attr(r2.body, 'b').value.type, 'number');
  }
});

test('stray closing brace and garbage characters', () => {
  const text = 'a = 1\n}\n@@@ b = 2\n;;\nc { d = 3 }\n';
  for (const d of dialects) {
    const r = parseHcl(text, d);
    assert.equal(attr(r.body, 'a').value.type, 'number');
    assert.equal(attr(r.body, 'b').value.type, 'number');
    assert.equal(attr(block(r.body, 'c').body, 'd').value.type, 'number');
    assert.ok(r.diagnostics.some((x) => x.start === 6 && x.end === 7));
    assert.ok(r.diagnostics.some((x) => x.start === 8 && x.message.startsWith('Invalid character')));
  }
});

test('unterminated string and unterminated block comment', () => {
  const r = parseHcl('a = "abc\nb = 2\n/* never closed');
  assert.equal(attr(r.body, 'b').value.type, 'number');
  assert.ok(r.diagnostics.some((x) => x.message.includes('comment')));
  const r2 = parseHcl('a = "${var.x\nb = 2\n');
  assert.equal(attr(r2.body, 'b').value.type, 'number');
});

test('sed placeholders (bare NODE_CLASS) leave a parseable tree', () => {
  const r = parseHcl('client {\n  node_class = NODE_CLASS\n  servers = [RETRY_JOIN]\n}\nbind_addr = IP_ADDRESS\n', 'hcl1');
  const c = block(r.body, 'client');
  assert.deepEqual(attr(c.body, 'node_class').value, { type: 'traversal', start: 24, end: 34, path: ['NODE_CLASS'] });
  assert.equal(attr(r.body, 'bind_addr').value.type, 'traversal');
});

test('every prefix of a realistic file parses without throwing', () => {
  const text = [
    'data_dir  = "C:\\\\nomad\\\\data"',
    'client {',
    '  enabled = true',
    '  servers = ["10.0.0.1:4647", "${var.x}"]',
    '  meta { "os" = "windows" }',
    '}',
    'tls { http = true, rpc = true }',
    'x = <<-EOF',
    '  a ${b} %{ if c }d%{ endif }',
    '  EOF',
    'y = [for s in var.l : s if s != ""]',
    'z = { a = 1, "b": [1, 2,], c = { d = null } }',
    '',
  ].join('\n');
  for (const d of dialects) {
    for (let i = 0; i <= text.length; i++) {
      const r = parseHcl(text.slice(0, i), d);
      assert.ok(r.body.end === i);
      for (const diag of r.diagnostics) assert.ok(diag.start >= 0 && diag.end <= i && diag.start <= diag.end, `${i}: ${JSON.stringify(diag)}`);
    }
  }
});

test('random garbage never throws and terminates', () => {
  const alphabet = [
    'a',
    ' ',
    '=',
    '{',
    '}',
    '[',
    ']',
    '"',
    '\\',
    '$',
    '%',
    '~',
    '\n',
    '<<EOF\n',
    'EOF',
    '#',
    '/*',
    '*/',
    '(',
    ')',
    ',',
    ':',
    '?',
    '.',
    '*',
    '1',
    '@',
    'for',
    'in',
    '\t',
  ];
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let k = 0; k < 400; k++) {
    let s = '';
    const len = rand(80);
    for (let i = 0; i < len; i++) s += alphabet[rand(alphabet.length)];
    for (const d of dialects) {
      const r = parseHcl(s, d);
      assert.equal(r.body.end, s.length);
    }
  }
});

test('10,000 nested blocks: no stack overflow, depth diagnostic', () => {
  const depth = 10000;
  const text = 'a {\n'.repeat(depth) + 'x = 1\n' + '}\n'.repeat(depth) + 'after = 2\n';
  for (const d of dialects) {
    const r = parseHcl(text, d);
    assert.ok(r.diagnostics.some((x) => x.message.includes('nested too deeply')));
    assert.equal(attr(r.body, 'after').value.type, 'number');
    let b: HclBlock | undefined = block(r.body, 'a');
    let levels = 0;
    while (b) {
      levels++;
      b = b.body.items.find((i): i is HclBlock => i.kind === 'block');
    }
    assert.ok(levels >= 400 && levels <= 501, String(levels));
  }
});

test('deeply nested expressions do not overflow', () => {
  for (const [open, close] of [
    ['[', ']'],
    ['(', ')'],
    ['{a=', '}'],
    ['"${', '}"'],
    ['!', ''],
  ] as const) {
    const text = 'v = ' + open.repeat(10000) + '1' + close.repeat(10000) + '\nafter = 2\n';
    const r = parseHcl(text);
    assert.equal(attr(r.body, 'after').value.type, 'number', open);
  }
});

test('large file parses in time proportional to a small one', () => {
  const unit = [
    'job "web" {',
    '  datacenters = ["dc1", "dc2"]',
    '  group "g" {',
    '    count = 3',
    '    task "t" {',
    '      driver = "raw_exec"',
    '      config {',
    '        command = "C:\\\\nomad\\\\bin\\\\app.exe"',
    '        args    = ["-port", "${NOMAD_PORT_http}"]',
    '      }',
    '      env = { A = var.a ? 1 : 2, B = [for x in local.y : x] }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  const small = unit.repeat(200);
  const big = unit.repeat(Math.ceil((10 * 1024 * 1024) / unit.length));
  parseHcl(small);
  const t0 = process.hrtime.bigint();
  const rs = parseHcl(small);
  const t1 = process.hrtime.bigint();
  const rb = parseHcl(big);
  const t2 = process.hrtime.bigint();
  assert.deepEqual(rs.diagnostics, []);
  assert.deepEqual(rb.diagnostics, []);
  const ratio = big.length / small.length;
  const smallNs = Number(t1 - t0);
  const bigNs = Number(t2 - t1);
  // Linear: the big file may take at most a few times longer per byte than the small one.
  assert.ok(bigNs < smallNs * ratio * 6 + 200e6, `small ${smallNs / 1e6}ms, big ${bigNs / 1e6}ms, ratio ${ratio}`);
});

test('diagnostics: identical adjacent errors merge; the total is capped', () => {
  const r = parseHcl('a = 1\n@@@@@\n');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.start, d.end]),
    [[6, 11]],
  );
  const many = parseHcl('a = "\\q"\n'.repeat(5000));
  assert.ok(many.diagnostics.length <= 1001);
  assert.ok(many.diagnostics[many.diagnostics.length - 1]?.message.startsWith('Too many syntax errors'));
});
