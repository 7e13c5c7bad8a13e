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
import { provisionerScripts, provisionersRunning } from '../../packer';
import { buildInfos } from './imageLinks';
import type { BuildInfo } from './imageLinks';
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
export function effectiveVersions(model: DeploymentModel): readonly InstalledVersion[] {
  // Several checks ask (image-version-skew, packer-version-env-missing, config-key-version per config): once per model.
  let hit = effectiveByModel.get(model);
  if (hit === undefined) effectiveByModel.set(model, (hit = computeEffectiveVersions(model)));
  return hit;
}

const effectiveByModel = new WeakMap<DeploymentModel, readonly InstalledVersion[]>();

function computeEffectiveVersions(model: DeploymentModel): InstalledVersion[] {
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
    out.push(...sameOsImageSkew(model, all));
    out.push(...sameOsBootSkew(model, all));
    return out;
  },
};

type ImageRole = 'server' | 'client';

/**
 * The role of a Packer build's image for one product: from the agent configs of that product it bakes (written by its
 * scripts or uploaded into it), else from its name (`nomad-server`, `consul-client-*` in the template path or the
 * image name). A name that mentions only the other product says nothing about this one (the Consul agent of a
 * `nomad/server.json` image is usually a Consul client). Undefined when it builds both or says nothing.
 */
function imageRole(model: DeploymentModel, b: BuildInfo, product: 'nomad' | 'consul'): ImageRole | undefined {
  const kinds = new Set<ImageRole>();
  const scripts = new Set(b.provisioners.flatMap((p) => provisionerScripts(model, p)));
  for (const c of model.configs) {
    if (c.product !== product) continue;
    const inImage = scripts.has(c.doc.hostFile) || b.uploads.some((u) => c.doc.hostFile === u.treePath || c.doc.hostFile.startsWith(`${u.treePath}/`));
    if (inImage) kinds.add(c.kind === 'server' ? 'server' : 'client');
  }
  if (kinds.size === 1) return [...kinds][0];
  if (kinds.size > 1) return undefined;
  const names = [b.file, ...b.images.map((n) => n.glob)].join(' ').toLowerCase();
  if (!names.includes(product) && names.includes(product === 'nomad' ? 'consul' : 'nomad')) return undefined;
  const server = /server/.test(names);
  const client = /client|worker|agent-pool|node-pool/.test(names);
  return server === client ? undefined : server ? 'server' : 'client';
}

/**
 * Two images of the same OS, one for the servers and one for the clients (separate Packer builds), that install
 * different versions: a client image newer than the server image is the seed failure without any Windows node.
 */
function sameOsImageSkew(model: DeploymentModel, all: readonly InstalledVersion[]): Finding[] {
  const out: Finding[] = [];
  const builds = buildInfos(model);
  if (builds.length < 2) return out;
  for (const product of ['nomad', 'consul'] as const) {
    const roles = builds.map((b) => ({ b, role: imageRole(model, b, product) }));
    const versionsOf = (b: BuildInfo) => {
      const scripts = new Set(b.provisioners.flatMap((p) => provisionerScripts(model, p)));
      return all.filter((v) => v.product === product && (scripts.has(v.span.file) || v.span.file === b.file));
    };
    for (const os of ['linux', 'windows'] as const) {
      const servers = roles.filter((r) => r.role === 'server' && r.b.windows === (os === 'windows'));
      const clients = roles.filter((r) => r.role === 'client' && r.b.windows === (os === 'windows'));
      for (const s of servers) {
        const sv = versionsOf(s.b);
        if (sv.length === 0) continue;
        const server = summary(sv);
        for (const c of clients) {
          const cv = versionsOf(c.b);
          if (cv.length === 0) continue;
          const client = summary(cv);
          if (client.span.file === server.span.file && client.span.start === server.span.start) continue; // one shared script, one version
          const names = `the client image (${c.b.file}) and the server image (${s.b.file})`;
          if (server.pinned && client.pinned && server.version && client.version && compareVersions(client.version, server.version) > 0) {
            out.push(
              finding({
                check: imageVersionSkew,
                severity: 'error',
                span: client.span,
                message: `${product}: the ${os} client image installs ${client.version} but the ${os} server image installs ${server.version} (${names}). Clients are newer than the servers: ${symptom(product, client.version, server.version)}. Build both images from one version variable.`,
                related: [{ span: server.span, message: `server image: ${server.version}` }],
              }),
            );
          } else if (!client.pinned || !server.pinned) {
            const unpinned = !client.pinned ? client : server;
            const other = unpinned === client ? server : client;
            out.push(
              finding({
                check: imageVersionSkew,
                span: unpinned.span,
                message: `${product}: ${names} are built separately and the ${unpinned === client ? 'client' : 'server'} image pins no version (${unpinned.reason ?? 'unpinned'})${other.pinned ? `, while the other pins ${other.version}` : ' (neither pins one)'}: images built on different days run different versions, and a client image newer than the servers gets ${symptom(product, undefined, other.version ?? '0')}. Pin one version variable for both builds.`,
                related: [{ span: other.span, message: `${unpinned === client ? 'server' : 'client'} image: ${other.version ?? 'unpinned'}` }],
              }),
            );
          }
        }
      }
    }
  }
  return out;
}

