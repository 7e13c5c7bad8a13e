/**
 * ACLs: `acl.enabled` must agree across agents; a client carries an
 * agent/default token, never the bootstrap/management token; a token set on
 * one client OS and not the other means one side gets "Permission denied".
 */
import type { Role } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import type { Check } from '../check';
import { chainText, clientRoles, finding, label } from '../check';
import type { Finding } from '../../types';
import { describeEntry, referenceFor, roleAnchor, sideRelated, syncValueFix, truthy } from './compare';
import { syncOriginFix } from './originFix';

const MANAGEMENT = /(master|management|bootstrap|root)[_-]?token|initial_management|acl_master|\bmaster\b/i;

export const aclEnabledDrift: Check = {
  id: 'acl-enabled-mismatch',
  category: 'acl',
  severity: 'error',
  title: 'ACLs enabled on some agents and not on others',
  run(model) {
    const out: Finding[] = [];
    for (const product of ['nomad', 'consul'] as const) {
      const roles = model.roles.filter((r) => r.product === product);
      const ref = roles.find((r) => r.kind === 'server') ?? roles.find((r) => r.kind === 'linux-client');
      if (!ref) continue;
      const r = ref.settings.get('acl.enabled') ?? ref.settings.get('acl_enabled');
      if (r?.unknownReason) continue;
      for (const role of roles) {
        if (role === ref) continue;
        const e = role.settings.get('acl.enabled') ?? role.settings.get('acl_enabled');
        if (e?.unknownReason || truthy(e?.value) === truthy(r?.value)) continue;
        const allow = product === 'consul' && ref.kind === 'server' && truthy(r?.value) ? consulAllowPolicy(ref) : undefined;
        const differ = `${product === 'nomad' ? 'Nomad' : 'Consul'} ACLs differ: ${describeEntry(model, role, e, 'acl.enabled')}, ${describeEntry(model, ref, r, 'acl.enabled')}.`;
        out.push(
          finding({
            check: this,
            severity: allow ? 'warning' : undefined,
            span: e?.keySpan ?? roleAnchor(role),
            message: allow
              ? `${differ} With the servers' ${allow} nothing fails yet: the client sends its requests without a token and the anonymous token is allowed. But the client enforces no ACLs on its own HTTP API, and once default_policy is "deny" it can no longer register itself ("Node info update blocked by ACLs", "Coordinate update blocked by ACLs"). Enable ACLs on the client too, with an agent token.`
              : `${differ} Requests between them fail with "ACL support disabled", "ACL token not found" or "Permission denied".`,
            related: [
              ...sideRelated(ref, r, 'acl.enabled'),
              ...(allow && ref.settings.get('acl.default_policy') ? sideRelated(ref, ref.settings.get('acl.default_policy'), 'acl.default_policy') : []),
            ],
            fixes: e && r ? syncValueFix(e, r, `Set acl.enabled = ${String(r.value)} as on the ${label(ref)}`) : [],
          }),
        );
      }
    }
    return out;
  },
};

/**
 * How a Consul server's ACL default policy reads when it lets an agent without ACLs work: `default_policy = "allow"`
 * written literally, or no default_policy at all (Consul's default is "allow"). Undefined when it is "deny" or unknown.
 */
function consulAllowPolicy(server: Role): string | undefined {
  const p = server.settings.get('acl.default_policy') ?? server.settings.get('acl_default_policy');
  if (!p) return 'default_policy (not set: Consul defaults to "allow")';
  if (p.unknownReason || typeof p.value !== 'string' || p.value.toLowerCase() !== 'allow') return undefined;
  return `${p.path} = "allow"`;
}

function tokensOf(role: Role): SettingEntry[] {
  return [...role.settings.values()].filter(
    (e) => /(^|\.)(token|tokens\.[a-z_]+|acl_token|acl_agent_token|acl_master_token)$/.test(e.path) && !/ttl$/.test(e.path),
  );
}

/** Keys that hold the management token itself (not the per-agent recovery token `agent_master`/`agent_recovery`). */
const MANAGEMENT_PATH = /(^|\.)(initial_management|master|acl_master_token)$/;

