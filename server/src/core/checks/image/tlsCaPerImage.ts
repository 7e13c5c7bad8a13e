/**
 * tls-ca-per-image: a script a Packer build runs creates the Consul/Nomad TLS CA (`consul tls ca create`,
 * `nomad tls ca create`), and more than one image is built that way. Each run generates a new key pair, so every
 * image carries its own CA: agents booted from different images sign and verify with different CAs, and their
 * TLS connections fail with `x509: certificate signed by unknown authority`. Reported only when some agent config
 * of the product names a CA file (the CA is used).
 */
import type { Role } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import { truthy } from '../drift/compare';
import type { Product, Finding, RelatedInfo } from '../../types';
import { finding, rolesOf } from '../check';
import type { Check } from '../check';
import type { BuildCommand, PackerBuild } from './shared';
import { commandsOf, lineOf, packerBuilds, programFileName } from './shared';

/**
 * What a `consul tls …` / `nomad tls …` command does: `ca create` or `cert create`, and for which product. The name may
 * be a path (`/usr/local/bin/consul`, `C:\\HashiCorp\\Consul\\consul.exe`) and come after `sudo`.
 */
export function tlsCommand(c: { readonly name: string; readonly words: readonly string[] }): { product: Product; what: 'ca' | 'cert' } | undefined {
  let name = c.name.toLowerCase();
  let words = c.words;
  if (name === 'sudo') {
    const i = words.findIndex((w) => !w.startsWith('-'));
    if (i < 0) return undefined;
    name = words[i]!.toLowerCase();
    words = words.slice(i + 1);
  }
  name = programFileName(name);
  if (name !== 'consul' && name !== 'nomad') return undefined;
  const verbs = words.filter((w) => !w.startsWith('-')).map((w) => w.toLowerCase());
  if (verbs[0] !== 'tls' || verbs[2] !== 'create') return undefined;
  return verbs[1] === 'ca' || verbs[1] === 'cert' ? { product: name, what: verbs[1] } : undefined;
}

/** The product whose CA the command creates: `consul tls ca create …`, also behind `sudo`. */
export function caCreateProduct(c: { readonly name: string; readonly words: readonly string[] }): Product | undefined {
  const t = tlsCommand(c);
  return t?.what === 'ca' ? t.product : undefined;
}

const CA_KEYS: Record<Product, readonly string[]> = {
  consul: ['ca_file', 'ca_path', 'tls.defaults.ca_file', 'tls.defaults.ca_path', 'tls.internal_rpc.ca_file', 'tls.internal_rpc.ca_path'],
  nomad: ['tls.ca_file'],
};

export function caSetting(roles: readonly Role[], product: Product): boolean {
  return roles.some((r) => CA_KEYS[product].some((k) => r.settings.has(k)));
}

const VERIFY: Record<Product, readonly string[]> = {
  consul: [
    'verify_incoming',
    'verify_incoming_rpc',
    'verify_outgoing',
    'verify_server_hostname',
    'tls.defaults.verify_incoming',
    'tls.defaults.verify_outgoing',
    'tls.internal_rpc.verify_incoming',
    'tls.internal_rpc.verify_outgoing',
    'tls.internal_rpc.verify_server_hostname',
  ],
  // Nomad's RPC TLS is mutual: `rpc = true` makes servers and clients verify each other's certificates.
  nomad: ['tls.rpc', 'tls.verify_server_hostname'],
};

/** The first setting of the product's agents that verifies peers' certificates against the CA (known and true). */
export function verification(roles: readonly Role[], product: Product): { role: Role; entry: SettingEntry } | undefined {
  for (const role of roles)
    for (const k of VERIFY[product]) {
      const e = role.settings.get(k);
      if (e && !e.unknownReason && truthy(e.value)) return { role, entry: e };
    }
  return undefined;
}

interface CaCreate {
  readonly build: PackerBuild;
  readonly cmd: BuildCommand;
}

function imageName(b: PackerBuild): string {
  return b.sources.length ? `${b.file} (${b.sources.join(', ')})` : b.file;
}

