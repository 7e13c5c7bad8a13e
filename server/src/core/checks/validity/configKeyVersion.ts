/**
 * config-key-version: a config key the pinned agent version does not know yet
 * (`acl { tokens { dns = ... } }` needs Consul 1.17.0; an image that installs
 * 1.12.1 refuses to start) or no longer knows (`telemetry {
 * disable_compat_1.9 }` was removed in Consul 1.13.0).
 *
 * The version is the one the model says the role's image or script installs
 * (checks/image/imageVersionSkew.ts effectiveVersions): from the script that
 * writes the config, else from the Packer build that bakes it, else from the
 * images of the config's OS. A version that is not pinned, not exact
 * (`1.12.*`, `latest`) or not the same on every candidate gives no finding.
 *
 * Which releases know a key is in schemas/config-key-versions.json (one
 * upstream changelog line per entry). A key valid in the current schema but
 * not at the pinned version is this rule's; a key no release knows stays with
 * unknown-config-key, which leaves a removed key here when the version is known.
 *
 * Symptoms, from the sources:
 * - Consul: unused keys become `invalid config key <path>` and the agent does
 *   not start (hashicorp/consul agent/config/config.go Parse: `for _, k := range
 *   md.Unused { err = multierror.Append(err, fmt.Errorf("invalid config key %s", k)) }`).
 * - Nomad: command/agent/config_parse.go ParseConfigFile calls extraKeys(c),
 *   which ends in helper.UnusedKeys: `fmt.Errorf("%sunexpected keys %s", ps, ...)`,
 *   and the agent does not start. The `consul` and `vault` blocks are decoded
 *   with mapstructure.WeakDecode (parseConsuls/parseVaults) and ignore unknown keys.
 */
import type { InstalledVersion } from '../../api';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import { loadSchema } from '../../assets';
import type { DeploymentModel } from '../../model/deploymentModel';
import { provisionerScripts } from '../../packer';
import type { ChainStep, Finding, Product } from '../../types';
import type { Check } from '../check';
import { chainRelated, chainText, finding } from '../check';
import { buildInfos } from '../image/imageLinks';
import { effectiveVersions } from '../image/imageVersionSkew';
import { compareVersions, lineOf } from '../image/shared';
import { validateConfig } from './configJson';
import type { ConfigJson, PointerInfo } from './configJson';

export interface KeyVersion {
  readonly path: string;
  /** First release that knows the key; a list when it was backported (one release per minor line). */
  readonly since?: string | readonly string[];
  /** First release that no longer knows the key. */
  readonly removedIn?: string;
  /** The key older releases use instead. */
  readonly replaces?: string;
  /**
   * What a release that does not know the key says, when that is not the decoder's unknown-key error (a key the
   * decoder reads but the builder rejects in that block: `tls.defaults.verify_server_hostname` before Consul 1.17).
   */
  readonly error?: string;
  readonly source: string;
}

type Table = Partial<Record<Product, readonly KeyVersion[]>>;

function table(): Table {
  return (loadSchema('config-key-versions.json') as Table | undefined) ?? {};
}

/** The entry for a dotted key path (`acl.tokens.dns`), if the key's releases are known. */
export function keyVersion(product: Product, path: string): KeyVersion | undefined {
  return table()[product]?.find((e) => e.path === path);
}

/** `1.12.1` from `1.12.1`, `v1.12.1`, `1.12.1-1` (a package revision), `1.17.0+ent`; undefined for ranges and names. */
export function exactVersion(v: string | undefined): string | undefined {
  const m = v === undefined ? null : /^v?(\d+)\.(\d+)\.(\d+)(?:[-+~][\w.+~-]*)?$/.exec(v.trim());
  return m ? `${m[1]}.${m[2]}.${m[3]}` : undefined;
}

const minor = (v: string) => v.split('.').slice(0, 2).join('.');

/** Whether `version` knows a key added in `since` (a list: the release of the same minor line, or the newest listed). */
export function knows(version: string, since: string | readonly string[]): boolean {
  const list = typeof since === 'string' ? [since] : [...since];
  const sameLine = list.find((s) => minor(s) === minor(version));
  if (sameLine) return compareVersions(version, sameLine) >= 0;
  const oldest = list.reduce((a, b) => (compareVersions(a, b) <= 0 ? a : b));
  const newest = list.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));
  if (compareVersions(version, oldest) < 0) return false;
  return compareVersions(version, newest) >= 0;
}

export interface PinnedVersion {
  readonly version: string;
  readonly installed: InstalledVersion;
  readonly how: string;
}

/**
 * The exact version of the config's product its machine runs, when the model knows it: the versions installed by the
 * script that writes the config, else by the Packer build that bakes it, else by the images of its OS. Every candidate
 * of the first non-empty group must pin the same exact version.
 */
