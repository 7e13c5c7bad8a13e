/**
 * The pipeline: parsed files -> Terraform values -> rendered templates ->
 * scripts (with the values their callers pass) -> agent config documents ->
 * roles. Pure: files in, model out. Parsing is cached by the caller.
 */
import type { ParsedAgentConfig, AgentConfigDoc } from '../agent/configDoc';
import { alignConfigDirRoles, classifyConfig, buildRoles } from '../agent/roles';
import type { Role } from '../agent/roles';
import { agentLoadContext } from '../checks/image/services';
import { agentParseFormat, isOtherToolConfigPath, nomadReadsAsHcl } from '../agent/configDoc';
import { packerUploads, terraformUploads } from './uploads';
import { cloudInitDocs, cloudInitRuncmd, isCloudConfig } from './cloudInit';
import type { HclBody, HclExpr, HclParseResult, HclTemplatePart } from '../parsers/hcl/ast';
import type { PsScanResult } from '../parsers/powershell/types';
import type { ShScanResult } from '../parsers/bash/types';
import { analyzePowerShell, carryWriteRecords, looksLikeAgentConfigText } from '../scripts/powershellModel';
import { analyzeBash } from '../scripts/bashModel';
import type { ScriptArgument, ScriptFacts, ScriptInvocation, TreeFileLookup } from '../scripts/scriptModel';
import { TerraformModel } from '../terraform/model';
import type { TemplateCall, TreeFileReader } from '../terraform/model';
import { interpolated } from '../terraform/collections';
import { looksSecretName, markSecret } from '../terraform/values';
import { renderTemplate, templateVariableUses } from '../terraform/render';
import { MappedText, MappedTextBuilder } from '../text/mappedText';
import type { SourceText } from '../text/sourceText';
import type { TextEncodingName } from '../text/decode';
import { baseName, classifyContent, classifyFile, dirOf, normalizeScriptPath } from '../workspace/fileKinds';
import type { ComposeFileParse } from '../parsers/compose';
import type { FileKind } from '../workspace/fileKinds';
import type { ParsedHclFile } from '../workspace/parsedFiles';
import type { TreePathLookup } from '../workspace/knownPaths';
import type { ReviewConfig } from '../reviewConfig';
import type { ResolvedValue, Span } from '../types';
import { isPackerJson, provisionerBlocks, provisionerRuns, provisionersOf } from '../packer';
import type { ComposeFileFacts, DeploymentModel, TemplateRender } from './deploymentModel';

/** A script's analysis with the tree files it read (config templates), for reuse. */
export interface CachedScriptFacts {
  readonly facts: ScriptFacts;
  readonly consumed: readonly string[];
}

/** The parsing services the pipeline needs, cached by the Workspace. */
export interface ParseServices {
  /** A short stamp that changes when any of these texts is replaced. */
  stamp(texts: readonly SourceText[]): string;
  scriptFacts(file: string, text: string, key: string): CachedScriptFacts | undefined;
  storeScriptFacts(file: string, text: string, key: string, value: CachedScriptFacts): void;
  /** The facts last stored for this script in this mode (`invocations` or `full`), whatever its text was, and their key. */
  previousScriptFacts?(file: string, mode: string): { readonly facts: ScriptFacts; readonly key: string } | undefined;
  hcl(file: string, kind: FileKind): ParsedHclFile | undefined;
  template(file: string): readonly HclTemplatePart[];
  /** `slot` names the cache entry (the script's path); the text may be a template render. */
  powershell(slot: string, text: string, templated: boolean): PsScanResult;
  bash(slot: string, text: string, templated: boolean): ShScanResult;
  agentConfig(slot: string, text: string, format: 'hcl' | 'json'): HclParseResult;
  /** A Docker Compose file (parsers/compose.ts), cached by its text. */
  compose(file: string, text: string): ComposeFileParse;
  /** A `.env` file's variables, cached by its text. */
  dotenv(file: string, text: string): ReadonlyMap<string, string>;
  /**
   * A value computed from inputs that `key` identifies completely (built from stamps), reused while the key recurs:
   * the Terraform stage of a unit is the same on every keystroke in one of its scripts.
   */
  memo?<T>(key: string, compute: () => T): T;
}

export interface ModelInput {
  readonly root: string;
  readonly files: ReadonlyMap<string, SourceText>;
  readonly encodings: ReadonlyMap<string, { readonly encoding: TextEncodingName; readonly invalidUtf8: boolean }>;
  readonly reviewConfig: ReviewConfig;
  /** Which files exist in the tree, read or not (absent: nothing is ever reported missing). */
  readonly paths?: TreePathLookup;
  /** True when this model is one deployment unit of several (the rest of the tree's Terraform is not in it). */
  readonly partOfTree?: boolean;
}

