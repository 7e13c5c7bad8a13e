/**
 * service-config-path-mismatch: the `-config` / `-config-dir` path a service
 * definition starts the agent with is not where the scripts write that
 * agent's configuration; or, when it is where some of them write, a config
 * document written outside every location the agent loads (reported at its write).
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, Product } from '../../types';
import { flattenSettings } from '../../agent/settings';
import { looksLikeAgentConfigPath, productFromPath } from '../../agent/configDoc';
import type { Span } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';
import { configTargets, resolvedTargetPath, serviceDefs } from './services';
import { dirOfPath, lineOf, normPath } from './shared';

export const serviceConfigPathMismatch: Check = {
  id: 'service-config-path-mismatch',
  category: 'service',
  severity: 'error',
  title: 'The -config path in a service definition is not where the script writes the agent config',
  run(model) {
    const out: Finding[] = [];
    const targets = configTargets(model);
    const flagged = new Set<string>();
    for (const svc of serviceDefs(model)) {
      const win = svc.os === 'windows';
      const mine = targets.filter((t) => t.os === svc.os && t.product === svc.product);
      if (mine.length === 0) continue;
      const loads = (f: (typeof svc.flags)[number]): boolean | undefined => {
        // `-config=$ConfigDir`: the script's value of the variable (services.ts resolveFlags); unknown ones are skipped.
        const value = f.resolved ?? f.value;
        if (value.includes('$')) return undefined;
        const p = normPath(value, win);
        const isFile = /\.(hcl|json)$/.test(p);
        const ok = mine.some((t) => {
          const d = normPath(t.path, win);
          return isFile ? d === p : dirOfPath(d) === p || d.startsWith(`${p}/`);
        });
        return ok || repositoryFileAt(model, svc.product, p, isFile, win);
      };
      const configFlags = svc.flags.filter((f) => /^config/.test(f.name));
      // Another config flag of the command line loads a written config: the agent has its settings, but a location
      // that does not exist stops it (Consul builder `sourcesFromPath`: "config: Open failed on …"; Nomad `LoadConfig`).
      const other = configFlags.find((f) => loads(f) === true);
      for (const f of configFlags) {
        const value = f.resolved ?? f.value;
        if (loads(f) !== false) continue;
        if (other) {
          flagged.add(`${svc.os}:${svc.product}`);
          out.push(
            finding({
              check: serviceConfigPathMismatch,
              span: f.span,
              message:
                `The ${svc.product} service (${svc.via} in ${svc.file}) starts the agent with -${f.name}=${f.value}${value !== f.value ? ` (${value})` : ''} beside -${other.name}=${other.value}, which loads the config the ${svc.os} scripts write; nothing in the tree writes a config to ${value}. ` +
                `Unless something creates it on the machine, the agent stops at start: ${svc.product === 'consul' ? `\`config: Open failed on ${value}. … no such file or directory\`` : `\`Error loading configuration from ${value}\``}. ` +
                `Drop -${f.name}=${f.value}, or create the location in the script that installs the agent.`,
              related: [{ span: other.span, message: `-${other.name}=${other.value} loads the written config` }],
            }),
          );
          continue;
        }
        flagged.add(`${svc.os}:${svc.product}`);
        const where = mine.map((t) => `${t.path} (${lineOf(model, t.span)})`).join(', ');
        out.push(
          finding({
            check: serviceConfigPathMismatch,
            span: f.span,
            message:
              `The ${svc.product} service (${svc.via} in ${svc.file}) starts the agent with -${f.name}=${f.value}${value !== f.value ? ` (${value})` : ''}, but the ${svc.os} scripts write its configuration to ${where}. ` +
              `The agent starts without that file: no \`client.servers\`/\`server_join\`, so it logs \`no servers\`, and none of the settings that must agree (region, tls, acl, encrypt) apply. ` +
              `Point -${f.name} at the directory the script writes (compare paths with / and case-insensitively on Windows).`,
            related: mine.map((t) => ({ span: t.span, message: `${svc.product} config written to ${t.path}` })),
          }),
        );
      }
    }
    out.push(...unloadedWrites(model, flagged));
    return out;
  },
};

/**
 * Whether a config file kept in the repository is what the flag loads, by its last path parts, as agent/loadOrder.ts
 * matches launch lines to repository files (`nomad.d/role/client.hcl` for `-config=/etc/nomad.d/role/client.hcl`, any
 * `nomad.d/*.hcl` for `-config=/etc/nomad.d`): an image build or an upload puts the directory there, and no script
 * writes it.
 */
