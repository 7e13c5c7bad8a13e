// Runs inside a real VS Code 1.100 (code-server) with a temporary copy of
// examples/windows-only open (test/e2e/run.mjs makes the copy, so quick fixes
// may edit and save files), twice: against the source tree as the extension
// under development (HSR_E2E_RUN=dev), then against the .vsix installed by
// code-server's CLI (HSR_E2E_RUN=vsix). HSR_E2E_EXTENSION_PATH is where the
// extension must be loaded from in that run.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { suite, suiteSetup, test } from 'mocha';
import { codeOf, describe, screenshot, waitForDiagnostics } from './waits';

const EXTENSION_ID = 'hashistack-review.hashistack-review';
const SOURCE = 'hashistack-review';
const CLIENT_PS1 = 'shared/packer/scripts/client.ps1';
const resultsDir = process.env.HSR_E2E_RESULTS_DIR ?? resolve(__dirname, '../../../../test-results');

/** VS Code 1.100's id: `workbench.actions.${Markers.MARKERS_VIEW_ID}.toggleActiveFile`. */
const PROBLEMS_ACTIVE_FILE_TOGGLE = 'workbench.actions.workbench.panel.markers.view.toggleActiveFile';

const ours = (ds: readonly vscode.Diagnostic[]): vscode.Diagnostic[] => ds.filter((d) => d.source === SOURCE);

function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

const RUN = process.env.HSR_E2E_RUN ?? 'dev';

suite('harness', () => {
  test('runs in VS Code 1.100', () => {
    assert.match(vscode.version, /^1\.100\./);
  });

  test(`the extension is loaded from the ${RUN === 'vsix' ? 'installed .vsix' : 'source tree'}`, () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is loaded`);
    const expected = process.env.HSR_E2E_EXTENSION_PATH;
    assert.ok(expected, 'test/e2e/run.mjs passes HSR_E2E_EXTENSION_PATH');
    const actual = realpathSync(extension.extensionPath);
    console.log(`run ${RUN}: ${EXTENSION_ID} ${String((extension.packageJSON as { version?: string }).version)} from ${actual}`);
    assert.equal(actual, realpathSync(expected));
    if (RUN === 'vsix') {
      const version = (extension.packageJSON as { version: string }).version;
      assert.equal(basename(actual), `${EXTENSION_ID}-${version}`, 'the folder code-server --install-extension creates');
      assert.ok(existsSync(join(dirname(actual), 'extensions.json')), 'it sits in an extensions dir that records it as installed');
      // The packaged layout only: the bundles, WASM and schemas, no sources or
      // compiled tree to fall back on (serverModule.ts would use out/ if dist/ were missing).
      // The agent-config validators compiled at build time (else each start compiles them, ~250 ms).
      for (const f of [
        'dist/extension.js',
        'dist/server.js',
        'dist/main.wasm.gz',
        'dist/schemas',
        'dist/schemas/compiled/nomad-agent.schema.js',
        'dist/schemas/compiled/consul-agent.schema.js',
      ]) {
        assert.ok(existsSync(join(actual, f)), `${f} is in the installed extension`);
      }
      for (const f of ['out', 'client', 'server', 'node_modules', 'test']) {
        assert.ok(!existsSync(join(actual, f)), `${f}/ is not in the installed extension`);
      }
    }
  });

  test('the example workspace folder is open', () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 1, 'one workspace folder');
  });

  test('the launcher saves screenshots on request', async () => {
    mkdirSync(resultsDir, { recursive: true });
    const path = join(resultsDir, 'e2e-workbench.png');
    rmSync(path, { force: true });
    await screenshot(path);
    assert.equal(readFileSync(path).subarray(1, 4).toString('latin1'), 'PNG');
  });
});

suite('hashistack-review in VS Code', () => {
  let extension: vscode.Extension<unknown>;
  let document: vscode.TextDocument;
  // Waited for once: if the server never reports, the later tests fail at
  // once with the same reason instead of each waiting out the timeout.
  let firstDiagnostics: Promise<vscode.Diagnostic[]> | undefined;
  const diagnosticsArrived = (): Promise<vscode.Diagnostic[]> =>
    (firstDiagnostics ??= waitForDiagnostics(document.uri, (ds) => ours(ds).length > 0, `${SOURCE} diagnostics on ${CLIENT_PS1}`));

  suiteSetup(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is loaded`);
    extension = found;
    document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), CLIENT_PS1));
    await vscode.window.showTextDocument(document);
    await extension.activate();
  });

  test('contributed commands are registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = ((extension.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? []).map((c) => c.command);
    for (const command of ['hashistackReview.showEffectiveConfig', ...contributed]) {
      assert.ok(registered.has(command), `command ${command} is registered`);
    }
  });

  test('client.ps1 gets hashistack-review diagnostics', async () => {
    const diagnostics = await diagnosticsArrived();
    console.log(`diagnostics on ${CLIENT_PS1}:\n  ${ours(diagnostics).map(describe).join('\n  ')}`);
    for (const d of ours(diagnostics)) {
      assert.ok(codeOf(d) !== '', `diagnostic has a rule id: ${describe(d)}`);
      assert.ok(d.message.trim() !== '', 'diagnostic has a message');
    }
  });

  test('the Problems panel shows them (screenshot)', async () => {
    await diagnosticsArrived();
    // The filter below follows the active editor: make it client.ps1.
    await vscode.window.showTextDocument(document, { preview: false });
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    // The panel lists the whole workspace's problems by default. The view's
    // "Show Active File Only" filter (a toggle, off in a fresh profile; the
    // action runs on the visible Problems view) narrows it to client.ps1, and
    // the maximized panel gives it the window.
    await vscode.commands.executeCommand(PROBLEMS_ACTIVE_FILE_TOGGLE);
    await vscode.commands.executeCommand('workbench.action.toggleMaximizedPanel');
    mkdirSync(resultsDir, { recursive: true });
    const path = join(resultsDir, 'problems-client-ps1.png');
    rmSync(path, { force: true });
    try {
      await screenshot(path);
    } finally {
      await vscode.commands.executeCommand('workbench.action.toggleMaximizedPanel');
      await vscode.commands.executeCommand(PROBLEMS_ACTIVE_FILE_TOGGLE);
    }
  });

  test('a quick fix edits client.ps1 and its diagnostic goes away', async () => {
    await diagnosticsArrived();
    const before = ours(vscode.languages.getDiagnostics(document.uri));
    const found = await firstQuickFix(document.uri, before);
    assert.ok(found, `some diagnostic offers a quick fix with an edit; diagnostics: ${JSON.stringify(before.map(describe))}`);
    const { diagnostic, action } = found;
    const edit = action.edit;
    assert.ok(edit);
    console.log(`applying "${action.title}" for ${describe(diagnostic)}`);

    const sameFinding = (d: vscode.Diagnostic): boolean => d.source === SOURCE && codeOf(d) === codeOf(diagnostic) && d.message === diagnostic.message;
    const countBefore = before.filter(sameFinding).length;
    const expected = applyToText(document.getText(), edit.get(document.uri));

    assert.ok(await vscode.workspace.applyEdit(edit), 'the workspace accepted the edit');
    assert.equal(document.getText(), expected, 'the document holds exactly the edited text');
    assert.ok(await document.save(), 'the document saves');
    assert.equal(readFileSync(document.uri.fsPath, 'utf8'), expected, 'the file on disk holds the edited text');

    await waitForDiagnostics(document.uri, (ds) => ds.filter(sameFinding).length < countBefore, `"${codeOf(diagnostic)}" to disappear after the fix`);
  });
});

