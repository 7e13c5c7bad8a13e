import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, run, spanText } from './helpers';
import { exactVersion, knows } from '../../../../server/src/core/checks/validity/configKeyVersion';

const RULE = 'config-key-version';
const TOKEN = '0b5e6d1c-1111-4a2b-9c3d-8e7f6a5b4c3d';

/** A bash provisioner that downloads one product version and writes its config with a heredoc. */
function installScript(product: 'consul' | 'nomad', version: string, target: string, config: string): string {
  const v = `${product.toUpperCase()}_VERSION`;
  return [
    '#!/usr/bin/env bash',
    'set -e',
    `${v}="${version}"`,
    `curl -sSL -o /tmp/${product}.zip "https://releases.hashicorp.com/${product}/\${${v}}/${product}_\${${v}}_linux_amd64.zip"`,
    `unzip -o /tmp/${product}.zip -d /usr/local/bin`,
    `cat > ${target} <<EOF`,
    config,
    'EOF',
    '',
  ].join('\n');
}

const aclConfig = (tokens: string) =>
  ['datacenter = "dc1"', 'data_dir   = "/opt/consul/data"', 'acl {', '  enabled = true', '  tokens {', tokens, '  }', '}'].join('\n');

const BROKEN = installScript('consul', '1.12.1', '/etc/consul.d/consul.hcl', aclConfig(`    agent = "${TOKEN}"\n    dns   = "${TOKEN}"`));

test('Consul 1.12.1 pinned, acl.tokens.dns (1.17.0+) in the config it writes: error on `dns` with both versions, the pin and the start-up error', () => {
  const { ws, findings } = run({ 'scripts/install-consul.sh': BROKEN }, RULE);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  const f = findings[0]!;
  assert.equal(f.category, 'version');
  assert.equal(f.severity, 'error');
  assert.deepEqual(f.span, { file: 'scripts/install-consul.sh', start: at(BROKEN, 'dns   ='), end: at(BROKEN, 'dns   =') + 3 });
  assert.equal(spanText(ws, f), 'dns');
  assert.match(f.message, /`acl\.tokens\.dns` needs Consul 1\.17\.0 or later/);
  assert.match(f.message, /runs 1\.12\.1/);
  assert.match(f.message, /scripts\/install-consul\.sh:3/);
  assert.match(f.message, /refuses to start: `invalid config key acl\.tokens\.dns`/);
  assert.ok(!f.message.includes(TOKEN), 'the token must not appear in the message');
  assert.ok(f.related.some((r) => r.span.file === 'scripts/install-consul.sh' && /1\.12\.1 installed here/.test(r.message)));
  // A key the current schema knows is not unknown-config-key's: one report, not two.
  assert.equal(run({ 'scripts/install-consul.sh': BROKEN }, 'unknown-config-key').findings.length, 0);
});

test('fixed: pin 1.17.0, or drop the key: silent', () => {
  assert.deepEqual(run({ 'scripts/install-consul.sh': BROKEN.replace('CONSUL_VERSION="1.12.1"', 'CONSUL_VERSION="1.17.0"') }, RULE).findings, []);
  const noDns = installScript('consul', '1.12.1', '/etc/consul.d/consul.hcl', aclConfig(`    agent = "${TOKEN}"`));
  assert.deepEqual(run({ 'scripts/install-consul.sh': noDns }, RULE).findings, []);
});

test('version not known (latest at build time, nothing installed) or a range: no finding', () => {
  const latest = BROKEN.replace(
    'CONSUL_VERSION="1.12.1"',
    'CONSUL_VERSION=$(curl -s https://checkpoint-api.hashicorp.com/v1/check/consul | jq -r .current_version)',
  );
  assert.deepEqual(run({ 'scripts/install-consul.sh': latest }, RULE).findings, []);
  const noInstall = BROKEN.split('\n')
    .filter((l) => !/CONSUL_VERSION|consul\.zip/.test(l))
    .join('\n');
  assert.deepEqual(run({ 'scripts/install-consul.sh': noInstall }, RULE).findings, []);
  assert.equal(exactVersion('1.12.*'), undefined);
  assert.equal(exactVersion('latest'), undefined);
  assert.equal(exactVersion('1.12.1-1'), '1.12.1');
});

test('tls { defaults { ... } } on Consul 1.11.5: one finding on the `tls` block, not on each key inside', () => {
  const tls = [
    'tls {',
    '  defaults {',
    '    ca_file         = "/etc/consul.d/ca.pem"',
    '    verify_outgoing = true',
    '  }',
    '  internal_rpc {',
    '    verify_server_hostname = true',
    '  }',
    '}',
  ].join('\n');
  const script = installScript('consul', '1.11.5', '/etc/consul.d/tls.hcl', tls);
  const { ws, findings } = run({ 'scripts/consul.sh': script }, RULE);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  assert.equal(spanText(ws, findings[0]!), 'tls');
  assert.match(findings[0]!.message, /`tls` needs Consul 1\.12\.0 or later/);
  assert.match(findings[0]!.message, /older releases use the top-level ca_file/);
  assert.deepEqual(run({ 'scripts/consul.sh': script.replace('"1.11.5"', '"1.12.0"') }, RULE).findings, []);
});

