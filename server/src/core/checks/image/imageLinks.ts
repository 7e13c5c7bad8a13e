/**
 * Which Terraform instance boots which Packer image, and what the image holds.
 *
 * - Packer `build` blocks with their `source` blocks (the image names below), whether the build is a Windows one, and
 *   what its `file` provisioners upload where; a build whose provisioners `only` / `except` narrow is one image per
 *   group of sources that run the same provisioners. A legacy JSON template is one build whose builders are its
 *   sources (see jsonBuilds).
 * - Terraform machines, the image they boot and the scripts their boot data runs (the `templatefile` template and the
 *   scripts it calls, transitively):
 *   - AWS: `aws_instance` / `aws_launch_template` / `aws_launch_configuration` / `aws_spot_instance_request` whose
 *     `ami` / `image_id` is `data.aws_ami.<n>.id`, by that data source's `filter { name = "name" }` values, against
 *     the sources' `ami_name`; boot data `user_data`.
 *   - Azure: the `azurerm_*virtual_machine*` resources whose `source_image_id` (`storage_image_reference.id`,
 *     `storage_profile_image_reference.id`) is a `data "azurerm_image"` (`name` / `name_regex`), a `data
 *     "azurerm_shared_image"` / `"azurerm_shared_image_version"` (gallery and image name) or an image ID written out,
 *     against an `azure-arm` source's `managed_image_name` / `shared_image_gallery_destination`; boot data
 *     `custom_data` / `user_data` (see AZURE_MACHINES).
 *   - GCE: `google_compute_instance` (`boot_disk.initialize_params.image`) and instance templates (`disk.source_image`)
 *     whose image is a `data "google_compute_image"` (`name` / `family` / a one-clause `name` filter) or a reference
 *     written out (`family/F`, `P/F`, `projects/P/global/images/…`), against a `googlecompute` source's `image_name` /
 *     `image_family`; boot data `metadata_startup_script`, the `metadata` startup keys and those a per-instance config
 *     of a group made from the template preserves (see GCE_MACHINES, perInstanceMetadata).
 *   On Azure and GCE the image and boot data are followed through locals, a conditional and module inputs: a machine
 *   of a module several calls instantiate is one machine per call (`module.<call>.<address>`).
 *
 * An instance is linked to a build only when the image name pattern of the build and the image the instance selects
 * can match a common name (`${...}` counts as `*`). When the tree does not say, nothing is linked: on Azure and GCE a
 * name with no known letter or digit (`name = var.image` without a value) links nothing.
 */
import type { HclAttribute, HclBlock, HclExpr } from '../../parsers/hcl/ast';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { BuildSource, PackerProvisioner } from '../../packer';
import {
  imagesOf,
  isPackerJson,
  jsonTemplateText,
  packerProvisioners,
  packerValues,
  provisionersRunning,
  sourceIsWindows,
  sourceSetting,
  topLevelSources,
} from '../../packer';
import type { ParsedHclFile } from '../../workspace/parsedFiles';
import type { ScriptFacts } from '../../scripts/scriptModel';
import type { ResolvedValue, Span } from '../../types';
import { attr } from '../../terraform/model';
import type { TerraformModel, TfModuleCall } from '../../terraform/model';
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
  /** Image names of the build's sources (AMI, Azure managed image or gallery image, GCE image and family). */
  readonly images: readonly BuildImage[];
  readonly uploads: readonly Upload[];
}

/** Where an image name lives: names of different kinds never match. */
export type ImageKind = 'ami' | 'azure-image' | 'azure-gallery' | 'gce-image' | 'gce-family';

/** An image name as a pattern. */
export interface ImageName {
  readonly kind: ImageKind;
  /** The name (`*` for interpolations, see ANY / SEG). */
  readonly glob: string;
  /** What qualifies the name when the tree says it: the Azure gallery, the GCE project. */
  readonly scope?: string;
}

/** An image name a build gives its image. */
export interface BuildImage extends ImageName {
  /** The setting that names it: `ami_name`, `managed_image_name`, `shared_image_gallery_destination`, `image_name`, `image_family`. */
  readonly key: string;
  readonly span: Span;
}

/** The machine a boot attribute belongs to runs its text at first boot. */
export interface BootAttribute {
  /** `user_data`, `custom_data`, `os_profile.custom_data`, `metadata_startup_script`, `metadata.startup-script`, … */
  readonly name: string;
  readonly span: Span;
  readonly expr: HclExpr;
}

