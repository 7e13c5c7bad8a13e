/**
 * The Packer side: which provisioner runs which script with which
 * `environment_vars`, and the values of Packer variables (defaults,
 * `.pkrvars.hcl`, `env()` which is unknown until build time).
 */
import type { HclBlock, HclBody, HclExpr } from './parsers/hcl/ast';
import type { DeploymentModel } from './model/deploymentModel';
import type { ParsedHclFile } from './workspace/parsedFiles';
import { TerraformModel } from './terraform/model';
import type { ChainStep, ResolvedValue, Span } from './types';
import { baseName, dirOf } from './workspace/fileKinds';

export interface PackerProvisioner {
  readonly file: string;
  readonly type: string;
  readonly block: HclBlock;
  /** Script base names (lower-case) this provisioner runs. */
  readonly scripts: readonly string[];
  /** `environment_vars` as NAME -> value with chain; undefined when the provisioner passes none. */
  readonly env: ReadonlyMap<string, ResolvedValue> | undefined;
  readonly span: Span;
  /** The `source` block names of the build (to tell the Linux image from the Windows one). */
  readonly buildSources: readonly string[];
  readonly inline: readonly HclExpr[];
}

const cache = new WeakMap<readonly ParsedHclFile[], PackerProvisioner[]>();

export function packerProvisioners(model: Pick<DeploymentModel, 'packerFiles'>): PackerProvisioner[] {
  return provisionersOf(model.packerFiles);
}

/** The provisioners of a set of Packer files (cached per parsed set). */
export function provisionersOf(packerFiles: readonly ParsedHclFile[]): PackerProvisioner[] {
  const hit = cache.get(packerFiles);
  if (hit) return hit;
  const defs = packerFiles.filter((f) => !f.file.endsWith('.pkrvars.hcl'));
  const vars = packerFiles.filter((f) => f.file.endsWith('.pkrvars.hcl'));
  const values = new TerraformModel(defs, vars);
  const out: PackerProvisioner[] = [];
  for (const f of defs) {
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== 'build') continue;
      const sources = collectSources(item.body);
      for (const p of item.body.items) {
        if (p.kind !== 'block' || p.type !== 'provisioner') continue;
        out.push(provisioner(f.file, p, values, sources));
      }
    }
  }
  cache.set(packerFiles, out);
  return out;
}

function collectSources(body: HclBody): string[] {
  const out: string[] = [];
  for (const i of body.items) {
    if (i.kind === 'attribute' && i.name === 'sources' && i.value.type === 'list') {
      for (const s of i.value.items) out.push(s.type === 'string' ? s.value : s.type === 'traversal' ? s.path.join('.') : '');
    }
    if (i.kind === 'block' && i.type === 'source') out.push(i.labels.map((l) => l.value).join('.'));
  }
  return out;
}

function provisioner(file: string, block: HclBlock, values: TerraformModel, buildSources: string[]): PackerProvisioner {
  const dir = dirOf(file);
  const scripts: string[] = [];
  let env: Map<string, ResolvedValue> | undefined;
  const inline: HclExpr[] = [];
  for (const a of block.body.items) {
    if (a.kind !== 'attribute') continue;
    if (a.name === 'script' || a.name === 'scripts') {
      const items = a.value.type === 'list' ? a.value.items : [a.value];
      for (const s of items) {
        const v = values.evaluate(s, dir, file);
        const text = v.kind === 'known' ? v.text : s.type === 'string' ? s.value : '';
        if (text) scripts.push(baseName(text).toLowerCase());
      }
    } else if (a.name === 'environment_vars' && a.value.type === 'list') {
      env = new Map();
      for (const item of a.value.items) {
        const v = values.evaluate(item, dir, file);
        const raw = item.type === 'string' ? item.value : '';
        const eq = (v.kind === 'known' ? v.text : raw).indexOf('=');
        const name = (v.kind === 'known' ? v.text : raw).slice(0, Math.max(0, eq));
        if (!name) continue;
        const step: ChainStep = { span: { file, start: item.start, end: item.end }, note: `Packer provisioner passes ${name} in environment_vars` };
        env.set(name, v.kind === 'known' ? { ...v, text: v.text.slice(eq + 1), chain: [...v.chain, step] } : { ...v, chain: [...v.chain, step] });
      }
    } else if (a.name === 'inline' && a.value.type === 'list') inline.push(...a.value.items);
  }
  return { file, type: block.labels[0]?.value ?? '', block, scripts, env, span: { file, start: block.start, end: block.end }, buildSources, inline };
}

/** The provisioners of the tree that run a given script (by base name). */
export function provisionersRunning(model: DeploymentModel, scriptFile: string): PackerProvisioner[] {
  const b = baseName(scriptFile).toLowerCase();
  return packerProvisioners(model).filter((p) => p.scripts.includes(b));
}
