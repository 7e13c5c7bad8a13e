/**
 * Keeps each folder's `Workspace` in step with the editor and the disk, one
 * file at a time: an open document's buffer overrides the disk; closing it
 * falls back to the disk content; watched-file events update closed files.
 * The workspace is never re-read as a whole after startup.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileChangeType } from 'vscode-languageserver/node';
import type { Connection, DidChangeWatchedFilesParams, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisScheduler } from './diagnostics';
import type { FolderRegistry, FolderState } from './folders';
import { classifyFile, isShellShebang, maybeExtensionlessScript, SKIPPED_DIRS } from '../core/workspace/fileKinds';
import { runSafeNotification } from './runSafe';

/** The files the server asks the client to watch (registered dynamically when the client supports it). */
export const WATCHED_FILES_GLOB = '**/*.{tf,tfvars,hcl,json,ps1,psm1,sh,bash,tpl,tftpl,tmpl,service,pkr.hcl}';
/** cloud-init user data kept as YAML (the names `classifyFile` reads as templates). */
export const WATCHED_CLOUD_INIT_GLOB = '**/*{cloud,user-data,user_data,userdata,init}*.{yaml,yml}';
/** Docker Compose files (agents started by a service's `command:`) and the `.env` files Compose reads variables from. */
export const WATCHED_COMPOSE_GLOB = '**/{docker-compose,compose}*.{yaml,yml}';
export const WATCHED_DOTENV_GLOB = '**/.env';
/**
 * Every file, for creation and deletion only (WatchKind.Create | WatchKind.Delete): `templatefile()`/`file()` may
 * name a file the engine never reads (`setup.txt`, `cloud-init.yaml`), and template-file-missing must see it appear
 * or go. Changes of such files are not asked for: their content does not matter.
 */
export const WATCHED_ANY_FILE_GLOB = '**/*';

/** Larger files are not read into memory on a watcher event; the core reports such files at load. */
const MAX_READ_BYTES = 32 * 1024 * 1024;

export class DocumentSync {
  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly folders: FolderRegistry,
    private readonly scheduler: AnalysisScheduler,
  ) {}

  listen(): void {
    const console = this.connection.console;
    this.documents.onDidOpen((e) => runSafeNotification(console, 'didOpen', () => this.opened(e.document)));
    // Fires after didOpen as well as on every didChange.
    this.documents.onDidChangeContent((e) => runSafeNotification(console, 'didChange', () => this.changed(e.document)));
    this.documents.onDidClose((e) => runSafeNotification(console, 'didClose', () => this.closed(e.document.uri)));
    this.connection.onDidChangeWatchedFiles((params) => runSafeNotification(console, 'didChangeWatchedFiles', () => this.watchedFilesChanged(params)));
  }

  /** After a folder has loaded from disk, the buffers already open in it override the disk. */
  applyOpenBuffers(folder: FolderState): void {
    const workspace = folder.workspace;
    if (workspace === undefined) return;
    for (const [file, uri] of folder.openUris) {
      const doc = this.documents.get(uri);
      if (doc !== undefined) workspace.setText(file, doc.getText());
    }
  }

  private opened(doc: TextDocument): void {
    const located = this.folders.locate(doc.uri);
    if (located === undefined) return;
    located.folder.openUris.set(located.file, doc.uri);
  }

  private changed(doc: TextDocument): void {
    const located = this.folders.locate(doc.uri);
    if (located === undefined) return;
    const { folder, file } = located;
    folder.openUris.set(file, doc.uri);
    // Before the folder has loaded, `applyOpenBuffers` picks the buffer up.
    if (folder.workspace === undefined) return;
    folder.workspace.setText(file, doc.getText());
    this.scheduler.schedule(folder);
  }

  private async closed(uri: string): Promise<void> {
    const located = this.folders.locate(uri);
    if (located === undefined) return;
    const { folder, file } = located;
    folder.openUris.delete(file);
    if (folder.workspace === undefined) return;
    await this.reloadFromDisk(folder, file);
    this.scheduler.schedule(folder);
  }

  private async watchedFilesChanged(params: DidChangeWatchedFilesParams): Promise<void> {
    const touched = new Set<FolderState>();
    for (const change of params.changes) {
      const located = this.folders.locate(change.uri);
      if (located === undefined || isIgnored(located.file)) continue;
      const { folder, file } = located;
      // An open buffer wins over the disk until it is closed.
      if (folder.workspace === undefined || folder.openUris.has(file)) continue;
      if (change.type === FileChangeType.Deleted) {
        // A file, or a folder with everything below it (one event for a deleted folder).
        if (folder.workspace.hasFile(file)) folder.workspace.deleteFile(file);
        else folder.workspace.markPath(file, false);
      } else if (classifyFile(file) !== undefined) await this.reloadFromDisk(folder, file);
      else if (change.type === FileChangeType.Created) await this.markCreated(folder, file);
      else continue; // a change of a file the engine does not read (not asked for, but a client may send it)
      touched.add(folder);
    }
    for (const folder of touched) this.scheduler.schedule(folder);
  }

  /**
   * A created file the engine does not read: only its name is recorded. A created folder (moved or copied in, for
   * which a client may report the folder alone) is walked like the tree at load.
   */
  private async markCreated(folder: FolderState, file: string): Promise<void> {
    const absolute = path.join(folder.root, ...file.split('/'));
    const stat = await fs.stat(absolute).catch(() => undefined);
    const workspace = folder.workspace;
    if (workspace === undefined || folder.openUris.has(file) || stat === undefined) return;
    if (stat.isFile()) {
      // An extension-less file may be a shell script (`run-nomad`): read, and kept only with a shebang.
      if (maybeExtensionlessScript(file)) await this.reloadFromDisk(folder, file);
      else workspace.markPath(file, true);
    } else if (stat.isDirectory()) {
      await workspace.loadDirectory(file);
      // Buffers open below it stay the truth.
      if (folder.workspace === workspace) this.applyOpenBuffers(folder);
    }
  }

  private async reloadFromDisk(folder: FolderState, file: string): Promise<void> {
    const absolute = path.join(folder.root, ...file.split('/'));
    let bytes: Uint8Array | undefined;
    let exists = false;
    try {
      const stat = await fs.stat(absolute);
      exists = stat.isFile();
      if (!stat.isFile()) bytes = undefined;
      else if (stat.size > MAX_READ_BYTES) {
        this.connection.console.warn(`Not reading ${file}: ${stat.size} bytes`);
        bytes = undefined;
      } else bytes = await fs.readFile(absolute);
    } catch {
      bytes = undefined; // deleted (or unreadable) on disk
    }
    const workspace = folder.workspace;
    // Re-opened while reading: the buffer is the truth again.
    if (workspace === undefined || folder.openUris.has(file)) return;
    if (bytes === undefined) {
      workspace.deleteFile(file);
      // Not read, but on disk: templatefile()/file() can still name it.
      if (exists) workspace.markPath(file, true);
    } else if (classifyFile(file) === undefined && !isShellShebang(Buffer.from(bytes.subarray(0, 256)).toString('utf8'))) {
      // An extension-less file is read only when it is a shell script (as at load: workspace/discovery.ts).
      workspace.deleteFile(file);
      workspace.markPath(file, true);
    } else workspace.setBytes(file, bytes);
  }
}

/** Folders whose content is never deployment configuration (the list `Workspace.load` skips). */
function isIgnored(file: string): boolean {
  return file.split('/').some((segment) => SKIPPED_DIRS.has(segment));
}