/** Tokens an agent uses for its own requests: missing on one side makes that side anonymous. */
function requestTokensOf(role: Role): SettingEntry[] {
  return tokensOf(role).filter(
    (e) => !/(^|\.|_)(initial_management|master|agent_master|agent_recovery|replication|acl_master_token|acl_agent_master_token)$/.test(e.path),
  );
}

export const managementTokenOnClient: Check = {
  id: 'acl-management-token-on-client',
  category: 'acl',
  severity: 'error',
  title: 'A bootstrap/management token on a client',
  run(model) {
    const out: Finding[] = [];
    const serverMgmt = new Set<string>();
    for (const role of model.roles.filter((r) => r.kind === 'server')) {
      for (const e of role.allEntries) if (MANAGEMENT_PATH.test(e.path) && typeof e.value === 'string') serverMgmt.add(e.value);
    }
    for (const role of [...clientRoles(model, 'consul'), ...clientRoles(model, 'nomad')]) {
      for (const e of tokensOf(role)) {
        const viaName = e.chain.find((s) => MANAGEMENT.test(s.note));
        // The value as written in the host file (`"$ConsulMasterToken"`, `"${CONSUL_BOOTSTRAP_TOKEN}"`): a variable
        // reference that names a management token, even when the hop that filled it is not in the chain.
        const written = model.files.get(e.valueSpan.file)?.text.slice(e.valueSpan.start, e.valueSpan.end) ?? '';
        const viaRef = /\$/.test(written) && MANAGEMENT.test(written) ? written : undefined;
        const sameAsServer = typeof e.value === 'string' && serverMgmt.has(e.value);
        const byPath = MANAGEMENT_PATH.test(e.path);
        if (!viaName && !viaRef && !sameAsServer && !byPath) continue;
        const why = byPath
          ? `the key ${e.path} is the management token`
          : sameAsServer
            ? "it equals the servers' initial management token"
            : viaName
              ? `its value comes from ${viaName.note}`
              : `its value comes from ${viaRef!.trim()}`;
        out.push(
          finding({
            check: this,
            span: e.keySpan,
            message: `${label(role)} carries a management (bootstrap) token in ${e.path} = ${e.display}: ${why}. A client must carry an agent/default token with a narrow policy; a master token on a client is a leak of full cluster control (and rotating it later breaks the client with "ACL not found").`,
            related: sideRelated(role, e, e.path).slice(1),
            fixes: originFixFor(model, role, e),
          }),
        );
      }
    }
    return out;
  },
};

/** Passes the token the reference side (Linux client) receives, at the templatefile() argument. */
function originFixFor(model: Parameters<Check['run']>[0], role: Role, e: SettingEntry) {
  const ref = referenceFor(model, role);
  const refEntry = ref?.settings.get(e.path);
  if (!ref || !refEntry || refEntry.chain.some((s) => MANAGEMENT.test(s.note))) return [];
  return syncOriginFix(model, e, refEntry, role.kind === 'windows-client' ? 'Windows → Linux' : 'client → server');
}

export const tokenOneSide: Check = {
  id: 'acl-token-one-side',
  category: 'acl',
  severity: 'warning',
  title: 'A token set on one client OS and missing on the other',
  run(model) {
    const out: Finding[] = [];
    for (const product of ['nomad', 'consul'] as const) {
      const win = model.roles.find((r) => r.product === product && r.kind === 'windows-client');
      const lin = model.roles.find((r) => r.product === product && r.kind === 'linux-client');
      if (!win || !lin) continue;
      const aclOn = truthy(lin.settings.get('acl.enabled')?.value) || truthy(win.settings.get('acl.enabled')?.value) || product === 'nomad';
      if (!aclOn) continue;
      for (const [has, lacks] of [
        [lin, win],
        [win, lin],
      ] as const) {
        for (const e of requestTokensOf(has)) {
          if (lacks.settings.has(e.path)) continue;
          out.push(
            finding({
              check: this,
              span: roleAnchor(lacks),
              message: `${label(lacks)} has no ${e.path} while ${describeEntry(model, has, e, e.path)}. With ACLs on, the side without a token is anonymous: ${product === 'consul' ? 'Consul answers "Permission denied"' : 'Nomad\'s Consul calls fail with "Unexpected response code: 403 (Permission denied)"'}.`,
              related: sideRelated(has, e, e.path),
            }),
          );
        }
      }
    }
    return out;
  },
};