function repositoryFileAt(model: DeploymentModel, product: Product, p: string, isFile: boolean, win: boolean): boolean {
  return model.configs.some((c) => {
    if (c.product !== product || c.doc.via !== 'config file' || c.doc.targetPath !== undefined) return false;
    const parts = normPath(c.doc.hostFile, win).split('/');
    if (parts.length < 2) return false;
    const [parent, name] = parts.slice(-2) as [string, string];
    return isFile ? p === `${parent}/${name}` || p.endsWith(`/${parent}/${name}`) : p === parent || p.endsWith(`/${parent}`);
  });
}

/** Where the services of the tree make `product`'s agent on `os` load config from; undefined when not known. */
function loadedLocations(
  model: DeploymentModel,
  os: 'windows' | 'linux',
  product: Product,
): Array<{ path: string; isFile: boolean; shown: string }> | undefined {
  const defs = serviceDefs(model).filter((d) => d.os === os && d.product === product);
  if (defs.length === 0) return undefined;
  const out: Array<{ path: string; isFile: boolean; shown: string }> = [];
  for (const d of defs) {
    // A later reconfiguration whose arguments are not known (services.ts finalArgs): the locations are not known.
    if (d.flagsUnknown !== undefined) return undefined;
    const flags = d.flags.filter((f) => /^config/.test(f.name));
    // No config flag: the agent's default paths depend on its packaging; not judged.
    if (flags.length === 0) return undefined;
    for (const f of flags) {
      const value = f.resolved;
      if (value === undefined || value.includes('$')) return undefined;
      const p = normPath(value, os === 'windows');
      out.push({ path: p, isFile: f.name === 'config-file' || /\.(hcl|json)$/i.test(p), shown: value });
    }
  }
  if (unattributedAgentLaunch(model, product, defs)) return undefined;
  return out;
}

/**
 * A command line of the tree that starts an agent with a config flag but is none of the service definitions known for
 * `product` (`nssm install ${productTitle} ${installPath}\bin\${product}.exe agent --config-dir="${installPath}\config"`,
 * angrycub): that agent may be this product's, loading another location; the locations are then not known.
 */
function unattributedAgentLaunch(model: DeploymentModel, product: Product, defs: readonly { span: Span; flags: readonly { span: Span }[] }[]): boolean {
  const other = product === 'nomad' ? /consul|vault/i : product === 'consul' ? /nomad|vault/i : /nomad|consul/i;
  for (const [file, src] of model.files) {
    for (const { at, line } of agentLaunches(src)) {
      // A flag of a definition, or the creation command of one whose arguments a later `nssm set … AppParameters` replaced.
      const covered = defs.some(
        (d) =>
          (d.span.file === file && d.span.start <= at && at < d.span.end) || d.flags.some((f) => f.span.file === file && f.span.start <= at && at < f.span.end),
      );
      if (covered) continue;
      if (other.test(line) && !new RegExp(product, 'i').test(line)) continue;
      return true;
    }
  }
  return false;
}

/** Per text (a keystroke re-reads only the edited file's): the uncommented lines that start an agent with a config flag. */
const launchesByText = new WeakMap<object, ReadonlyArray<{ at: number; line: string }>>();

