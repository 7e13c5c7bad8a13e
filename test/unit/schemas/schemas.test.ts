/**
 * JSON Schemas under schemas/ and the vendored OASIS SARIF 2.1.0 schema.
 *
 * Ajv settings (documented here because the schemas are written for them):
 * - `strict: true` for our own schemas, with `allowUnionTypes: true` because the
 *   HCL v1 decoder accepts several JSON types for one field (`type: ["string",
 *   "number", "boolean"]` for strings), and the non-standard root keyword
 *   `x-server-only` (annotation only) and the property keyword `x-rejected` (a key
 *   the agent rejects in that block), both registered by the engine's
 *   `registerSchemaKeywords`.
 * - SARIF: `strict: true` except `strictRequired: false` (the official schema
 *   puts `anyOf: [{ required: [...] }]` next to `properties`), plus ajv-formats
 *   for uri / uri-reference / date-time.
 * - `allErrors: true` everywhere so tests can look for the error they expect
 *   among all the errors.
 *
 * Schemas are read from the repository root at run time; this file compiles to
 * out/test/unit/schemas/schemas.test.js, four levels below the root.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { registerSchemaKeywords } from '../../../server/src/core/checks/validity/configJson';

const ROOT = path.join(__dirname, '../../../..');
const SCHEMAS = path.join(ROOT, 'schemas');
const FIXTURES = path.join(ROOT, 'test/fixtures');

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function ourAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  registerSchemaKeywords(ajv);
  return ajv;
}

function compile(name: string): ValidateFunction {
  return ourAjv().compile(readJson(path.join(SCHEMAS, name)));
}

function errorsOf(v: ValidateFunction, data: unknown): ErrorObject[] {
  assert.equal(v(data), false, `expected invalid: ${JSON.stringify(data)}`);
  return v.errors ?? [];
}

function assertValid(v: ValidateFunction, data: unknown): void {
  const ok = v(data);
  assert.ok(ok, `expected valid, got ${JSON.stringify(v.errors, null, 2)}`);
}

function hasUnknownKey(errs: ErrorObject[], instancePath: string, key: string): boolean {
  return errs.some(
    (e) => e.keyword === 'additionalProperties' && e.instancePath === instancePath && (e.params as { additionalProperty?: string }).additionalProperty === key,
  );
}

function hasErrorAt(errs: ErrorObject[], instancePath: string, keyword?: string): boolean {
  return errs.some((e) => e.instancePath === instancePath && (keyword === undefined || e.keyword === keyword));
}

const nomadClientWindows = {
  region: 'global',
  datacenter: 'dc1',
  name: 'win-client-1',
  data_dir: 'C:/HashiCorp/Nomad/data',
  plugin_dir: 'C:/HashiCorp/Nomad/plugins',
  log_level: 'INFO',
  bind_addr: '0.0.0.0',
  enable_syslog: false,
  leave_on_terminate: true,
  advertise: { http: '10.0.1.20', rpc: '10.0.1.20' },
  client: {
    enabled: true,
    node_class: 'windows',
    node_pool: 'default',
    no_host_uuid: true,
    server_join: { retry_join: ['provider=aws tag_key=NomadRole tag_value=server'], retry_max: 0, retry_interval: '15s' },
    meta: { os: 'windows', rack: 'r1' },
    options: { 'driver.raw_exec.enable': '1', 'docker.privileged.enabled': 'false' },
    host_volume: { data: { path: 'C:/data', read_only: false } },
    reserved: { cpu: 500, memory: 512, reserved_ports: '22,3389' },
    cpu_total_compute: '4000',
  },
  consul: {
    address: '127.0.0.1:8500',
    ssl: 'false',
    token: 'agent-token',
    client_auto_join: true,
    server_service_name: 'nomad',
    grpc_address: '127.0.0.1:8502',
  },
  vault: { enabled: true, address: 'https://vault.service.consul:8200', ca_file: 'C:/HashiCorp/certs/ca.pem' },
  tls: {
    http: true,
    rpc: true,
    ca_file: 'C:/HashiCorp/certs/nomad-ca.pem',
    cert_file: 'C:/HashiCorp/certs/client.pem',
    key_file: 'C:/HashiCorp/certs/client-key.pem',
    verify_server_hostname: true,
    verify_https_client: false,
  },
  acl: { enabled: true, token_ttl: '30s' },
  telemetry: { publish_allocation_metrics: true, publish_node_metrics: true, prometheus_metrics: true, collection_interval: '1s' },
  plugin: { raw_exec: { config: { enabled: true } }, docker: { config: { allow_privileged: false, volumes: { enabled: true } } } },
};

const nomadServer = {
  region: 'global',
  datacenter: 'dc1',
  data_dir: '/opt/nomad/data',
  log_level: 'INFO',
  log_json: true,
  bind_addr: '0.0.0.0',
  ports: { http: 4646, rpc: 4647, serf: 4648 },
  addresses: { http: '0.0.0.0' },
  server: {
    enabled: true,
    bootstrap_expect: 3,
    encrypt: 'cg8StVXbQJ0gPvMd9o7yrg==',
    raft_protocol: 3,
    heartbeat_grace: '10s',
    server_join: { retry_join: ['provider=aws tag_key=NomadRole tag_value=server'] },
    default_scheduler_config: { scheduler_algorithm: 'spread', memory_oversubscription_enabled: true },
  },
  acl: { enabled: true, replication_token: 'rep', token_ttl: '30s', policy_ttl: '30s', role_ttl: '30s' },
  autopilot: { cleanup_dead_servers: true, last_contact_threshold: '200ms', max_trailing_logs: 250, server_stabilization_time: '10s' },
  tls: {
    http: true,
    rpc: true,
    ca_file: '/etc/nomad.d/ca.pem',
    cert_file: '/etc/nomad.d/server.pem',
    key_file: '/etc/nomad.d/server-key.pem',
    verify_server_hostname: true,
    rpc_upgrade_mode: false,
    tls_min_version: 'tls12',
  },
  consul: { address: '127.0.0.1:8500', server_auto_join: true, auto_advertise: true, server_service_name: 'nomad', client_service_name: 'nomad-client' },
  ui: { enabled: true, consul: { ui_url: 'https://consul.example.com/ui' } },
  limits: { http_max_conns_per_client: 100, rpc_max_conns_per_client: 100 },
  telemetry: { prometheus_metrics: true, disable_hostname: true },
  disable_update_check: true,
  http_api_response_headers: { 'Access-Control-Allow-Origin': '*' },
};

const consulClient = {
  datacenter: 'dc1',
  data_dir: 'C:/HashiCorp/Consul/data',
  log_level: 'INFO',
  node_name: 'win-client-1',
  server: false,
  bind_addr: '{{ GetPrivateIP }}',
  client_addr: '127.0.0.1',
  advertise_addr: '10.0.1.20',
  retry_join: ['provider=aws tag_key=ConsulRole tag_value=server'],
  encrypt: 'pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=',
  encrypt_verify_incoming: true,
  encrypt_verify_outgoing: true,
  leave_on_terminate: true,
  enable_syslog: false,
  ports: { grpc: 8502, dns: 8600 },
  acl: {
    enabled: true,
    default_policy: 'deny',
    down_policy: 'extend-cache',
    enable_token_persistence: true,
    tokens: { agent: 'agent-token', default: 'dns-token' },
  },
  tls: { defaults: { ca_file: 'C:/HashiCorp/Consul/ca.pem', verify_outgoing: true }, internal_rpc: { verify_server_hostname: true } },
  auto_encrypt: { tls: true },
  recursors: ['169.254.169.253'],
  ui_config: { enabled: false },
  telemetry: { disable_hostname: true },
};

const consulServer = {
  datacenter: 'dc1',
  data_dir: '/opt/consul',
  log_level: 'INFO',
  server: true,
  bootstrap_expect: 3,
  bind_addr: '0.0.0.0',
  client_addr: '0.0.0.0',
  retry_join: ['provider=aws tag_key=ConsulRole tag_value=server'],
  encrypt: 'pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=',
  ui_config: { enabled: true },
  connect: { enabled: true },
  ports: { http: 8500, https: 8501, grpc: -1, grpc_tls: 8503, serf_lan: 8301, server: 8300 },
  addresses: { https: '0.0.0.0' },
  acl: { enabled: true, default_policy: 'deny', down_policy: 'extend-cache', tokens: { initial_management: 'bootstrap', agent: 'agent' } },
  tls: {
    defaults: {
      ca_file: '/etc/consul.d/ca.pem',
      cert_file: '/etc/consul.d/server.pem',
      key_file: '/etc/consul.d/server-key.pem',
      verify_incoming: true,
      verify_outgoing: true,
      tls_min_version: 'TLSv1_2',
    },
    internal_rpc: { verify_server_hostname: true },
    https: { verify_incoming: false },
    grpc: { use_auto_cert: false },
  },
  auto_encrypt: { allow_tls: true },
  performance: { raft_multiplier: 1 },
  autopilot: { cleanup_dead_servers: true, min_quorum: 3 },
  raft_protocol: 3,
  dns_config: { enable_truncate: true, only_passing: true },
  telemetry: { prometheus_retention_time: '24h', disable_hostname: true },
};

describe('nomad-agent.schema.json', () => {
  const v = compile('nomad-agent.schema.json');

  test('compiles in strict mode and carries x-server-only with sources', () => {
    const schema = readJson(path.join(SCHEMAS, 'nomad-agent.schema.json'));
    const so = schema['x-server-only'] as Array<{ path: string; source: string }>;
    assert.ok(Array.isArray(so) && so.length > 0);
    for (const p of ['server.bootstrap_expect', 'server.encrypt', 'server.raft_protocol', 'autopilot']) {
      assert.ok(
        so.some((e) => e.path === p && e.source.length > 0),
        `x-server-only lacks ${p}`,
      );
    }
    assert.match(String(schema['$comment']), /WeakDecode/);
  });

  test('accepts a realistic Windows client config', () => assertValid(v, nomadClientWindows));
  test('accepts a realistic server config', () => assertValid(v, nomadServer));

  test('accepts HCL v1 weak forms the decoder accepts', () => {
    assertValid(v, { acl: { enabled: 'true' }, client: { enabled: '1', cpu_total_compute: '2000' }, consul: { ssl: 't', verify_ssl: 0, tags: 'single' } });
  });

  test('rejects a misspelt top-level block (clinet)', () => {
    assert.ok(hasUnknownKey(errorsOf(v, { clinet: { enabled: true } }), '', 'clinet'));
  });

  test('rejects client.server (typo for servers)', () => {
    assert.ok(hasUnknownKey(errorsOf(v, { client: { enabled: true, server: ['10.0.0.1:4647'] } }), '/client', 'server'));
  });

  test('rejects tls.rcp (typo for rpc)', () => {
    assert.ok(hasUnknownKey(errorsOf(v, { tls: { rcp: true } }), '/tls', 'rcp'));
  });

  test('rejects client.servers given as a comma-separated string', () => {
    assert.ok(hasErrorAt(errorsOf(v, { client: { servers: '10.0.0.1,10.0.0.2' } }), '/client/servers', 'type'));
  });

  test('rejects acl.enabled = "yes" (HCL v1 decodeBool accepts only true/false/1/0)', () => {
    const errs = errorsOf(v, { acl: { enabled: 'yes' } });
    assert.ok(hasErrorAt(errs, '/acl/enabled'));
    assert.ok(errs.every((e) => e.instancePath === '/acl/enabled'));
  });

  test('rejects an unknown key inside a labelled host_volume', () => {
    assert.ok(hasUnknownKey(errorsOf(v, { client: { host_volume: { data: { path: '/d', readonly: true } } } }), '/client/host_volume/data', 'readonly'));
  });
});

describe('consul-agent.schema.json', () => {
  const v = compile('consul-agent.schema.json');

  test('x-server-only lists server settings and not ui', () => {
    const so = readJson(path.join(SCHEMAS, 'consul-agent.schema.json'))['x-server-only'] as Array<{ path: string; source: string }>;
    for (const p of ['bootstrap_expect', 'bootstrap', 'autopilot'])
      assert.ok(
        so.some((e) => e.path === p && e.source.length > 0),
        p,
      );
    assert.ok(!so.some((e) => e.path === 'ui' || e.path.startsWith('ui_config')));
  });

  test('accepts a realistic client config', () => assertValid(v, consulClient));
  test('accepts a realistic server config', () => assertValid(v, consulServer));
  test('accepts the legacy top-level TLS keys', () => {
    assertValid(v, { verify_incoming: true, verify_outgoing: true, verify_server_hostname: true, ca_file: '/ca.pem', cert_file: '/c.pem', key_file: '/k.pem' });
  });

  test('rejects a quoted bool (Consul decodes without WeaklyTypedInput)', () => {
    assert.ok(hasErrorAt(errorsOf(v, { acl: { enabled: 'yes' } }), '/acl/enabled'));
    assert.ok(hasErrorAt(errorsOf(v, { server: 'true' }), '/server'));
  });

  test('rejects unknown keys where Consul would say "invalid config key"', () => {
    assert.ok(hasUnknownKey(errorsOf(v, { ports: { htpp: 8500 } }), '/ports', 'htpp'));
    assert.ok(hasUnknownKey(errorsOf(v, { acl: { tokens: { master_token: 'x' } } }), '/acl/tokens', 'master_token'));
    assert.ok(hasUnknownKey(errorsOf(v, { tls: { internal_rpc: { verify_server_hostnam: true } } }), '/tls/internal_rpc', 'verify_server_hostnam'));
  });

  test('rejects retry_join given as a string', () => {
    assert.ok(hasErrorAt(errorsOf(v, { retry_join: 'provider=aws tag_key=x tag_value=y' }), '/retry_join', 'type'));
  });
});

describe('hashistack-review.schema.json', () => {
  const v = compile('hashistack-review.schema.json');

  test('accepts a good config file', () => {
    assertValid(v, {
      $schema: './schemas/hashistack-review.schema.json',
      roles: [
        { path: 'packer/scripts/setup-windows.ps1', kind: 'windows-client', product: 'nomad' },
        { path: 'terraform/templates/*linux*', kind: 'linux-client' },
        { path: 'terraform/templates/server.sh', kind: 'server', product: 'consul' },
      ],
      ignore: ['**/.terraform/**'],
      rules: { 'nomad.client-servers-cloud-autojoin': 'error', 'windows.syslog': 'off' },
    });
  });

  test('rejects a bad file and names the fields', () => {
    const errs = errorsOf(v, { roles: [{ path: 'a.hcl', kind: 'windows' }], rule: {} });
    assert.ok(hasErrorAt(errs, '/roles/0/kind', 'enum'));
    assert.ok(hasUnknownKey(errs, '', 'rule'));
  });

  test('rejects an unknown severity and a missing kind', () => {
    assert.ok(hasErrorAt(errorsOf(v, { rules: { 'some.rule': 'fatal' } }), '/rules/some.rule', 'enum'));
    const errs = errorsOf(v, { roles: [{ path: 'x.hcl' }] });
    assert.ok(
      errs.some((e) => e.instancePath === '/roles/0' && e.keyword === 'required' && (e.params as { missingProperty?: string }).missingProperty === 'kind'),
    );
  });

  test('rejects absolute and parent-relative role paths', () => {
    assert.ok(hasErrorAt(errorsOf(v, { roles: [{ path: '/etc/nomad.d/*.hcl', kind: 'server' }] }), '/roles/0/path', 'not'));
    assert.ok(hasErrorAt(errorsOf(v, { roles: [{ path: '../other/x.hcl', kind: 'server' }] }), '/roles/0/path', 'not'));
  });
});

describe('SARIF 2.1.0 (official OASIS schema)', () => {
  const schema = readJson(path.join(FIXTURES, 'sarif-schema-2.1.0.json'));
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  const v = ajv.compile(schema);

  test('is the draft-07 OASIS schema', () => {
    assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
    assert.match(String(schema['title']), /SARIF\) Version 2\.1\.0/);
  });

  test('accepts a minimal valid log', () => {
    assertValid(v, {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'hashistack-review',
              informationUri: 'https://example.com/hashistack-review',
              rules: [{ id: 'nomad.client-servers-cloud-autojoin' }],
            },
          },
          results: [
            {
              ruleId: 'nomad.client-servers-cloud-autojoin',
              level: 'error',
              message: { text: 'client.servers takes host[:port] only; use server_join.retry_join for provider=aws' },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'packer/config/nomad-client.hcl' }, region: { startLine: 3, startColumn: 5 } } }],
            },
          ],
        },
      ],
    });
  });

  test('rejects an invalid log', () => {
    const errs = errorsOf(v, { version: '2.1.0', runs: [{ tool: { driver: {} }, results: [{ level: 'fatal' }] }] });
    assert.ok(hasErrorAt(errs, '/runs/0/tool/driver', 'required'));
    assert.ok(hasErrorAt(errs, '/runs/0/results/0', 'required'));
    assert.ok(hasErrorAt(errs, '/runs/0/results/0/level', 'enum'));
    assert.ok(hasErrorAt(errorsOf(v, { version: '2.0.0', runs: [] }), '/version', 'enum'));
  });
});
