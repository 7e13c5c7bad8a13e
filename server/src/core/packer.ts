/**
 * The Packer side: which provisioner runs which script with which
 * `environment_vars`, and the values of Packer variables (defaults,
 * `.pkrvars.hcl`, `env()` which is unknown until build time).
 */
import type { HclAttribute, HclBlock, HclBody, HclExpr } from './parsers/hcl/ast';
import type { DeploymentModel } from './model/deploymentModel';
import type { ParsedHclFile } from './workspace/parsedFiles';
import { TerraformModel } from './terraform/model';
import type { ChainStep, ResolvedValue, Span } from './types';
import { baseName, dirOf, joinRel } from './workspace/fileKinds';

export interface PackerProvisioner {
  readonly file: string;
  readonly type: string;
  readonly block: HclBlock;
  /** Script base names (lower-case) this provisioner runs. */
  readonly scripts: readonly string[];
  /**
   * For each script, the tree paths it may be (relative to the template's directory, where Packer is usually run,
   * then to the tree root), aligned with `scripts`. `provisionerScripts` picks the one that exists; only when none
   * does is a script matched by base name (`./install.sh` in two templates is two different files).
   */
  readonly scriptPaths: ReadonlyArray<readonly string[]>;
  /** `environment_vars` as NAME -> value with chain; undefined when the provisioner passes none. */
  readonly env: ReadonlyMap<string, ResolvedValue> | undefined;
  readonly span: Span;
  /** The sources of the build (the builders of a JSON template), to tell the Linux image from the Windows one. */
  readonly buildSources: readonly BuildSource[];
  /** Those of `buildSources` this provisioner runs on: all of them unless `only` / `except` narrow them (see `runsOn`). */
  readonly runsOn: readonly BuildSource[];
  readonly inline: readonly HclExpr[];
  /** Each `inline` command with Packer variables substituted (`${var.x}`, `{{user `x`}}`), aligned with `inline`. */
  readonly inlineValues: readonly ResolvedValue[];
  /** The local paths Packer checks before it builds: `script`/`scripts` of the script provisioners, a file upload's `source`/`sources`. */
  readonly localPaths: readonly PackerLocalPath[];
}

/**
 * A path on the machine running Packer that a provisioner names. Packer stats each one when it prepares the
 * provisioner, before any builder starts: the shell, shell-local, powershell and windows-shell provisioners return
 * `Bad script '%s': %s` for a script `os.Stat` cannot find, the file provisioner `Bad source '%s': %s` for an upload
 * source (provisioner/shell, provisioner/powershell, provisioner/file `Prepare` in github.com/hashicorp/packer; the
 * file provisioner skips the check with `generated = true` and for `direction = "download"`).
 */
export interface PackerLocalPath {
  /** `script`, `scripts`, `source` or `sources`; on a builder `user_data_file`, `floppy_files`, `floppy_dirs` or `cd_files`. */
  readonly attr: string;
  /** The path expression. */
  readonly span: Span;
  /** The path as Packer gets it, variables substituted; unknown when a part is known only at build time. */
  readonly value: ResolvedValue;
  /** A directory upload (`source = "files/"`): a directory of the tree, not a file. */
  readonly directory: boolean;
  /** The value starts from `path.root` (HCL2), already evaluated to the template's tree directory: it does not depend on where Packer runs. */
  readonly fromRoot: boolean;
}

/** The provisioners whose `script` / `scripts` are local files Packer stats before the build (their `Prepare`). */
const LOCAL_SCRIPT_PROVISIONERS = new Set(['shell', 'shell-local', 'powershell', 'windows-shell']);

/**
 * The local files a builder names on itself (an HCL2 `source` block, top-level or build-level, or a JSON builder),
 * which its `Prepare` stats before any build starts. Like a provisioner's script, each is the path as written, given
 * to `os.Stat`, so relative to the directory Packer runs from:
 * - `user_data_file` of the amazon builders (github.com/hashicorp/packer-plugin-amazon builder/common/run_config.go,
 *   RunConfig.Prepare: `user_data_file not found: %s`);
 * - `floppy_files` and `floppy_dirs` of any builder with a floppy (github.com/hashicorp/packer-plugin-sdk
 *   multistep/commonsteps/floppy_config.go: `Bad Floppy disk file '%s': %s`, `Bad Floppy disk directory '%s': %s`);
 *   the docs allow a directory among `floppy_files`, and an entry with `*`, `?` or `[` is a glob Packer only parses;
 * - `cd_files` (commonsteps/extra_cd_config.go, CDConfig.Prepare: `Bad CD disk file '%s': %s`), same rules.
 * `http_directory` is not one: HTTPConfig.Prepare (commonsteps/http_config.go) never stats it, a missing directory
 * only makes the build's HTTP server answer 404.
 */
export interface PackerSourcePaths {
  readonly file: string;
  /** `amazon-ebs`. */
  readonly type: string;
  /** How the template names the builder: `source "amazon-ebs" "windows"`, `source "amazon-ebs.windows"` in a build, `builder "amazon-ebs"`. */
  readonly label: string;
  readonly span: Span;
  readonly localPaths: readonly PackerLocalPath[];
}