/**
 * Servers and clients of one OS that install the agent at boot from their own scripts (user data, not a Packer
 * image), at least one of them unpinned (`apt-get install -y nomad`) or the client pinned newer: instances launched
 * at different times run different versions, and a client launched (or autoscaled) after a release is newer than the
 * servers. Versions installed by a Packer build are `sameOsImageSkew`'s; one script serving both roles is one version.
 */
function sameOsBootSkew(model: DeploymentModel, all: readonly InstalledVersion[]): Finding[] {
  const out: Finding[] = [];
  for (const product of ['nomad', 'consul'] as const) {
    for (const os of ['linux', 'windows'] as const) {
      const scripts = (server: boolean): Set<string> => {
        const files = new Set<string>();
        for (const r of model.roles) {
          if (r.product !== product || (r.kind === 'server') !== server) continue;
          for (const c of r.configs) if (c.doc.os === os && !c.doc.imageTime) files.add(c.doc.hostFile);
        }
        return files;
      };
      const serverFiles = scripts(true);
      const clientFiles = scripts(false);
      const bootTime = (v: InstalledVersion) => v.product === product && v.os === os && provisionersRunning(model, v.span.file).length === 0;
      const sv = all.filter((v) => bootTime(v) && serverFiles.has(v.span.file) && !clientFiles.has(v.span.file));
      const cv = all.filter((v) => bootTime(v) && clientFiles.has(v.span.file) && !serverFiles.has(v.span.file));
      if (sv.length === 0 || cv.length === 0) continue;
      const server = summary(sv);
      const client = summary(cv);
      const names = `the servers (${server.span.file}) and the clients (${client.span.file}) install ${product} at boot with separate scripts`;
      if (server.pinned && client.pinned) {
        if (!server.version || !client.version || compareVersions(client.version, server.version) <= 0) continue;
        out.push(
          finding({
            check: imageVersionSkew,
            severity: 'error',
            span: client.span,
            message: `${product}: ${names}; the clients install ${client.version}, the servers ${server.version}. Clients are newer than the servers: ${symptom(product, client.version, server.version)}. Install both from one version variable.`,
            related: [{ span: server.span, message: `servers: ${server.version}` }],
          }),
        );
        continue;
      }
      // Only an install of whatever is current (`apt-get install -y nomad`, a "latest" lookup) is a skew; a version
      // the model cannot resolve (`nomad=${nomad_version}` from a required Terraform variable both scripts get) is not.
      const latest = (v: InstalledVersion) => !v.pinned && /installs (?:the latest|whatever)/.test(v.reason ?? '');
      const unpinned = latest(client) ? client : latest(server) ? server : undefined;
      if (!unpinned) continue;
      const other = unpinned === client ? server : client;
      out.push(
        finding({
          check: imageVersionSkew,
          span: unpinned.span,
          message: `${product}: ${names}, and the ${unpinned === client ? 'client' : 'server'} script pins no version (${unpinned.reason ?? 'unpinned'})${other.pinned ? `, while the other pins ${other.version}` : latest(other) ? '; neither script pins one' : ''}: instances launched at different times run different versions, and a client launched or autoscaled after a new release is newer than the servers: ${other.pinned ? symptom(product, undefined, other.version ?? '0') : `clients must never be newer than servers; expect \`rpc error: Permission denied\` or unknown-field errors on RPCs the older ${product} servers do not understand`}. Pin one version variable for both.`,
          related: [
            {
              span: other.span,
              message: `${unpinned === client ? 'servers' : 'clients'}: ${other.version ?? 'unpinned'}${other.reason ? ` (${other.reason})` : ''}`,
            },
          ],
        }),
      );
    }
  }
  return out;
}
