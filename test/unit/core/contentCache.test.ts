import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ContentCache } from '../../../server/src/core/workspace/contentCache';

test('content cache: slots with the same text share one computation', () => {
  const c = new ContentCache<{ len: number }>();
  const parse = (t: string) => ({ len: t.length });
  const a = c.get('a.tf', 'x = 1', parse);
  const b = c.get('b.tf', 'x = 1', parse);
  assert.equal(a, b, 'the same object for both copies');
  assert.equal(c.computed, 1);
  assert.equal(c.size, 1);
  assert.equal(c.get('a.tf', 'x = 1', parse), a, 'a slot whose text did not change is a hit');
  assert.equal(c.computed, 1);
});

test('content cache: an entry lives while a slot refers to it, so memory follows the distinct texts', () => {
  const c = new ContentCache<string>();
  const parse = (t: string) => t.toUpperCase();
  c.get('a', 'one', parse);
  c.get('b', 'one', parse);
  c.get('a', 'two', parse);
  assert.equal(c.size, 2, "'one' is still held by b");
  c.get('b', 'three', parse);
  assert.equal(c.size, 2, "'one' is released once no slot holds it");
  for (let i = 0; i < 100; i++) c.get('a', `edit ${i}`, parse);
  assert.equal(c.size, 2, 'an edit history does not accumulate');
  c.delete('a');
  c.delete('b');
  c.delete('missing');
  assert.equal(c.size, 0);
  assert.equal(c.get('b', 'one', parse), 'ONE', 'a released text is computed again');
});

test('engine: byte-identical copies in two clusters are parsed once, and an edit of one copy leaves the other alone', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { Workspace } = await import('../../../server/src/core/engine');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-copies-'));
  try {
    const example = path.resolve(__dirname, '..', '..', '..', '..', 'examples', 'windows-only');
    for (const c of ['c1', 'c2']) fs.cpSync(example, path.join(root, c), { recursive: true });
    const ws = await Workspace.load(root);
    const before = ws.analyze();
    const count = (r: typeof before, dir: string) => r.findings.filter((f) => f.span.file.startsWith(`${dir}/`)).length;
    assert.ok(count(before, 'c1') > 0);
    assert.equal(count(before, 'c1'), count(before, 'c2'), 'each copy has its own findings');
    const script = 'shared/packer/scripts/client.ps1';
    const text = ws.sourceText(`c1/${script}`)!.text;
    const fixed = text.replace('$nomadConfig | Out-File -FilePath $NomadConfigFile', '[IO.File]::WriteAllText($NomadConfigFile, $nomadConfig)');
    assert.notEqual(fixed, text);
    ws.setText(`c1/${script}`, fixed);
    const after = ws.analyze();
    assert.ok(count(after, 'c1') < count(before, 'c1'), 'the fixed copy lost its encoding finding');
    assert.equal(count(after, 'c2'), count(before, 'c2'), 'the other copy is unchanged');
    assert.equal(ws.sourceText(`c2/${script}`)!.text, text);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
