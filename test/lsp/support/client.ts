/**
 * A small LSP client for the reliability tests: like `../harness.ts`, but
 * it records everything the server emits (the raw stdout bytes, stderr,
 * `window/logMessage`, `$/logTrace`, every `publishDiagnostics`) and lets a
 * test choose the initialize parameters (trace level, processId), the node
 * arguments (a preload) and the environment. Waits are for messages or
 * process events, each with a deadline.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  DidOpenTextDocumentNotification,
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
import type { ProtocolConnection, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { SERVER_MAIN } from '../harness';

export const DEADLINE_MS = 20_000;

export interface ClientOptions {
  /** Root-relative path -> content, written to a fresh temporary folder. */
  readonly files: Record<string, string | Uint8Array>;
  /** The `hashistackReview` section answered to `workspace/configuration`. */
  readonly settings?: Record<string, unknown>;
  readonly trace?: 'off' | 'messages' | 'verbose';
  /** `processId` in initialize (default: this process). */
  readonly processId?: number | null;
  readonly nodeArgs?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export function languageIdOf(rel: string): string {
  if (/\.(ps1|psm1)$/i.test(rel)) return 'powershell';
  if (/\.sh$/i.test(rel)) return 'shellscript';
  if (/\.(tf|tfvars)$/i.test(rel)) return 'terraform';
  if (/\.hcl$/i.test(rel)) return 'hcl';
  if (/\.json$/i.test(rel)) return 'json';
  return 'plaintext';
}

export class LspClient {
  /** Everything the server wrote on stdout (the protocol stream itself), as received. */
  readonly stdout: Buffer[] = [];
  readonly stderr: string[] = [];
  readonly logMessages: string[] = [];
  readonly logTraces: string[] = [];
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  private readonly listeners: Array<() => void> = [];
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly root: string,
    readonly proc: ChildProcessWithoutNullStreams,
    readonly conn: ProtocolConnection,
    private readonly settings: Record<string, unknown>,
  ) {
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
        this.notify();
      }),
    );
    proc.stdout.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    proc.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.push(p);
      this.notify();
    });
    conn.onNotification(LogMessageNotification.type, (p) => {
      this.logMessages.push(p.message);
      this.notify();
    });
    conn.onNotification('$/logTrace', (p: { message: string; verbose?: string }) => {
      this.logTraces.push(`${p.message}\n${p.verbose ?? ''}`);
      this.notify();
    });
    conn.onRequest(ConfigurationRequest.type, (p) =>
      p.items.map((item) => (item.section === 'hashistackReview' ? { debounceMs: 30, ...this.settings } : null)),
    );
    conn.onRequest(RegistrationRequest.type, () => null);
    conn.onRequest('window/workDoneProgress/create', () => null);
    // A closed pipe after the server died must not crash the test process.
    conn.onError(() => undefined);
    proc.stdin.on('error', () => undefined);
  }

  static async start(options: ClientOptions): Promise<LspClient> {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-lspc-')));
    for (const [rel, content] of Object.entries(options.files)) {
      const abs = path.join(root, ...rel.split('/'));
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    }
    const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER_MAIN, '--stdio'], {
      stdio: 'pipe',
      env: { ...process.env, ...(options.env ?? {}) },
    });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const client = new LspClient(root, proc, conn, options.settings ?? {});
    conn.listen();
    const rootUri = pathToFileURL(root).href;
    const died = client.exited.then((code) => {
      throw new Error(`server exited with ${String(code)} before initializing: ${client.stderr.join('').slice(0, 2000)}`);
    });
    const init = conn.sendRequest(InitializeRequest.type, {
      processId: options.processId === undefined ? process.pid : options.processId,
      rootUri,
      trace: options.trace ?? 'off',
      workspaceFolders: [{ uri: rootUri, name: 'ws' }],
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeConfiguration: { dynamicRegistration: true },
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
    await Promise.race([init, died]);
    void died.catch(() => undefined);
    await conn.sendNotification(InitializedNotification.type, {});
    if (options.trace !== undefined && options.trace !== 'off') await conn.sendNotification('$/setTrace', { value: options.trace });
    return client;
  }

  uri(rel: string): string {
    return pathToFileURL(path.join(this.root, ...rel.split('/'))).href;
  }

  async open(rel: string, text: string, version = 1): Promise<void> {
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: this.uri(rel), languageId: languageIdOf(rel), version, text },
    });
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** Resolves when `check` returns a value (re-evaluated on every message from the server and on exit). */
  waitFor<T>(what: string, check: () => T | undefined, deadlineMs = DEADLINE_MS): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`${what}: not within ${deadlineMs} ms`));
      }, deadlineMs);
      const listener = () => {
        const v = check();
        if (v === undefined) return;
        remove();
        resolve(v);
      };
      const remove = () => {
        clearTimeout(timer);
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
      };
      this.listeners.push(listener);
    });
  }

  /** The latest diagnostics published for `uri`. */
  latest(uri: string): PublishDiagnosticsParams | undefined {
    for (let i = this.diagnostics.length - 1; i >= 0; i--) if (this.diagnostics[i]!.uri === uri) return this.diagnostics[i];
    return undefined;
  }

  /** Resolves with the exit code, or 'timeout' after `ms`. */
  async waitExit(ms: number): Promise<number | null | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const r = await Promise.race([this.exited, t]);
    clearTimeout(timer);
    return r;
  }

  /** Everything the server emitted, as one string: protocol stream, stderr, log messages, traces. */
  allOutput(): string {
    return [Buffer.concat(this.stdout).toString('utf8'), ...this.stderr, ...this.logMessages, ...this.logTraces].join('\n');
  }

  async stop(): Promise<number | null | 'timeout'> {
    if (this.alive) {
      try {
        await this.conn.sendRequest(ShutdownRequest.type);
        await this.conn.sendNotification(ExitNotification.type);
      } catch {
        // already gone
      }
    }
    const code = await this.waitExit(DEADLINE_MS);
    this.dispose();
    return code;
  }

  dispose(): void {
    if (this.alive) this.proc.kill();
    this.conn.dispose();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** The files of a folder on disk (root-relative `/` paths -> bytes). */
export function filesOf(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (abs: string, rel: string) => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(abs, e.name), r);
      else if (e.isFile()) out[r] = fs.readFileSync(path.join(abs, e.name));
    }
  };
  walk(dir, '');
  return out;
}

/**
 * Child process ids of `pid`: /proc/<pid>/task/<tid>/children when the kernel
 * has it, else a scan of /proc/<n>/stat for parent `pid` (no process is
 * started to find out). Undefined where there is no /proc.
 */
export function childPids(pid: number): number[] | undefined {
  if (!fs.existsSync(`/proc/${pid}`)) return fs.existsSync('/proc/self') ? [] : undefined;
  const taskDir = `/proc/${pid}/task`;
  const tids = fs.readdirSync(taskDir);
  if (tids.length > 0 && fs.existsSync(path.join(taskDir, tids[0]!, 'children'))) {
    const out: number[] = [];
    for (const tid of tids) {
      try {
        const text = fs.readFileSync(path.join(taskDir, tid, 'children'), 'utf8').trim();
        if (text !== '') out.push(...text.split(/\s+/).map(Number));
      } catch {
        // thread ended meanwhile
      }
    }
    return out;
  }
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // process ended meanwhile
    }
  }
  return out;
}
