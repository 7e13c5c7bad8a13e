/**
 * Assigns each agent config to a role (server, Linux client, Windows client)
 * and product (Nomad, Consul), and merges a role's files in the agent's load
 * order into its effective configuration.
 */
import type { HclBody } from '../parsers/hcl/ast';
import type { Product, RoleKind } from '../types';
import type { AgentConfigDoc, ParsedAgentConfig } from './configDoc';
import { productFromPath } from './configDoc';
import type { SettingEntry } from './settings';
import { toJson } from './settings';
import type { LoadContext } from './loadOrder';
import { launchesLoading, mergeInLoadOrder, NO_LAUNCHES } from './loadOrder';
import { launchMode } from './launchFlags';
import type { RoleOverride } from '../reviewConfig';
import { globToRegExp } from '../reviewConfig';
import { baseName } from '../workspace/fileKinds';

export interface Role {
  readonly id: string;
  readonly kind: RoleKind;
  readonly product: Product;
  readonly configs: readonly ParsedAgentConfig[];
  /** Effective settings after merging, by dotted path. */
  readonly settings: ReadonlyMap<string, SettingEntry>;
  /** Every setting entry of every file (for duplicate detection). */
  readonly allEntries: readonly SettingEntry[];
}

export function classifyConfig(doc: AgentConfigDoc, body: HclBody, overrides: readonly RoleOverride[]): Omit<ParsedAgentConfig, 'parse'> {
  const override = overrides.find((o) => {
    const re = globToRegExp(o.path);
    return re.test(doc.hostFile) || (doc.templateFile !== undefined && re.test(doc.templateFile));
  });
  const prod = override?.product ? { product: override.product, reason: `declared in .hashistack-review.json` } : inferProduct(doc, body);
  if (override) {
    return { doc, product: prod.product, productReason: prod.reason, kind: override.kind, kindReason: 'declared in .hashistack-review.json' };
  }
  const server = isServer(prod.product, body);
  if (server !== undefined) {
    const kind: RoleKind = server ? 'server' : doc.os === 'windows' ? 'windows-client' : 'linux-client';
    return {
      doc,
      product: prod.product,
      productReason: prod.reason,
      kind,
      kindReason: server ? 'server mode is enabled' : `client on ${doc.os} (${doc.osReason})`,
    };
  }
  const name = `${doc.targetPath ?? ''} ${doc.templateFile ?? ''} ${doc.hostFile}`.toLowerCase();
  const byName =
    /server/.test(baseName(doc.targetPath ?? doc.templateFile ?? doc.hostFile).toLowerCase()) ||
    /server/.test(baseName(doc.hostFile).toLowerCase()) ||
    /user-data-server/.test(name);
  const kind: RoleKind = byName ? 'server' : doc.os === 'windows' ? 'windows-client' : 'linux-client';
  return {
    doc,
    product: prod.product,
    productReason: prod.reason,
    kind,
    kindReason: byName ? 'file name says server' : `client on ${doc.os} (${doc.osReason})`,
  };
}

function inferProduct(doc: AgentConfigDoc, body: HclBody): { product: Product; reason: string } {
  for (const [p, where] of [
    [doc.targetPath, 'target'],
    [doc.templateFile, 'repository'],
    [doc.hostFile, 'repository'],
  ] as const) {
    const prod = productFromPath(p, where);
    if (prod) return { product: prod, reason: `path ${p}` };
  }
  const keys = new Set(body.items.map((i) => (i.kind === 'block' ? i.type : i.name)));
  const nomadish = ['client', 'server', 'plugin', 'vault', 'region', 'consul'].filter((k) => keys.has(k)).length;
  const consulish = ['retry_join', 'ui', 'ui_config', 'connect', 'bootstrap_expect', 'node_name', 'encrypt', 'client_addr'].filter((k) => keys.has(k)).length;
  return consulish > nomadish ? { product: 'consul', reason: 'Consul-only keys' } : { product: 'nomad', reason: 'Nomad keys' };
}

