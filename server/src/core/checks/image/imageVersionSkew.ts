/**
 * image-version-skew: the Linux and Windows images install different Nomad /
 * Consul / Vault versions, or one pins and the other installs whatever is
 * current at build time. A client newer than the servers is an error (for
 * Nomad 1.11+ clients against older servers: `rpc error: Permission denied`
 * on `Node.GetClientAllocs`).
 */
import type { InstalledVersion } from '../../api';
import type { DeploymentModel } from '../../model/deploymentModel';
import { collectVersions } from '../../versions';
import { provisionersRunning } from '../../packer';
import type { ChainStep, Finding, RelatedInfo } from '../../types';
import { chainRelated, chainText, finding } from '../check';
import type { Check } from '../check';
import { compareVersions, lineOf } from './shared';

type Os = 'linux' | 'windows';

/**
 * `collectVersions` with one gap closed: a PowerShell parameter whose default
 * is `$env:NOMAD_VERSION` is looked up in the provisioner's `environment_vars`
 * under the env name (the engine looks for the script variable name).
 */
export function effectiveVersions(model: DeploymentModel): InstalledVersion[] {
  return collectVersions(model).map((v) => {
    if (v.pinned || v.version) return v;
    const s = model.scripts.find((x) => x.file === v.span.file);
    if (!s || s.language !== 'powershell') return v;
    const token = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec((model.files.get(v.span.file)?.text ?? '').slice(v.span.start, v.span.end))?.[1];
    if (!token) return v;
    for (const a of s.scan.assignments) {
      if (a.name.toLowerCase() !== token.toLowerCase() || !a.value || a.value.kind !== 'variable' || !/^env:/i.test(a.value.name)) continue;
      const envName = a.value.name.slice(4);
      for (const p of provisionersRunning(model, s.file)) {
        const e = p.env?.get(envName);
        if (e?.kind !== 'known') continue;
        const ver = /^v?(\d+\.\d+\.\d+(?:[-+][\w.]+)?)/.exec(e.text.trim());
        if (ver)
          return {
            ...v,
            version: ver[1]!,
            pinned: true,
            reason: undefined,
            chain: [...e.chain, { span: v.span, note: `$${token} (default $env:${envName}) in ${s.file}` }],
          };
      }
    }
    return v;
  });
}

/** Which OS image the servers are built from: the OS of the scripts/configs that make the server role (Linux when the model does not say). */
export function serverOs(model: DeploymentModel): { os: Os; reason: string } {
  const oses = new Set<Os>();
  for (const c of model.configs) if (c.kind === 'server') oses.add(c.doc.os);
  if (oses.size === 1) {
    const os = [...oses][0]!;
    const src = model.configs.find((c) => c.kind === 'server')!;
    return { os, reason: `the server configuration is written by ${src.doc.hostFile} (${os})` };
  }
  return { os: 'linux', reason: 'servers are built from the Linux image (no Windows server configuration in the tree)' };
}

/** Latest Nomad release is known to be at least this (DOMAIN.md §1: 1.11.1 was current when the seed build ran). */
const NOMAD_KNOWN_LATEST_FLOOR = '1.11.1';

function summary(side: InstalledVersion[]): InstalledVersion {
  return side.find((v) => !v.pinned && /current at build time/.test(v.reason ?? '')) ?? side.find((v) => !v.pinned) ?? side[0]!;
}

function symptom(product: string, client: string | undefined, server: string): string {
  if (product === 'nomad' && (client === undefined || compareVersions(client, '1.11.0') >= 0) && compareVersions(server, '1.11.0') < 0)
    return 'Nomad 1.11+ clients authenticate with a node identity token that a 1.10.3+ server rejects on Node.GetClientAllocs: the node registers and heartbeats, but every alloc fetch fails with `rpc error: Permission denied` and allocations stay pending';
  return `clients must never be newer than servers; expect \`rpc error: Permission denied\` or unknown-field errors on RPCs the older ${product} servers do not understand`;
}

export const imageVersionSkew: Check = {
  id: 'image-version-skew',
  category: 'version',
  severity: 'warning',
  title: 'Linux and Windows images install different (or unpinned) Nomad/Consul/Vault versions',
  run(model) {
    const out: Finding[] = [];
    const all = effectiveVersions(model);
    const srv = serverOs(model);
    for (const product of ['nomad', 'consul', 'vault'] as const) {
      const by = (os: Os) => all.filter((v) => v.product === product && v.os === os);
      const lin = by('linux');
      const win = by('windows');
      if (lin.length === 0 || win.length === 0) continue;
      const l = summary(lin);
      const w = summary(win);
      const sides: Record<Os, InstalledVersion> = { linux: l, windows: w };
      const server = sides[srv.os];
      const clientOs: Os = srv.os === 'linux' ? 'windows' : 'linux';
      const client = sides[clientOs];
      const related = (primary: InstalledVersion, other: InstalledVersion): RelatedInfo[] => [
        { span: other.span, message: `${other.os} image: ${other.version ?? 'unpinned'}${other.reason ? ` (${other.reason})` : ''}` },
        ...chainRelated(other.chain, other.span, `${other.os}: `),
        ...chainRelated(primary.chain, primary.span, `${primary.os}: `),
      ];
      const chainOf = (v: InstalledVersion): string => (v.chain.length ? chainText(model, v.chain as ChainStep[]) : lineOf(model, v.span));
      const serverNote = `servers run the ${srv.os} image (${srv.reason})`;
      if (l.pinned !== w.pinned) {
        const unpinned = l.pinned ? w : l;
        const pinned = l.pinned ? l : w;
        const clientUnpinned = unpinned === client;
        const certain = product === 'nomad' && clientUnpinned && pinned.version !== undefined && compareVersions(pinned.version, NOMAD_KNOWN_LATEST_FLOOR) < 0;
        out.push(
          finding({
            check: imageVersionSkew,
            severity: certain ? 'error' : 'warning',
            span: unpinned.span,
            message:
              `${product}: the ${unpinned.os} image pins no version (${unpinned.reason ?? 'unpinned'}), while the ${pinned.os} image pins ${pinned.version} (${chainOf(pinned)}). ` +
              (clientUnpinned
                ? `The ${unpinned.os} clients will be newer than the servers (${serverNote})` +
                  (certain
                    ? ` — the current Nomad release is already ${NOMAD_KNOWN_LATEST_FLOOR} or later. ${symptom(product, undefined, pinned.version!)}.`
                    : `: ${symptom(product, undefined, pinned.version ?? '')}.`)
                : `Images built on different days run different versions (${serverNote}).`) +
              ` Pass the same ${product.toUpperCase()}_VERSION to both provisioners and fail the build when it is missing.`,
            related: related(unpinned, pinned),
          }),
        );
        continue;
      }
      if (!l.version || !w.version || l.version === w.version) continue;
      const clientNewer = client.version !== undefined && server.version !== undefined && compareVersions(client.version, server.version) > 0;
      const primary = compareVersions(l.version, w.version) > 0 ? l : w;
      const other = primary === l ? w : l;
      out.push(
        finding({
          check: imageVersionSkew,
          severity: clientNewer ? 'error' : 'warning',
          span: primary.span,
          message:
            `${product}: the ${l.os} image installs ${l.version} (${chainOf(l)}) but the ${w.os} image installs ${w.version} (${chainOf(w)}); ${serverNote}. ` +
            (clientNewer
              ? `The ${clientOs} clients are newer than the servers: ${symptom(product, client.version, server.version!)}.`
              : 'Every image must pin the same version (servers >= clients).'),
          related: related(primary, other),
        }),
      );
    }
    return out;
  },
};