export interface InstanceInfo {
  readonly address: string;
  readonly file: string;
  readonly block: HclBlock;
  readonly cloud: 'aws' | 'azure' | 'gce';
  /** The first boot attribute (`user_data`, `custom_data`, `metadata_startup_script`, …). */
  readonly userData: { readonly span: Span } | undefined;
  /** Every boot attribute the machine has (AWS: `user_data`, else `user_data_base64`, as the AWS provider reads one). */
  readonly boot: readonly BootAttribute[];
  /** The images the machine may boot, undefined when its image cannot be followed to a name. */
  readonly images: readonly ImageName[] | undefined;
  /** Where the image is selected: the AMI name filter, the data source, or the reference written out. */
  readonly imageSpan: Span | undefined;
  /** Root-relative template paths rendered into the boot attributes. */
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

/**
 * Whether a pattern holds a known letter or digit: a name that is only `${...}` (and separators: `${var.name}-${var.v}`
 * would match any `debian-11`) says nothing about which image it is.
 */
function known(g: string): boolean {
  return /[A-Za-z0-9]/.test(g);
}

/** The builder type of a source: `source.TYPE.NAME` (HCL2), the builder's `type` (a JSON template). */
function sourceType(s: BuildSource, json: ParsedHclFile | undefined): string | undefined {
  if (json) {
    const t = s.settings && attr(s.settings, 'type')?.value;
    return t?.type === 'string' ? t.value : undefined;
  }
  return /^source\.([^.]+)\./.exec(s.ref)?.[1];
}

/** A nested block of a build's source, the build-level block's else the top-level one's (as sourceSetting). */
function sourceBlock(packerFiles: readonly ParsedHclFile[], s: BuildSource, type: string): { file: string; block: HclBlock } | undefined {
  const isIt = (i: HclBlock['body']['items'][number]): i is HclBlock => i.kind === 'block' && i.type === type;
  const own = s.settings?.items.find(isIt);
  if (own && s.settingsFile !== undefined) return { file: s.settingsFile, block: own };
  const top = topLevelSources(packerFiles).get(s.ref);
  const b = top?.block.body.items.find(isIt);
  return top && b ? { file: top.file, block: b } : undefined;
}

/**
 * The image names a source gives its image:
 * - `ami_name` (any builder, as before: the amazon builders);
 * - `azure-arm`: `managed_image_name`, and `shared_image_gallery_destination { gallery_name, image_name }`
 *   (hashicorp/packer-plugin-azure builder/azure/arm/config.go: `ManagedImageName`, `SharedImageGalleryDestination`
 *   with `SigDestinationGalleryName` / `SigDestinationImageName`);
 * - `googlecompute`: `image_name` and `image_family`, in `image_project_id`, else `project_id` (hashicorp/
 *   packer-plugin-googlecompute builder/googlecompute/config.go: `ImageName`, `ImageFamily`, `ImageProjectId`
 *   "Defaults to project_id"). `image_name` left out defaults to `packer-{{timestamp}}`: not read.
 * Azure and GCE names with no known character are left out (see known).
 */
function sourceImages(model: DeploymentModel, values: TerraformModel, json: ParsedHclFile | undefined, s: BuildSource): BuildImage[] {
  // `ami_name` as before: a string; the other names also a bare expression (`image_family = var.image_family`).
  const pattern = (a: { readonly file: string; readonly attr: HclAttribute } | undefined, bare = true): string | undefined => {
    if (!a) return undefined;
    if (json) return jsonGlob(json, a.attr.value);
    const g = globOf(a.attr.value, (x) => values.evaluate(x, dirOf(a.file), a.file));
    if (g !== undefined || !bare) return g;
    const v = values.evaluate(a.attr.value, dirOf(a.file), a.file);
    return v.kind === 'known' ? v.text : undefined;
  };
  const out: BuildImage[] = [];
  const named = (kind: ImageKind, key: string, a: { readonly file: string; readonly attr: HclAttribute } | undefined, scope?: string) => {
    const g = pattern(a, kind !== 'ami');
    if (a && g && (kind === 'ami' || known(g)))
      out.push({ kind, glob: g, ...(scope !== undefined ? { scope } : {}), key, span: { file: a.file, start: a.attr.start, end: a.attr.end } });
  };
  const setting = (name: string) => sourceSetting(model.packerFiles, s, name);
  named('ami', 'ami_name', setting('ami_name'));
  const type = sourceType(s, json);
  if (type === 'azure-arm') {
    named('azure-image', 'managed_image_name', setting('managed_image_name'));
    const dest = sourceBlock(model.packerFiles, s, 'shared_image_gallery_destination');
    if (dest) {
      const inDest = (n: string) => {
        const a = attr(dest.block.body, n);
        return a ? { file: dest.file, attr: a } : undefined;
      };
      const image = pattern(inDest('image_name'));
      const gallery = pattern(inDest('gallery_name'));
      if (image && known(image))
        out.push({
          kind: 'azure-gallery',
          glob: image,
          ...(gallery && known(gallery) ? { scope: gallery } : {}),
          key: 'shared_image_gallery_destination',
          span: { file: dest.file, start: dest.block.start, end: dest.block.end },
        });
    }
  } else if (type === 'googlecompute') {
    const project = pattern(setting('image_project_id') ?? setting('project_id'));
    const scope = project && known(project) ? project : undefined;
    named('gce-image', 'image_name', setting('image_name'), scope);
    named('gce-family', 'image_family', setting('image_family'), scope);
  }
  return out;
}

/** How messages name a build's images: `ami_name a / b`, `managed_image_name x`, `image_family f`, … */
export function showImages(images: readonly BuildImage[]): string {
  const keys = [...new Set(images.map((n) => n.key))];
  return keys
    .map(
      (k) =>
        `${k} ${images
          .filter((n) => n.key === k)
          .map((n) => showGlob(n.kind === 'azure-gallery' && n.scope !== undefined ? `${n.scope}/${n.glob}` : n.glob))
          .join(' / ')}`,
    )
    .join(', ');
}

/**
 * The images are a function of the Packer files alone: cached by their provisioners, which packer.ts keeps while the
 * parsed Packer files are the same (a keystroke in a script or a .tf file builds a new model, not new images).
 */
const buildCache = new WeakMap<readonly PackerProvisioner[], BuildInfo[]>();

export function buildInfos(model: DeploymentModel): BuildInfo[] {
  const provs = packerProvisioners(model);
  const hit = buildCache.get(provs);
  if (hit) return hit;
  const out: BuildInfo[] = [];
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
        const images: BuildImage[] = [];
        let windows = image.provisioners.some((p) => /^(powershell|windows-restart|windows-shell)$/.test(p.type));
        // Each source as this build configures it: a build-level `source "amazon-ebs.base" { ami_name = …,
        // communicator = "winrm" }` sets what the top-level block leaves out (one top-level source may be a Linux
        // image in one build and a Windows one in another). A JSON builder holds all its settings itself.
        for (const s of image.members) {
          for (const n of sourceImages(model, values, json, s))
            if (!images.some((m) => m.kind === n.kind && m.glob === n.glob && m.scope === n.scope)) images.push(n);
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
          images,
          uploads: image.provisioners.map((p) => uploadsOf(p, json)).filter((u): u is Upload => !!u),
        });
      }
    }
  }
  buildCache.set(provs, out);
  return out;
}

