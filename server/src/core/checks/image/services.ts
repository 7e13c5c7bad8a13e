/**
 * Service definitions of the tree, normalised: Windows services created by
 * `New-Service`, `sc.exe create`, `nssm install` (with later `sc.exe config
 * … depend=` / `-DependsOn`), and systemd units (`.service` files of the tree
 * and heredocs written to `/etc/systemd/system/*.service`).
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { PsScriptFacts } from '../../scripts/scriptModel';
import type { PsCommand } from '../../parsers/powershell/types';
import type { Product, Span } from '../../types';
import { parseSystemdUnit, parseExecStartFlags } from '../../parsers/bash';
import { normPath, psValueText } from './shared';
import { uploadDestinations } from '../../packer';
import type { AgentConfigDoc } from '../../agent/configDoc';
import type { AgentLaunch, LoadContext } from '../../agent/loadOrder';

export interface ServiceFlag {
  readonly name: string;
  readonly value: string;
  readonly span: Span;
  /** The value with the script's variables substituted (`-config=$ConfigPath` → `C:\nomad\client.hcl`); undefined when one is unknown. */
  readonly resolved?: string;
}

export interface ServiceDef {
  readonly os: 'windows' | 'linux';
  readonly product: Product;
  readonly name: string;
  readonly file: string;
  /** The command / unit that defines the service. */
  readonly span: Span;
  readonly flags: readonly ServiceFlag[];
  /** Service names this one depends on / is ordered after (lower-case, `.service` stripped). */
  readonly dependsOn: readonly string[];
  readonly via: string;
}

/**
 * The agent a service runs, from its executable or name: `nomad`, `C:\nomad\nomad.exe`, `/usr/bin/consul`.
 * Other HashiCorp tools whose names only start with the product (`consul-terraform-sync`, `consul-template`,
 * `nomad-autoscaler`, `envconsul`) are not the agent.
 */
function productOf(text: string): Product | undefined {
  const m = /(?:^|[^\w])(nomad|consul|vault)(?:\.exe)?(?![\w-])/i.exec(text);
  return m ? (m[1]!.toLowerCase() as Product) : undefined;
}

