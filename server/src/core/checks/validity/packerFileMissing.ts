/**
 * packer-file-missing: a Packer template names a local file that is not in the tree, so `packer build` (and
 * `packer validate`) stops before it launches a builder.
 *
 * What Packer checks, and the words it prints (github.com/hashicorp/packer):
 * - the shell, shell-local, powershell and windows-shell provisioners stat every `script` / `scripts` entry in their
 *   `Prepare` and return `Bad script '%s': %s` with the `os.Stat` error (`stat x.sh: no such file or directory`);
 *   HCL2 wraps it as `Failed preparing provisioner-block "shell" ""`;
 * - the file provisioner stats each upload `source` / `sources` entry the same way: `Bad source '%s': %s` (not with
 *   `generated = true`, not for `direction = "download"`);
 * - HCL2 `file()` / `filebase64()` / `templatefile()` read through go-cty-funcs `filesystem` (readFileBytes:
 *   `no file exists at %s`), which HCL reports as `Call to function "file" failed: …`;
 * - a builder's own local files, stated by its `Prepare` (see PackerSourcePaths in packer.ts for the sources):
 *   `user_data_file` of the amazon builders (`user_data_file not found: %s`), `floppy_files` / `floppy_dirs`
 *   (`Bad Floppy disk file '%s': %s`, `Bad Floppy disk directory '%s': %s`) and `cd_files` (`Bad CD disk file '%s':
 *   %s`); a glob entry is not judged.
 *
 * Where a relative path points: the provisioner docs say a `script` / `source` is "relative to the working directory
 * when Packer is executed", for HCL2 and legacy JSON templates alike (`path.root` in HCL2 and `{{template_dir}}` in
 * JSON are the template's directory); the HCL2 file functions join it to the directory of the template or folder
 * given to `packer build` (hcl2template.Parser.Parse: `Basedir`). The tree does not say where Packer is run, so a
 * path is judged against every reading the rest of the tool accepts (packer.ts localPathCandidates: beside the
 * template, then from the tree root) and reported only when none of them is a file of the tree (or, for a directory
 * upload, a directory of it). Readings that climb above the analysed root are not judged, nor are paths with a part
 * known only at build time (`env()`, `{{env}}`, a variable without a default, `path.cwd`), absolute paths and paths
 * under directories the walk does not list (see KnownPaths.status), nor anything until the listing is complete.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import { localPathCandidates, mentions, packerProvisioners, packerSourcePaths, packerValues, startsFromPathRoot } from '../../packer';
import type { PackerLocalPath, PackerProvisioner, PackerSourcePaths } from '../../packer';
import type { FileReadCall } from '../../terraform/model';
import type { TreePathLookup } from '../../workspace/knownPaths';
import type { ChainStep, Finding, RelatedInfo, ResolvedValue, Span } from '../../types';
import { dirOf } from '../../workspace/fileKinds';
import { finding } from '../check';
import type { Check } from '../check';

/** The file functions Packer's HCL2 has (hcl2template/functions.go) whose path argument must be an existing file. */
const PACKER_FILE_FUNCTIONS = new Set(['file', 'filebase64', 'templatefile']);

/** The error Packer prints for a provisioner path (see the header for where the words come from). */
export function badPathError(attr: string, shown: string): string {
  const stat = `stat ${shown}: no such file or directory`;
  switch (attr) {
    case 'user_data_file':
      return `user_data_file not found: ${shown}`;
    case 'floppy_files':
      return `Bad Floppy disk file '${shown}': ${stat}`;
    case 'floppy_dirs':
      return `Bad Floppy disk directory '${shown}': ${stat}`;
    case 'cd_files':
      return `Bad CD disk file '${shown}': ${stat}`;
    default:
      return `Bad ${attr === 'source' || attr === 'sources' ? 'source' : 'script'} '${shown}': ${stat}`;
  }
}

interface Missing {
  /** Where Packer may look, inside the tree (see localPathCandidates). */
  readonly readings: readonly string[];
  readonly variants: readonly string[];
}

