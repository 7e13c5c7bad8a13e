/**
 * Agent configs that are uploaded rather than written by a script:
 * Terraform `provisioner "file" { content = templatefile(…) | data.template_file.x.rendered | "…", destination = … }`
 * and Packer `provisioner "file" { source = …, destination = … }` into the image.
 */
import { buildSourcesOf, provisionerBlocks, runsOn, sourceIsWindows } from '../packer';
import type { AgentConfigDoc, AgentOs } from '../agent/configDoc';
import { looksLikeAgentConfigPath } from '../agent/configDoc';
import { looksLikeAgentConfigText } from '../scripts/powershellModel';
import type { HclBlock, HclExpr } from '../parsers/hcl/ast';
import { MappedText, MappedTextBuilder } from '../text/mappedText';
import type { SourceText } from '../text/sourceText';
import type { TerraformModel, TfFileProvisioner } from '../terraform/model';
import type { ResolvedValue } from '../types';
import { baseName, dirOf, joinRel } from '../workspace/fileKinds';
import type { ParsedHclFile } from '../workspace/parsedFiles';
import type { TemplateRender } from './deploymentModel';

export interface UploadedConfig {
  readonly doc: AgentConfigDoc;
  /** The tree file the content came from (not to be read again as a standalone config). */
  readonly consumed: string | undefined;
}

const WINDOWS_PATH = /^[A-Za-z]:[\\/]|\\/;

/** Where an upload lands: a file path, or the source's name inside a destination directory. */
function targetOf(destination: string, sourceName: string | undefined): string {
  const d = destination.trim();
  if (/\.(hcl|json)$/i.test(d) || !sourceName) return d;
  return `${d.replace(/[\\/]+$/, '')}${WINDOWS_PATH.test(d) ? '\\' : '/'}${sourceName}`;
}

/** The directory of a target is an agent's config directory: `…/nomad.d`, `…/consul`, `…/consul/config`. */
function agentConfigDir(target: string): boolean {
  const segs = target.replace(/\\/g, '/').toLowerCase().split('/').slice(0, -1);
  if (segs[0] === '' && (segs[1] === 'tmp' || segs[1] === 'ops')) return false;
  const last = segs[segs.length - 1] ?? '';
  const prev = segs[segs.length - 2] ?? '';
  return /^(nomad|consul)(\.d)?$/.test(last) || (/^(config|conf|etc)$/.test(last) && /^(nomad|consul)(\.d)?$/.test(prev));
}

function agentTarget(target: string): boolean {
  return looksLikeAgentConfigPath(target) || (/\.(hcl|json)$/i.test(target) && /(nomad|consul)/i.test(target));
}

export function terraformUploads(terraform: TerraformModel, renders: readonly TemplateRender[], files: ReadonlyMap<string, SourceText>): UploadedConfig[] {
  const out: UploadedConfig[] = [];
  terraform.fileProvisioners.forEach((p, i) => {
    if (p.destination.kind !== 'known') return;
    const content = uploadedContent(terraform, p, renders, files);
    if (!content) return;
    const target = targetOf(p.destination.text, content.name);
    if (!agentTarget(target)) return;
    const os: AgentOs = p.winrm || WINDOWS_PATH.test(target) ? 'windows' : 'linux';
    out.push({
      consumed: content.consumed,
      doc: {
        id: `${p.file}#upload${i}`,
        hostFile: content.text.primaryFile(p.file),
        os,
        osReason: p.winrm ? `uploaded over WinRM by ${p.resource}` : `uploaded by ${p.resource} to ${target}`,
        targetPath: target,
        writeSpan: { file: p.file, start: p.block.start, end: p.block.end },
        via: 'Terraform file provisioner',
        text: content.text,
        format: /\.json$/i.test(target) ? 'json' : 'hcl',
        templateFile: content.consumed,
        append: false,
        encoding: undefined,
      },
    });
  });
  return out;
}