/** The builder settings listed in PackerSourcePaths' comment, for a builder type. */
function sourcePathAttrs(type: string): string[] {
  return [...(type.startsWith('amazon-') ? ['user_data_file'] : []), 'floppy_files', 'floppy_dirs', 'cd_files'];
}

/** The local paths of one builder body, given a reader of its attributes (HCL2 block or JSON object). */
function sourceLocalPaths(
  type: string,
  read: (name: string) => Array<{ span: Span; value: ResolvedValue; fromRoot?: boolean }> | undefined,
): PackerLocalPath[] {
  const out: PackerLocalPath[] = [];
  for (const attr of sourcePathAttrs(type)) {
    for (const r of read(attr) ?? []) {
      const directory = attr === 'floppy_dirs' || (r.value.kind === 'known' && /[\\/]$/.test(r.value.text));
      out.push({ attr, span: r.span, value: r.value, directory, fromRoot: r.fromRoot ?? false });
    }
  }
  return out;
}

/**
 * The builders of HCL2 templates that some `build` uses (Packer prepares no other), each block once: the top-level
 * `source "TYPE" "NAME"` and a build-level `source "TYPE.NAME" { … }` with its own settings (Packer merges the two,
 * see sourceSetting; each setting is checked where it is written).
 */
function hclSourcePaths(defs: readonly ParsedHclFile[], values: TerraformModel): PackerSourcePaths[] {
  const top = topLevelSources(defs);
  const out: PackerSourcePaths[] = [];
  const seen = new Set<HclBlock>();
  const add = (file: string, type: string, label: string, block: HclBlock) => {
    if (seen.has(block)) return;
    seen.add(block);
    const dir = dirOf(file);
    const localPaths = sourceLocalPaths(type, (name) => {
      const a = block.body.items.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === name);
      if (!a) return undefined;
      return (a.value.type === 'list' ? a.value.items : [a.value]).map((e) => ({
        span: { file, start: e.start, end: e.end },
        value: hclPathValue(values, e, dir, file),
        fromRoot: startsFromPathRoot(e),
      }));
    });
    if (localPaths.length > 0) out.push({ file, type, label, span: { file, start: block.start, end: block.end }, localPaths });
  };
  for (const f of defs) {
    if (isPackerJson(f)) continue;
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== 'build') continue;
      for (const src of buildSourcesOf(item.body, f.file)) {
        const type = src.ref.split('.')[1] ?? '';
        const t = top.get(src.ref);
        if (t) add(t.file, type, `source "${type}" "${t.block.labels[1]!.value}"`, t.block);
        const own = item.body.items.find((b): b is HclBlock => b.kind === 'block' && b.type === 'source' && b.body === src.settings);
        if (own) add(f.file, type, `source "${own.labels.map((l) => l.value).join('.')}" in a build`, own);
      }
    }
  }
  return out;
}

/** The builders of a legacy JSON template (each object of `builders`, whose `type` says which). */
function jsonSourcePaths(f: ParsedHclFile): PackerSourcePaths[] {
  const render = jsonRenderer(f);
  const out: PackerSourcePaths[] = [];
  for (const b of f.parse.body.items) {
    if (b.kind !== 'block' || b.type !== 'builders') continue;
    const typeAttr = b.body.items.find((a): a is HclAttribute => a.kind === 'attribute' && a.name === 'type');
    const type = typeAttr?.value.type === 'string' ? typeAttr.value.value : '';
    const localPaths = sourceLocalPaths(type, (name) => {
      const a = b.body.items.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === name);
      if (!a) return undefined;
      return (a.value.type === 'list' ? a.value.items : [a.value]).map((e) => ({
        span: { file: f.file, start: e.start, end: e.end },
        value: jsonPathValue(render(e)),
      }));
    });
    if (localPaths.length > 0) out.push({ file: f.file, type, label: `builder "${type}"`, span: { file: f.file, start: b.start, end: b.end }, localPaths });
  }
  return out;
}

/** The local files the builders of the Packer templates name on themselves (see PackerSourcePaths). */
export function packerSourcePaths(model: Pick<DeploymentModel, 'packerFiles'>): readonly PackerSourcePaths[] {
  return evaluated(model.packerFiles).sourcePaths;
}

interface Evaluated {
  readonly provisioners: PackerProvisioner[];
  readonly sourcePaths: PackerSourcePaths[];
  /** The Packer variables, locals and `file()` / `templatefile()` calls, read with the Terraform model (same HCL functions). */
  readonly values: TerraformModel;
}

const cache = new WeakMap<readonly ParsedHclFile[], Evaluated>();

/**
 * Each analysis builds a new list of the same parsed files (parses are cached
 * per file), so the provisioners are also found by the identity of the files:
 * an edit elsewhere does not evaluate the Packer templates again.
 */
const recent: Array<{ readonly files: readonly ParsedHclFile[]; readonly evaluated: Evaluated }> = [];

