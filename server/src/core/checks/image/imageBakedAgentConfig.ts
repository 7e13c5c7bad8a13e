/**
 * image-baked-agent-config: an agent configuration written at image time (by a
 * script a Packer provisioner runs) that the instances then start with:
 *
 * 1. a server / bootstrapping config (`server { enabled = true }`, Consul
 *    `server = true`, `bootstrap_expect`) baked into an image;
 * 2. any agent config baked into an image whose instances' user-data writes
 *    that agent's config again, when the baked file survives: it sits beside
 *    the user-data file in the directory the agent loads (both merge), or it is
 *    the same file but the image registers the service with automatic start
 *    and user-data never restarts it (the agent keeps the baked settings).
 */
import type { ParsedAgentConfig } from '../../agent/configDoc';
import type { SettingEntry } from '../../agent/settings';
import { flattenSettings } from '../../agent/settings';
import type { DeploymentModel } from '../../model/deploymentModel';
import { provisionersRunning } from '../../packer';
import type { ScriptFacts } from '../../scripts/scriptModel';
import type { Finding, Product, RelatedInfo } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';
import { classify } from './imageBakedAgentState';
import type { BuildInfo } from './imageLinks';
import { bootWrites, buildOfProvisioner } from './imageLinks';
import { configTargets, serviceDefs } from './services';
import { commandsOf, dirOfPath, lineOf, normPath } from './shared';

function targetOf(model: DeploymentModel, c: ParsedAgentConfig): string | undefined {
  const t = configTargets(model).find((x) => x.span.file === c.doc.writeSpan.file && x.span.start === c.doc.writeSpan.start && x.product === c.product);
  return t?.path;
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true';
}

/** The entry that makes a config a server / bootstrapping one. */
function serverEntry(c: ParsedAgentConfig, entries: readonly SettingEntry[]): SettingEntry | undefined {
  if (c.product === 'nomad')
    return entries.find((e) => e.path === 'server.enabled' && truthy(e.value)) ?? entries.find((e) => e.path === 'server.bootstrap_expect');
  return entries.find((e) => e.path === 'server' && truthy(e.value)) ?? entries.find((e) => e.path === 'bootstrap_expect');
}

const SERVICE_COMMANDS = new Set(['restart-service', 'stop-service', 'sc', 'systemctl', 'get-service']);

/** User-data restarts (or stops) the agent, so a running agent re-reads its config. */
function restarts(scripts: readonly ScriptFacts[], product: Product): boolean {
  const re = new RegExp(`\\b${product}\\b`, 'i');
  for (const s of scripts) {
    const src = s.text.text;
    for (const c of s.scan.commands) {
      const n = c.name.toLowerCase().replace(/\.exe$/, '');
      // Most commands of a long script are none of these: their text is not copied.
      if (!SERVICE_COMMANDS.has(n)) continue;
      const raw = src.slice(c.start, c.end);
      if ((n === 'restart-service' || n === 'stop-service') && re.test(raw)) return true;
      if (n === 'sc' && /\bstop\b/i.test(raw) && re.test(raw)) return true;
      if (n === 'systemctl' && /\b(restart|reload-or-restart|try-restart|stop)\b/.test(raw) && re.test(raw)) return true;
      if (n === 'get-service' && /stop-service|restart-service/i.test(raw) && re.test(raw)) return true;
    }
  }
  return false;
}

function autoStarted(model: DeploymentModel, b: BuildInfo, product: Product): boolean {
  for (const p of b.provisioners) {
    for (const c of commandsOf(model, p)) {
      const e = classify(c);
      if (e?.kind === 'auto' && e.service === product) return true;
    }
  }
  return false;
}

