/**
 * Which Terraform instance boots which Packer image, and what the image holds.
 *
 * - Packer `build` blocks with their `source` blocks (`ami_name`), whether the
 *   build is a Windows one, and what its `file` provisioners upload where; a
 *   build whose provisioners `only` / `except` narrow is one image per group of
 *   sources that run the same provisioners. A legacy JSON template is one build
 *   whose builders are its sources (see jsonBuilds).
 * - Terraform `aws_instance` / `aws_launch_template` / `aws_launch_configuration`
 *   resources: the AMI they use (`data.aws_ami.<n>.id` and that data source's
 *   `filter { name = "name" }` values) and the scripts of their `user_data`
 *   (the `templatefile` template and the scripts it calls, transitively).
 *
 * An instance is linked to a build only when the AMI name pattern of the build
 * and the AMI filter of the instance can match a common name (`${...}` counts
 * as `*`). When the tree does not say, nothing is linked.
 */
import type { HclBlock, HclExpr } from '../../parsers/hcl/ast';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { BuildSource, PackerProvisioner } from '../../packer';
import { imagesOf, isPackerJson, jsonTemplateText, packerProvisioners, packerValues, provisionersRunning, sourceIsWindows, sourceSetting } from '../../packer';
import type { ParsedHclFile } from '../../workspace/parsedFiles';
import type { ScriptFacts } from '../../scripts/scriptModel';
import type { ResolvedValue, Span } from '../../types';
import { attr } from '../../terraform/model';
import { baseName, dirOf, joinRel } from '../../workspace/fileKinds';

/** A `file` provisioner upload: tree path prefix -> remote path prefix. */
export interface Upload {
  /** Root-relative tree path of the uploaded file or directory. */
  readonly treePath: string;
  /** Remote path the tree path lands at (forward slashes, no trailing slash). */
  readonly remotePath: string;
  readonly span: Span;
}

export interface BuildInfo {
  readonly file: string;
  /** The text of the build: the HCL2 `build` block; a JSON template: the whole template. */
  readonly span: Span;
  /** `build` keyword span; a JSON template: the `name` (else `type`) of the image's first builder. */
  readonly keywordSpan: Span;
  /** The sources of this image: the build's, or those of them `only` / `except` give the same provisioners. */
  readonly sources: readonly string[];
  readonly provisioners: readonly PackerProvisioner[];
  /** Provisioners of the same build that `only` / `except` keep off this image. */
  readonly skipped: readonly PackerProvisioner[];
  readonly windows: boolean;
  /** AMI name patterns of the build's sources (`*` for interpolations). */
  readonly amiGlobs: readonly string[];
  readonly amiSpans: readonly Span[];
  readonly uploads: readonly Upload[];
}

export interface InstanceInfo {
  readonly address: string;
  readonly file: string;
  readonly block: HclBlock;
  readonly userData: { readonly span: Span } | undefined;
  /** AMI filter patterns, undefined when the AMI cannot be followed to a name filter. */
  readonly amiGlobs: readonly string[] | undefined;
  readonly amiSpan: Span | undefined;
  /** Root-relative template paths rendered into user_data. */
  readonly userDataTemplates: readonly string[];
}

/** Pattern characters: ANY (a `*` of an AMI filter) matches anything; SEG (a value not known before build/apply) matches a run without `-` or `/`. */
const ANY = '\u0001';
const SEG = '\u0002';

function globOf(e: HclExpr | undefined, evaluate: (x: HclExpr) => ResolvedValue): string | undefined {
  if (!e || e.type !== 'string') return undefined;
  if (e.parts.length === 0) return e.value.replace(/\*/g, ANY);
  let out = '';
  for (const p of e.parts) {
    if (p.kind === 'literal') out += p.value.replace(/\*/g, ANY);
    else if (p.kind === 'interpolation') {
      const v = evaluate(p.expr);
      out += v.kind === 'known' ? v.text : SEG;
    } else return undefined;
  }
  return out;
}

/** Readable form of a pattern for messages. */
export function showGlob(g: string): string {
  return g.replace(new RegExp(ANY, 'g'), '*').replace(new RegExp(SEG, 'g'), '…');
}

