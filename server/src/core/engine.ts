/**
 * The incremental workspace analyser. Files are held as decoded text; each
 * file's parse is cached by its text, so an edit re-parses one file and
 * re-runs the cross-file stages (values, roles, checks), which are cheap.
 */
import * as path from 'node:path';
import type { AnalysisResult, AnalysisSettings, HoverInfo, RuleSeveritySetting } from './api';
import type { FileProblem, Finding, Span } from './types';
import { SourceText } from './text/sourceText';
import { decodeBytes, DEFAULT_MAX_FILE_BYTES } from './text/decode';
import type { TextEncodingName } from './text/decode';
import { classifyFile } from './workspace/fileKinds';
import type { FileKind } from './workspace/fileKinds';
import { discoverFiles } from './workspace/discovery';
import { KnownPaths } from './workspace/knownPaths';
import type { PathStatus, TreePathLookup } from './workspace/knownPaths';
import { mergeDeclaredClusters, partitionUnits } from './workspace/units';
import { ContentCache } from './workspace/contentCache';
import { parseComposeFile, parseDotEnv } from './parsers/compose';
import type { ComposeFileParse } from './parsers/compose';
import type { DeploymentUnit } from './workspace/units';
import { terraformRootModules } from './terraform/roots';
import type { ParsedHclFile } from './workspace/parsedFiles';
import { parseHcl, parseJsonConfig, parseTemplate } from './parsers/hcl';
import type { HclParseResult, HclTemplatePart } from './parsers/hcl/ast';
import { rescanPowerShell, scanPowerShell } from './parsers/powershell';
import type { PsScanResult } from './parsers/powershell/types';
import { rescanBash, scanBash } from './parsers/bash';
import type { ShScanResult } from './parsers/bash/types';
import { buildDeploymentModel } from './model/buildModel';
import type { CachedScriptFacts, ParseServices } from './model/buildModel';
import type { DeploymentModel } from './model/deploymentModel';
import { EMPTY_REVIEW_CONFIG, globToRegExp, parseReviewConfig } from './reviewConfig';
import type { ReviewConfig } from './reviewConfig';
import { ALL_CHECKS, runChecks } from './checks/registry';
import { officialSyntaxFindings } from './checks/validity';
import { foldReplaceCascades } from './checks/windows/replaceCascades';
import { applySuppressions } from './suppress';
import { buildResult, buildUnitPart, mergeParts, hoverAt, definitionAt, renderRole } from './results';
import type { UnitResultPart } from './results';

interface UnitAnalysis {
  readonly dir: string;
  readonly label: string | undefined;
  readonly texts: readonly SourceText[];
  readonly configKey: string;
  readonly model: DeploymentModel;
  /** Findings before suppression and severities (those apply per analysis). */
  readonly findings: readonly Finding[];
  readonly failures: readonly string[];
  /** Its contribution to the result (suppressed, severities applied, redacted): reused while the unit is unchanged. */
  readonly part: UnitResultPart;
  /** The file-existence questions its checks asked, with the answers (see Workspace.pathsStillAnswer). */
  readonly pathAnswers: ReadonlyMap<string, string>;
  /** The KnownPaths version the answers were last confirmed at. */
  pathsVersion: number;
  /** The cache slots its analysis used (see Workspace.trackSlots): released when a later analysis stops using them. */
  readonly slots: ReadonlySet<string>;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Cached<T> {
  readonly text: string;
  readonly value: T;
}

export class Workspace {
  private readonly texts = new Map<string, SourceText>();
  private readonly encodings = new Map<string, { encoding: TextEncodingName; invalidUtf8: boolean }>();
  private readonly problems = new Map<string, FileProblem>();
  private readonly discoveryProblems: FileProblem[] = [];
  /** Every file of the tree by path, read or not (templatefile()/file() may name any of them). */
  private readonly knownPaths = new KnownPaths();
  private readonly hclCache = new Map<string, Cached<ParsedHclFile>>();
  /** Parses shared by content (see ContentCache): one per parser mode, so the text alone is the key. */
  private readonly parses = {
    hcl1: new ContentCache<HclParseResult>(),
    hcl2: new ContentCache<HclParseResult>(),
    json: new ContentCache<HclParseResult>(),
    template: new ContentCache<readonly HclTemplatePart[]>(),
    ps: new ContentCache<PsScanResult>(),
    psTemplated: new ContentCache<PsScanResult>(),
    sh: new ContentCache<ShScanResult>(),
    shTemplated: new ContentCache<ShScanResult>(),
    agentHcl: new ContentCache<HclParseResult>(),
    agentJson: new ContentCache<HclParseResult>(),
    compose: new ContentCache<ComposeFileParse>(),
    dotenv: new ContentCache<ReadonlyMap<string, string>>(),
  };
  private lastUnits: UnitAnalysis[] = [];
  private readonly unitCache = new Map<string, UnitAnalysis>();
  /** Log of checks that threw (the others still ran). */
  readonly checkFailures: string[] = [];