function bySameFiles(files: readonly ParsedHclFile[]): Evaluated | undefined {
  for (const r of recent) {
    if (r.files.length === files.length && r.files.every((f, i) => f === files[i])) return r.evaluated;
  }
  return undefined;
}

export function packerProvisioners(model: Pick<DeploymentModel, 'packerFiles'>): PackerProvisioner[] {
  return provisionersOf(model.packerFiles);
}

/** The provisioners of a set of Packer files (cached per parsed set). */
export function provisionersOf(packerFiles: readonly ParsedHclFile[]): PackerProvisioner[] {
  return evaluated(packerFiles).provisioners;
}

/** The Packer files read as HCL values: variables, locals, `file()` / `templatefile()` calls (cached with the provisioners). */
export function packerValues(model: Pick<DeploymentModel, 'packerFiles'>): TerraformModel {
  return evaluated(model.packerFiles).values;
}

function evaluated(packerFiles: readonly ParsedHclFile[]): Evaluated {
  const hit = cache.get(packerFiles) ?? bySameFiles(packerFiles);
  if (hit) {
    cache.set(packerFiles, hit);
    return hit;
  }
  const defs = packerFiles.filter((f) => !f.file.endsWith('.pkrvars.hcl'));
  const vars = packerFiles.filter((f) => f.file.endsWith('.pkrvars.hcl'));
  const values = new TerraformModel(defs, vars);
  const out: PackerProvisioner[] = [];
  const sourcePaths = hclSourcePaths(defs, values);
  for (const f of defs) {
    if (isPackerJson(f)) {
      out.push(...jsonProvisioners(f));
      sourcePaths.push(...jsonSourcePaths(f));
      continue;
    }
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== 'build') continue;
      const sources = buildSourcesOf(item.body, f.file);
      for (const p of provisionerBlocks(item.body)) out.push(provisioner(f.file, p, values, sources));
    }
  }
  const result: Evaluated = { provisioners: out, sourcePaths, values };
  cache.set(packerFiles, result);
  recent.unshift({ files: packerFiles, evaluated: result });
  if (recent.length > 256) recent.pop();
  return result;
}

/**
 * The provisioner blocks of a Packer `build`, in order, with `dynamic "provisioner"` blocks expanded: the type is
 * the first of its `labels` and the body its `content` block (its `for_each` is taken as enabled: a build that may
 * run the provisioner is reviewed as if it does).
 */
export function provisionerBlocks(build: HclBody): HclBlock[] {
  const out: HclBlock[] = [];
  for (const p of build.items) {
    if (p.kind !== 'block') continue;
    if (p.type === 'provisioner') {
      out.push(p);
      continue;
    }
    if (p.type !== 'dynamic' || p.labels[0]?.value !== 'provisioner') continue;
    const labels = p.body.items.find((i) => i.kind === 'attribute' && i.name === 'labels');
    const first = labels?.kind === 'attribute' && labels.value.type === 'list' ? labels.value.items[0] : undefined;
    const content = p.body.items.find((i): i is HclBlock => i.kind === 'block' && i.type === 'content');
    if (!first || first.type !== 'string' || !content) continue;
    out.push({ ...p, type: 'provisioner', labels: [{ value: first.value, start: first.start, end: first.end }], body: content.body });
  }
  return out;
}

/** A source a `build` runs: the top-level `source` block it uses and the name it has in this build. */
export interface BuildSource {
  /** `source.amazon-ebs.windows`: the top-level block (a JSON template: the builder's name). */
  readonly ref: string;
  /**
   * `amazon-ebs.windows`, or `amazon-ebs.<name>` when a build-level `source` block sets `name`: what `only` / `except`
   * match, and unique within the build (one top-level source may be used twice under two names).
   */
  readonly name: string;
  /**
   * The settings this build adds to the top-level block: the body of a build-level `source "TYPE.NAME" { … }` (a JSON
   * template: the builder object itself). Undefined for an entry of `sources = [...]`, which adds nothing.
   */
  readonly settings?: HclBody;
  /** The file `settings` is written in. */
  readonly settingsFile?: string;
}

/**
 * `TYPE.NAME` from a source reference as written: `source.amazon-ebs.x` (the documented form), `amazon-ebs.x` (a
 * build-level `source "amazon-ebs.x" {}` label, or an `only` entry) or `sources.amazon-ebs.x` (found in real trees).
 */
function sourceKey(text: string): string {
  return text.replace(/^sources?\./, '');
}

/**
 * The sources of a `build`: its `sources = [...]` list and its build-level `source "…" { }` blocks, whose `name`
 * attribute renames the source within this build (Packer docs, "source block" nested in a build block, and "only and
 * except keywords": "To match this builder, you need to use second-example-local-name, not second-example").
 */