const INSTANCE_TYPES = new Set(['aws_instance', 'aws_launch_template', 'aws_launch_configuration', 'aws_spot_instance_request']);

/** Where an Azure / GCE machine names its image and its boot data: attribute paths through nested blocks. */
interface MachineShape {
  readonly image: readonly (readonly string[])[];
  readonly boot: readonly (readonly string[])[];
  /** GCE: the `metadata` keys whose text runs at boot. */
  readonly metadata?: boolean;
}

/**
 * Azure machines (terraform-provider-azurerm docs, website/docs/r): the `*_virtual_machine(_scale_set)` resources take
 * `source_image_id` ("Possible Image ID types include Image IDs, Shared Image IDs, Shared Image Version IDs, …") and
 * `custom_data` / `user_data`; the orchestrated scale set `source_image_id`, `user_data_base64` and `os_profile {
 * custom_data }`; the legacy `azurerm_virtual_machine` `storage_image_reference { id }` ("the ID of the Custom Image")
 * and `os_profile { custom_data }`, the legacy scale set `storage_profile_image_reference { id }` and `os_profile {
 * custom_data }`.
 */
const AZURE_MACHINES: ReadonlyMap<string, MachineShape> = new Map<string, MachineShape>([
  ...[
    'azurerm_linux_virtual_machine',
    'azurerm_windows_virtual_machine',
    'azurerm_linux_virtual_machine_scale_set',
    'azurerm_windows_virtual_machine_scale_set',
  ].map((t): [string, MachineShape] => [t, { image: [['source_image_id']], boot: [['custom_data'], ['user_data']] }]),
  ['azurerm_orchestrated_virtual_machine_scale_set', { image: [['source_image_id']], boot: [['user_data_base64'], ['os_profile', 'custom_data']] }],
  ['azurerm_virtual_machine', { image: [['storage_image_reference', 'id']], boot: [['os_profile', 'custom_data']] }],
  ['azurerm_virtual_machine_scale_set', { image: [['storage_profile_image_reference', 'id']], boot: [['os_profile', 'custom_data']] }],
]);

/**
 * GCE machines (terraform-provider-google docs): `google_compute_instance` `boot_disk { initialize_params { image } }`,
 * the instance templates `disk { source_image }` (the `boot = true` disk, else the first); boot data
 * `metadata_startup_script` and the `metadata` keys the guest environment runs at boot (BOOT_METADATA).
 */
const GCE_MACHINES: ReadonlyMap<string, MachineShape> = new Map<string, MachineShape>([
  ['google_compute_instance', { image: [['boot_disk', 'initialize_params', 'image']], boot: [['metadata_startup_script']], metadata: true }],
  ...['google_compute_instance_template', 'google_compute_region_instance_template'].map((t): [string, MachineShape] => [
    t,
    { image: [['disk', 'source_image']], boot: [['metadata_startup_script']], metadata: true },
  ]),
]);

/** GCE metadata keys run at boot: startup scripts (Linux, Windows), the sysprep-specialize ones, cloud-init `user-data`. */
const BOOT_METADATA = /^(startup-script|(windows-startup|sysprep-specialize)-script-(ps1|cmd|bat)|user-data)$/;

/** Data sources that select an Azure / GCE image, by `type`, with the attributes that give the image. */
const IMAGE_DATA: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['azurerm_image', new Set(['id'])],
  ['azurerm_shared_image', new Set(['id'])],
  ['azurerm_shared_image_version', new Set(['id'])],
  ['google_compute_image', new Set(['self_link', 'id', 'name'])],
]);

interface ImageChoice {
  readonly names: readonly ImageName[];
  readonly span: Span;
}

/**
 * The machines are a function of the Terraform files alone (instanceInfos reads `model.terraform` and
 * `model.terraformFiles`): cached by the Terraform model, which the engine keeps while those texts (and the texts
 * their file() calls read) are the same, so a keystroke in a script does not read them again.
 */
const instCache = new WeakMap<object, InstanceInfo[]>();

