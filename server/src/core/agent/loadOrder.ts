/**
 * The order an agent loads the config files of a role in, and the effective settings that order gives.
 *
 * Nomad: `nomad agent -config=A -config=B` loads each path in command-line order and merges it over what came before
 * (command/agent/command.go `readConfig`: `for _, path := range configPath { current, err := LoadConfig(path) … config
 * = config.Merge(current) }`). `LoadConfig` (command/agent/config.go) loads a directory with `LoadConfigDir`, which
 * skips sub-directories, keeps names ending in `.hcl` / `.json` and sorts them with `sort.Strings`: byte order, so
 * `10-base.hcl` loads before `2-x.hcl`.
 * Consul: `-config-file` and `-config-dir` both append to one `ConfigFiles` list, in command-line order
 * (agent/config/flags.go `add(&f.ConfigFiles, "config-dir", …)`, `add(&f.ConfigFiles, "config-file", …)`); the
 * builder reads each path with `sourcesFromPath` (agent/config/builder.go): a directory's files, not its
 * sub-directories, sorted by name (`sort.Sort(byName(fis))`), `.hcl` / `.json` unless `-config-format` is given;
 * later sources override earlier ones.
 * A merge a script runs (`jq -s '.[0] * .[1]' a.json b.json > c.json`, `./json_merge a.json b.json > c.json`) merges
 * its inputs in argument order, and the agent reads its output.
 *
 * Where the order of two files that give a setting different values is not known (no launch line names their
 * locations; directories whose order only a launch line gives; merges that differ between branches), the setting's
 * effective value is unknown, with that reason: no rule then reports a value that depends on it.
 */
import type { Product, RoleKind } from '../types';
import type { AgentConfigDoc, AgentOs, ParsedAgentConfig } from './configDoc';
import type { SettingEntry } from './settings';
import { flattenSettings, launchEntry, withListValue, withUnknownValue } from './settings';
import type { LaunchSetting } from './launchFlags';
import { launchMode } from './launchFlags';
import { baseName } from '../workspace/fileKinds';

/** A `-config` / `-config-dir` / `-config-file` flag of a launch line, with the path as the agent reads it (undefined when not known). */
export interface ConfigFlag {
  readonly name: string;
  readonly path: string | undefined;
}

/** A service of the tree (systemd unit, Windows service) that starts an agent, with its config flags in command-line order. */
export interface AgentLaunch {
  readonly os: AgentOs;
  readonly product: Product;
  readonly flags: readonly ConfigFlag[];
  /** The settings its other flags give (`-servers`, `-retry-join`, `-encrypt`; see launchFlags.ts). */
  readonly settings?: readonly LaunchSetting[];
  /** Why its command line is not known (it may pass any flag). */
  readonly unknown?: string;
  /** `the New-Service launch line of the nomad service "nomad" in scripts/client.ps1`, for chains and reasons. */
  readonly label?: string;
}

export interface LoadContext {
  readonly launches: readonly AgentLaunch[];
  /** Where a document is written, with the script's variables resolved; undefined when not known. */
  readonly targetOf: (doc: AgentConfigDoc) => string | undefined;
}

export const NO_LAUNCHES: LoadContext = {
  launches: [],
  targetOf: (doc) => (doc.targetPath && !doc.targetPath.includes('$') ? doc.targetPath : undefined),
};

/** Lists that Nomad appends across config files; everything else: the later file wins. */
const APPENDED_LISTS = new Set(['client.servers']);

/** A launch-line flag with its path normalised as the agent's OS spells paths. */
interface LoadFlag {
  readonly name: string;
  readonly path: string;
}

/** One thing the agent loads: a config file, or the output of a merge (its inputs merged in argument order). */
interface LoadUnit {
  readonly configs: readonly ParsedAgentConfig[];
  /** The name the agent sorts a directory by. */
  readonly name: string;
  /** The path it is loaded from, normalised; for a file of the repository, its repository path. */
  readonly file: string | undefined;
  readonly dir: string | undefined;
  /** A file of the repository as it stands: where it is deployed is not known, only its repository path. */
  readonly tree: boolean;
  /** The last launch-line flag that loads it (a file loaded twice counts where it is loaded last). */
  launch?: number;
  /** Whether that flag loads its directory (several files: by name) rather than the file itself. */
  launchDir?: boolean;
}

export interface MergedRole {
  readonly configs: ParsedAgentConfig[];
  readonly settings: Map<string, SettingEntry>;
  readonly all: SettingEntry[];
}