function uploadedContent(
  terraform: TerraformModel,
  p: TfFileProvisioner,
  renders: readonly TemplateRender[],
  files: ReadonlyMap<string, SourceText>,
): { text: MappedText; name: string | undefined; consumed: string | undefined } | undefined {
  // `"${x}"` is x itself (a template of one interpolation yields its value unchanged; the Terraform 0.11 spelling).
  const c = soleInterpolation(p.content) ?? p.content;
  if (c?.type === 'call' && c.name === 'templatefile') {
    const r = renders.find((x) => x.call.file === p.file && x.call.span.start === c.start);
    return r ? { text: r.text, name: baseName(r.templateFile).replace(/\.(tpl|tftpl|tmpl)$/i, ''), consumed: r.templateFile } : undefined;
  }
  const dataName = templateFileRendered(c);
  if (dataName !== undefined) {
    const r = renders.find((x) => x.call.usedAs === `data.template_file.${dataName}` && x.call.dir === p.dir);
    return r ? { text: r.text, name: baseName(r.templateFile).replace(/\.(tpl|tftpl|tmpl)$/i, ''), consumed: r.templateFile } : undefined;
  }
  if (c?.type === 'string') return { text: renderString(terraform, p, c), name: undefined, consumed: undefined };
  // `content = file("x")` uploads that file as it is, like `source = "x"`.
  const fromFile = c?.type === 'call' && c.name === 'file' && c.args.length === 1 ? c.args[0] : undefined;
  const from = fromFile ?? p.source;
  const rel = from ? terraform.resolveFilePath(from, p.dir, p.file, 'source').path : undefined;
  if (rel !== undefined) {
    const text = files.get(rel);
    if (text) return { text: MappedText.identity(rel, text.text), name: baseName(rel), consumed: rel };
  }
  return undefined;
}

/**
 * The data source whose render `e` is: `data.template_file.x.rendered`, one instance of a counted one
 * (`data.template_file.x[count.index].rendered`, `data.template_file.x.*.rendered[count.index]`), or
 * `element(data.template_file.x.*.rendered, count.index)`. Every instance renders the same template.
 */
function templateFileRendered(e: HclExpr | undefined): string | undefined {
  if (e?.type === 'call' && e.name === 'element' && e.args.length === 2) return templateFileRendered(e.args[0]);
  if (e?.type === 'traversal') {
    const [d, t, name, ...rest] = e.path;
    const steps = rest.filter((x) => !x.startsWith('['));
    return d === 'data' && t === 'template_file' && name !== undefined && steps.length === 1 && steps[0] === 'rendered' ? name : undefined;
  }
  if (e?.type === 'other') {
    return /^data\.template_file\.([\w-]+)(?:\.\*|\[[^\]]*\])*\.rendered(?:\[[^\]]*\])?$/.exec(e.raw.trim())?.[1];
  }
  return undefined;
}

function soleInterpolation(e: HclExpr | undefined): HclExpr | undefined {
  if (e?.type !== 'string' || e.parts.length !== 1) return undefined;
  const part = e.parts[0]!;
  return part.kind === 'interpolation' ? part.expr : undefined;
}

/** A literal `content = "…"` / heredoc with its `${…}` evaluated (unknown values keep their text and reason). */
function renderString(terraform: TerraformModel, p: TfFileProvisioner, e: Extract<HclExpr, { type: 'string' }>): MappedText {
  const fileText = terraform.sourceOf(p.file);
  const b = new MappedTextBuilder(MappedText.identity(p.file, fileText));
  let pos = e.contentStart;
  for (const part of e.parts) {
    if (part.start > pos) b.copy(pos, part.start);
    if (part.kind === 'literal') {
      if (part.end - part.start === part.value.length) b.copy(part.start, part.end);
      else b.emit(part.value, part.start, part.end);
    } else if (part.kind === 'interpolation') {
      const v: ResolvedValue = terraform.evaluate(part.expr, p.dir, p.file);
      b.emit(v.kind === 'known' ? v.text : fileText.slice(part.start, part.end), part.start, part.end, v);
    }
    pos = Math.max(pos, part.end);
  }
  if (pos < e.contentEnd) b.copy(pos, e.contentEnd);
  return b.build();
}

