/**
 * The agent settings a launch line gives by command-line flags (`nomad agent -client -servers=10.0.0.5:4647`,
 * `consul agent -retry-join "provider=aws …"`), as the config-file settings they stand for.
 *
 * Nomad: command/agent/command.go `readConfig` defines the flags on a `cmdConfig` and merges it over the config files
 * last (`config = config.Merge(cmdConfig)`: "Merge any CLI options over config file options"). `-servers` is split on
 * commas into `client.servers`, which `ClientConfig.Merge` appends to the files' list; `-join` / `-retry-join` set
 * `server.server_join.start_join` / `retry_join` (server mode only: `handleRetryJoin` and `startupJoin` read them only
 * when `config.Server.Enabled`; a client reads only `client.server_join`), which replace the files' lists.
 * Consul: agent/config/flags.go `AddFlags` defines the flags on a `Config`; the builder (agent/config/builder.go) splits
 * them into slices and values: "flags.slices" goes before the config files and "flags.values" after them, so a
 * scalar flag overrides the files and a list flag (`-retry-join`, `-join`, `-recursor`) comes first in the files'
 * lists (agent/config/merge.go: "when merging two slices the result is the second slice appended to the first").
 *
 * Only the flags whose config-file setting those sources name are read; the rest (`-dev`, `-config*`, `-meta`,
 * `-node-meta`, `-hcl`) are not settings of a config file, or not a single one.
 */
import type { Product, Span } from '../types';

type Kind = 'string' | 'bool' | 'int' | 'list' | 'csv';

interface FlagDef {
  readonly path: string;
  readonly kind: Kind;
}

const s = (path: string): FlagDef => ({ path, kind: 'string' });
const b = (path: string): FlagDef => ({ path, kind: 'bool' });
const n = (path: string): FlagDef => ({ path, kind: 'int' });
const l = (path: string): FlagDef => ({ path, kind: 'list' });

/** Nomad command/agent/command.go `readConfig` (v1.x): flag → the config-file setting of the `cmdConfig` field it sets. */
const NOMAD: Readonly<Record<string, FlagDef>> = {
  server: b('server.enabled'),
  client: b('client.enabled'),
  'bootstrap-expect': n('server.bootstrap_expect'),
  encrypt: s('server.encrypt'),
  'raft-protocol': n('server.raft_protocol'),
  rejoin: b('server.rejoin_after_leave'),
  join: l('server.server_join.start_join'),
  'retry-join': l('server.server_join.retry_join'),
  'retry-max': n('server.server_join.retry_max'),
  'retry-interval': s('server.server_join.retry_interval'),
  'state-dir': s('client.state_dir'),
  'alloc-dir': s('client.alloc_dir'),
  'node-class': s('client.node_class'),
  'node-pool': s('client.node_pool'),
  servers: { path: 'client.servers', kind: 'csv' },
  'network-interface': s('client.network_interface'),
  'network-speed': n('client.network_speed'),
  bind: s('bind_addr'),
  region: s('region'),
  'data-dir': s('data_dir'),
  'plugin-dir': s('plugin_dir'),
  dc: s('datacenter'),
  'log-level': s('log_level'),
  'log-json': b('log_json'),
  node: s('name'),
  'consul-auth': s('consul.auth'),
  'consul-auto-advertise': b('consul.auto_advertise'),
  'consul-ca-file': s('consul.ca_file'),
  'consul-cert-file': s('consul.cert_file'),
  'consul-key-file': s('consul.key_file'),
  'consul-checks-use-advertise': b('consul.checks_use_advertise'),
  'consul-client-auto-join': b('consul.client_auto_join'),
  'consul-client-service-name': s('consul.client_service_name'),
  'consul-server-service-name': s('consul.server_service_name'),
  'consul-server-auto-join': b('consul.server_auto_join'),
  'consul-ssl': b('consul.ssl'),
  'consul-token': s('consul.token'),
  'consul-verify-ssl': b('consul.verify_ssl'),
  'consul-address': s('consul.address'),
  'vault-enabled': b('vault.enabled'),
  'vault-allow-unauthenticated': b('vault.allow_unauthenticated'),
  'vault-token': s('vault.token'),
  'vault-address': s('vault.address'),
  'vault-namespace': s('vault.namespace'),
  'vault-create-from-role': s('vault.create_from_role'),
  'vault-ca-file': s('vault.ca_file'),
  'vault-ca-path': s('vault.ca_path'),
  'vault-cert-file': s('vault.cert_file'),
  'vault-key-file': s('vault.key_file'),
  'vault-tls-skip-verify': b('vault.tls_skip_verify'),
  'vault-tls-server-name': s('vault.tls_server_name'),
  'acl-enabled': b('acl.enabled'),
  'acl-replication-token': s('acl.replication_token'),
};

