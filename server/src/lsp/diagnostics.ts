/**
 * Debounced analysis and diagnostics publishing. An edit marks its folder
 * dirty and (re)starts a timer; when it fires the folder is analysed and
 * every file with findings gets its diagnostics, tagged with the document
 * version they were computed for. Files that had diagnostics and have none
 * now get an empty list, so nothing goes stale. A run whose input versions
 * were superseded while it ran is dropped, never published.
 */
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisResult } from '../core/api';
import type { Finding } from '../core/types';
import type { FolderState } from './folders';
import { configErrorDiagnostic, toDiagnostic } from './convert';
import { describeError } from './runSafe';
import { roleCount } from '../core/results';
import type { IdleCollector } from './idleCollector';

const DEFAULT_CONFIG_FILE = '.hashistack-review.json';

export interface PublishedEntry {
  readonly version: number | undefined;
  readonly findings: Finding[];
  readonly configErrors: string[];
}

function sameItems<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean = (x, y) => x === y): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i]!, b[i]!)) return false;
  return true;
}

/**
 * Two findings publish the same diagnostic: same rule, message, severity and
 * offsets (also of the related locations). A re-analysed unit makes new
 * Finding objects; its unchanged files are still not sent again.
 */
function sameFinding(a: Finding, b: Finding): boolean {
  if (a === b) return true;
  if (a.ruleId !== b.ruleId || a.severity !== b.severity || a.message !== b.message || !sameSpan(a.span, b.span)) return false;
  return sameItems(a.related, b.related, (x, y) => x.message === y.message && sameSpan(x.span, y.span));
}

function sameSpan(a: Finding['span'], b: Finding['span']): boolean {
  return a.file === b.file && a.start === b.start && a.end === b.end;
}

