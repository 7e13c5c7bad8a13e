/**
 * The Terraform side of the value chain: variables, tfvars, module inputs,
 * locals and `templatefile()` / `template_file` calls, with an evaluator that
 * resolves the expressions passed to templates and records every hop.
 */
import type { HclAttribute, HclBlock, HclBody, HclExpr, HclForExpr } from '../parsers/hcl/ast';
import type { ParsedHclFile } from '../workspace/parsedFiles';
import type { ChainStep, ResolvedValue, Span } from '../types';
import { baseName, dirOf, joinRel } from '../workspace/fileKinds';
import { isNull, known, looksSecretName, markSecret, notNull, nullValue, unknown } from './values';
import { applyEncodingFunction, ENCODING_FUNCTIONS, fileContentValue } from './functions';
import {
  applyCollectionFunction,
  binaryChain,
  blur,
  collectionOf,
  COLLECTION_FUNCTIONS,
  convert,
  index,
  mapping,
  MAX_ITEMS,
  primitive,
  sequence,
  toBool,
  toNumber,
  typeConstraint,
  unaryOp,
} from './collections';

/**
 * Reads a file of the tree for `file()`/`filebase64()`: its text, or undefined when the tree has no such file. It
 * never reaches the disk: only the texts the analysis was given.
 */
export type TreeFileReader = (path: string) => string | undefined;

/** How arguments of a function call are evaluated: in a module (`var.x`, `path.module`) or in a template (its vars). */
interface CallScope {
  evaluate(e: HclExpr): ResolvedValue;
  /** Where a file path argument points (relative paths from Terraform's working directory, as in resolveFilePath). */
  filePath(e: HclExpr): ResolvedFilePath;
}

export interface TfVariable {
  readonly name: string;
  readonly dir: string;
  readonly file: string;
  readonly block: HclBlock;
  readonly defaultExpr: HclExpr | undefined;
  readonly sensitive: boolean;
}

export interface TfModuleCall {
  readonly name: string;
  readonly file: string;
  readonly callerDir: string;
  readonly sourceDir: string | undefined;
  readonly inputs: ReadonlyMap<string, HclAttribute>;
  readonly block: HclBlock;
}

export interface TfvarsValue {
  readonly name: string;
  readonly file: string;
  readonly attr: HclAttribute;
}

export interface TfFileProvisioner {
  readonly file: string;
  readonly dir: string;
  readonly block: HclBlock;
  readonly content: HclExpr | undefined;
  readonly source: HclExpr | undefined;
  readonly destination: ResolvedValue;
  /** The connection is WinRM: the instance is Windows. */
  readonly winrm: boolean;
  /** `resource.aws_instance.windows_client`. */
  readonly resource: string;
}

/** A `templatefile(path, vars)` call or a `template_file` data source. */
export interface TemplateCall {
  readonly file: string;
  readonly dir: string;
  /** Root-relative path of the template, when the path expression resolves. */
  readonly templatePath: string | undefined;
  readonly pathReason?: string;
  readonly vars: ReadonlyMap<string, HclAttribute>;
  /**
   * Whether `vars` is every variable the call passes. False when the vars argument is not an object literal the model
   * can read through (`merge(var.folders, { … })` with a default it cannot see, a `local`, a function of other
   * values): a template variable not in `vars` may still be passed.
   */
  readonly varsComplete: boolean;
  readonly span: Span;
  /** What the rendered text is used as (`user_data` of `aws_instance.windows_client`). */
  readonly usedAs: string;
  /** The template path expression, to resolve it again per module instance. */
  readonly pathExpr?: HclExpr;
  /** The module calls (outermost first) this call is evaluated under, when its module is called several times. */
  readonly instance?: readonly TfModuleCall[];
  /** Set for a `data "template_file" "NAME"` block (the template provider, Terraform 0.11 style): its NAME. */
  readonly templateFileData?: string;
}

/** How messages name the construct that renders a template: `templatefile()` or `data "template_file" "x"`. */
export function templateCallLabel(call: TemplateCall): string {
  return call.templateFileData === undefined ? 'templatefile()' : `data "template_file" "${call.templateFileData}"`;
}

/**
 * The Terraform functions that read a file of the configuration. All of them go through the same reader in
 * Terraform (internal/lang/funcs/filesystem.go, readFileBytes), so a missing file fails each the same way.
 */
const FILE_READING_FUNCTIONS = new Set([
  'file',
  'filebase64',
  'templatefile',
  'filemd5',
  'filesha1',
  'filesha256',
  'filesha512',
  'filebase64sha256',
  'filebase64sha512',
]);

/** A call of a file-reading function (`templatefile(path, …)`, `file(path)`, `filebase64(path)`) in a .tf file. */
export interface FileReadCall {
  readonly file: string;
  readonly dir: string;
  /** `templatefile`, `file`, … */
  readonly fn: string;
  readonly pathExpr: HclExpr;
  /** The whole call. */
  readonly span: Span;
  /** Where its result goes (`resource.aws_instance.client.user_data`, `data.template_file.x.template`). */
  readonly usedAs: string;
  /**
   * Inside `try()`/`can()` or a branch of a conditional (`fileexists(p) ? file(p) : ""`): Terraform may never call
   * it or turns its error into a value, so a missing file there is not a plan failure.
   */
  readonly guarded: boolean;
}

/** Where a file path argument points in one module instance. */
export interface ResolvedFilePath {
  /** Root-relative path, when the path expression is known. */
  readonly path?: string;
  readonly reason?: string;
  /** The path string as Terraform evaluates it (`./templates/x.ps1`), when known. */
  readonly text?: string;
  /** The path climbs above the analysis root with `..`: the tree cannot say whether it exists. */
  readonly leavesRoot?: boolean;
  /** Where the parts of the path were set (variables, tfvars, module inputs). */
  readonly chain?: readonly ChainStep[];
}