export function instanceInfos(model: DeploymentModel): InstanceInfo[] {
  const hit = instCache.get(model.terraform);
  if (hit) return hit;
  const amiData = new Map<string, { globs: string[] | undefined; span: Span }>();
  const imageData = new Map<string, ImageChoice | undefined>();
  const dataBlocks = new Map<string, { file: string; block: HclBlock }>();
  const tf = model.terraform;
  // A module several calls instantiate sees a different `var.x` in each: its values are not one instance's.
  const callers = new Map<string, number>();
  for (const m of tf.moduleCalls) if (m.sourceDir !== undefined) callers.set(m.sourceDir, (callers.get(m.sourceDir) ?? 0) + 1);
  const evaluate = (e: HclExpr, dir: string, file: string): ResolvedValue =>
    (callers.get(dir) ?? 0) > 1 && /\bvar\./.test(tf.sourceOf(file).slice(e.start, e.end))
      ? { kind: 'unknown', reason: 'a module called several times', chain: [] }
      : tf.evaluate(e, dir, file);
  for (const f of model.terraformFiles) {
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== 'data' || !item.labels[1]) continue;
      const type = item.labels[0]?.value ?? '';
      if (IMAGE_DATA.has(type)) {
        const k = `${dirOf(f.file)}\0${type}\0${item.labels[1].value}`;
        imageData.set(k, dataImages(type, item, f.file, evaluate));
        dataBlocks.set(k, { file: f.file, block: item });
        continue;
      }
      if (type !== 'aws_ami') continue;
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
  const perInstance = perInstanceMetadata(model);
  const out: InstanceInfo[] = [];
  for (const f of model.terraformFiles) {
    const dir = dirOf(f.file);
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== 'resource' || !item.labels[1]) continue;
      const type = item.labels[0]?.value ?? '';
      const address = `${type}.${item.labels[1].value}`;
      if (INSTANCE_TYPES.has(type)) {
        out.push(awsInstance(model, f.file, item, address, amiData));
        continue;
      }
      const shape = AZURE_MACHINES.get(type) ?? GCE_MACHINES.get(type);
      if (!shape) continue;
      const cloud = AZURE_MACHINES.has(type) ? 'azure' : 'gce';
      // A module several calls instantiate: one machine per call, its `var.x` the call's input (`module.<call>.<address>`).
      const calls = (callers.get(dir) ?? 0) > 1 ? tf.moduleCalls.filter((m) => m.sourceDir === dir) : [undefined];
      for (const via of calls) {
        const ctx: ImageContext = {
          model,
          cloud,
          imageData,
          dataBlocks,
          via,
          evaluate: via ? (x, d, fl) => (d === dir ? tf.evaluateIn([via], x, d, fl) : evaluate(x, d, fl)) : evaluate,
        };
        out.push(machine(ctx, shape, f.file, item, via ? `module.${via.name}.${address}` : address, address, perInstance));
      }
    }
  }
  instCache.set(model.terraform, out);
  return out;
}

/** What following a machine's image needs: the data sources of the tree, the module call it is made by. */
interface ImageContext {
  readonly model: DeploymentModel;
  readonly cloud: 'azure' | 'gce';
  readonly imageData: ReadonlyMap<string, ImageChoice | undefined>;
  readonly dataBlocks: ReadonlyMap<string, { readonly file: string; readonly block: HclBlock }>;
  /** The module call of this instance, when several calls instantiate the module. */
  readonly via: TfModuleCall | undefined;
  readonly evaluate: (x: HclExpr, dir: string, file: string) => ResolvedValue;
}

/** An Azure / GCE machine: its image (see imageChoice), its boot attributes and the templates they render. */
function machine(
  ctx: ImageContext,
  shape: MachineShape,
  file: string,
  item: HclBlock,
  address: string,
  resourceAddress: string,
  perInstance: ReadonlyMap<string, readonly BootAttribute[]>,
): InstanceInfo {
  const { model, cloud } = ctx;
  const tf = model.terraform;
  const dir = dirOf(file);
  let choice: ImageChoice | undefined;
  for (const path of shape.image) {
    const a = nestedAttr(item, path, cloud === 'gce' && path[0] === 'disk');
    if (!a) continue;
    choice = imageChoice(ctx, a.value, dir, file, 0);
    if (choice) break;
  }
  const boot: BootAttribute[] = [];
  for (const path of shape.boot) {
    const a = nestedAttr(item, path, false);
    if (!a) continue;
    boot.push({ name: path.join('.'), span: { file, start: a.start, end: a.end }, expr: a.value });
  }
  const metadata = shape.metadata ? attr(item.body, 'metadata')?.value : undefined;
  if (metadata?.type === 'object')
    for (const i of metadata.items) {
      if (!BOOT_METADATA.test(i.name)) continue;
      boot.push({ name: `metadata.${i.name}`, span: { file, start: i.start, end: i.end }, expr: i.value });
    }
  // The per-instance configs of the groups made from this template: their preserved metadata is the instances'.
  boot.push(...(perInstance.get(`${dir}\0${resourceAddress}`) ?? []));
  // The `templatefile()` calls inside a boot attribute (a call's `usedAs` names a nested block without its resource).
  const templates = new Set<string>();
  for (const c of tf.templateCalls)
    if (
      c.templatePath &&
      c.templateFileData === undefined &&
      boot.some((b) => c.file === b.span.file && c.span.start >= b.span.start && c.span.end <= b.span.end)
    )
      templates.add(c.templatePath);
  for (const b of boot) for (const t of referencedTemplates(model, b.expr, dir, ctx.via)) templates.add(t);
  return {
    address,
    file,
    block: item,
    cloud,
    userData: boot[0] ? { span: boot[0].span } : undefined,
    boot,
    images: choice?.names,
    imageSpan: choice?.span,
    userDataTemplates: [...templates],
  };
}

