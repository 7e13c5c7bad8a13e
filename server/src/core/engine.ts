/**
 * The incremental workspace analyser. Files are held as decoded text; each
 * file's parse is cached by its text, so an edit re-parses one file and
 * re-runs the cross-file stages (values, roles, checks), which are cheap.
 */
import * as path from 'node:path';
import type { AnalysisResult, AnalysisSettings, HoverInfo } from './api';
import type { FileProblem, Finding, Span } from './types';
import { SourceText } from './text/sourceText';
import { decodeBytes, DEFAULT_MAX_FILE_BYTES } from './text/decode';
import type { TextEncodingName } from './text/decode';
import { classifyFile } from './workspace/fileKinds';
import type { FileKind } from './workspace/fileKinds';
import { discoverFiles } from './workspace/discovery';
import type { ParsedHclFile } from './workspace/parsedFiles';
import { parseHcl, parseJsonConfig, parseTemplate } from './parsers/hcl';
import type { HclParseResult, HclTemplatePart } from './parsers/hcl/ast';
import { scanPowerShell } from './parsers/powershell';
import type { PsScanResult } from './parsers/powershell/types';
import { scanBash } from './parsers/bash';
import type { ShScanResult } from './parsers/bash/types';
import { buildDeploymentModel } from './model/buildModel';
import type { ParseServices } from './model/buildModel';
import type { DeploymentModel } from './model/deploymentModel';
import { EMPTY_REVIEW_CONFIG, globToRegExp, parseReviewConfig } from './reviewConfig';
import type { ReviewConfig } from './reviewConfig';
import { runChecks } from './checks/registry';
import { officialSyntaxFindings } from './checks/validity';
import { applySuppressions } from './suppress';
import { buildResult, hoverAt, definitionAt, renderRole } from './results';

interface Cached<T> {
  readonly text: string;
  readonly value: T;
}

