// Mocha entry point loaded by VS Code's extension host (--extensionTestsPath).
// The extension host's console reaches the workbench page and from there the
// launcher's stdout, so the counts are reported as one console line that
// test/e2e/run.mjs turns into CI's `e2e: N passed, N failed`.
import Mocha = require('mocha');
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

export const RESULT_PREFIX = 'HSR_E2E_RESULT';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []))
    .sort();
}

export function run(): Promise<void> {
  // The extension host forwards console arguments unformatted ("%s%s"): format here.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const file of testFiles(__dirname)) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const { passes = 0, failures: failed = 0, pending = 0 } = runner.stats ?? {};
        console.log(`${RESULT_PREFIX} ${JSON.stringify({ passed: passes, failed, pending })}`);
        if (failures > 0) reject(new Error(`${failures} e2e test(s) failed`));
        else resolve();
      });
    } catch (err) {
      console.log(`${RESULT_PREFIX} ${JSON.stringify({ passed: 0, failed: 1, pending: 0 })}`);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
