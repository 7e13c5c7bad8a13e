/**
 * Wires the handlers to a connection. The environment (the connection, and
 * through it the transport) is injected, so tests and both entry points
 * share this as is. All state lives in this closure, none in module globals.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  TextDocuments,
  WatchKind,
} from 'vscode-languageserver/node';
import type { Connection, InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionProvider } from './codeActions';
import { registerCustomRequests } from './customRequests';
import { registerDiffRequests } from './diffRequests';
import { AnalysisScheduler } from './diagnostics';
import { IdleCollector, exposeCollector } from './idleCollector';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DocumentSync, WATCHED_ANY_FILE_GLOB, WATCHED_CLOUD_INIT_GLOB, WATCHED_COMPOSE_GLOB, WATCHED_DOTENV_GLOB, WATCHED_FILES_GLOB } from './documentSync';
import { FolderRegistry } from './folders';
import type { FolderState } from './folders';
import { NavigationProvider } from './navigation';
import { FIX_ALL_KIND } from './protocol';
import { describeError, runSafe, runSafeNotification } from './runSafe';
import { SETTINGS_SECTION, fetchSettings, toAnalysisSettings } from './settings';
import { validatorSource } from '../core/checks/validity/configJson';

interface ClientSupport {
  configuration: boolean;
  watchedFilesRegistration: boolean;
  configurationRegistration: boolean;
  workspaceFolders: boolean;
}

export function startServer(connection: Connection): void {
  const console = connection.console;
  const documents = new TextDocuments(TextDocument);
  const folders = new FolderRegistry();
  const collector = exposeCollector(setFlagsFromString, (name) => runInNewContext(name));
  const idleCollector = new IdleCollector(collector);
  const scheduler = new AnalysisScheduler(connection, documents, idleCollector);
  console.log(collector ? 'Garbage collection in the pauses between analyses: on' : 'Garbage collection in the pauses between analyses: unavailable');
  const sync = new DocumentSync(connection, documents, folders, scheduler);
  const codeActions = new CodeActionProvider(documents, folders, scheduler);
  const navigation = new NavigationProvider(folders, scheduler);
  const support: ClientSupport = { configuration: false, watchedFilesRegistration: false, configurationRegistration: false, workspaceFolders: false };

  // Where the agent-schema validators come from: the build's precompiled modules, or compiled at start-up (~250 ms)
  // when those are missing or stale. Once per process, before the first analysis (which loads them anyway).
  let validatorsLogged = false;
  const logValidatorsOnce = (): void => {
    if (validatorsLogged) return;
    validatorsLogged = true;
    const sources = (['nomad', 'consul'] as const).map((p) => `${p} ${validatorSource(p)}`);
    console.log(`Agent schema validators: ${sources.join(', ')}`);
  };

  const loadFolder = async (folder: FolderState): Promise<void> => {
    const started = Date.now();
    try {
      const settings = await fetchSettings(connection, support.configuration, folder.uri);
      await folder.load(settings);
    } catch (error) {
      console.error(`Loading ${folder.root} failed: ${describeError(error)}`);
      return;
    }
    if (folders.byUri(folder.uri) !== folder) return; // removed while loading
    sync.applyOpenBuffers(folder);
    console.log(`Loaded ${folder.root} in ${Date.now() - started} ms`);
    logValidatorsOnce();
    scheduler.analyzeNow(folder);
  };

  const reloadSettings = async (pushed: unknown): Promise<void> => {
    for (const folder of folders.all()) {
      const settings = await fetchSettings(connection, support.configuration, folder.uri, pushed);
      folder.settings = settings;
      folder.workspace?.updateSettings(toAnalysisSettings(settings));
      if (settings.enable) scheduler.schedule(folder);
      else scheduler.clear(folder);
    }
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    support.configuration = caps.workspace?.configuration === true;
    support.configurationRegistration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    support.watchedFilesRegistration = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    support.workspaceFolders = caps.workspace?.workspaceFolders === true;
    const initial = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    for (const f of initial) folders.add(f.uri);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        definitionProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'hashistack-review' },
    };
  });

  connection.onInitialized(() => {
    if (support.configurationRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    }
    if (support.watchedFilesRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: WATCHED_FILES_GLOB },
          { globPattern: WATCHED_CLOUD_INIT_GLOB },
          { globPattern: WATCHED_COMPOSE_GLOB },
          { globPattern: WATCHED_DOTENV_GLOB },
          { globPattern: WATCHED_ANY_FILE_GLOB, kind: WatchKind.Create | WatchKind.Delete },
        ],
      });
    }
    if (support.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((e) =>
        runSafeNotification(console, 'didChangeWorkspaceFolders', async () => {
          for (const removed of e.removed) {
            const folder = folders.remove(removed.uri);
            if (folder !== undefined) scheduler.clear(folder);
          }
          await Promise.all(e.added.map((f) => folders.add(f.uri)).flatMap((f) => (f ? [loadFolder(f)] : [])));
        }),
      );
    }
    for (const folder of folders.all()) void loadFolder(folder);
  });

  connection.onDidChangeConfiguration((params) =>
    runSafeNotification(console, 'didChangeConfiguration', () => {
      const pushed: unknown = (params.settings as Record<string, unknown> | null | undefined)?.[SETTINGS_SECTION];
      return reloadSettings(pushed);
    }),
  );

  connection.onCodeAction((params, token) => runSafe(console, 'codeAction', token, [], () => codeActions.provide(params)));
  connection.onHover((params, token) => runSafe(console, 'hover', token, null, () => navigation.hover(params.textDocument.uri, params.position)));
  connection.onDefinition((params, token) => runSafe(console, 'definition', token, [], () => navigation.definition(params.textDocument.uri, params.position)));
  registerCustomRequests(connection, folders, scheduler, navigation);
  registerDiffRequests(connection, () => folders.all()[0]?.root);

  connection.onShutdown(() => {
    for (const folder of folders.all()) scheduler.cancel(folder);
  });

  sync.listen();
  documents.listen(connection);
  connection.listen();
}
