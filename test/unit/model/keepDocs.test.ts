import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

const FILE = 'shared/packer/scripts/client.ps1';
const doc = (name: string, port: number) =>
  `$c${name} = @"\nservice {\n  name = "${name}"\n  port = ${port}\n}\n"@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Consul\\config\\${name}.hcl", $c${name}, [Text.UTF8Encoding]::new($false))\n`;
const script = (secondPort: number) =>
  `$base = @"\ndatacenter = "dc1"\ndata_dir = "C:/HashiCorp/Consul/data"\nretry_join = ["10.0.0.1"]\n"@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Consul\\config\\consul.hcl", $base, [Text.UTF8Encoding]::new($false))\n${doc('web', 8080)}${doc('api', secondPort)}`;

test('an edit keeps the unchanged config documents of the script (same objects) and re-derives the changed one', async () => {
  const { keepUnchangedDocs } = await import('../../../server/src/core/model/buildModel');
  const ws = new Workspace('/tmp/hsr-keep');
  ws.setText(FILE, script(9090));
  const r1 = ws.analyze();
  const docs1 = (ws as unknown as { lastUnits: Array<{ model: { scripts: Array<{ file: string; configDocs: object[] }> } }> }).lastUnits[0]!.model.scripts.find(
    (s) => s.file === FILE,
  )!.configDocs;
  ws.setText(FILE, script(9191));
  const r2 = ws.analyze();
  const docs2 = (ws as unknown as { lastUnits: Array<{ model: { scripts: Array<{ file: string; configDocs: object[] }> } }> }).lastUnits[0]!.model.scripts.find(
    (s) => s.file === FILE,
  )!.configDocs;
  assert.equal(docs1.length, 3);
  assert.equal(docs2.length, 3);
  assert.equal(docs2[0], docs1[0], 'the base config before the edit is the same object');
  assert.equal(docs2[1], docs1[1], 'the web service before the edit is the same object');
  assert.notEqual(docs2[2], docs1[2], 'the edited api service is a new document');
  // The re-derived document carries the edit; the analysis stays consistent.
  assert.match((docs2[2] as { text: { text: string } }).text.text, /port = 9191/);
  assert.deepEqual(
    r2.findings.map((f) => f.ruleId),
    r1.findings.map((f) => f.ruleId),
  );
  // Direct: a structurally different document is never substituted.
  const facts = { configDocs: [{ id: 'a', text: { text: 'x = 1', segments: [] } }] } as never;
  const prev = { configDocs: [{ id: 'a', text: { text: 'x = 2', segments: [] } }] } as never;
  assert.equal(keepUnchangedDocs(facts, prev), facts);
});
