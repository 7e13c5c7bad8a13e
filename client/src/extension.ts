/**
 * Extension entry: starts the language server and registers the commands.
 * Imports only `vscode` and `vscode-languageclient/node`; all analysis runs
 * in the server process.
 */
import * as vscode from 'vscode';
import type { LanguageClient, Middleware } from 'vscode-languageclient/node';
import { registerDiffCommands } from './features/diffBuilds';
import { registerEffectiveConfig } from './features/effectiveConfig';
import { registerValueChain } from './features/valueChain';
import { VirtualDocuments } from './features/virtualDocuments';
import { createLanguageClient } from './languageClient';
import type { ClientHandle } from './languageClient';
import { serverModulePath } from './serverModule';

let handle: ClientHandle | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel('HashiStack Review');
  const docs = new VirtualDocuments();
  context.subscriptions.push(channel, docs);

  const middleware: Middleware = {
    handleDiagnostics(uri, diagnostics, next) {
      next(uri, diagnostics);
      // New results: open effective-config views may have changed too.
      docs.refreshOpen('effective-config');
    },
  };
  const serverModule = serverModulePath(context);
  channel.appendLine(`Starting the server from ${serverModule}`);
  handle = createLanguageClient(serverModule, channel, middleware);
  const getClient = (): LanguageClient | undefined => (handle?.client.isRunning() ? handle.client : undefined);

  context.subscriptions.push(
    registerEffectiveConfig(getClient, docs),
    registerValueChain(getClient, docs),
    registerDiffCommands(context, getClient),
    vscode.commands.registerCommand('hashistackReview.restartServer', async () => {
      if (handle === undefined) return;
      handle.resetRestarts();
      channel.appendLine('Restarting the server on request.');
      try {
        await (handle.client.isRunning() ? handle.client.restart() : handle.client.start());
      } catch (error) {
        channel.appendLine(`Restart failed: ${error instanceof Error ? error.message : String(error)}`);
        void vscode.window.showErrorMessage('HashiStack Review: the server could not be restarted; see the output channel.');
      }
    }),
  );

  try {
    await handle.client.start();
  } catch (error) {
    // Logged, not popped up: the restart command and the output channel explain what happened.
    channel.appendLine(`The server failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function deactivate(): Promise<void> {
  const client = handle?.client;
  handle = undefined;
  if (client !== undefined) await client.stop();
}
