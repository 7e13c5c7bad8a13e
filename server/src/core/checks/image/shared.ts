/**
 * Helpers shared by the image checks: what a Packer build runs in order
 * (script commands and `inline` commands, mapped back to host spans), version
 * comparison and path normalisation.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { PackerProvisioner } from '../../packer';
import { imagesOf, packerProvisioners, provisionerScripts } from '../../packer';
import type { ScriptFacts } from '../../scripts/scriptModel';
import type { Span } from '../../types';
import { MappedText } from '../../text/mappedText';
import { scanPowerShell } from '../../parsers/powershell';
import { scanBash } from '../../parsers/bash';
import type { PsCommand, PsValue } from '../../parsers/powershell/types';
import type { ShCommand } from '../../parsers/bash/types';

/** One command a Packer build runs, normalised across PowerShell and bash. */
export interface BuildCommand {
  readonly name: string;
  /** Arguments and parameter values as plain text (quotes removed where the scanner decoded them). */
  readonly words: readonly string[];
  /** `-Name value` parameters (lower-case names) for PowerShell commands. */
  readonly params: ReadonlyMap<string, string>;
  /** The whole pipeline source text (for `… | Stop-Service`). */
  readonly raw: string;
  readonly span: Span;
  readonly provisioner: PackerProvisioner;
}

export interface PackerBuild {
  readonly key: string;
  readonly file: string;
  readonly sources: readonly string[];
  readonly provisioners: readonly PackerProvisioner[];
}

/**
 * What each image runs, in order: the provisioners of a build (of a template and its sources), split by `only` /
 * `except` into one image per group of sources that run the same provisioners. An image nothing provisions is left out.
 */
export function packerBuilds(model: DeploymentModel): PackerBuild[] {
  const builds = new Map<string, PackerProvisioner[]>();
  for (const p of packerProvisioners(model)) {
    const key = `${p.file}|${p.buildSources.map((s) => `${s.ref} as ${s.name}`).join(',')}`;
    const list = builds.get(key) ?? [];
    list.push(p);
    builds.set(key, list);
  }
  const out: PackerBuild[] = [];
  for (const provisioners of builds.values()) {
    const file = provisioners[0]!.file;
    for (const image of imagesOf(provisioners)) {
      if (image.provisioners.length > 0)
        out.push({ key: `${file}|${image.sources.join(',')}`, file, sources: image.sources, provisioners: image.provisioners });
    }
  }
  return out;
}