/**
 * Boot metadata of the instances of a GCE instance template set per instance: a `google_compute_per_instance_config`
 * (`instance_group_manager`) / `google_compute_region_per_instance_config` (`region_instance_group_manager`) of a
 * group whose `version { instance_template }` (or `instance_template`) is the template, with `preserved_state {
 * metadata = { startup-script = … } }` ("Preserved metadata defined for this instance", terraform-provider-google
 * docs, compute_region_per_instance_config). Keyed by the template's directory and address.
 */
function perInstanceMetadata(model: DeploymentModel): Map<string, BootAttribute[]> {
  const out = new Map<string, BootAttribute[]>();
  const tf = model.terraform;
  const groups = new Map<string, string[]>();
  const configs: Array<{ dir: string; file: string; address: string; block: HclBlock; group: string }> = [];
  const ref = (e: HclExpr | undefined, type: RegExp): string | undefined => {
    const tr = e && singleTraversal(e);
    const path = tr?.path.filter((x) => !x.startsWith('['));
    return path && type.test(path[0] ?? '') && path[1] ? `${path[0]}.${path[1]}` : undefined;
  };
  for (const r of tf.resources.values()) {
    const type = r.address.slice(0, r.address.indexOf('.'));
    if (/^google_compute_(region_)?instance_group_manager$/.test(type)) {
      const versions = r.block.body.items.filter((x): x is HclBlock => x.kind === 'block' && x.type === 'version');
      const templates = [attr(r.block.body, 'instance_template'), ...versions.map((v) => attr(v.body, 'instance_template'))]
        .map((a) => ref(a?.value, /^google_compute_(region_)?instance_template$/))
        .filter((x): x is string => !!x);
      groups.set(`${r.dir}\0${r.address}`, templates);
    } else if (/^google_compute_(region_)?per_instance_config$/.test(type)) {
      const g = ref(
        attr(r.block.body, 'instance_group_manager')?.value ?? attr(r.block.body, 'region_instance_group_manager')?.value,
        /^google_compute_(region_)?instance_group_manager$/,
      );
      if (g) configs.push({ dir: r.dir, file: r.file, address: r.address, block: r.block, group: g });
    }
  }
  for (const c of configs) {
    const state = c.block.body.items.find((x): x is HclBlock => x.kind === 'block' && x.type === 'preserved_state');
    const metadata = state ? attr(state.body, 'metadata')?.value : undefined;
    if (metadata?.type !== 'object') continue;
    for (const t of groups.get(`${c.dir}\0${c.group}`) ?? []) {
      const list = out.get(`${c.dir}\0${t}`) ?? [];
      for (const i of metadata.items) {
        if (!BOOT_METADATA.test(i.name)) continue;
        list.push({ name: `${c.address}.preserved_state.metadata.${i.name}`, span: { file: c.file, start: i.start, end: i.end }, expr: i.value });
      }
      out.set(`${c.dir}\0${t}`, list);
    }
  }
  return out;
}

/** An AWS machine: its AMI by the `data "aws_ami"` name filter, its `user_data` (else `user_data_base64`). */
function awsInstance(
  model: DeploymentModel,
  file: string,
  item: HclBlock,
  address: string,
  amiData: ReadonlyMap<string, { globs: string[] | undefined; span: Span }>,
): InstanceInfo {
  const amiAttr = attr(item.body, 'ami') ?? attr(item.body, 'image_id');
  let images: ImageName[] | undefined;
  let imageSpan: Span | undefined;
  const e = amiAttr?.value;
  const tr = e && singleTraversal(e);
  if (tr && tr.path[0] === 'data' && tr.path[1] === 'aws_ami' && tr.path[2]) {
    const d = amiData.get(`${dirOf(file)}\0${tr.path[2]}`);
    if (d?.globs) {
      images = d.globs.map((glob) => ({ kind: 'ami', glob }));
      imageSpan = d.span;
    }
  }
  const ud = attr(item.body, 'user_data') ?? attr(item.body, 'user_data_base64');
  const prefix = `resource.${address}.user_data`;
  const templates = model.terraform.templateCalls.filter((c) => c.file === file && c.usedAs.startsWith(prefix) && c.templatePath).map((c) => c.templatePath!);
  const span = ud ? { file, start: ud.start, end: ud.end } : undefined;
  return {
    address,
    file,
    block: item,
    cloud: 'aws',
    userData: span ? { span } : undefined,
    boot: ud && span ? [{ name: ud.name, span, expr: ud.value }] : [],
    images,
    imageSpan,
    userDataTemplates: templates,
  };
}

/** `x.y` or `"${x.y}"`. */
function singleTraversal(e: HclExpr): Extract<HclExpr, { type: 'traversal' }> | undefined {
  if (e.type === 'traversal') return e;
  if (e.type === 'string' && e.parts.length === 1 && e.parts[0]!.kind === 'interpolation' && e.parts[0]!.expr.type === 'traversal') return e.parts[0]!.expr;
  return undefined;
}

