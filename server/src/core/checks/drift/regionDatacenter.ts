/**
 * Nomad `region` must agree between every agent (RPC is routed by region:
 * nomad/structs `ErrNoRegionPath` = "No path to region"); `datacenter`
 * decides which jobs a client runs ("No nodes are available in datacenter");
 * Consul agents join the LAN pool of their own datacenter only (Consul
 * agent/consul/merge.go: "Member '…' part of wrong datacenter '…'").
 * Defaults when unset: Nomad region "global", datacenter "dc1"; Consul "dc1".
 */
import type { Role } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import type { Finding } from '../../types';
import type { Check } from '../check';
import { finding, label, rolesOf } from '../check';
import { chainText } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import { roleAnchor, sideRelated, syncValueFix } from './compare';

interface Effective {
  readonly value: string;
  readonly entry: SettingEntry | undefined;
}

function effective(role: Role, path: string, fallback: string): Effective | undefined {
  const e = role.settings.get(path);
  if (e?.unknownReason) return undefined;
  if (e && typeof e.value !== 'string') return undefined;
  return { value: e ? (e.value as string) : fallback, entry: e };
}

function describe(model: DeploymentModel, role: Role, path: string, v: Effective): string {
  return v.entry ? `${label(role)} has ${path} = "${v.value}" (${chainText(model, v.entry.chain)})` : `${label(role)} sets no ${path} (default "${v.value}")`;
}

export const nomadRegionMismatch: Check = {
  id: 'region-mismatch',
  category: 'servers',
  severity: 'error',
  title: 'Nomad agents in different regions',
  run(model) {
    const out: Finding[] = [];
    const roles = rolesOf(model, 'nomad');
    const server = roles.find((r) => r.kind === 'server');
    if (!server) return out;
    const ref = effective(server, 'region', 'global');
    if (!ref) return out;
    for (const role of roles) {
      if (role === server) continue;
      const v = effective(role, 'region', 'global');
      if (!v || v.value === ref.value) continue;
      out.push(
        finding({
          check: this,
          span: v.entry?.keySpan ?? roleAnchor(role),
          message: `Nomad region differs: ${describe(model, role, 'region', v)}, but ${describe(model, server, 'region', ref)}. The client's RPCs are routed to a region no server serves: "No path to region" (and with verify_server_hostname the certificates must be named for the region: client.${v.value}.nomad vs server.${ref.value}.nomad).`,
          related: sideRelated(server, ref.entry, 'region'),
          fixes: v.entry && ref.entry ? syncValueFix(v.entry, ref.entry, `Set region = "${ref.value}" as on the ${label(server)}`) : [],
        }),
      );
    }
    return out;
  },
};

export const datacenterMismatch: Check = {
  id: 'datacenter-mismatch',
  category: 'servers',
  severity: 'warning',
  title: 'Clients of one cluster in different datacenters; a Consul agent outside its servers’ datacenter',
  run(model) {
    const out: Finding[] = [];
    // Nomad: Linux and Windows clients in different datacenters split the jobs between them.
    const nomad = rolesOf(model, 'nomad');
    const win = nomad.find((r) => r.kind === 'windows-client');
    const lin = nomad.find((r) => r.kind === 'linux-client');
    const w = win && effective(win, 'datacenter', 'dc1');
    const l = lin && effective(lin, 'datacenter', 'dc1');
    if (win && lin && w && l && w.value !== l.value) {
      out.push(
        finding({
          check: this,
          span: w.entry?.keySpan ?? roleAnchor(win),
          message: `Nomad clients are in different datacenters: ${describe(model, win, 'datacenter', w)}, ${describe(model, lin, 'datacenter', l)}. A job whose datacenters list names only one of them never places on the other OS: "No nodes are available in datacenter "${l.value}"".`,
          related: sideRelated(lin, l.entry, 'datacenter'),
          fixes: w.entry && l.entry ? syncValueFix(w.entry, l.entry, `Set datacenter = "${l.value}" as on the ${label(lin)}`) : [],
        }),
      );
    }
    // Consul: an agent in another datacenter than the servers cannot join their LAN pool.
    const consul = rolesOf(model, 'consul');
    const server = consul.find((r) => r.kind === 'server');
    const s = server && effective(server, 'datacenter', 'dc1');
    if (server && s) {
      for (const role of consul) {
        if (role === server) continue;
        const v = effective(role, 'datacenter', 'dc1');
        if (!v || v.value === s.value) continue;
        out.push(
          finding({
            check: this,
            span: v.entry?.keySpan ?? roleAnchor(role),
            severity: 'error',
            message: `Consul datacenter differs: ${describe(model, role, 'datacenter', v)}, ${describe(model, server, 'datacenter', s)}. The agent cannot join the servers' LAN pool: "Member '…' part of wrong datacenter '${s.value}'".`,
            related: sideRelated(server, s.entry, 'datacenter'),
            fixes: v.entry && s.entry ? syncValueFix(v.entry, s.entry, `Set datacenter = "${s.value}" as on the ${label(server)}`) : [],
          }),
        );
      }
    }
    return out;
  },
};
