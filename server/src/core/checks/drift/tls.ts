/**
 * TLS must agree between Nomad servers and clients (`tls { rpc, http }`, one
 * CA), and a client's `consul { address, ssl }` must match the port Consul
 * serves TLS on. Symptoms are quoted from Nomad/Consul logs (DOMAIN.md §2).
 */
import type { Role } from '../../agent/roles';
import type { Check } from '../check';
import { clientRoles, finding, label, rolesOf } from '../check';
import { describeEntry, roleAnchor, sideRelated, syncValueFix, truthy } from './compare';
import type { Finding } from '../../types';

const RPC_SYMPTOM = '"non-TLS connection attempted with RequireTLS set" on one side, "TLS connection attempted, server not configured for TLS" on the other';

export const tlsRpcDrift: Check = {
  id: 'tls-rpc-mismatch',
  category: 'tls',
  severity: 'error',
  title: 'Nomad RPC TLS on for some agents and off for others',
  run(model) {
    const roles = rolesOf(model, 'nomad');
    const server = roles.find((r) => r.kind === 'server');
    if (!server) return [];
    if (truthy(server.settings.get('tls.rpc_upgrade_mode')?.value)) return [];
    const s = server.settings.get('tls.rpc');
    if (s?.unknownReason) return [];
    const sOn = truthy(s?.value);
    const out: Finding[] = [];
    for (const role of clientRoles(model, 'nomad')) {
      const c = role.settings.get('tls.rpc');
      if (c?.unknownReason) continue;
      if (truthy(c?.value) === sOn) continue;
      out.push(
        finding({
          check: this,
          span: c?.keySpan ?? roleAnchor(role),
          message: `Nomad RPC TLS differs: ${describeEntry(model, role, c, 'tls.rpc')}, but ${describeEntry(model, server, s, 'tls.rpc')}. RPC between them fails: ${RPC_SYMPTOM}.`,
          related: sideRelated(server, s, 'tls.rpc'),
          fixes: c && s ? syncValueFix(c, s, `Set tls.rpc = ${String(s.value)} as on the ${label(server)}`) : [],
        }),
      );
    }
    return out;
  },
};

export const tlsHttpDrift: Check = {
  id: 'tls-http-mismatch',
  category: 'tls',
  severity: 'warning',
  title: 'Nomad HTTP TLS differs between agents',
  run(model) {
    return pairwise(
      model.roles.filter((r) => r.product === 'nomad'),
      'tls.http',
      (role, ref, e, r) =>
        finding({
          check: this,
          span: e?.keySpan ?? roleAnchor(role),
          message: `Nomad HTTP TLS differs: ${describeEntry(model, role, e, 'tls.http')}, ${describeEntry(model, ref, r, 'tls.http')}. Whoever calls the API with the other scheme gets "Client sent an HTTP request to an HTTPS server."`,
          related: sideRelated(ref, r, 'tls.http'),
          fixes: e && r ? syncValueFix(e, r, `Set tls.http = ${String(r.value)} as on the ${label(ref)}`) : [],
        }),
    );
  },
};

export const tlsFilesMissing: Check = {
  id: 'tls-ca-missing',
  category: 'tls',
  severity: 'error',
  title: 'TLS enabled without the CA, certificate or key another role has',
  run(model) {
    const out: Finding[] = [];
    const roles = rolesOf(model, 'nomad');
    for (const role of roles) {
      if (!truthy(role.settings.get('tls.rpc')?.value) && !truthy(role.settings.get('tls.http')?.value)) continue;
      for (const key of ['tls.ca_file', 'tls.cert_file', 'tls.key_file']) {
        if (role.settings.has(key)) continue;
        const ref = roles.find((r) => r !== role && r.settings.has(key));
        const tlsEntry = role.settings.get('tls.rpc') ?? role.settings.get('tls.http');
        const symptom =
          key === 'tls.ca_file'
            ? '"x509: certificate signed by unknown authority" (the client sees "Permission denied")'
            : '"tls: failed to find any PEM data" / the agent refuses to start with TLS enabled';
        out.push(
          finding({
            check: this,
            span: tlsEntry?.keySpan ?? roleAnchor(role),
            message: `${label(role)} enables TLS but sets no ${key}${ref ? ` (the ${label(ref)} sets ${key} = ${ref.settings.get(key)!.display})` : ''}. Expect ${symptom}.`,
            related: ref ? sideRelated(ref, ref.settings.get(key), key) : [],
          }),
        );
      }
      const vsh = role.settings.get('tls.verify_server_hostname');
      const server = roles.find((r) => r.kind === 'server');
      if (role.kind !== 'server' && server && truthy(server.settings.get('tls.verify_server_hostname')?.value) !== truthy(vsh?.value) && !vsh?.unknownReason) {
        out.push(
          finding({
            check: this,
            span: vsh?.keySpan ?? tlsEntry(role) ?? roleAnchor(role),
            severity: 'warning',
            message: `tls.verify_server_hostname differs: ${describeEntry(model, role, vsh, 'tls.verify_server_hostname')}, ${describeEntry(model, server, server.settings.get('tls.verify_server_hostname'), 'tls.verify_server_hostname')}. With it on, certificates must be named server.<region>.nomad / client.<region>.nomad or RPC fails with "invalid certificate: ... not in expected client.<region>.nomad, server.<region>.nomad".`,
            related: sideRelated(server, server.settings.get('tls.verify_server_hostname'), 'tls.verify_server_hostname'),
          }),
        );
      }
    }
    return out;
  },
};

