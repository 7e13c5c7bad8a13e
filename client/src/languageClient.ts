/**
 * The language client: transport, document selector, output channel and a
 * bounded restart policy (after vscode-terraform's restart handling: restart
 * a crashed server a few times, then stop and say so once).
 */
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, RevealOutputChannelOn, TransportKind } from 'vscode-languageclient/node';
import type { CloseHandlerResult, ErrorHandler, ErrorHandlerResult, LanguageClientOptions, Middleware, ServerOptions } from 'vscode-languageclient/node';

export const CLIENT_ID = 'hashistackReview';
const CLIENT_NAME = 'HashiStack Review';
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

const SELECTOR = [
  ...['powershell', 'shellscript', 'hcl', 'terraform', 'json'].map((language) => ({ scheme: 'file', language })),
  { scheme: 'file', pattern: '**/*.{ps1,psm1,sh,bash,tf,tfvars,hcl,tpl,tftpl,tmpl,service}' },
  // cloud-init user data kept as YAML (its write_files configs and runcmd are reviewed).
  { scheme: 'file', pattern: '**/*{cloud,user-data,user_data,userdata,init}*.{yaml,yml}' },
  // Docker Compose files (a service's command line may start an agent) and the .env files Compose reads.
  { scheme: 'file', pattern: '**/{docker-compose,compose}*.{yaml,yml}' },
  { scheme: 'file', pattern: '**/.env' },
];

/** Restarts a crashed server at most MAX_RESTARTS times within RESTART_WINDOW_MS. */
class BoundedRestarts implements ErrorHandler {
  private readonly crashes: number[] = [];

  constructor(private readonly channel: vscode.OutputChannel) {}

  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.channel.appendLine(`Connection error: ${error.message}`);
    return { action: (count ?? 1) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - (this.crashes[0] ?? now) > RESTART_WINDOW_MS) this.crashes.shift();
    if (this.crashes.length <= MAX_RESTARTS) {
      this.channel.appendLine(`The server stopped unexpectedly; restarting (${this.crashes.length}/${MAX_RESTARTS}).`);
      return { action: CloseAction.Restart, handled: true };
    }
    const message = `The HashiStack Review server stopped ${this.crashes.length} times in 3 minutes and will not be restarted. See the "HashiStack Review" output, then run "HashiStack: Restart Server".`;
    this.channel.appendLine(message);
    void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
      if (choice === 'Show Output') this.channel.show(true);
    });
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  reset(): void {
    this.crashes.length = 0;
  }
}

export interface ClientHandle {
  readonly client: LanguageClient;
  /** Forgets past crashes, for a restart the user asked for. */
  resetRestarts(): void;
}

export function createLanguageClient(serverModule: string, channel: vscode.OutputChannel, middleware: Middleware): ClientHandle {
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const errorHandler = new BoundedRestarts(channel);
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    outputChannel: channel,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler,
    middleware,
  };
  const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  return { client, resetRestarts: () => errorHandler.reset() };
}