/** Packer `provisioner "file"` uploads of agent configs into an image, with the image's OS. */
export function packerUploads(packerFiles: readonly ParsedHclFile[], files: ReadonlyMap<string, SourceText>): UploadedConfig[] {
  const out: UploadedConfig[] = [];
  for (const f of packerFiles) {
    const dir = dirOf(f.file);
    for (const build of f.parse.body.items) {
      if (build.kind !== 'block' || build.type !== 'build') continue;
      const provs = provisionerBlocks(build.body);
      const sources = buildSourcesOf(build.body, f.file);
      const on = provs.map((p) => runsOn(p.body, sources));
      provs.forEach((p, i) => {
        if (p.labels[0]?.value !== 'file') return;
        // A Windows image: Windows provisioners run on a source this upload goes to (every source when the build
        // names none readable here), or a source it goes to is a Windows machine by its own settings (WinRM, in the
        // top-level block or the build-level one). `only` / `except` keep the Linux upload of a two-OS build out of
        // the Windows image.
        const windows =
          provs.some(
            (q, j) =>
              /^(powershell|windows-shell|windows-restart)$/.test(q.labels[0]?.value ?? '') && (sources.length === 0 || on[j]!.some((s) => on[i]!.includes(s))),
          ) || on[i]!.some((s) => sourceIsWindows(packerFiles, s));
        const source = stringAttr(p, 'source', dir);
        const destination = stringAttr(p, 'destination', dir);
        if (!source || !destination) return;
        // Relative to where Packer runs: usually the template's directory, else the repository root.
        const rel = [joinRel(dir, source), joinRel('', source)].find((r) => files.has(r));
        // A directory upload: `source = "files/consul"` puts the directory itself into the destination,
        // `source = "files/consul/"` its contents (Packer file provisioner, "Directory Uploads").
        const uploads: Array<{ rel: string; target: string }> = [];
        if (rel !== undefined) uploads.push({ rel, target: targetOf(destination, baseName(rel)) });
        else {
          const bare = source.replace(/[\\/]+$/, '');
          const from = [joinRel(dir, bare), joinRel('', bare)].find((r) => r !== '' && [...files.keys()].some((k) => k.startsWith(`${r}/`)));
          if (from !== undefined) {
            const win = WINDOWS_PATH.test(destination);
            const sep = win ? '\\' : '/';
            const base = `${destination.replace(/[\\/]+$/, '')}${sep}${/[\\/]$/.test(source) ? '' : `${baseName(from)}${sep}`}`;
            // Only into an agent's own config directory (`C:\\consul\\`, `/etc/nomad.d/`), and only files that read as
            // agent configs: a staging directory (`/tmp/config/`, ACL policy files) is copied onward by scripts.
            for (const k of files.keys()) {
              if (!k.startsWith(`${from}/`)) continue;
              const target =
                base +
                k
                  .slice(from.length + 1)
                  .split('/')
                  .join(sep);
              if (agentConfigDir(target) && looksLikeAgentConfigText(files.get(k)!.text)) uploads.push({ rel: k, target });
            }
          }
        }
        uploads.forEach(({ rel: file, target }, n) => {
          const text = files.get(file);
          if (!text || !/\.(hcl|json)$/i.test(file) || !agentTarget(target)) return;
          out.push(uploadDoc(f.file, p, i, n, file, target, text, windows));
        });
      });
    }
  }
  return out;
}

function uploadDoc(template: string, p: HclBlock, i: number, n: number, rel: string, target: string, text: SourceText, windows: boolean): UploadedConfig {
  return {
    consumed: rel,
    doc: {
      id: `${template}#packer-upload${i}${n > 0 ? `.${n}` : ''}`,
      hostFile: rel,
      os: windows ? 'windows' : 'linux',
      osReason: `copied into the ${windows ? 'Windows' : 'Linux'} image by ${template}`,
      targetPath: target,
      writeSpan: { file: template, start: p.start, end: p.end },
      via: 'Packer file provisioner',
      text: MappedText.identity(rel, text.text),
      format: /\.json$/i.test(target) ? 'json' : 'hcl',
      templateFile: rel,
      append: false,
      encoding: undefined,
      imageTime: true,
    },
  };
}

/** A string attribute with `${path.root}` / `${path.module}` / `${path.cwd}` resolved to the template's directory. */
function stringAttr(block: HclBlock, name: string, dir: string): string | undefined {
  const a = block.body.items.find((i) => i.kind === 'attribute' && i.name === name);
  if (!a || a.kind !== 'attribute' || a.value.type !== 'string') return undefined;
  let out = '';
  for (const part of a.value.parts) {
    if (part.kind === 'literal') out += part.value;
    else if (part.kind === 'interpolation' && part.expr.type === 'traversal' && part.expr.path[0] === 'path') out += dir === '' ? '.' : dir;
    else return undefined;
  }
  return a.value.parts.length === 0 ? a.value.value : out;
}