function tlsEntry(role: Role) {
  return (role.settings.get('tls.rpc') ?? role.settings.get('tls.http'))?.keySpan;
}

export const consulAddressTls: Check = {
  id: 'tls-consul-address',
  category: 'tls',
  severity: 'error',
  title: 'Nomad consul.address port and consul.ssl disagree, or differ between clients',
  run(model) {
    const out: Finding[] = [];
    for (const role of rolesOf(model, 'nomad')) {
      const addr = role.settings.get('consul.address');
      if (!addr || typeof addr.value !== 'string') continue;
      const sslEntry = role.settings.get('consul.ssl');
      // A value computed at run time is not data: no finding either way.
      if (sslEntry?.unknownReason) continue;
      const ssl = truthy(sslEntry?.value);
      const port = /:(\d+)$/.exec(addr.value)?.[1];
      if ((port === '8501' && !ssl) || (port === '8500' && ssl)) {
        out.push(
          finding({
            check: this,
            span: addr.keySpan,
            message: `${label(role)} talks to Consul at ${addr.value} with consul.ssl = ${ssl}: ${port === '8501' ? 'port 8501 is Consul\'s HTTPS port, so plain HTTP gets "Client sent an HTTP request to an HTTPS server."' : 'port 8500 is plain HTTP, so TLS fails with "http: server gave HTTP response to HTTPS client"'}; Nomad then logs "no Nomad Servers advertising service "nomad" in Consul datacenters".`,
          }),
        );
      }
    }
    const clients = clientRoles(model, 'nomad');
    const win = clients.find((r) => r.kind === 'windows-client');
    const lin = clients.find((r) => r.kind === 'linux-client');
    const wa = win?.settings.get('consul.ssl');
    const la = lin?.settings.get('consul.ssl');
    if (win && lin && truthy(wa?.value) !== truthy(la?.value) && !wa?.unknownReason && !la?.unknownReason) {
      out.push(
        finding({
          check: this,
          span: wa?.keySpan ?? win.settings.get('consul.address')?.keySpan ?? roleAnchor(win),
          severity: 'warning',
          message: `consul.ssl differs between clients: ${describeEntry(model, win, wa, 'consul.ssl')}, ${describeEntry(model, lin, la, 'consul.ssl')}.`,
          related: sideRelated(lin, la, 'consul.ssl'),
        }),
      );
    }
    return out;
  },
};

/** Compares one boolean setting across the roles of a product, reporting each role against the reference. */
function pairwise(
  roles: Role[],
  path: string,
  make: (role: Role, ref: Role, e: ReturnType<Role['settings']['get']>, r: ReturnType<Role['settings']['get']>) => Finding,
): Finding[] {
  const ref = roles.find((r) => r.kind === 'server') ?? roles.find((r) => r.kind === 'linux-client');
  if (!ref) return [];
  const r = ref.settings.get(path);
  if (r?.unknownReason) return [];
  const out: Finding[] = [];
  for (const role of roles) {
    if (role === ref) continue;
    const e = role.settings.get(path);
    if (e?.unknownReason) continue;
    if (truthy(e?.value) !== truthy(r?.value)) out.push(make(role, ref, e, r));
  }
  return out;
}
