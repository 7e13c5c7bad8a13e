/**
 * "HashiStack: Diff Build Configs" and "HashiStack: Compare Windows and Linux
 * Clients". The server computes the diff (`hashistack/diffBuilds`,
 * `hashistack/diffRoles`); this side picks the two builds (folders or git
 * refs), shows one `vscode.diff` per role between read-only virtual
 * documents, and the Markdown summary in a preview. Both take optional
 * arguments (`{ left, right }`, `{ product }`) that skip the QuickPicks, for
 * keybindings and tests, and resolve to what they opened.
 */
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export const DIFF_SCHEME = 'hashistack-review-diff';
const DIFF_BUILDS_REQUEST = 'hashistack/diffBuilds';
const DIFF_ROLES_REQUEST = 'hashistack/diffRoles';

interface DiffResponse {
  readonly markdown: string;
  readonly left: Record<string, string>;
  readonly right: Record<string, string>;
  readonly leftLabel: string;
  readonly rightLabel: string;
}

type ClientSource = LanguageClient | (() => LanguageClient | undefined);

/** Read-only documents holding the rendered configs and the summary of the last diffs. */
class DiffDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private run = 0;

  nextRun(): number {
    // Each diff gets fresh URIs, so an open tab of an older diff keeps its text.
    return ++this.run;
  }

  set(path: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: DIFF_SCHEME, path });
    this.contents.set(uri.path, text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '# This diff is no longer available: run the command again.\n';
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}

function resolveClient(source: ClientSource): LanguageClient | undefined {
  const c = typeof source === 'function' ? source() : source;
  return c && c.isRunning() ? c : undefined;
}

function safeName(s: string): string {
  return s.replace(/[^\w.@-]+/g, '_').slice(0, 60) || 'side';
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout) => resolve(err ? '' : stdout));
  });
}

interface SideItem extends vscode.QuickPickItem {
  readonly spec?: string;
  readonly browse?: boolean;
}

async function pickFolder(title: string): Promise<string | undefined> {
  const items: SideItem[] = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ label: f.name, description: f.uri.fsPath, spec: f.uri.fsPath }));
  items.push({ label: '$(folder-opened) Browse…', browse: true });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'A build folder' });
  if (!picked) return undefined;
  if (!picked.browse) return picked.spec;
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title });
  return chosen?.[0]?.fsPath;
}

async function gitRefItems(cwd: string): Promise<SideItem[]> {
  const [refs, log] = await Promise.all([
    git(cwd, ['for-each-ref', '--sort=-committerdate', '--format=%(refname:short)%09%(objecttype)%09%(refname)', 'refs/heads', 'refs/tags', 'refs/remotes']),
    git(cwd, ['log', '-n', '30', '--format=%h%x09%s%x09%cr']),
  ]);
  const items: SideItem[] = [];
  for (const line of refs.split('\n')) {
    const [short, , full] = line.split('\t');
    if (!short || !full || full.endsWith('/HEAD')) continue;
    const kind = full.startsWith('refs/tags/') ? 'tag' : full.startsWith('refs/remotes/') ? 'remote branch' : 'branch';
    items.push({ label: `$(${kind === 'tag' ? 'tag' : 'git-branch'}) ${short}`, description: kind, spec: `git:${short}` });
  }
  const commits = log.split('\n').filter(Boolean);
  if (commits.length > 0) items.push({ label: 'recent commits', kind: vscode.QuickPickItemKind.Separator });
  for (const line of commits) {
    const [hash, subject, when] = line.split('\t');
    if (hash) items.push({ label: `$(git-commit) ${hash}`, description: subject, detail: when, spec: `git:${hash}` });
  }
  return items;
}

async function pickRef(title: string, items: SideItem[]): Promise<string | undefined> {
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'A branch, tag or commit', matchOnDescription: true }))?.spec;
}

/** What a diff command opened: returned to callers (tests, other extensions), ignored by the palette. */
export interface DiffShown {
  readonly summary: vscode.Uri;
  readonly diffs: readonly { readonly left: vscode.Uri; readonly right: vscode.Uri; readonly title: string }[];
}