/** Whether two AMI name patterns can match a common name. */
export function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const m = b.length + 1;
  const wild = (c: string | undefined) => c === ANY || c === SEG;
  const accepts = (w: string, c: string) => wild(c) || w === ANY || (c !== '-' && c !== '/');
  const f = (i: number, j: number): boolean => {
    const k = i * m + j;
    const hit = memo.get(k);
    if (hit !== undefined) return hit;
    memo.set(k, false);
    let r = false;
    if (i === a.length && j === b.length) r = true;
    else if (i < a.length && wild(a[i])) r = f(i + 1, j) || (j < b.length && accepts(a[i]!, b[j]!) && f(i, j + 1));
    else if (j < b.length && wild(b[j])) r = f(i, j + 1) || (i < a.length && accepts(b[j]!, a[i]!) && f(i + 1, j));
    else if (i < a.length && j < b.length && a[i] === b[j]) r = f(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return f(0, 0);
}

/**
 * What a `file` provisioner uploads where. The path strings as Packer gets them: HCL2 `${path.root}` (and `path.module`,
 * `path.cwd`) read as the template's directory; a JSON template's `{{user `x`}}` defaults substituted and a leading
 * `{{template_dir}}` read as the template's directory. Any other interpolation or template action: not followed.
 */
function uploadsOf(p: PackerProvisioner, json: ParsedHclFile | undefined): Upload | undefined {
  if (p.type !== 'file') return undefined;
  const src = attr(p.block.body, 'source')?.value;
  const dst = attr(p.block.body, 'destination')?.value;
  if (!src || src.type !== 'string' || !dst || dst.type !== 'string') return undefined;
  let rel = '';
  let remoteText = dst.value;
  if (json) {
    rel = jsonTemplateText(json, src.value).replace(/^\{\{\s*template_dir\s*\}\}/, '.');
    remoteText = jsonTemplateText(json, dst.value);
    if (rel.includes('{{') || remoteText.includes('{{')) return undefined;
  } else {
    for (const part of src.parts.length ? src.parts : [{ kind: 'literal' as const, value: src.value }]) {
      if (part.kind === 'literal') rel += part.value;
      else if (
        part.kind === 'interpolation' &&
        part.expr.type === 'traversal' &&
        part.expr.path[0] === 'path' &&
        /^(root|module|cwd)$/.test(part.expr.path[1] ?? '')
      )
        rel += '.';
      else return undefined;
    }
    if (dst.parts.some((x) => x.kind !== 'literal')) return undefined;
  }
  const trailing = /[\\/]$/.test(rel);
  const treePath = joinRel(dirOf(p.file), rel.replace(/^\.\//, './'));
  let remote = remoteText.replace(/\\/g, '/').replace(/\/+$/, '');
  // Packer: a directory source without a trailing slash is uploaded *into* the destination (`/ops` + `shared` = `/ops/shared`).
  if (!trailing) remote = `${remote}/${baseName(treePath)}`;
  return { treePath, remotePath: remote, span: p.span };
}

/**
 * A JSON template's `ami_name` as a pattern: `{{user `x`}}` with a default substituted; `{{timestamp}}` (Unix seconds)
 * and any `{{user}}` / `{{env}}` the template does not give a value are one name segment, as an unknown HCL2 value is;
 * any other action (`{{isotime …}}`, `{{uuid}}`, `{{… | clean_resource_name}}`) may hold `-` and matches anything
 * (Packer template engine: https://developer.hashicorp.com/packer/docs/templates/engine).
 */
function jsonGlob(f: ParsedHclFile, e: HclExpr | undefined): string | undefined {
  if (e?.type !== 'string') return undefined;
  return jsonTemplateText(f, e.value)
    .replace(/\*/g, ANY)
    .replace(/\{\{-?\s*(timestamp|user\s+`[^`]*`|env\s+`[^`]*`)\s*-?\}\}/g, SEG)
    .replace(/\{\{[^}]*\}\}/g, ANY);
}

/** One build of a template file: its text, its `build` keyword (undefined for a JSON template) and its provisioners in order. */
interface BuildText {
  readonly span: Span;
  readonly keywordSpan: Span | undefined;
  readonly provisioners: readonly PackerProvisioner[];
}

/**
 * The builds of a Packer file. A legacy JSON template is one build: its `builders` are its sources, named by their
 * `name` else their `type`, and its `provisioners` run in order on each of them, narrowed by `only` / `except`
 * (https://developer.hashicorp.com/packer/docs/templates/legacy_json_templates, builders and provisioners).
 */
function buildsOfFile(f: ParsedHclFile, provs: readonly PackerProvisioner[]): BuildText[] {
  if (isPackerJson(f))
    return [
      {
        span: { file: f.file, start: f.parse.body.start, end: f.parse.body.end },
        keywordSpan: undefined,
        provisioners: provs.filter((p) => p.file === f.file),
      },
    ];
  const out: BuildText[] = [];
  for (const item of f.parse.body.items) {
    if (item.kind !== 'block' || item.type !== 'build') continue;
    out.push({
      span: { file: f.file, start: item.start, end: item.end },
      keywordSpan: { file: f.file, start: item.typeStart, end: item.typeEnd },
      provisioners: provs.filter((p) => p.file === f.file && p.span.start >= item.start && p.span.end <= item.end),
    });
  }
  return out;
}

/** Where a JSON image is named: the `name` (else `type`) of its first builder; else the template's first key. */
function jsonKeywordSpan(f: ParsedHclFile, members: readonly BuildSource[]): Span {
  const builder = f.parse.body.items.find((i): i is HclBlock => i.kind === 'block' && i.type === 'builders' && i.body === members[0]?.settings);
  const named = builder && (attr(builder.body, 'name') ?? attr(builder.body, 'type'));
  if (named) return { file: f.file, start: named.start, end: named.end };
  const first = builder ?? f.parse.body.items[0];
  return first ? { file: f.file, start: first.start, end: first.kind === 'block' ? first.typeEnd : first.end } : { file: f.file, start: 0, end: 0 };
}

const buildCache = new WeakMap<DeploymentModel, BuildInfo[]>();

export function buildInfos(model: DeploymentModel): BuildInfo[] {
  const hit = buildCache.get(model);
  if (hit) return hit;
  const out: BuildInfo[] = [];
  const provs = packerProvisioners(model);
  // The Packer files' values as packer.ts evaluates them (the same variables and .pkrvars.hcl files), cached by the
  // parsed files: a keystroke elsewhere does not index the templates again.
  const values = packerValues(model);
  for (const f of model.packerFiles) {
    const json = isPackerJson(f) ? f : undefined;
    for (const build of buildsOfFile(f, provs)) {
      const mine = build.provisioners;
      // One image per group of sources `only` / `except` give the same provisioners: a Linux source is not a
      // Windows image because the build also runs PowerShell on its Windows source.
      for (const image of imagesOf(mine)) {
        const amiGlobs: string[] = [];
        const amiSpans: Span[] = [];
        let windows = image.provisioners.some((p) => /^(powershell|windows-restart|windows-shell)$/.test(p.type));
        // Each source as this build configures it: a build-level `source "amazon-ebs.base" { ami_name = …,
        // communicator = "winrm" }` sets what the top-level block leaves out (one top-level source may be a Linux
        // image in one build and a Windows one in another). A JSON builder holds all its settings itself.
        for (const s of image.members) {
          const a = sourceSetting(model.packerFiles, s, 'ami_name');
          const g = json ? jsonGlob(json, a?.attr.value) : globOf(a?.attr.value, (x) => values.evaluate(x, dirOf(a!.file), a!.file));
          if (a && g && !amiGlobs.includes(g)) {
            amiGlobs.push(g);
            amiSpans.push({ file: a.file, start: a.attr.start, end: a.attr.end });
          }
          if (sourceIsWindows(model.packerFiles, s)) windows = true;
        }
        out.push({
          file: f.file,
          span: build.span,
          keywordSpan: build.keywordSpan ?? jsonKeywordSpan(f, image.members),
          sources: image.sources,
          provisioners: image.provisioners,
          skipped: mine.filter((p) => !image.provisioners.includes(p)),
          windows,
          amiGlobs,
          amiSpans,
          uploads: image.provisioners.map((p) => uploadsOf(p, json)).filter((u): u is Upload => !!u),
        });
      }
    }
  }
  buildCache.set(model, out);
  return out;
}

const INSTANCE_TYPES = new Set(['aws_instance', 'aws_launch_template', 'aws_launch_configuration', 'aws_spot_instance_request']);

const instCache = new WeakMap<DeploymentModel, InstanceInfo[]>();

export function instanceInfos(model: DeploymentModel): InstanceInfo[] {
  const hit = instCache.get(model);
  if (hit) return hit;
  const amiData = new Map<string, { globs: string[] | undefined; span: Span }>();
  for (const f of model.terraformFiles) {
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== 'data' || item.labels[0]?.value !== 'aws_ami' || !item.labels[1]) continue;
      let globs: string[] | undefined;
      let span: Span = { file: f.file, start: item.start, end: item.end };
      for (const b of item.body.items) {
        if (b.kind !== 'block' || b.type !== 'filter') continue;
        const n = attr(b.body, 'name')?.value;
        const v = attr(b.body, 'values')?.value;
        if (n?.type !== 'string' || n.value !== 'name' || v?.type !== 'list') continue;
        const gs = v.items.map((x) => globOf(x, (y) => model.terraform.evaluate(y, dirOf(f.file), f.file)));
        globs = gs.every((g): g is string => g !== undefined) ? gs : undefined;
        span = { file: f.file, start: b.start, end: b.end };
      }
      amiData.set(`${dirOf(f.file)}\0${item.labels[1].value}`, { globs, span });
    }
  }
  const out: InstanceInfo[] = [];
  for (const f of model.terraformFiles) {
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== 'resource' || !INSTANCE_TYPES.has(item.labels[0]?.value ?? '') || !item.labels[1]) continue;
      const address = `${item.labels[0]!.value}.${item.labels[1].value}`;
      const amiAttr = attr(item.body, 'ami') ?? attr(item.body, 'image_id');
      let amiGlobs: string[] | undefined;
      let amiSpan: Span | undefined;
      const e = amiAttr?.value;
      const tr =
        e?.type === 'traversal'
          ? e
          : e?.type === 'string' && e.parts.length === 1 && e.parts[0]!.kind === 'interpolation' && e.parts[0]!.expr.type === 'traversal'
            ? e.parts[0]!.expr
            : undefined;
      if (tr && tr.type === 'traversal' && tr.path[0] === 'data' && tr.path[1] === 'aws_ami' && tr.path[2]) {
        const d = amiData.get(`${dirOf(f.file)}\0${tr.path[2]}`);
        if (d?.globs) {
          amiGlobs = d.globs;
          amiSpan = d.span;
        }
      }
      const ud = attr(item.body, 'user_data') ?? attr(item.body, 'user_data_base64');
      const prefix = `resource.${address}.user_data`;
      const templates = model.terraform.templateCalls
        .filter((c) => c.file === f.file && c.usedAs.startsWith(prefix) && c.templatePath)
        .map((c) => c.templatePath!);
      out.push({
        address,
        file: f.file,
        block: item,
        userData: ud ? { span: { file: f.file, start: ud.start, end: ud.end } } : undefined,
        amiGlobs,
        amiSpan,
        userDataTemplates: templates,
      });
    }
  }
  instCache.set(model, out);
  return out;
}

