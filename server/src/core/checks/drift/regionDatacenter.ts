/**
 * Nomad `region` must agree between every agent (RPC is routed by region:
 * nomad/structs `ErrNoRegionPath` = "No path to region"); `datacenter`
 * decides which jobs a client runs ("No nodes are available in datacenter");
 * Consul agents join the LAN pool of their own datacenter only (Consul
 * agent/consul/merge.go: "Member '…' part of wrong datacenter '…'").
 * Defaults when unset: Nomad region "global", datacenter "dc1"; Consul "dc1".
 */
import type { Role } from '../../agent/roles';
import { roleOs } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import { configEntry } from '../../agent/settings';
import type { Finding } from '../../types';
import type { Check } from '../check';
import { finding, label, rolesOf } from '../check';
import { chainText } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import { roleAnchor, sideRelated, syncValueFix } from './compare';
import type { ServiceDef, ServiceFlag } from '../image/services';
import { serviceDefs, serviceFlagValue } from '../image/services';
import type { Product } from '../../types';

interface Effective {
  readonly value: string;
  readonly entry: SettingEntry | undefined;
  /** The service flag that sets the value, overriding the config file. */
  readonly flag?: { def: ServiceDef; flag: ServiceFlag };
}

/**
 * What the agent runs with: a -region / -dc flag of the services that start it on its OS (command-line flags override
 * the config files), else its config, else the default. Undefined when unknown.
 */
function effective(model: DeploymentModel, role: Role, path: string, fallback: string, flags: readonly string[]): Effective | undefined {
  const os = roleOs(role);
  const fl = os ? serviceFlagValue(model, os, role.product as Product, flags) : undefined;
  if (fl === 'unknown') return undefined;
  // With a flag, the config files' entry (the role's effective setting is the flag's: see agent/launchFlags.ts).
  const e = fl ? configEntry(role.settings.get(path)) : role.settings.get(path);
  if (fl) return { value: fl.value, entry: e?.unknownReason || typeof e?.value !== 'string' ? undefined : e, flag: fl };
  if (e?.unknownReason) return undefined;
  if (e && typeof e.value !== 'string') return undefined;
  return { value: e ? (e.value as string) : fallback, entry: e };
}

/**
 * A difference that involves a service flag while both OSes define services of the product is reported by
 * service-flag-override, with both command lines; not twice.
 */
function flagDriftReportedElsewhere(model: DeploymentModel, product: Product, a: Effective, b: Effective): boolean {
  if (!a.flag && !b.flag) return false;
  const defs = serviceDefs(model).filter((d) => d.product === product);
  return defs.some((d) => d.os === 'linux') && defs.some((d) => d.os === 'windows');
}

function describe(model: DeploymentModel, role: Role, path: string, v: Effective): string {
  if (v.flag) {
    const over = v.entry && v.entry.value !== v.value ? `, overriding ${path} = "${String(v.entry.value)}" of its config` : '';
    const from = v.flag.flag.resolvedFrom ? `; ${v.flag.flag.resolvedFrom}` : '';
    return `${label(role)} runs with ${path} "${v.value}" from -${v.flag.flag.name}=${v.flag.flag.value}${v.flag.flag.value !== v.value ? ` (${v.value}${from})` : ''} in its ${v.flag.def.via} service (${v.flag.def.file})${over}`;
  }
  return v.entry ? `${label(role)} has ${path} = "${v.value}" (${chainText(model, v.entry.chain)})` : `${label(role)} sets no ${path} (default "${v.value}")`;
}

/** The datacenter flag of each agent: Nomad `-dc`, Consul `-datacenter` (the other name stops the agent: service-agent-flag). */
const DC_FLAGS = { nomad: ['dc'], consul: ['datacenter'] } as const;

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
    const ref = effective(model, server, 'region', 'global', ['region']);
    if (!ref) return out;
    for (const role of roles) {
      if (role === server) continue;
      const v = effective(model, role, 'region', 'global', ['region']);
      if (!v || v.value === ref.value || flagDriftReportedElsewhere(model, 'nomad', v, ref)) continue;
      out.push(
        finding({
          check: this,
          span: v.flag?.flag.span ?? v.entry?.keySpan ?? roleAnchor(role),
          message: `Nomad region differs: ${describe(model, role, 'region', v)}, but ${describe(model, server, 'region', ref)}. The client's RPCs are routed to a region no server serves: "No path to region" (and with verify_server_hostname the certificates must be named for the region: client.${v.value}.nomad vs server.${ref.value}.nomad).`,
          related: sideRelated(server, ref.entry, 'region'),
          fixes: v.entry && ref.entry && !v.flag && !ref.flag ? syncValueFix(v.entry, ref.entry, `Set region = "${ref.value}" as on the ${label(server)}`) : [],
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
    const w = win && effective(model, win, 'datacenter', 'dc1', DC_FLAGS.nomad);
    const l = lin && effective(model, lin, 'datacenter', 'dc1', DC_FLAGS.nomad);
    if (win && lin && w && l && w.value !== l.value && !flagDriftReportedElsewhere(model, 'nomad', w, l)) {
      out.push(
        finding({
          check: this,
          span: w.flag?.flag.span ?? w.entry?.keySpan ?? roleAnchor(win),
          message: `Nomad clients are in different datacenters: ${describe(model, win, 'datacenter', w)}, ${describe(model, lin, 'datacenter', l)}. A job whose datacenters list names only one of them never places on the other OS: "No nodes are available in datacenter "${l.value}"".`,
          related: sideRelated(lin, l.entry, 'datacenter'),
          fixes: w.entry && l.entry && !w.flag && !l.flag ? syncValueFix(w.entry, l.entry, `Set datacenter = "${l.value}" as on the ${label(lin)}`) : [],
        }),
      );
    }
    // Consul: an agent in another datacenter than the servers cannot join their LAN pool.
    const consul = rolesOf(model, 'consul');
    const server = consul.find((r) => r.kind === 'server');
    const s = server && effective(model, server, 'datacenter', 'dc1', DC_FLAGS.consul);
    if (server && s) {
      for (const role of consul) {
        if (role === server) continue;
        const v = effective(model, role, 'datacenter', 'dc1', DC_FLAGS.consul);
        if (!v || v.value === s.value || flagDriftReportedElsewhere(model, 'consul', v, s)) continue;
        out.push(
          finding({
            check: this,
            span: v.flag?.flag.span ?? v.entry?.keySpan ?? roleAnchor(role),
            severity: 'error',
            message: `Consul datacenter differs: ${describe(model, role, 'datacenter', v)}, ${describe(model, server, 'datacenter', s)}. The agent cannot join the servers' LAN pool: "Member '…' part of wrong datacenter '${s.value}'".`,
            related: sideRelated(server, s.entry, 'datacenter'),
            fixes: v.entry && s.entry && !v.flag && !s.flag ? syncValueFix(v.entry, s.entry, `Set datacenter = "${s.value}" as on the ${label(server)}`) : [],
          }),
        );
      }
    }
    return out;
  },
};
