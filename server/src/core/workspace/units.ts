/**
 * Deployment units. A monorepo holds many clusters (one Terraform root module
 * each, with its templates, scripts and images); their roles must not be
 * merged, and an edit in one cluster must not re-analyse the others.
 *
 * Each root module gets the largest directory above it that holds no other
 * root module; a file belongs to the deepest such directory that contains it.
 * Files outside every unit directory (shared modules, shared scripts) belong
 * to every unit. With zero or one root module the whole tree is one unit.
 */
import { dirOf } from './fileKinds';

export interface DeploymentUnit {
  /** Root-relative directory of the unit ('' for the whole tree). */
  readonly dir: string;
  readonly files: readonly string[];
}

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

function ancestors(dir: string): string[] {
  const out = [dir];
  let d = dir;
  while (d !== '') {
    d = dirOf(d);
    out.push(d);
  }
  return out;
}

export function partitionUnits(files: readonly string[], rootModules: readonly string[]): DeploymentUnit[] {
  const roots = [...new Set(rootModules)].sort();
  if (roots.length <= 1) return [{ dir: '', files: [...files].sort() }];
  const unitDirs = new Set<string>();
  for (const r of roots) {
    let chosen = r;
    for (const a of ancestors(r)) {
      if (roots.some((o) => o !== r && isUnder(o, a))) break;
      chosen = a;
    }
    unitDirs.add(chosen);
  }
  const own = new Map<string, string[]>([...unitDirs].map((d) => [d, []]));
  const shared: string[] = [];
  for (const f of [...files].sort()) {
    // The deepest unit directory holding the file: its nearest ancestor in the set (a scan of every unit directory
    // per file was quadratic on trees with hundreds of clusters).
    const home = ancestors(dirOf(f)).find((a) => unitDirs.has(a));
    if (home === undefined) shared.push(f);
    else own.get(home)!.push(f);
  }
  return [...own].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([dir, list]) => ({ dir, files: [...list, ...shared].sort() }));
}

/**
 * Units whose directories a `.hashistack-review.json` cluster declares (by directory or glob) become one unit: the
 * roots that deploy one cluster together are analysed, and their roles compared, as one deployment.
 */
export function mergeDeclaredClusters(
  units: readonly DeploymentUnit[],
  clusters: ReadonlyArray<{ readonly name: string; readonly paths: readonly string[] }>,
  matches: (glob: string, dir: string) => boolean,
): DeploymentUnit[] {
  if (clusters.length === 0 || units.length <= 1) return [...units];
  const taken = new Set<DeploymentUnit>();
  const out: DeploymentUnit[] = [];
  for (const c of clusters) {
    const members = units.filter((u) => !taken.has(u) && c.paths.some((p) => matches(p.replace(/\/+$/, ''), u.dir)));
    if (members.length < 2) continue;
    for (const m of members) taken.add(m);
    out.push({ dir: members.map((m) => m.dir).join(' + '), files: [...new Set(members.flatMap((m) => m.files))].sort() });
  }
  return [...out, ...units.filter((u) => !taken.has(u))];
}
