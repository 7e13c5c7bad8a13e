import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { model } from './helpers';
import type { DeploymentModel } from '../../../server/src/core/model/deploymentModel';
import { parseHcl } from '../../../server/src/core/parsers/hcl';

/** The number of instances of `resource.<address>` in `dir` ('unknown: <reason>' when not known). */
function instances(m: DeploymentModel, address: string, dir = 'tf'): string {
  const r = m.terraform.resources.get(`${dir}\0${address}`);
  assert.ok(r, `no resource ${address}`);
  const i = m.terraform.blockInstances(r.block, r.file, r.dir);
  if (!i) return 'no count';
  return i.value.kind === 'known' ? i.value.text : `unknown: ${i.value.reason}`;
}

/** A tree with `resource "aws_instance" "x" { <meta> }` and the given variables/tfvars/locals. */
function count(meta: string, extra = '', tfvars = ''): string {
  const files: Record<string, string> = { 'tf/main.tf': `${extra}\nresource "aws_instance" "x" {\n  ${meta}\n}\n` };
  if (tfvars) files['tf/terraform.tfvars'] = tfvars;
  return instances(model(files).m, 'aws_instance.x');
}

const servers = 'variable "servers" {\n  type = list(string)\n}\n';

test('terraform counts: count = length(…) of a tfvars list, a default, a local, a literal, a map', () => {
  assert.equal(count('count = length(var.servers)', servers, 'servers = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]\n'), '3');
  assert.equal(count('count = length(var.servers)', 'variable "servers" {\n  default = ["a", "b"]\n}\n'), '2');
  assert.equal(count('count = length(local.ips)', 'locals {\n  ips = ["a", "b", "c", "d"]\n}\n'), '4');
  assert.equal(count('count = length(["a", "b"])'), '2');
  assert.equal(count('count = length([])'), '0');
  assert.equal(count('count = length(var.nodes)', 'variable "nodes" {\n  default = { a = 1, b = 2 }\n}\n'), '2');
  // tfvars beats the default; `local` built from a variable.
  assert.equal(count('count = local.n', 'variable "ips" {\n  default = ["a"]\n}\nlocals {\n  n = length(var.ips)\n}\n', 'ips = ["a", "b", "c"]\n'), '3');
  // Terraform 0.11 style: a template that is only an interpolation is the value itself.
  assert.equal(count('count = "${length(var.servers)}"', servers, 'servers = ["a", "b"]\n'), '2');
  assert.equal(count('count = length(split(",", var.ips))', 'variable "ips" {\n  default = "a,b,c"\n}\n'), '3');
  assert.equal(count('count = length(keys(var.tags))', 'variable "tags" {\n  default = { a = "1" }\n}\n'), '1');
  assert.equal(count('count = var.config.server_replicas', 'variable "config" {\n  default = { server_replicas = 5 }\n}\n'), '5');
});

test('terraform counts: conditionals, arithmetic with precedence, comparisons, min/max', () => {
  assert.equal(count('count = var.enabled ? 1 : 0', 'variable "enabled" {\n  default = true\n}\n'), '1');
  assert.equal(count('count = var.enabled ? 1 : 0', 'variable "enabled" {\n  default = true\n}\n', 'enabled = false\n'), '0');
  assert.equal(count('count = !var.off ? 2 : 0', 'variable "off" {\n  default = false\n}\n'), '2');
  assert.equal(count('count = var.n > 0 ? var.n : 0', 'variable "n" {\n  default = 4\n}\n'), '4');
  assert.equal(count('count = var.n > 0 ? var.n : 0', 'variable "n" {\n  default = -1\n}\n'), '0');
  assert.equal(count('count = var.servers * 2', 'variable "servers" {\n  default = 3\n}\n'), '6');
  assert.equal(count('count = 1 + 2 * 3'), '7');
  assert.equal(count('count = (1 + 2) * 3'), '9');
  assert.equal(count('count = var.a + var.b', 'variable "a" {\n  default = 2\n}\nvariable "b" {\n  default = 1\n}\n', 'b = 3\n'), '5');
  assert.equal(count('count = min(var.n, 3)', 'variable "n" {\n  default = 5\n}\n'), '3');
  assert.equal(count('count = max(length(var.l), 1)', 'variable "l" {\n  default = []\n}\n'), '1');
  assert.equal(count('count = var.os == "windows" ? 2 : 0', 'variable "os" {\n  default = "linux"\n}\n'), '0');
  assert.equal(count('count = length(var.l) > 0 && var.on ? 1 : 0', 'variable "l" {\n  default = ["a"]\n}\nvariable "on" {\n  default = true\n}\n'), '1');
  // `==` compares types too: a number is never the string "3".
  assert.equal(count('count = var.n == "3" ? 1 : 0', 'variable "n" {\n  default = 3\n}\n'), '0');
  assert.equal(count('count = var.n == "3" ? 1 : 0', 'variable "n" {\n  type = string\n  default = 3\n}\n'), '1');
});

