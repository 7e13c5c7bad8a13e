// Event-driven waits for the real-editor tests: each resolves on the event
// that proves the state, bounded by a timeout that fails with what was seen.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';

/** Resolves with the uri's diagnostics once `accept` holds for them. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: readonly vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const current = vscode.languages.getDiagnostics(uri);
      if (!accept(current)) return false;
      done();
      resolve(current);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      done();
      const seen = vscode.languages.getDiagnostics(uri).map(describe);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; diagnostics now: ${JSON.stringify(seen)}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      subscription.dispose();
    };
    check();
  });
}

/**
 * The launcher saves a screenshot when the page console shows this line; the
 * file appears (renamed into place, so it is complete) when it is written.
 */
export async function screenshot(path: string, timeoutMs = 20_000): Promise<void> {
  console.log(`HSR_SCREENSHOT ${path}`);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`screenshot ${path} did not appear within ${timeoutMs} ms`);
    // The file is written by another process (the launcher); polling its
    // existence is the only signal the extension host can get.
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function codeOf(d: vscode.Diagnostic): string {
  const code = d.code;
  if (code === undefined) return '';
  return typeof code === 'object' ? String(code.value) : String(code);
}

export function describe(d: vscode.Diagnostic): string {
  return `${d.source ?? '?'}:${codeOf(d)}@${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`;
}