  constructor(
    readonly root: string,
    private settings: AnalysisSettings = {},
  ) {}

  /** Walks `root` on disk (skipping .git, node_modules, .terraform) and loads every deployment file. */
  static async load(root: string, settings: AnalysisSettings = {}): Promise<Workspace> {
    const ws = new Workspace(path.resolve(root), settings);
    const ignore = await ws.readIgnoreGlobs();
    const found = await discoverFiles(ws.root, { maxFileBytes: settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, ignore });
    for (const f of found.files) ws.setBytes(f.rel, f.bytes);
    for (const rel of found.otherPaths) ws.knownPaths.add(rel);
    ws.ignore = ignore;
    ws.knownPaths.setListing({ complete: found.complete, unlistedDirs: found.unlistedDirs, ignore });
    ws.discoveryProblems.push(...found.problems);
    return ws;
  }

  /** The review config's ignore globs as read at load (also applied to a folder added later). */
  private ignore: ((rel: string) => boolean) | undefined;

  /**
   * Reads a folder that appeared after load (moved or copied in: a file watcher reports only the folder) like the
   * walk at load does: its deployment files by content, every other file by name.
   */
  async loadDirectory(relDir: string): Promise<void> {
    const ignore = this.ignore;
    const found = await discoverFiles(path.join(this.root, ...relDir.split('/')), {
      maxFileBytes: this.settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      ...(ignore ? { ignore: (rel: string) => ignore(`${relDir}/${rel}`) } : {}),
    });
    for (const f of found.files) this.setBytes(`${relDir}/${f.rel}`, f.bytes);
    for (const rel of found.otherPaths) this.knownPaths.add(`${relDir}/${rel}`);
    const unlisted = [...found.unlistedDirs.map((d) => `${relDir}/${d}`), ...(found.complete ? [] : [relDir])];
    if (unlisted.length > 0) this.knownPaths.addUnlisted(unlisted);
  }

  private async readIgnoreGlobs(): Promise<((rel: string) => boolean) | undefined> {
    const { promises: fs } = await import('node:fs');
    try {
      const text = await fs.readFile(path.join(this.root, this.settings.configPath ?? '.hashistack-review.json'), 'utf8');
      const globs = parseReviewConfig(text, '.hashistack-review.json').config.ignore.map(globToRegExp);
      return globs.length === 0 ? undefined : (rel) => globs.some((g) => g.test(rel) || g.test(`${rel}/`));
    } catch {
      return undefined;
    }
  }

  updateSettings(settings: AnalysisSettings): void {
    this.settings = settings;
  }

  /** Sets a file's text (an editor buffer overrides the disk). `file` is root-relative, `/` separators. */
  setText(file: string, text: string): void {
    const prev = this.texts.get(file);
    if (prev && prev.text === text) return;
    if (!prev) this.filesVersion++;
    this.texts.set(file, new SourceText(file, text));
    this.knownPaths.add(file);
    this.problems.delete(file);
    if (!this.encodings.has(file)) this.encodings.set(file, { encoding: 'utf8', invalidUtf8: false });
  }

