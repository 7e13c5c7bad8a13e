/**
 * The four-file quick-fix through the real server: on examples/windows-only the
 * Windows Consul config has no gossip key while the servers get it through
 * templatefile(). The code action edits the open client.ps1 (with its version)
 * and three closed files (version null); once the edits land (the open buffer
 * through didChange, the others on disk with didChangeWatchedFiles) the finding
 * is gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionRequest,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  FileChangeType,
} from 'vscode-languageserver-protocol/node';
import type { CodeAction, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspHarness } from './harness';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'windows-only');
const CLIENT = 'shared/packer/scripts/client.ps1';

function readTree(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, readTree(dir, r));
    else out[r] = fs.readFileSync(path.join(dir, r), 'utf8');
  }
  return out;
}

describe('the gossip-key thread fix through the language server', () => {
  let h: LspHarness;
  before(async () => {
    h = await LspHarness.start(readTree(EXAMPLE));
  });
  after(async () => {
    await h.stop();
  });

  it('edits four places in three files with the right versions, and the finding goes away', async () => {
    const uri = h.uri(CLIENT);
    let doc = TextDocument.create(uri, 'powershell', 1, h.read(CLIENT));
    await h.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'powershell', version: 1, text: doc.getText() } });
    const first = await h.waitForDiagnostics(uri, (p) => p.version === 1 && p.diagnostics.some((d) => d.code === 'gossip-consul-encrypt'), 'gossip finding');
    const gossip = first.diagnostics.find((d) => d.code === 'gossip-consul-encrypt')!;
    const actions = (await h.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: gossip.range,
      context: { diagnostics: [gossip], only: ['quickfix'] },
    })) as CodeAction[];
    const fix = actions.find((a) => /Pass encrypt to the Windows client/.test(a.title));
    assert.ok(fix, `the thread fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    const changes = fix.edit!.documentChanges as TextDocumentEdit[];
    assert.equal(changes.length, 3, 'main.tf, the Windows user-data, client.ps1');
    for (const c of changes) assert.equal(c.textDocument.version, c.textDocument.uri === uri ? 1 : null);
    assert.ok(!JSON.stringify(fix).match(/[A-Za-z0-9+/]{43}=/), 'no gossip key in the edit');

    // Closed files: written to disk, then announced; the open buffer: a versioned didChange.
    const touched = [];
    for (const c of changes) {
      if (c.textDocument.uri === uri) continue;
      const rel = decodeURIComponent(new URL(c.textDocument.uri).pathname).slice(h.root.length + 1);
      const t = TextDocument.create(c.textDocument.uri, 'x', 0, h.read(rel));
      fs.writeFileSync(path.join(h.root, rel), TextDocument.applyEdits(t, c.edits));
      touched.push({ uri: c.textDocument.uri, type: FileChangeType.Changed });
    }
    await h.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: touched });
    const ours = changes.find((c) => c.textDocument.uri === uri)!;
    // Incremental changes apply one after the other: the last position first keeps the earlier ranges valid.
    const contentChanges = [...ours.edits]
      .sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)
      .map((e) => ({ range: e.range, text: e.newText }));
    doc = TextDocument.update(doc, contentChanges, 2);
    await h.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges });
    const after2 = await h.waitForDiagnostics(
      uri,
      (p) => p.version === 2 && !p.diagnostics.some((d) => d.code === 'gossip-consul-encrypt'),
      'no gossip finding after the fix',
    );
    assert.ok(after2.diagnostics.length < first.diagnostics.length);
    assert.match(doc.getText(), /encrypt = "\$ConsulEncryptKey"/);
  });
});