export const imageBakedAgentConfig: Check = {
  id: 'image-baked-agent-config',
  category: 'state',
  severity: 'warning',
  title: 'An agent config (server, or one user-data writes again) is written at image time and baked into the image',
  run(model) {
    const out: Finding[] = [];
    for (const c of model.configs) {
      const provs = [...new Set([...provisionersRunning(model, c.doc.hostFile), ...provisionersRunning(model, c.doc.writeSpan.file)])];
      if (provs.length === 0) continue;
      const builds = [...new Set(provs.map((p) => buildOfProvisioner(model, p)).filter((b): b is BuildInfo => !!b))];
      const provNote = provs.map((p) => `${p.type} provisioner at ${lineOf(model, p.span)}`).join(', ');
      const writtenAt = `written at image time by ${c.doc.writeSpan.file} (${provNote})`;
      const bakedPath = targetOf(model, c);
      const win = c.doc.os === 'windows';
      const related: RelatedInfo[] = provs.map((p) => ({
        span: p.span,
        message: `${p.type} provisioner runs ${c.doc.writeSpan.file} during the Packer build`,
      }));
      // User-data of the instances that boot these images, and the configs of this product it writes.
      const boot = bootWrites(model, builds);
      const udScripts = boot.scripts;
      const udConfigs = boot.configs.filter((d) => d !== c && d.product === c.product);
      const entries = flattenSettings(c.doc, c.parse.body);
      const srv = serverEntry(c, entries);
      if (srv) {
        const clientsToo = udConfigs.some((d) => d.kind !== 'server');
        out.push(
          finding({
            check: imageBakedAgentConfig,
            severity: clientsToo ? 'error' : 'warning',
            span: srv.keySpan,
            message:
              `This ${c.product === 'nomad' ? 'Nomad' : 'Consul'} server configuration (${srv.path} = ${srv.display}) is ${writtenAt}${bakedPath ? ` to ${bakedPath}` : ''}: it ships in the image, and every instance booted from it starts as a server that expects to bootstrap a cluster — ` +
              (clientsToo
                ? `including the clients whose user-data writes a client config for ${c.product} (${udConfigs
                    .filter((d) => d.kind !== 'server')
                    .map((d) => lineOf(model, d.doc.writeSpan))
                    .join(', ')}): the two files merge and the "client" joins the raft peer set or elects itself leader of its own cluster. `
                : 'a new instance can elect itself leader of a one-node cluster before its user-data runs, and its raft and node state stay on its disk. ') +
              'Write server settings at first boot (user-data), not in the image; keep only binaries and service definitions in the image.',
            related: [
              ...related,
              { span: c.doc.writeSpan, message: `server config written here (${c.doc.via})` },
              ...udConfigs
                .filter((d) => d.kind !== 'server')
                .map((d) => ({ span: d.doc.writeSpan, message: `user-data writes a ${c.product} client config here` })),
            ],
          }),
        );
        continue;
      }
      if (udConfigs.length === 0 || !bakedPath) continue;
      const baked = normPath(bakedPath, win);
      const bakedDir = dirOfPath(baked);
      const svcDirs = serviceDefs(model)
        .filter((s) => s.os === c.doc.os && s.product === c.product)
        .flatMap((s) => s.flags.filter((f) => /^config/.test(f.name) && !f.value.includes('$')).map((f) => normPath(f.value, win)));
      const mine = udConfigs
        .filter((d) => d.doc.os === c.doc.os)
        .map((d) => ({ d, path: targetOf(model, d) }))
        .filter((x): x is { d: ParsedAgentConfig; path: string } => !!x.path);
      const samePath = mine.find((x) => normPath(x.path, win) === baked);
      if (samePath) {
        const d = samePath.d;
        const auto = builds.filter((b) => autoStarted(model, b, c.product));
        if (auto.length === 0 || restarts([...udScripts.values()], c.product)) continue;
        out.push(
          finding({
            check: imageBakedAgentConfig,
            span: c.doc.writeSpan,
            message:
              `This ${c.product} config (${bakedPath}) is ${writtenAt}, and the image registers ${c.product} with automatic start. At first boot the agent starts with the baked file before user-data rewrites it (${lineOf(model, d.doc.writeSpan)}), ` +
              `and user-data never restarts ${c.product}, so the running agent keeps the image-time settings (Start-Service / systemctl start on a running service does nothing). ` +
              `Do not write agent configs in the image, or restart the service after user-data writes the config (\`Restart-Service ${c.product} -Force\` / \`systemctl restart ${c.product}\`).`,
            related: [...related, { span: d.doc.writeSpan, message: `user-data writes ${c.product} config ${samePath.path}` }],
          }),
        );
        continue;
      }
      const beside = mine.find((x) => dirOfPath(normPath(x.path, win)) === bakedDir || svcDirs.some((s) => s === bakedDir || s === baked));
      if (!beside) continue;
      const { d, path: udPath } = beside;
      const udKeys = new Set(flattenSettings(d.doc, d.parse.body).map((e) => e.path));
      const onlyBaked = entries.filter((e) => !udKeys.has(e.path)).map((e) => `${e.path} = ${e.display}`);
      const both = entries.filter((e) => udKeys.has(e.path)).map((e) => e.path);
      const bakedName = bakedPath.replace(/^.*[\\/]/, '');
      const udName = udPath.replace(/^.*[\\/]/, '');
      const laterWins = bakedName > udName ? `${bakedName} (baked) loads last and wins` : `${udName} (user-data) loads last and wins`;
      out.push(
        finding({
          check: imageBakedAgentConfig,
          span: c.doc.writeSpan,
          message:
            `This ${c.product} config (${bakedPath}) is ${writtenAt}; user-data writes ${udPath} (${lineOf(model, d.doc.writeSpan)}) and the agent loads the directory of both, so every instance reads both files (in byte order of their names). ` +
            (onlyBaked.length
              ? `Settings only the baked file sets stay in effect: ${onlyBaked.slice(0, 6).join(', ')}${onlyBaked.length > 6 ? ', …' : ''}. `
              : '') +
            (both.length ? `Settings both set (${both.slice(0, 6).join(', ')}): ${laterWins}. ` : '') +
            'Do not write agent configs in the image: let user-data write the only one, or remove the image-time file before capture.',
          related: [...related, { span: d.doc.writeSpan, message: `user-data writes ${c.product} config ${udPath}` }],
        }),
      );
    }
    return out;
  },
};
