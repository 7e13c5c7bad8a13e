/**
 * service-flag-override: `-region`, `-dc`/`-datacenter` or `-data-dir` on the
 * agent command line of a service definition (systemd `ExecStart=`,
 * `New-Service -BinaryPathName`, `sc.exe create … binPath=`, nssm) overrides
 * the config file, and the two OSes end up with different effective values:
 *
 * - region / datacenter: the flag on one OS gives a value that differs from
 *   what the other OS runs with (its own flag, else its config file, else the
 *   agent's default);
 * - data dir: the flag differs from the `data_dir` of the same OS's config
 *   (the config, cleanup and checks point at a directory the agent does not use).
 */
import type { Role } from '../../agent/roles';
import { configEntry } from '../../agent/settings';
import { roleOs } from '../../agent/roles';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, Product, RelatedInfo, Span } from '../../types';
import { chainRelated, chainText, finding, label, settingLocation } from '../check';
import type { Check } from '../check';
import type { ServiceDef, ServiceFlag } from './services';
import { serviceDefs } from './services';
import { lineOf, normPath } from './shared';

type Os = 'linux' | 'windows';

interface Effective {
  readonly role: Role;
  readonly os: Os;
  readonly value: string;
  readonly flag: { def: ServiceDef; flag: ServiceFlag } | undefined;
  /** The config file's value, when the config sets it. */
  readonly config: { value: string; chain: string; span: Span } | undefined;
  readonly text: string;
  readonly related: RelatedInfo[];
}

const SETTINGS: ReadonlyArray<{ setting: string; flags: readonly string[]; products: readonly Product[]; def: string }> = [
  { setting: 'region', flags: ['region'], products: ['nomad'], def: 'global' },
  { setting: 'datacenter', flags: ['dc', 'datacenter'], products: ['nomad', 'consul'], def: 'dc1' },
];

function configValue(model: DeploymentModel, r: Role, setting: string): Effective['config'] {
  // The config files' value, not the flag's (the role's effective setting when a flag gives it).
  const e = configEntry(r.settings.get(setting));
  if (!e || e.unknownReason !== undefined || typeof e.value !== 'string') return undefined;
  const chain = e.chain.length ? chainText(model, e.chain) : settingLocation(model, e);
  return { value: e.value, chain, span: e.keySpan };
}

function symptom(setting: string, product: Product, a: string, b: string): string {
  if (setting === 'region')
    return `Nomad agents in different regions do not talk to each other: RPCs fail with \`No path to region\` and the clients of one OS never register with the servers of the other region`;
  if (product === 'nomad')
    return `jobs that target datacenters = ["${a}"] never place on the nodes in "${b}": \`No nodes are available in datacenter "${a}"\` / \`No nodes were eligible for evaluation\``;
  return `Consul agents of different datacenters do not share a LAN gossip pool: the agents in "${b}" cannot join the servers in "${a}" and every Consul lookup from them fails`;
}