/** Go's sort.Strings order (Nomad's LoadConfigDir): code units, not locale ("Z.hcl" before "a.hcl", "10-a" before "2-b"). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function loadKey(doc: AgentConfigDoc): string {
  return baseName(doc.targetPath ?? doc.hostFile);
}

function normLoadPath(p: string, os: AgentOs): string {
  const t = p
    .trim()
    .replace(/^["']|["']$/g, '')
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/(^|\/)(?:\.\/)+/g, '$1')
    .replace(/(.)\/+$/, '$1');
  return os === 'windows' ? t.toLowerCase() : t;
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i > 0 ? p.slice(0, i) : i === 0 ? '/' : '.';
}

function isTreeFile(c: ParsedAgentConfig): boolean {
  return c.doc.via === 'config file' && c.doc.targetPath === undefined;
}

function unitOf(configs: readonly ParsedAgentConfig[], ctx: LoadContext): LoadUnit {
  const first = configs[0]!;
  // Paths as the machine writing the file spells them (a server role may hold a Windows and a Linux server's files).
  const os = first.doc.os;
  const merge = first.doc.mergeInput;
  if (merge) {
    const file = merge.output.includes('$') ? undefined : normLoadPath(merge.output, os);
    return { configs, name: baseName(merge.output), file, dir: file === undefined ? undefined : dirOf(file), tree: false };
  }
  if (isTreeFile(first)) {
    const file = normLoadPath(first.doc.hostFile, os);
    return { configs, name: loadKey(first.doc), file, dir: `tree:${dirOf(file)}`, tree: true };
  }
  const target = ctx.targetOf(first.doc);
  const file = target === undefined ? undefined : normLoadPath(target, os);
  return { configs, name: loadKey(first.doc), file, dir: file === undefined ? undefined : dirOf(file), tree: false };
}

/**
 * Whether a launch-line flag loads the unit: the file itself (`-config`, `-config-file`) or its directory (`-config`,
 * `-config-dir`; not sub-directories). A repository file matches by its last path parts, which is how a tree keeps a
 * config directory (`nomad.d/global.hcl` is `-config c:\etc\nomad.d`; `nomad.d/role/client.hcl` is
 * `-config=/etc/nomad.d/role/client.hcl`).
 */
function flagLoads(flag: LoadFlag, u: LoadUnit): 'file' | 'dir' | undefined {
  if (u.file === undefined) return undefined;
  const p = flag.path;
  const asFile = flag.name !== 'config-dir';
  const asDir = flag.name !== 'config-file';
  if (!u.tree) return asFile && p === u.file ? 'file' : asDir && p === u.dir ? 'dir' : undefined;
  const parts = u.file.split('/');
  if (parts.length < 2) return undefined;
  const [parent, name] = parts.slice(-2) as [string, string];
  if (asFile && (p === `${parent}/${name}` || p.endsWith(`/${parent}/${name}`))) return 'file';
  if (asDir && (p === parent || p.endsWith(`/${parent}`))) return 'dir';
  return undefined;
}

/**
 * The config flags of the launch line that starts this role's agent: the services of its OS and product whose flags
 * load one of its files, when they all give the same flags. Undefined when a service's config path is not known,
 * when none loads a file of the role, or when they disagree (which service starts which agent is not known).
 */
function launchFor(units: readonly LoadUnit[], os: AgentOs | undefined, product: Product, ctx: LoadContext): readonly LoadFlag[] | undefined {
  if (!os) return undefined;
  const defs = ctx.launches.filter((l) => l.os === os && l.product === product && l.flags.length > 0);
  if (defs.length === 0 || defs.some((d) => d.flags.some((f) => f.path === undefined))) return undefined;
  const lines = defs.map((d) => d.flags.map((f): LoadFlag => ({ name: f.name, path: normLoadPath(f.path!, os) })));
  const relevant = lines.filter((flags) => flags.some((f) => units.some((u) => flagLoads(f, u) !== undefined)));
  if (relevant.length === 0) return undefined;
  const sig = (flags: readonly LoadFlag[]) => flags.map((f) => `${f.name}=${f.path}`).join('\u0000');
  const first = sig(relevant[0]!);
  return relevant.every((flags) => sig(flags) === first) ? relevant[0] : undefined;
}

function sameValue(a: SettingEntry, b: SettingEntry): boolean {
  if (a === b) return true;
  if (a.unknownReason === undefined && b.unknownReason === undefined) return JSON.stringify(a.value) === JSON.stringify(b.value);
  if (a.unknownReason !== undefined && b.unknownReason !== undefined) {
    // The same unresolved text (`"${gossip_key}"`) in both files.
    return a.doc.text.text.slice(a.expr.start, a.expr.end) === b.doc.text.text.slice(b.expr.start, b.expr.end);
  }
  return false;
}