export class AnalysisScheduler {
  private readonly timers = new Map<FolderState, { cancel(): void }>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    /** Collects garbage in the pauses between analyses (see idleCollector.ts); optional. */
    private readonly idleCollector?: IdleCollector,
  ) {}

  /** Marks the folder changed and analyses it after the folder's debounce delay. */
  schedule(folder: FolderState): void {
    this.idleCollector?.busy();
    folder.dirty = true;
    this.cancel(folder);
    const run = () => this.analyzeNow(folder);
    // A zero debounce runs after the pending I/O callbacks (so a burst of changes already read is coalesced), without
    // the timer's 1 ms minimum.
    if (folder.settings.debounceMs <= 0) {
      const immediate = setImmediate(run);
      this.timers.set(folder, { cancel: () => clearImmediate(immediate) });
    } else {
      const timer = setTimeout(run, folder.settings.debounceMs);
      this.timers.set(folder, { cancel: () => clearTimeout(timer) });
    }
  }

  cancel(folder: FolderState): void {
    this.timers.get(folder)?.cancel();
    this.timers.delete(folder);
  }

  /** The folder's result reflecting every buffer; analyses at once when an edit is pending. */
  fresh(folder: FolderState): AnalysisResult | undefined {
    if (folder.workspace === undefined || !folder.settings.enable) return undefined;
    if (folder.dirty || folder.result === undefined) this.analyzeNow(folder);
    return folder.result;
  }

  /**
   * A result whose positions are valid for `uri`: the last one when that
   * document has not changed since, so a hover does not wait on the
   * re-analysis of another (possibly huge) document; else a fresh one.
   */
  forDocument(folder: FolderState, uri: string): AnalysisResult | undefined {
    if (folder.workspace === undefined || !folder.settings.enable) return undefined;
    const doc = this.documents.get(uri);
    const analysedVersion = folder.resultVersions?.get(uri);
    if (folder.result !== undefined && doc !== undefined && analysedVersion === doc.version) return folder.result;
    return this.fresh(folder);
  }

  analyzeNow(folder: FolderState): void {
    this.cancel(folder);
    const workspace = folder.workspace;
    if (workspace === undefined) return;
    if (!folder.settings.enable) {
      folder.result = undefined;
      this.clear(folder);
      return;
    }
    const versions = this.openVersions(folder);
    folder.dirty = false;
    const started = Date.now();
    let result: AnalysisResult;
    try {
      result = workspace.analyze();
    } catch (error) {
      this.connection.console.error(`Analysis of ${folder.root} failed: ${describeError(error)}`);
      return;
    }
    if (this.superseded(versions)) {
      // A newer edit arrived while analysing: its own run will publish.
      if (!this.timers.has(folder)) this.schedule(folder);
      return;
    }
    folder.result = result;
    folder.resultVersions = versions;
    this.publish(folder, result, versions);
    this.logProblems(folder, result);
    this.connection.console.log(`Analysed ${folder.root}: ${result.findings.length} finding(s), ${roleCount(result)} role(s) in ${Date.now() - started} ms`);
    // Another folder's analysis may still be due (its timer is pending): the collector waits for a quiet moment anyway.
    this.idleCollector?.idle();
  }

  /** Withdraws every diagnostic of the folder (disabled, or folder removed). */
  clear(folder: FolderState): void {
    this.cancel(folder);
    for (const uri of folder.published) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    folder.published.clear();
    folder.sent.clear();
  }

  private openVersions(folder: FolderState): Map<string, number> {
    const versions = new Map<string, number>();
    for (const uri of folder.openUris.values()) {
      const doc = this.documents.get(uri);
      if (doc !== undefined) versions.set(uri, doc.version);
    }
    return versions;
  }

  private superseded(versions: ReadonlyMap<string, number>): boolean {
    for (const [uri, version] of versions) {
      const doc = this.documents.get(uri);
      if (doc !== undefined && doc.version !== version) return true;
    }
    return false;
  }

  private publish(folder: FolderState, result: AnalysisResult, versions: ReadonlyMap<string, number>): void {
    const byUri = new Map<string, PublishedEntry>();
    const entry = (uri: string): PublishedEntry => {
      let e = byUri.get(uri);
      if (e === undefined) byUri.set(uri, (e = { version: versions.get(uri), findings: [], configErrors: [] }));
      return e;
    };
    for (const finding of result.findings) entry(folder.uriOf(finding.span.file)).findings.push(finding);
    if (result.configErrors.length > 0) entry(folder.uriOf(folder.settings.configPath ?? DEFAULT_CONFIG_FILE)).configErrors.push(...result.configErrors);
    // Only what changed goes on the wire. The core reuses the Finding objects of the
    // deployment units an edit did not touch, so comparing references is enough to skip
    // their files; an open document whose version moved is always re-sent.
    const send = (uri: string, e: PublishedEntry) => {
      const prev = folder.sent.get(uri);
      if (prev && prev.version === e.version && sameItems(prev.findings, e.findings, sameFinding) && sameItems(prev.configErrors, e.configErrors)) return;
      folder.sent.set(uri, e);
      const diagnostics = [...e.findings.map((f) => toDiagnostic(folder, f)), ...e.configErrors.map((m) => configErrorDiagnostic(m))];
      void this.connection.sendDiagnostics(e.version === undefined ? { uri, diagnostics } : { uri, version: e.version, diagnostics });
    };
    const empty = (uri: string): PublishedEntry => ({ version: versions.get(uri), findings: [], configErrors: [] });
    for (const [uri, e] of byUri) send(uri, e);
    for (const uri of folder.published) if (!byUri.has(uri)) send(uri, empty(uri));
    for (const uri of versions.keys()) if (!byUri.has(uri) && !folder.published.has(uri)) send(uri, empty(uri));
    folder.published.clear();
    for (const uri of byUri.keys()) folder.published.add(uri);
  }

  /** File problems (binary, oversized, unreadable files) go to the log once each; paths and reasons only. */
  private logProblems(folder: FolderState, result: AnalysisResult): void {
    const current = new Set<string>();
    for (const problem of result.fileProblems) {
      const key = `${problem.file}: ${problem.reason}`;
      current.add(key);
      if (!folder.loggedProblems.has(key)) this.connection.console.warn(`Skipped ${key}`);
    }
    for (const message of result.configErrors) {
      const key = `config: ${message}`;
      current.add(key);
      if (!folder.loggedProblems.has(key)) this.connection.console.warn(`Review config: ${message}`);
    }
    folder.loggedProblems = current;
  }
}