export function buildSourcesOf(build: HclBody, file?: string): BuildSource[] {
  const out: BuildSource[] = [];
  const add = (text: string, rename?: string, settings?: HclBody) => {
    const key = sourceKey(text);
    const type = key.slice(0, key.indexOf('.'));
    if (type) out.push({ ref: `source.${key}`, name: rename ? `${type}.${rename}` : key, ...(settings ? { settings, settingsFile: file } : {}) });
  };
  for (const i of build.items) {
    if (i.kind === 'attribute' && i.name === 'sources' && i.value.type === 'list') {
      for (const s of i.value.items) add(s.type === 'string' ? s.value : s.type === 'traversal' ? s.path.join('.') : '');
    }
    if (i.kind === 'block' && i.type === 'source') {
      const name = i.body.items.find((a) => a.kind === 'attribute' && a.name === 'name');
      add(i.labels.map((l) => l.value).join('.'), name?.kind === 'attribute' && name.value.type === 'string' ? name.value.value : undefined, i.body);
    }
  }
  return out;
}

/** The top-level `source "TYPE" "NAME"` blocks of a set of Packer files, by `source.TYPE.NAME` (with their file). */
export function topLevelSources(packerFiles: readonly ParsedHclFile[]): ReadonlyMap<string, { readonly file: string; readonly block: HclBlock }> {
  let hit = topLevelCache.get(packerFiles);
  if (hit) return hit;
  hit = new Map();
  for (const f of packerFiles) {
    for (const item of f.parse.body.items) {
      if (item.kind === 'block' && item.type === 'source' && item.labels.length >= 2)
        hit.set(`source.${item.labels[0]!.value}.${item.labels[1]!.value}`, { file: f.file, block: item });
    }
  }
  topLevelCache.set(packerFiles, hit);
  return hit;
}

const topLevelCache = new WeakMap<readonly ParsedHclFile[], Map<string, { readonly file: string; readonly block: HclBlock }>>();

/**
 * A setting of a build's source as Packer sees it: the build-level block's own value, else the top-level block's.
 * Packer merges the two ("fill in those fields which aren't already set in the top-level source block", and a field
 * set in both is an error: https://developer.hashicorp.com/packer/docs/templates/hcl_templates/blocks/build/source),
 * so whichever block sets it decides.
 */
export function sourceSetting(
  packerFiles: readonly ParsedHclFile[],
  src: BuildSource,
  name: string,
): { readonly file: string; readonly attr: HclAttribute } | undefined {
  const own = src.settings?.items.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === name);
  if (own && src.settingsFile !== undefined) return { file: src.settingsFile, attr: own };
  const top = topLevelSources(packerFiles).get(src.ref);
  const a = top?.block.body.items.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === name);
  return top && a ? { file: top.file, attr: a } : undefined;
}

/**
 * Whether a build's source says it makes a Windows machine: `communicator = "winrm"` (in the build-level block or the
 * top-level one), or WinRM settings (`winrm_username`, `winrm_use_ssl`, …) where no other communicator is chosen.
 * Packer's communicator defaults to SSH, so `winrm_*` beside `communicator = "ssh"` says nothing.
 */
export function sourceIsWindows(packerFiles: readonly ParsedHclFile[], src: BuildSource): boolean {
  const comm = sourceSetting(packerFiles, src, 'communicator')?.attr.value;
  if (comm) return comm.type === 'string' && comm.value.toLowerCase() === 'winrm';
  const top = topLevelSources(packerFiles).get(src.ref)?.block.body;
  return [src.settings, top].some((b) => b?.items.some((i) => i.kind === 'attribute' && /^winrm_/.test(i.name)) ?? false);
}

/**
 * The sources of a build a provisioner runs on. Packer: "only will only run the provisioner on the specified
 * sources and except will run the provisioner on anything other than the specified sources", named without the
 * `source.` prefix: `only = ["amazon-ebs.first-example"]`
 * (https://developer.hashicorp.com/packer/docs/templates/hcl_templates/blocks/build/provisioner, "Run on Specific
 * Sources"). Packer 1.6 documented them with the prefix, `only = ["source.amazon-ebs.first-example"]`
 * (https://developer.hashicorp.com/packer/docs/v1.6.x/from-1.5/onlyexcept): both are read. In a legacy JSON template
 * they are build names, which "default to the types of their builders … unless a specific name attribute is
 * specified" (https://developer.hashicorp.com/packer/docs/templates/hcl_templates/onlyexcept).
 *
 * A name that is no source of the build (a typo, or a source this review could not read) restricts nothing: when
 * `only` names none of them the provisioner is reviewed as running on every source, as it was before only/except
 * were read, rather than vanishing from every image.
 */
export function runsOn(body: HclBody, sources: readonly BuildSource[]): BuildSource[] {
  const names = (attr: string): Set<string> | undefined => {
    const a = body.items.find((i) => i.kind === 'attribute' && i.name === attr);
    if (a?.kind !== 'attribute' || a.value.type !== 'list') return undefined;
    return new Set(a.value.items.flatMap((e) => (e.type === 'string' ? [sourceKey(e.value)] : [])));
  };
  const listed = names('only');
  const only = listed && sources.some((s) => listed.has(s.name)) ? listed : undefined;
  const except = names('except');
  return sources.filter((s) => (only === undefined || only.has(s.name)) && !except?.has(s.name));
}