/** Whether an instance's AMI filter can match one of an image's AMI name patterns. */
function boots(inst: InstanceInfo, amiGlobs: readonly string[]): boolean {
  return !!inst.amiGlobs && amiGlobs.some((g) => inst.amiGlobs!.some((h) => globsIntersect(g, h)));
}

/** Builds whose AMI an instance boots (empty when the tree does not link them). */
export function buildsOf(model: DeploymentModel, inst: InstanceInfo): BuildInfo[] {
  return buildInfos(model).filter((b) => boots(inst, b.amiGlobs));
}

/** Instances that boot a build's AMI. */
export function instancesOf(model: DeploymentModel, build: BuildInfo): InstanceInfo[] {
  return instanceInfos(model).filter((i) => buildsOf(model, i).includes(build));
}

/** The scripts user-data runs: the user-data templates and every tree script they call, transitively. */
export function userDataScripts(model: DeploymentModel, inst: InstanceInfo): ScriptFacts[] {
  const out: ScriptFacts[] = [];
  const seen = new Set<string>();
  const queue = model.scripts.filter((s) => inst.userDataTemplates.includes(s.file));
  while (queue.length) {
    const s = queue.shift()!;
    if (seen.has(s.file)) continue;
    seen.add(s.file);
    out.push(s);
    for (const inv of s.invocations)
      for (const t of model.scripts) if (baseName(t.file).toLowerCase() === inv.scriptBaseName && !seen.has(t.file)) queue.push(t);
  }
  return out;
}