export const tlsCaPerImage: Check = {
  id: 'tls-ca-per-image',
  category: 'tls',
  severity: 'error',
  title:
    'A Consul/Nomad TLS CA is created at image build time: several images each have their own (agents from different images do not trust each other); one image ships the CA key and changes CA on every rebuild',
  run(model) {
    const out: Finding[] = [];
    const byProduct = new Map<Product, CaCreate[]>();
    for (const b of packerBuilds(model)) {
      for (const p of b.provisioners)
        for (const c of commandsOf(model, p)) {
          const product = caCreateProduct(c);
          if (!product) continue;
          const list = byProduct.get(product) ?? [];
          // One CA per image: the first command of a build is the one reported.
          if (!list.some((x) => x.build.key === b.key)) list.push({ build: b, cmd: c });
          byProduct.set(product, list);
        }
    }
    for (const [product, creates] of byProduct) {
      // Every source of a build is its own machine, so its own run of the command and its own CA.
      const images = creates.reduce((n, x) => n + Math.max(1, x.build.sources.length), 0);
      const roles = rolesOf(model, product);
      if (!caSetting(roles, product)) continue;
      const tool = product === 'consul' ? 'Consul' : 'Nomad';
      if (images === 1) {
        // One image: its instances share the CA today; a rebuild makes another, and the key travels with the image.
        const verify = verification(roles, product);
        if (!verify) continue;
        const x = creates[0]!;
        out.push(
          finding({
            check: tlsCaPerImage,
            span: x.cmd.span,
            severity: 'warning',
            message:
              `The image build ${imageName(x.build)} runs \`${product} tls ca create\`: the machines booted from this image share its ${tool} CA, but every rebuild of the image makes a new one. ` +
              `While a rolling replacement runs machines of the old and the new build side by side, they reject each other's certificates (${verify.entry.path} = ${verify.entry.display}): "x509: certificate signed by unknown authority", the peer logs "remote error: tls: bad certificate". ` +
              `The image also carries the CA private key, which can issue server certificates. Create the CA once, outside the image build, and deliver the CA certificate and each node's certificate at boot.`,
            related: [
              { span: x.cmd.provisioner.span, message: `${imageName(x.build)} runs it from this provisioner` },
              { span: verify.entry.keySpan, message: `${verify.entry.path} = ${verify.entry.display}: peers' certificates are verified against the CA file` },
            ],
          }),
        );
        continue;
      }
      if (images < 2) continue;
      // A script several builds run is one place to fix: one finding per command, naming every image that runs it.
      const bySpan = new Map<string, CaCreate[]>();
      for (const x of creates) {
        const k = `${x.cmd.span.file}:${x.cmd.span.start}:${x.cmd.span.end}`;
        bySpan.set(k, [...(bySpan.get(k) ?? []), x]);
      }
      for (const here of bySpan.values()) {
        const elsewhere = creates.filter((y) => !here.includes(y));
        const names = here.map((x) => imageName(x.build));
        const sources = here.reduce((n, x) => n + Math.max(1, x.build.sources.length), 0);
        const who =
          here.length > 1
            ? `The image builds ${names.join(' and ')} each run this command`
            : sources > 1
              ? `The image build ${names[0]} runs this command once for each of its ${sources} sources`
              : `The image build ${names[0]} runs this command`;
        const also = elsewhere.length
          ? `, and ${elsewhere.map((y) => `${imageName(y.build)} creates another at ${lineOf(model, y.cmd.span)}`).join(', ')}`
          : '';
        const related: RelatedInfo[] = [
          ...here.map((x) => ({ span: x.cmd.provisioner.span, message: `${imageName(x.build)} runs it from this provisioner` })),
          ...elsewhere.map((y) => ({ span: y.cmd.span, message: `${imageName(y.build)} creates another CA here` })),
        ];
        out.push(
          finding({
            check: tlsCaPerImage,
            span: here[0]!.cmd.span,
            message:
              `${who}${also}: \`${product} tls ca create\` makes a new ${tool} CA key pair on every run, so each image ships its own CA. ` +
              `Agents booted from different images sign and verify certificates with different CAs, and their TLS connections fail with "x509: certificate signed by unknown authority" (the peer sees "remote error: tls: bad certificate"); ` +
              `each image also carries a CA private key that can issue server certificates. Create the CA once, outside the image builds, and deliver the CA certificate and each node's certificate at boot.`,
            related,
          }),
        );
      }
    }
    return out;
  },
};