/** A setting by its Consul path, case-insensitively (Consul decodes its keys without regard to case). */
function consulSetting(role: Role, ...paths: string[]): SettingEntry | undefined {
  for (const p of paths) {
    const exact = role.settings.get(p);
    if (exact) return exact;
  }
  const wanted = new Set(paths);
  for (const [k, e] of role.settings) if (wanted.has(k.toLowerCase())) return e;
  return undefined;
}

/** The tokens a Consul agent uses for its own requests (node registration, coordinates): `agent`, then `default`. */
const AGENT_TOKEN_PATHS = ['acl.tokens.agent', 'acl.tokens.default', 'acl_agent_token', 'acl_token'];

/**
 * A script that hands the agent its token at run time instead of in the config
 * (`consul acl set-agent-token agent …`, `PUT /v1/agent/token/agent`), which the
 * agent persists with `enable_token_persistence`.
 */
const SETS_AGENT_TOKEN =
  /\bset-agent-token\s+(?:-\S+\s+)*["']?(agent|default|acl_agent_token|acl_token)\b|\/v1\/agent\/token\/(agent|default|acl_agent_token|acl_token)\b/i;

export const consulAgentTokenMissing: Check = {
  id: 'acl-consul-agent-token-missing',
  category: 'acl',
  severity: 'error',
  title: 'A Consul agent (client or server) without an agent token while the servers deny by default',
  run(model) {
    const out: Finding[] = [];
    const server = model.roles.find((r) => r.product === 'consul' && r.kind === 'server');
    if (!server) return out;
    // ACLs on: `acl.enabled` (Consul 1.4+) or the legacy `acl_datacenter`; the policy: `acl.default_policy` / `acl_default_policy`
    // (Consul's default is "allow", under which an anonymous agent still registers).
    const enabled = consulSetting(server, 'acl.enabled');
    const legacyDc = consulSetting(server, 'acl_datacenter');
    if (!(truthy(enabled?.value) || (legacyDc !== undefined && !legacyDc.unknownReason))) return out;
    const policy = consulSetting(server, 'acl.default_policy', 'acl_default_policy');
    if (typeof policy?.value !== 'string' || policy.value.toLowerCase() !== 'deny') return out;
    const clients = clientRoles(model, 'consul');
    const withToken = clients.filter((r) => consulSetting(r, ...AGENT_TOKEN_PATHS) !== undefined);
    // A token on one client OS and not the other is acl-token-one-side's finding; this one is for clients with none at
    // all. The servers need one as well (the initial management token is not used for the agent's own requests).
    const roles = [...(withToken.length > 0 ? [] : clients), ...(consulSetting(server, ...AGENT_TOKEN_PATHS) === undefined ? [server] : [])];
    for (const role of roles) {
      const os = role.kind === 'windows-client' ? 'windows' : 'linux';
      if (model.scripts.some((sc) => sc.os === os && SETS_AGENT_TOKEN.test(sc.text.text))) continue;
      const isServer = role.kind === 'server';
      out.push(
        finding({
          check: this,
          span: roleAnchor(role),
          // A server keeps working as a Raft peer; its node entry and coordinates are what is refused.
          ...(isServer ? { severity: 'warning' as const } : {}),
          message: `${label(role)} has no agent token (acl.tokens.agent or acl.tokens.default) while the Consul servers enforce ACLs with default_policy = "deny" (${chainText(model, policy.chain)}). The agent's own requests are anonymous and denied: it logs "[WARN] agent: Node info update blocked by ACLs" and "Coordinate update blocked by ACLs", ${isServer ? "the server's node entry is never updated in the catalog (it keeps serving Raft, but DNS and health for the node break)" : 'the node never reaches the catalog, and requests made through that agent without their own token are denied too (Nomad without a consul.token: "Unexpected response code: 403 (Permission denied)")'}. Give the ${isServer ? 'server' : 'client'} an agent token (acl { tokens { agent = "…" } }, or consul acl set-agent-token agent at boot).`,
          related: [{ span: policy.keySpan, message: 'the servers deny anonymous requests here' }],
        }),
      );
    }
    return out;
  },
};

/** `consul acl set-agent-token default …` / `PUT /v1/agent/token/default`: the local agent's token for anonymous requests. */
const SETS_DEFAULT_TOKEN = /\bset-agent-token\s+(?:-\S+\s+)*["']?(default|acl_token)\b|\/v1\/agent\/token\/(default|acl_token)\b/i;

/**
 * Nomad talks to its local Consul agent (registering its own `nomad`/`nomad-client` services and checks, Consul
 * auto-join, job services) with `consul.token`. Without one it is anonymous; the Consul API client it uses then falls
 * back to `CONSUL_HTTP_TOKEN` from its environment (hashicorp/consul api `DefaultConfig`), and the local Consul agent
 * to its own default token (`acl.tokens.default`). Under `default_policy = "deny"` with none of these, every
 * registration is refused: Nomad logs `failed to update services in Consul` with
 * `Unexpected response code: 403 (Permission denied)` (nomad command/agent/consul/service_client.go).
 */
export const nomadConsulTokenMissing: Check = {
  id: 'acl-nomad-consul-token-missing',
  category: 'acl',
  severity: 'error',
  title: 'A Nomad agent without a Consul token while the Consul servers deny by default',
  run(model) {
    const out: Finding[] = [];
    const consulServer = model.roles.find((r) => r.product === 'consul' && r.kind === 'server');
    if (!consulServer) return out;
    const enabled = consulSetting(consulServer, 'acl.enabled');
    const legacyDc = consulSetting(consulServer, 'acl_datacenter');
    if (!(truthy(enabled?.value) || (legacyDc !== undefined && !legacyDc.unknownReason))) return out;
    const policy = consulSetting(consulServer, 'acl.default_policy', 'acl_default_policy');
    if (typeof policy?.value !== 'string' || policy.value.toLowerCase() !== 'deny') return out;
    for (const role of model.roles.filter((r) => r.product === 'nomad')) {
      // The Consul agent this Nomad agent talks to (127.0.0.1:8500 by default) runs on its machine: a Consul config
      // written by the same script or Terraform resource (Nomad servers often run a Consul client), else the Consul
      // role of the same kind of machine.
      const writers = new Set(role.configs.map((c) => c.doc.hostFile));
      const consulRoles = model.roles.filter((r) => r.product === 'consul');
      const sameWriter = consulRoles.filter((r) => r.configs.some((c) => writers.has(c.doc.hostFile)));
      const locals = sameWriter.length > 0 ? sameWriter : consulRoles.filter((r) => r.kind === role.kind);
      const localConsul = locals[0];
      if (!localConsul) continue;
      if (role.settings.get('consul.token') !== undefined) continue;
      const advertise = role.settings.get('consul.auto_advertise');
      if (advertise && !advertise.unknownReason && advertise.value === false) continue;
      if (locals.some((r) => consulSetting(r, 'acl.tokens.default', 'acl_token') !== undefined)) continue;
      const os = role.kind === 'windows-client' ? 'windows' : 'linux';
      if (model.scripts.some((sc) => sc.os === os && (/\bCONSUL_HTTP_TOKEN\b/.test(sc.text.text) || SETS_DEFAULT_TOKEN.test(sc.text.text)))) continue;
      if ([...model.files.values()].some((t) => t.file.endsWith('.service') && /\bCONSUL_HTTP_TOKEN\b/.test(t.text))) continue;
      out.push(
        finding({
          check: this,
          span: roleAnchor(role),
          message: `${label(role)} has no consul.token, and its local Consul agent${locals.length === 1 ? ` (${label(localConsul)})` : ''} has no default token (acl.tokens.default), while the Consul servers enforce ACLs with default_policy = "deny" (${chainText(model, policy.chain)}). Nomad's requests to Consul are anonymous and denied: it logs "failed to update services in Consul" with "Unexpected response code: 403 (Permission denied)", ${role.kind === 'server' ? 'the servers never appear as the "nomad" service, so clients that join through Consul find "no Nomad Servers advertising service \\"nomad\\""' : 'the client and the services of its jobs never reach the catalog'}. Give Nomad a Consul token (consul { token = "…" }, or CONSUL_HTTP_TOKEN in the service's environment).`,
          related: [{ span: policy.keySpan, message: 'the Consul servers deny anonymous requests here' }],
        }),
      );
    }
    return out;
  },
};