/** Whether the agent's order of the two units is known (then it is the order of the sorted list). */
/** Whether `ordered` holds for every two of the units (linear: the pairs need not be enumerated). */
function allOrdered(units: readonly LoadUnit[], launchKnown: boolean): boolean {
  if (!launchKnown) return units.every((u) => u.dir !== undefined && u.dir === units[0]!.dir);
  const dirOnly = new Map<number, boolean>();
  for (const u of units) {
    if (u.launch === undefined) return false;
    dirOnly.set(u.launch, (dirOnly.get(u.launch) ?? true) && u.launchDir === true);
  }
  // Two units loaded by one flag are ordered only when that flag loads their directory.
  const count = new Map<number, number>();
  for (const u of units) count.set(u.launch!, (count.get(u.launch!) ?? 0) + 1);
  for (const [launch, n] of count) if (n > 1 && !dirOnly.get(launch)) return false;
  return true;
}

function ordered(a: LoadUnit, b: LoadUnit, launchKnown: boolean): boolean {
  if (a === b) return true;
  if (launchKnown) {
    if (a.launch === undefined || b.launch === undefined) return false;
    // Two files one file flag loads are one path written two ways: which wins is not known.
    return a.launch !== b.launch || (a.launchDir === true && b.launchDir === true);
  }
  return a.dir !== undefined && a.dir === b.dir;
}

/**
 * The effective settings of a merge's output: per command that writes it (one per branch), the inputs it names in
 * argument order, later ones winning. A setting whose value differs between those commands, or that only some set,
 * depends on the branch that runs; two variants of one role at the same argument are alternatives (one machine picks
 * one): where they differ, the value is not known either.
 */
function mergedEntries(configs: readonly ParsedAgentConfig[]): SettingEntry[] {
  const alternatives = Math.max(...configs.map((c) => c.doc.mergeInput!.positions.length));
  const perAlt: Array<Map<string, { e: SettingEntry; at: number; tie: SettingEntry | undefined }>> = [];
  for (let k = 0; k < alternatives; k++) {
    const m = new Map<string, { e: SettingEntry; at: number; tie: SettingEntry | undefined }>();
    let any = false;
    for (const c of configs) {
      const at = c.doc.mergeInput!.positions[k];
      if (at === undefined) continue;
      any = true;
      for (const e of flattenSettings(c.doc, c.parse.body)) {
        const prev = m.get(e.path);
        if (!prev || at > prev.at || prev.e.doc === e.doc) m.set(e.path, { e, at, tie: prev && at === prev.at ? prev.tie : undefined });
        else if (at === prev.at && !sameValue(prev.e, e)) {
          // Configs are in name order: keep the later name's entry (the one the role showed before), note the other.
          m.set(e.path, { e, at, tie: prev.e });
        }
      }
    }
    if (any) perAlt.push(m);
  }
  const output = configs[0]!.doc.mergeInput!.output;
  const script = baseName(configs[0]!.doc.hostFile);
  const out: SettingEntry[] = [];
  const seen = new Set<string>();
  for (const m of perAlt) {
    for (const [path, first] of m) {
      if (seen.has(path)) continue;
      seen.add(path);
      const vals = perAlt.map((x) => x.get(path));
      const last = vals[vals.length - 1] ?? first;
      const tie = vals.find((v) => v?.tie);
      if (tie?.tie) {
        out.push(withUnknownValue(tie.e, `differs between ${loadKey(tie.tie.doc)} and ${loadKey(tie.e.doc)}, alternatives ${script} merges into ${output}`));
      } else if (vals.some((v) => v === undefined)) {
        out.push(withUnknownValue(first.e, `set only by some of the merges ${script} writes ${output} with, on different branches`));
      } else if (vals.some((v) => !sameValue(v!.e, first.e))) {
        out.push(withUnknownValue(last.e, `differs between the merges ${script} writes ${output} with, on different branches`));
      } else out.push(last.e);
    }
  }
  return out;
}

/**
 * Merges a role's configs (one file per path already: see effectiveWrites) in the order its agent loads them. `os` is
 * the OS the role's agent runs on (undefined when not known: then no launch line applies).
 */
