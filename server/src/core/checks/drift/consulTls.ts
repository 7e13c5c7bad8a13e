/**
 * Consul agent TLS. When the servers verify incoming connections
 * (`verify_incoming`, or `tls { defaults | internal_rpc { verify_incoming } }`
 * in Consul 1.12+), every client agent must present a certificate — its own
 * `cert_file`/`key_file` or one obtained with `auto_encrypt { tls = true }`.
 * Otherwise the server rejects it ("tls: client didn't provide a
 * certificate", seen by the client as "remote error: tls: bad certificate").
 * The CA must be there too, or the client cannot verify the servers
 * ("x509: certificate signed by unknown authority").
 */
import type { Role } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import type { Finding } from '../../types';
import type { Check } from '../check';
import { finding, label, rolesOf } from '../check';
import { roleAnchor, sideRelated, truthy } from './compare';

function first(role: Role, paths: readonly string[]): SettingEntry | undefined {
  for (const p of paths) {
    const e = role.settings.get(p);
    if (e) return e;
  }
  return undefined;
}

const VERIFY_INCOMING = ['verify_incoming', 'verify_incoming_rpc', 'tls.defaults.verify_incoming', 'tls.internal_rpc.verify_incoming'];
const CERT = ['cert_file', 'tls.defaults.cert_file', 'tls.internal_rpc.cert_file'];
const CA = ['ca_file', 'ca_path', 'tls.defaults.ca_file', 'tls.defaults.ca_path', 'tls.internal_rpc.ca_file'];

function autoEncrypt(role: Role): SettingEntry | undefined {
  const e = role.settings.get('auto_encrypt.tls');
  return e && truthy(e.value) ? e : undefined;
}

export const consulAgentTls: Check = {
  id: 'tls-consul-agent',
  category: 'tls',
  severity: 'error',
  title: 'A Consul client without the certificate or CA its servers require',
  run(model) {
    const out: Finding[] = [];
    const roles = rolesOf(model, 'consul');
    const server = roles.find((r) => r.kind === 'server');
    const verify = server && first(server, VERIFY_INCOMING);
    const serverVerifies = verify !== undefined && !verify.unknownReason && truthy(verify.value);
    const linux = roles.find((r) => r.kind === 'linux-client');
    for (const role of roles) {
      if (role.kind === 'server') continue;
      const cert = first(role, CERT);
      const ca = first(role, CA);
      const auto = autoEncrypt(role);
      if ([cert, ca].some((e) => e?.unknownReason)) continue;
      if (serverVerifies && !cert && !auto) {
        out.push(
          finding({
            check: this,
            span: roleAnchor(role),
            message: `${label(role)} has no client certificate (no cert_file, no auto_encrypt { tls = true }) but the ${label(server!)} sets ${verify!.path} = true: the servers refuse its RPC ("tls: client didn't provide a certificate"; the client sees "remote error: tls: bad certificate") and it never joins. Give it a certificate or enable auto_encrypt { tls = true } with the servers' allow_tls.`,
            related: sideRelated(server!, verify, verify!.path),
          }),
        );
        continue;
      }
      if (role.kind === 'windows-client' && linux && !ca && !auto) {
        const lca = first(linux, CA) ?? autoEncrypt(linux);
        if (!lca || lca.unknownReason) continue;
        out.push(
          finding({
            check: this,
            span: roleAnchor(role),
            severity: 'warning',
            message: `${label(role)} has no CA (no ca_file, no auto_encrypt) while the ${label(linux)} has ${lca.path} = ${lca.display}: with TLS on the servers, the Windows agent cannot verify them ("x509: certificate signed by unknown authority").`,
            related: sideRelated(linux, lca, lca.path),
          }),
        );
      }
    }
    return out;
  },
};