function agentLaunches(src: { readonly text: string }): ReadonlyArray<{ at: number; line: string }> {
  let hit = launchesByText.get(src);
  if (hit) return hit;
  const out: Array<{ at: number; line: string }> = [];
  for (const m of src.text.matchAll(/\bagent\b[^\n]*?\s--?config(?:-dir|-file)?[=\s]/g)) {
    const at = (m.index ?? 0) + m[0].search(/\s--?config/) + 1;
    const ls = src.text.lastIndexOf('\n', at) + 1;
    const le = src.text.indexOf('\n', at);
    const line = src.text.slice(ls, le < 0 ? src.text.length : le);
    if (!/^\s*(#|\/\/|REM\b)/i.test(line)) out.push({ at, line });
  }
  launchesByText.set(src, (hit = out));
  return hit;
}

/** Lines that only create or own a path (`mkdir`, `install -d`, `chown`, `chmod`, `New-Item -ItemType Directory`) do not read the file. */
const NOT_A_READ = /^\s*(?:sudo\s+)?(?:mkdir|chown|chmod|install\s+-d|New-Item\b[^\n]*-ItemType\s+Directory)\b/i;

/**
 * Whether another line of the tree names the written file or its directory (a later `cp`/`mv`/`Copy-Item`/`Move-Item`
 * into the loaded directory, `envsubst < f > …`, a `-config-file` pointing at it): then the file is staging, not judged.
 */
function namedElsewhere(
  model: DeploymentModel,
  path: string,
  windows: boolean,
  write: { file: string; start: number; end: number },
  rawTarget: string | undefined,
): boolean {
  const p = normPath(path, windows);
  const dir = dirOfPath(p);
  // The directory too (`cp /tmp/consul.d/* /etc/consul.d/`), unless it is a top-level one (`/tmp`, `C:\temp`) every script names.
  const needles = [p, ...((dir.match(/\//g) ?? []).length >= 2 ? [dir] : [])];
  for (const [file, src] of model.files) {
    const text = src.text;
    const hay = windows ? text.replace(/\\/g, '/').toLowerCase() : text;
    for (const n of needles) {
      let at = hay.indexOf(n);
      while (at >= 0) {
        const after = hay[at + n.length];
        if (after === undefined || !/[\w.-]/.test(after)) {
          const ls = text.lastIndexOf('\n', at) + 1;
          const le = text.indexOf('\n', at);
          const sameLine = file === write.file && ((write.start >= ls && write.start <= (le < 0 ? text.length : le)) || (at >= write.start && at < write.end));
          if (!sameLine && !NOT_A_READ.test(text.slice(ls, le < 0 ? text.length : le))) return true;
        }
        at = hay.indexOf(n, at + 1);
      }
    }
  }
  // `> $ConfigPath` then `Get-Content $ConfigPath | Out-File $ConfigPath2` (mocofound): the variable that names the file,
  // read on another line than its write and its assignment.
  const src = model.files.get(write.file);
  const text = src?.text ?? '';
  const base = p.slice(p.lastIndexOf('/') + 1);
  const names = new Set<string>();
  const fromRaw = rawTarget === undefined ? undefined : /^\$\{?([A-Za-z_]\w*)\}?$/.exec(rawTarget.trim())?.[1];
  if (fromRaw) names.add(fromRaw);
  // `$ConfigPath = "$FolderName\nomad_client.hcl"`: a variable assigned a path ending in the file's name.
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+|local\s+)?\$?([A-Za-z_]\w*)\s*=(.*)$/.exec(line);
    if (!m) continue;
    const v = windows ? m[2]!.toLowerCase().replace(/\\/g, '/') : m[2]!;
    const at = v.indexOf(`/${base}`);
    if (at >= 0 && !/[\w.-]/.test(v[at + base.length + 1] ?? '')) names.add(m[1]!);
  }
  for (const name of names) {
    const re = new RegExp(`\\$\\{?${name}(?!\\w)`, windows ? 'gi' : 'g');
    for (const m of text.matchAll(re)) {
      const at = m.index ?? 0;
      const ls = text.lastIndexOf('\n', at) + 1;
      const le = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
      if ((write.start >= ls && write.start <= le) || (at >= write.start && at < write.end)) continue;
      const line = text.slice(ls, le);
      if (new RegExp(`^\\s*(?:export\\s+|local\\s+)?\\$?\\{?${name}\\}?\\s*=`, windows ? 'i' : '').test(line)) continue;
      if (!NOT_A_READ.test(line)) return true;
    }
  }
  return false;
}

/** Config documents written outside every location the agent is started with (when those are all known). */
function unloadedWrites(model: DeploymentModel, flagged: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const memo = new Map<string, ReturnType<typeof loadedLocations>>();
  const writes: Array<{ os: 'windows' | 'linux'; product: Product; target: string | undefined; raw?: string; span: Span; keys: () => string[] }> = [
    ...model.configs.map((c) => ({
      os: c.doc.os === 'windows' ? ('windows' as const) : ('linux' as const),
      product: c.product,
      target: resolvedTargetPath(model, c.doc),
      raw: c.doc.targetPath,
      span: c.doc.writeSpan,
      keys: () => [...new Set(flattenSettings(c.doc, c.parse.body).map((e) => e.path.split('.')[0]!))],
    })),
    ...jqWrites(model),
  ];
  for (const c of writes) {
    const os = c.os;
    const key = `${os}:${c.product}`;
    // A flag that matches no write is reported at the flag, with every write; not again at each write.
    if (flagged.has(key)) continue;
    if (!memo.has(key)) memo.set(key, loadedLocations(model, os, c.product));
    const locs = memo.get(key);
    if (!locs || locs.length === 0) continue;
    const target = c.target;
    if (target === undefined) continue;
    const win = os === 'windows';
    const d = normPath(target, win);
    if (locs.some((l) => (l.isFile ? d === l.path : dirOfPath(d) === l.path || d.startsWith(`${l.path}/`)))) continue;
    if (namedElsewhere(model, target, win, c.span, c.raw)) continue;
    const keys = c.keys();
    if (keys.length === 0) continue;
    const encrypt = keys.includes('encrypt')
      ? ` Without \`encrypt\` the gossip of this agent is not encrypted, and agents that do have the key log \`memberlist: failed to receive: No installed keys could decrypt the message\` for its packets.`
      : '';
    const loaded = [...new Set(locs.map((l) => l.shown))].join(', ');
    out.push(
      finding({
        check: serviceConfigPathMismatch,
        span: c.span,
        message:
          `This ${os} script writes ${c.product} agent configuration to ${target}, but the ${c.product} agent is started with -config/-config-dir ${loaded}, and no step of the tree copies or reads that file into them: ` +
          `its settings (${keys.map((k) => `\`${k}\``).join(', ')}) never apply.${encrypt} ` +
          `Write it into ${locs[0]!.shown}${locs[0]!.isFile ? '' : ' (as a .hcl/.json file)'}.`,
        related: serviceDefs(model)
          .filter((s) => s.os === os && s.product === c.product)
          .flatMap((s) =>
            s.flags
              .filter((f) => /^config/.test(f.name))
              .map((f) => ({ span: f.span, message: `${s.product} service (${s.via}) loads -${f.name}=${f.value}` })),
          ),
      }),
    );
  }
  return out;
}

/**
 * `jq -n '.encrypt = "…"' > /tmp/consul.d/gossip.json`: a JSON agent config built by jq, which the script models do not
 * turn into a config document (real tree dcallao__consul-gcp-lab). Only its top-level keys (`.name =` in the filter) are
 * taken, for the message; the document joins no role.
 */
function jqWrites(model: DeploymentModel): Array<{ os: 'linux'; product: Product; target: string; span: Span; keys: () => string[] }> {
  const out: Array<{ os: 'linux'; product: Product; target: string; span: Span; keys: () => string[] }> = [];
  for (const s of model.scripts) {
    if (s.language === 'powershell') continue;
    for (const cmd of s.scan.commands) {
      if (cmd.name !== 'jq' || !cmd.args.some((a) => /^-[a-zA-Z]*n[a-zA-Z]*$/.test(a.literal ?? a.raw))) continue;
      const r = cmd.redirects.find((x) => x.op === '>' || x.op === '>|');
      const target = r?.target.literal;
      if (!r || !target || !looksLikeAgentConfigPath(target)) continue;
      const product = productFromPath(target);
      if (!product) continue;
      const filter = cmd.args.map((a) => a.raw).join(' ');
      const keys = [...new Set([...filter.matchAll(/(?:^|[\s"'(|,])\.(\w+)\s*\|?=/g)].map((m) => m[1]!))];
      out.push({ os: 'linux', product, target, span: s.text.toHost(cmd.start, r.end), keys: () => keys });
    }
  }
  return out;
}