/** Consul agent/config/flags.go `AddFlags`: flag → the config-file key of the `Config` field it sets. */
const CONSUL: Readonly<Record<string, FlagDef>> = {
  advertise: s('advertise_addr'),
  'advertise-wan': s('advertise_addr_wan'),
  bind: s('bind_addr'),
  'server-port': n('ports.server'),
  bootstrap: b('bootstrap'),
  'bootstrap-expect': n('bootstrap_expect'),
  // `-client` is the client address, not a mode: Consul is a client unless `-server` / `server = true`.
  client: s('client_addr'),
  'data-dir': s('data_dir'),
  datacenter: s('datacenter'),
  'disable-host-node-id': b('disable_host_node_id'),
  'disable-keyring-file': b('disable_keyring_file'),
  'dns-port': n('ports.dns'),
  domain: s('domain'),
  'enable-script-checks': b('enable_script_checks'),
  'enable-local-script-checks': b('enable_local_script_checks'),
  encrypt: s('encrypt'),
  'grpc-port': n('ports.grpc'),
  'http-port': n('ports.http'),
  join: l('start_join'),
  'join-wan': l('start_join_wan'),
  'log-level': s('log_level'),
  'log-file': s('log_file'),
  node: s('node_name'),
  'node-id': s('node_id'),
  'raft-protocol': n('raft_protocol'),
  recursor: l('recursors'),
  rejoin: b('rejoin_after_leave'),
  'retry-interval': s('retry_interval'),
  'retry-interval-wan': s('retry_interval_wan'),
  'retry-join': l('retry_join'),
  'retry-join-wan': l('retry_join_wan'),
  'retry-max': n('retry_max'),
  'retry-max-wan': n('retry_max_wan'),
  'serf-lan-bind': s('serf_lan'),
  'serf-lan-port': n('ports.serf_lan'),
  'serf-wan-bind': s('serf_wan'),
  'serf-wan-port': n('ports.serf_wan'),
  server: b('server'),
  syslog: b('enable_syslog'),
  ui: b('ui'),
  'ui-dir': s('ui_dir'),
};

/** A launch-line flag as the service definitions read it (checks/image/services.ts `ServiceFlag` is this type). */
export interface LaunchFlagInput {
  readonly name: string;
  readonly value: string;
  readonly span: Span;
  /** The value with the script's variables substituted (`-config=$ConfigPath` → `C:\nomad\client.hcl`); undefined when one is unknown. */
  readonly resolved?: string;
  /** Why `resolved` is not known, when that is said (a Compose `${REGION}` that no `.env` sets). */
  readonly unknownReason?: string;
  /** Where a resolved variable's value comes from, when the flag's own line does not show it (`REGION from .env, …`). */
  readonly resolvedFrom?: string;
  /** Written `-name=value` (a boolean flag takes a value only so). */
  readonly eq?: boolean;
  /** Written without a value (`-client`); `value` is then empty. */
  readonly bare?: boolean;
}

/** One setting a launch line gives. */
export interface LaunchSetting {
  readonly path: string;
  /** The flag as the agent reads it (`servers`, `retry-join`). */
  readonly flag: string;
  /** The value as written (variables unresolved), for an unknown value's text. */
  readonly raw: string;
  /** The value (a list for list flags, every occurrence of a repeated flag in order); undefined when not known. */
  readonly value: unknown;
  readonly unknownReason: string | undefined;
  readonly span: Span;
  /** How it combines with the config files' value: lists append (Nomad client.servers) or come first (Consul). */
  readonly list: 'append' | 'prepend' | 'replace' | undefined;
  /** Where a resolved variable's value comes from, when the flag's own text does not show it. */
  readonly resolvedFrom?: string;
}