/** Whether every reading of the path the tool accepts is absent from a complete listing (undefined: not missing, or cannot say). */
function missingPath(paths: TreePathLookup, dir: string, v: ResolvedValue, directory: boolean, base: 'cwd' | 'template' | 'tree'): Missing | undefined {
  if (v.kind !== 'known' || v.secret || v.text.trim() === '' || /[*?[]/.test(v.text)) return undefined;
  const text = v.text.replace(/\\/g, '/');
  if (text === '~' || text.startsWith('~/')) return undefined;
  const { candidates, readings } = localPathCandidates(dir, directory ? text.replace(/\/+$/, '') : text, base);
  if (readings.length === 0 || candidates.length === 0) return undefined;
  // A directory of the tree answers `unknown` (it is not a file): a directory upload that exists, or a script path
  // naming a directory, is not "no such file".
  if (!candidates.every((c) => c !== '' && paths.status(c) === 'absent')) return undefined;
  return { readings, variants: [...new Set(readings.flatMap((c) => paths.caseVariants(c)))] };
}

export const packerFileMissing: Check = {
  id: 'packer-file-missing',
  category: 'template',
  severity: 'error',
  title:
    'A Packer provisioner script, upload source, builder file (user_data_file, floppy_files, cd_files) or file()/templatefile() path is not in the tree: packer build stops before it starts',
  run(model) {
    const paths = model.paths;
    if (!paths || model.packerFiles.length === 0) return [];
    const out: Finding[] = [];
    for (const p of packerProvisioners(model)) {
      for (const lp of p.localPaths) {
        const m = missingPath(paths, dirOf(p.file), lp.value, lp.directory, lp.fromRoot ? 'tree' : 'cwd');
        if (m && lp.value.kind === 'known') out.push(provisionerFinding(model, p, lp, lp.value.text, m));
      }
    }
    // A builder's files are relative to where Packer runs, as a provisioner's script is.
    for (const src of packerSourcePaths(model)) {
      for (const lp of src.localPaths) {
        const m = missingPath(paths, dirOf(src.file), lp.value, lp.directory, lp.fromRoot ? 'tree' : 'cwd');
        if (m && lp.value.kind === 'known') out.push(sourceFinding(model, src, lp, lp.value.text, m));
      }
    }
    const values = packerValues(model);
    // HCL2 templates only: a legacy JSON template has no HCL functions, and a variables file calls none Packer runs.
    const hclFiles = new Set(model.packerFiles.filter((f) => !f.file.endsWith('.json') && !f.file.endsWith('.pkrvars.hcl')).map((f) => f.file));
    for (const call of values.fileReads) {
      if (call.guarded || !PACKER_FILE_FUNCTIONS.has(call.fn) || !hclFiles.has(call.file)) continue;
      const v: ResolvedValue = mentions(call.pathExpr, 'path', 'cwd')
        ? { kind: 'unknown', reason: 'path.cwd', chain: [] }
        : values.evaluate(call.pathExpr, call.dir, call.file);
      // The file functions join a relative path to the template's directory (Packer's Basedir), not to where it runs.
      const m = missingPath(paths, call.dir, v, false, startsFromPathRoot(call.pathExpr) ? 'tree' : 'template');
      if (m && v.kind === 'known') out.push(functionFinding(model, call, v.text, v.chain, m));
    }
    return out;
  },
};

function provisionerFinding(model: DeploymentModel, p: PackerProvisioner, lp: PackerLocalPath, shown: string, m: Missing): Finding {
  const verb = p.type === 'file' ? 'uploads' : 'runs';
  const kind = lp.directory ? 'a directory' : 'a file';
  const chain = lp.value.chain;
  return finding({
    check: packerFileMissing,
    span: lp.span,
    message:
      `The ${p.type} provisioner ${verb} ${shown} (${lp.attr} at ${lineOf(model, lp.span)}), which is not ${kind} of the tree ${lookedFor(m)}: ` +
      `packer build (and packer validate) stops before it launches anything with "${badPathError(lp.attr, shown)}".` +
      advice(m, chain),
    related: [{ span: p.span, message: `${p.type} provisioner` }, ...chainRelated(chain)],
  });
}

function sourceFinding(model: DeploymentModel, src: PackerSourcePaths, lp: PackerLocalPath, shown: string, m: Missing): Finding {
  const chain = lp.value.chain;
  return finding({
    check: packerFileMissing,
    span: lp.span,
    message:
      `The ${src.label} names ${shown} in ${lp.attr} (at ${lineOf(model, lp.span)}), which is not ${lp.directory ? 'a directory' : lp.attr === 'user_data_file' ? 'a file' : 'a file or directory'} of the tree ${lookedFor(m)}: ` +
      `packer build (and packer validate) stops before it launches anything with "${badPathError(lp.attr, shown)}".` +
      advice(m, chain),
    related: [{ span: src.span, message: src.label }, ...chainRelated(chain)],
  });
}

function functionFinding(model: DeploymentModel, call: FileReadCall, shown: string, chain: readonly ChainStep[], m: Missing): Finding {
  const span: Span = { file: call.file, start: call.pathExpr.start, end: call.pathExpr.end };
  return finding({
    check: packerFileMissing,
    span,
    message:
      `${call.fn}() in ${call.usedAs} at ${lineOf(model, call.span)} reads ${shown}, which is not a file of the tree ${lookedFor(m)}: ` +
      `packer build (and packer validate) stops with "Error in function call: Call to function "${call.fn}" failed: no file exists at ${shown}."` +
      advice(m, chain),
    related: chainRelated(chain),
  });
}

/** `(no packer/scripts/x.ps1, no scripts/x.ps1)`: where Packer may look. */
function lookedFor(m: Missing): string {
  return `(no ${m.readings.join(', no ')})`;
}

function advice(m: Missing, chain: readonly ChainStep[]): string {
  if (m.variants.length > 0)
    return ` ${m.variants.join(', ')} exists with a different letter case: Windows and macOS file systems ignore case, so the path works there, but a Linux build runner does not find it. Write the path with the file's exact case.`;
  return ` Add the file, or correct the path${chain.length > 0 ? ' (or the variable it is built from)' : ''}.`;
}

function chainRelated(chain: readonly ChainStep[]): RelatedInfo[] {
  return chain.map((s) => ({ span: s.span, message: s.note }));
}

function lineOf(model: DeploymentModel, span: Span): string {
  const src = model.files.get(span.file);
  return `${span.file}:${src ? src.positionAt(span.start).line + 1 : 0}`;
}