export function mergeInLoadOrder(list: readonly ParsedAgentConfig[], os: AgentOs | undefined, product: Product, ctx: LoadContext, kind?: RoleKind): MergedRole {
  const byName = [...list].sort((a, b) => byteOrder(loadKey(a.doc), loadKey(b.doc)));
  // One unit per file, one per merge output (its inputs together, in name order).
  const groups = new Map<string, ParsedAgentConfig[]>();
  const units: LoadUnit[] = [];
  for (const c of byName) {
    const g = c.doc.mergeInput?.group;
    if (g === undefined) {
      units.push(unitOf([c], ctx));
      continue;
    }
    const members = groups.get(g);
    if (members) members.push(c);
    else groups.set(g, [c]);
  }
  for (const members of groups.values()) units.push(unitOf(members, ctx));

  const flags = units.length > 1 ? launchFor(units, os, product, ctx) : undefined;
  if (flags) {
    for (const u of units) {
      flags.forEach((f, i) => {
        const how = flagLoads(f, u);
        if (!how) return;
        u.launch = i;
        u.launchDir = how === 'dir';
      });
    }
  }
  // Sorted so that every known order holds: by launch flag, then by name (a directory's order); today's name order
  // where nothing is known.
  const rank = (u: LoadUnit) => (flags ? (u.launch ?? Number.MAX_SAFE_INTEGER) : 0);
  units.sort((a, b) => rank(a) - rank(b) || byteOrder(a.name, b.name));

  const settings = new Map<string, SettingEntry>();
  const all: SettingEntry[] = [];
  const configs: ParsedAgentConfig[] = [];
  const lastUnit = new Map<string, number>();
  const appended = new Map<string, { e: SettingEntry; values: unknown[]; files: number }>();
  const setters = new Map<string, Array<{ readonly u: number; readonly e: SettingEntry }>>();
  // When every two units load in a known order (one directory, or distinct launch flags), no value can depend on an
  // unknown order: the bookkeeping below is skipped (a role of a hundred service files in one directory is common).
  const track = units.length > 1 && !allOrdered(units, flags !== undefined);
  units.forEach((u, ui) => {
    for (const c of u.configs) {
      configs.push(c);
      for (const e of flattenSettings(c.doc, c.parse.body)) all.push(e);
    }
    const entries =
      u.configs.length === 1 && !u.configs[0]!.doc.mergeInput ? flattenSettings(u.configs[0]!.doc, u.configs[0]!.parse.body) : mergedEntries(u.configs);
    for (const e of entries) {
      const prev = settings.get(e.path);
      settings.set(e.path, e);
      if (APPENDED_LISTS.has(e.path)) {
        // Appended once at the end (one copy, not one per file).
        const acc = appended.get(e.path);
        if (acc && Array.isArray(prev?.value) && Array.isArray(e.value)) {
          acc.values.push(...(e.value as unknown[]));
          acc.e = e;
          acc.files++;
        } else if (Array.isArray(e.value)) appended.set(e.path, { e, values: [...(e.value as unknown[])], files: 1 });
        else appended.delete(e.path);
        continue;
      }
      if (!track) continue;
      const before = lastUnit.get(e.path);
      lastUnit.set(e.path, ui);
      if (before === undefined) continue;
      let list = setters.get(e.path);
      if (!list) setters.set(e.path, (list = [{ u: before, e: prev! }]));
      list.push({ u: ui, e });
    }
  });
  for (const [path, acc] of appended) if (acc.files > 1) settings.set(path, withListValue(acc.e, acc.values));
  // A setting is known when the file that gives it its value loads after every file that gives it another.
  for (const [path, list] of setters) {
    const w = list[list.length - 1]!;
    const other = list.find((s) => !sameValue(s.e, w.e) && !ordered(units[s.u]!, units[w.u]!, flags !== undefined));
    if (!other) continue;
    const a = units[other.u]!;
    const b = units[w.u]!;
    const reason =
      a.configs[0]!.doc.os !== b.configs[0]!.doc.os
        ? `differs between ${a.name} and ${b.name}, written for agents on different OSes`
        : `depends on the order the agent loads ${a.name} and ${b.name} in (${flags ? 'the launch line of the agent does not load both' : 'they are in different directories, and no launch line of the tree gives their order'})`;
    settings.set(path, withUnknownValue(settings.get(path)!, reason));
  }
  if (kind !== undefined) applyLaunchSettings(settings, launchesForRole(units, os, product, kind, ctx));
  return { configs, settings, all };
}

/** The launch lines of the document's OS and product whose config flags load it (the file, or its directory). */
export function launchesLoading(doc: AgentConfigDoc, product: Product, ctx: LoadContext): AgentLaunch[] {
  if (ctx.launches.length === 0) return [];
  const u = unitOf([{ doc } as ParsedAgentConfig], ctx);
  if (u.file === undefined) return [];
  return ctx.launches.filter(
    (l) =>
      l.os === doc.os &&
      l.product === product &&
      l.flags.some((f) => f.path !== undefined && flagLoads({ name: f.name, path: normLoadPath(f.path, doc.os) }, u) !== undefined),
  );
}

