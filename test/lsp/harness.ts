/**
 * Speaks LSP to the real server process over stdio, as an editor would, and
 * lets tests wait on what the server sends (never on fixed sleeps: every
 * wait is for a message, with a deadline only so a broken server fails the
 * test instead of hanging it).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { InitializeResult, ProtocolConnection, PublishDiagnosticsParams, Registration } from 'vscode-languageserver-protocol/node';

/** The tsc output by default; `HSR_LSP_SERVER=dist/server.js` runs the same tests against the bundle. */
export const SERVER_MAIN =
  process.env['HSR_LSP_SERVER'] !== undefined
    ? path.resolve(process.env['HSR_LSP_SERVER'])
    : path.join(__dirname, '..', '..', 'server', 'src', 'serverMain.js');
export const DEADLINE_MS = 15_000;

export interface HarnessOptions {
  /** What the client answers to `workspace/configuration` for section `hashistackReview`. */
  settings?: Record<string, unknown>;
  /** The server to start (default SERVER_MAIN). */
  serverMain?: string;
}

export class LspHarness {
  readonly logs: string[] = [];
  readonly registrations: Registration[] = [];
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: Array<(p: PublishDiagnosticsParams) => void> = [];
  private readonly registrationWaiters: Array<() => void> = [];
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;
  initializeResult: InitializeResult | undefined;

  private constructor(
    readonly root: string,
    readonly proc: ChildProcessWithoutNullStreams,
    readonly conn: ProtocolConnection,
    /** Mutable: change `options.settings`, then send `workspace/didChangeConfiguration`. */
    readonly options: HarnessOptions,
  ) {
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
    proc.stderr.on('data', (chunk: Buffer) => this.logs.push(`[stderr] ${chunk.toString()}`));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      for (const w of [...this.waiters]) w(p);
    });
    conn.onNotification(LogMessageNotification.type, (p) => this.logs.push(p.message));
    conn.onRequest(ConfigurationRequest.type, (p) =>
      p.items.map((item) => (item.section === 'hashistackReview' ? { debounceMs: 30, ...this.options.settings } : null)),
    );
    conn.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
      for (const w of [...this.registrationWaiters]) w();
      return null;
    });
    conn.onRequest('window/workDoneProgress/create', () => null);
  }

  /** Copies `files` into a fresh temporary folder, starts the server and initializes it on that folder. */
  static async start(files: Record<string, string>, options: HarnessOptions = {}): Promise<LspHarness> {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-lsp-')));
    for (const [rel, text] of Object.entries(files)) {
      const abs = path.join(root, ...rel.split('/'));
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
    }
    const proc = spawn(process.execPath, [options.serverMain ?? SERVER_MAIN, '--stdio'], { stdio: 'pipe' });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const harness = new LspHarness(root, proc, conn, options);
    conn.listen();
    const rootUri = pathToFileURL(root).href;
    const died = harness.exited.then((code) => {
      throw new Error(`server exited with ${String(code)} before initializing: ${harness.logs.join('').slice(0, 2000)}`);
    });
    const initialize = conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'ws' }],
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true },
        },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    harness.initializeResult = await Promise.race([initialize, died]);
    void died.catch(() => undefined);
    await conn.sendNotification(InitializedNotification.type, {});
    return harness;
  }

  uri(rel: string): string {
    return pathToFileURL(path.join(this.root, ...rel.split('/'))).href;
  }

  read(rel: string): string {
    return fs.readFileSync(path.join(this.root, ...rel.split('/')), 'utf8');
  }

  /** Resolves with the first diagnostics for `uri` (already received or coming) that satisfy `accept`. */
  waitForDiagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean, what = 'diagnostics'): Promise<PublishDiagnosticsParams> {
    const seen = this.latest.get(uri);
    if (seen !== undefined && accept(seen)) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`No ${what} for ${uri} within ${DEADLINE_MS} ms; last: ${JSON.stringify(this.latest.get(uri))}`));
      }, DEADLINE_MS);
      const waiter = (p: PublishDiagnosticsParams) => {
        if (p.uri !== uri || !accept(p)) return;
        remove();
        resolve(p);
      };
      const remove = () => {
        clearTimeout(timer);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      this.waiters.push(waiter);
    });
  }

  waitForRegistration(method: string): Promise<Registration> {
    const find = () => this.registrations.find((r) => r.method === method);
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No registration of ${method} within ${DEADLINE_MS} ms`)), DEADLINE_MS);
      this.registrationWaiters.push(() => {
        const r = find();
        if (r === undefined) return;
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** shutdown + exit; resolves with the process exit code. */
  async stop(): Promise<number | null> {
    if (!this.alive) return this.exitCode ?? null;
    await this.conn.sendRequest(ShutdownRequest.type);
    await this.conn.sendNotification(ExitNotification.type);
    const code = await Promise.race([this.exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), DEADLINE_MS).unref())]);
    if (code === 'timeout') this.proc.kill();
    this.conn.dispose();
    fs.rmSync(this.root, { recursive: true, force: true });
    return code === 'timeout' ? null : code;
  }

  /** For crash paths: never leave a server process behind. */
  kill(): void {
    if (this.alive) this.proc.kill();
    this.conn.dispose();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** A Windows Nomad client configured by PowerShell: an HCL here-string with a backslash path and syslog. */
export const CLIENT_PS1 = [
  '# Configures the Nomad client on Windows',
  '$NomadConfig = @"',
  'datacenter = "dc1"',
  'data_dir = "C:\\HashiCorp\\Nomad\\data"',
  'enable_syslog = true',
  '',
  'client {',
  '  enabled = true',
  '}',
  '"@',
  'New-Item -ItemType Directory -Force -Path "C:\\HashiCorp\\Nomad\\config" | Out-Null',
  'Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\client.hcl" -Value $NomadConfig',
  '',
].join('\r\n');

/** The Linux client configured by bash through a heredoc. */
export const CLIENT_SH = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'mkdir -p /etc/nomad.d',
  "cat > /etc/nomad.d/client.hcl <<'EOF'",
  'datacenter = "dc1"',
  'data_dir = "/opt/nomad/data"',
  '',
  'client {',
  '  enabled = true',
  '}',
  'EOF',
  '',
].join('\n');