/** One image a build makes: sources that run the same provisioners (their `source.TYPE.NAME` refs), and those provisioners in order. */
export interface PackerImage {
  readonly sources: readonly string[];
  /** The build's sources this image is made from (one top-level source may appear twice, under two names). */
  readonly members: readonly BuildSource[];
  readonly provisioners: readonly PackerProvisioner[];
}

/**
 * The images of a build (its provisioners, which all share its `buildSources`): the sources grouped by the
 * provisioners that run on them, matched by name. Without only/except every source runs every provisioner and the
 * build is one image, as it always was here; a build that names no source this review can read is one image of all
 * its provisioners.
 */
export function imagesOf(provisioners: readonly PackerProvisioner[]): PackerImage[] {
  const sources = provisioners[0]?.buildSources ?? [];
  if (sources.length === 0) return [{ sources: [], members: [], provisioners }];
  const out = new Map<string, { sources: string[]; members: BuildSource[]; provisioners: PackerProvisioner[] }>();
  for (const s of sources) {
    const mine = provisioners.filter((p) => p.runsOn.some((r) => r.name === s.name));
    const key = mine.map((p) => provisioners.indexOf(p)).join(',');
    const same = out.get(key);
    if (!same) out.set(key, { sources: [s.ref], members: [s], provisioners: mine });
    else {
      same.members.push(s);
      if (!same.sources.includes(s.ref)) same.sources.push(s.ref);
    }
  }
  return [...out.values()];
}

