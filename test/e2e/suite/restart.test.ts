// The client restarts a crashed language server (a bounded number of times,
// languageClient.ts) and diagnostics come back without reloading the window.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { suite, test } from 'mocha';
import { waitForDiagnostics } from './waits';

const SOURCE = 'hashistack-review';
const CLIENT_PS1 = 'shared/packer/scripts/client.ps1';

/** Language server processes started by this extension host (children whose command line names our server). */
function serverPids(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (/serverMain\.js|dist\/server\.js/.test(cmd)) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    // Process start/exit has no event in the extension host API: poll /proc briefly.
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('server crash', () => {
  test('a killed language server is restarted and diagnostics come back', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const uri = vscode.Uri.joinPath(folder.uri, CLIENT_PS1);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    await waitForDiagnostics(uri, (ds) => ds.some((d) => d.source === SOURCE), 'diagnostics before the crash');
    const [pid] = await until('the language server process', () => {
      const pids = serverPids();
      return pids.length > 0 ? pids : undefined;
    });
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    const restarted = await until('a new language server process', () => serverPids().find((p) => p !== pid));
    assert.notEqual(restarted, pid);
    // Edit and wait for the new server's diagnostics for the edited text: every line one further down.
    const before = vscode.languages
      .getDiagnostics(uri)
      .filter((d) => d.source === SOURCE)
      .map((d) => d.range.start.line)
      .sort((a, b) => a - b);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), '# restarted\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const expected = JSON.stringify(before.map((l) => l + 1));
    await waitForDiagnostics(
      uri,
      (ds) =>
        JSON.stringify(
          ds
            .filter((d) => d.source === SOURCE)
            .map((d) => d.range.start.line)
            .sort((a, b) => a - b),
        ) === expected,
      'diagnostics from the restarted server, one line further down',
      60_000,
    );
    await vscode.commands.executeCommand('undo');
  });
});