/** Nomad: `server { enabled = true }` / `client { enabled = true }`; Consul: `server = true`. */
function isServer(product: Product, body: HclBody): boolean | undefined {
  if (product === 'consul') {
    for (const i of body.items) if (i.kind === 'attribute' && i.name === 'server') return toJson(i.value) === true || toJson(i.value) === 'true';
    return false;
  }
  let server: boolean | undefined;
  let client: boolean | undefined;
  for (const i of body.items) {
    if (i.kind !== 'block' && !(i.kind === 'attribute' && i.value.type === 'object')) continue;
    const name = i.kind === 'block' ? i.type : i.name;
    const items = i.kind === 'block' ? i.body.items : i.value.type === 'object' ? i.value.items : [];
    const enabled = items.find((x) => x.kind === 'attribute' && x.name === 'enabled');
    const on = enabled && enabled.kind === 'attribute' ? toJson(enabled.value) === true || toJson(enabled.value) === 'true' : false;
    if (name === 'server') server = on;
    if (name === 'client') client = on;
  }
  if (server) return true;
  if (client) return false;
  return undefined;
}

/** Whether the config itself states server or client mode (Consul `server = …`; Nomad `server`/`client { enabled }`). */
function statesMode(product: Product, body: HclBody): boolean {
  if (product === 'consul') return body.items.some((i) => i.kind === 'attribute' && i.name === 'server');
  return isServer(product, body) !== undefined;
}

function configDir(doc: AgentConfigDoc): string | undefined {
  if (!doc.targetPath || doc.targetPath.includes('$')) return undefined;
  const t = normaliseTarget(doc.targetPath, doc.os);
  const i = t.lastIndexOf('/');
  return i > 0 ? t.slice(0, i) : undefined;
}

/**
 * One script writing several files into one config directory configures one agent: `-config-dir` merges them. A file
 * there that states neither server nor client mode (a shared `consul-default.json` next to `consul-server.json` with
 * `"server": true`) belongs to the role the directory's other files give that agent, not to a client role of its own.
 * Only when no file of the directory states client mode (a script that writes both a server and a client file there,
 * one per branch, is left as it is), and never a file written to the server file's own path (its other variant).
 */
