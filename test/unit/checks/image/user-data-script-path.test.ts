import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, only, spanOf } from './helpers';
import { LIN_PKR, UD_LIN, UD_WIN, WIN_PKR, edit, mixedOs } from './fixtures';

const RULE = 'user-data-script-path';
const WIN_PATH = 'C:\\ops\\shared\\packer\\scripts\\client.ps1';

test('Windows user-data calls a folder the file provisioner does not upload to: error on the path, names the real one', () => {
  const bad = 'C:\\ops\\packer\\scripts\\client.ps1';
  const files = edit(mixedOs(), UD_WIN, WIN_PATH, bad);
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'service');
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file, UD_WIN);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[UD_WIN]!, bad));
  assert.match(f[0]!.message, /C:\\ops\\shared\\packer\\scripts\\client\.ps1/);
  assert.match(f[0]!.message, /is not recognized as the name of a cmdlet, function, script file, or operable program/);
  assert.ok(f[0]!.related.some((r) => r.span.file === WIN_PKR));
});

test('Linux user-data calls /ops/shared/scripts/client.sh: error on the path', () => {
  const bad = '/ops/shared/scripts/client.sh';
  const files = edit(mixedOs(), UD_LIN, '/ops/shared/packer/scripts/client.sh', bad);
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, UD_LIN);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[UD_LIN]!, bad));
  assert.match(f[0]!.message, /\/ops\/shared\/packer\/scripts\/client\.sh/);
  assert.match(f[0]!.message, /No such file or directory/);
  assert.ok(f[0]!.related.some((r) => r.span.file === LIN_PKR));
});

test('a script name no file of the tree has: error', () => {
  const bad = 'C:\\ops\\shared\\packer\\scripts\\client-windows.ps1';
  const files = edit(mixedOs(), UD_WIN, WIN_PATH, bad);
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[UD_WIN]!, bad));
  assert.match(f[0]!.message, /no file named client-windows\.ps1 exists in the tree/);
});

test('source with a trailing slash uploads the contents: C:\\ops\\shared\\… no longer exists; calling C:\\ops\\packer\\… is right', () => {
  const slash = edit(mixedOs(), WIN_PKR, 'source      = "${path.root}/../shared"', 'source      = "${path.root}/../shared/"');
  const f = only(analyze(slash).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /at C:\\ops\\packer\\scripts\\client\.ps1/);
  const fixed = edit(slash, UD_WIN, WIN_PATH, 'C:\\ops\\packer\\scripts\\client.ps1');
  assert.deepEqual(only(analyze(fixed).findings, RULE), []);
});

test('fixed (mixed-os as is, path case differs on Windows): silent', () => {
  assert.deepEqual(only(analyze(mixedOs()).findings, RULE), []);
  const cased = edit(mixedOs(), UD_WIN, WIN_PATH, 'C:\\OPS\\Shared\\packer\\scripts\\client.ps1');
  assert.deepEqual(only(analyze(cased).findings, RULE), []);
});

test('examples: silent', async () => {
  assert.deepEqual(only((await example('mixed-os')).findings, RULE), []);
  assert.deepEqual(only((await example('windows-only')).findings, RULE), []);
});
