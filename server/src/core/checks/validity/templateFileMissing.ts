/**
 * template-file-missing: `templatefile()`, `file()` (or `filebase64()`, a `data "template_file"` with
 * `template = file(…)`) names a path that is not a file of the tree, so `terraform plan` stops before it creates
 * anything.
 *
 * The wording of the error is Terraform's own: internal/lang/funcs/filesystem.go (readFileBytes) returns
 * `no file exists at %s; this function works only with files that are distributed as part of the configuration
 * source code, so if this file will be created by a resource in this configuration you must instead obtain this
 * result from an attribute of that resource` (the path quoted by redactIfSensitive), and the function call wraps
 * it as `Invalid value for "path" parameter: …` (an argument error on the parameter named `path`).
 *
 * Only a path the model knows completely is judged (no variable without a value, nothing known only after apply),
 * once per chain of module calls that instantiates the module; a path that climbs above the analysed root, lies in
 * the home directory or under a directory the walk did not list is not. Whether the file exists is asked of the
 * workspace's listing of every file (read or not), never of the files the engine reads: a `cloud-init.yaml` or an
 * extension-less template exists even though nothing parses it.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { FileReadCall, TfModuleCall } from '../../terraform/model';
import type { Finding, RelatedInfo, Span } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';

/** Terraform's error for a missing file (see the header for where it comes from). */
export function noFileExistsError(shown: string): string {
  return (
    `Invalid value for "path" parameter: no file exists at ${JSON.stringify(shown)}; this function works only with files that are ` +
    'distributed as part of the configuration source code, so if this file will be created by a resource in this configuration ' +
    'you must instead obtain this result from an attribute of that resource.'
  );
}

export const templateFileMissing: Check = {
  id: 'template-file-missing',
  category: 'template',
  severity: 'error',
  title: 'templatefile()/file() names a path that is not a file of the tree: terraform plan fails with "no file exists"',
  run(model) {
    const paths = model.paths;
    if (!paths) return [];
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const call of model.terraform.fileReads) {
      if (call.guarded) continue;
      for (const r of model.terraform.fileReadPaths(call)) {
        if (r.path === undefined || r.leavesRoot || !r.path) continue;
        const key = `${call.file}\0${call.pathExpr.start}\0${r.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (paths.status(r.path) !== 'absent') continue;
        const span: Span = { file: call.file, start: call.pathExpr.start, end: call.pathExpr.end };
        // Terraform runs in the root module: where the outermost module call sits, or the call's own directory.
        const shown = relativeTo(r.instance[0]?.callerDir ?? call.dir, r.path);
        const variants = paths.caseVariants(r.path);
        const related: RelatedInfo[] = [
          ...r.instance.map((m) => ({
            span: { file: m.file, start: m.block.start, end: m.block.end },
            message: `module "${m.name}" instantiates ${m.sourceDir || '.'}`,
          })),
          ...(r.chain ?? []).map((s) => ({ span: s.span, message: s.note })),
        ];
        out.push(
          finding({
            check: templateFileMissing,
            span,
            message:
              `${describeCall(call)} at ${lineOf(model, call.span)}${describeInstance(model, r.instance)} reads ${r.path}, which is not a file of the tree: ` +
              `terraform plan fails with "${noFileExistsError(shown)}"` +
              (variants.length > 0
                ? ` ${variants.join(', ')} exists with a different letter case: Windows and macOS file systems ignore case, so the path works there, but a Linux runner (CI, Terraform Cloud) does not find it. Write the path with the file's exact case.`
                : ` Add the file, or correct the path${r.chain && r.chain.length > 0 ? ' (or the value it is built from)' : ''}.`),
            related,
          }),
        );
      }
    }
    return out;
  },
};

function describeCall(call: FileReadCall): string {
  if (call.fn === 'file' && /^data\.template_file\.[^.]+\.template$/.test(call.usedAs)) {
    return `data "template_file" "${call.usedAs.split('.')[2]}" (template = file(…))`;
  }
  return `${call.fn}() in ${call.usedAs}`;
}

/** ` (module "a" at main.tf:3 → module "b" at modules/x/main.tf:5)`, or '' for a module nobody calls. */
function describeInstance(model: DeploymentModel, instance: readonly TfModuleCall[]): string {
  if (instance.length === 0) return '';
  return ` (as instantiated by ${instance.map((m) => `module "${m.name}" at ${lineOf(model, { file: m.file, start: m.block.start, end: m.block.end })}`).join(' → ')})`;
}

/** `p` relative to the root-relative directory `dir`, as Terraform prints it (its path is relative to the root module). */
function relativeTo(dir: string, p: string): string {
  if (!dir) return p;
  const from = dir.split('/');
  const to = p.split('/');
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  return [...from.slice(i).map(() => '..'), ...to.slice(i)].join('/');
}

function lineOf(model: DeploymentModel, span: Span): string {
  const src = model.files.get(span.file);
  return `${span.file}:${src ? src.positionAt(span.start).line + 1 : 0}`;
}