/** The first diagnostic, in document order, offering a quick fix that carries an edit. */
async function firstQuickFix(
  uri: vscode.Uri,
  diagnostics: readonly vscode.Diagnostic[],
): Promise<{ diagnostic: vscode.Diagnostic; action: vscode.CodeAction } | undefined> {
  const offered: string[] = [];
  const sorted = [...diagnostics].sort((a, b) => a.range.start.compareTo(b.range.start));
  for (const diagnostic of sorted) {
    const actions =
      (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        'vscode.executeCodeActionProvider',
        uri,
        diagnostic.range,
        vscode.CodeActionKind.QuickFix.value,
      )) ?? [];
    // Asked for this diagnostic's range only. The API command does not carry
    // CodeAction.diagnostics back, so take the preferred fix (the finding's own
    // first fix), else the first quick fix with an edit.
    const fixes = actions.filter(
      (a): a is vscode.CodeAction => 'edit' in a && a.edit !== undefined && a.kind !== undefined && vscode.CodeActionKind.QuickFix.contains(a.kind),
    );
    const action = fixes.find((a) => a.isPreferred === true) ?? fixes[0];
    if (action) return { diagnostic, action };
    offered.push(
      `${describe(diagnostic).slice(0, 60)} -> ${JSON.stringify(actions.map((a) => `${a.title} [${'kind' in a ? a.kind?.value : 'command'}; edit: ${'edit' in a && a.edit !== undefined}]`))}`,
    );
  }
  console.log(`no usable quick fix; code actions offered:\n  ${offered.join('\n  ')}`);
  return undefined;
}

/** Applies non-overlapping text edits, last first so earlier offsets stay valid. */
function applyToText(text: string, edits: readonly vscode.TextEdit[]): string {
  assert.ok(edits.length > 0, 'the quick fix edits the document it was asked for');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: vscode.Position): number => (lineStarts[p.line] ?? text.length) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((acc, e) => acc.slice(0, offset(e.range.start)) + e.newText + acc.slice(offset(e.range.end)), text);
}