/** An attribute through nested blocks (`boot_disk` > `initialize_params` > `image`); `disk` blocks: the boot one, else the first. */
function nestedAttr(block: HclBlock, path: readonly string[], bootDisk: boolean): HclAttribute | undefined {
  let body = block.body;
  for (let i = 0; i < path.length - 1; i++) {
    const blocks = body.items.filter((x): x is HclBlock => x.kind === 'block' && x.type === path[i]);
    const b =
      bootDisk && i === 0
        ? (blocks.find((x) => {
            const v = attr(x.body, 'boot')?.value;
            return v?.type === 'bool' && v.value;
          }) ?? blocks[0])
        : blocks[0];
    if (!b) return undefined;
    body = b.body;
  }
  return attr(body, path[path.length - 1]!);
}

/** A Terraform string as a pattern: a string with `${…}` (known values in, unknown ones as SEG), else a known value. */
function tfPattern(e: HclExpr | undefined, dir: string, file: string, evaluate: (x: HclExpr, dir: string, file: string) => ResolvedValue): string | undefined {
  if (!e) return undefined;
  if (e.type === 'string' && !singleTraversal(e)) return globOf(e, (x) => evaluate(x, dir, file));
  const v = evaluate(e, dir, file);
  return v.kind === 'known' ? v.text : undefined;
}

/** A Terraform string as text, `*` kept as written: known values in, unknown ones as SEG. */
function tfText(e: HclExpr, dir: string, file: string, evaluate: (x: HclExpr, dir: string, file: string) => ResolvedValue): string | undefined {
  if (e.type !== 'string' || singleTraversal(e)) {
    const v = evaluate(e, dir, file);
    return v.kind === 'known' ? v.text : undefined;
  }
  let out = '';
  for (const part of e.parts.length ? e.parts : [{ kind: 'literal' as const, value: e.value }]) {
    if (part.kind === 'literal') out += part.value;
    else if (part.kind === 'interpolation') {
      const v = evaluate(part.expr, dir, file);
      out += v.kind === 'known' ? v.text : SEG;
    } else return undefined;
  }
  return out;
}

/** The images a data source selects: `azurerm_image` by `name` or `name_regex`, the shared image ones by gallery and image, `google_compute_image` by `name` or `family` (in `project`). */
function dataImages(type: string, item: HclBlock, file: string, evaluate: (x: HclExpr, dir: string, file: string) => ResolvedValue): ImageChoice | undefined {
  const dir = dirOf(file);
  const p = (n: string) => tfPattern(attr(item.body, n)?.value, dir, file, evaluate);
  const span: Span = { file, start: item.start, end: item.end };
  const scoped = (g: string | undefined) => (g !== undefined && known(g) ? { scope: g } : {});
  const names: ImageName[] = [];
  if (type === 'azurerm_image') {
    const name = p('name');
    const regex = attr(item.body, 'name_regex')?.value;
    const g = name ?? (regex ? regexGlob(regex, dir, file, evaluate) : undefined);
    if (g !== undefined) names.push({ kind: 'azure-image', glob: g });
  } else if (type === 'azurerm_shared_image' || type === 'azurerm_shared_image_version') {
    // azurerm_shared_image: `name` is the image; azurerm_shared_image_version: `name` is the version, `image_name` the image.
    const g = p(type === 'azurerm_shared_image' ? 'name' : 'image_name');
    if (g !== undefined) names.push({ kind: 'azure-gallery', glob: g, ...scoped(p('gallery_name')) });
  } else if (type === 'google_compute_image') {
    const project = scoped(p('project'));
    const name = p('name');
    const family = p('family');
    const filterAttr = attr(item.body, 'filter')?.value;
    const filter = filterAttr && tfText(filterAttr, dir, file, evaluate);
    if (name !== undefined) names.push({ kind: 'gce-image', glob: name, ...project });
    else if (family !== undefined) names.push({ kind: 'gce-family', glob: family, ...project });
    else if (filter !== undefined) {
      // One clause on the name (images.list `filter`): `name = "x"`, or `name eq REGEX`, whose RE2 "must match the
      // entire field" (https://cloud.google.com/compute/docs/reference/rest/v1/images/list). Anything else: unknown.
      const exact = /^\s*name\s*=\s*"([^"]*)"\s*$/.exec(filter);
      const eq = /^\s*name\s+eq\s+(?:'([^']*)'|"([^"]*)"|(\S+))\s*$/.exec(filter);
      const g = exact ? exact[1]! : eq ? regexSourceGlob(eq[1] ?? eq[2] ?? eq[3]!, true) : undefined;
      if (g !== undefined) names.push({ kind: 'gce-image', glob: g, ...project });
    }
  }
  const usable = names.filter((n) => known(n.glob));
  return usable.length ? { names: usable, span } : undefined;
}

/**
 * `name_regex` as a pattern (Go RE2 syntax): `^` / `$` anchor, literal characters and escapes stay, `.`, classes and
 * quantified atoms become `*`; groups and alternation are not read (undefined: unknown). Interpolated values are
 * literal text (a known value) or SEG.
 */
function regexGlob(e: HclExpr, dir: string, file: string, evaluate: (x: HclExpr, dir: string, file: string) => ResolvedValue): string | undefined {
  if (e.type !== 'string') return undefined;
  let src = '';
  for (const part of e.parts.length ? e.parts : [{ kind: 'literal' as const, value: e.value }]) {
    if (part.kind === 'literal') src += part.value;
    else if (part.kind === 'interpolation') {
      const v = evaluate(part.expr, dir, file);
      src += v.kind === 'known' ? v.text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&') : SEG;
    } else return undefined;
  }
  return regexSourceGlob(src, false);
}