test('a key removed in a later release: telemetry.disable_compat_1.9 on Consul 1.14.0 is reported, on 1.12.0 it is not', () => {
  const json = '{ "datacenter": "dc1", "telemetry": { "disable_compat_1.9": true } }';
  const script = (v: string) => installScript('consul', v, '/etc/consul.d/consul.json', json);
  const { findings } = run({ 'scripts/consul.sh': script('1.14.0') }, RULE);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  assert.match(findings[0]!.message, /was removed in Consul 1\.13\.0/);
  assert.match(findings[0]!.message, /invalid config key telemetry\.disable_compat_1\.9/);
  assert.deepEqual(run({ 'scripts/consul.sh': script('1.12.0') }, RULE).findings, []);
});

test('Nomad 1.3.5 with acl.token_min_expiration_ttl (1.4.0+): `unexpected keys`; 1.4.0 is silent', () => {
  const hcl = [
    'server {',
    '  enabled          = true',
    '  bootstrap_expect = 3',
    '}',
    'acl {',
    '  enabled                  = true',
    '  token_min_expiration_ttl = "1m"',
    '}',
  ].join('\n');
  const script = (v: string) => installScript('nomad', v, '/etc/nomad.d/server.hcl', hcl);
  const { ws, findings } = run({ 'scripts/nomad.sh': script('1.3.5') }, RULE);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  assert.equal(spanText(ws, findings[0]!), 'token_min_expiration_ttl');
  assert.match(findings[0]!.message, /Nomad 1\.3\.5 refuses to start: `unexpected keys token_min_expiration_ttl`/);
  assert.deepEqual(run({ 'scripts/nomad.sh': script('1.4.0') }, RULE).findings, []);
});

test('knows(): backported keys count from the release of the same minor line', () => {
  assert.equal(knows('1.12.1', '1.17.0'), false);
  assert.equal(knows('1.17.0', '1.17.0'), true);
  const since = ['1.11.11', '1.12.6', '1.13.3'];
  assert.equal(knows('1.12.5', since), false);
  assert.equal(knows('1.12.6', since), true);
  assert.equal(knows('1.11.10', since), false);
  assert.equal(knows('1.14.0', since), true);
  assert.equal(knows('1.10.0', since), false);
});

test('tls.defaults.verify_server_hostname: Consul 1.12-1.16 refuse it with their own error, 1.17+ accept it, unknown versions say nothing', () => {
  const tlsConfig = (block: string) =>
    [
      'datacenter = "dc1"',
      'data_dir   = "/opt/consul/data"',
      'server     = true',
      'tls {',
      `  ${block} {`,
      '    ca_file                = "/etc/consul.d/tls/ca.pem"',
      '    verify_server_hostname = true',
      '  }',
      '}',
    ].join('\n');
  const script = (version: string, block = 'defaults') => installScript('consul', version, '/etc/consul.d/consul.hcl', tlsConfig(block));
  const old = run({ 'scripts/server.sh': script('1.16.3') }, RULE);
  assert.equal(old.findings.length, 1, JSON.stringify(old.findings.map((f) => f.message)));
  assert.equal(spanText(old.ws, old.findings[0]!), 'verify_server_hostname');
  assert.match(old.findings[0]!.message, /needs Consul 1\.17\.0 or later/);
  assert.match(old.findings[0]!.message, /Consul 1\.16\.3 refuses to start: `verify_server_hostname is only valid in the tls\.internal_rpc stanza`/);
  assert.match(old.findings[0]!.message, /tls\.internal_rpc\.verify_server_hostname/);
  assert.deepEqual(run({ 'scripts/server.sh': script('1.17.0') }, RULE).findings, []);
  assert.deepEqual(run({ 'scripts/server.sh': script('1.16.3', 'internal_rpc') }, RULE).findings, []);
  // Not the schema's any more: an agent of unknown version may well be 1.17+ (the default of current installs).
  const latest = script('1.16.3').replace(
    'CONSUL_VERSION="1.16.3"',
    'CONSUL_VERSION=$(curl -s https://checkpoint-api.hashicorp.com/v1/check/consul | jq -r .current_version)',
  );
  assert.deepEqual(run({ 'scripts/server.sh': latest }, RULE).findings, []);
  assert.deepEqual(run({ 'scripts/server.sh': latest }, 'invalid-config-value').findings, []);
  // Before 1.12 the whole tls block is the finding.
  const older = run({ 'scripts/server.sh': script('1.11.5') }, RULE);
  assert.equal(older.findings.length, 1);
  assert.equal(spanText(older.ws, older.findings[0]!), 'tls');
});
