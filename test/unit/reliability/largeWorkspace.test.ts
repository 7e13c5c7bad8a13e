/**
 * A workspace of 50,000 files: discovery and analysis complete, memory stays
 * bounded, and nothing crashes. 45,000 files are not deployment files (skipped
 * by name, never read); 5,000 are small Terraform/shell files that are parsed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workspace } from '../../../server/src/core/engine';

test('a 50,000-file workspace loads and analyses with bounded memory', { timeout: 300_000 }, async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hsr-50k-'));
  try {
    let n = 0;
    for (let d = 0; d < 500; d++) {
      const dir = path.join(root, `svc-${d}`, 'src');
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 90; i++) (writeFileSync(path.join(dir, `f${i}.txt`), `note ${d}/${i}\n`), n++);
      for (let i = 0; i < 5; i++) (writeFileSync(path.join(dir, `v${i}.tf`), `variable "v${i}" {\n  default = "${d}-${i}"\n}\n`), n++);
      for (let i = 0; i < 5; i++) (writeFileSync(path.join(dir, `s${i}.sh`), `#!/bin/bash\nX_${i}=${d}\necho "$X_${i}"\n`), n++);
    }
    assert.equal(n, 50_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const ws = await Workspace.load(root);
    assert.equal(ws.files().length, 5_000, 'only deployment files are read');
    const result = ws.analyze();
    assert.ok(Array.isArray(result.findings));
    const grown = (process.memoryUsage().heapUsed - heapBefore) / (1024 * 1024);
    // 5,000 tiny files: the heap grows by tens of MiB, not by the size of the tree listing times anything.
    assert.ok(grown < 400, `heap grew by ${grown.toFixed(0)} MiB`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