export class TerraformModel {
  readonly variables = new Map<string, TfVariable>(); // key: dir + '\0' + name
  readonly moduleCalls: TfModuleCall[] = [];
  readonly tfvars = new Map<string, TfvarsValue>(); // key: dir + '\0' + name
  readonly locals = new Map<string, { file: string; attr: HclAttribute }>();
  /** `resource` blocks, keyed by dir + '\0' + `type.name`. */
  readonly resources = new Map<string, { readonly file: string; readonly dir: string; readonly address: string; readonly block: HclBlock }>();
  readonly templateCalls: TemplateCall[] = [];
  /** Every call of a file-reading function (templatefile() included), for template-file-missing. */
  readonly fileReads: FileReadCall[] = [];
  /** `provisioner "file" { content = …, destination = … }` blocks: files Terraform uploads to the instance. */
  readonly fileProvisioners: TfFileProvisioner[] = [];
  /** The `inline` commands of `remote-exec` provisioners, each with its value (scripts they run are called by them). */
  readonly remoteExecInline: Array<{ readonly file: string; readonly dir: string; readonly expr: HclExpr }> = [];
  private readonly evaluating = new Set<string>();
  /** Top-level `resource`, `data` and `module` blocks per file: what a call inside one is evaluated under. */
  private readonly topBlocks = new Map<string, HclBlock[]>();
  /**
   * Set while evaluating as `terraform validate` does (Context.Validate, internal/terraform/context_validate.go): every
   * root-module input variable is an unknown value there, whatever its default or tfvars.
   */
  private asValidate = false;
  /**
   * Set while evaluating fully (evaluateFull): operators, conditionals, for-expressions, attribute and index access,
   * object literals, declared variable types and the numeric and collection functions. The evaluation that renders
   * templates and resolves paths stays the narrower one, so what they show does not change with it.
   */
  private full = false;
  /** The symbols a for-expression binds while its body is evaluated (full evaluation only). */
  private bindings: ReadonlyMap<string, ResolvedValue> = NO_BINDINGS;
  /** Elements for-expressions have visited in the current full evaluation (nested ones multiply): bounded. */
  private forSteps = 0;

  private readonly texts = new Map<string, string>();

  /**
   * The reader `file()`/`filebase64()` go through. Unset, they stay unknown. The deployment model sets it on each
   * analysis (the model itself is reused while the .tf texts are unchanged) and keys what it memoises on the files
   * it read (buildModel.ts, memoReading).
   */
  private readFile: TreeFileReader | undefined;
  /** Bumped on each file read, so path resolutions that read a file are not cached beyond the reader's key. */
  private reads = 0;

  setFileReader(read: TreeFileReader | undefined): void {
    this.readFile = read;
  }

  /** The text of a Terraform file of the model ('' when unknown). */
  sourceOf(file: string): string {
    return this.texts.get(file) ?? '';
  }

  constructor(terraformFiles: readonly ParsedHclFile[], tfvarsFiles: readonly ParsedHclFile[]) {
    for (const f of terraformFiles) this.texts.set(f.file, f.source.text);
    for (const f of terraformFiles) this.indexTerraform(f);
    // terraform.tfvars first, then *.auto.tfvars in lexical order: later wins (Terraform's precedence).
    const ordered = [...tfvarsFiles].sort((a, b) => tfvarsRank(a.file) - tfvarsRank(b.file) || (a.file < b.file ? -1 : 1));
    for (const f of ordered) {
      for (const item of f.parse.body.items) {
        if (item.kind === 'attribute') this.tfvars.set(key(dirOf(f.file), item.name), { name: item.name, file: f.file, attr: item });
      }
    }
    for (const f of terraformFiles) this.findTemplateCalls(f.file, f.parse.body, '');
  }

