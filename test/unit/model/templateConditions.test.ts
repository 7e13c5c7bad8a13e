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

// `null` and comparisons with collections (round 10 still-open list): Terraform's `==` is cty `Value.Equals` without
// conversion, so `x == null` is true only for a null, and `{}` / `[]` are an empty object / tuple, equal only to
// values of that very type (hashicorp/terraform#31803: `var.map == {}` is false for a `map(string)`).

const NOMAD_SERVER_SH = [
  '#!/bin/bash',
  'cat << EOF > /etc/nomad.d/nomad.hcl',
  'datacenter = "dc1"',
  'data_dir = "/opt/nomad/data"',
  'server {',
  '  enabled = true',
  '  bootstrap_expect = 1',
  '}',
  'tls {',
  '  http = true',
  '  rpc  = true',
  '  ca_file   = "/etc/nomad.d/ca.pem"',
  '  cert_file = "/etc/nomad.d/server.pem"',
  '  key_file  = "/etc/nomad.d/server-key.pem"',
  '}',
  'EOF',
  '',
].join('\n');

const NOMAD_CLIENT_SH = [
  '#!/bin/bash',
  'cat << EOF > /etc/nomad.d/nomad.hcl',
  'datacenter = "dc1"',
  'data_dir = "/opt/nomad/data"',
  'client {',
  '  enabled = true',
  '  servers = ["10.0.0.10"]',
  '  meta {',
  '    vault_token = "${secrets.vault_token}"',
  '  }',
  '}',
  '%{ if tls != null }',
  'tls {',
  '  http = true',
  '  rpc  = true',
  '  ca_file   = "${tls.ca_file}"',
  '  cert_file = "${tls.cert_file}"',
  '  key_file  = "${tls.key_file}"',
  '}',
  '%{ endif }',
  '%{ if extra_meta != {} }',
  'acl {',
  '  enabled = true',
  '}',
  '%{ endif }',
  '%{ if node_pools == [] }',
  'log_level = "DEBUG"',
  '%{ else }',
  'log_level = "INFO"',
  '%{ endif }',
  'EOF',
  '',
].join('\n');

function runTls(opts: { tfvars?: string; metaType?: string; poolsType?: string }) {
  const ws = new Workspace('/t');
  ws.setText(
    'main.tf',
    [
      'variable "tls" {',
      '  type    = object({ ca_file = string, cert_file = string, key_file = string })',
      '  default = null',
      '}',
      'variable "extra_meta" {',
      ...(opts.metaType ? [`  type    = ${opts.metaType}`] : []),
      '  default = {}',
      '}',
      'variable "node_pools" {',
      ...(opts.poolsType ? [`  type    = ${opts.poolsType}`] : []),
      '  default = []',
      '}',
      'resource "aws_instance" "server" {',
      '  user_data = templatefile("${path.module}/server.sh.tpl", {})',
      '}',
      'resource "aws_instance" "client" {',
      '  user_data = templatefile("${path.module}/client.sh.tpl", { tls = var.tls, extra_meta = var.extra_meta, node_pools = var.node_pools, secrets = { vault_token = "s.abcdefghijklmnop" } })',
      '}',
      '',
    ].join('\n'),
  );
  if (opts.tfvars) ws.setText('terraform.tfvars', opts.tfvars);
  ws.setText('server.sh.tpl', NOMAD_SERVER_SH);
  ws.setText('client.sh.tpl', NOMAD_CLIENT_SH);
  const r = ws.analyze();
  const client = r.roles.find((x) => x.id === 'linux-client/nomad');
  assert.ok(client, JSON.stringify(r.roles.map((x) => x.id)));
  const get = (p: string) => client.settings.find((s) => s.path === p)?.display;
  const ids = r.findings.map((f) => f.ruleId);
  return { get, ids };
}

test('templatefile() %{ if x != null }: a variable whose default is null renders no TLS block on the client, so the RPC TLS drift is found', () => {
  const broken = runTls({});
  assert.equal(broken.get('tls.rpc'), undefined);
  assert.ok(broken.ids.includes('tls-rpc-mismatch'), JSON.stringify(broken.ids));
  assert.ok(!broken.ids.includes('duplicate-config-key'), JSON.stringify(broken.ids));

  // An attribute named like a secret is masked like a variable of that name.
  assert.ok(!String(broken.get('client.meta.vault_token')).includes('abcdefghijklmnop'), broken.get('client.meta.vault_token'));
  assert.ok(broken.get('client.meta.vault_token') !== undefined);
  const fixed = runTls({
    tfvars: 'tls = {\n  ca_file   = "/etc/nomad.d/ca.pem"\n  cert_file = "/etc/nomad.d/client.pem"\n  key_file  = "/etc/nomad.d/client-key.pem"\n}\n',
  });
  assert.equal(fixed.get('tls.rpc'), 'true');
  assert.equal(fixed.get('tls.cert_file'), '"/etc/nomad.d/client.pem"');
  assert.ok(!fixed.ids.includes('tls-rpc-mismatch'), JSON.stringify(fixed.ids));
});

test('templatefile() %{ if }: `!= {}` and `== []` compare types as Terraform does (an empty map(string) is not {}; an untyped [] is [])', () => {
  // Untyped defaults are an empty object and an empty tuple: `!= {}` false, `== []` true.
  const untyped = runTls({});
  assert.equal(untyped.get('acl.enabled'), undefined);
  assert.equal(untyped.get('log_level'), '"DEBUG"');
  // Declared collection types: a map(string) is never equal to {}, a list(string) never to [] (hashicorp/terraform#31803).
  const typed = runTls({ metaType: 'map(string)', poolsType: 'list(string)' });
  assert.equal(typed.get('acl.enabled'), 'true');
  assert.equal(typed.get('log_level'), '"INFO"');
  assert.ok(!typed.ids.includes('duplicate-config-key'), JSON.stringify(typed.ids));
  // Non-empty untyped values: an object with attributes is not {}, a tuple with elements not [].
  const filled = runTls({ tfvars: 'extra_meta = { rack = "r1" }\nnode_pools = ["gpu"]\n' });
  assert.equal(filled.get('acl.enabled'), 'true');
  assert.equal(filled.get('log_level'), '"INFO"');
});