/** The image a provisioner goes into: the provisioners that run on the same sources, and the instances booting it. */
export interface ProvisionedImage {
  readonly provisioners: readonly PackerProvisioner[];
  readonly instances: readonly InstanceInfo[];
  /** The `build` keyword (HCL2) or the name of the image's first builder (a JSON template). */
  readonly span: Span;
}

/** The image a provisioner goes into, HCL2 builds and legacy JSON templates alike (see buildInfos). */
export function imageOfProvisioner(model: DeploymentModel, p: PackerProvisioner): ProvisionedImage | undefined {
  const b = buildOfProvisioner(model, p);
  return b ? { provisioners: b.provisioners, instances: instancesOf(model, b), span: b.keywordSpan } : undefined;
}

/** The build that runs a provisioner. */
export function buildOfProvisioner(model: DeploymentModel, p: PackerProvisioner): BuildInfo | undefined {
  return buildInfos(model).find((b) => b.provisioners.includes(p));
}

/**
 * What the instances booting these images do at boot: the user-data scripts of every instance linked to one of the
 * builds (see userDataScripts), and the agent configs those scripts write (configs a Packer provisioner also runs are
 * image-time writes, not boot ones).
 */
export function bootWrites(model: DeploymentModel, builds: readonly BuildInfo[]): { scripts: Map<string, ScriptFacts>; configs: ParsedAgentConfig[] } {
  const scripts = new Map<string, ScriptFacts>();
  for (const b of builds) for (const i of instancesOf(model, b)) for (const s of userDataScripts(model, i)) scripts.set(s.file, s);
  const configs = model.configs.filter(
    (d) =>
      (scripts.has(d.doc.writeSpan.file) || scripts.has(d.doc.hostFile)) &&
      d.doc.imageTime !== true &&
      provisionersRunning(model, d.doc.writeSpan.file).length === 0,
  );
  return { scripts, configs };
}