  private indexTerraform(f: ParsedHclFile): void {
    const dir = dirOf(f.file);
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block') continue;
      if (item.type === 'resource' || item.type === 'data' || item.type === 'module') {
        const list = this.topBlocks.get(f.file) ?? [];
        list.push(item);
        this.topBlocks.set(f.file, list);
      }
      const label = item.labels[0]?.value;
      if (item.type === 'variable' && label) {
        const def = attr(item.body, 'default');
        const sens = attr(item.body, 'sensitive');
        this.variables.set(key(dir, label), {
          name: label,
          dir,
          file: f.file,
          block: item,
          defaultExpr: def?.value,
          sensitive: sens?.value.type === 'bool' && sens.value.value,
        });
      } else if (item.type === 'module' && label) {
        const src = attr(item.body, 'source');
        const srcText = src && src.value.type === 'string' ? src.value.value : undefined;
        const sourceDir = srcText && (srcText.startsWith('./') || srcText.startsWith('../')) ? joinRel(dir, srcText) : undefined;
        const inputs = new Map<string, HclAttribute>();
        for (const a of item.body.items) if (a.kind === 'attribute') inputs.set(a.name, a);
        this.moduleCalls.push({ name: label, file: f.file, callerDir: dir, sourceDir, inputs, block: item });
      } else if (item.type === 'resource' && label && item.labels[1]) {
        const address = `${label}.${item.labels[1].value}`;
        this.resources.set(key(dir, address), { file: f.file, dir, address, block: item });
      } else if (item.type === 'locals') {
        for (const a of item.body.items) if (a.kind === 'attribute') this.locals.set(key(dir, a.name), { file: f.file, attr: a });
      }
    }
  }

  private findTemplateCalls(file: string, body: HclBody, context: string, resource?: HclBlock): void {
    for (const item of body.items) {
      if (item.kind === 'block') {
        const ctx = [item.type, ...item.labels.map((l) => l.value)].join('.');
        if (item.type === 'data' && item.labels[0]?.value === 'template_file') this.addTemplateFileData(file, item, ctx);
        if (item.type === 'provisioner' && item.labels[0]?.value === 'file') this.addFileProvisioner(file, item, resource);
        if (item.type === 'provisioner' && item.labels[0]?.value === 'remote-exec') {
          const inline = attr(item.body, 'inline');
          const items = inline?.value.type === 'list' ? inline.value.items : inline ? [inline.value] : [];
          for (const expr of items) this.remoteExecInline.push({ file, dir: dirOf(file), expr });
        }
        this.findTemplateCalls(file, item.body, ctx, item.type === 'resource' ? item : resource);
      } else {
        this.visitExpr(file, item.value, `${context ? `${context}.` : ''}${item.name}`);
      }
    }
  }

  private visitExpr(file: string, e: HclExpr, usedAs: string, guarded = false): void {
    switch (e.type) {
      case 'call': {
        if (e.name === 'templatefile' && e.args.length >= 1) this.addTemplateFileCall(file, e, usedAs);
        if (FILE_READING_FUNCTIONS.has(e.name) && e.args.length >= 1)
          this.fileReads.push({ file, dir: dirOf(file), fn: e.name, pathExpr: e.args[0]!, span: spanOf(file, e.start, e.end), usedAs, guarded });
        // try() and can() turn an error of their argument into a value.
        const inner = guarded || e.name === 'try' || e.name === 'can';
        for (const a of e.args) this.visitExpr(file, a, usedAs, inner);
        break;
      }
      case 'list':
        for (const i of e.items) this.visitExpr(file, i, usedAs, guarded);
        break;
      case 'object':
        for (const i of e.items) this.visitExpr(file, i.value, `${usedAs}.${i.name}`, guarded);
        break;
      case 'string':
        for (const p of e.parts) if (p.kind === 'interpolation') this.visitExpr(file, p.expr, usedAs, guarded);
        break;
      case 'other': {
        // The branches of `cond ? a : b` (not its condition) are guarded: only the chosen one counts.
        const ops = e.operands ?? [];
        const conditional = ops.length >= 2 && e.raw.slice(ops[0]!.end - e.start, ops[1]!.start - e.start).includes('?');
        ops.forEach((o, i) => this.visitExpr(file, o, usedAs, guarded || (conditional && i > 0)));
        break;
      }
      default:
        break;
    }
  }

  private addTemplateFileCall(file: string, call: Extract<HclExpr, { type: 'call' }>, usedAs: string): void {
    const dir = dirOf(file);
    const vars = new Map<string, HclAttribute>();
    const varsArg = call.args[1];
    const varsComplete = varsArg === undefined || this.collectVars(varsArg, dir, vars, 0);
    const p = this.resolveTemplatePath(call.args[0]!, dir, file);
    this.templateCalls.push({
      file,
      dir,
      templatePath: p.path,
      pathReason: p.reason,
      vars,
      varsComplete,
      span: { file, start: call.start, end: call.end },
      usedAs,
      pathExpr: call.args[0],
    });
  }

  private addTemplateFileData(file: string, block: HclBlock, usedAs: string): void {
    const dir = dirOf(file);
    const tpl = attr(block.body, 'template');
    const varsAttr = attr(block.body, 'vars');
    const vars = new Map<string, HclAttribute>();
    if (varsAttr?.value.type === 'object') for (const a of varsAttr.value.items) vars.set(a.name, a);
    const varsBlock = block.body.items.find((i): i is HclBlock => i.kind === 'block' && i.type === 'vars');
    if (varsBlock) for (const a of varsBlock.body.items) if (a.kind === 'attribute') vars.set(a.name, a);
    const varsComplete = varsAttr === undefined || varsAttr.value.type === 'object' || varsBlock !== undefined;
    // template = file("${path.module}/x.tpl") or "${file("...")}" (0.11); or a string (often a heredoc) joining
    // several files, `<<EOF\n${file("a.sh")}\n${file("b.sh")}\nEOF`: the provider renders the joined text with the
    // same vars, so each file is rendered as a part of its own (template syntax does not span the parts).
    const single = tpl ? unwrapFileCall(tpl.value) : undefined;
    const inners: (HclExpr | undefined)[] = single || !tpl ? [single] : (joinedFileCalls(tpl.value) ?? [undefined]);
    for (const inner of inners) {
      let p: { path?: string; reason?: string } = { reason: 'no template attribute' };
      if (tpl) p = inner ? this.resolveTemplatePath(inner, dir, file) : { reason: 'template is not a file() call' };
      this.templateCalls.push({
        file,
        dir,
        templatePath: p.path,
        pathReason: p.reason,
        vars,
        varsComplete,
        span: { file, start: block.start, end: block.end },
        usedAs,
        pathExpr: inner,
        templateFileData: block.labels[1]?.value ?? '',
      });
    }
  }

  /**
   * The variables a templatefile() vars argument passes: an object literal, `merge(…)` of object literals and of
   * variables/locals whose value is an object literal (their default), each later argument overriding. Returns whether
   * every part was read.
   */
  private collectVars(e: HclExpr, dir: string, into: Map<string, HclAttribute>, depth: number): boolean {
    if (depth > 8) return false;
    if (e.type === 'object') {
      for (const a of e.items) into.set(a.name, a);
      return true;
    }
    if (e.type === 'call' && e.name === 'merge') return e.args.map((a) => this.collectVars(a, dir, into, depth + 1)).every(Boolean);
    if (e.type === 'traversal' && e.path.length === 2 && e.path[0] === 'var') {
      const def = this.variables.get(key(dir, e.path[1]!))?.defaultExpr;
      // A tfvars value or a module input may replace the default: its keys are still the ones the template gets only
      // when nothing overrides it, so the result is partial.
      const overridden = this.tfvars.has(key(dir, e.path[1]!)) || this.moduleCalls.some((m) => m.sourceDir === dir && m.inputs.has(e.path[1]!));
      return def !== undefined && this.collectVars(def, dir, into, depth + 1) && !overridden;
    }
    if (e.type === 'traversal' && e.path.length === 2 && e.path[0] === 'local') {
      const l = this.locals.get(key(dir, e.path[1]!));
      return l !== undefined && this.collectVars(l.attr.value, dir, into, depth + 1);
    }
    return false;
  }

  private resolveTemplatePath(e: HclExpr, dir: string, file: string): { path?: string; reason?: string } {
    return this.resolveFilePath(e, dir, file, 'template');
  }

  /**
   * A file path argument (`templatefile()`, `file()`, a provisioner's `source`) as a path in the tree. A path
   * built on `path.module`/`path.root`/`path.cwd` is already tree-relative (this model evaluates those to tree
   * directories); any other relative path is relative to Terraform's working directory, the root module's
   * directory (`templatefile("./consul/server.hcl", …)` in `examples/cluster/main.tf` is
   * `examples/cluster/consul/server.hcl`), also when the call sits in a child module.
   */
  resolveFilePath(e: HclExpr, dir: string, file: string, what = 'file'): ResolvedFilePath {
    const v = this.evaluate(e, dir, file);
    return this.filePathOf(v, anchoredToPathRef(e) ? '' : this.rootDirOf(dir), what);
  }

  /** A path value as a root-relative path, a relative one joined to `base`. */
  private filePathOf(v: ResolvedValue, base: string, what: string): ResolvedFilePath {
    if (v.kind !== 'known') return { reason: v.reason, chain: v.chain };
    const t = v.text.replace(/\\/g, '/');
    if (t.startsWith('/') || /^[A-Za-z]:\//.test(t)) return { reason: `absolute ${what} path`, text: v.text, chain: v.chain };
    // Terraform expands a leading `~` to the home directory of whoever runs it (homedir.Expand): not in the tree.
    if (t === '~' || t.startsWith('~/')) return { reason: `${what} path in the home directory`, text: v.text, chain: v.chain };
    return { path: joinRel(base, t), text: v.text, chain: v.chain, ...(leavesRoot(base, t) ? { leavesRoot: true } : {}) };
  }

  /**
   * Where a file-reading call's path points, once per chain of module calls that instantiates its module (a module
   * called from two places may be given two different paths), or once when its module is not called.
   */
  fileReadPaths(call: FileReadCall): ReadonlyArray<ResolvedFilePath & { readonly instance: readonly TfModuleCall[] }> {
    // This model is reused while the .tf/.tfvars texts are unchanged (the keystroke path): resolve once.
    let hit = this.fileReadPathCache.get(call);
    if (hit === undefined) {
      const before = this.reads;
      hit = this.instancesOf(call.dir).map((instance) => ({
        ...this.inInstance(instance, () => this.resolveFilePath(call.pathExpr, call.dir, call.file)),
        instance,
      }));
      // A path built from a file's text (`file(trimspace(file("path.txt")))`) depends on more than the .tf texts this
      // model is reused for: not cached.
      if (this.reads === before) this.fileReadPathCache.set(call, hit);
    }
    return hit;
  }

  /** The top-level `resource`, `data` or `module` block of `file` that contains offset `at`, if any. */
  enclosingBlock(file: string, at: number): HclBlock | undefined {
    return this.topBlocks.get(file)?.find((b) => b.start <= at && at < b.end);
  }

  /** Evaluates `e` under a chain of module calls (outermost first), as fileReadPaths does for a path. */
  evaluateIn(instance: readonly TfModuleCall[], e: HclExpr, dir: string, file: string): ResolvedValue {
    return this.inInstance(instance, () => this.evaluate(e, dir, file));
  }

  /**
   * Where a file-reading call's path points in one module instance as `terraform validate` sees it: root-module
   * variables unknown (module inputs, locals and `path.*` still evaluated). `terraform plan` and `apply` run this
   * validation walk first (internal/backend/local/backend_local.go, `b.OpValidation`), and it evaluates each resource
   * block once whatever its `count` (see templateFileMissing.ts).
   */
  fileReadPathAtValidate(call: FileReadCall, instance: readonly TfModuleCall[]): ResolvedFilePath {
    const prev = this.asValidate;
    this.asValidate = true;
    try {
      return this.inInstance(instance, () => this.resolveFilePath(call.pathExpr, call.dir, call.file));
    } finally {
      this.asValidate = prev;
    }
  }

  private readonly fileReadPathCache = new Map<FileReadCall, ReadonlyArray<ResolvedFilePath & { readonly instance: readonly TfModuleCall[] }>>();

  private addFileProvisioner(file: string, block: HclBlock, resource: HclBlock | undefined): void {
    const content = attr(block.body, 'content');
    const source = attr(block.body, 'source');
    const destination = attr(block.body, 'destination');
    if (!destination || (!content && !source)) return;
    const dir = dirOf(file);
    const connection = [block.body, resource?.body]
      .flatMap((b) => (b ? b.items : []))
      .find((i): i is HclBlock => i.kind === 'block' && i.type === 'connection');
    const type = connection ? attr(connection.body, 'type') : undefined;
    this.fileProvisioners.push({
      file,
      dir,
      block,
      content: content?.value,
      source: source?.value,
      destination: this.evaluate(destination.value, dir, file),
      winrm: type?.value.type === 'string' && type.value.value.toLowerCase() === 'winrm',
      resource: resource ? [resource.type, ...resource.labels.map((l) => l.value)].join('.') : '',
    });
  }

  /** Resolves `var.<name>` as seen from module directory `dir`. */
  resolveVariable(dir: string, name: string): ResolvedValue {
    const k = key(dir, name);
    if (this.evaluating.has(k)) return unknown(`var.${name} refers to itself`);
    this.evaluating.add(k);
    const bindings = this.bindings;
    this.bindings = NO_BINDINGS;
    try {
      const v = this.resolveVariableUncached(dir, name);
      if (!this.full) return v;
      // Terraform converts every value given for a variable to its declared type (a list given for `set(string)`
      // becomes a set, which for_each accepts).
      const decl = this.variables.get(k);
      const type = decl ? attr(decl.block.body, 'type') : undefined;
      return type ? convert(v, typeConstraint(type.value)) : v;
    } finally {
      this.bindings = bindings;
      this.evaluating.delete(k);
    }
  }

  private resolveVariableUncached(dir: string, name: string): ResolvedValue {
    const decl = this.variables.get(key(dir, name));
    const secret = looksSecretName(name) || (decl?.sensitive ?? false);
    // Under a module instance, the call that made it is the only caller; otherwise the first caller that passes the input.
    const stack = this.stack;
    const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
    const callers = top && top.sourceDir === dir ? [top] : this.moduleCalls.filter((m) => m.sourceDir === dir);
    // No module call passes it: a variable of the root module, which terraform validate sets to an unknown value.
    if (this.asValidate && callers.length === 0) return unknown(`terraform validate treats var.${name} of the root module as unknown`);
    // `nullable = false`: a null given for the variable takes its default instead (Terraform docs, variables: "nullable").
    const nullable = decl ? attr(decl.block.body, 'nullable')?.value : undefined;
    const nullTakesDefault = nullable?.type === 'bool' && !nullable.value && !!decl?.defaultExpr;
    for (const call of callers) {
      const input = call.inputs.get(name);
      if (!input) continue;
      const v =
        call === top
          ? this.inInstance(stack.slice(0, -1), () => this.evaluate(input.value, call.callerDir, call.file))
          : this.evaluate(input.value, call.callerDir, call.file);
      if (nullTakesDefault && isNull(v)) break;
      const step: ChainStep = { span: spanOf(call.file, input.nameStart, input.end), note: `module "${call.name}" passes ${name}` };
      return markSecret(appendStep(v, step), secret);
    }
    const tv = this.tfvars.get(key(dir, name));
    const fromTfvars = tv ? this.evaluate(tv.attr.value, dir, tv.file) : undefined;
    if (tv && fromTfvars && !(nullTakesDefault && isNull(fromTfvars))) {
      const v = fromTfvars;
      const step: ChainStep = { span: spanOf(tv.file, tv.attr.nameStart, tv.attr.end), note: `${baseName(tv.file)} sets ${name}` };
      return markSecret(appendStep(v, step), secret);
    }
    if (decl?.defaultExpr) {
      const v = this.evaluate(decl.defaultExpr, dir, decl.file);
      const step: ChainStep = { span: spanOf(decl.file, decl.block.start, decl.block.end), note: `variable "${name}" default` };
      return markSecret(appendStep(v, step), secret);
    }
    if (decl) {
      return unknown(`variable "${name}" has no default and no tfvars or module input sets it`, [
        { span: spanOf(decl.file, decl.block.start, decl.block.end), note: `variable "${name}" declared` },
      ]);
    }
    return unknown(`no variable "${name}" is declared in ${dir || 'the root module'}`);
  }

  /** Evaluates an expression in module `dir`; never guesses. */
  evaluate(e: HclExpr, dir: string, file: string): ResolvedValue {
    if (this.full) return this.evaluateFullExpr(e, dir, file);
    switch (e.type) {
      case 'string':
        return this.evaluateTemplateString(e, dir, file);
      case 'number':
        return known(e.raw, []);
      case 'bool':
        return known(String(e.value), []);
      case 'null':
        return unknown('null');
      case 'traversal':
        return this.evaluateTraversal(e.path, dir, file);
      case 'call':
        return this.evaluateCall(e, dir, file);
      case 'list': {
        const items = e.items.map((i) => this.evaluate(i, dir, file));
        const bad = items.find((i) => i.kind === 'unknown');
        if (bad) return bad;
        return known(
          JSON.stringify(items.map((i) => (i.kind === 'known' ? i.text : ''))),
          items.flatMap((i) => i.chain),
        );
      }
      default:
        return unknown(`expression \`${abbreviate(exprText(e))}\` is not evaluated`);
    }
  }

  /** `evaluate` in full mode: every value typed, collections with their elements. */
  private evaluateFullExpr(e: HclExpr, dir: string, file: string): ResolvedValue {
    switch (e.type) {
      case 'string': {
        // A template that is a single interpolation is that value, whatever its type (HCL's TemplateWrapExpr):
        // `count = "${var.servers}"` is a number, `for_each = "${var.nodes}"` a map.
        const only = e.parts.filter((p) => p.kind !== 'literal' || p.value !== '');
        if (e.parts.length > 0 && only.length === 1 && only[0]!.kind === 'interpolation') return this.evaluate(only[0]!.expr, dir, file);
        const v = joinTemplate(e, (expr) => {
          const x = this.evaluate(expr, dir, file);
          return collectionOf(x) ? unknown('a collection cannot be interpolated into a string', x.chain) : x;
        });
        return v.kind === 'known' ? { ...v, shape: { type: 'string' } } : v;
      }
      case 'number':
        return primitive(e.raw, 'number', []);
      case 'bool':
        return primitive(String(e.value), 'bool', []);
      case 'null':
        return nullValue();
      case 'traversal':
        return this.evaluateTraversal(e.path, dir, file);
      case 'call':
        return this.evaluateCall(e, dir, file);
      case 'list':
        if (e.items.length > MAX_ITEMS) return unknown('list too large to evaluate');
        // A `[…]` literal is a tuple, a `{…}` literal an object (HCL TupleConsExpr / ObjectConsExpr).
        return sequence(
          'list',
          e.items.map((i) => this.evaluate(i, dir, file)),
          [],
          true,
        );
      case 'object': {
        const entries: Array<readonly [string, ResolvedValue]> = [];
        const seen = new Set<string>();
        for (const a of e.items) {
          // A key that is an expression (`(var.k)`, `"${var.k}"`) is not read.
          if (/[$%]\{/.test(a.name) || a.name.startsWith('(')) return unknown(`object key \`${abbreviate(a.name)}\` is not evaluated`);
          if (seen.has(a.name)) return unknown(`object key "${a.name}" is given twice`);
          seen.add(a.name);
          entries.push([a.name, this.evaluate(a.value, dir, file)]);
        }
        return mapping(entries, [], true);
      }
      case 'other':
        return this.evaluateOther(e, dir, file);
      default:
        return unknown('expression is not evaluated');
    }
  }

  /** Conditionals, operators, parentheses, `!`/`-` and for-expressions (full evaluation). */
  private evaluateOther(e: Extract<HclExpr, { type: 'other' }>, dir: string, file: string): ResolvedValue {
    if (e.inner) return this.evaluate(e.inner, dir, file);
    if (e.unary) return unaryOp(e.unary.op, this.evaluate(e.unary.operand, dir, file));
    if (e.forExpr) return this.evaluateFor(e.forExpr, dir, file);
    const ops = e.operands;
    if (!ops || ops.length < 2) return unknown(`expression \`${abbreviate(e.raw)}\` is not evaluated`);
    const between = ops.slice(1).map((o, i) => e.raw.slice(ops[i]!.end - e.start, o.start - e.start).trim());
    if (between[0] === '?') {
      // `cond ? a : b`: only the branch the condition picks is the value (Terraform docs, expressions/conditionals).
      if (ops.length !== 3 || between[1] !== ':') return unknown('conditional is not evaluated');
      const c = this.evaluate(ops[0]!, dir, file);
      if (c.kind !== 'known') return notNull(c);
      const pick = toBool(c);
      if (pick === undefined) return unknown(`the condition \`${abbreviate(e.raw.slice(0, ops[0]!.end - e.start))}\` is not a bool`, c.chain);
      // HCL converts both results to one type (`cond ? {} : var.m` is a map): a collection's kind is left open.
      const v = this.evaluate(pick ? ops[1]! : ops[2]!, dir, file);
      return v.kind === 'known' ? blur({ ...v, chain: [...c.chain, ...v.chain] }) : v;
    }
    return binaryChain(
      ops.map((o) => this.evaluate(o, dir, file)),
      between,
    );
  }

  /**
   * A for-expression (Terraform docs, expressions/for): its body evaluated once per element with the symbols bound
   * (over a map: key and value; a list: index and element; a set: the element for both). The object form fails on a
   * key produced twice unless it groups (`...`): unknown here.
   */
  private evaluateFor(f: HclForExpr, dir: string, file: string): ResolvedValue {
    const coll = this.evaluate(f.collection, dir, file);
    if (coll.kind !== 'known') return notNull(coll);
    const c = collectionOf(coll);
    if (!c) return unknown('for expression over a value that is not a collection', coll.chain);
    const outer = this.bindings;
    const items: ResolvedValue[] = [];
    const entries = new Map<string, ResolvedValue[]>();
    try {
      for (let i = 0; i < c.items.length; i++) {
        if (++this.forSteps > MAX_ITEMS) return unknown('for expressions too large to evaluate');
        const item = c.items[i]!;
        const key = c.type === 'map' ? primitive(c.keys[i]!, 'string', []) : c.type === 'set' ? item : primitive(String(i), 'number', []);
        const b = new Map(outer);
        if (f.keyVar !== undefined) b.set(f.keyVar, key);
        b.set(f.valueVar, item);
        this.bindings = b;
        if (f.condition) {
          const keep = this.evaluate(f.condition, dir, file);
          const yes = toBool(keep);
          if (yes === undefined) return keep.kind === 'unknown' ? notNull(keep) : unknown('for expression condition is not a bool', keep.chain);
          if (!yes) continue;
        }
        const value = this.evaluate(f.value, dir, file);
        if (!f.object) {
          items.push(value);
          continue;
        }
        const k = this.evaluate(f.key!, dir, file);
        if (k.kind !== 'known') return notNull(k);
        if (collectionOf(k)) return unknown('for expression key is not a string', k.chain);
        const group = entries.get(k.text);
        if (group && !f.grouping) return unknown(`for expression produces the key "${k.text}" twice (Terraform: "Duplicate object key")`, k.chain);
        if (group) group.push(value);
        else entries.set(k.text, [value]);
      }
    } finally {
      this.bindings = outer;
    }
    // `[for …]` is a tuple, `{for …}` an object (HCL ForExpr), grouped values tuples.
    if (!f.object) return sequence('list', items, coll.chain, true);
    return mapping(
      [...entries].map(([k, vs]) => [k, f.grouping ? sequence('list', vs, [], true) : vs[0]!] as const),
      coll.chain,
      true,
    );
  }

  /**
   * Evaluates `e` with everything this model knows (operators, conditionals, for-expressions, attribute and index
   * access, object literals, declared variable types, the numeric and collection functions), under a chain of module
   * calls. Still never guesses: a value that needs anything unknown is unknown.
   */
  evaluateFull(e: HclExpr, dir: string, file: string, instance: readonly TfModuleCall[] = this.stack): ResolvedValue {
    const prev = this.full;
    if (!prev) this.forSteps = 0;
    this.full = true;
    try {
      return this.inInstance(instance, () => this.evaluate(e, dir, file));
    } finally {
      this.full = prev;
    }
  }

  /**
   * The condition of an `%{ if … }` in a templatefile() template: the full evaluation, with the names the call passes
   * (`passed`, typed by the full evaluation of each argument) as its only names, since Terraform gives a template
   * nothing else (MakeTemplateFileFunc). A name the call does not pass leaves the condition unknown.
   */
  conditionInTemplate(e: HclExpr, passed: (name: string) => ResolvedValue | undefined, call: TemplateCall): ResolvedValue {
    const bindings = new Map<string, ResolvedValue>();
    for (const name of traversalRoots(e)) {
      const v = passed(name);
      if (v === undefined) return unknown(`the template uses ${name} but templatefile() does not pass it`);
      bindings.set(name, v);
    }
    const prev = { full: this.full, bindings: this.bindings };
    if (!prev.full) this.forSteps = 0;
    this.full = true;
    this.bindings = bindings;
    try {
      return this.inInstance(call.instance ?? [], () => this.evaluate(e, call.dir, call.file));
    } finally {
      this.full = prev.full;
      this.bindings = prev.bindings;
    }
  }

  /**
   * How many instances `count = e` or `for_each = e` makes, as a whole number (its text), or unknown. `count` must be
   * a whole number >= 0 (internal/terraform/eval_count.go: `Invalid count argument`); `for_each` a map, an object or a
   * set of strings, known with all its keys, and it makes one instance per key or element (eval_for_each.go: a tuple
   * or list is `Invalid for_each argument`); Terraform docs, meta-arguments/count and meta-arguments/for_each.
   */
  instanceCount(meta: 'count' | 'for_each', e: HclExpr, dir: string, file: string, instance: readonly TfModuleCall[] = this.stack): ResolvedValue {
    const v = this.evaluateFull(e, dir, file, instance);
    if (v.kind !== 'known') return v;
    if (meta === 'count') {
      const n = toNumber(v);
      if (n === undefined || !Number.isInteger(n) || n < 0)
        return unknown(`count is ${abbreviate(v.text)}, not a whole number >= 0 (Terraform: "Invalid count argument")`, v.chain);
      return primitive(String(n), 'number', v.chain);
    }
    const c = collectionOf(v);
    if (!c || c.type === 'list') return unknown('for_each is not a map or a set of strings (Terraform: "Invalid for_each argument")', v.chain);
    // A set of numbers or bools is refused ("for_each supports maps and sets of strings"); a set unified to strings is not.
    if (c.type === 'set' && c.items.length > 0 && c.items.every((i) => i.kind === 'known' && i.shape !== undefined && i.shape.type !== 'string'))
      return unknown('for_each is a set that is not of strings (Terraform: "Invalid for_each set argument")', v.chain);
    return primitive(String(c.items.length), 'number', v.chain);
  }

  /**
   * The instances of a `resource`, `data` or `module` block: its `count` or `for_each` (evaluated in `dir` under the
   * module calls `instance`), or undefined when it has neither (one instance).
   */
  blockInstances(
    block: HclBlock,
    file: string,
    dir: string,
    instance: readonly TfModuleCall[] = [],
  ): { readonly meta: 'count' | 'for_each'; readonly expr: HclExpr; readonly value: ResolvedValue } | undefined {
    for (const meta of ['count', 'for_each'] as const) {
      const a = attr(block.body, meta);
      if (a) return { meta, expr: a.value, value: this.instanceCount(meta, a.value, dir, file, instance) };
    }
    return undefined;
  }

  private evaluateTemplateString(e: Extract<HclExpr, { type: 'string' }>, dir: string, file: string): ResolvedValue {
    return joinTemplate(e, (expr) => this.evaluate(expr, dir, file));
  }

  private evaluateTraversal(path: readonly string[], dir: string, file: string): ResolvedValue {
    const [root, name] = path;
    if (this.full) {
      // A symbol a for-expression binds, then any attribute / index steps; `var.x.a[0]`, `local.x["k"]`.
      const bound = root !== undefined ? this.bindings.get(root) : undefined;
      if (bound) return path.slice(1).reduce(index, bound);
      if ((root === 'var' || root === 'local') && name && path.length > 2)
        return path.slice(2).reduce(index, this.evaluateTraversal(path.slice(0, 2), dir, file));
    }
    if (root === 'var' && name)
      return path.length === 2 ? this.resolveVariable(dir, name) : unknown(`var.${name}${path.slice(2).join('.')}: attribute access is not evaluated`);
    if (root === 'local' && name && path.length > 2) return unknown(`local.${name}.${path.slice(2).join('.')}: attribute access is not evaluated`);
    // The root module's path is `.` (as in Terraform): `"${path.module}/x.tpl"` must not become the absolute `/x.tpl`.
    if (root === 'path' && name === 'module') return known(dir || '.', []);
    // Terraform runs in the root module: path.cwd and path.root are its directory.
    if (root === 'path' && (name === 'root' || name === 'cwd')) return known(this.rootDirOf(dir) || '.', []);
    if (root === 'local' && name) {
      const l = this.locals.get(key(dir, name));
      if (!l) return unknown(`no local "${name}" in ${dir || 'the root module'}`);
      const k = `local:${key(dir, name)}`;
      if (this.evaluating.has(k)) return unknown(`local.${name} refers to itself`);
      this.evaluating.add(k);
      const bindings = this.bindings;
      this.bindings = NO_BINDINGS;
      try {
        const v = this.evaluate(l.attr.value, dir, l.file);
        return appendStep(v, { span: spanOf(l.file, l.attr.nameStart, l.attr.end), note: `local ${name}` });
      } finally {
        this.bindings = bindings;
        this.evaluating.delete(k);
      }
    }
    void file;
    return unknown(`\`${path.join('.')}\` is only known after apply`);
  }

  private evaluateCall(e: Extract<HclExpr, { type: 'call' }>, dir: string, file: string): ResolvedValue {
    return this.applyFunction(e, file, {
      evaluate: (x) => this.evaluate(x, dir, file),
      filePath: (x) => this.resolveFilePath(x, dir, file),
    });
  }

  /**
   * A function call, its arguments evaluated in `scope`. The same functions exist in a module and in a
   * templatefile() template (Terraform gives a template every function but templatefile itself).
   */
  private applyFunction(e: Extract<HclExpr, { type: 'call' }>, file: string, scope: CallScope): ResolvedValue {
    const args = () => e.args.map((a) => scope.evaluate(a));
    switch (e.name) {
      case 'file':
      case 'filebase64':
        return this.readFileCall(e, file, scope);
      case 'lower':
      case 'upper':
      case 'trimspace': {
        const [a] = args();
        if (!a || a.kind !== 'known') return a ? notNull(a) : unknown(`${e.name}() without argument`);
        const t = e.name === 'lower' ? a.text.toLowerCase() : e.name === 'upper' ? a.text.toUpperCase() : a.text.trim();
        return { ...a, text: t };
      }
      case 'join': {
        const [sep, list] = args();
        if (sep?.kind !== 'known' || list?.kind !== 'known') return unknown('join() of values not known before apply');
        try {
          const items = JSON.parse(list.text) as unknown;
          if (Array.isArray(items)) return known(items.map(String).join(sep.text), list.chain, !!list.secret);
        } catch {
          /* not a list */
        }
        return unknown('join() of a value that is not a list');
      }
      default:
        if (this.full && COLLECTION_FUNCTIONS.has(e.name)) return applyCollectionFunction(e.name, args());
        if (ENCODING_FUNCTIONS.has(e.name)) {
          const [a] = args();
          return a ? applyEncodingFunction(e.name, a) : unknown(`${e.name}() without argument`);
        }
        return unknown(`${e.name}() is not evaluated`);
    }
  }

  /**
   * `file(path)` / `filebase64(path)`: the text of a file of the tree, with a step at the call naming the file. A path
   * that is not a file of the tree stays unknown (Terraform would fail the plan: template-file-missing says so).
   */
  private readFileCall(e: Extract<HclExpr, { type: 'call' }>, file: string, scope: CallScope): ResolvedValue {
    const arg = e.args[0];
    if (!arg) return unknown(`${e.name}() without argument`);
    const p = scope.filePath(arg);
    if (p.path === undefined) return unknown(`${e.name}() path: ${p.reason ?? 'not known'}`, p.chain ?? []);
    if (p.leavesRoot) return unknown(`${e.name}() reads ${p.text ?? p.path}, above the analysed tree`, p.chain ?? []);
    if (!this.readFile) return unknown(`${e.name}() contents are not read here`, p.chain ?? []);
    this.reads++;
    const text = this.readFile(p.path);
    if (text === undefined) return unknown(`${e.name}() reads ${p.path}, which is not a file of the tree`, p.chain ?? []);
    const step: ChainStep = { span: spanOf(file, e.start, e.end), note: `${e.name}() reads ${p.path}` };
    return fileContentValue(e.name, text, [...(p.chain ?? []), step]);
  }

  /** Whether a template's path expression starts with a variable whose expression in the call starts from path.module. */
  private anchoredInTemplate(e: HclExpr, call: TemplateCall): boolean {
    if (e.type === 'traversal') {
      const a = e.path.length === 1 ? call.vars.get(e.path[0]!) : undefined;
      return a !== undefined && anchoredToPathRef(a.value);
    }
    if (e.type === 'string') {
      const first = e.parts.find((p) => p.kind !== 'literal' || p.value !== '');
      return first !== undefined && first.kind === 'interpolation' && this.anchoredInTemplate(first.expr, call);
    }
    return false;
  }

  /**
   * An expression inside a templatefile() template: its names are the variables the call passes (`vars`), and only
   * those; Terraform gives a template no `var.`, `local.` or `path.` (internal/lang/funcs/filesystem.go,
   * MakeTemplateFileFunc: the EvalContext holds the vars alone), so `${path.module}` there fails the plan. Relative
   * file paths are from the working directory, the root module's (as in a module).
   */
  evaluateInTemplate(e: HclExpr, vars: ReadonlyMap<string, ResolvedValue>, call: TemplateCall): ResolvedValue {
    if (call.instance && this.stack !== call.instance) return this.inInstance(call.instance, () => this.evaluateInTemplate(e, vars, call));
    const scope: CallScope = {
      evaluate: (x) => this.evaluateInTemplate(x, vars, call),
      filePath: (x) => {
        const v = this.evaluateInTemplate(x, vars, call);
        // This model evaluates path.module to a tree directory: a path whose first part is a variable the call
        // builds on path.module (`config_dir = "${path.module}/files"`) is already tree-relative.
        return this.filePathOf(v, this.anchoredInTemplate(x, call) ? '' : this.rootDirOf(call.dir), 'file');
      },
    };
    switch (e.type) {
      case 'traversal': {
        const name = e.path[0]!;
        const v = vars.get(name);
        if (!v) return unknown(`the template uses \${${e.path.join('.')}} but templatefile() does not pass ${name}`);
        return e.path.length === 1 ? v : unknown(`\${${e.path.join('.')}}: attribute access is not evaluated`, v.chain);
      }
      case 'string':
        return joinTemplate(e, (expr) => this.evaluateInTemplate(expr, vars, call));
      case 'number':
        return known(e.raw, []);
      case 'bool':
        return known(String(e.value), []);
      case 'call':
        if (e.name === 'templatefile') return unknown('templatefile() cannot be called inside a template');
        return this.applyFunction(e, call.templatePath ?? call.file, scope);
      default:
        return unknown('template expression is not evaluated');
    }
  }

  private rootDirOf(dir: string): string {
    // Under a module instance the root is where its outermost call sits (a module called from two root modules has
    // two roots); otherwise the first chain of callers decides.
    const outer = this.stack[0];
    if (outer !== undefined) return outer.callerDir;
    let d = dir;
    for (let i = 0; i < 20; i++) {
      const caller = this.moduleCalls.find((m) => m.sourceDir === d);
      if (!caller) return d;
      d = caller.callerDir;
    }
    return d;
  }

  /** Values passed to one templatefile call, each with its chain ending at the call. */
  /** The module calls under which evaluation currently runs (outermost first). */
  private stack: readonly TfModuleCall[] = [];

  private inInstance<T>(stack: readonly TfModuleCall[], fn: () => T): T {
    const prev = this.stack;
    this.stack = stack;
    try {
      return fn();
    } finally {
      this.stack = prev;
    }
  }

  /** Every chain of module calls that instantiates `dir` (outermost first), at most `limit`. */
  instancesOf(dir: string, limit = 16): TfModuleCall[][] {
    const out: TfModuleCall[][] = [];
    const walk = (d: string, suffix: TfModuleCall[], depth: number): void => {
      const callers = this.moduleCalls.filter((m) => m.sourceDir === d);
      if (callers.length === 0 || depth > 8) {
        out.push(suffix);
        return;
      }
      for (const c of callers) {
        if (out.length >= limit) return;
        if (suffix.includes(c)) continue;
        walk(c.callerDir, [c, ...suffix], depth + 1);
      }
    };
    walk(dir, [], 0);
    return out;
  }

  /**
   * The template calls, one per module instance when a module is called
   * several times with different inputs (`module "servers"` and `module
   * "clients"` of one module): each instance renders its own template with its
   * own values. A module called once keeps its single call.
   */
  instanceTemplateCalls(): TemplateCall[] {
    const out: TemplateCall[] = [];
    for (const call of this.templateCalls) {
      const instances = this.instancesOf(call.dir);
      if (instances.length <= 1 || !call.pathExpr) {
        out.push(call);
        continue;
      }
      for (const instance of instances) {
        const p = this.inInstance(instance, () => this.resolveTemplatePath(call.pathExpr!, call.dir, call.file));
        out.push({ ...call, templatePath: p.path, pathReason: p.reason, instance });
      }
    }
    return out;
  }

  templateVars(call: TemplateCall): Map<string, ResolvedValue> {
    if (call.instance && this.stack !== call.instance) return this.inInstance(call.instance, () => this.templateVars(call));
    const out = new Map<string, ResolvedValue>();
    for (const [name, a] of call.vars) {
      const v = this.evaluate(a.value, call.dir, call.file);
      const secret = looksSecretName(name);
      out.set(
        name,
        markSecret(
          appendStep(v, {
            span: spanOf(call.file, a.nameStart, a.end),
            note: `${templateCallLabel(call)} passes ${name} to ${baseName(call.templatePath ?? '?')}`,
          }),
          secret,
        ),
      );
    }
    return out;
  }

  /** All tfvars values (deployment inputs). */
  allInputs(): TfvarsValue[] {
    return [...this.tfvars.values()];
  }
}

const NO_BINDINGS: ReadonlyMap<string, ResolvedValue> = new Map();

function appendStep(v: ResolvedValue, step: ChainStep): ResolvedValue {
  return { ...v, chain: [...v.chain, step] };
}

/**
 * The path arguments of a string made only of `${file(…)}` interpolations and whitespace (two or more), as a
 * `template_file` heredoc that concatenates scripts writes it; undefined for any other string.
 */
function joinedFileCalls(e: HclExpr): HclExpr[] | undefined {
  if (e.type !== 'string') return undefined;
  const paths: HclExpr[] = [];
  for (const part of e.parts) {
    if (part.kind === 'literal') {
      if (part.value.trim() !== '') return undefined;
    } else if (part.kind === 'interpolation' && part.expr.type === 'call' && part.expr.name === 'file' && part.expr.args.length === 1) {
      paths.push(part.expr.args[0]!);
    } else return undefined;
  }
  return paths.length >= 2 ? paths : undefined;
}

function unwrapFileCall(e: HclExpr): HclExpr | undefined {
  if (e.type === 'call' && e.name === 'file') return e.args[0];
  if (e.type === 'string' && e.parts.length === 1 && e.parts[0]?.kind === 'interpolation') return unwrapFileCall(e.parts[0].expr);
  return undefined;
}

function tfvarsRank(file: string): number {
  const b = baseName(file);
  if (b === 'terraform.tfvars' || b === 'terraform.tfvars.json') return 0;
  if (b.includes('.auto.tfvars')) return 1;
  return 2;
}

export function attr(body: HclBody, name: string): HclAttribute | undefined {
  for (const i of body.items) if (i.kind === 'attribute' && i.name === name) return i;
  return undefined;
}

function key(dir: string, name: string): string {
  return `${dir}\0${name}`;
}

export function spanOf(file: string, start: number, end: number): Span {
  return { file, start, end };
}

function exprText(e: HclExpr): string {
  return e.type === 'other' ? e.raw : e.type;
}

function abbreviate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Whether `rel` joined to the root-relative directory `base` climbs above the root (`..` past the first segment). */
function leavesRoot(base: string, rel: string): boolean {
  let depth = 0;
  for (const part of `${base}/${rel}`.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (--depth < 0) return true;
    } else depth++;
  }
  return false;
}