export class Workspace {
  private readonly texts = new Map<string, SourceText>();
  private readonly encodings = new Map<string, { encoding: TextEncodingName; invalidUtf8: boolean }>();
  private readonly problems = new Map<string, FileProblem>();
  private readonly discoveryProblems: FileProblem[] = [];
  private readonly hclCache = new Map<string, Cached<ParsedHclFile>>();
  private readonly templateCache = new Map<string, Cached<readonly HclTemplatePart[]>>();
  private readonly psCache = new Map<string, Cached<PsScanResult>>();
  private readonly shCache = new Map<string, Cached<ShScanResult>>();
  private readonly agentCache = new Map<string, Cached<HclParseResult>>();
  private lastModel: DeploymentModel | undefined;
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
    ws.discoveryProblems.push(...found.problems);
    return ws;
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
    this.texts.set(file, new SourceText(file, text));
    this.problems.delete(file);
    if (!this.encodings.has(file)) this.encodings.set(file, { encoding: 'utf8', invalidUtf8: false });
  }

  /** Sets a file from bytes read from disk (BOMs/UTF-16 decoded; binary/oversized files become problems). */
  setBytes(file: string, bytes: Uint8Array): void {
    const d = decodeBytes(bytes, this.settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (!d.ok) {
      this.texts.delete(file);
      this.encodings.delete(file);
      this.problems.set(file, { file, reason: d.reason });
      return;
    }
    this.encodings.set(file, { encoding: d.encoding, invalidUtf8: d.invalidUtf8 });
    this.setText(file, d.text);
    if (d.invalidUtf8) this.problems.set(file, { file, reason: 'invalid UTF-8: some bytes were replaced with U+FFFD' });
  }

  deleteFile(file: string): void {
    this.texts.delete(file);
    this.encodings.delete(file);
    this.problems.delete(file);
    this.hclCache.delete(file);
    this.templateCache.delete(file);
    for (const cache of [this.psCache, this.shCache]) cache.delete(file);
  }

  hasFile(file: string): boolean {
    return this.texts.has(file);
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
    const model = buildDeploymentModel({ root: this.root, files: this.texts, encodings: this.encodings, reviewConfig: config }, this.parseServices());
    this.lastModel = model;
    const run = runChecks(model);
    this.checkFailures.splice(0, this.checkFailures.length, ...run.failures);
    const severities = { ...config.rules, ...(this.settings.ruleSeverity ?? {}) };
    const findings: Finding[] = applySuppressions(run.findings, model, severities);
    return buildResult(model, findings, [...this.discoveryProblems, ...this.problems.values()], errors);
  }

  /**
   * `analyze()` plus the official HCL parser (`@cdktf/hcl2json`, async WASM)
   * over every rendered agent config: what the CLI runs. The editor keeps the
   * synchronous tolerant parser on the keystroke path.
   */
  async analyzeWithOfficialParser(): Promise<AnalysisResult> {
    const first = this.analyze();
    const model = this.lastModel;
    if (!model) return first;
    let extra: Finding[] = [];
    try {
      extra = await officialSyntaxFindings(model);
    } catch (err) {
      this.checkFailures.push(`official HCL parser pass failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (extra.length === 0) return first;
    const { config } = this.reviewConfig();
    const severities = { ...config.rules, ...(this.settings.ruleSeverity ?? {}) };
    const merged = [...first.findings, ...applySuppressions(extra, model, severities)];
    return buildResult(model, merged, [...first.fileProblems], [...first.configErrors]);
  }

  /** The model of the last analysis (for the diff command and tests). */
  get model(): DeploymentModel | undefined {
    return this.lastModel;
  }

  /** Hover at an offset: the setting's effective value per role and its chain. */
  hoverAt(_result: AnalysisResult, file: string, offset: number): HoverInfo | undefined {
    return this.lastModel ? hoverAt(this.lastModel, file, offset) : undefined;
  }

  /** Definition of `${var}` in a template: the templatefile() argument and the tfvars value. */
  definitionAt(_result: AnalysisResult, file: string, offset: number): Span[] {
    return this.lastModel ? definitionAt(this.lastModel, file, offset, (f) => this.parseServices().template(f)) : [];
  }

  /** Renders a role's effective configuration as HCL text (secrets masked). */
  renderRole(_result: AnalysisResult, roleId: string): string | undefined {
    return this.lastModel ? renderRole(this.lastModel, roleId) : undefined;
  }

  private reviewConfig(): { config: ReviewConfig; errors: string[] } {
    const name = this.settings.configPath ?? '.hashistack-review.json';
    const src = this.texts.get(name);
    if (!src) return { config: EMPTY_REVIEW_CONFIG, errors: [] };
    return parseReviewConfig(src.text, name);
  }

  private parseServices(): ParseServices {
    return {
      hcl: (file: string, kind: FileKind) => {
        const src = this.texts.get(file);
        if (!src) return undefined;
        const hit = this.hclCache.get(file);
        if (hit && hit.text === src.text) return hit.value;
        const isJson = file.endsWith('.json');
        const parse = isJson ? parseJsonConfig(src.text) : parseHcl(src.text, kind === 'terraform' || kind === 'tfvars' || kind === 'packer-hcl' ? 'hcl2' : 'hcl1');
        const value: ParsedHclFile = { file, kind, source: src, parse };
        this.hclCache.set(file, { text: src.text, value });
        return value;
      },
      template: (file: string) => {
        const src = this.texts.get(file);
        if (!src) return [];
        const hit = this.templateCache.get(file);
        if (hit && hit.text === src.text) return hit.value;
        const value = parseTemplate(src.text);
        this.templateCache.set(file, { text: src.text, value });
        return value;
      },
      powershell: (slot: string, text: string, templated: boolean) => cachedBySlot(this.psCache, slot, text, () => scanPowerShell(text, { templated })),
      bash: (slot: string, text: string, templated: boolean) => cachedBySlot(this.shCache, slot, text, () => scanBash(text, { templated })),
      agentConfig: (slot: string, text: string, format: 'hcl' | 'json') => cachedBySlot(this.agentCache, slot, text, () => (format === 'json' ? parseJsonConfig(text) : parseHcl(text, 'hcl1'))),
    };
  }
}

/**
 * One cache entry per slot (a script, a config document): a slot whose text
 * did not change is not parsed again, and an edit replaces the slot's entry,
 * so memory stays proportional to the workspace, not to the edit history.
 */
function cachedBySlot<T>(cache: Map<string, Cached<T>>, slot: string, text: string, compute: () => T): T {
  const hit = cache.get(slot);
  if (hit && hit.text === text) return hit.value;
  const value = compute();
  cache.set(slot, { text, value });
  return value;
}

export { classifyFile };