/** The program a command names, as its lower-case file name without `.exe`: `C:\HashiCorp\Nomad\nomad.exe` and `/usr/local/bin/nomad` are `nomad`. */
export function programFileName(name: string): string {
  return name
    .toLowerCase()
    .replace(/^["']|["']$/g, '')
    .replace(/^.*[\\/]/, '')
    .replace(/\.exe$/, '');
}

/** The scripts a provisioner runs, by path when the path is in the tree (see provisionerScripts). */
export function scriptsOfProvisioner(model: DeploymentModel, p: PackerProvisioner): ScriptFacts[] {
  const files = provisionerScripts(model, p);
  return model.scripts.filter((s) => files.includes(s.file));
}

export function psValueText(src: string, v: PsValue | undefined): string {
  if (!v) return '';
  switch (v.kind) {
    case 'string':
      return src.slice(v.literal.contentStart, v.literal.contentEnd);
    case 'bareword':
    case 'other':
      return v.text;
    case 'variable':
      return `$${v.name}`;
    default:
      return src.slice(v.start, v.end);
  }
}

/**
 * A command of a provisioner's script, read when first asked: the image checks look at every command's name, and at
 * the words, parameters, text and place of a few (a provisioner's script may be thousands of lines).
 */
abstract class LazyBuildCommand<C extends { readonly name: string; readonly start: number; readonly end: number }> implements BuildCommand {
  readonly name: string;
  abstract readonly words: readonly string[];
  abstract readonly params: ReadonlyMap<string, string>;
  private spanMemo: Span | undefined;

  constructor(
    protected readonly src: string,
    protected readonly c: C,
    private readonly place: Span | MappedText,
    readonly provisioner: PackerProvisioner,
  ) {
    this.name = c.name;
  }

  get raw(): string {
    return this.src.slice(this.c.start, this.c.end);
  }

  get span(): Span {
    return (this.spanMemo ??= hostSpan(this.place, this.c));
  }
}

class PsBuildCommand extends LazyBuildCommand<PsCommand> {
  private wordsMemo: readonly string[] | undefined;
  private paramsMemo: ReadonlyMap<string, string> | undefined;

  get words(): readonly string[] {
    return (this.wordsMemo ??= this.c.arguments.map((a) => psValueText(this.src, a)));
  }

  get params(): ReadonlyMap<string, string> {
    if (this.paramsMemo === undefined) {
      const params = new Map<string, string>();
      for (const q of this.c.parameters) params.set(q.name.toLowerCase(), psValueText(this.src, q.value));
      this.paramsMemo = params;
    }
    return this.paramsMemo;
  }
}

const NO_PARAMS: ReadonlyMap<string, string> = new Map();

class ShBuildCommand extends LazyBuildCommand<ShCommand> {
  private wordsMemo: readonly string[] | undefined;

  get words(): readonly string[] {
    return (this.wordsMemo ??= this.c.args.map((a) => a.literal ?? a.raw));
  }

  get params(): ReadonlyMap<string, string> {
    return NO_PARAMS;
  }
}

/** A command's host span: the span given (an inline command: its whole string), or mapped through the script's text. */
function hostSpan(place: Span | MappedText, c: { readonly start: number; readonly end: number }): Span {
  return place instanceof MappedText ? place.toHost(c.start, c.end) : place;
}

/** Per model and provisioner: three image checks read the same commands (a provisioner's script may be thousands of lines). */
const commandsMemo = new WeakMap<DeploymentModel, Map<PackerProvisioner, readonly BuildCommand[]>>();

/** Every command a provisioner runs: its scripts' commands, then its `inline` lines; `windows-restart` yields a pseudo command. */
export function commandsOf(model: DeploymentModel, p: PackerProvisioner): readonly BuildCommand[] {
  let byProv = commandsMemo.get(model);
  if (!byProv) commandsMemo.set(model, (byProv = new Map()));
  let cmds = byProv.get(p);
  if (!cmds) byProv.set(p, (cmds = computeCommands(model, p)));
  return cmds;
}

function computeCommands(model: DeploymentModel, p: PackerProvisioner): BuildCommand[] {
  const out: BuildCommand[] = [];
  if (p.type === 'windows-restart') {
    out.push({ name: 'windows-restart', words: [], params: new Map(), raw: 'windows-restart', span: p.span, provisioner: p });
    return out;
  }
  for (const s of scriptsOfProvisioner(model, p)) {
    const src = s.text.text;
    if (s.language === 'powershell') for (const c of s.scan.commands) out.push(new PsBuildCommand(src, c, s.text, p));
    else for (const c of s.scan.commands) out.push(new ShBuildCommand(src, c, s.text, p));
  }
  for (const item of p.inline) {
    if (item.type !== 'string') continue;
    const span: Span = { file: p.file, start: item.start, end: item.end };
    if (p.type === 'powershell' || p.type === 'windows-shell') {
      const r = scanPowerShell(item.value);
      for (const c of r.commands) out.push(new PsBuildCommand(item.value, c, span, p));
    } else {
      const r = scanBash(item.value);
      for (const c of r.commands) out.push(new ShBuildCommand(item.value, c, span, p));
    }
  }
  return out;
}

export function parseVersion(v: string): number[] {
  return v
    .split(/[.+-]/)
    .slice(0, 3)
    .map((x) => Number.parseInt(x, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** Path as compared: forward slashes, no quotes, no trailing slash; lower-case on Windows. */
export function normPath(p: string, windows: boolean): string {
  let s = p
    .trim()
    .replace(/^["']|["']$/g, '')
    .replace(/\\\\/g, '/')
    .replace(/\\/g, '/')
    .replace(/\/+$/, '');
  if (windows) s = s.toLowerCase();
  return s;
}

export function dirOfPath(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? p : p.slice(0, i);
}

export function lineOf(model: DeploymentModel, span: Span): string {
  const src = model.files.get(span.file);
  return `${span.file}:${src ? src.positionAt(span.start).line + 1 : 0}`;
}