/** Whether a path expression starts from `path.module`, `path.root` or `path.cwd` (directly, in a template string, or in a call). */
function anchoredToPathRef(e: HclExpr): boolean {
  if (e.type === 'traversal') return e.path[0] === 'path' && (e.path[1] === 'module' || e.path[1] === 'root' || e.path[1] === 'cwd');
  if (e.type === 'string') {
    const first = e.parts.find((p) => p.kind !== 'literal' || p.value !== '');
    return first !== undefined && first.kind === 'interpolation' && anchoredToPathRef(first.expr);
  }
  if (e.type === 'call') return e.args.some(anchoredToPathRef);
  return false;
}

/**
 * A quoted template string (`"${path.module}/x"`): its literal parts and its interpolations, each evaluated with
 * `evaluate` (in a module, or inside a templatefile() template with only the variables the call passes). Unknown as
 * soon as one part is; a `%{…}` directive is not evaluated.
 */
function joinTemplate(e: Extract<HclExpr, { type: 'string' }>, evaluate: (expr: HclExpr) => ResolvedValue): ResolvedValue {
  let text = '';
  const chain: ChainStep[] = [];
  let secret = false;
  for (const p of e.parts) {
    if (p.kind === 'literal') text += p.value;
    else if (p.kind === 'directive') return unknown('string uses a %{…} directive');
    else {
      const v = evaluate(p.expr);
      if (v.kind === 'unknown') return notNull(v);
      text += v.text;
      chain.push(...v.chain);
      secret = secret || !!v.secret;
    }
  }
  return known(e.parts.length === 0 ? e.value : text, chain, secret);
}

/** The first names of the traversals in an expression (`a` of `a.b[0]`), the symbols a for-expression binds included. */
function traversalRoots(e: HclExpr, out = new Set<string>()): Set<string> {
  switch (e.type) {
    case 'traversal':
      if (e.path[0] !== undefined) out.add(e.path[0]);
      break;
    case 'string':
      for (const p of e.parts) if (p.kind === 'interpolation') traversalRoots(p.expr, out);
      break;
    case 'list':
      for (const i of e.items) traversalRoots(i, out);
      break;
    case 'object':
      for (const a of e.items) traversalRoots(a.value, out);
      break;
    case 'call':
      for (const a of e.args) traversalRoots(a, out);
      break;
    case 'other':
      for (const o of e.operands ?? []) traversalRoots(o, out);
      if (e.inner) traversalRoots(e.inner, out);
      if (e.unary) traversalRoots(e.unary.operand, out);
      if (e.forExpr) {
        const f = e.forExpr;
        for (const x of [f.collection, f.value, f.key, f.condition]) if (x) traversalRoots(x, out);
      }
      break;
    default:
      break;
  }
  return out;
}