export function alignConfigDirRoles(configs: readonly ParsedAgentConfig[]): ParsedAgentConfig[] {
  const groups = new Map<string, ParsedAgentConfig[]>();
  for (const c of configs) {
    const dir = configDir(c.doc);
    if (!dir) continue;
    const key = `${c.product}\u0000${c.doc.hostFile}\u0000${c.doc.os}\u0000${dir}`;
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  const moved = new Map<ParsedAgentConfig, ParsedAgentConfig>();
  for (const list of groups.values()) {
    if (list.length < 2 || list.some((c) => c.doc.mergeInput)) continue;
    const stated = list.filter((c) => statesMode(c.product, c.parse.body));
    const server = stated.find((c) => c.kind === 'server' && c.kindReason === 'server mode is enabled');
    if (!server || stated.some((c) => c.kind !== 'server')) continue;
    const serverFile = normaliseTarget(server.doc.targetPath!, server.doc.os);
    for (const c of list) {
      if (c.kind === 'server' || stated.includes(c) || c.kindReason === 'declared in .hashistack-review.json') continue;
      // The same file written again (`if server … tee config.json … else … tee config.json`) is the other variant of
      // that file, not a second file of the server's directory: it keeps its own mode (Consul: client without `server`).
      if (normaliseTarget(c.doc.targetPath!, c.doc.os) === serverFile) continue;
      moved.set(c, {
        ...c,
        kind: 'server',
        kindReason: `written by ${baseName(c.doc.hostFile)} into the config directory of ${baseName(server.doc.targetPath ?? '')}, which enables server mode`,
      });
    }
  }
  return alignMergeRoles(shareTreeFragments(alignBranchRoles(configs.map((c) => moved.get(c) ?? c))));
}

/**
 * `c` in the roles `kinds` (its own kind first when it is one of them, the others as alsoKinds), for `reason`;
 * undefined when that changes nothing (no kind, or only the one it has).
 */
function inRoles(c: ParsedAgentConfig, kinds: readonly RoleKind[], reason: string): ParsedAgentConfig | undefined {
  if (kinds.length === 0 || (kinds.length === 1 && kinds[0] === c.kind)) return undefined;
  const primary = kinds.includes(c.kind) ? c.kind : kinds[0]!;
  const also = kinds.filter((k) => k !== primary);
  return { ...c, kind: primary, kindReason: reason, ...(also.length > 0 ? { alsoKinds: also } : {}) };
}

/**
 * A script that merges written files into the agent's config (`json_merge base.json tls.json "consul_${type}.json" >
 * consul.json`) configures one agent per variant: `consul_master.json` with `"server": true` a server,
 * `consul_slave.json` without it a client. Each variant keeps the role it states (a Consul file without `server` is a
 * client), and the fixed inputs (`base.json`, `tls.json`, which state no mode) join every variant's role. (The config
 * directory alignment above leaves merge inputs alone: they are not files of one agent's directory.)
 */
function alignMergeRoles(configs: readonly ParsedAgentConfig[]): ParsedAgentConfig[] {
  const groups = new Map<string, ParsedAgentConfig[]>();
  for (const c of configs) {
    if (!c.doc.mergeInput || c.kindReason === 'declared in .hashistack-review.json') continue;
    const key = `${c.product}\u0000${c.doc.mergeInput.group}`;
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  const changed = new Map<ParsedAgentConfig, ParsedAgentConfig>();
  for (const list of groups.values()) {
    const variants = list.filter((c) => c.doc.mergeInput!.variant !== undefined);
    if (variants.length === 0) continue;
    const kinds = [...new Set(variants.map((v) => v.kind))];
    for (const c of list) {
      if (c.doc.mergeInput!.variant !== undefined || statesMode(c.product, c.parse.body)) continue;
      const moved = inRoles(
        c,
        kinds,
        `merged by ${baseName(c.doc.hostFile)} with each of the variants of ${baseName(variants[0]!.doc.mergeInput!.variant!)}, which configure ${kinds.join(' and ')} agents`,
      );
      if (moved) changed.set(c, moved);
    }
  }
  return configs.map((c) => changed.get(c) ?? c);
}

const SHARED_FRAGMENT = 'a shared file of the config directory';

/** Whether a config is in its role as a shared fragment of a config directory (see shareTreeFragments). */
export function isSharedFragment(c: ParsedAgentConfig): boolean {
  return c.kindReason.startsWith(SHARED_FRAGMENT);
}

/** A config file of the tree as it stands (not written by a script, uploaded or declared). */
function isTreeFile(c: ParsedAgentConfig): boolean {
  return c.doc.via === 'config file' && c.doc.targetPath === undefined && c.kindReason !== 'declared in .hashistack-review.json';
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i >= 0 ? file.slice(0, i) : '';
}

/**
 * A config directory kept in the repository (`nomad.d/global.hcl`, `nomad.d/windows.hcl`, `nomad.d/role/server.hcl`)
 * is deployed as a whole: the agent is pointed at the directory (`-config c:\etc\nomad.d`), and Nomad and Consul load
 * every `.hcl`/`.json` file in it. A file there that states neither server nor client mode (the shared `global.hcl`
 * with `acl` and `tls`) is therefore a fragment of every agent whose mode-stating file lies in that directory or below
 * it, not of a Linux client of its own. A fragment whose path names an OS (`linux.hcl`, `windows.hcl`) or whose
 * data_dir is a Windows drive path joins only the agents of that OS; one whose name says server or client keeps the role
 * its name gives.
 */
function shareTreeFragments(configs: readonly ParsedAgentConfig[]): ParsedAgentConfig[] {
  // The kinds of the mode-stating tree files at or below each directory, by product (every ancestor of a file's
  // directory, the root included): one lookup per fragment, whatever the size of the tree.
  const below = new Map<string, Set<RoleKind>>();
  for (const c of configs) {
    if (!isTreeFile(c) || !statesMode(c.product, c.parse.body)) continue;
    let d = dirOf(c.doc.hostFile);
    for (;;) {
      const key = `${c.product}\u0000${d}`;
      const set = below.get(key) ?? new Set<RoleKind>();
      set.add(c.kind);
      below.set(key, set);
      if (d === '') break;
      d = dirOf(d);
    }
  }
  if (below.size === 0) return [...configs];
  const changed = new Map<ParsedAgentConfig, ParsedAgentConfig>();
  for (const c of configs) {
    if (!isTreeFile(c) || c.alsoKinds || statesMode(c.product, c.parse.body)) continue;
    // `nomad_server.hcl`, `client-common.hcl`: the name says which agents the fragment is for.
    if (/server|client/i.test(baseName(c.doc.hostFile))) continue;
    const dir = dirOf(c.doc.hostFile);
    const namesLinux = /(^|[/_.-])linux([/_.-]|$)/i.test(c.doc.hostFile);
    const windowsOnly = c.doc.os === 'windows';
    const kinds = new Set<RoleKind>();
    for (const k of below.get(`${c.product}\u0000${dir}`) ?? []) {
      if (windowsOnly && k !== 'windows-client') continue;
      if (namesLinux && k === 'windows-client') continue;
      kinds.add(k);
    }
    const moved = inRoles(c, [...kinds], `${SHARED_FRAGMENT} ${dir || '.'}, loaded with the ${[...kinds].join(' and ')} configs there`);
    if (moved) changed.set(c, moved);
  }
  return configs.map((c) => changed.get(c) ?? c);
}

/**
 * A script that dispatches on the machine's role (`case $ROLE in consul) … ;; nomad) … ;; *) … ;; esac`) writes a
 * file that states neither server nor client mode from a helper several arms call (`consul.hcl` with `datacenter` and
 * `encrypt`, written on the Consul servers and on every other node too). On each arm, that file joins the agent the
 * arm's other files of that directory configure: server where an arm's file enables server mode, client where one
 * enables client mode, and a client where none states a mode (a Consul agent without `server = true` is a client).
 * The file then belongs to every role its arms give it.
 */
function alignBranchRoles(configs: readonly ParsedAgentConfig[]): ParsedAgentConfig[] {
  const groups = new Map<string, ParsedAgentConfig[]>();
  for (const c of configs) {
    const dir = configDir(c.doc);
    if (!dir || !c.doc.branches) continue;
    const key = `${c.product}\u0000${c.doc.hostFile}\u0000${c.doc.os}\u0000${dir}`;
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  const changed = new Map<ParsedAgentConfig, ParsedAgentConfig>();
  for (const list of groups.values()) {
    const stated = list.filter((c) => statesMode(c.product, c.parse.body));
    for (const c of list) {
      if (stated.includes(c) || c.kindReason === 'declared in .hashistack-review.json') continue;
      const kinds = new Set<RoleKind>();
      for (const b of c.doc.branches!) {
        const here = stated.filter((s) => s.doc.branches!.has(b));
        const server = here.some((s) => s.kind === 'server');
        kinds.add(server ? 'server' : c.doc.os === 'windows' ? 'windows-client' : 'linux-client');
      }
      const moved = inRoles(
        c,
        [...kinds],
        `written by ${baseName(c.doc.hostFile)} in the branches ${[...c.doc.branches!].map((b) => b.replace(/^case\d+:/, '')).join(', ')}, which configure ${[...kinds].join(' and ')} agents`,
      );
      if (moved) changed.set(c, moved);
    }
  }
  return configs.map((c) => changed.get(c) ?? c);
}

/**
 * Several writes of one file: a later write replaces an earlier one unless it
 * appends. Image-time writes (scripts a Packer build runs) come before the
 * instance's own (user-data and what it calls), which overwrite them.
 */
function effectiveWrites(
  list: readonly ParsedAgentConfig[],
  imageTime: (doc: AgentConfigDoc) => boolean,
  referenced: (doc: AgentConfigDoc) => boolean,
): ParsedAgentConfig[] {
  // Image time first, then writes of scripts nothing in the tree runs (a leftover script writing the same path), then
  // the instance's own: a leftover never replaces the config a deployed script writes.
  const stage = (doc: AgentConfigDoc) => (imageTime(doc) ? 0 : referenced(doc) ? 2 : 1);
  const ordered = [...list].sort((a, b) => stage(a.doc) - stage(b.doc));
  const byTarget = new Map<string, ParsedAgentConfig[]>();
  const out: ParsedAgentConfig[] = [];
  for (const c of ordered) {
    const t = c.doc.targetPath && !c.doc.targetPath.includes('$') ? normaliseTarget(c.doc.targetPath, c.doc.os) : undefined;
    if (!t) {
      out.push(c);
      continue;
    }
    const prev = byTarget.get(t);
    byTarget.set(t, c.doc.append && prev ? [...prev, c] : [c]);
  }
  for (const group of byTarget.values()) out.push(...group);
  return out;
}

export function normaliseTarget(p: string, os: AgentConfigDoc['os']): string {
  // Asked for every config of every role on each analysis: kept per path (bounded).
  const key = `${os}\0${p}`;
  let t = normalisedTargets.get(key);
  if (t === undefined) {
    t = normaliseTargetOf(p, os);
    if (normalisedTargets.size >= 4096) normalisedTargets.clear();
    normalisedTargets.set(key, t);
  }
  return t;
}

const normalisedTargets = new Map<string, string>();

function normaliseTargetOf(p: string, os: AgentConfigDoc['os']): string {
  const t = p
    .trim()
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/');
  return os === 'windows' ? t.toLowerCase() : t;
}

export function buildRoles(
  configs: readonly ParsedAgentConfig[],
  imageTime: (doc: AgentConfigDoc) => boolean = () => false,
  referenced: (doc: AgentConfigDoc) => boolean = () => true,
  load: LoadContext = NO_LAUNCHES,
): Role[] {
  const groups = new Map<string, ParsedAgentConfig[]>();
  for (const c of configs.map((x) => launchedMode(x, load))) {
    for (const kind of [c.kind, ...(c.alsoKinds ?? [])]) {
      const id = `${kind}/${c.product}`;
      const list = groups.get(id) ?? [];
      list.push(kind === c.kind ? c : { ...c, kind });
      groups.set(id, list);
    }
  }
  const roles: Role[] = [];
  for (const [id, list] of [...groups].sort(([a], [b]) => roleOrder(a) - roleOrder(b) || (a < b ? -1 : 1))) {
    const first = list[0]!;
    const written = effectiveWrites(list, imageTime, referenced);
    const oses = new Set(written.map((c) => c.doc.os));
    const os = first.kind === 'windows-client' ? 'windows' : first.kind === 'linux-client' ? 'linux' : oses.size === 1 ? [...oses][0] : undefined;
    const { configs: ordered, settings, all } = mergeInLoadOrder(written, os, first.product, load, first.kind);
    roles.push({ id, kind: first.kind, product: first.product, configs: ordered, settings, allEntries: all });
  }
  return roles;
}

/**
 * A config that states neither server nor client mode takes the mode of the launch lines that load it when they all
 * state the same one (`consul agent -server -config-file=/root/connect.hcl`, `nomad agent -server -config=/etc/nomad.d`):
 * the agent runs in that mode whatever the file's name suggests (flags apply over the files).
 */
function launchedMode(c: ParsedAgentConfig, load: LoadContext): ParsedAgentConfig {
  if (c.kindReason === 'declared in .hashistack-review.json' || statesMode(c.product, c.parse.body)) return c;
  // No launch line of this OS and agent states a mode: nothing to take (and no path matching for each document).
  if (!modedLaunches(load).has(`${c.doc.os}\0${c.product}`)) return c;
  const launches = launchesLoading(c.doc, c.product, load);
  if (launches.length === 0) return c;
  const modes = new Set(launches.map((l) => launchMode(c.product, l.settings ?? [])));
  const mode = modes.size === 1 ? [...modes][0] : undefined;
  if (mode === undefined) return c;
  const kind: RoleKind = mode === 'server' ? 'server' : c.doc.os === 'windows' ? 'windows-client' : 'linux-client';
  if (kind === c.kind && !c.alsoKinds) return c;
  const { alsoKinds: _drop, ...rest } = c;
  void _drop;
  return { ...rest, kind, kindReason: `started with -${mode} by ${launches[0]!.label ?? 'its launch line'}` };
}

/** Per load context: the OS and agent pairs (`os\0product`) of the launch lines that give `-server` or `-client`. */
const modedByContext = new WeakMap<LoadContext, ReadonlySet<string>>();

function modedLaunches(load: LoadContext): ReadonlySet<string> {
  let set = modedByContext.get(load);
  if (set === undefined) {
    const pairs = new Set<string>();
    for (const l of load.launches) if (launchMode(l.product, l.settings ?? []) !== undefined) pairs.add(`${l.os}\0${l.product}`);
    modedByContext.set(load, (set = pairs));
  }
  return set;
}

function roleOrder(id: string): number {
  return id.startsWith('server') ? 0 : id.startsWith('linux') ? 1 : 2;
}

/**
 * The OS an agent of this role runs on: a client role names it; a server's is the one OS of its configs (undefined when
 * they disagree). A shared OS-neutral fragment of a Windows client's config directory reads as Linux by default, but
 * is loaded by the Windows agent.
 */
export function roleOs(role: Role): 'windows' | 'linux' | undefined {
  if (role.kind === 'windows-client') return 'windows';
  if (role.kind === 'linux-client') return 'linux';
  const oses = new Set(role.configs.map((c) => c.doc.os));
  return oses.size === 1 ? ([...oses][0] as 'windows' | 'linux') : undefined;
}

export function roleName(kind: RoleKind, product: Product): string {
  const p = product === 'nomad' ? 'Nomad' : 'Consul';
  return kind === 'server' ? `${p} server` : kind === 'linux-client' ? `${p} Linux client` : `${p} Windows client`;
}
