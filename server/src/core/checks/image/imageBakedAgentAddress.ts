/**
 * image-baked-agent-address: an agent config written at image time (a Packer
 * `file` upload, or a script a Packer provisioner runs) with a literal IP
 * address in a key that names the machine's own address: Nomad `bind_addr`,
 * `addresses { http rpc serf }`, `advertise { http rpc serf }`; Consul
 * `bind_addr`, `client_addr`, `serf_lan`, `serf_wan`, `addresses { … }`,
 * `advertise_addr*`. Every instance booted from the image carries the same
 * literal:
 *
 * - a bind address (`bind_addr`, `addresses`, `client_addr`, `serf_lan/wan`):
 *   on every instance that does not own that address the listener fails and the
 *   agent does not start (`listen tcp <ip>:<port>: bind: cannot assign
 *   requested address`);
 * - an advertise address: every instance advertises the same machine, so the
 *   other agents reach one machine for all of them (memberlist probes answered
 *   by the wrong node, RPC to the wrong host).
 *
 * Silent for loopback, `0.0.0.0` / `::`, link-local and the default Docker
 * bridge address (present on every host), go-sockaddr templates, placeholders
 * and values a boot step fills in; when the instances' user-data writes the
 * same file, or sets the same key in a file that loads after the baked one;
 * when a boot script substitutes the literal or the key (`sed -i`, `-replace`);
 * when the service starting the agent overrides the key with a flag (`-bind`,
 * `-advertise`, `-client`); and when the tree shows the image is built for one
 * fixed instance (a single `aws_instance` without `count` / `for_each` whose
 * `private_ip` is that literal).
 */
import type { ParsedAgentConfig } from '../../agent/configDoc';
import { looksLikeAgentConfigPath } from '../../agent/configDoc';
import type { SettingEntry } from '../../agent/settings';
import { flattenSettings } from '../../agent/settings';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { PackerProvisioner } from '../../packer';
import { packerProvisioners, provisionersRunning, uploadDestinations } from '../../packer';
import type { ScriptFacts } from '../../scripts/scriptModel';
import { allSeds } from '../../scripts/scriptModel';
import { attr } from '../../terraform/model';
import type { Finding, Product, RelatedInfo } from '../../types';
import { baseName, dirOf } from '../../workspace/fileKinds';
import { chainRelated, chainText, finding } from '../check';
import type { Check } from '../check';
import type { BuildInfo, InstanceInfo } from './imageLinks';
import { bootWrites, buildOfProvisioner, instancesOf, showImages } from './imageLinks';
import { loadedByAgent, resolvedTargetPath, serviceFlagValue } from './services';
import { dirOfPath, lineOf, normPath } from './shared';

type Kind = 'bind' | 'advertise';

interface AddressKey {
  readonly kind: Kind;
  /** Agent command-line flags that override the key (they win over every config file). */
  readonly flags: readonly string[];
  /** The port the listener of a bind key opens by default, for the symptom. */
  readonly port?: number;
}

const NOMAD_KEYS: Readonly<Record<string, AddressKey>> = {
  bind_addr: { kind: 'bind', flags: ['bind'] },
  'addresses.http': { kind: 'bind', flags: [], port: 4646 },
  'addresses.rpc': { kind: 'bind', flags: [], port: 4647 },
  'addresses.serf': { kind: 'bind', flags: [], port: 4648 },
  'advertise.http': { kind: 'advertise', flags: [] },
  'advertise.rpc': { kind: 'advertise', flags: [] },
  'advertise.serf': { kind: 'advertise', flags: [] },
};

