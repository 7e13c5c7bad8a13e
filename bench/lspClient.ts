/**
 * A minimal LSP client for the benchmark: spawns the real language server
 * over stdio, answers `workspace/configuration` (debounce 0), opens a
 * document, sends incremental edits and times each one until the
 * `publishDiagnostics` carrying that document version arrives.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import {
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
} from 'vscode-languageserver-protocol/node';
import type { PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol/node';

export interface BenchSettings {
  readonly debounceMs: number;
}

export class BenchServer {
  readonly conn: MessageConnection;
  private readonly waiters: { uri: string; version: number | undefined; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly logWaiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  readonly log: string[] = [];
  configRequests = 0;

  private constructor(
    readonly proc: ChildProcess,
    readonly settings: BenchSettings,
  ) {
    if (!proc.stdout || !proc.stdin) throw new Error('server stdio missing');
    this.conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    this.conn.onRequest(ConfigurationRequest.type, (params) => {
      this.configRequests++;
      return params.items.map((item) => (item.section === 'hashistackReview' ? { enable: true, debounceMs: this.settings.debounceMs } : null));
    });
    this.conn.onRequest(RegistrationRequest.type, () => null);
    this.conn.onNotification(LogMessageNotification.type, (p) => {
      this.log.push(p.message);
      for (let i = this.logWaiters.length - 1; i >= 0; i--) {
        const w = this.logWaiters[i]!;
        if (w.re.test(p.message)) {
          this.logWaiters.splice(i, 1);
          w.resolve(p.message);
        }
      }
    });
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (w.uri === p.uri && (w.version === undefined || w.version === p.version)) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    this.conn.listen();
  }

  static start(serverJs: string, settings: BenchSettings, nodeArgs: readonly string[] = [], env?: Readonly<Record<string, string>>): BenchServer {
    const proc = spawn(process.execPath, [...nodeArgs, serverJs, '--stdio'], {
      stdio: ['pipe', 'pipe', 'inherit'],
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
    return new BenchServer(proc, settings);
  }

  waitLog(re: RegExp, timeoutMs: number): Promise<string> {
    const hit = this.log.find((l) => re.test(l));
    if (hit !== undefined) return Promise.resolve(hit);
    return withTimeout(new Promise<string>((resolve) => this.logWaiters.push({ re, resolve })), timeoutMs, `log ${re}`);
  }

  /** Resolves on the next publishDiagnostics for `uri` with `version` (any version when undefined). */
  waitDiagnostics(uri: string, version: number | undefined, timeoutMs: number): Promise<PublishDiagnosticsParams> {
    return withTimeout(
      new Promise<PublishDiagnosticsParams>((resolve) => this.waiters.push({ uri, version, resolve })),
      timeoutMs,
      `diagnostics ${uri}@${version}`,
    );
  }

  async initialize(root: string): Promise<void> {
    const rootUri = pathToFileURL(root).href;
    await this.conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'bench' }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: { synchronization: { dynamicRegistration: false }, publishDiagnostics: { versionSupport: true } },
      },
    });
    await this.conn.sendNotification(InitializedNotification.type, {});
  }

  async open(uri: string, text: string, languageId: string): Promise<void> {
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  /** Peak resident set (VmHWM) and current RSS of the server process, in MiB. */
  memory(): { peakMiB: number; rssMiB: number } {
    const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024 };
  }

  async stop(): Promise<void> {
    try {
      await withTimeout(this.conn.sendRequest(ShutdownRequest.type), 5000, 'shutdown');
      await this.conn.sendNotification(ExitNotification.type);
    } catch {
      // fall through to kill
    }
    const exited = new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) resolve();
      else this.proc.once('exit', () => resolve());
    });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.conn.dispose();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
