/**
 * template-file-missing through the real server process: the server learns that a file of any kind (here a `.txt`
 * template the engine never reads) was created or deleted from the `**\/*` create/delete watcher, as a real client
 * reports it, and the finding on the templatefile() call follows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver-protocol/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { LspHarness } from './harness';

const MAIN_TF = [
  'resource "aws_instance" "client" {',
  '  ami       = "ami-1"',
  '  user_data = templatefile("${path.module}/templates/setup.txt", { region = "eu" })',
  '}',
  '',
].join('\n');

const missing = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'template-file-missing');

describe('template-file-missing follows files created and deleted on disk', () => {
  let h: LspHarness;
  let mainUri: string;

  before(async () => {
    h = await LspHarness.start({ 'main.tf': MAIN_TF, 'README.md': '# notes\n' });
    mainUri = h.uri('main.tf');
  });

  after(async () => {
    if (h?.alive) await h.stop();
  });

  it('reports the missing template on the path expression at load', async () => {
    const p = await h.waitForDiagnostics(mainUri, (p) => missing(p).length === 1, 'template-file-missing at load');
    const d = missing(p)[0]!;
    assert.equal(d.range.start.line, 2);
    assert.match(d.message, /no file exists at "templates\/setup\.txt"/);
  });

  it('clears it when the template is created on disk (a file the engine does not read)', async () => {
    const rel = 'templates/setup.txt';
    fs.mkdirSync(path.join(h.root, 'templates'), { recursive: true });
    fs.writeFileSync(path.join(h.root, ...rel.split('/')), 'region=${region}\n');
    // What VS Code sends for the `**/*` create watcher: the folder, then the file.
    await h.conn.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [
        { uri: h.uri('templates'), type: FileChangeType.Created },
        { uri: h.uri(rel), type: FileChangeType.Created },
      ],
    });
    await h.waitForDiagnostics(mainUri, (p) => missing(p).length === 0, 'template-file-missing cleared');
  });

  it('reports it again when the template is deleted, and clears it when a moved-in folder brings it back', async () => {
    fs.rmSync(path.join(h.root, 'templates'), { recursive: true });
    // A deleted folder is reported as the folder alone.
    await h.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: h.uri('templates'), type: FileChangeType.Deleted }] });
    await h.waitForDiagnostics(mainUri, (p) => missing(p).length === 1, 'template-file-missing after the delete');
    // A folder moved in is reported as the folder alone too: the server walks it.
    const staging = fs.mkdtempSync(path.join(h.root, '..', 'hsr-lsp-staging-'));
    fs.writeFileSync(path.join(staging, 'setup.txt'), 'region=${region}\n');
    fs.renameSync(staging, path.join(h.root, 'templates'));
    await h.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: h.uri('templates'), type: FileChangeType.Created }] });
    await h.waitForDiagnostics(mainUri, (p) => missing(p).length === 0, 'template-file-missing cleared by the moved-in folder');
  });
});