test('terraform counts: for_each over a map, a set, toset(list), a for-expression; empty means zero', () => {
  assert.equal(count('for_each = var.nodes', 'variable "nodes" {\n  default = {}\n}\n', 'nodes = { a = "10.0.0.1", b = "10.0.0.2" }\n'), '2');
  assert.equal(count('for_each = toset(var.names)', 'variable "names" {\n  default = ["a", "b", "a"]\n}\n'), '2');
  assert.equal(count('for_each = var.names', 'variable "names" {\n  type    = set(string)\n  default = ["a", "b", "c"]\n}\n'), '3');
  assert.equal(count('for_each = { a = 1, b = 2, c = 3 }'), '3');
  assert.equal(count('for_each = {}'), '0');
  assert.equal(count('for_each = toset([])'), '0');
  assert.equal(count('for_each = var.nodes', 'variable "nodes" {\n  default = {}\n}\n'), '0');
  assert.equal(count('for_each = { for k, v in var.nodes : k => v }', 'variable "nodes" {\n  default = { a = 1, b = 2 }\n}\n'), '2');
  assert.equal(count('for_each = { for n in var.names : n => upper(n) }', 'variable "names" {\n  default = ["x", "y", "z"]\n}\n'), '3');
  assert.equal(
    count(
      'for_each = { for k, v in var.nodes : k => v if v.server }',
      'variable "nodes" {\n  default = {\n    a = { server = true }\n    b = { server = false }\n    c = { server = true }\n  }\n}\n',
    ),
    '2',
  );
  // The values may be known only after apply: the keys are what counts.
  assert.equal(count('for_each = { for k, v in var.nodes : k => aws_eip.e[k].id }', 'variable "nodes" {\n  default = { a = 1 }\n}\n'), '1');
  assert.equal(count('count = length([for s in var.names : s if s != "b"])', 'variable "names" {\n  default = ["a", "b", "c"]\n}\n'), '2');
});

test('terraform counts: unknown inputs stay unknown, invalid values are not taken for counts', () => {
  const unknown = (s: string) => assert.match(s, /^unknown: /, s);
  unknown(count('count = length(var.servers)', servers));
  unknown(count('count = length(var.names)'));
  unknown(count('count = var.enabled ? 1 : 0', 'variable "enabled" {}\n'));
  unknown(count('count = var.n * 2', 'variable "n" {}\n'));
  unknown(count('count = length(data.aws_subnets.x.ids)'));
  unknown(count('count = min(var.n, 3)', 'variable "n" {}\n'));
  unknown(count('for_each = { for k, v in var.nodes : k => v }', 'variable "nodes" {}\n'));
  unknown(count('for_each = toset([aws_instance.y.id])'));
  // One unknown element makes the whole list's length known, but not a set's (two unknowns may be one).
  assert.equal(count('count = length([aws_instance.y.id, "b"])'), '2');
  // Terraform refuses these: a list for for_each, a negative or fractional count, a set of numbers.
  unknown(count('for_each = ["a", "b"]'));
  unknown(count('for_each = var.names', 'variable "names" {\n  type    = list(string)\n  default = ["a"]\n}\n'));
  unknown(count('count = -1'));
  unknown(count('count = 5 / 2'));
  unknown(count('for_each = toset([1, 2])'));
  unknown(count('count = var.n', 'variable "n" {\n  default = true\n}\n'));
  // A duplicate key of a for-expression fails the plan.
  unknown(count('for_each = { for n in var.names : n => n }', 'variable "names" {\n  default = ["a", "a"]\n}\n'));
  // Comparing collections compares their types too (cty Value.Equals): an untyped `[]` default is an empty tuple, equal
  // to `[]`; a `list(string)` never is (two types), whatever its elements; one element of unknown type stays open.
  assert.equal(count('count = var.l != [] ? length(var.l) : 5', 'variable "l" {\n  default = []\n}\n'), '5');
  assert.equal(count('count = var.l != [] ? 2 : 0', 'variable "l" {\n  type    = list(string)\n  default = []\n}\n'), '2');
  unknown(count('count = var.l == [aws_instance.y.id] ? 1 : 0', 'variable "l" {\n  default = ["a"]\n}\n'));
  // No count at all: one instance, not a count.
  assert.equal(count(''), 'no count');
});

