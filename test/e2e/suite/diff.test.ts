// The two diff commands, run through VS Code's command system with the
// arguments that replace their QuickPicks: each must open real diff editors
// between hashistack-review-diff: documents and the Markdown summary, and no
// tfvars secret of either build may reach any open document.
import * as assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { suite, suiteSetup, teardown, test } from 'mocha';
import { screenshot } from './waits';

const EXTENSION_ID = 'hashistack-review.hashistack-review';
const DIFF_SCHEME = 'hashistack-review-diff';
const resultsDir = process.env.HSR_E2E_RESULTS_DIR ?? resolve(__dirname, '../../../../test-results');

/** What the commands resolve to (client/src/features/diffBuilds.ts `DiffShown`). */
interface DiffShown {
  readonly summary: vscode.Uri;
  readonly diffs: readonly { readonly left: vscode.Uri; readonly right: vscode.Uri; readonly title: string }[];
}

function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

const allTabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
const diffTabs = (): { tab: vscode.Tab; input: vscode.TabInputTextDiff }[] =>
  allTabs().flatMap((tab) => (tab.input instanceof vscode.TabInputTextDiff ? [{ tab, input: tab.input }] : []));
const textOf = async (uri: vscode.Uri): Promise<string> => (await vscode.workspace.openTextDocument(uri)).getText();

function describeTabs(): string {
  return JSON.stringify(
    vscode.window.tabGroups.all.map((g) =>
      g.tabs.map((t) => {
        const i = t.input;
        const what =
          i instanceof vscode.TabInputTextDiff
            ? `diff ${i.original.toString()} ${i.modified.toString()}`
            : i instanceof vscode.TabInputText
              ? `text ${i.uri.toString()}`
              : i instanceof vscode.TabInputWebview
                ? `webview ${i.viewType}`
                : 'other';
        return `${t.isActive ? '*' : ''}${t.label} [${what}]`;
      }),
    ),
  );
}

/** The diff editor for `shown.diffs[i]`, the summary preview, and the documents' text. */
async function checkOpened(shown: DiffShown | undefined): Promise<{ left: string; right: string; title: string }[]> {
  assert.ok(shown, 'the command resolved to what it opened (the language server answered)');
  assert.ok(shown.diffs.length > 0, 'at least one role diff');
  assert.equal(shown.summary.scheme, DIFF_SCHEME);
  const out: { left: string; right: string; title: string }[] = [];
  for (const d of shown.diffs) {
    assert.equal(d.left.scheme, DIFF_SCHEME);
    assert.equal(d.right.scheme, DIFF_SCHEME);
    const tab = diffTabs().find(({ input }) => input.original.toString() === d.left.toString() && input.modified.toString() === d.right.toString());
    assert.ok(tab, `a diff editor is open for "${d.title}"; tabs: ${describeTabs()}`);
    out.push({ left: await textOf(d.left), right: await textOf(d.right), title: d.title });
  }
  // The diffs open with preserveFocus, then the summary opens as a Markdown
  // preview in the same (active) group: the diff tabs sit in the active group,
  // the preview is its active tab.
  const group = vscode.window.tabGroups.activeTabGroup;
  assert.ok(
    group.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.original.scheme === DIFF_SCHEME),
    `the active tab group holds a ${DIFF_SCHEME}: diff editor; tabs: ${describeTabs()}`,
  );
  const summaryShown = (): boolean => {
    const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return (
      (active instanceof vscode.TabInputWebview && /markdown\.preview/.test(active.viewType)) ||
      (active instanceof vscode.TabInputText && active.uri.toString() === shown.summary.toString())
    );
  };
  // The Markdown preview is a webview: its tab may appear after the command returned.
  await waitFor(vscode.window.tabGroups.onDidChangeTabs, summaryShown, 10_000);
  console.log(`markdown ext active: ${vscode.extensions.getExtension('vscode.markdown-language-features')?.isActive}`);
  assert.ok(summaryShown(), `the summary is the active tab (Markdown preview, or the text as a fallback); tabs: ${describeTabs()}`);
  return out;
}

/** Resolves when `ok()` holds, checked now and on each `event`, or after `timeoutMs` (the caller asserts). */
function waitFor(event: vscode.Event<unknown>, ok: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (ok()) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
    const sub = event(() => {
      if (ok()) done();
    });
    const timer = setTimeout(done, timeoutMs);
  });
}