  /** Sets a file from bytes read from disk (BOMs/UTF-16 decoded; binary/oversized files become problems). */
  setBytes(file: string, bytes: Uint8Array): void {
    const d = decodeBytes(bytes, this.settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (!d.ok) {
      if (this.texts.delete(file)) this.filesVersion++;
      this.encodings.delete(file);
      this.problems.set(file, { file, reason: d.reason });
      // Not analysed (binary, too large), but it exists: Terraform can read it.
      this.knownPaths.add(file);
      return;
    }
    this.encodings.set(file, { encoding: d.encoding, invalidUtf8: d.invalidUtf8 });
    this.setText(file, d.text);
    if (d.invalidUtf8) this.problems.set(file, { file, reason: 'invalid UTF-8: some bytes were replaced with U+FFFD' });
  }

  deleteFile(file: string): void {
    this.knownPaths.remove(file);
    if (this.texts.delete(file)) this.filesVersion++;
    this.encodings.delete(file);
    this.problems.delete(file);
    this.hclCache.delete(file);
    for (const cache of Object.values(this.parses)) cache.delete(file);
    this.scriptCache.delete(file);
  }

  hasFile(file: string): boolean {
    return this.texts.has(file);
  }

  /**
   * Records that a file the engine does not read (`cloud-init.yaml`, `setup.txt`) was created or deleted, without
   * its text. Marking absent a path that is a directory removes every file below it (a deleted folder), read files
   * included. A file the engine reads goes through setBytes/setText/deleteFile instead.
   */
  markPath(file: string, present: boolean): void {
    if (present) {
      this.knownPaths.add(file);
      return;
    }
    for (const gone of this.knownPaths.remove(file, true)) if (this.texts.has(gone) || this.problems.has(gone)) this.deleteFile(gone);
  }

  /** Whether a file exists in the tree (read or not), as far as the listing says. */
  pathStatus(file: string): PathStatus {
    return this.knownPaths.status(file);
  }

  /**
   * Declares the listing complete: every file of the tree has been given (setText/setBytes/markPath), so a path
   * not among them does not exist. Workspace.load does this after its walk; an in-memory workspace (tests, a git
   * revision) calls it once it has given every path.
   */
  setListingComplete(unlistedDirs: readonly string[] = []): void {
    this.knownPaths.setListing({ complete: true, unlistedDirs });
  }

  files(): string[] {
    return [...this.texts.keys()];
  }

  sourceText(file: string): SourceText | undefined {
    return this.texts.get(file);
  }

  /** Root-relative path of an absolute path, or undefined when outside the root. */
  relativePath(abs: string): string | undefined {
    const rel = path.relative(this.root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  analyze(): AnalysisResult {
    const { config, errors } = this.reviewConfig();
    // The check catalogue is part of the key: a unit analysed with other checks is not reused.
    const configKey = JSON.stringify([config, this.settings.ruleSeverity ?? {}, ALL_CHECKS.map((c) => c.id)]);
    const services = this.parseServices();
    const units = this.deploymentUnits(services, config);
    const analyses: UnitAnalysis[] = [];
    const failures: string[] = [];
    for (const unit of units) {
      const a = this.analyzeUnit(unit, units.length > 1 ? unit.dir || '.' : undefined, config, configKey, services);
      analyses.push(a);
      failures.push(...a.failures);
    }
    for (const [dir, gone] of [...this.unitCache]) {
      if (units.some((u) => u.dir === dir)) continue;
      this.unitCache.delete(dir);
      this.releaseSlots(gone.slots, new Set());
    }
    this.lastUnits = analyses;
    this.checkFailures.splice(0, this.checkFailures.length, ...failures);
    // A Compose file that is not valid YAML: its services (and any agent they start) are not read; said once per file.
    const composeProblems = new Map<string, FileProblem>();
    for (const a of analyses)
      for (const c of a.model.composeFiles ?? []) if (c.parse.error !== undefined) composeProblems.set(c.file, { file: c.file, reason: c.parse.error });
    return mergeParts(
      this.root,
      analyses.map((a) => a.part),
      [...this.discoveryProblems, ...this.problems.values(), ...composeProblems.values()],
      errors,
      this.sharedFiles(units),
    );
  }

  /**
   * The tree's deployment units. The partition depends only on the set of
   * files and the root modules, so it is recomputed when a file is added or
   * removed or a root module changes, not on every keystroke.
   */
  private deploymentUnits(services: ParseServices, config: ReviewConfig): DeploymentUnit[] {
    if (this.terraformFilesFor?.version !== this.filesVersion) {
      this.terraformFilesFor = { version: this.filesVersion, files: [...this.texts.keys()].filter((f) => classifyFile(f) === 'terraform') };
    }
    const tf = this.terraformFilesFor.files.flatMap((f) => services.hcl(f, 'terraform') ?? []);
    // The parses are the same objects while their texts are unchanged: a keystroke in a script reuses the roots.
    if (this.rootsFor === undefined || !sameItems(this.rootsFor.tf, tf)) this.rootsFor = { tf, roots: terraformRootModules(tf) };
    const roots = this.rootsFor.roots;
    const rootsKey = `${this.filesVersion}\0${JSON.stringify(config.clusters)}\0${roots.join('\0')}`;
    if (this.unitsFor?.key !== rootsKey) {
      const units = partitionUnits([...this.texts.keys()], roots);
      this.unitsFor = { key: rootsKey, units: mergeDeclaredClusters(units, config.clusters, (glob, dir) => glob === dir || globToRegExp(glob).test(dir)) };
    }
    return this.unitsFor.units;
  }

  /** Files that belong to more than one unit (shared modules and scripts). */
  private sharedFiles(units: readonly DeploymentUnit[]): ReadonlySet<string> {
    if (this.sharedFor?.units === units) return this.sharedFor.files;
    const count = new Map<string, number>();
    for (const u of units) for (const f of u.files) count.set(f, (count.get(f) ?? 0) + 1);
    const files = new Set([...count].filter(([, n]) => n > 1).map(([f]) => f));
    this.sharedFor = { units, files };
    return files;
  }

  private sharedFor: { readonly units: readonly DeploymentUnit[]; readonly files: ReadonlySet<string> } | undefined;
  private filesVersion = 0;
  private terraformFilesFor: { readonly version: number; readonly files: readonly string[] } | undefined;
  private unitsFor: { readonly key: string; readonly units: DeploymentUnit[] } | undefined;
  private rootsFor: { readonly tf: readonly ParsedHclFile[]; readonly roots: readonly string[] } | undefined;

  /** Entries held by the slot-keyed caches (for tests that an editing session stays bounded). */
  cacheEntries(): { slots: number; texts: number; scriptFacts: number } {
    let slots = 0;
    let texts = 0;
    for (const c of Object.values(this.parses)) {
      slots += c.slotCount;
      texts += c.size;
    }
    return { slots, texts, scriptFacts: this.scriptCache.size };
  }

  /** How many unit analyses ran (for tests of incrementality). */
  unitAnalysisCount = 0;

  /** How many times each script (by cache slot) was analysed rather than reused (for tests of incrementality). */
  readonly scriptAnalysisCount = new Map<string, number>();

  /** One deployment unit, reused when none of its files (nor the review config) changed. */
  private analyzeUnit(unit: DeploymentUnit, label: string | undefined, config: ReviewConfig, configKey: string, services: ParseServices): UnitAnalysis {
    const texts = unit.files.map((f) => this.texts.get(f)!);
    const hit = this.unitCache.get(unit.dir);
    if (hit && hit.configKey === configKey && hit.label === label && sameItems(hit.texts, texts) && this.pathsStillAnswer(hit)) return hit;
    this.unitAnalysisCount++;
    const files = new Map(unit.files.map((f, i) => [f, texts[i]!]));
    // The checks' existence questions are recorded: creating or deleting a file the unit does not read (the
    // template a templatefile() names) must re-run it, while a keystroke re-checks nothing.
    const pathAnswers = new Map<string, string>();
    const known = this.knownPaths;
    const paths: TreePathLookup = {
      status(rel) {
        const s = known.status(rel);
        pathAnswers.set(`s\0${rel}`, s);
        return s;
      },
      caseVariants(rel) {
        const v = known.caseVariants(rel);
        pathAnswers.set(`c\0${rel}`, v.join('\0'));
        return v;
      },
    };
    const slots = new Set<string>();
    const model = buildDeploymentModel(
      { root: this.root, files, encodings: this.encodings, reviewConfig: config, paths, partOfTree: label !== undefined },
      this.trackSlots(services, slots),
    );
    // Slots the previous analysis of this unit used and this one did not (a config document's id names the offset of
    // the call that writes it, so an edit above that call renames it) would otherwise hold their parses for the rest
    // of the session: one per keystroke in a here-string.
    if (hit) this.releaseSlots(hit.slots, slots);
    const run = runChecks(model);
    const severities = this.severities(config);
    // After suppressions: findings on text a case-insensitive -replace (sed s///I) produced fold into its ps-replace (sed-replace) finding only while that is reported.
    const part = buildUnitPart({ model, label }, foldReplaceCascades(model, applySuppressions(run.findings, model, severities)));
    const analysis: UnitAnalysis = {
      dir: unit.dir,
      label,
      texts,
      configKey,
      model,
      findings: run.findings,
      failures: run.failures,
      part,
      pathAnswers,
      pathsVersion: known.version,
      slots,
    };
    this.unitCache.set(unit.dir, analysis);
    return analysis;
  }

  /** Whether the file-existence answers a cached unit analysis used still hold (a few Set probes, only after a file was created or deleted). */
  private pathsStillAnswer(hit: UnitAnalysis): boolean {
    const known = this.knownPaths;
    if (hit.pathsVersion === known.version) return true;
    for (const [k, answer] of hit.pathAnswers) {
      const rel = k.slice(2);
      const now = k.startsWith('s') ? known.status(rel) : known.caseVariants(rel).join('\0');
      if (now !== answer) return false;
    }
    hit.pathsVersion = known.version;
    return true;
  }

  /**
   * `analyze()` plus the official HCL parser (`@cdktf/hcl2json`, async WASM)
   * over every rendered agent config: what the CLI runs. The editor keeps the
   * synchronous tolerant parser on the keystroke path.
   */
  async analyzeWithOfficialParser(): Promise<AnalysisResult> {
    const first = this.analyze();
    const { config } = this.reviewConfig();
    const severities = this.severities(config);
    const extra: Finding[] = [];
    for (const unit of this.lastUnits) {
      try {
        extra.push(...applySuppressions(await officialSyntaxFindings(unit.model), unit.model, severities));
      } catch (err) {
        this.checkFailures.push(`official HCL parser pass failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (extra.length === 0) return first;
    let all: readonly Finding[] = [...first.findings, ...extra];
    for (const unit of this.lastUnits) all = foldReplaceCascades(unit.model, all);
    return buildResult(
      this.lastUnits.map((a) => ({ model: a.model, label: a.label })),
      [...all],
      [...first.fileProblems],
      [...first.configErrors],
    );
  }

  /** The model of the first deployment unit of the last analysis (single-unit trees: the whole tree). */
  get model(): DeploymentModel | undefined {
    return this.lastUnits[0]?.model;
  }

  /** The models of every deployment unit of the last analysis. */
  get models(): DeploymentModel[] {
    return this.lastUnits.map((u) => u.model);
  }

  /** Hover at an offset: the setting's effective value per role and its chain. */
  hoverAt(_result: AnalysisResult, file: string, offset: number): HoverInfo | undefined {
    for (const u of this.lastUnits) {
      if (!u.model.files.has(file)) continue;
      const h = hoverAt(u.model, file, offset);
      if (h) return h;
    }
    return undefined;
  }

  /** Definition of `${var}` in a template: the templatefile() argument and the tfvars value. */
  definitionAt(_result: AnalysisResult, file: string, offset: number): Span[] {
    const out: Span[] = [];
    for (const u of this.lastUnits) if (u.model.files.has(file)) out.push(...definitionAt(u.model, file, offset, (f) => this.parseServices().template(f)));
    return out.filter((s, i) => out.findIndex((o) => o.file === s.file && o.start === s.start && o.end === s.end) === i);
  }

  /** Renders a role's effective configuration as HCL text (secrets masked). Role ids are `unit:kind/product` in multi-cluster trees. */
  renderRole(_result: AnalysisResult, roleId: string): string | undefined {
    for (const u of this.lastUnits) {
      const local = u.label === undefined ? roleId : roleId.startsWith(`${u.label}:`) ? roleId.slice(u.label.length + 1) : undefined;
      if (local === undefined) continue;
      const text = renderRole(u.model, local);
      if (text !== undefined) return text;
    }
    return undefined;
  }

  /** Per-rule severities: the settings override `.hashistack-review.json`. */
  private severities(config: ReviewConfig): Readonly<Record<string, RuleSeveritySetting>> {
    return { ...config.rules, ...(this.settings.ruleSeverity ?? {}) };
  }

  private reviewConfig(): { config: ReviewConfig; errors: string[] } {
    const name = this.settings.configPath ?? '.hashistack-review.json';
    const src = this.texts.get(name);
    if (!src) return { config: EMPTY_REVIEW_CONFIG, errors: [] };
    return parseReviewConfig(src.text, name);
  }

  private readonly textIds = new WeakMap<SourceText, number>();
  private nextTextId = 1;
  /** Script analyses, per script: the last few (text, inputs) they were computed for. */
  private readonly scriptCache = new Map<string, Array<{ text: string; key: string; value: CachedScriptFacts }>>();

  /**
   * Values keyed by the stamps of their inputs (ParseServices.memo), oldest first. A unit's entries are replaced
   * when its Terraform files change; the cap (a few per unit) drops what no unit uses any more.
   */
  private readonly memoValues = new Map<string, unknown>();

  private memoValue<T>(key: string, compute: () => T): T {
    if (this.memoValues.has(key)) {
      const hit = this.memoValues.get(key) as T;
      // Most recently used last.
      this.memoValues.delete(key);
      this.memoValues.set(key, hit);
      return hit;
    }
    const value = compute();
    this.memoValues.set(key, value);
    const cap = Math.max(16, 4 * (this.unitsFor?.units.length ?? 0));
    for (const k of this.memoValues.keys()) {
      if (this.memoValues.size <= cap) break;
      this.memoValues.delete(k);
    }
    return value;
  }

  /**
   * The services, recording in `used` every slot-keyed cache entry the analysis asks for (script scans and facts,
   * the parses of the config documents scripts write).
   */
  private trackSlots(services: ParseServices, used: Set<string>): ParseServices {
    return {
      ...services,
      powershell: (slot, text, templated) => {
        used.add(`${templated ? 'psTemplated' : 'ps'}\0${slot}`);
        return services.powershell(slot, text, templated);
      },
      bash: (slot, text, templated) => {
        used.add(`${templated ? 'shTemplated' : 'sh'}\0${slot}`);
        return services.bash(slot, text, templated);
      },
      agentConfig: (slot, text, format) => {
        used.add(`${format === 'json' ? 'agentJson' : 'agentHcl'}\0${slot}`);
        return services.agentConfig(slot, text, format);
      },
      compose: (file, text) => {
        used.add(`compose\0${file}`);
        return services.compose(file, text);
      },
      dotenv: (file, text) => {
        used.add(`dotenv\0${file}`);
        return services.dotenv(file, text);
      },
      storeScriptFacts: (slot, text, key, value) => {
        used.add(`facts\0${slot}`);
        services.storeScriptFacts(slot, text, key, value);
      },
      scriptFacts: (slot, text, key) => {
        used.add(`facts\0${slot}`);
        const hit = services.scriptFacts(slot, text, key);
        // Facts reused from the cache do not scan again: the scan stays theirs (it is needed on their next change).
        if (hit) for (const scan of ['ps', 'psTemplated', 'sh', 'shTemplated']) used.add(`${scan}\0${slot}`);
        return hit;
      },
    };
  }

  /**
   * Releases the slots `before` held that `now` does not. A slot another unit still uses (a shared script) is only
   * parsed again when that unit is next analysed.
   */
  private releaseSlots(before: ReadonlySet<string>, now: ReadonlySet<string>): void {
    for (const key of before) {
      if (now.has(key)) continue;
      const cut = key.indexOf('\0');
      const cache = key.slice(0, cut);
      const slot = key.slice(cut + 1);
      if (cache === 'facts') this.scriptCache.delete(slot);
      else this.parses[cache as keyof Workspace['parses']]?.delete(slot);
    }
  }

  private parseServices(): ParseServices {
    return {
      memo: (key, compute) => this.memoValue(key, compute),
      stamp: (texts) => {
        const ids = texts.map((t) => {
          let id = this.textIds.get(t);
          if (id === undefined) this.textIds.set(t, (id = this.nextTextId++));
          return id;
        });
        return ids.join(',');
      },
      scriptFacts: (file, text, key) => this.scriptCache.get(file)?.find((e) => e.text === text && e.key === key)?.value,
      previousScriptFacts: (file, mode) => {
        const e = this.scriptCache.get(file)?.find((x) => x.key.split('|')[0] === mode);
        return e && { facts: e.value.facts, key: e.key };
      },
      storeScriptFacts: (file, text, key, value) => {
        this.scriptAnalysisCount.set(file, (this.scriptAnalysisCount.get(file) ?? 0) + 1);
        // Two entries per script: its first-pass and its full analysis.
        const list = (this.scriptCache.get(file) ?? []).filter((e) => e.key.split('|')[0] !== key.split('|')[0]);
        list.push({ text, key, value });
        this.scriptCache.set(file, list);
      },
      hcl: (file: string, kind: FileKind) => {
        const src = this.texts.get(file);
        if (!src) return undefined;
        const hit = this.hclCache.get(file);
        if (hit && hit.text === src.text) return hit.value;
        const parse = file.endsWith('.json')
          ? this.parses.json.get(file, src.text, parseJsonConfig)
          : kind === 'terraform' || kind === 'tfvars' || kind === 'packer-hcl'
            ? this.parses.hcl2.get(file, src.text, (t) => parseHcl(t, 'hcl2'))
            : this.parses.hcl1.get(file, src.text, (t) => parseHcl(t, 'hcl1'));
        const value: ParsedHclFile = { file, kind, source: src, parse };
        this.hclCache.set(file, { text: src.text, value });
        return value;
      },
      template: (file: string) => {
        const src = this.texts.get(file);
        return src ? this.parses.template.get(file, src.text, parseTemplate) : [];
      },
      powershell: (slot: string, text: string, templated: boolean) =>
        templated
          ? this.parses.psTemplated.get(slot, text, (t) => scanPowerShell(t, { templated }))
          : // A keystroke in a long script: the statements before the change keep their scan.
            this.parses.ps.get(slot, text, (t, prev) => (prev ? rescanPowerShell(t, undefined, { text: prev.text, scan: prev.value }) : scanPowerShell(t))),
      bash: (slot: string, text: string, templated: boolean) =>
        templated
          ? this.parses.shTemplated.get(slot, text, (t) => scanBash(t, { templated }))
          : // A keystroke in a long script: the lines before the change keep their scan.
            this.parses.sh.get(slot, text, (t, prev) => (prev ? rescanBash(t, undefined, { text: prev.text, scan: prev.value }) : scanBash(t))),
      agentConfig: (slot: string, text: string, format: 'hcl' | 'json') =>
        format === 'json' ? this.parses.agentJson.get(slot, text, parseJsonConfig) : this.parses.agentHcl.get(slot, text, (t) => parseHcl(t, 'hcl1')),
      compose: (file: string, text: string) => this.parses.compose.get(file, text, parseComposeFile),
      dotenv: (file: string, text: string) => this.parses.dotenv.get(file, text, parseDotEnv),
    };
  }
}
