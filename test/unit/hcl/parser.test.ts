import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHcl } from '../../../server/src/core/parsers/hcl';
import { attr, block, slice, str } from './helpers';

test('attributes and blocks with exact ranges', () => {
  const text = 'a = 1\nc "l1" l2 {\n  d = true\n}\n';
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  const a = attr(r.body, 'a');
  assert.deepEqual([a.start, a.end, a.nameStart, a.nameEnd], [0, 5, 0, 1]);
  assert.deepEqual(a.value, { type: 'number', start: 4, end: 5, value: 1, raw: '1' });
  const c = block(r.body, 'c');
  assert.deepEqual([c.start, c.end, c.typeStart, c.typeEnd], [6, 30, 6, 7]);
  assert.deepEqual(c.labels, [
    { start: 8, end: 12, value: 'l1' },
    { start: 13, end: 15, value: 'l2' },
  ]);
  assert.deepEqual([c.body.start, c.body.end], [16, 30]);
  const d = attr(c.body, 'd');
  assert.deepEqual([d.start, d.end], [20, 28]);
  assert.deepEqual(d.value, { type: 'bool', start: 24, end: 28, value: true });
  assert.deepEqual([r.body.start, r.body.end], [0, text.length]);
});

test('comments of all three kinds are skipped', () => {
  const text = '# hash\n// slashes\n/* block\n comment */ a = 1 // trailing\nb = 2 # x\n';
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(attr(r.body, 'a').start, text.indexOf('a = 1'));
  assert.equal(attr(r.body, 'b').value.type, 'number');
});

test('literals: numbers, bools, null', () => {
  const r = parseHcl('a = 1.5e3\nb = false\nc = null\nd = -3\n');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(attr(r.body, 'a').value, { type: 'number', start: 4, end: 9, value: 1500, raw: '1.5e3' });
  assert.deepEqual(attr(r.body, 'b').value, { type: 'bool', start: 14, end: 19, value: false });
  assert.deepEqual(attr(r.body, 'c').value, { type: 'null', start: 24, end: 28 });
  assert.deepEqual(attr(r.body, 'd').value, { type: 'number', start: 33, end: 35, value: -3, raw: '-3' });
});

test('lists with trailing commas and newlines', () => {
  const text = 'servers = [\n  "10.0.0.1:4647",\n  "10.0.0.2:4647",\n]\n';
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  const v = attr(r.body, 'servers').value;
  assert.equal(v.type, 'list');
  if (v.type !== 'list') return;
  assert.deepEqual([v.start, v.end], [10, text.length - 1]);
  assert.deepEqual(
    v.items.map((i) => (i.type === 'string' ? i.value : '?')),
    ['10.0.0.1:4647', '10.0.0.2:4647'],
  );
  assert.deepEqual([v.items[0]?.start, v.items[0]?.end], [14, 29]);
});

test('objects with = and : separators, commas and newlines', () => {
  const text = 'o = { k = 1, "k2": "v"\n  k3 = [] }\n';
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  const v = attr(r.body, 'o').value;
  assert.equal(v.type, 'object');
  if (v.type !== 'object') return;
  assert.deepEqual(
    v.items.map((i) => i.name),
    ['k', 'k2', 'k3'],
  );
  const k2 = v.items[1];
  assert.ok(k2);
  assert.deepEqual([k2.nameStart, k2.nameEnd, k2.value.start, k2.value.end], [13, 17, 19, 22]);
  assert.deepEqual([v.start, v.end], [4, text.length - 1]);
});

test('traversals, calls and other expressions', () => {
  const text = [
    'a = var.x',
    'b = local.y[0]',
    'c = module.m.out',
    'd = templatefile("${path.module}/t.ps1", { a = var.a })',
    'e = var.on ? "x" : "y"',
    'f = [for s in var.list : upper(s)]',
    'g = aws_instance.web[*].id',
    'h = 1 + 2 * 3',
    'i = { for k, v in var.m : k => v }',
    'j = !var.b',
    'k = (var.a)',
    '',
  ].join('\n');
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(attr(r.body, 'a').value, { type: 'traversal', start: 4, end: 9, path: ['var', 'x'] });
  const b = attr(r.body, 'b').value;
  assert.deepEqual(b.type === 'traversal' ? b.path : [], ['local', 'y', '[0]']);
  assert.equal(slice(text, b), 'local.y[0]');
  const c = attr(r.body, 'c').value;
  assert.deepEqual(c.type === 'traversal' ? c.path : [], ['module', 'm', 'out']);
  const d = attr(r.body, 'd').value;
  assert.equal(d.type, 'call');
  if (d.type === 'call') {
    assert.equal(d.name, 'templatefile');
    assert.equal(slice(text, d), 'templatefile("${path.module}/t.ps1", { a = var.a })');
    const [path, vars] = d.args;
    assert.ok(path && vars);
    assert.equal(str(path).value, '${path.module}/t.ps1');
    const interp = str(path).parts[0];
    assert.ok(interp && interp.kind === 'interpolation');
    assert.deepEqual(interp.expr.type === 'traversal' ? interp.expr.path : [], ['path', 'module']);
    assert.equal(vars.type, 'object');
    if (vars.type === 'object') assert.equal(vars.items[0]?.name, 'a');
  }
  for (const [name, raw] of [
    ['e', 'var.on ? "x" : "y"'],
    ['f', '[for s in var.list : upper(s)]'],
    ['g', 'aws_instance.web[*].id'],
    ['h', '1 + 2 * 3'],
    ['i', '{ for k, v in var.m : k => v }'],
    ['j', '!var.b'],
    ['k', '(var.a)'],
  ] as const) {
    const v = attr(r.body, name).value;
    assert.equal(v.type, 'other', name);
    if (v.type === 'other') assert.equal(v.raw, raw);
    assert.equal(slice(text, v), raw);
  }
});