const CONSUL_KEYS: Readonly<Record<string, AddressKey>> = {
  bind_addr: { kind: 'bind', flags: ['bind'], port: 8301 },
  client_addr: { kind: 'bind', flags: ['client'], port: 8500 },
  serf_lan: { kind: 'bind', flags: ['serf-lan-bind'], port: 8301 },
  serf_wan: { kind: 'bind', flags: ['serf-wan-bind'], port: 8302 },
  'addresses.dns': { kind: 'bind', flags: [], port: 8600 },
  'addresses.http': { kind: 'bind', flags: [], port: 8500 },
  'addresses.https': { kind: 'bind', flags: [], port: 8501 },
  'addresses.grpc': { kind: 'bind', flags: [], port: 8502 },
  'addresses.grpc_tls': { kind: 'bind', flags: [], port: 8503 },
  advertise_addr: { kind: 'advertise', flags: ['advertise'] },
  advertise_addr_ipv4: { kind: 'advertise', flags: [] },
  advertise_addr_ipv6: { kind: 'advertise', flags: [] },
  advertise_addr_wan: { kind: 'advertise', flags: ['advertise-wan'] },
  advertise_addr_wan_ipv4: { kind: 'advertise', flags: [] },
  advertise_addr_wan_ipv6: { kind: 'advertise', flags: [] },
};

function keysOf(product: Product): Readonly<Record<string, AddressKey>> {
  return product === 'nomad' ? NOMAD_KEYS : CONSUL_KEYS;
}

/** An IPv4 literal (optionally with a port). */
const IPV4 = /^((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?::\d+)?$/;

/** The IP literal a token names, without port and brackets; undefined when it is not one. */
function ipOf(token: string): string | undefined {
  const t = token.trim();
  const v4 = IPV4.exec(t);
  if (v4) return v4[1];
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::\d+)?$/.exec(t);
  const v6 = bracketed?.[1] ?? t;
  if (/^[0-9A-Fa-f:.]+$/.test(v6) && (v6.match(/:/g)?.length ?? 0) >= 2) return v6.toLowerCase();
  return undefined;
}

/**
 * Addresses every machine has, or that name no machine: loopback, unspecified, link-local (169.254/16, fe80::/10,
 * e.g. a dummy interface for DNS), and 172.17.0.1 (Docker's default bridge, the same on every Docker host).
 */
function sharedByEveryHost(ip: string): boolean {
  if (/^127\./.test(ip) || ip === '0.0.0.0' || /^169\.254\./.test(ip) || ip === '172.17.0.1') return true;
  const v6 = ip.toLowerCase();
  return v6 === '::' || v6 === '::1' || /^(0+:){7}0*[01]$/.test(v6) || /^fe[89ab][0-9a-f]?:/.test(v6);
}

/** A staging place a later step copies from, not the agent's config directory. */
const STAGING = /^(\/(tmp|var\/tmp|ops|home|root)\/|[A-Za-z]:[\\/](windows[\\/]temp|temp|tmp|users)[\\/])/i;

/**
 * How this config gets into an image: the provisioners that run the script writing it, or the Packer `file`
 * upload that copies it (an HCL template's upload is an image-time document already; a JSON template's `file`
 * provisioner uploads the tree file as it is), with where it lands when known.
 */
function baking(model: DeploymentModel, c: ParsedAgentConfig): { provs: PackerProvisioner[]; path: string | undefined; uploaded: boolean } {
  const out = new Set<PackerProvisioner>([...provisionersRunning(model, c.doc.hostFile), ...provisionersRunning(model, c.doc.writeSpan.file)]);
  let path = resolvedTargetPath(model, c.doc);
  let uploaded = c.doc.imageTime === true;
  if (c.doc.imageTime === true) {
    // An upload to a staging place is copied onward by a later step (at build or at boot: not known here).
    if (path !== undefined && STAGING.test(path.replace(/\\/g, '/'))) return { provs: [], path, uploaded };
    const w = c.doc.writeSpan;
    for (const p of packerProvisioners(model)) if (p.span.file === w.file && p.span.start <= w.start && w.end <= p.span.end) out.add(p);
  } else if (c.doc.writeSpan.file === c.doc.hostFile && c.doc.targetPath === undefined) {
    for (const u of uploadDestinations(model, c.doc.hostFile)) {
      const dest = /\.(hcl|json)$/i.test(u.destination) ? u.destination : `${u.destination.replace(/[\\/]+$/, '')}/${baseName(c.doc.hostFile)}`;
      if (STAGING.test(dest.replace(/\\/g, '/')) || !looksLikeAgentConfigPath(dest)) continue;
      out.add(u.provisioner);
      path ??= dest;
      uploaded = true;
    }
  }
  return { provs: [...out], path, uploaded };
}