export const serviceFlagOverride: Check = {
  id: 'service-flag-override',
  category: 'service',
  severity: 'error',
  title: 'A -region/-dc/-data-dir flag in a service definition overrides the config file differently per OS',
  run(model) {
    const out: Finding[] = [];
    const defs = serviceDefs(model);
    for (const product of ['nomad', 'consul'] as const) {
      const byOs = (os: Os) => defs.filter((d) => d.os === os && d.product === product);
      const roles = model.roles.filter((r) => r.product === product);
      for (const s of SETTINGS) {
        if (!s.products.includes(product)) continue;
        if (byOs('linux').length === 0 || byOs('windows').length === 0) continue;
        // A service whose command line is not known (a reconfiguration not followed) may pass the flag or not.
        if ([...byOs('linux'), ...byOs('windows')].some((d) => d.flagsUnknown !== undefined)) continue;
        const passed = (os: Os) => byOs(os).flatMap((def) => def.flags.filter((f) => s.flags.includes(f.name)).map((flag) => ({ def, flag })));
        // A flag whose value is not known (a `$VAR` that does not resolve, a Compose `${REGION}` that no `.env` sets)
        // leaves what that OS runs with unknown: nothing is compared. A resolved variable counts with its value.
        if ([...passed('linux'), ...passed('windows')].some((x) => x.flag.resolved === undefined)) continue;
        const eff: Effective[] = [];
        for (const r of roles) {
          const os = roleOs(r);
          if (!os) continue;
          const fl = passed(os).at(0);
          const config = configValue(model, r, s.setting);
          if (fl) {
            const value = fl.flag.resolved!;
            const over = config && config.value !== value ? `, overriding ${s.setting} = "${config.value}" of its config (${config.chain})` : '';
            const shown = value === fl.flag.value ? '' : ` (${value}${fl.flag.resolvedFrom ? `; ${fl.flag.resolvedFrom}` : ''})`;
            eff.push({
              role: r,
              os,
              value,
              flag: fl,
              config,
              text: `${label(r)}: -${fl.flag.name}=${fl.flag.value}${shown} from the ${fl.def.via} service definition (${lineOf(model, fl.flag.span)})${over}`,
              related: [
                { span: fl.flag.span, message: `${label(r)}: -${fl.flag.name}=${fl.flag.value} (${fl.def.via})` },
                ...(config ? [{ span: config.span, message: `${label(r)}: config sets ${s.setting} = "${config.value}" (overridden by the flag)` }] : []),
              ],
            });
          } else if (config) {
            const e = configEntry(r.settings.get(s.setting))!;
            eff.push({
              role: r,
              os,
              value: config.value,
              flag: undefined,
              config,
              text: `${label(r)}: ${s.setting} = "${config.value}" from its config (${config.chain}), no -${s.flags[0]} flag in its service`,
              related: chainRelated(e.chain, undefined, `${label(r)}: `),
            });
          } else {
            eff.push({
              role: r,
              os,
              value: s.def,
              flag: undefined,
              config: undefined,
              text: `${label(r)}: no ${s.setting} in its config and no -${s.flags[0]} flag, so the default "${s.def}"`,
              related: [],
            });
          }
        }
        const flagged = eff.filter((e) => e.flag);
        if (flagged.length === 0) continue;
        // One finding per differing (flag side, other OS side) pair of values.
        const reported = new Set<string>();
        for (const f of flagged) {
          const others = eff.filter((e) => e.os !== f.os && e.value !== f.value);
          if (others.length === 0) continue;
          const k = `${f.flag!.flag.span.file}:${f.flag!.flag.span.start}`;
          if (reported.has(k)) continue;
          reported.add(k);
          const o = others[0]!;
          if (o.flag && reported.has(`${o.flag.flag.span.file}:${o.flag.flag.span.start}`)) continue;
          out.push(
            finding({
              check: serviceFlagOverride,
              span: f.flag!.flag.span,
              message:
                `${product === 'nomad' ? 'Nomad' : 'Consul'} ${s.setting} differs between the OSes once the service flags are applied (the effective value of an agent is the command-line flag when its service passes one, else its config file): ` +
                `${flagged
                  .filter((x) => x.flag!.flag.span === f.flag!.flag.span)
                  .map((x) => `${x.text} → "${x.value}"`)
                  .join('; ')}; ${others.map((x) => `${x.text} → "${x.value}"`).join('; ')}. ` +
                `${symptom(s.setting, product, f.value, o.value)}. Set ${s.setting} in one place — the config files, identically on both OSes — and drop -${f.flag!.flag.name} from the service definitions.`,
              related: [
                ...flagged.filter((x) => x.flag!.flag.span === f.flag!.flag.span).flatMap((x) => x.related.filter((r) => r.span !== f.flag!.flag.span)),
                ...others.flatMap((x) => x.related),
              ],
            }),
          );
        }
      }
      // -data-dir vs the same OS's config data_dir.
      for (const def of defs.filter((d) => d.product === product)) {
        const win = def.os === 'windows';
        for (const f of def.flags) {
          if (f.name !== 'data-dir' || f.value.includes('$')) continue;
          for (const r of roles.filter((x) => roleOs(x) === def.os)) {
            const c = configValue(model, r, 'data_dir');
            if (!c || normPath(c.value, win) === normPath(f.value, win)) continue;
            const other = defs.filter((d) => d.product === product && d.os !== def.os);
            const otherNote =
              other.length && !other.some((d) => d.flagsUnknown !== undefined || d.flags.some((x) => x.name === 'data-dir'))
                ? ` The ${other[0]!.os} service passes no -data-dir, so there the config's data_dir is used: the two OSes are configured differently.`
                : '';
            out.push(
              finding({
                check: serviceFlagOverride,
                severity: 'warning',
                span: f.span,
                message:
                  `${label(r)}: the ${def.via} service starts the agent with -data-dir=${f.value}, which overrides data_dir = "${c.value}" of its config (${c.chain}). The effective data dir is the flag's: state (node-id, client/state.db, raft, serf keyring) goes to ${f.value}, while image cleanup, backups and anyone reading the config look at ${c.value}.${otherNote} ` +
                  'Keep data_dir in the config only and drop -data-dir from the service definition.',
                related: [{ span: c.span, message: `${label(r)}: data_dir = "${c.value}" (overridden by -data-dir)` }],
              }),
            );
            break;
          }
        }
      }
    }
    return out;
  },
};
