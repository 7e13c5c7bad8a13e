/**
 * Where the language server lives: the esbuild bundle `dist/server.js` in a
 * packaged extension, the tsc output in a development checkout. While
 * developing the extension itself the tsc output wins, so a stale bundle is
 * never picked up by accident.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';

const BUNDLED = 'dist/server.js';
const COMPILED = 'out/server/src/serverMain.js';

export function serverModulePath(context: vscode.ExtensionContext): string {
  const bundled = context.asAbsolutePath(BUNDLED);
  const compiled = context.asAbsolutePath(COMPILED);
  const preferCompiled = context.extensionMode !== vscode.ExtensionMode.Production;
  const order = preferCompiled ? [compiled, bundled] : [bundled, compiled];
  return order.find((p) => fs.existsSync(p)) ?? bundled;
}
