/**
 * Read-only documents under the `hashistack-review:` scheme. Each feature
 * registers a renderer for its own path prefix; open documents are
 * re-rendered when the server publishes new results.
 */
import * as vscode from 'vscode';

export const SCHEME = 'hashistack-review';

type Renderer = (uri: vscode.Uri) => string | Promise<string>;

export class VirtualDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly renderers = new Map<string, Renderer>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);

  registerRenderer(kind: string, render: Renderer): void {
    this.renderers.set(kind, render);
  }

  uri(kind: string, name: string, query = ''): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, path: `/${kind}/${name}`, query });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const kind = uri.path.split('/')[1] ?? '';
    const render = this.renderers.get(kind);
    if (render === undefined) return '';
    try {
      return await render(uri);
    } catch (error) {
      return `# Could not render this view: ${error instanceof Error ? error.message : String(error)}\n`;
    }
  }

  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  /** Re-renders every open effective-config view (after new analysis results). */
  refreshOpen(kind: string): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === SCHEME && doc.uri.path.startsWith(`/${kind}/`)) this.changed.fire(doc.uri);
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
