/**
 * Protocol robustness against the real server process: these hold whatever
 * the analysis engine reports. Bad requests, unknown documents and
 * cancellation get empty answers; the process survives and exits cleanly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancellationTokenSource,
  CodeActionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ErrorCodes,
  HoverRequest,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  WatchKind,
} from 'vscode-languageserver-protocol/node';
import { CLIENT_PS1, CLIENT_SH, LspHarness } from './harness';
import { classifyFile } from '../../server/src/core/workspace/fileKinds';
import { globToRegExp } from '../../server/src/core/reviewConfig';

/** `a.{x,y}` → `a.x`, `a.y` (nested groups expanded one at a time). */
function expandBraces(glob: string): string[] {
  const m = /\{([^{}]*)\}/.exec(glob);
  if (!m) return [glob];
  return m[1]!.split(',').flatMap((alt) => expandBraces(glob.slice(0, m.index) + alt + glob.slice(m.index + m[0].length)));
}

describe('language server protocol robustness', () => {
  let h: LspHarness;

  before(async () => {
    h = await LspHarness.start({ 'client.ps1': CLIENT_PS1, 'client.sh': CLIENT_SH });
  });

  after(() => h?.kill());

  it('announces incremental sync, hover, definition and the fix-all code action kind', () => {
    const caps = h.initializeResult?.capabilities;
    assert.ok(caps);
    const sync = caps.textDocumentSync;
    assert.equal(typeof sync === 'object' ? sync.change : sync, TextDocumentSyncKind.Incremental);
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.definitionProvider, true);
    const kinds = typeof caps.codeActionProvider === 'object' ? caps.codeActionProvider.codeActionKinds : undefined;
    assert.deepEqual(kinds, ['quickfix', 'source.fixAll.hashistack-review']);
  });

  it('registers file watchers: every change of a deployment file, the creation and deletion of any file', async () => {
    const reg = await h.waitForRegistration(DidChangeWatchedFilesNotification.method);
    const options = reg.registerOptions as { watchers: Array<{ globPattern: string; kind?: number }> };
    // A watcher without a kind reports creations, changes and deletions (LSP: WatchKind defaults to 7).
    const kindsOf = (w: { kind?: number }) => w.kind ?? WatchKind.Create | WatchKind.Change | WatchKind.Delete;
    const watchedFor = (rel: string, kind: number) =>
      options.watchers.some((w) => (kindsOf(w) & kind) !== 0 && expandBraces(w.globPattern).some((g) => globToRegExp(g).test(rel)));
    // Every kind of file the engine reads is watched for every change (a file changed on disk is re-read).
    const read = ['main.tf', 'prod.tfvars', 'nomad.hcl', 'image.pkr.hcl', 'consul.json', 'client.ps1', 'lib.psm1', 'client.sh', 'x.bash'];
    const templates = ['user-data.tpl', 'client.ps1.tftpl', 'nomad.tmpl', 'nomad.service', 'cloud-init.yaml', 'user-data.yml'];
    for (const name of [...read, ...templates]) {
      assert.ok(classifyFile(`infra/${name}`) !== undefined, `${name} is read by the engine`);
      for (const kind of [WatchKind.Create, WatchKind.Change, WatchKind.Delete]) assert.ok(watchedFor(`infra/${name}`, kind), `${name} is watched (${kind})`);
    }
    // A file it never reads is watched for creation and deletion only (templatefile()/file() may name it), never
    // for changes (its content does not matter, and editing it must not cost an analysis).
    for (const name of ['README.md', 'deployment.yaml', 'Makefile', 'setup.txt', 'startup']) {
      assert.equal(classifyFile(`infra/${name}`), undefined);
      assert.ok(watchedFor(`infra/${name}`, WatchKind.Create), `${name} is watched for creation`);
      assert.ok(watchedFor(`infra/${name}`, WatchKind.Delete), `${name} is watched for deletion`);
      assert.ok(!watchedFor(`infra/${name}`, WatchKind.Change), `${name} is not watched for changes`);
    }
  });

  it('answers requests on unknown documents with empty results', async () => {
    const outside = 'file:///definitely/not/in/the/workspace.ps1';
    const position = { line: 0, character: 0 };
    assert.equal(await h.conn.sendRequest(HoverRequest.type, { textDocument: { uri: outside }, position }), null);
    assert.deepEqual(await h.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: outside }, position }), []);
    const inside = h.uri('never-opened.ps1');
    assert.deepEqual(
      await h.conn.sendRequest(CodeActionRequest.type, {
        textDocument: { uri: inside },
        range: { start: position, end: position },
        context: { diagnostics: [] },
      }),
      [],
    );
    assert.equal(await h.conn.sendRequest(HoverRequest.type, { textDocument: { uri: 'untitled:Untitled-1' }, position }), null);
  });

  it('answers malformed requests with empty results instead of failing', async () => {
    assert.equal(await h.conn.sendRequest('textDocument/hover', {}), null);
    assert.deepEqual(await h.conn.sendRequest('textDocument/definition', { textDocument: 42 }), []);
    assert.deepEqual(await h.conn.sendRequest('textDocument/codeAction', { textDocument: null, range: 'x' }), []);
    // Params that are not an object at all are refused by JSON-RPC itself, with a proper error.
    await assert.rejects(h.conn.sendRequest('textDocument/codeAction', null), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, ErrorCodes.InvalidParams);
      return true;
    });
    const roles = (await h.conn.sendRequest('hashistack/roles', 'nonsense')) as { roles: unknown };
    assert.ok(Array.isArray(roles.roles));
    assert.deepEqual(await h.conn.sendRequest('hashistack/effectiveConfig', { roleId: 7 }), { text: null });
    assert.deepEqual(await h.conn.sendRequest('hashistack/effectiveConfig', { roleId: 'no-such-role' }), { text: null });
    assert.deepEqual(await h.conn.sendRequest('hashistack/valueChain', { uri: h.uri('client.ps1') }), { markdown: null });
  });

  it('rejects unknown methods with MethodNotFound and keeps serving', async () => {
    await assert.rejects(h.conn.sendRequest('hashistack/noSuchRequest', {}), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, ErrorCodes.MethodNotFound);
      return true;
    });
    assert.ok(h.alive);
  });

  it('survives notifications about documents it does not know', async () => {
    await h.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: h.uri('ghost.ps1'), version: 3 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }],
    });
    await h.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: h.uri('ghost.ps1') } });
    await h.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: 'untitled:Untitled-2', languageId: 'powershell', version: 1, text: '$x = 1' },
    });
    await h.conn.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [
        { uri: h.uri('deleted-meanwhile.hcl'), type: 1 },
        { uri: 'file:///elsewhere/x.tf', type: 3 },
      ],
    });
    await h.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    // A request after the notifications proves they were all processed without killing the process.
    assert.equal(await h.conn.sendRequest(HoverRequest.type, { textDocument: { uri: h.uri('ghost.ps1') }, position: { line: 0, character: 0 } }), null);
    assert.ok(h.alive);
  });

  it('honours cancellation and keeps answering afterwards', async () => {
    const source = new CancellationTokenSource();
    const pending = h.conn.sendRequest(HoverRequest.type, { textDocument: { uri: h.uri('client.ps1') }, position: { line: 3, character: 2 } }, source.token);
    source.cancel();
    try {
      await pending; // the server may have answered before it saw the cancellation
    } catch (e) {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, LSPErrorCodes.RequestCancelled);
    }
    assert.deepEqual(await h.conn.sendRequest('hashistack/roles', {}), (await h.conn.sendRequest('hashistack/roles', {})) as unknown);
    assert.ok(h.alive);
  });

  it('shuts down and exits with code 0', async () => {
    const code = await h.stop();
    assert.equal(code, 0);
  });
});