/** Whether the flag is a mode flag, and which mode it sets (Nomad `-server` / `-client`, Consul `-server`). */
export function launchMode(product: Product, settings: readonly LaunchSetting[]): 'server' | 'client' | undefined {
  const on = (p: string) => settings.some((x) => x.path === p && x.value === true);
  if (product === 'consul') return on('server') ? 'server' : undefined;
  if (on('server.enabled')) return 'server';
  if (on('client.enabled')) return 'client';
  return undefined;
}

function scalar(kind: Kind, text: string): { value: unknown } | { unknown: string } {
  if (kind === 'int') return /^-?\d+$/.test(text.trim()) ? { value: Number(text.trim()) } : { unknown: `"${text}" is not a number` };
  if (kind === 'bool') {
    // Go's strconv.ParseBool, which the flag package uses for boolean flags.
    if (/^(1|t|T|TRUE|true|True)$/.test(text)) return { value: true };
    if (/^(0|f|F|FALSE|false|False)$/.test(text)) return { value: false };
    return { unknown: `"${text}" is not a boolean` };
  }
  return { value: text };
}

/**
 * The settings the flags of one launch line give, in command-line order of their first flag. A repeated list flag
 * (`-retry-join a -retry-join b`) gives one list; a repeated scalar flag keeps its last value (Go's flag package sets
 * the variable again). A value with a variable that does not resolve is unknown, with the reason.
 */
export function launchSettings(product: Product, flags: readonly LaunchFlagInput[]): LaunchSetting[] {
  const table = product === 'nomad' ? NOMAD : product === 'consul' ? CONSUL : undefined;
  if (!table) return [];
  const out = new Map<string, LaunchSetting>();
  for (const f of flags) {
    const def = Object.prototype.hasOwnProperty.call(table, f.name) ? table[f.name] : undefined;
    if (!def) continue;
    // A boolean flag takes a value only as `-flag=value`; a word after `-server` is not its value.
    const bare = f.bare === true || (def.kind === 'bool' && f.eq !== true);
    if (bare && def.kind !== 'bool') continue;
    const raw = bare ? 'true' : f.value;
    let value: unknown;
    let unknownReason: string | undefined;
    if (!bare && f.resolved === undefined) unknownReason = f.unknownReason ?? `-${f.name}=${f.value} holds a variable whose value is not known`;
    else {
      const text = bare ? 'true' : f.resolved!;
      if (def.kind === 'csv') value = text.split(',');
      else if (def.kind === 'list') value = [text];
      else {
        const v = scalar(def.kind, text);
        if ('unknown' in v) unknownReason = v.unknown;
        else value = v.value;
      }
    }
    const list = def.kind === 'csv' ? 'append' : def.kind === 'list' ? (product === 'consul' ? 'prepend' : 'replace') : undefined;
    const prev = out.get(def.path);
    if (prev && def.kind === 'list') {
      // Each occurrence adds one element (flaghelper.StringFlag / Consul's stringSliceValue append).
      const unknown = prev.unknownReason ?? unknownReason;
      out.set(def.path, {
        ...prev,
        raw: `${prev.raw} ${raw}`,
        value: unknown === undefined ? [...(prev.value as unknown[]), ...(value as unknown[])] : undefined,
        unknownReason: unknown,
        span: { file: prev.span.file, start: prev.span.start, end: f.span.file === prev.span.file ? Math.max(prev.span.end, f.span.end) : prev.span.end },
      });
      continue;
    }
    out.set(def.path, {
      path: def.path,
      flag: f.name,
      raw,
      value: unknownReason === undefined ? value : undefined,
      unknownReason,
      span: f.span,
      list,
      ...(f.resolvedFrom ? { resolvedFrom: f.resolvedFrom } : {}),
    });
  }
  return [...out.values()];
}
