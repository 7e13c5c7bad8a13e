/**
 * templatefile() `%{ if }` conditions beyond `name`, `!name`, `name ==`/`!= literal` (round 10 still-open list):
 * `&&`, `||`, parentheses, `!= ""`, numeric comparisons and `length(name)`, decided from the values the call passes;
 * undecided conditions keep both branches, as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

const TPL = [
  '#!/bin/bash',
  'cat << EOF > /etc/consul.d/consul.hcl',
  'datacenter = "dc1"',
  'data_dir = "/opt/consul/data"',
  'server = true',
  'bootstrap_expect = 3',
  '%{ if acl_enabled && !bootstrap }',
  'acl {',
  '  enabled        = true',
  '  default_policy = "deny"',
  '}',
  '%{ endif }',
  '%{ if (tls && ca_file != "") || force_tls }',
  'verify_incoming = true',
  '%{ else }',
  'verify_incoming = false',
  '%{ endif }',
  '%{ if length(retry) > 0 }ui = true%{ else }ui = false%{ endif }',
  '%{~ if server_count >= 3 && !(mode == "dev" || mode == "test") ~}',
  'log_level = "WARN"',
  '%{~ else ~}',
  'log_level = "DEBUG"',
  '%{~ endif ~}',
  'EOF',
  '',
].join('\n');

function run(vars: { acl: string; ca: string; retry: string; force: string; mode?: string; count?: string }) {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'variable "acl" {',
      '  type = bool',
      vars.acl,
      '}',
      'variable "ca" {',
      '  type = string',
      vars.ca,
      '}',
      'variable "retry" {',
      '  type = list(string)',
      vars.retry,
      '}',
      'variable "mode" {',
      `  default = "${vars.mode ?? 'prod'}"`,
      '}',
      'resource "aws_instance" "server" {',
      `  user_data = templatefile("\${path.module}/server.sh.tpl", { acl_enabled = var.acl, bootstrap = false, tls = true, ca_file = var.ca, force_tls = ${vars.force}, retry = var.retry, mode = var.mode, server_count = ${vars.count ?? '3'} })`,
      '}',
      '',
    ].join('\n'),
  );
  ws.setText('server.sh.tpl', TPL);
  const r = ws.analyze();
  const role = r.roles.find((x) => x.id === 'server/consul');
  assert.ok(role, JSON.stringify(r.roles.map((x) => x.id)));
  const get = (p: string) => role.settings.find((s) => s.path === p)?.display;
  const dups = r.findings.filter((f) => f.ruleId === 'duplicate-config-key' || f.ruleId === 'hcl-syntax').map((f) => f.message);
  return { get, dups };
}

test('templatefile() %{ if }: &&, ||, parentheses, != "", length() > 0 and >= decided by the passed values keep only the rendered branch', () => {
  const on = run({ acl: '  default = true', ca: '  default = "/etc/consul.d/ca.pem"', retry: '  default = ["10.0.0.1"]', force: 'false' });
  assert.deepEqual(on.dups, []);
  assert.equal(on.get('acl.default_policy'), '"deny"');
  assert.equal(on.get('verify_incoming'), 'true');
  assert.equal(on.get('ui'), 'true');
  assert.equal(on.get('log_level'), '"WARN"');

  const off = run({ acl: '  default = false', ca: '  default = ""', retry: '  default = []', force: 'false', mode: 'dev', count: '1' });
  assert.deepEqual(off.dups, []);
  assert.equal(off.get('acl.default_policy'), undefined);
  assert.equal(off.get('verify_incoming'), 'false');
  assert.equal(off.get('ui'), 'false');
  assert.equal(off.get('log_level'), '"DEBUG"');

  // `x || true` is true and `x && false` false whatever x is: the CA path has no value, force_tls decides.
  const forced = run({ acl: '  default = false', ca: '', retry: '  default = []', force: 'true' });
  assert.equal(forced.get('verify_incoming'), 'true');
  assert.ok(!forced.dups.some((m) => m.includes('verify_incoming')), JSON.stringify(forced.dups));
});

test('templatefile() %{ if }: conditions the passed values do not decide keep both branches (as before)', () => {
  // No value for ca (and force_tls false), none for retry: those two stay undecided, both branches in the text.
  const open = run({ acl: '  default = true', ca: '', retry: '', force: 'false' });
  assert.ok(
    open.dups.some((m) => m.includes('verify_incoming')),
    JSON.stringify(open.dups),
  );
  assert.ok(
    open.dups.some((m) => m.includes('ui')),
    JSON.stringify(open.dups),
  );
  // Decided ones next to them still keep one branch.
  assert.ok(!open.dups.some((m) => m.includes('log_level')), JSON.stringify(open.dups));
});