async function showResult(docs: DiffDocuments, resp: DiffResponse, titleOf: (roleId: string) => string): Promise<DiffShown> {
  const run = docs.nextRun();
  const ids = [...new Set([...Object.keys(resp.left), ...Object.keys(resp.right)])].sort();
  const diffs: { left: vscode.Uri; right: vscode.Uri; title: string }[] = [];
  for (const id of ids) {
    const l = docs.set(`/${run}/left-${safeName(resp.leftLabel)}/${id}.hcl`, resp.left[id] ?? '# (this role does not exist on this side)\n');
    const r = docs.set(`/${run}/right-${safeName(resp.rightLabel)}/${id}.hcl`, resp.right[id] ?? '# (this role does not exist on this side)\n');
    await vscode.commands.executeCommand('vscode.diff', l, r, titleOf(id), { preview: false, preserveFocus: true });
    diffs.push({ left: l, right: r, title: titleOf(id) });
  }
  const summary = docs.set(`/${run}/summary.md`, resp.markdown);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', summary);
  } catch {
    const doc = await vscode.workspace.openTextDocument(summary);
    await vscode.window.showTextDocument(doc, { preview: false });
  }
  return { summary, diffs };
}

/** Optional command arguments (tests, keybindings): given, they replace the QuickPicks. */
export interface DiffBuildsArgs {
  /** A folder (absolute, or relative to the first workspace folder) or `git:<rev>[:<dir>]`. */
  readonly left?: string;
  readonly right?: string;
}

export interface CompareClientsArgs {
  readonly product?: 'nomad' | 'consul';
}

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

async function request(client: ClientSource, method: string, params: unknown, title: string): Promise<DiffResponse | undefined> {
  const c = resolveClient(client);
  if (!c) {
    void vscode.window.showWarningMessage('HashiStack Review: the language server is not running.');
    return undefined;
  }
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) =>
      c.sendRequest<DiffResponse>(method, params, token),
    );
  } catch (error) {
    void vscode.window.showErrorMessage(`HashiStack Review: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

export function registerDiffCommands(context: vscode.ExtensionContext, client: ClientSource): vscode.Disposable {
  const docs = new DiffDocuments();
  const disposables: vscode.Disposable[] = [
    docs,
    vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, docs),
    vscode.commands.registerCommand('hashistackReview.diffBuilds', async (args?: DiffBuildsArgs): Promise<DiffShown | undefined> => {
      const given = { left: nonEmpty(args?.left), right: nonEmpty(args?.right) };
      if (given.left && given.right) {
        const resp = await request(client, DIFF_BUILDS_REQUEST, given, 'HashiStack: diffing build configs…');
        return resp ? showResult(docs, resp, (id) => `${id}: ${resp.leftLabel} ↔ ${resp.rightLabel}`) : undefined;
      }
      const mode = await vscode.window.showQuickPick(
        [
          { label: '$(folder) Two folders', id: 'folders' as const, description: 'workspace folders or browse' },
          { label: '$(git-branch) Two git revisions', id: 'git' as const, description: 'branches, tags, recent commits (read from git, not checked out)' },
        ],
        { title: 'HashiStack: Diff Build Configs' },
      );
      if (!mode) return;
      let left: string | undefined;
      let right: string | undefined;
      if (mode.id === 'folders') {
        left = await pickFolder('Diff Build Configs: the first (older) build');
        if (!left) return;
        right = await pickFolder('Diff Build Configs: the second (newer) build');
      } else {
        const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        if (!cwd) {
          void vscode.window.showWarningMessage('HashiStack Review: open a folder inside a git repository first.');
          return;
        }
        const items = await gitRefItems(cwd);
        if (items.length === 0) {
          void vscode.window.showWarningMessage('HashiStack Review: no git branches, tags or commits found in this folder.');
          return;
        }
        left = await pickRef('Diff Build Configs: the first (older) revision', items);
        if (!left) return;
        right = await pickRef('Diff Build Configs: the second (newer) revision', items);
      }
      if (!right) return;
      const resp = await request(client, DIFF_BUILDS_REQUEST, { left, right }, 'HashiStack: diffing build configs…');
      return resp ? showResult(docs, resp, (id) => `${id}: ${resp.leftLabel} ↔ ${resp.rightLabel}`) : undefined;
    }),
    vscode.commands.registerCommand('hashistackReview.compareClients', async (args?: CompareClientsArgs): Promise<DiffShown | undefined> => {
      const product = args?.product === 'nomad' || args?.product === 'consul' ? args.product : undefined;
      const resp = await request(
        client,
        DIFF_ROLES_REQUEST,
        { roleA: 'windows-client', roleB: 'linux-client', ...(product ? { product } : {}) },
        'HashiStack: comparing Windows and Linux clients…',
      );
      return resp ? showResult(docs, resp, (id) => `${id} ↔ ${id.replace(/^windows-client/, 'linux-client')}`) : undefined;
    }),
  ];
  const all = vscode.Disposable.from(...disposables);
  context.subscriptions.push(all);
  return all;
}