test('HCL v1 dashed and dotted keys, object form, commas', () => {
  const text = 'foo-bar = 1\nmeta.key = "v"\nports = { http = 4646, rpc = 4647 }\nclient { enabled = true, node_class = "x" }\n';
  const r = parseHcl(text, 'hcl1');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(attr(r.body, 'foo-bar').nameEnd, 7);
  const mk = attr(r.body, 'meta.key');
  assert.deepEqual([mk.nameStart, mk.nameEnd], [12, 20]);
  assert.equal(attr(r.body, 'ports').value.type, 'object');
  const client = block(r.body, 'client');
  assert.deepEqual(
    client.body.items.map((i) => (i.kind === 'attribute' ? i.name : i.type)),
    ['enabled', 'node_class'],
  );
});

test('HCL v1 nested block inside object value', () => {
  const r = parseHcl('a = { b { c = 1 } }\n', 'hcl1');
  assert.deepEqual(r.diagnostics, []);
  const v = attr(r.body, 'a').value;
  assert.ok(v.type === 'object' && v.items[0]?.name === 'b' && v.items[0].value.type === 'object');
});

test('Terraform 0.11 file', () => {
  const text = [
    'variable "region" { default = "us-east-1" }',
    'resource "aws_instance" "nomad" {',
    '  ami       = "${lookup(var.amis, var.region)}"',
    '  user_data = "${file("${path.module}/user-data.ps1")}"',
    '  count     = "${var.count}"',
    '  tags { Name = "nomad-${count.index}" }',
    '}',
    '',
  ].join('\n');
  const r = parseHcl(text, 'hcl1');
  assert.deepEqual(r.diagnostics, []);
  const res = block(r.body, 'resource');
  assert.deepEqual(
    res.labels.map((l) => l.value),
    ['aws_instance', 'nomad'],
  );
  const ud = str(attr(res.body, 'user_data').value);
  assert.equal(ud.value, '${file("${path.module}/user-data.ps1")}');
  const p = ud.parts[0];
  assert.ok(p && p.kind === 'interpolation' && p.expr.type === 'call' && p.expr.name === 'file');
  assert.equal(slice(text, p), '${file("${path.module}/user-data.ps1")}');
  const tags = block(res.body, 'tags');
  assert.equal(str(attr(tags.body, 'Name').value).parts.length, 2);
  // Same file as HCL2 also parses (labels + interpolation-only strings are fine).
  assert.deepEqual(parseHcl(text.replace('tags {', 'tags = {'), 'hcl2').diagnostics, []);
});

test('Terraform 0.12+ file', () => {
  const text = [
    'locals {',
    '  servers = [for i in range(3) : "10.0.0.${i + 10}"]',
    '}',
    'resource "aws_instance" "win" {',
    '  user_data = templatefile("${path.module}/win.ps1.tpl", {',
    '    gossip_key = var.gossip_key',
    '    servers    = jsonencode(local.servers)',
    '  })',
    '  tags = merge(var.tags, { Name = "nomad-win" })',
    '  dynamic "ebs_block_device" {',
    '    for_each = var.disks',
    '    content { device_name = ebs_block_device.value }',
    '  }',
    '}',
    '',
  ].join('\n');
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  const res = block(r.body, 'resource', 0);
  const ud = attr(res.body, 'user_data').value;
  assert.ok(ud.type === 'call');
  const vars = ud.args[1];
  assert.ok(vars && vars.type === 'object');
  const gk = vars.items.find((i) => i.name === 'gossip_key');
  assert.deepEqual(gk?.value.type === 'traversal' ? gk.value.path : [], ['var', 'gossip_key']);
  assert.equal(gk?.nameStart, text.indexOf('gossip_key ='));
  const dyn = block(res.body, 'dynamic');
  assert.equal(dyn.labels[0]?.value, 'ebs_block_device');
  assert.equal(block(dyn.body, 'content').body.items.length, 1);
});

test('single-line block and empty block', () => {
  const r = parseHcl('a { b = 1 }\nc {}\n');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(block(r.body, 'a').body.items.length, 1);
  assert.equal(block(r.body, 'c').end, 16);
});
