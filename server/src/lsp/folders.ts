/**
 * One analysed `Workspace` per workspace folder, loaded once from disk at
 * startup; edits then flow in file by file. A document belongs to the
 * innermost folder that contains it.
 */
import type { PublishedEntry } from './diagnostics';
import type { AnalysisResult } from '../core/api';
import { Workspace } from '../core/engine';
import type { ServerSettings } from './settings';
import { DEFAULT_SETTINGS, toAnalysisSettings } from './settings';
import { fsPathOfUri, relativeTo, uriBelow } from './uris';

export class FolderState {
  settings: ServerSettings = DEFAULT_SETTINGS;
  /** Undefined until `Workspace.load` has finished. */
  workspace: Workspace | undefined;
  /** A file changed since `result` was computed. */
  dirty = true;
  result: AnalysisResult | undefined;
  /** Versions of the open documents (by URI) that `result` was computed from. */
  resultVersions: ReadonlyMap<string, number> = new Map();
  /** URIs that currently show diagnostics from this folder, to clear them when they go away. */
  readonly published = new Set<string>();
  /** What was last sent per URI (version + the findings behind it), so unchanged files are not sent again. */
  readonly sent = new Map<string, PublishedEntry>();
  private readonly uriCache = new Map<string, string>();
  /** Root-relative path -> URI of the documents open in the editor. */
  readonly openUris = new Map<string, string>();
  /** File problems already logged, so a keystroke does not repeat them. */
  loggedProblems = new Set<string>();

  constructor(
    readonly uri: string,
    readonly root: string,
  ) {}

  /** The URI to publish for a root-relative path: the editor's own URI when the file is open. */
  uriOf(file: string): string {
    const open = this.openUris.get(file);
    if (open !== undefined) return open;
    let uri = this.uriCache.get(file);
    if (uri === undefined) this.uriCache.set(file, (uri = uriBelow(this.uri, file)));
    return uri;
  }

  async load(settings: ServerSettings): Promise<Workspace> {
    this.settings = settings;
    const workspace = await Workspace.load(this.root, toAnalysisSettings(settings));
    this.workspace = workspace;
    return workspace;
  }
}

export interface Located {
  readonly folder: FolderState;
  /** Root-relative, `/` separators. */
  readonly file: string;
}

export class FolderRegistry {
  private folders: FolderState[] = [];

  all(): readonly FolderState[] {
    return this.folders;
  }

  add(uri: string): FolderState | undefined {
    const root = fsPathOfUri(uri);
    if (root === undefined || this.folders.some((f) => f.uri === uri)) return undefined;
    const folder = new FolderState(uri, root);
    // Innermost folder first, so nested folders win the lookup.
    this.folders = [...this.folders, folder].sort((a, b) => b.root.length - a.root.length);
    return folder;
  }

  remove(uri: string): FolderState | undefined {
    const folder = this.folders.find((f) => f.uri === uri);
    this.folders = this.folders.filter((f) => f.uri !== uri);
    return folder;
  }

  byUri(uri: string): FolderState | undefined {
    return this.folders.find((f) => f.uri === uri);
  }

  /** The folder and root-relative path of a document URI; undefined for documents outside every folder. */
  locate(uri: string): Located | undefined {
    const fsPath = fsPathOfUri(uri);
    if (fsPath === undefined) return undefined;
    for (const folder of this.folders) {
      const file = relativeTo(folder.root, fsPath);
      if (file !== undefined) return { folder, file };
    }
    return undefined;
  }
}