/** `-config=C:\x`, `-config C:\x`, `-config-dir=…`, `-data-dir`, `-region`, `-dc`, `-datacenter` inside a command line. */
function flagsIn(cmdline: string, toHost: (s: number, e: number) => Span): ServiceFlag[] {
  const out: ServiceFlag[] = [];
  const re = /(?:^|\s)--?(config-dir|config-file|config|data-dir|region|dc|datacenter)(?:=|\s+)("[^"]*"|'[^']*'|[^\s"']+)/g;
  for (const m of cmdline.matchAll(re)) {
    const at = (m.index ?? 0) + m[0].search(/-/);
    out.push({ name: m[1]!, value: m[2]!.replace(/^["']|["']$/g, ''), span: toHost(at, (m.index ?? 0) + m[0].length) });
  }
  return out;
}

/** `$Name`, `${Name}`, `$env:Name` in a flag value, substituted with the script's values as seen at `offset`. */
function resolveFlags(s: PsScriptFacts, flags: ServiceFlag[], offset: number): ServiceFlag[] {
  return flags.map((f) => {
    if (!f.value.includes('$')) return { ...f, resolved: f.value };
    let unknown = false;
    const text = f.value.replace(/\$\{([^}]+)\}|\$((?:env:)?[A-Za-z_]\w*)/g, (m, braced: string | undefined, plain: string | undefined) => {
      const v = s.resolveVariable(braced ?? plain ?? '', offset);
      if (v.kind === 'known') return v.text;
      unknown = true;
      return m;
    });
    return unknown || text.includes('$') ? f : { ...f, resolved: text };
  });
}

function windowsServices(s: PsScriptFacts): ServiceDef[] {
  const src = s.text.text;
  const out: ServiceDef[] = [];
  const extraDeps = new Map<string, string[]>();
  for (const c of s.scan.commands) {
    const n = c.name.toLowerCase();
    const words = c.arguments.map((a) => psValueText(src, a));
    if ((n === 'sc.exe' || n === 'sc') && (words[0] ?? '').toLowerCase() === 'config') {
      const i = words.findIndex((w) => /^depend=/i.test(w));
      if (i >= 0) {
        const v = words[i]!.length > 7 ? words[i]!.slice(7) : (words[i + 1] ?? '');
        extraDeps.set((words[1] ?? '').toLowerCase(), v.toLowerCase().split('/'));
      }
    }
    if (n === 'set-service') {
      const dep = c.parameters.find((p) => p.name.toLowerCase() === 'dependson');
      const name = c.parameters.find((p) => p.name.toLowerCase() === 'name');
      if (dep && name)
        extraDeps.set(
          psValueText(src, name.value).toLowerCase(),
          psValueText(src, dep.value)
            .toLowerCase()
            .split(/[\s,]+/),
        );
    }
  }
  /** One service: its flags resolved with the script's values, its dependencies with the later `sc.exe config depend=`. */
  const add = (c: PsCommand, product: Product, name: string, flags: ServiceFlag[], deps: readonly string[], via: string): void => {
    out.push({
      os: 'windows',
      product,
      name,
      file: s.file,
      span: s.text.toHost(c.start, c.end),
      flags: resolveFlags(s, flags, c.start),
      dependsOn: [...deps, ...(extraDeps.get(name) ?? [])],
      via,
    });
  };
  for (const c of s.scan.commands) {
    const n = c.name.toLowerCase();
    if (n === 'new-service') {
      const p = (k: string) => c.parameters.find((q) => q.name.toLowerCase() === k);
      const name = psValueText(src, p('name')?.value).toLowerCase() || psValueText(src, c.arguments[0]).toLowerCase();
      const bin = p('binarypathname')?.value;
      const binText = psValueText(src, bin);
      const product = productOf(binText) ?? productOf(name);
      if (!product) continue;
      const base = bin?.kind === 'string' ? bin.literal.contentStart : (bin?.start ?? c.start);
      const deps = psValueText(src, p('dependson')?.value)
        .toLowerCase()
        .split(/[\s,'"]+/)
        .filter(Boolean);
      add(
        c,
        product,
        name,
        flagsIn(binText, (a, b) => s.text.toHost(base + a, base + b)),
        deps,
        'New-Service',
      );
    } else if ((n === 'sc.exe' || n === 'sc') && /^create$/i.test(psValueText(src, c.arguments[0]))) {
      const name = psValueText(src, c.arguments[1]).toLowerCase();
      const idx = c.arguments.findIndex((a) => /^binpath=/i.test(psValueText(src, a)));
      const binArg = idx >= 0 ? (psValueText(src, c.arguments[idx]).length > 8 ? c.arguments[idx] : c.arguments[idx + 1]) : undefined;
      const binText = psValueText(src, binArg).replace(/^binpath=/i, '');
      const product = productOf(binText) ?? productOf(name);
      if (!product) continue;
      const base = binArg?.kind === 'string' ? binArg.literal.contentStart : (binArg?.start ?? c.start);
      const di = c.arguments.findIndex((a) => /^depend=/i.test(psValueText(src, a)));
      const deps = di >= 0 ? (psValueText(src, c.arguments[di]).slice(7) || psValueText(src, c.arguments[di + 1])).toLowerCase().split('/') : [];
      add(
        c,
        product,
        name,
        flagsIn(binText, (a, b) => s.text.toHost(base + a, base + b)),
        deps,
        'sc.exe create',
      );
    } else if (/^nssm(\.exe)?$/.test(n) && /^install$/i.test(psValueText(src, c.arguments[0]))) {
      const name = psValueText(src, c.arguments[1]).toLowerCase();
      const rest = c.arguments.slice(2);
      const text = rest.map((a) => psValueText(src, a)).join(' ');
      const product = productOf(text) ?? productOf(name);
      if (!product) continue;
      const flags: ServiceFlag[] = [];
      for (const a of rest) {
        const t = psValueText(src, a);
        const base = a.kind === 'string' ? a.literal.contentStart : a.start;
        flags.push(...flagsIn(` ${t}`, (x, y) => s.text.toHost(base + x - 1, base + y - 1)));
      }
      add(c, product, name, flags, [], 'nssm install');
    }
  }
  return out;
}

function unitService(text: string, toHost: (s: number, e: number) => Span, file: string, name: string, via: string): ServiceDef | undefined {
  const unit = parseSystemdUnit(text);
  let exec: { value: string; valueStart: number; start: number; end: number } | undefined;
  const deps: string[] = [];
  for (const sec of unit.sections) {
    for (const e of sec.entries) {
      if (sec.name === 'Service' && e.key === 'ExecStart') exec = e;
      if (sec.name === 'Unit' && /^(After|Wants|Requires|BindsTo)$/.test(e.key))
        deps.push(
          ...e.value
            .toLowerCase()
            .split(/\s+/)
            .filter(Boolean)
            .map((d) => d.replace(/\.service$/, '')),
        );
    }
  }
  if (!exec) return undefined;
  const product = productOf(exec.value.split(/\s+/)[0] ?? '') ?? productOf(name);
  if (!product) return undefined;
  const flags: ServiceFlag[] = parseExecStartFlags(exec.value, exec.valueStart)
    .filter((f) => f.value !== undefined && /^(config|config-dir|config-file|data-dir|region|dc|datacenter)$/.test(f.name))
    .map((f) => {
      const value = f.value!.replace(/^["']|["']$/g, '');
      return { name: f.name, value, span: toHost(f.start, f.end), ...(value.includes('$') ? {} : { resolved: value }) };
    });
  return { os: 'linux', product, name, file, span: toHost(exec.start, exec.end), flags, dependsOn: deps, via };
}

const cache = new WeakMap<DeploymentModel, ServiceDef[]>();

export function serviceDefs(model: DeploymentModel): ServiceDef[] {
  const hit = cache.get(model);
  if (hit) return hit;
  const out: ServiceDef[] = [];
  for (const s of model.scripts) {
    if (s.language === 'powershell') out.push(...windowsServices(s));
    else {
      for (const h of s.scan.heredocs) {
        const t = h.targets.map((w) => w.literal ?? w.raw).find((x) => /\/systemd\/system\/[^/]+\.service$/.test(x));
        if (!t) continue;
        const body = s.text.text.slice(h.bodyStart, h.bodyEnd);
        const d = unitService(
          body,
          (a, b) => s.text.toHost(h.bodyStart + a, h.bodyStart + b),
          s.file,
          t.replace(/^.*\//, '').replace(/\.service$/, ''),
          `heredoc to ${t}`,
        );
        if (d) out.push(d);
      }
    }
  }
  for (const [file, src] of model.files) {
    if (!file.endsWith('.service')) continue;
    if (uploadedButNotInstalled(model, file)) continue;
    const d = unitService(src.text, (a, b) => ({ file, start: a, end: b }), file, file.replace(/^.*\//, '').replace(/\.service$/, ''), 'systemd unit');
    if (d) out.push(d);
  }
  cache.set(model, out);
  return out;
}

/**
 * A unit file a Packer build uploads somewhere other than a systemd directory (`/tmp/consul.service`) that no script
 * and no other line of that template ever names again (no `mv`/`cp`/`install` into /etc/systemd/system): the image
 * runs the service with the unit its package installed, not this one.
 */
function uploadedButNotInstalled(model: DeploymentModel, file: string): boolean {
  const ups = uploadDestinations(model, file);
  if (ups.length === 0 || ups.some((u) => /\/systemd\//.test(u.destination))) return false;
  return !ups.some((u) => {
    const d = u.destination;
    const template = model.files.get(u.template)?.text ?? '';
    return template.split(d).length > 2 || model.scripts.some((s) => s.text.text.includes(d));
  });
}

const resolvedTargets = new WeakMap<DeploymentModel, Map<AgentConfigDoc, string | undefined>>();

/** Where a config document is written, with a `$Var` / `Join-Path $Dir "x"` target resolved; undefined when unknown. */
export function resolvedTargetPath(model: DeploymentModel, doc: AgentConfigDoc): string | undefined {
  const raw = doc.targetPath;
  if (!raw) return undefined;
  if (!raw.startsWith('$')) return raw.includes('$') ? undefined : raw;
  // Once per model (the roles and several checks ask): following the variable searches the script.
  let memo = resolvedTargets.get(model);
  if (memo === undefined) resolvedTargets.set(model, (memo = new Map()));
  if (memo.has(doc)) return memo.get(doc);
  const path = resolveTargetVariable(model, doc, raw);
  memo.set(doc, path);
  return path;
}

function resolveTargetVariable(model: DeploymentModel, doc: AgentConfigDoc, raw: string): string | undefined {
  let path: string | undefined;
  const s = model.scripts.find((x) => x.file === doc.hostFile);
  const name = /^\$\{?([A-Za-z_][\w:]*)\}?$/.exec(raw)?.[1];
  if (s && name) {
    const v = s.resolveVariable(name, s.text.text.length);
    if (v.kind === 'known') path = v.text;
    else if (s.language === 'powershell') {
      const a = [...s.scan.assignments].reverse().find((x) => x.name.toLowerCase() === name.toLowerCase());
      const m = a ? /^Join-Path\s+\$(\w+)\s+["']([^"'$]+)["']\s*$/i.exec(s.text.text.slice(a.value?.start ?? 0, a.value?.end ?? 0).trim()) : null;
      if (a && m) {
        const dir = s.resolveVariable(m[1]!, a.start);
        if (dir.kind === 'known') path = `${dir.text.replace(/[\\/]+$/, '')}\\${m[2]}`;
      }
    }
  }
  return path && !path.includes('$') ? path : undefined;
}

/** Where the scripts write each product's agent config, per OS, with `$Var` / `Join-Path $Dir "x"` targets resolved. */
export function configTargets(model: DeploymentModel): Array<{ os: 'windows' | 'linux'; product: Product; path: string; span: Span; hostFile: string }> {
  const out: Array<{ os: 'windows' | 'linux'; product: Product; path: string; span: Span; hostFile: string }> = [];
  for (const c of model.configs) {
    const path = resolvedTargetPath(model, c.doc);
    if (path) out.push({ os: c.doc.os, product: c.product, path, span: c.doc.writeSpan, hostFile: c.doc.hostFile });
  }
  return out;
}

const singleFiles = new WeakMap<DeploymentModel, Map<string, ReadonlySet<string> | undefined>>();

/**
 * The only config files an agent loads, when every service of the tree that starts that product on that OS names
 * single files (Consul `-config-file=…`; `-config=…` ending in .hcl/.json, which both agents read as one file):
 * normalised paths (see normPath). Undefined when a service loads a directory, a path is not known, or the tree
 * defines no such service — then every file of the config directory counts.
 */
export function singleFileConfigs(model: DeploymentModel, os: 'windows' | 'linux', product: Product): ReadonlySet<string> | undefined {
  let memo = singleFiles.get(model);
  if (memo === undefined) singleFiles.set(model, (memo = new Map()));
  const key = `${os}:${product}`;
  if (memo.has(key)) return memo.get(key);
  const files = new Set<string>();
  let known = false;
  for (const def of serviceDefs(model)) {
    if (def.os !== os || def.product !== product) continue;
    for (const f of def.flags) {
      if (!/^config/.test(f.name)) continue;
      const p = f.resolved === undefined ? undefined : normPath(f.resolved, os === 'windows');
      if (p === undefined || f.name === 'config-dir' || !/\.(hcl|json)$/i.test(p)) {
        memo.set(key, undefined);
        return undefined;
      }
      files.add(p);
      known = true;
    }
  }
  const result = known ? files : undefined;
  memo.set(key, result);
  return result;
}

/** Whether the agent loads this config document: always, unless its services name single files and this is not one. */
export function loadedByAgent(model: DeploymentModel, doc: AgentConfigDoc, product: Product): boolean {
  const only = singleFileConfigs(model, doc.os === 'windows' ? 'windows' : 'linux', product);
  if (only === undefined) return true;
  const target = resolvedTargetPath(model, doc);
  return target === undefined || only.has(normPath(target, doc.os === 'windows'));
}

/**
 * The value that the services starting `product` on `os` give a setting by a command-line flag (`-region=east`,
 * `-dc`/`-datacenter`): command-line flags override the config files (Nomad command/agent/command.go readConfig merges
 * the flag config over the file config; Consul's agent configuration docs put command-line arguments first in precedence, before configuration files). Undefined when
 * no such service passes the flag; `'unknown'` when one passes a value that is not known, two pass different values,
 * or only some of them pass it (which service starts which role, e.g. a Linux server and a Linux client, is not known).
 */
export function serviceFlagValue(
  model: DeploymentModel,
  os: 'windows' | 'linux',
  product: Product,
  names: readonly string[],
): { value: string; def: ServiceDef; flag: ServiceFlag } | 'unknown' | undefined {
  let found: { value: string; def: ServiceDef; flag: ServiceFlag } | undefined;
  let without = false;
  for (const def of serviceDefs(model)) {
    if (def.os !== os || def.product !== product) continue;
    if (!def.flags.some((f) => names.includes(f.name))) without = true;
    for (const flag of def.flags) {
      if (!names.includes(flag.name)) continue;
      if (flag.resolved === undefined) return 'unknown';
      if (found && found.value !== flag.resolved) return 'unknown';
      found ??= { value: flag.resolved, def, flag };
    }
  }
  return found && without ? 'unknown' : found;
}

/**
 * What the roles need to merge their files in load order: the config flags of every service that starts an agent, in
 * command-line order (`-config=/etc/nomad.d -config=/etc/nomad.d/role/client.hcl`), and where each document is
 * written with the script's variables resolved.
 */
export function agentLoadContext(model: DeploymentModel): LoadContext {
  const launches: AgentLaunch[] = serviceDefs(model).map((d) => ({
    os: d.os,
    product: d.product,
    flags: d.flags.filter((f) => /^config(-dir|-file)?$/.test(f.name)).map((f) => ({ name: f.name, path: f.resolved })),
  }));
  return { launches, targetOf: (doc) => resolvedTargetPath(model, doc) };
}