/** A regular expression as a pattern (see regexGlob); `whole`: it must match the entire name, anchored or not. */
function regexSourceGlob(src: string, whole: boolean): string | undefined {
  let i = 0;
  let end = src.length;
  const start = src.startsWith('^') || whole;
  if (src.startsWith('^')) i = 1;
  const dollar = end > i && src[end - 1] === '$' && src[end - 2] !== '\\';
  if (dollar) end--;
  const stop = dollar || whole;
  let out = '';
  while (i < end) {
    const c = src[i]!;
    let atom: string;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined || /[A-Za-z0-9]/.test(n)) {
        if (n === undefined || !/[dDwWsS]/.test(n)) return undefined;
        atom = ANY;
      } else atom = n;
      i += 2;
    } else if (c === '.') {
      atom = ANY;
      i++;
    } else if (c === '[') {
      const close = src.indexOf(']', i + 2);
      if (close < 0) return undefined;
      atom = ANY;
      i = close + 1;
    } else if ('()|{}?*+^$]'.includes(c)) return undefined;
    else {
      atom = c;
      i++;
    }
    const q = src[i];
    if (q === '*' || q === '+' || q === '?') {
      atom = ANY;
      i++;
      if (src[i] === '?') i++;
    } else if (q === '{') {
      const m = /^\{\d+(,\d*)?\}\??/.exec(src.slice(i));
      if (!m) return undefined;
      atom = ANY;
      i += m[0].length;
    }
    out += atom;
  }
  return (start ? '' : ANY) + out + (stop ? '' : ANY);
}

/**
 * The image an Azure / GCE machine boots: a data source that selects one (`data.azurerm_image.x.id`,
 * `data.google_compute_image.x.self_link`), through locals and a conditional (the branch its known condition picks,
 * else both), or a reference written out (see literalImages).
 */
function imageChoice(ctx: ImageContext, e: HclExpr, dir: string, file: string, depth: number): ImageChoice | undefined {
  if (depth > 4) return undefined;
  const { model, cloud, evaluate, via } = ctx;
  const tf = model.terraform;
  const span: Span = { file, start: e.start, end: e.end };
  const tr = singleTraversal(e);
  if (tr) {
    const path = tr.path.filter((x) => !x.startsWith('['));
    if (path[0] === 'data' && path[1] && path[2]) {
      if (!IMAGE_DATA.get(path[1])?.has(path[3] ?? '')) return undefined;
      const k = `${dir}\0${path[1]}\0${path[2]}`;
      // In the module of this call, the data source's `var.x` are the call's inputs.
      const d = via && dir === via.sourceDir ? ctx.dataBlocks.get(k) : undefined;
      return d ? dataImages(path[1], d.block, d.file, evaluate) : ctx.imageData.get(k);
    }
    if (path[0] === 'local' && path[1] && path.length === 2) {
      const l = tf.locals.get(`${dir}\0${path[1]}`);
      return l ? imageChoice(ctx, l.attr.value, dir, l.file, depth + 1) : undefined;
    }
    if (path[0] === 'var' && path[1] && path.length === 2) {
      // The input of the module call that makes this instance (the one call of the module, or this instance's):
      // followed in the caller (a data source there).
      const calls = tf.moduleCalls.filter((m) => m.sourceDir === dir);
      const call = via && via.sourceDir === dir ? via : calls.length === 1 ? calls[0]! : undefined;
      const input = call?.inputs.get(path[1]);
      if (call && input) return imageChoice({ ...ctx, via: undefined }, input.value, call.callerDir, call.file, depth + 1);
    }
    if (path[0] === 'var' && path[1]) {
      const v = evaluate(tr, dir, file);
      return v.kind === 'known' ? literalImages(cloud, v.text, span) : undefined;
    }
    return undefined;
  }
  if (e.type === 'other' && e.operands?.length === 3 && e.raw.slice(e.operands[0]!.end - e.start, e.operands[1]!.start - e.start).trim() === '?') {
    const c = evaluate(e.operands[0]!, dir, file);
    const branches = c.kind === 'known' && (c.text === 'true' || c.text === 'false') ? [e.operands[c.text === 'true' ? 1 : 2]!] : e.operands.slice(1);
    const got = branches.map((b) => imageChoice(ctx, b, dir, file, depth + 1)).filter((x): x is ImageChoice => !!x);
    if (got.length === 0) return undefined;
    return { names: got.flatMap((g) => g.names), span: got.length === 1 ? got[0]!.span : span };
  }
  if (e.type === 'call' && e.name === 'format' && e.args[0]?.type === 'string' && e.args[0].parts.every((p) => p.kind === 'literal')) {
    // format("%s/server", var.project): each %s / %v the argument's known text, else SEG.
    let k = 1;
    let failed = false;
    const text = e.args[0].value.replace(/%(%|[sv])/g, (_m, verb: string) => {
      if (verb === '%') return '%';
      const a = e.args[k++];
      const v = a ? evaluate(a, dir, file) : undefined;
      if (!a) failed = true;
      return v?.kind === 'known' ? v.text : SEG;
    });
    return failed || /%/.test(text.replace(/%%/g, '')) ? undefined : literalImages(cloud, text, span);
  }
  const g = tfPattern(e, dir, file, evaluate);
  return g !== undefined ? literalImages(cloud, g, span) : undefined;
}