/** `name = "value"` lines of every .tfvars under `dir` whose name says key, token, secret, password or encrypt. */
function tfvarsSecrets(dir: string): { name: string; value: string; file: string }[] {
  const found: { name: string; value: string; file: string }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tfvars(\.json)?$/.test(e.name)) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/^\s*"?(\w*(?:_key|token|secret|password|encrypt)\w*)"?\s*[=:]\s*"([^"]{8,})"/gim)) {
          found.push({ name: m[1]!, value: m[2]!, file: p });
        }
      }
    }
  };
  walk(dir);
  return found;
}

suite('diff commands in VS Code', () => {
  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is loaded`);
    // activate() resolves once the language client has started.
    await extension.activate();
  });

  // Each test starts from an empty editor area, so what it sees is what its command opened.
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('compareClients { product: "nomad" } opens the Windows ↔ Linux client diff and its summary', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const shown = await vscode.commands.executeCommand<DiffShown | undefined>('hashistackReview.compareClients', { product: 'nomad' });
    const [diff, ...more] = await checkOpened(shown);
    assert.equal(more.length, 0, 'product "nomad": only the Nomad client pair');
    assert.ok(diff);
    assert.match(diff.title, /windows-client\/nomad ↔ linux-client\/nomad/);
    // A setting that differs: the Windows client sets enable_syslog (the
    // os-setting finding), the Linux client does not; client.servers is set
    // on Windows only, server_join on Linux only.
    assert.match(diff.left, /enable_syslog\s*=\s*true/, 'the Windows side renders enable_syslog');
    assert.doesNotMatch(diff.right, /enable_syslog/, 'the Linux side has no enable_syslog');
    assert.match(diff.left, /servers\s*=/);
    assert.match(diff.right, /retry_join\s*=/);
    const summary = await textOf(shown!.summary);
    for (const role of ['windows-client/nomad', 'linux-client/nomad', 'enable_syslog']) {
      assert.ok(summary.includes(role), `the summary mentions ${role}:\n${summary.slice(0, 600)}`);
    }
    mkdirSync(resultsDir, { recursive: true });
    const path = join(resultsDir, 'compare-clients.png');
    rmSync(path, { force: true });
    // The diff editor, not the preview, is what the screenshot is for.
    const first = shown!.diffs[0]!;
    await vscode.commands.executeCommand('vscode.diff', first.left, first.right, first.title, { preview: false });
    await screenshot(path);
  });

  test('diffBuilds { left, right } between two folders opens role diffs and a summary, and leaks no tfvars secret', async () => {
    const left = workspaceRoot().fsPath;
    const right = process.env.HSR_E2E_OTHER_BUILD;
    assert.ok(right, 'HSR_E2E_OTHER_BUILD names the second build folder (test/e2e/run.mjs copies examples/mixed-os)');
    const secrets = [...tfvarsSecrets(left), ...tfvarsSecrets(right)];
    assert.ok(secrets.length >= 4, `the examples' tfvars hold secrets to look for; found ${JSON.stringify(secrets.map((s) => s.name))}`);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const shown = await vscode.commands.executeCommand<DiffShown | undefined>('hashistackReview.diffBuilds', { left, right });
    const diffs = await checkOpened(shown);
    assert.ok(
      diffs.some((d) => d.left !== d.right),
      'some role differs between the two builds',
    );
    const summary = await textOf(shown!.summary);
    for (const expected of ['nomad_version', '1.10.5', '1.11.1', 'client_count']) {
      assert.ok(summary.includes(expected), `the summary mentions ${expected}:\n${summary.slice(0, 800)}`);
    }

    // Every document VS Code holds (the tfvars themselves excepted, should
    // anything have opened them) and every document behind an open tab.
    const texts = new Map<string, string>();
    for (const doc of vscode.workspace.textDocuments) {
      if (!/\.tfvars(\.json)?$/.test(doc.uri.path)) texts.set(doc.uri.toString(), doc.getText());
    }
    for (const { input } of diffTabs()) {
      for (const uri of [input.original, input.modified]) texts.set(uri.toString(), await textOf(uri));
    }
    texts.set(shown!.summary.toString(), summary);
    assert.ok(
      [...texts.keys()].some((k) => k.startsWith(`${DIFF_SCHEME}:`)),
      'the diff documents were checked',
    );
    console.log(`checked ${texts.size} open documents for ${secrets.length} tfvars secrets (${[...new Set(secrets.map((s) => s.name))].join(', ')})`);
    for (const [uri, text] of texts) {
      for (const s of secrets) {
        assert.ok(!text.includes(s.value), `${s.name} from ${s.file} appears in ${uri}`);
      }
    }
  });
});