function provisioner(file: string, block: HclBlock, values: TerraformModel, sources: readonly BuildSource[]): PackerProvisioner {
  const dir = dirOf(file);
  const scripts: string[] = [];
  const scriptPaths: string[][] = [];
  let env: Map<string, ResolvedValue> | undefined;
  const inline: HclExpr[] = [];
  for (const a of block.body.items) {
    if (a.kind !== 'attribute') continue;
    if (a.name === 'script' || a.name === 'scripts') {
      const items = a.value.type === 'list' ? a.value.items : [a.value];
      for (const s of items) {
        const v = values.evaluate(s, dir, file);
        const text = v.kind === 'known' ? v.text : s.type === 'string' ? s.value : '';
        if (text) {
          scripts.push(baseName(text).toLowerCase());
          scriptPaths.push(candidatePaths(dir, text));
        }
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
  const inlineValues = inline.map((e) => values.evaluate(e, dir, file));
  const type = block.labels[0]?.value ?? '';
  const localPaths = localPathsOf(type, (name) => {
    const a = block.body.items.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === name);
    if (!a) return undefined;
    const items = a.value.type === 'list' ? a.value.items : [a.value];
    return items.map((e) => ({
      span: { file, start: e.start, end: e.end },
      value: hclPathValue(values, e, dir, file),
      literal: literalOf(e),
      fromRoot: startsFromPathRoot(e),
    }));
  });
  return {
    file,
    type,
    block,
    scripts,
    scriptPaths,
    env,
    span: { file, start: block.start, end: block.end },
    buildSources: sources,
    runsOn: runsOn(block.body, sources),
    inline,
    inlineValues,
    localPaths,
  };
}

/** A path value in Packer HCL. `path.cwd` is where Packer is run from, which the tree does not say (this model would read it as the template's directory). */
function hclPathValue(values: TerraformModel, e: HclExpr, dir: string, file: string): ResolvedValue {
  if (mentions(e, 'path', 'cwd')) return { kind: 'unknown', reason: 'path.cwd is the directory Packer runs from', chain: [] };
  return values.evaluate(e, dir, file);
}

/** Whether an expression refers to `root.name` anywhere (`path.cwd`, inside a template string or a call). */
export function mentions(e: HclExpr, root: string, name: string): boolean {
  switch (e.type) {
    case 'traversal':
      return e.path[0] === root && e.path[1] === name;
    case 'string':
      return e.parts.some((p) => p.kind === 'interpolation' && mentions(p.expr, root, name));
    case 'call':
      return e.args.some((a) => mentions(a, root, name));
    case 'list':
      return e.items.some((i) => mentions(i, root, name));
    case 'object':
      return e.items.some((i) => mentions(i.value, root, name));
    case 'other':
      return (e.operands ?? []).some((o) => mentions(o, root, name));
    default:
      return false;
  }
}

/** Whether a path expression starts with `path.root` (`path.root`, `"${path.root}/x"`). */
export function startsFromPathRoot(e: HclExpr): boolean {
  if (e.type === 'traversal') return e.path[0] === 'path' && e.path[1] === 'root';
  if (e.type !== 'string') return false;
  const first = e.parts.find((p) => p.kind !== 'literal' || p.value !== '');
  return first?.kind === 'interpolation' && startsFromPathRoot(first.expr);
}

function literalOf(e: HclExpr): boolean | string | undefined {
  if (e.type === 'bool') return e.value;
  if (e.type === 'string' && e.parts.every((p) => p.kind === 'literal')) return e.value;
  return undefined;
}

/**
 * The local paths a provisioner names, given a reader of its attributes (HCL block or JSON object): `script` /
 * `scripts` of the script provisioners, `source` / `sources` of a `file` upload that Packer checks (not
 * `generated = true`, not `direction = "download"`, whose source is on the remote machine).
 */
function localPathsOf(
  type: string,
  read: (name: string) => Array<{ span: Span; value: ResolvedValue; literal: boolean | string | undefined; fromRoot?: boolean }> | undefined,
): PackerLocalPath[] {
  const out: PackerLocalPath[] = [];
  const add = (attr: string, directoryIfSlash: boolean) => {
    for (const r of read(attr) ?? []) {
      const directory = directoryIfSlash && r.value.kind === 'known' && /[\\/]$/.test(r.value.text);
      out.push({ attr, span: r.span, value: r.value, directory, fromRoot: r.fromRoot ?? false });
    }
  };
  if (LOCAL_SCRIPT_PROVISIONERS.has(type)) {
    add('script', false);
    add('scripts', false);
  } else if (type === 'file') {
    // Set to anything but a literal false / "upload" (a variable too), the flags may turn the check off.
    const generated = read('generated');
    if (generated && generated[0]?.literal !== false && generated[0]?.literal !== 'false') return out;
    const direction = read('direction');
    if (direction && direction[0]?.literal !== 'upload') return out;
    add('source', true);
    add('sources', true);
  }
  return out;
}

/**
 * A rendered JSON template value as a path: `{{template_dir}}` at its start is the template's directory (what
 * candidatePaths reads it as); any other Go template action left in it (`{{pwd}}`, `{{build_name}}`,
 * `{{isotime}}`…) is not known before the build.
 */
function jsonPathValue(v: ResolvedValue): ResolvedValue {
  if (v.kind !== 'known') return v;
  const rest = v.text.replace(/^\{\{\s*template_dir\s*\}\}/, '');
  return rest.includes('{{') ? { kind: 'unknown', reason: `${JSON.stringify(v.text)} holds a template action evaluated at build time`, chain: v.chain } : v;
}

/**
 * Where a local path Packer reads is in the tree.
 *
 * `candidates` are the tree paths the rest of the tool accepts for it (candidatePaths: beside the template, then from
 * the tree root; the first that exists is the file): a path is missing only when none of them exists, so this never
 * contradicts which script the model says a provisioner runs.
 *
 * `readings` are where Packer itself may look, inside the tree: relative to the directory Packer runs from (`cwd`:
 * the template's directory or the tree root, the two usual ones), to the template's directory (`template`: the HCL2
 * file functions, a JSON `{{template_dir}}/…`), or already a tree path (`tree`: a value built on `path.root`, which
 * this model evaluates to the template's tree directory). A reading that climbs above the analysed root
 * (`../shared/x.sh` from the root) is not one: joinRel would silently drop the `..`.
 */
export function localPathCandidates(
  dir: string,
  text: string,
  base: 'cwd' | 'template' | 'tree',
): { readonly candidates: readonly string[]; readonly readings: readonly string[] } {
  const candidates = candidatePaths(dir, text);
  const t = stripTemplateDir(text);
  const templateDir = t !== text.replace(/\\/g, '/');
  const bases = base === 'tree' ? [''] : base === 'template' || templateDir ? [dir] : [dir, ''];
  const readings = bases.filter((b) => !climbsAbove(b, t)).map((b) => joinRel(b, t));
  return { candidates, readings: [...new Set(readings)] };
}

function climbsAbove(base: string, rel: string): boolean {
  let depth = 0;
  for (const part of `${base}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (--depth < 0) return true;
    } else depth++;
  }
  return false;
}

function stripTemplateDir(text: string): string {
  return text
    .replace(/\\/g, '/')
    .replace(/^\$\{path\.root\}\/?/, '')
    .replace(/^\{\{\s*template_dir\s*\}\}\/?/, '');
}

/** `./scripts/install.sh` from `packer/consul/`: beside the template first, then from the tree root. */
function candidatePaths(dir: string, text: string): string[] {
  const t = stripTemplateDir(text);
  if (t.startsWith('/') || /^[A-Za-z]:\//.test(t)) return [];
  return [...new Set([joinRel(dir, t), joinRel('', t)])];
}

/**
 * The tree files a provisioner runs, in order: the script at its path when that file is in the tree; otherwise every
 * script of that base name (a path the tree does not hold exactly, e.g. built from an unknown variable).
 */
export function provisionerScripts(model: Pick<DeploymentModel, 'files'>, p: PackerProvisioner): string[] {
  const out: string[] = [];
  p.scripts.forEach((base, i) => {
    const exact = (p.scriptPaths[i] ?? []).find((c) => model.files.has(c));
    if (exact !== undefined) out.push(exact);
    else for (const f of model.files.keys()) if (baseName(f).toLowerCase() === base) out.push(f);
  });
  return out;
}

/** Whether a provisioner runs this script file (by its path when the provisioner's path is in the tree). */
export function provisionerRuns(model: Pick<DeploymentModel, 'files'>, p: PackerProvisioner, scriptFile: string): boolean {
  const b = baseName(scriptFile).toLowerCase();
  return p.scripts.some((base, i) => {
    if (base !== b) return false;
    const exact = (p.scriptPaths[i] ?? []).find((c) => model.files.has(c));
    return exact === undefined || exact === scriptFile;
  });
}

/** A Packer `file` provisioner with a literal `source` string: the tree paths it may be and its `destination` as written. */
export interface PackerFileUpload {
  readonly provisioner: PackerProvisioner;
  /** The `source` attribute (a single path; `sources` lists are not read here). */
  readonly source: HclAttribute;
  /** The tree paths the source may be (beside the template, then from the tree root). */
  readonly candidates: readonly string[];
  /** `destination` as written, undefined when it is not a string. */
  readonly destination: string | undefined;
}

/** The `file` provisioners of the tree whose `source` is a string (cached with the provisioners). */
export function packerFileUploads(model: Pick<DeploymentModel, 'packerFiles'>): readonly PackerFileUpload[] {
  const provisioners = packerProvisioners(model);
  let hit = uploadsMemo.get(provisioners);
  if (hit) return hit;
  hit = [];
  for (const p of provisioners) {
    if (p.type !== 'file') continue;
    const source = p.block.body.items.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === 'source');
    if (source?.value.type !== 'string') continue;
    const dst = p.block.body.items.find((i) => i.kind === 'attribute' && i.name === 'destination');
    const destination = dst?.kind === 'attribute' && dst.value.type === 'string' ? dst.value.value : undefined;
    hit.push({ provisioner: p, source, candidates: candidatePaths(dirOf(p.file), source.value.type === 'string' ? source.value.value : ''), destination });
  }
  uploadsMemo.set(provisioners, hit);
  return hit;
}

const uploadsMemo = new WeakMap<readonly PackerProvisioner[], PackerFileUpload[]>();

/** Where an upload lands: a destination ending in `/` gets the file's name. */
export function uploadedAs(destination: string, treeFile: string): string {
  return /[\\/]$/.test(destination) ? `${destination}${baseName(treeFile)}` : destination;
}

/**
 * Where the Packer `file` provisioners upload this tree file, as written (`/tmp/consul.service`; a destination
 * ending in `/` gets the file's name), each with the template that uploads it.
 */
export function uploadDestinations(
  model: Pick<DeploymentModel, 'packerFiles'>,
  treeFile: string,
): Array<{ template: string; destination: string; provisioner: PackerProvisioner }> {
  return packerFileUploads(model)
    .filter((u) => u.destination !== undefined && u.candidates.includes(treeFile))
    .map((u) => ({ template: u.provisioner.file, destination: uploadedAs(u.destination!, treeFile), provisioner: u.provisioner }));
}

/** The Packer templates that upload this tree file into their image (a `file` provisioner whose `source` is it). */
export function templatesUploading(model: Pick<DeploymentModel, 'packerFiles'>, treeFile: string): string[] {
  return [
    ...new Set(
      packerFileUploads(model)
        .filter((u) => u.candidates.includes(treeFile))
        .map((u) => u.provisioner.file),
    ),
  ];
}

const runningMemo = new WeakMap<DeploymentModel, Map<string, readonly PackerProvisioner[]>>();

/** The provisioners of the tree that run a given script (asked per config document by several checks: memoised per model). */
export function provisionersRunning(model: DeploymentModel, scriptFile: string): readonly PackerProvisioner[] {
  let byFile = runningMemo.get(model);
  if (byFile === undefined) runningMemo.set(model, (byFile = new Map()));
  let hit = byFile.get(scriptFile);
  if (hit === undefined) byFile.set(scriptFile, (hit = packerProvisioners(model).filter((p) => provisionerRuns(model, p, scriptFile))));
  return hit;
}

/** A legacy Packer JSON template: top-level `builders` and `provisioners`. */
export function isPackerJson(f: ParsedHclFile): boolean {
  if (!f.file.endsWith('.json')) return false;
  const types = new Set(f.parse.body.items.map((i) => (i.kind === 'block' ? i.type : i.name)));
  return types.has('builders') && (types.has('provisioners') || types.has('variables'));
}

/**
 * A renderer of the string values of a Packer JSON template: `{{user `x`}}` reads the template's `variables` object;
 * `{{env `X`}}` (directly or as a variable's default) is unknown until build time.
 */
function jsonRenderer(f: ParsedHclFile): (e: HclExpr) => ResolvedValue {
  const substitute = jsonSubstitution(f);
  return (e: HclExpr): ResolvedValue => {
    if (e.type !== 'string') return { kind: 'unknown', reason: 'not a string', chain: [] };
    const { text, chain, unknownReason } = substitute(e.value);
    return unknownReason ? { kind: 'unknown', reason: unknownReason, chain } : { kind: 'known', text, chain };
  };
}

/**
 * A JSON template string with the `{{user `x`}}` actions whose variable has a literal default substituted; the
 * others (`{{env `X`}}`, a variable without a default, `{{timestamp}}`…) stay as written.
 */
export function jsonTemplateText(f: ParsedHclFile, value: string): string {
  return jsonSubstitution(f)(value).text;
}

function jsonSubstitution(f: ParsedHclFile): (value: string) => { text: string; chain: ChainStep[]; unknownReason: string | undefined } {
  const variables = new Map<string, HclExpr>();
  for (const item of f.parse.body.items) {
    if (item.kind === 'block' && item.type === 'variables') for (const a of item.body.items) if (a.kind === 'attribute') variables.set(a.name, a.value);
  }
  return (value: string) => {
    const chain: ChainStep[] = [];
    let unknownReason: string | undefined;
    const text = value.replace(/\{\{\s*(user|env)\s+`([^`]+)`\s*\}\}/g, (whole, fn: string, name: string) => {
      if (fn === 'env') {
        unknownReason ??= `{{env \`${name}\`}} comes from the environment at build time`;
        return whole;
      }
      const v = variables.get(name);
      if (!v || v.type !== 'string') {
        unknownReason ??= `Packer variable "${name}" has no default in ${f.file}`;
        return whole;
      }
      const inner = /^\{\{\s*env\s+`([^`]+)`\s*\}\}$/.exec(v.value);
      if (inner) {
        unknownReason ??= `Packer variable "${name}" defaults to {{env \`${inner[1]}\`}}, known only at build time`;
        return whole;
      }
      chain.push({ span: { file: f.file, start: v.start, end: v.end }, note: `Packer variable "${name}" default` });
      return v.value;
    });
    return { text, chain, unknownReason };
  };
}

/**
 * Provisioners of a Packer JSON template. Values use Go templates:
 * `{{user `nomad_version`}}` reads the `variables` object; `{{env `X`}}` is
 * unknown until build time.
 */
function jsonProvisioners(f: ParsedHclFile): PackerProvisioner[] {
  const render = jsonRenderer(f);
  // A JSON builder is its own source: `only` / `except` name it by its `name`, which defaults to its `type`.
  const builders: BuildSource[] = f.parse.body.items
    .filter((i): i is HclBlock => i.kind === 'block' && i.type === 'builders')
    .map((b) => {
      const name = b.body.items.find((a) => a.kind === 'attribute' && a.name === 'name');
      const type = b.body.items.find((a) => a.kind === 'attribute' && a.name === 'type');
      const v = (name ?? type) as { value?: HclExpr } | undefined;
      const text = v?.value?.type === 'string' ? v.value.value : 'builder';
      // The builder object holds its own settings (`communicator`, `winrm_username`, …): there is no top-level block.
      return { ref: text, name: text, settings: b.body, settingsFile: f.file };
    });
  const out: PackerProvisioner[] = [];
  for (const item of f.parse.body.items) {
    if (item.kind !== 'block' || item.type !== 'provisioners') continue;
    const attrs = new Map(
      item.body.items.filter((a) => a.kind === 'attribute').map((a) => [(a as { name: string }).name, a as Extract<typeof a, { kind: 'attribute' }>]),
    );
    const typeAttr = attrs.get('type');
    const type = typeAttr?.value.type === 'string' ? typeAttr.value.value : '';
    const scripts: string[] = [];
    const scriptPaths: string[][] = [];
    for (const key of ['script', 'scripts']) {
      const a = attrs.get(key);
      if (!a) continue;
      for (const e of a.value.type === 'list' ? a.value.items : [a.value]) {
        const v = render(e);
        const text = v.kind === 'known' ? v.text : e.type === 'string' ? e.value : '';
        if (text) {
          scripts.push(baseName(text).toLowerCase());
          scriptPaths.push(candidatePaths(dirOf(f.file), text));
        }
      }
    }
    let env: Map<string, ResolvedValue> | undefined;
    const envAttr = attrs.get('environment_vars');
    if (envAttr?.value.type === 'list') {
      env = new Map();
      for (const e of envAttr.value.items) {
        if (e.type !== 'string') continue;
        const eq = e.value.indexOf('=');
        if (eq <= 0) continue;
        const name = e.value.slice(0, eq);
        const v = render({ ...e, value: e.value.slice(eq + 1) });
        const step: ChainStep = { span: { file: f.file, start: e.start, end: e.end }, note: `Packer provisioner passes ${name} in environment_vars` };
        env.set(name, { ...v, chain: [...v.chain, step] } as ResolvedValue);
      }
    }
    const inline = attrs.get('inline');
    const inlineItems = inline?.value.type === 'list' ? inline.value.items : [];
    const localPaths = localPathsOf(type, (name) => {
      const a = attrs.get(name);
      if (!a) return undefined;
      return (a.value.type === 'list' ? a.value.items : [a.value]).map((e) => ({
        span: { file: f.file, start: e.start, end: e.end },
        value: jsonPathValue(render(e)),
        literal: literalOf(e),
      }));
    });
    out.push({
      file: f.file,
      type,
      block: item,
      scripts,
      scriptPaths,
      env,
      // The provisioner's own object: the JSON reader starts every element's block at the array's key, so
      // `item.start` is the `"provisioners"` key for all of them (and their spans would nest).
      span: { file: f.file, start: item.body.start, end: item.body.end },
      buildSources: builders,
      runsOn: runsOn(item.body, builders),
      inline: inlineItems,
      inlineValues: inlineItems.map(render),
      localPaths,
    });
  }
  return out;
}
