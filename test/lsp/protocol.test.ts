/**
 * The client mirrors the server's protocol declarations (it cannot import
 * server code); this keeps the two copies identical below their headers.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const repo = path.join(__dirname, '..', '..', '..');

function declarations(rel: string): string {
  const text = fs.readFileSync(path.join(repo, rel), 'utf8');
  const end = text.indexOf('*/');
  return text.slice(end + 2).trim();
}

describe('custom request protocol', () => {
  it('client/src/protocol.ts mirrors server/src/lsp/protocol.ts', () => {
    assert.equal(declarations('client/src/protocol.ts'), declarations('server/src/lsp/protocol.ts'));
  });
});