/** A boot script substitutes the literal or the key in place (`sed -i "s/10.0.0.5/$IP/"`, `-replace 'bind_addr.*', …`). */
function substitutedAtBoot(scripts: readonly ScriptFacts[], ip: string, key: string): boolean {
  // The key itself only when it cannot be mistaken for other text (`bind_addr`, not `http`).
  const leaf = /_/.test(key) ? key.replace(/^.*\./, '') : undefined;
  const hits = (pattern: string) => {
    const lit = pattern.replace(/\\([^A-Za-z0-9])/g, '$1');
    return lit.includes(ip) || (leaf !== undefined && new RegExp(`\\b${leaf}\\b`).test(lit));
  };
  for (const s of scripts) {
    if (s.language === 'bash') {
      for (const sed of allSeds(s)) for (const sub of sed.substitutions) if (hits(sub.patternUnescaped ?? sub.pattern)) return true;
    } else {
      for (const m of s.text.text.matchAll(/-[ci]?replace\s+(["'])(.+?)\1/gi)) if (hits(m[2]!)) return true;
      for (const m of s.text.text.matchAll(/\.Replace\(\s*(["'])(.+?)\1/g)) if (hits(m[2]!)) return true;
    }
  }
  return false;
}

/** A script of the tree starts this agent with a flag that overrides the key (`consul agent -bind=$(ip) …`). */
function flagInScripts(model: DeploymentModel, product: Product, flags: readonly string[]): boolean {
  if (flags.length === 0) return false;
  const re = new RegExp(`\\b${product}(?:\\.exe)?["']?\\s+agent\\b[^\\n]*?\\s--?(?:${flags.join('|')})(?:=|\\s)`, 'i');
  return model.scripts.some((s) => re.test(s.text.text));
}

/** The one instance that boots the images when the tree shows a single fixed machine: no `count` / `for_each` (or count = 1), not a launch template. */
function singleInstance(model: DeploymentModel, builds: readonly BuildInfo[]): InstanceInfo | undefined {
  const insts = [...new Set(builds.flatMap((b) => instancesOf(model, b)))];
  if (insts.length !== 1) return undefined;
  const i = insts[0]!;
  if (!/^aws_instance\./.test(i.address) || attr(i.block.body, 'for_each')) return undefined;
  const count = attr(i.block.body, 'count');
  if (count) {
    const v = model.terraform.evaluate(count.value, dirOf(i.file), i.file);
    if (v.kind !== 'known' || v.text.trim() !== '1') return undefined;
  }
  return i;
}

function privateIps(model: DeploymentModel, i: InstanceInfo): string[] {
  const out: string[] = [];
  const one = attr(i.block.body, 'private_ip');
  if (one) {
    const v = model.terraform.evaluate(one.value, dirOf(i.file), i.file);
    if (v.kind === 'known') out.push(v.text.trim());
  }
  return out;
}

function productName(p: Product): string {
  return p === 'nomad' ? 'Nomad' : 'Consul';
}

function bindSymptom(c: ParsedAgentConfig, e: SettingEntry, ip: string, key: AddressKey): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const port = key.port ?? (c.product === 'nomad' ? 4646 : 8301);
  const tail = `listen tcp ${host}:${port}: bind: cannot assign requested address`;
  const win = c.doc.os === 'windows' ? ` (on Windows: \`bind: The requested address is not valid in its context.\`)` : '';
  if (c.product === 'nomad') {
    if (c.kind === 'server' && (e.path === 'bind_addr' || e.path === 'addresses.rpc'))
      return `\`Error starting agent: … Failed to start RPC layer: listen tcp ${host}:4647: bind: cannot assign requested address\`${win}`;
    return e.path === 'addresses.http' || e.path === 'bind_addr'
      ? `\`Error starting agent: … failed to start HTTP listener: ${tail}\`${win}`
      : `\`Error starting agent: … ${tail}\`${win}`;
  }
  const who = c.kind === 'server' ? 'server' : 'client';
  return e.path === 'bind_addr' || e.path === 'serf_lan' || e.path === 'serf_wan'
    ? `\`Error starting agent: Failed to start Consul ${who}: Failed to start lan serf: Failed to create memberlist: Could not set up network transport: failed to start TCP listener on "${ip}" port ${port}: ${tail}\`${win}`
    : `\`Error starting agent: … ${tail}\`${win}`;
}

function advertiseSymptom(c: ParsedAgentConfig, ip: string): string {
  const gossip = `the machine that owns ${ip} answers the gossip probes meant for the others (\`[WARN] memberlist: Got ping for unexpected node '<name>'\`) and the rest are declared dead (\`memberlist: Suspect <name> has failed, no acks received\`)`;
  if (c.product === 'nomad')
    return `every instance registers ${ip} as its address: servers and CLI reach one machine for all of them (RPC and \`nomad alloc logs\`/\`exec\` time out or hit the wrong node), and ${gossip}`;
  return `every instance advertises ${ip}: ${gossip}; services registered on the other instances resolve to ${ip}`;
}

export const imageBakedAgentAddress: Check = {
  id: 'image-baked-agent-address',
  category: 'state',
  severity: 'warning',
  title: "A literal IP address in an agent's bind / advertise settings, written at image time: every instance booted from the image carries it",
  run(model) {
    const out: Finding[] = [];
    for (const c of model.configs) {
      const keys = keysOf(c.product);
      const entries = flattenSettings(c.doc, c.parse.body).filter((e) => keys[e.path] && e.unknownReason === undefined && typeof e.value === 'string');
      if (entries.length === 0) continue;
      const { provs, path: bakedPath, uploaded } = baking(model, c);
      if (provs.length === 0 || !loadedByAgent(model, c.doc, c.product)) continue;
      const builds = [...new Set(provs.map((p) => buildOfProvisioner(model, p)).filter((b): b is BuildInfo => !!b))];
      const boot = bootWrites(model, builds);
      const bootScripts = [...boot.scripts.values()];
      const win = c.doc.os === 'windows';
      const baked = bakedPath === undefined ? undefined : normPath(bakedPath, win);
      const udConfigs = boot.configs
        .filter((d) => d !== c && d.product === c.product && d.doc.os === c.doc.os)
        .map((d) => ({ d, path: resolvedTargetPath(model, d.doc) }));
      // User-data writes the same file: the baked one is replaced at first boot.
      if (baked !== undefined && udConfigs.some((x) => x.path !== undefined && normPath(x.path, win) === baked)) continue;
      const single = singleInstance(model, builds);
      const fixedIps = single ? privateIps(model, single) : [];
      const hits: Array<{ e: SettingEntry; ip: string; key: AddressKey }> = [];
      const overridden: string[] = [];
      for (const e of entries) {
        const key = keys[e.path]!;
        const ips = (e.value as string)
          .split(/\s+/)
          .map(ipOf)
          .filter((ip): ip is string => ip !== undefined && !sharedByEveryHost(ip));
        if (ips.length === 0) continue;
        const ip = ips[0]!;
        if (fixedIps.includes(ip)) continue;
        // A user-data config sets the same key and loads after the baked file (or elsewhere: the agent's directory order is unknown).
        const later = udConfigs.find(
          (x) =>
            flattenSettings(x.d.doc, x.d.parse.body).some((u) => u.path === e.path) &&
            !(
              baked !== undefined &&
              x.path !== undefined &&
              dirOfPath(normPath(x.path, win)) === dirOfPath(baked) &&
              baseName(baked) > baseName(normPath(x.path, win))
            ),
        );
        if (later) continue;
        if (substitutedAtBoot(bootScripts.length ? bootScripts : model.scripts.filter((s) => provisionersRunning(model, s.file).length === 0), ip, e.path))
          continue;
        if (
          key.flags.length &&
          (serviceFlagValue(model, c.doc.os === 'windows' ? 'windows' : 'linux', c.product, key.flags) !== undefined ||
            flagInScripts(model, c.product, key.flags))
        ) {
          overridden.push(e.path);
          continue;
        }
        hits.push({ e, ip, key });
      }
      if (hits.length === 0) continue;
      const rpcFirst = (h: { e: SettingEntry }) => (c.kind === 'server' && /^(bind_addr|addresses\.rpc)$/.test(h.e.path) ? 0 : 1);
      const bind = hits.filter((h) => h.key.kind === 'bind').sort((a, b) => rpcFirst(a) - rpcFirst(b));
      const adv = hits.filter((h) => h.key.kind === 'advertise');
      const primary = bind[0] ?? adv[0]!;
      const list = hits.map((h) => `${h.e.path} = ${h.e.display}`).join(', ');
      const name = productName(c.product);
      const provNote = provs.map((p) => `${p.type} provisioner at ${lineOf(model, p.span)}`).join(', ');
      const builders = [...new Set(provs.flatMap((p) => (p.buildSources ?? []).map((b) => b.name)))];
      const buildNote = builds.length
        ? builds
            .map((b) => {
              const src = b.sources.length ? ` (${b.sources.join(', ')}${b.images.length ? `, ${showImages(b.images)}` : ''})` : '';
              return `the image build at ${lineOf(model, b.keywordSpan)}${src}`;
            })
            .join(' and ')
        : `the Packer template ${provs[0]!.file}${builders.length ? ` (builders: ${builders.join(', ')})` : ''}`;
      const how = uploaded
        ? `${c.doc.hostFile} is uploaded by the ${provNote}${bakedPath ? ` to ${bakedPath}` : ''}`
        : `${c.doc.writeSpan.file} writes it${bakedPath ? ` to ${bakedPath}` : ''} (${c.doc.via}), run by the ${provNote}`;
      const valueChain = primary.e.chain.some((x) => x.span.file !== primary.e.valueSpan.file)
        ? ` The value comes from ${chainText(model, primary.e.chain)}.`
        : '';
      const insts = [...new Set(builds.flatMap((b) => instancesOf(model, b)))];
      const who = insts.length
        ? `Every instance of ${insts.map((i) => i.address).join(', ')} boots this image with the same literal`
        : 'Every instance booted from this image carries the same literal';
      const parts: string[] = [];
      if (bind.length)
        parts.push(
          `${bind.map((h) => h.e.path).join(', ')} ${bind.length > 1 ? 'are addresses' : 'is an address'} the agent listens on: on every instance that does not own ${bind[0]!.ip} the listener fails and the agent does not start: ${bindSymptom(c, bind[0]!.e, bind[0]!.ip, bind[0]!.key)}.`,
        );
      if (adv.length) parts.push(`${adv.map((h) => h.e.path).join(', ')}: ${advertiseSymptom(c, adv[0]!.ip)}.`);
      const related: RelatedInfo[] = [
        ...hits.filter((h) => h !== primary).map((h) => ({ span: h.e.valueSpan, message: `${h.e.path} = ${h.e.display} (baked into the image)` })),
        ...provs.map((p) => ({ span: p.span, message: `${p.type} provisioner puts this ${name} config into the image` })),
        ...insts.filter((i) => i.imageSpan).map((i) => ({ span: i.imageSpan!, message: `${i.address} boots this image` })),
        ...chainRelated(primary.e.chain, primary.e.valueSpan),
      ];
      out.push(
        finding({
          check: imageBakedAgentAddress,
          severity: bind.length ? 'error' : 'warning',
          span: primary.e.valueSpan,
          message:
            `${list} in this ${name} config is a literal address written at image time: ${how}, in ${buildNote}. ${who}.${valueChain} ` +
            parts.join(' ') +
            (overridden.length ? ` (${overridden.join(', ')} ${overridden.length > 1 ? 'are' : 'is'} overridden by a command-line flag.)` : '') +
            ` Use a go-sockaddr template (\`{{ GetPrivateIP }}\`, \`{{ GetInterfaceIP "eth0" }}\`) or ${c.product === 'nomad' ? '`0.0.0.0` for bind_addr' : '`0.0.0.0` / `127.0.0.1` for the listeners'}, or write the address at first boot from user-data.`,
          related,
        }),
      );
    }
    return out;
  },
};