/**
 * The launch lines that start this role's agent: those of its OS and product whose mode flag (`-server`, `-client`)
 * does not contradict the role, and of them the ones whose config flags load a file of the role when there are such
 * (with any whose command line is not known: it may load them too). Empty when the OS is not known.
 */
function launchesForRole(units: readonly LoadUnit[], os: AgentOs | undefined, product: Product, kind: RoleKind, ctx: LoadContext): AgentLaunch[] {
  if (!os) return [];
  const defs = ctx.launches.filter(
    (l) => l.os === os && l.product === product && (l.unknown !== undefined || (l.settings?.length ?? 0) > 0 || l.flags.length > 0),
  );
  if (defs.length === 0 || !defs.some((l) => (l.settings?.length ?? 0) > 0)) return [];
  const modeOk = defs.filter((l) => {
    const m = launchMode(product, l.settings ?? []);
    return m === undefined || (m === 'server') === (kind === 'server');
  });
  const loads = (l: AgentLaunch) =>
    l.flags.some((f) => f.path !== undefined && units.some((u) => flagLoads({ name: f.name, path: normLoadPath(f.path!, os) }, u) !== undefined));
  const relevant = modeOk.filter(loads);
  return relevant.length > 0 ? [...relevant, ...modeOk.filter((l) => l.unknown !== undefined && !relevant.includes(l))] : modeOk;
}

/**
 * Puts the settings of the role's launch lines over its files' (flags apply after the config files: see launchFlags.ts),
 * each as an entry whose chain ends at the flag. A setting the launch lines do not agree on (one passes it and another
 * does not, they pass different values, or one's command line is not known) is unknown: which of them starts this
 * role's agent is not known. A value with an unresolved variable is unknown.
 */
function applyLaunchSettings(settings: Map<string, SettingEntry>, launches: readonly AgentLaunch[]): void {
  if (launches.length === 0) return;
  const paths = new Set<string>();
  for (const l of launches) for (const s of l.settings ?? []) paths.add(s.path);
  for (const path of paths) {
    const given = launches.map((l) => ({ l, s: l.settings?.find((x) => x.path === path) }));
    const first = given.find((g) => g.s)!;
    const name = (g: (typeof given)[number]) => g.l.label ?? `a ${g.l.product} launch line`;
    let reason = first.s!.unknownReason;
    if (reason === undefined) {
      const line = given.find((g) => g.l.unknown !== undefined);
      const missing = given.find((g) => !g.s && g.l.unknown === undefined);
      const other = given.find((g) => g.s && g.s.unknownReason === undefined && JSON.stringify(g.s.value) !== JSON.stringify(first.s!.value));
      const unknownOther = given.find((g) => g.s && g.s.unknownReason !== undefined);
      if (unknownOther) reason = unknownOther.s!.unknownReason;
      else if (line) reason = `the command line of ${name(line)} is not known (${line.l.unknown}), and which launch line starts this agent is not known`;
      else if (missing) reason = `-${first.s!.flag} is passed by ${name(first)} but not by ${name(missing)}, and which of them starts this agent is not known`;
      else if (other) reason = `-${first.s!.flag} differs between ${name(first)} and ${name(other)}, and which of them starts this agent is not known`;
    }
    const file = settings.get(path);
    const alike = given.filter((g) => g.s).length - 1;
    const launch =
      alike > 0 && reason === undefined ? `${name(first)} (and ${alike} other launch line${alike > 1 ? 's' : ''} passing the same value)` : name(first);
    const flagEntry = launchEntry(path, first.s!, launch, first.l.os, reason, file);
    const ls = first.s!;
    if (!file || ls.list === undefined || ls.list === 'replace' || reason !== undefined) {
      settings.set(path, flagEntry);
      continue;
    }
    // A list flag combines with the files' list: Nomad appends -servers to client.servers; Consul puts its list flags first.
    if (file.unknownReason !== undefined || !Array.isArray(file.value)) {
      settings.set(path, withUnknownValue(flagEntry, file.unknownReason ?? `${path} of the config files is not a list`));
      continue;
    }
    const merged =
      ls.list === 'append' ? [...(file.value as unknown[]), ...(ls.value as unknown[])] : [...(ls.value as unknown[]), ...(file.value as unknown[])];
    settings.set(path, { ...withListValue(flagEntry, merged), chain: [...file.chain, ...flagEntry.chain] });
  }
}
