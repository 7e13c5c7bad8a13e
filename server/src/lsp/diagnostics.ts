/**
 * Debounced analysis and diagnostics publishing. An edit marks its folder
 * dirty and (re)starts a timer; when it fires the folder is analysed and
 * every file with findings gets its diagnostics, tagged with the document
 * version they were computed for. Files that had diagnostics and have none
 * now get an empty list, so nothing goes stale. A run whose input versions
 * were superseded while it ran is dropped, never published.
 */
import type { Connection, Diagnostic, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisResult } from '../core/api';
import type { FolderState } from './folders';
import { configErrorDiagnostic, toDiagnostic } from './convert';
import { describeError } from './runSafe';

const DEFAULT_CONFIG_FILE = '.hashistack-review.json';

export class AnalysisScheduler {
  private readonly timers = new Map<FolderState, NodeJS.Timeout>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
  ) {}

  /** Marks the folder changed and analyses it after the folder's debounce delay. */
  schedule(folder: FolderState): void {
    folder.dirty = true;
    this.cancel(folder);
    this.timers.set(
      folder,
      setTimeout(() => this.analyzeNow(folder), folder.settings.debounceMs),
    );
  }

  cancel(folder: FolderState): void {
    const timer = this.timers.get(folder);
    if (timer !== undefined) clearTimeout(timer);
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
    this.connection.console.log(
      `Analysed ${folder.root}: ${result.findings.length} finding(s), ${result.roles.length} role(s) in ${Date.now() - started} ms`,
    );
  }

  /** Withdraws every diagnostic of the folder (disabled, or folder removed). */
  clear(folder: FolderState): void {
    this.cancel(folder);
    for (const uri of folder.published) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    folder.published.clear();
    folder.sentKeys.clear();
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
    const byUri = new Map<string, Diagnostic[]>();
    const add = (uri: string, d: Diagnostic) => {
      const list = byUri.get(uri);
      if (list === undefined) byUri.set(uri, [d]);
      else list.push(d);
    };
    for (const finding of result.findings) add(folder.uriOf(finding.span.file), toDiagnostic(folder, finding));
    if (result.configErrors.length > 0) {
      const configFile = folder.settings.configPath ?? DEFAULT_CONFIG_FILE;
      for (const message of result.configErrors) add(folder.uriOf(configFile), configErrorDiagnostic(message));
    }
    // Only what changed goes on the wire: in a tree of thousands of files a keystroke
    // touches the diagnostics of a few; an open document whose version moved is always re-sent.
    const send = (uri: string, diagnostics: Diagnostic[]) => {
      const version = versions.get(uri);
      const key = `${version ?? ''}|${JSON.stringify(diagnostics)}`;
      if (folder.sentKeys.get(uri) === key) return;
      folder.sentKeys.set(uri, key);
      void this.connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics });
    };
    for (const [uri, diagnostics] of byUri) send(uri, diagnostics);
    for (const uri of folder.published) if (!byUri.has(uri)) send(uri, []);
    for (const uri of versions.keys()) if (!byUri.has(uri) && !folder.published.has(uri)) send(uri, []);
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
