/**
 * The editing loop against the real server process: open, diagnose, edit,
 * fix, close. These need findings from the engine: a Windows agent config
 * written by PowerShell with a backslash path in an HCL string (`hcl-escape`)
 * and `enable_syslog = true` (`os-setting`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  FileChangeType,
  HoverRequest,
} from 'vscode-languageserver-protocol/node';
import type { CodeAction, Diagnostic, Position, PublishDiagnosticsParams, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CLIENT_PS1, CLIENT_SH, LspHarness } from './harness';

const category = (d: Diagnostic) => (d.data as { category?: string } | undefined)?.category;
const withCategory = (p: PublishDiagnosticsParams, c: string) => p.diagnostics.filter((d) => category(d) === c);

function positionOf(text: string, needle: string, delta = 0): Position {
  const doc = TextDocument.create('file:///x', 'x', 0, text);
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `"${needle}" not in text`);
  return doc.positionAt(offset + delta);
}

describe('diagnostics, code actions and navigation on a PowerShell-built Windows client', () => {
  let h: LspHarness;
  let uri: string;
  let doc: TextDocument;

  const change = async (edits: Array<{ range: { start: Position; end: Position }; text: string }>) => {
    // Applied back to front, so each range is still valid when its turn comes.
    const ordered = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start));
    doc = TextDocument.update(doc, ordered, doc.version + 1);
    await h.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: doc.version },
      contentChanges: ordered,
    });
  };

  before(async () => {
    h = await LspHarness.start({ 'client.ps1': CLIENT_PS1, 'client.sh': CLIENT_SH });
    uri = h.uri('client.ps1');
    doc = TextDocument.create(uri, 'powershell', 1, CLIENT_PS1);
    await h.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'powershell', version: 1, text: CLIENT_PS1 },
    });
  });

  after(async () => {
    if (h?.alive) await h.stop();
  });

  it('publishes diagnostics for the opened file, tagged with its version', async () => {
    const p = await h.waitForDiagnostics(uri, (p) => p.version === 1 && withCategory(p, 'hcl-escape').length > 0, 'hcl-escape diagnostics at version 1');
    const escape = withCategory(p, 'hcl-escape')[0];
    assert.ok(escape);
    assert.equal(escape.source, 'hashistack-review');
    assert.equal(typeof escape.code, 'string');
    assert.equal(escape.range.start.line, positionOf(CLIENT_PS1, 'data_dir').line);
  });

  it('reports enable_syslog on a Windows agent as an os-setting finding', async () => {
    const p = await h.waitForDiagnostics(uri, (p) => withCategory(p, 'os-setting').length > 0, 'os-setting diagnostics');
    const lines = withCategory(p, 'os-setting').map((d) => d.range.start.line);
    assert.ok(lines.includes(positionOf(doc.getText(), 'enable_syslog').line));
  });

  it('re-publishes after an incremental edit with the new version and shifted ranges', async () => {
    const start = { line: 0, character: 0 };
    await change([{ range: { start, end: start }, text: '# managed by packer\r\n' }]);
    const p = await h.waitForDiagnostics(uri, (p) => p.version === 2, 'diagnostics at version 2');
    const escape = withCategory(p, 'hcl-escape')[0];
    assert.ok(escape, 'the escape finding survives the edit');
    assert.equal(escape.range.start.line, positionOf(doc.getText(), 'data_dir').line);
  });

  it('offers a versioned quick fix that removes the finding once applied', async () => {
    const before = await h.waitForDiagnostics(uri, (p) => p.version === doc.version);
    const escape = withCategory(before, 'hcl-escape')[0];
    assert.ok(escape);
    const actions = (await h.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: escape.range,
      context: { diagnostics: [escape], only: ['quickfix'] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.edit?.documentChanges !== undefined && a.title !== 'Fix all in this file');
    assert.ok(fix, `a quick fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(fix.kind, 'quickfix');
    assert.ok(fix.diagnostics?.some((d) => d.code === escape.code));
    const changes = fix.edit?.documentChanges as TextDocumentEdit[];
    const ours = changes.find((c) => c.textDocument.uri === uri);
    assert.ok(ours, 'the fix edits the open document');
    assert.equal(ours.textDocument.version, doc.version, 'edit carries the open document version');
    const countBefore = before.diagnostics.filter((d) => d.code === escape.code).length;

    await change(ours.edits.map((e) => ({ range: e.range, text: e.newText })));
    const afterFix = await h.waitForDiagnostics(uri, (p) => p.version === doc.version, 'diagnostics after the fix');
    assert.equal(afterFix.diagnostics.filter((d) => d.code === escape.code).length, countBefore - 1);
  });

  it('offers "fix all in this file" as a source.fixAll action that applies the safe fixes', async () => {
    const start = { line: 0, character: 0 };
    const actions = (await h.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start, end: start },
      context: { diagnostics: [], only: ['source.fixAll'] },
    })) as CodeAction[];
    assert.equal(actions.length, 1, 'enable_syslog = true has a fix marked safe for fix-all');
    const fixAll = actions[0];
    assert.ok(fixAll);
    assert.equal(fixAll.kind, 'source.fixAll.hashistack-review');
    const changes = (fixAll.edit?.documentChanges ?? []) as TextDocumentEdit[];
    for (const c of changes) assert.equal(c.textDocument.version, c.textDocument.uri === uri ? doc.version : null);
    const ours = changes.find((c) => c.textDocument.uri === uri);
    assert.ok(ours);
    await change(ours.edits.map((e) => ({ range: e.range, text: e.newText })));
    const p = await h.waitForDiagnostics(uri, (p) => p.version === doc.version, 'diagnostics after fix-all');
    assert.equal(withCategory(p, 'os-setting').length, 0);
  });

  it('applies rule severities from the settings, and "off" silences a rule', async () => {
    const current = await h.waitForDiagnostics(uri, (p) => p.version === doc.version && p.diagnostics.length > 0);
    const rule = String(current.diagnostics[0]?.code);
    h.options.settings = { rules: { [rule]: 'off' } };
    await h.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await h.waitForDiagnostics(uri, (p) => p.diagnostics.every((d) => d.code !== rule), `diagnostics without ${rule}`);
    h.options.settings = { rules: { [rule]: 'info' } };
    await h.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const back = await h.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === rule), `${rule} back as info`);
    assert.ok(back.diagnostics.filter((d) => d.code === rule).every((d) => d.severity === 3));
    h.options.settings = {};
    await h.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  it('hovers data_dir with markdown and answers definition with locations', async () => {
    const position = positionOf(doc.getText(), 'data_dir', 2);
    const hover = await h.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
    assert.ok(hover, 'a hover on data_dir');
    const contents = hover.contents as { kind: string; value: string };
    assert.equal(contents.kind, 'markdown');
    assert.ok(contents.value.length > 0);
    const defs = await h.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
    assert.ok(Array.isArray(defs));
  });

  it('falls back to the disk content when the edited document is closed unsaved', async () => {
    await h.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    // The disk still has the unfixed escape; diagnostics for a closed file carry no version.
    const p = await h.waitForDiagnostics(uri, (p) => p.version === undefined && withCategory(p, 'hcl-escape').length > 0, 'disk diagnostics after close');
    assert.equal(withCategory(p, 'hcl-escape')[0]?.range.start.line, positionOf(CLIENT_PS1, 'data_dir').line);
  });

  it('picks up files created on disk through watched-file events, and clears deleted ones', async () => {
    const rel = 'packer/setup-windows.ps1';
    const abs = path.join(h.root, 'packer', 'setup-windows.ps1');
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, CLIENT_PS1);
    const created = h.uri(rel);
    await h.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: created, type: FileChangeType.Created }] });
    await h.waitForDiagnostics(created, (p) => withCategory(p, 'hcl-escape').length > 0, 'diagnostics for the created file');
    fs.rmSync(abs);
    await h.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: created, type: FileChangeType.Deleted }] });
    await h.waitForDiagnostics(created, (p) => p.diagnostics.length === 0, 'empty diagnostics for the deleted file');
  });
});