export function pinnedVersionFor(model: DeploymentModel, cfg: ParsedAgentConfig): PinnedVersion | undefined {
  const all = effectiveVersions(model).filter((v) => v.product === cfg.product);
  if (all.length === 0) return undefined;
  const host = cfg.doc.hostFile;
  const groups: Array<{ vs: InstalledVersion[]; how: string }> = [
    { vs: all.filter((v) => v.span.file === host), how: `installed by ${host}, which writes this config` },
  ];
  const baking = buildInfos(model).filter(
    (b) =>
      b.provisioners.some((p) => provisionerScripts(model, p).includes(host)) ||
      b.uploads.some((u) => host === u.treePath || host.startsWith(`${u.treePath}/`)),
  );
  if (baking.length > 0) {
    const files = new Set(baking.flatMap((b) => [b.file, ...b.provisioners.flatMap((p) => provisionerScripts(model, p))]));
    groups.push({
      vs: all.filter((v) => files.has(v.span.file)),
      how: `installed by the image that bakes this config (${baking.map((b) => b.file).join(', ')})`,
    });
  }
  groups.push({ vs: all.filter((v) => v.os === cfg.doc.os), how: `installed by the ${cfg.doc.os} image` });
  const group = groups.find((g) => g.vs.length > 0);
  if (!group) return undefined;
  const exact = group.vs.map((v) => (v.pinned ? exactVersion(v.version) : undefined));
  const first = exact[0];
  if (first === undefined || exact.some((e) => e !== first)) return undefined;
  return { version: first, installed: group.vs[0]!, how: group.how };
}

function productName(p: Product): string {
  return p === 'nomad' ? 'Nomad' : 'Consul';
}

function symptom(cfg: ParsedAgentConfig, path: string, version: string, error: string | undefined): string {
  const name = `${productName(cfg.product)} ${version}`;
  if (error !== undefined) return `${name} refuses to start: \`${error}\``;
  if (cfg.product === 'consul') return `${name} refuses to start: \`invalid config key ${path}\``;
  const top = path.split('.')[0];
  if (top === 'consul' || top === 'vault') return `${name} decodes the \`${top}\` block loosely and silently ignores the key: the setting has no effect`;
  const key = path.slice(path.lastIndexOf('.') + 1);
  return `${name} refuses to start: \`unexpected keys ${key}\``;
}

const byProduct = new Map<Product, ReadonlyMap<string, KeyVersion>>();

function entriesByPath(product: Product): ReadonlyMap<string, KeyVersion> {
  let m = byProduct.get(product);
  if (m === undefined) byProduct.set(product, (m = new Map((table()[product] ?? []).map((e) => [e.path, e]))));
  return m;
}

/** The keys of a converted config that the table lists, per conversion (reused while the config's text is unchanged). */
const hitsOf = new WeakMap<ConfigJson, readonly PointerInfo[]>();

function versionedKeys(json: ConfigJson, byPath: ReadonlyMap<string, KeyVersion>): readonly PointerInfo[] {
  let hits = hitsOf.get(json);
  if (hits === undefined) {
    hits = [...json.pointers.values()].filter((p) => byPath.has(p.path)).sort((a, b) => a.path.length - b.path.length);
    hitsOf.set(json, hits);
  }
  return hits;
}

export const configKeyVersion: Check = {
  id: 'config-key-version',
  category: 'version',
  severity: 'error',
  title: 'Agent config key the pinned Nomad/Consul version does not know (added later or removed)',
  run(model) {
    const out: Finding[] = [];
    for (const cfg of model.configs) {
      const byPath = entriesByPath(cfg.product);
      if (byPath.size === 0) continue;
      const hits = versionedKeys(validateConfig(cfg).json, byPath);
      if (hits.length === 0) continue;
      const pinned = pinnedVersionFor(model, cfg);
      if (!pinned) continue;
      const reported: string[] = [];
      for (const info of hits) {
        const e = byPath.get(info.path)!;
        const tooOld = e.since !== undefined && !knows(pinned.version, e.since);
        const tooNew = e.removedIn !== undefined && compareVersions(pinned.version, e.removedIn) >= 0;
        if (!tooOld && !tooNew) continue;
        // `tls { defaults { ... } }` on 1.11: the `tls` block is the finding, not each key inside it.
        if (reported.some((r) => info.path.startsWith(`${r}.`))) continue;
        reported.push(info.path);
        const name = productName(cfg.product);
        const v = pinned.installed;
        const where = v.chain.length > 0 ? chainText(model, v.chain as ChainStep[]) : lineOf(model, v.span);
        const change = tooOld
          ? `\`${info.path}\` needs ${name} ${typeof e.since === 'string' ? e.since : [...e.since!].join(' / ')} or later`
          : `\`${info.path}\` was removed in ${name} ${e.removedIn}`;
        const fix = tooOld
          ? `Pin ${name} ${typeof e.since === 'string' ? e.since : 'a release that has it'} or later in the image, or remove the key${e.replaces ? ` (older releases use ${e.replaces.includes(' ') ? e.replaces : `\`${e.replaces}\``})` : ''}.`
          : `Remove the key, or pin a release before ${e.removedIn}.`;
        out.push(
          finding({
            check: configKeyVersion,
            span: cfg.doc.text.toHost(info.keyStart, info.keyEnd),
            message: `${change}, but this ${name} agent runs ${pinned.version} (${pinned.how}; pinned at ${where}). ${symptom(cfg, info.path, pinned.version, tooOld ? e.error : undefined)}. ${fix}`,
            related: [{ span: v.span, message: `${name} ${pinned.version} installed here` }, ...chainRelated(v.chain, v.span, 'version: ')],
          }),
        );
      }
    }
    return out;
  },
};
