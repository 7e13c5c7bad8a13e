// Runs every test layer and prints one closing line CI reads: `N passed, N failed`.
// Layers: unit (node:test on the pure core), lsp (the real server process over
// stdio), nvim (headless Neovim as a second real client), e2e (a real VS Code).
// A layer whose prerequisites are missing on this machine fails, it is never skipped
// silently: `HSR_SKIP_LAYERS=e2e,nvim` skips layers explicitly (and says so).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const skip = new Set((process.env.HSR_SKIP_LAYERS ?? '').split(',').filter(Boolean));
const only = process.argv.slice(2);

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const resultsDir = join(root, 'test-results');
mkdirSync(resultsDir, { recursive: true });

function runNodeTests(layer, files) {
  if (files.length === 0) return;
  const tap = join(resultsDir, `${layer}.tap`);
  rmSync(tap, { force: true });
  const r = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, HSR_TEST_LAYER: layer } },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)`, 'm')) ?? [])[1] ?? 0);
  const passed = num('pass');
  const failed = num('fail') + num('cancelled');
  totals.passed += passed;
  totals.failed += failed + (r.status !== 0 && failed === 0 ? 1 : 0);
  totals.skipped += num('skipped');
  console.log(`[${layer}] ${passed} passed, ${failed} failed`);
}

function runScriptLayer(layer, script) {
  const r = spawnSync(process.execPath, [script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  const m = [...(r.stdout ?? '').matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed/gm)].pop();
  const passed = m ? Number(m[1]) : 0;
  const failed = m ? Number(m[2]) : 0;
  totals.passed += passed;
  totals.failed += failed + (r.status !== 0 && failed === 0 ? 1 : 0);
  console.log(`[${layer}] ${passed} passed, ${failed} failed${r.status !== 0 ? ` (exit ${r.status})` : ''}`);
}

const layers = [
  ['unit', () => runNodeTests('unit', findTests(join(root, 'out/test/unit')))],
  ['lsp', () => runNodeTests('lsp', findTests(join(root, 'out/test/lsp')))],
  ['nvim', () => existsSync(join(root, 'test/nvim/run.mjs')) && runScriptLayer('nvim', join(root, 'test/nvim/run.mjs'))],
  ['e2e', () => existsSync(join(root, 'test/e2e/run.mjs')) && runScriptLayer('e2e', join(root, 'test/e2e/run.mjs'))],
];
for (const [name, run] of layers) {
  if (only.length > 0 && !only.includes(name)) continue;
  if (skip.has(name)) {
    console.log(`[${name}] skipped (HSR_SKIP_LAYERS)`);
    continue;
  }
  run();
}
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