export function buildDeploymentModel(input: ModelInput, parse: ParseServices): DeploymentModel {
  const terraformFiles: ParsedHclFile[] = [];
  const tfvarsFiles: ParsedHclFile[] = [];
  const packerFiles: ParsedHclFile[] = [];
  const otherHclFiles: ParsedHclFile[] = [];
  const scriptFiles: Array<{
    file: string;
    language: 'powershell' | 'bash';
    inline?: InlineScript;
    /** Files an earlier step of the same user data wrote (cloud-init `write_files` before `runcmd`), by normalised path. */
    written?: ReadonlyMap<string, AgentConfigDoc>;
  }> = [];
  // `consul-client.json.tpl`: a JSON agent config once Terraform renders it (as `.hcl.tpl` is an HCL one).
  const jsonTemplates: string[] = [];
  const composeFiles: ComposeFileFacts[] = [];
  for (const file of [...input.files.keys()].sort()) {
    const kind = classifyContent(file, input.files.get(file)!.text);
    if (!kind) continue;
    if (kind === 'dotenv') continue;
    if (kind === 'compose') {
      // Compose reads `.env` from the project directory, by default the Compose file's directory ("the parent folder of
      // your Compose file", docs.docker.com/compose "Set environment variables with .env").
      const envPath = dirOf(file) ? `${dirOf(file)}/.env` : '.env';
      const envText = input.files.get(envPath);
      composeFiles.push({
        file,
        parse: parse.compose(file, input.files.get(file)!.text),
        env: envText ? { file: envPath, vars: parse.dotenv(envPath, envText.text) } : undefined,
      });
      continue;
    }
    if (kind === 'powershell' || kind === 'bash') {
      scriptFiles.push({ file, language: kind });
      continue;
    }
    if (kind === 'template' && /\.json\.(tpl|tftpl|tmpl)$/i.test(file)) jsonTemplates.push(file);
    if (kind === 'systemd' || kind === 'review-config' || kind === 'template') continue;
    const parsed = parse.hcl(file, kind);
    if (!parsed) continue;
    if (kind === 'terraform') terraformFiles.push(parsed);
    else if (kind === 'tfvars') tfvarsFiles.push(parsed);
    else if (kind === 'packer-hcl' || kind === 'packer-json' || isPackerJson(parsed)) packerFiles.push(parsed);
    else otherHclFiles.push(parsed);
  }

  // The Terraform model and the scripts written inline in it depend on the .tf and .tfvars texts (the stamp names each
  // text object and the files' order) and on the texts file() reads: an edit of anything else reuses them.
  const terraformKey = `terraform|${parse.stamp([...terraformFiles, ...tfvarsFiles].map((f) => f.source))}`;
  // file() makes a value depend on the text of the file it reads: those texts are part of each key (memoReading).
  const terraformStage = memoReading(input, parse, terraformKey, (read) => {
    const model = new TerraformModel(terraformFiles, tfvarsFiles);
    model.setFileReader(read);
    return { terraform: model, inline: terraformFiles.map((f) => ({ file: f, scripts: inlineScripts(f, model) })) };
  });
  const { terraform, inline: inlineInTerraform } = terraformStage.value;
  // Until the renders, evaluations read the texts as they are now (the model may come from an earlier analysis).
  const currentReader: TreeFileReader = (p) => input.files.get(p)?.text;
  terraform.setFileReader(currentReader);
  // Scripts written inline in Terraform (`user_data = <<-EOF … EOF`): analysed like a rendered template, mapped into
  // the .tf file.
  const inlineCloudConfigs: InlineScript[] = [];
  for (const { file: f, scripts: inlines } of inlineInTerraform)
    for (const inline of inlines) {
      if (inline.language === 'cloud-config') inlineCloudConfigs.push(inline);
      else scriptFiles.push({ file: f.file, language: inline.language, inline: { ...inline, language: inline.language } });
    }
  // The renders depend on the Terraform stage and the texts of the templates the calls name.
  const instanceCalls = terraform.instanceTemplateCalls();
  const templatePaths = new Set<string>();
  for (const c of [...terraform.templateCalls, ...instanceCalls])
    if (c.templatePath !== undefined && input.files.has(c.templatePath)) templatePaths.add(c.templatePath);
  const rendersKey = `${terraformStage.key}|renders|${parse.stamp([...templatePaths].sort().map((p) => input.files.get(p)!))}`;
  const rendersStage = memoReading(input, parse, rendersKey, (read) => {
    terraform.setFileReader(read);
    return renderAll(input, parse, terraform, instanceCalls);
  });
  const { renders, renderedInto } = rendersStage.value;
  // What the checks evaluate later is not memoised: they read the texts as they are now.
  terraform.setFileReader(currentReader);
  const renderOf = new Map<string, TemplateRender>();
  for (const r of renders) if (!renderOf.has(r.templateFile)) renderOf.set(r.templateFile, r);

  // cloud-init user data (a rendered template or an inline heredoc): the agent configs its write_files entries write,
  // and its runcmd as a script that runs after them (its `sed -i` continues those documents).
  const cloudDocs: AgentConfigDoc[] = [];
  const cloudSources: Array<{ text: MappedText; hostFile: string; id: string; templateFile: string | undefined }> = [
    ...renders
      .filter((r) => isCloudConfig(r.text.text))
      .map((r) => ({ text: r.text, hostFile: r.templateFile, id: `${r.call.file}#${r.call.span.start}`, templateFile: r.templateFile })),
    ...inlineCloudConfigs.map((c) => ({ text: c.text, hostFile: c.slot.slice(0, c.slot.lastIndexOf('#')), id: c.slot, templateFile: undefined })),
  ];
  const cloudTemplates = new Set<string>();
  for (const c of cloudSources) {
    if (c.templateFile) cloudTemplates.add(c.templateFile);
    const written = cloudInitDocs(c.text, c.hostFile, c.id, c.templateFile);
    cloudDocs.push(...written);
    const runcmd = cloudInitRuncmd(c.text);
    if (runcmd)
      scriptFiles.push({
        file: c.text.primaryFile(c.hostFile),
        language: 'bash',
        inline: { slot: `${c.id}#runcmd`, language: 'bash', text: runcmd },
        written: new Map(written.filter((d) => d.targetPath).map((d) => [normalizeScriptPath(d.targetPath!), d])),
      });
  }

  const lookup = makeLookup(input.files);
  const consumedTemplates = new Set<string>(renderedInto);
  const trackingLookup: TreeFileLookup = {
    findByScriptPath(p, fromFile) {
      const hit = lookup.findByScriptPath(p, fromFile);
      if (hit) consumedTemplates.add(hit.text.primaryFile());
      return hit;
    },
  };

  // Two passes: the first finds which script calls which with what arguments
  // (invocations only); the second analyses each script with the values its
  // callers pass. A script whose text, callers and tree are unchanged since the
  // last analysis is reused from the cache.
  // Everything a script's analysis reads besides its own text, its callers' arguments and the documents earlier steps
  // wrote (all three in its key): the config files and templates it looks up by name (`Copy-Item nomad.hcl …`,
  // `sed … /tmp/consul.hcl`), and for a script Terraform renders (or writes inline), the Terraform files whose values
  // reach it, since their chains point into them. A script Terraform does not render (a Packer provisioner's) does not
  // depend on the .tf and .tfvars texts: typing in terraform.tfvars does not analyse a long Packer script again.
  const lookedUp = [...input.files.values()].filter((t) => {
    const k = classifyFile(t.file);
    return k === 'template' || k === 'systemd';
  });
  const lookupStamp = parse.stamp(otherHclFiles.map((f) => f.source).concat(lookedUp));
  const treeStamp = parse.stamp([...otherHclFiles, ...terraformFiles, ...tfvarsFiles].map((f) => f.source).concat(lookedUp));
  const analyzeScript = (
    file: string,
    language: 'powershell' | 'bash',
    calls: readonly ScriptInvocation[],
    mode: 'invocations' | 'full',
    written?: ReadonlyMap<string, AgentConfigDoc>,
    inline?: InlineScript,
  ): ScriptFacts => {
    const render = inline ? undefined : renderOf.get(file);
    const text = inline ? inline.text : render ? render.text : MappedText.identity(file, input.files.get(file)!.text);
    const templated = render !== undefined || inline !== undefined;
    // The cache slot: the script's path, or the position of an inline script in its .tf file.
    const slot = inline ? inline.slot : file;
    const writtenSig = written ? JSON.stringify([...written].map(([k, d]) => [k, d.id, d.text.text])) : '';
    const key = `${mode}|${templated ? treeStamp : lookupStamp}|${callersSignature(calls)}|${writtenSig}`;
    const cached = parse.scriptFacts(slot, text.text, key);
    if (cached) {
      for (const f of cached.consumed) consumedTemplates.add(f);
      return cached.facts;
    }
    const consumed: string[] = [];
    const lookupFor: TreeFileLookup = {
      findByScriptPath(p) {
        const hit = trackingLookup.findByScriptPath(p, file);
        if (hit) consumed.push(hit.text.primaryFile());
        return hit;
      },
      findWritten: written ? (p) => written.get(normalizeScriptPath(p)) : undefined,
    };
    const last = parse.previousScriptFacts?.(slot, mode);
    const previous = last?.facts;
    // The previous analysis with the same inputs besides the text: its writes before the edit may be replayed.
    const sameInputs = previous?.language === 'powershell' && last!.key === key ? previous : undefined;
    const facts =
      language === 'powershell'
        ? analyzePowerShell(file, text, parse.powershell(slot, text.text, templated), templated, calls, lookupFor, mode, sameInputs)
        : analyzeBash(file, text, parse.bash(slot, text.text, templated), templated, calls, lookupFor, mode);
    const kept = keepUnchangedDocs(facts, previous);
    carryWriteRecords(facts, kept);
    parse.storeScriptFacts(slot, text.text, key, { facts: kept, consumed });
    return kept;
  };
  const firstPass = scriptFiles.map(({ file, language, inline }) => analyzeScript(file, language, [], 'invocations', undefined, inline));
  const callers = new Map<string, ScriptInvocation[]>();
  for (const s of firstPass) for (const inv of s.invocations) callers.set(inv.scriptBaseName, [...(callers.get(inv.scriptBaseName) ?? []), inv]);
  // Packer `inline` commands that run a script with arguments (`/opt/provision.ps1 -nomad_version 0.9.6 -nostart`).
  for (const inv of packerInlineInvocations(provisionersOf(packerFiles))) callers.set(inv.scriptBaseName, [...(callers.get(inv.scriptBaseName) ?? []), inv]);
  // Terraform `remote-exec` inline commands that run a script with arguments (`powershell -File C:\\windows.ps1 -j ${ip}`).
  for (const inv of remoteExecInvocations(terraform, packerFiles)) callers.set(inv.scriptBaseName, [...(callers.get(inv.scriptBaseName) ?? []), inv]);
  const scripts: ScriptFacts[] = scriptFiles.map(({ file, language, inline, written }) =>
    analyzeScript(file, language, inline ? [] : (callers.get(baseName(file).toLowerCase()) ?? []), 'full', written, inline),
  );
  // Third pass: a script that edits a config a script it called wrote (`bash client.sh …` then
  // `sed -i "s/CONSUL_TOKEN/…/" /etc/nomad.d/nomad.hcl`; `& C:\ops\client.ps1 …` then
  // `(Get-Content C:\HashiCorp\Nomad\config\client.hcl) -replace … | Set-Content …`) continues that document, not
  // the tree file of the same name.
  const byBase = new Map<string, ScriptFacts>();
  for (const s of scripts) if (!byBase.has(baseName(s.file).toLowerCase())) byBase.set(baseName(s.file).toLowerCase(), s);
  scripts.forEach((s, i) => {
    const written = new Map<string, AgentConfigDoc>();
    for (const inv of s.invocations) {
      const callee = byBase.get(inv.scriptBaseName);
      if (!callee || callee === s) continue;
      for (const d of callee.configDocs) if (d.targetPath && !d.append) written.set(normalizeScriptPath(d.targetPath), d);
    }
    if (written.size === 0) return;
    const { file, language, inline, written: before } = scriptFiles[i]!;
    for (const [k, d] of before ?? []) if (!written.has(k)) written.set(k, d);
    scripts[i] = analyzeScript(file, language, inline ? [] : (callers.get(baseName(file).toLowerCase()) ?? []), 'full', written, inline);
  });

  // Loops, not nested flatMaps: this runs on every keystroke over every document of the unit.
  const continued = new Set<string>();
  for (const s of scripts) for (const d of s.configDocs) if (d.supersedes) continued.add(d.supersedes);
  const docs: AgentConfigDoc[] = [...scripts.flatMap((s) => s.configDocs), ...cloudDocs].filter(
    (d) => !continued.has(d.id) && !isOtherToolConfigPath(d.targetPath ?? d.templateFile),
  );
  for (const t of cloudTemplates) consumedTemplates.add(t);
  // A file Terraform reads with file() whose text a cloud-init entry writes (`content: ${base64gzip(file(…))}`) is
  // reviewed as that written document: as a config of its own it would count the same settings twice.
  for (const p of new Set([...terraformStage.paths, ...rendersStage.paths])) {
    const text = input.files.get(p)?.text;
    if (text !== undefined && cloudDocs.some((d) => d.text.text === text)) consumedTemplates.add(p);
  }
  for (const u of [...terraformUploads(terraform, renders, input.files), ...packerUploads(packerFiles, input.files)]) {
    if (isOtherToolConfigPath(u.doc.targetPath)) continue;
    docs.push(u.doc);
    if (u.consumed) consumedTemplates.add(u.consumed);
  }
  for (const f of otherHclFiles) {
    if (consumedTemplates.has(f.file) || isOtherToolConfigPath(f.file)) continue;
    const text = f.source.text;
    if (!(looksLikeAgentConfigText(text) || isAgentConfigBody(f.parse.body)) || /(^|\/)(jobs?|nomad-jobs)\//.test(f.file)) continue;
    if (f.parse.body.items.some((i) => i.kind === 'block' && (i.type === 'job' || i.type === 'source' || i.type === 'build'))) continue;
    docs.push(standaloneDoc(f.file, text, isTerraformTemplateName(f.file) ? parse.template(f.file) : undefined));
  }
  for (const file of jsonTemplates) {
    if (consumedTemplates.has(file) || isOtherToolConfigPath(file)) continue;
    const doc = standaloneDoc(file, input.files.get(file)!.text, parse.template(file));
    if (isAgentConfigBody(parse.agentConfig(doc.id, doc.text.text, 'json').body)) docs.push(doc);
  }

  const configs: ParsedAgentConfig[] = alignConfigDirRoles(
    docs.map(agentParseFormat).map((doc) => {
      const parsed = parse.agentConfig(doc.id, doc.text.text, doc.format);
      const cfg = { ...classifyConfig(doc, parsed.body, input.reviewConfig.roles), parse: parsed };
      if (!nomadReadsAsHcl(cfg)) return cfg;
      const hcl = { ...doc, format: 'hcl' as const };
      const reparsed = parse.agentConfig(doc.id, doc.text.text, 'hcl');
      const again = { ...classifyConfig(hcl, reparsed.body, input.reviewConfig.roles), parse: reparsed };
      return again.product === 'nomad' ? again : cfg;
    }),
  );
  const provisioners = provisionersOf(packerFiles);
  const scriptFileSet = new Set(scriptFiles.filter((f) => !f.inline).map((f) => f.file));
  const imageTimeCache = new Map<string, boolean>();
  const imageTime = (file: string): boolean => {
    let v = imageTimeCache.get(file);
    if (v === undefined) imageTimeCache.set(file, (v = provisioners.some((p) => provisionerRuns(input, p, file))));
    return v;
  };
  const roles: Role[] = [];
  const model: DeploymentModel = {
    root: input.root,
    files: input.files,
    encodings: input.encodings,
    terraformFiles,
    tfvarsFiles,
    packerFiles,
    otherHclFiles,
    terraform,
    renders,
    scripts,
    configs,
    roles,
    reviewConfig: input.reviewConfig,
    ...(composeFiles.length > 0 ? { composeFiles } : {}),
    ...(input.paths ? { paths: input.paths } : {}),
    ...(input.partOfTree ? { partOfTree: true } : {}),
  };
  // The roles merge their files in the order the agents load them, which the services' -config flags give: read from
  // the model's scripts and unit files (cached on the model for the checks), before the roles exist.
  roles.push(
    ...buildRoles(
      configs,
      (doc) => doc.imageTime === true || imageTime(doc.hostFile),
      // A script something in the tree runs: rendered by templatefile(), called by another script or command, or run
      // by a Packer build. Any other document (a config file, an upload) counts as deployed.
      (doc) => !scriptFileSet.has(doc.hostFile) || renderOf.has(doc.hostFile) || callers.has(baseName(doc.hostFile).toLowerCase()) || imageTime(doc.hostFile),
      agentLoadContext(model),
    ),
  );
  return model;
}

/**
 * Script calls in Packer `inline` commands: `/opt/provision.ps1 -nomad_version 0.9.6 -nostart`,
 * `& C:\\opt\\x.ps1 -A b`, `powershell -File x.ps1 …`, `sudo bash /tmp/x.sh 1.2.3`. Named PowerShell arguments
 * (`-name value`; a `-name` followed by another `-name` or nothing is a switch) and positional ones, as written
 * after Packer's own variables are substituted.
 */
/**
 * Terraform `remote-exec` inline commands that run a script of the tree. A command whose value is known is split like
 * a Packer inline command; one that holds values known only after apply (`${self.network_ip}`) keeps its written
 * text, and each argument holding such a value is unknown with that reason (not the script's parameter default).
 */
function remoteExecInvocations(terraform: TerraformModel, packerFiles: readonly ParsedHclFile[]): ScriptInvocation[] {
  const out: ScriptInvocation[] = [];
  // A script uploaded under another name (a Terraform or Packer `file` provisioner with `source = "windows.ps1"`,
  // `destination = "c:/…/config.ps1"`) is run by its destination name: the invocation is of the source file.
  const uploadedAs = new Map<string, string>();
  const rename = (source: string | undefined, destination: string | undefined) => {
    if (source && destination) uploadedAs.set(baseName(destination.replace(/\\/g, '/')).toLowerCase(), baseName(source.replace(/\\/g, '/')).toLowerCase());
  };
  for (const fp of terraform.fileProvisioners) {
    rename(
      fp.source ? terraform.resolveFilePath(fp.source, fp.dir, fp.file).path : undefined,
      fp.destination.kind === 'known' ? fp.destination.text : undefined,
    );
  }
  for (const f of packerFiles) {
    for (const build of f.parse.body.items) {
      if (build.kind !== 'block' || build.type !== 'build') continue;
      for (const p of provisionerBlocks(build.body)) {
        if (p.labels[0]?.value !== 'file') continue;
        const str = (name: string) => {
          const a = p.body.items.find((i) => i.kind === 'attribute' && i.name === name);
          return a?.kind === 'attribute' && a.value.type === 'string' ? a.value.value : undefined;
        };
        rename(str('source'), str('destination'));
      }
    }
  }
  for (const r of terraform.remoteExecInline) {
    // Each interpolation on its own: `-r "${var.region}"` is known even when `-j "${aws_instance.s.private_ip}"` in
    // the same command is known only after apply. An unknown one becomes a marker its argument is recognised by.
    const reasons: string[] = [];
    let text: string;
    if (r.expr.type === 'string') {
      text = r.expr.parts
        .map((part) => {
          if (part.kind === 'literal') return part.value;
          if (part.kind !== 'interpolation') return '';
          const v = terraform.evaluate(part.expr, r.dir, r.file);
          if (v.kind === 'known') return v.text;
          reasons.push(`${terraform.sourceOf(r.file).slice(part.start, part.end)} is a Terraform value known only when it applies the configuration`);
          return `\u0000${reasons.length - 1}\u0000`;
        })
        .join('');
    } else {
      const v = terraform.evaluate(r.expr, r.dir, r.file);
      if (v.kind !== 'known') continue;
      text = v.text;
    }
    const span: Span = { file: r.file, start: r.expr.start, end: r.expr.end };
    const found = commandInvocations(text, span, r.file, 'Terraform remote-exec command', (t) => {
      const m = /\u0000(\d+)\u0000/.exec(t);
      return m ? reasons[Number(m[1])] : undefined;
    });
    out.push(...found.map((inv) => ({ ...inv, scriptBaseName: uploadedAs.get(inv.scriptBaseName) ?? inv.scriptBaseName })));
  }
  return out;
}

/** The script a command line runs, with its arguments (named `-x v` for PowerShell scripts, positional otherwise). */
function commandInvocations(
  text: string,
  span: Span,
  callerFile: string,
  what: string,
  unknownArg: (token: string) => string | undefined = () => undefined,
): ScriptInvocation[] {
  const tokens = text.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const idx = tokens.findIndex((t) => /\.(ps1|sh)['"]?$/i.test(t));
  if (idx < 0) return [];
  const unquote = (t: string) => t.replace(/^(["'])(.*)\1$/, '$2');
  const scriptPath = unquote(tokens[idx]!);
  const arg = (t: string, note: string): ScriptArgument => {
    const reason = unknownArg(t);
    return {
      value: reason
        ? { kind: 'unknown', reason, chain: [{ span, note: `${what} passes ${note}` }] }
        : { kind: 'known', text: unquote(t), chain: [{ span, note: `${what} passes ${note}` }] },
      span,
      callerFile,
    };
  };
  const named = new Map<string, ScriptArgument>();
  const positional: ScriptArgument[] = [];
  const rest = tokens.slice(idx + 1);
  for (let k = 0; k < rest.length; k++) {
    const t = rest[k]!;
    if (/^-[A-Za-z_]\w*$/.test(t) && /\.ps1/i.test(scriptPath)) {
      const next = rest[k + 1];
      if (next !== undefined && !/^-[A-Za-z_]/.test(next)) {
        named.set(t.slice(1).toLowerCase(), arg(next, `${t} ${next}`));
        k++;
      } else named.set(t.slice(1).toLowerCase(), arg('True', t));
    } else positional.push(arg(t, t));
  }
  return [{ callerFile, scriptBaseName: baseName(scriptPath.replace(/\\/g, '/')).toLowerCase(), scriptPathText: scriptPath, named, positional, span }];
}

function packerInlineInvocations(provisioners: ReturnType<typeof provisionersOf>): ScriptInvocation[] {
  const out: ScriptInvocation[] = [];
  for (const p of provisioners) {
    p.inlineValues.forEach((v, i) => {
      const expr = p.inline[i];
      if (v.kind !== 'known' || !expr) return;
      out.push(...commandInvocations(v.text, { file: p.file, start: expr.start, end: expr.end }, p.file, 'Packer inline command'));
    });
  }
  return out;
}

/** `data.template_file.<name>.rendered`, bare (0.12) or as `"${…}"` (0.11): the data source name. */
function renderedDataSource(e: HclExpr): string | undefined {
  if (e.type === 'string' && e.parts.length === 1 && e.parts[0]?.kind === 'interpolation') return renderedDataSource(e.parts[0].expr);
  if (e.type === 'traversal' && e.path.length === 4 && e.path[0] === 'data' && e.path[1] === 'template_file' && e.path[3] === 'rendered') return e.path[2];
  return undefined;
}

const AGENT_TOP_KEYS = new Set([
  'datacenter',
  'data_dir',
  'region',
  'bind_addr',
  'advertise',
  'advertise_addr',
  'client',
  'server',
  'acl',
  'tls',
  'consul',
  'vault',
  'retry_join',
  'encrypt',
  'ports',
  'addresses',
  'log_level',
  'server_join',
  'plugin',
  'telemetry',
  'ui_config',
  'connect',
  'enable_syslog',
  'node_name',
  'bootstrap_expect',
]);

const NOMAD_MODE_KEYS = new Set([
  'enabled',
  'servers',
  'bootstrap_expect',
  'encrypt',
  'node_class',
  'node_pool',
  'server_join',
  'data_dir',
  'meta',
  'options',
  'network_interface',
]);

/** An agent config by its top-level keys (also for JSON, whose keys are quoted): two agent keys, or a client/server block. */
function isAgentConfigBody(body: HclBody): boolean {
  let hits = 0;
  for (const i of body.items) {
    const name = i.kind === 'block' ? i.type : i.name;
    if (!AGENT_TOP_KEYS.has(name)) continue;
    // A `client`/`server` block alone counts when it looks like Nomad's (enabled, servers, bootstrap_expect…),
    // so that any JSON with a "server" key (a report, a package manifest) is not taken for an agent config.
    if (i.kind === 'block' && (name === 'client' || name === 'server') && i.body.items.some((a) => a.kind === 'attribute' && NOMAD_MODE_KEYS.has(a.name)))
      return true;
    if (++hits >= 2) return true;
  }
  return false;
}

/**
 * `data_dir = "C:\\ProgramData\\nomad\\data"` (HCL) or `"data_dir": "C:/consul/data"` (JSON): a drive-letter data_dir
 * belongs to a Windows agent. On Linux `C:\...` is not an absolute path (Go's filepath.IsAbs), and Nomad refuses a
 * non-absolute data_dir ("data-dir must be given as an absolute path", hashicorp/nomad command/agent/command.go, see
 * DOMAIN.md §2); Consul would create a relative directory literally named `C:\...`, which no Linux config intends.
 */
const WINDOWS_DATA_DIR = /^[ \t]*"?data_dir"?[ \t]*[=:][ \t]*"[A-Za-z]:(\\\\|\/)/m;

/** `nomad-client.hcl.tpl`, `client.hcl.tftpl`: a Terraform template, whose `${name}` Terraform fills in. */
function isTerraformTemplateName(file: string): boolean {
  return /\.(tpl|tftpl|tmpl)$/i.test(file);
}

/**
 * A config file of the tree as it stands. A Terraform template no render of this model reached (its `template_file`
 * path names another module instance's file, `nomad-${var.nomad_type}.hcl.tpl`) keeps each `${name}` as an unknown
 * value, never as the literal text `${name}`.
 */
function standaloneDoc(file: string, text: string, templateParts?: readonly HclTemplatePart[]): AgentConfigDoc {
  const byPath = /(^|[/_.-])(win|windows)([/_.-]|$)/i.test(file);
  const byDataDir = !byPath && WINDOWS_DATA_DIR.test(text);
  const windows = byPath || byDataDir;
  let mapped = MappedText.identity(file, text);
  if (templateParts && templateParts.some((p) => p.kind === 'interpolation')) {
    const vars = new Map<string, ResolvedValue>();
    for (const u of templateVariableUses(templateParts)) {
      vars.set(u.name, {
        kind: 'unknown',
        reason: `\`\${${u.name}}\` is a Terraform template variable and no render of ${baseName(file)} was resolved`,
        chain: [],
      });
    }
    mapped = renderTemplate(file, text, templateParts, vars);
  }
  return {
    id: `${file}#file`,
    hostFile: file,
    os: windows ? 'windows' : 'linux',
    osReason: byPath
      ? 'the path names Windows'
      : byDataDir
        ? 'its data_dir is a Windows drive path'
        : 'a config file of the tree (Linux unless its path names Windows or its data_dir is a Windows drive path)',
    targetPath: undefined,
    writeSpan: { file, start: 0, end: 0 },
    via: 'config file',
    text: mapped,
    format: /\.json(\.(tpl|tftpl|tmpl))?$/i.test(file) ? 'json' : 'hcl',
    templateFile: undefined,
    append: false,
    encoding: undefined,
  };
}

/** Finds a tree file by the base name a script uses, preferring the longest matching path suffix. */
function makeLookup(files: ReadonlyMap<string, SourceText>): TreeFileLookup {
  const byBase = new Map<string, string[]>();
  for (const f of files.keys()) {
    const k = baseName(f).toLowerCase();
    byBase.set(k, [...(byBase.get(k) ?? []), f]);
  }
  return {
    findByScriptPath(pathText: string, fromFile?: string) {
      const clean = pathText
        .trim()
        .replace(/^['"]|['"]$/g, '')
        .replace(/\\/g, '/');
      const candidates = byBase.get(baseName(clean).toLowerCase());
      if (!candidates || candidates.length === 0) return undefined;
      const parts = clean.toLowerCase().split('/');
      // Ties on the path suffix go to the file nearest the script that reads it: `cp /tmp/consul.hcl …` in
      // packer/nomad/install.sh means packer/nomad/consul.hcl (uploaded by the same template), not packer/consul/consul.hcl.
      const fromParts = fromFile ? fromFile.toLowerCase().split('/').slice(0, -1) : [];
      const near = (c: string): number => {
        const cp = c.toLowerCase().split('/');
        let n = 0;
        while (n < fromParts.length && n < cp.length - 1 && cp[n] === fromParts[n]) n++;
        return n;
      };
      let best = candidates[0]!;
      let bestScore = -1;
      let bestNear = -1;
      for (const c of candidates) {
        const cp = c.toLowerCase().split('/');
        let score = 0;
        while (score < cp.length && score < parts.length && cp[cp.length - 1 - score] === parts[parts.length - 1 - score]) score++;
        const n = near(c);
        if (score > bestScore || (score === bestScore && n > bestNear)) {
          best = c;
          bestScore = score;
          bestNear = n;
        }
      }
      const src = files.get(best)!;
      return { file: best, text: MappedText.identity(best, src.text) };
    },
  };
}

/** What the callers pass to a script, as a string: equal strings mean equal inputs. */
function callersSignature(calls: readonly ScriptInvocation[]): string {
  if (calls.length === 0) return '';
  return JSON.stringify(calls.map((c) => [c.callerFile, c.span, [...c.named], c.positional]));
}

/**
 * An edit re-analyses its script, which re-creates every config document the
 * script writes. A document equal in every field to the one the previous
 * analysis made (text, mapping to the host characters, value chains) is
 * replaced by that previous object, so whatever is cached per document (its
 * flattened settings, schema validation, the checks' per-document work) is
 * reused: typing in one here-string of a script that writes a hundred configs
 * re-derives the documents the edit touched or moved, not all of them.
 */
export function keepUnchangedDocs(facts: ScriptFacts, previous: ScriptFacts | undefined): ScriptFacts {
  if (previous === undefined || previous === facts || previous.configDocs.length === 0) return facts;
  const before = new Map(previous.configDocs.map((d) => [d.id, d]));
  let changed = false;
  const docs = facts.configDocs.map((d) => {
    const old = before.get(d.id);
    if (old !== undefined && sameData(old, d, 0)) {
      changed = true;
      return old;
    }
    return d;
  });
  return changed ? { ...facts, configDocs: docs } : facts;
}

/** Structural equality of plain data (documents, mapped texts, value chains): same shape, same values. */
function sameData(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > 32) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], bb[i], depth + 1)) return false;
    return true;
  }
  // for…in over plain data objects (no inherited enumerables): no key arrays for the thousands of nodes compared per edit.
  let n = 0;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    n++;
    if (!Object.hasOwn(b, k) || !sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  }
  for (const k in b) if (Object.hasOwn(b, k)) n--;
  return n === 0;
}

/** A script written inline in a Terraform file: its render (Terraform values substituted) and its cache slot. */
export interface InlineScript {
  readonly slot: string;
  readonly language: 'powershell' | 'bash' | 'cloud-config';
  readonly text: MappedText;
}

/** What an inline string must start with to be a script: a shell shebang, or the EC2/Azure PowerShell user-data tag. */
const INLINE_SCRIPT_START = /^\s*(?:(<powershell>|<script>|#ps1(?:_sysnative)?\b|#!\s*\S*pwsh)|#!\s*\/(?:usr\/)?bin\/(?:env\s+)?(?:ba|da|z)?sh\b)/;

/**
 * Heredoc strings of a Terraform file (in resources, locals, modules, at any depth: `base64encode(<<-EOF … EOF)`,
 * `metadata = { startup-script = <<EOF … }`) whose text is a script. `${…}` is evaluated with the Terraform model;
 * a value it cannot know keeps its written text and its reason.
 */
function inlineScripts(f: ParsedHclFile, terraform: TerraformModel): InlineScript[] {
  const out: InlineScript[] = [];
  const dir = f.file.includes('/') ? f.file.slice(0, f.file.lastIndexOf('/')) : '';
  const text = f.source.text;
  const visit = (e: HclExpr, depth: number): void => {
    if (depth > 16) return;
    if (e.type === 'string') {
      if (!e.heredoc) return;
      const m = INLINE_SCRIPT_START.exec(e.value);
      const cloud = !m && isCloudConfig(e.value);
      if (!m && !cloud) return;
      out.push({
        slot: `${f.file}#${e.start}`,
        language: cloud ? 'cloud-config' : m![1] ? 'powershell' : 'bash',
        text: renderInline(f.file, text, e, (x) => terraform.evaluate(x, dir, f.file)),
      });
      return;
    }
    if (e.type === 'call') for (const a of e.args) visit(a, depth + 1);
    else if (e.type === 'list') for (const i of e.items) visit(i, depth + 1);
    else if (e.type === 'object') for (const i of e.items) visit(i.value, depth + 1);
    else if (e.type === 'other') for (const o of e.operands ?? []) visit(o, depth + 1);
  };
  const walk = (body: HclBody, depth: number): void => {
    if (depth > 16) return;
    for (const item of body.items) {
      if (item.kind === 'block') {
        // Variables' defaults and outputs are not run on a machine.
        if (depth === 0 && (item.type === 'variable' || item.type === 'output')) continue;
        walk(item.body, depth + 1);
      } else visit(item.value, 0);
    }
  };
  walk(f.parse.body, 0);
  return out;
}

/** The heredoc's content as Terraform renders it, mapped into the .tf file (like a templatefile() render). */
function renderInline(file: string, text: string, e: Extract<HclExpr, { type: 'string' }>, evaluate: (x: HclExpr) => ResolvedValue): MappedText {
  const b = new MappedTextBuilder(MappedText.identity(file, text));
  let pos = e.contentStart;
  for (const p of e.parts) {
    if (p.start > pos) b.copy(pos, p.start);
    if (p.kind === 'literal') {
      if (p.end - p.start === p.value.length) b.copy(p.start, p.end);
      else copyAligned(b, text, p.start, p.end, p.value);
    } else if (p.kind === 'interpolation') {
      const v = evaluate(p.expr);
      b.emit(v.kind === 'known' ? v.text : text.slice(p.start, p.end), p.start, p.end, v);
    }
    // Directives render to nothing; both branches of an `%{ if }` stay in the text.
    pos = Math.max(pos, p.end);
  }
  if (pos < e.contentEnd) b.copy(pos, e.contentEnd);
  return b.build();
}

/**
 * A literal whose value drops characters of its source (`<<-` indentation, `$${` → `${`): the kept characters are
 * copied from their source positions (exact mappings), so a setting inside an indented heredoc maps to its own column.
 */
function copyAligned(b: MappedTextBuilder, text: string, start: number, end: number, value: string): void {
  let i = start;
  let j = 0;
  let run = -1;
  while (j < value.length && i < end) {
    if (text[i] === value[j]) {
      if (run < 0) run = i;
      i++;
      j++;
    } else {
      if (run >= 0) b.copy(run, i);
      run = -1;
      i++;
    }
  }
  if (run >= 0) b.copy(run, i);
  if (j < value.length) b.emit(value.slice(j), i, end);
}

/**
 * Renders every template a module instance's `templatefile()` call names. A template variable set to another
 * template's render (`consul_config = "${data.template_file.config_consul.rendered}"`,
 * Terraform 0.11 trees) gets that render, embedded with its own mapping; the inner template is then consumed.
 */
/**
 * ParseServices.memo for a computation that may read files of the tree through `file()` (TerraformModel's reader):
 * the texts it read are part of the key, so an edit of a file file() reads computes again, as an edit of a .tf file
 * does. The paths read under `key` last time are remembered (a computation with the same inputs reads the same
 * paths: it is deterministic and each path it reads follows from what it read before); a first computation, or one
 * whose files changed, records the paths it reads and is stored under the key those paths give.
 */
function memoReading<T>(
  input: ModelInput,
  parse: ParseServices,
  key: string,
  compute: (read: TreeFileReader) => T,
): { readonly value: T; readonly key: string; readonly paths: readonly string[] } {
  const run = (): { value: T; paths: string[] } => {
    const paths = new Set<string>();
    const value = compute((p) => {
      paths.add(p);
      return input.files.get(p)?.text;
    });
    return { value, paths: [...paths].sort() };
  };
  // Each path read with the stamp of its text now, or `-` when the tree has no such file.
  const readKey = (paths: readonly string[]) =>
    paths.length === 0 ? key : `${key}|read|${paths.map((p) => `${p}=${input.files.has(p) ? parse.stamp([input.files.get(p)!]) : '-'}`).join('|')}`;
  if (!parse.memo) {
    const { value, paths } = run();
    return { value, key: readKey(paths), paths };
  }
  const slotAt = (k: string) => parse.memo!(k, () => ({ value: undefined as T | undefined, done: false }));
  const last = parse.memo(`${key}|paths`, () => ({ paths: undefined as readonly string[] | undefined }));
  if (last.paths) {
    const k = readKey(last.paths);
    const slot = slotAt(k);
    if (slot.done) return { value: slot.value as T, key: k, paths: last.paths };
  }
  const { value, paths } = run();
  last.paths = paths;
  const k = readKey(paths);
  const slot = slotAt(k);
  slot.value = value;
  slot.done = true;
  return { value, key: k, paths };
}

function renderAll(
  input: ModelInput,
  parse: ParseServices,
  terraform: TerraformModel,
  instanceCalls: readonly TemplateCall[],
): { renders: TemplateRender[]; renderedInto: ReadonlySet<string> } {
  const renderedInto = new Set<string>();
  const renderByCall = new Map<TemplateCall, TemplateRender | undefined>();
  const renderCall = (call: TemplateCall, depth: number): TemplateRender | undefined => {
    if (renderByCall.has(call)) return renderByCall.get(call);
    renderByCall.set(call, undefined);
    if (!call.templatePath || !input.files.has(call.templatePath) || depth > 5) return undefined;
    const src = input.files.get(call.templatePath)!;
    const vars = terraform.templateVars(call);
    const nested = new Map<string, MappedText>();
    for (const [name, a] of call.vars) {
      const ref = renderedDataSource(a.value);
      const innerCall = ref && terraform.templateCalls.find((c) => c.dir === call.dir && c.usedAs === `data.template_file.${ref}`);
      const inner = innerCall && innerCall !== call ? renderCall(innerCall, depth + 1) : undefined;
      if (!inner) continue;
      nested.set(name, inner.text);
      const v = vars.get(name);
      vars.set(name, { kind: 'known', text: inner.text.text, chain: v?.chain ?? [] });
      renderedInto.add(inner.templateFile);
    }
    // `%{ if }` conditions and attribute / index access (`${tls.ca_file}`): each passed value typed by the full
    // evaluation (the values in `vars` come from the cheap one, which keeps no list or object elements); a rendered
    // template passed in is a string.
    const full = (e: HclExpr) =>
      terraform.conditionInTemplate(
        e,
        (name) => {
          const a = call.vars.get(name);
          if (a && !nested.has(name)) return terraform.evaluateFull(a.value, call.dir, call.file, call.instance ?? []);
          return vars.get(name);
        },
        call,
      );
    const r: TemplateRender = {
      call,
      templateFile: call.templatePath,
      vars,
      text: renderTemplate(
        call.templatePath,
        src.text,
        parse.template(call.templatePath),
        vars,
        nested,
        // An attribute named like a secret (`${cfg.gossip_key}`) is one, as a variable of that name is.
        (e) =>
          e.type === 'traversal' && e.path.length > 1
            ? markSecret(
                interpolated(full(e)),
                e.path.some((p) => looksSecretName(p)),
              )
            : terraform.evaluateInTemplate(e, vars, call),
        full,
      ),
    };
    renderByCall.set(call, r);
    return r;
  };
  const renders: TemplateRender[] = [];
  for (const call of instanceCalls) {
    const r = renderCall(call, 0);
    if (r) renders.push(r);
  }
  return { renders, renderedInto };
}