/**
 * An image reference written out. Azure: an image ID, `…/providers/Microsoft.Compute/images/NAME` or
 * `…/galleries/G/images/I(/versions/V)`. GCE (terraform-provider-google, `initialize_params.image` / `source_image`):
 * "the image's self_link, projects/{project}/global/images/{image}, projects/{project}/global/images/family/{family},
 * global/images/{image}, global/images/family/{family}, family/{family}, {project}/{family}, {project}/{image},
 * {family}, or {image}": the forms that may be either an image or a family are both.
 */
function literalImages(cloud: 'azure' | 'gce', text: string, span: Span): ImageChoice | undefined {
  const names: ImageName[] = [];
  const scoped = (g: string | undefined) => (g !== undefined && known(g) ? { scope: g } : {});
  if (cloud === 'azure') {
    const gallery = /\/galleries\/([^/]+)\/images\/([^/]+)(?:\/versions\/[^/]+)?$/i.exec(text);
    const image = /\/providers\/Microsoft\.Compute\/images\/([^/]+)$/i.exec(text);
    if (gallery) names.push({ kind: 'azure-gallery', glob: gallery[2]!, scope: gallery[1]! });
    else if (image) names.push({ kind: 'azure-image', glob: image[1]! });
  } else {
    const t = text.replace(/^https?:\/\/[^/]+\/compute\/(?:v1|beta)\//, '');
    let m: RegExpExecArray | null;
    if ((m = /^(?:projects\/([^/]+)\/)?global\/images\/family\/([^/]+)$/.exec(t))) names.push({ kind: 'gce-family', glob: m[2]!, ...scoped(m[1]) });
    else if ((m = /^(?:projects\/([^/]+)\/)?global\/images\/([^/]+)$/.exec(t))) names.push({ kind: 'gce-image', glob: m[2]!, ...scoped(m[1]) });
    else if ((m = /^family\/([^/]+)$/.exec(t))) names.push({ kind: 'gce-family', glob: m[1]! });
    else if ((m = /^(?:([^/]+)\/)?([^/]+)$/.exec(t))) {
      names.push({ kind: 'gce-image', glob: m[2]!, ...scoped(m[1]) });
      names.push({ kind: 'gce-family', glob: m[2]!, ...scoped(m[1]) });
    }
  }
  const usable = names.filter((n) => known(n.glob));
  return usable.length ? { names: usable, span } : undefined;
}

/**
 * Templates a boot attribute renders through a name: `local.x` (a `templatefile()` in `locals`), `data.template_file.x.rendered`,
 * or `var.x` of a module one call instantiates (the call's `x = templatefile(…)`); under `base64encode()` & co.
 */
function referencedTemplates(model: DeploymentModel, e: HclExpr, dir: string, via: TfModuleCall | undefined): string[] {
  const tf = model.terraform;
  let x = e;
  for (;;) {
    if (x.type === 'call' && /^(base64encode|base64gzip|chomp|trimspace)$/.test(x.name) && x.args[0]) x = x.args[0];
    else if (x.type === 'string' && x.parts.length === 1 && x.parts[0]!.kind === 'interpolation') x = x.parts[0]!.expr;
    else break;
  }
  const tr = singleTraversal(x);
  if (!tr) return [];
  const path = tr.path.filter((p) => !p.startsWith('['));
  const of = (ok: (c: (typeof tf.templateCalls)[number]) => boolean) => tf.templateCalls.filter((c) => c.templatePath && ok(c)).map((c) => c.templatePath!);
  if (path[0] === 'local' && path[1]) return of((c) => c.dir === dir && (c.usedAs === `locals.${path[1]}` || c.usedAs.startsWith(`locals.${path[1]}.`)));
  if (path[0] === 'data' && path[1] === 'template_file' && path[2] && path[3] === 'rendered') return of((c) => c.dir === dir && c.templateFileData === path[2]);
  if (path[0] === 'var' && path[1]) {
    const calls = tf.moduleCalls.filter((m) => m.sourceDir === dir);
    const call = via && via.sourceDir === dir ? via : calls.length === 1 ? calls[0]! : undefined;
    if (!call) return [];
    return of(
      (c) =>
        c.dir === call.callerDir &&
        c.file === call.file &&
        (c.usedAs === `module.${call.name}.${path[1]}` || c.usedAs.startsWith(`module.${call.name}.${path[1]}.`)),
    );
  }
  return [];
}

/** Whether two image names can be the same image: same kind, names that can match a common name, scopes too when both are said. */
function sameImage(a: ImageName, b: ImageName): boolean {
  return a.kind === b.kind && globsIntersect(a.glob, b.glob) && (a.scope === undefined || b.scope === undefined || globsIntersect(a.scope, b.scope));
}

const linkCache = new WeakMap<DeploymentModel, Map<InstanceInfo, BuildInfo[]>>();

/** Builds whose image an instance boots (empty when the tree does not link them). */
export function buildsOf(model: DeploymentModel, inst: InstanceInfo): BuildInfo[] {
  let byInst = linkCache.get(model);
  if (!byInst) linkCache.set(model, (byInst = new Map()));
  let hit = byInst.get(inst);
  if (!hit) {
    const mine = inst.images;
    hit = mine ? buildInfos(model).filter((b) => b.images.some((n) => mine.some((m) => sameImage(n, m)))) : [];
    byInst.set(inst, hit);
  }
  return hit;
}

/** Instances that boot a build's image. */
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