test('terraform counts: count and for_each of module calls, evaluated in the caller', () => {
  const { m } = model({
    'tf/main.tf':
      'variable "clusters" {\n  default = { east = 1, west = 2 }\n}\nmodule "a" {\n  source   = "./mod"\n  for_each = var.clusters\n}\nmodule "b" {\n  source = "./mod"\n  count  = length(var.zones)\n}\nvariable "zones" {\n  default = ["z1", "z2", "z3"]\n}\n',
    'tf/mod/main.tf': 'resource "aws_instance" "x" {}\n',
  });
  const call = (name: string) => m.terraform.moduleCalls.find((c) => c.name === name)!;
  const n = (name: string) => {
    const c = call(name);
    const v = m.terraform.blockInstances(c.block, c.file, c.callerDir)!.value;
    return v.kind === 'known' ? v.text : v.reason;
  };
  assert.equal(n('a'), '2');
  assert.equal(n('b'), '3');
});

test('terraform counts: the chain of a count names the tfvars line it comes from', () => {
  const { m } = model({
    'tf/main.tf': `${servers}resource "aws_instance" "x" {\n  count = length(var.servers)\n}\n`,
    'tf/terraform.tfvars': 'servers = ["a", "b"]\n',
  });
  const r = m.terraform.resources.get('tf\0aws_instance.x')!;
  const v = m.terraform.blockInstances(r.block, r.file, r.dir)!.value;
  assert.equal(v.kind, 'known');
  assert.deepEqual(
    v.chain.map((s) => [s.span.file, s.note]),
    [['tf/terraform.tfvars', 'terraform.tfvars sets servers']],
  );
});

test('hcl parser: parentheses, unary operators and for-expressions keep their parts', () => {
  const value = (src: string) => {
    const item = parseHcl(`x = ${src}\n`, 'hcl2').body.items[0]!;
    assert.equal(item.kind, 'attribute');
    return item.kind === 'attribute' ? item.value : undefined;
  };
  const p = value('(var.a + 1)');
  assert.ok(p?.type === 'other' && p.inner?.type === 'other' && p.inner.operands?.length === 2);
  const u = value('!var.on');
  assert.ok(u?.type === 'other' && u.unary?.op === '!' && u.unary.operand.type === 'traversal');
  const f = value('{ for k, v in var.m : k => v... if v != "" }');
  assert.ok(f?.type === 'other' && f.forExpr);
  if (f?.type === 'other' && f.forExpr) {
    assert.equal(f.forExpr.keyVar, 'k');
    assert.equal(f.forExpr.valueVar, 'v');
    assert.equal(f.forExpr.object, true);
    assert.equal(f.forExpr.grouping, true);
    assert.ok(f.forExpr.condition);
    assert.deepEqual(f.forExpr.collection.type === 'traversal' && f.forExpr.collection.path, ['var', 'm']);
  }
  const l = value('[for s in var.l : upper(s)]');
  assert.ok(l?.type === 'other' && l.forExpr && !l.forExpr.object && l.forExpr.keyVar === undefined && l.forExpr.value.type === 'call');
  // Malformed: no parts, still raw text.
  const bad = value('[for in var.l]');
  assert.ok(bad?.type === 'other' && !bad.forExpr);
});

test('terraform counts: && and || are decided by a deciding operand whatever the other is (three-valued)', () => {
  const vars = 'variable "enabled" {\n  default = false\n}\nvariable "unset" {}\n';
  // `var.unset` has no value: only its partner can decide.
  assert.equal(count('count = var.enabled && var.unset ? 1 : 0', vars), '0');
  assert.equal(count('count = var.unset && var.enabled ? 1 : 0', vars), '0');
  assert.equal(count('count = !var.enabled || var.unset ? 3 : 0', vars), '3');
  assert.match(count('count = !var.enabled && var.unset ? 1 : 0', vars), /^unknown: /);
  assert.match(count('count = var.enabled || var.unset ? 1 : 0', vars), /^unknown: /);
});
