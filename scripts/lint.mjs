// The static layer of the suite: type-aware ESLint (floating promises, layering
// of core/server/client) and the formatter, each one check. Prints its own
// `lint: N passed, N failed` line for the runner.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const checks = [
  ['eslint', bin('eslint'), ['.']],
  ['prettier', bin('prettier'), ['--check', '--log-level', 'warn', 'server/src', 'client/src', 'test', 'bench', 'scripts']],
];
let passed = 0;
let failed = 0;
for (const [name, cmd, args] of checks) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) passed++;
  else {
    failed++;
    console.log(`lint: ${name} failed (exit ${r.status ?? r.signal})`);
  }
}
console.log(`lint: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
