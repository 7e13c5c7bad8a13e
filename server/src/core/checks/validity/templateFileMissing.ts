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
 *
 * A call in a block with no instances (`count` that evaluates to 0, a `for_each` with no elements, as the Terraform
 * model evaluates them: TerraformModel.blockInstances; on the resource, data source or
 * module block around it or on a module call that instantiates its module) is not dropped, because `terraform plan`
 * and `apply` first run the validation walk (internal/backend/local/backend_local.go: `if b.OpValidation { …
 * Core.Validate … }`), and that walk evaluates every block's arguments once, without expanding `count`
 * (internal/terraform/node_resource_validate.go: "we'll evaluate with an unknown number as count.index … we won't
 * expand count until the plan phase"); hashicorp/terraform#22386 shows `count = 0` with a missing `file()` failing
 * apply. What saves such a call is that validate sets every root-module variable to an unknown value
 * (internal/terraform/context_validate.go), and a file function given an unknown path returns an unknown value
 * instead of reading. So: a path that does not depend on a root-module variable is still an error (the message says
 * count = 0 does not help); one that does is a warning: plan succeeds only while the block has no instances.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { HclBlock, HclExpr } from '../../parsers/hcl/ast';
import type { FileReadCall, TfModuleCall } from '../../terraform/model';
import type { ChainStep, Finding, RelatedInfo, Span } from '../../types';
import { chainRelated, finding } from '../check';
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
    // Key → index in `out` of the finding already made for that path, and whether it is the only-while-empty warning.
    const seen = new Map<string, { at: number; warning: boolean }>();
    for (const call of model.terraform.fileReads) {
      if (call.guarded) continue;
      for (const r of model.terraform.fileReadPaths(call)) {
        if (r.path === undefined || r.leavesRoot || !r.path) continue;
        const key = `${call.file}\0${call.pathExpr.start}\0${r.path}`;
        const before = seen.get(key);
        if (before && !before.warning) continue;
        if (paths.status(r.path) !== 'absent') continue;
        const span: Span = { file: call.file, start: call.pathExpr.start, end: call.pathExpr.end };
        // Terraform runs in the root module: where the outermost module call sits, or the call's own directory.
        const shown = relativeTo(r.instance[0]?.callerDir ?? call.dir, r.path);
        const variants = paths.caseVariants(r.path);
        const empty = noInstances(model, call, r.instance);
        // With no instances, only the validation walk could read the file, and it cannot when the path needs a
        // root-module variable (see the header).
        const onlyWhileEmpty = empty !== undefined && model.terraform.fileReadPathAtValidate(call, r.instance).path === undefined;
        // One finding per path: an instance where plan fails outranks one with no instances (a module called twice).
        if (before && onlyWhileEmpty) continue;
        const related: RelatedInfo[] = [
          ...r.instance.map((m) => ({
            span: { file: m.file, start: m.block.start, end: m.block.end },
            message: `module "${m.name}" instantiates ${m.sourceDir || '.'}`,
          })),
          ...(r.chain ?? []).map((s) => ({ span: s.span, message: s.note })),
          ...(empty ? [{ span: empty.span, message: `${empty.what}: no instances` }, ...chainRelated(empty.chain)] : []),
        ];
        const fix =
          variants.length > 0
            ? ` ${variants.join(', ')} exists with a different letter case: Windows and macOS file systems ignore case, so the path works there, but a Linux runner (CI, Terraform Cloud) does not find it. Write the path with the file's exact case.`
            : ` Add the file, or correct the path${r.chain && r.chain.length > 0 ? ' (or the value it is built from)' : ''}.`;
        const where = `${describeCall(call)} at ${lineOf(model, call.span)}${describeInstance(model, r.instance)} reads ${r.path}, which is not a file of the tree`;
        const error = `"${noFileExistsError(shown)}"`;
        const made = finding({
          check: templateFileMissing,
          span,
          ...(onlyWhileEmpty ? { severity: 'warning' as const } : {}),
          message: onlyWhileEmpty
            ? `${where}. terraform plan succeeds only while ${empty.what}: a block with no instances is not evaluated, and the validation walk that plan runs first sees the root-module variable the path is built from as unknown. ` +
              `Once it has an instance, plan fails with ${error}${fix}`
            : `${where}: terraform plan fails with ${error}` +
              (empty
                ? ` Even with ${empty.what} it does: plan first runs the validation walk, which evaluates every block once whatever its count or for_each, and this path does not depend on a root-module variable (the only values validate leaves unknown).`
                : '') +
              fix,
          related,
        });
        if (before) {
          out[before.at] = made;
          seen.set(key, { at: before.at, warning: false });
        } else seen.set(key, { at: out.push(made) - 1, warning: onlyWhileEmpty });
      }
    }
    return out;
  },
};

/** Why the call's block has no instances, when the model knows it has none. */
interface NoInstances {
  /** `count = var.windows_client_count = 0 on resource "aws_instance" "windows"`. */
  readonly what: string;
  readonly span: Span;
  readonly chain: readonly ChainStep[];
}

/**
 * The block around the call (resource, data source or module call), or a module call of the chain that instantiates
 * its module, with `count` known to be 0 or `for_each` an empty literal. An unknown count is not 0.
 */
function noInstances(model: DeploymentModel, call: FileReadCall, instance: readonly TfModuleCall[]): NoInstances | undefined {
  const own = model.terraform.enclosingBlock(call.file, call.span.start);
  if (own) {
    const z = emptyBlock(model, own, call.file, call.dir, instance);
    if (z) return z;
  }
  // A module call is evaluated in its caller's instance: the calls before it in the chain.
  for (let i = 0; i < instance.length; i++) {
    const m = instance[i]!;
    const z = emptyBlock(model, m.block, m.file, m.callerDir, instance.slice(0, i));
    if (z) return z;
  }
  return undefined;
}

function emptyBlock(model: DeploymentModel, block: HclBlock, file: string, dir: string, instance: readonly TfModuleCall[]): NoInstances | undefined {
  const header = [block.type, ...block.labels.map((l) => JSON.stringify(l.value))].join(' ');
  // count or for_each as the Terraform model evaluates them (`var.enabled ? 1 : 0`, `length(var.hosts)`, `for_each =
  // var.nodes` set to `{}` in tfvars, `{ for … }`); an unknown count is not 0.
  const made = model.terraform.blockInstances(block, file, dir, instance);
  if (!made || made.value.kind !== 'known' || Number(made.value.text) !== 0) return undefined;
  const written = model.terraform.sourceOf(file).slice(made.expr.start, made.expr.end).trim();
  const shown = made.meta === 'count' ? (written === '0' ? '0' : `${written} = 0`) : isEmptyLiteral(made.expr) ? written : `${written} (no elements)`;
  return { what: `${made.meta} = ${shown} on ${header}`, span: { file, start: made.expr.start, end: made.expr.end }, chain: made.value.chain };
}

/** `{}` or `toset([])`: a for_each with no elements as written. */
function isEmptyLiteral(e: HclExpr): boolean {
  if (e.type === 'object') return e.items.length === 0;
  return e.type === 'call' && e.name === 'toset' && e.args.length === 1 && e.args[0]!.type === 'list' && e.args[0]!.items.length === 0;
}

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
