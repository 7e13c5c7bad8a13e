// Runs every test layer and prints one closing line CI reads: `N passed, N failed`.
// Layers: unit (node:test on the pure core), lsp (the real server process over
// stdio), nvim (headless Neovim as a second real client), e2e (a real VS Code).
// A layer whose prerequisites are missing on this machine fails, it is never skipped
// silently: `HSR_SKIP_LAYERS=e2e,nvim` skips layers explicitly (and says so).
import { spawn, spawnSync } from 'node:child_process';
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
    [
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
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

// Streams the layer's output as it runs (the e2e layer takes a while) and reads
// its own closing `<layer>: N passed, N failed` line. A layer that dies without
// one, or exits non-zero without counting a failure, counts as one failure.
// Bounded: the e2e launcher stops itself after 5 minutes; this is the backstop.
const SCRIPT_LAYER_TIMEOUT_MS = Number(process.env.HSR_LAYER_TIMEOUT_MS ?? 15 * 60_000);

function runScriptLayer(layer, script) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out = (out + chunk.toString('utf8')).slice(-64 * 1024);
    });
    const timer = setTimeout(() => {
      console.log(`[${layer}] timed out after ${SCRIPT_LAYER_TIMEOUT_MS} ms`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, SCRIPT_LAYER_TIMEOUT_MS);
    let finished = false;
    const done = (status) => {
      if (finished) return; // 'error' may be followed by 'close'
      finished = true;
      clearTimeout(timer);
      const m = [...out.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed/gm)].pop();
      const passed = m ? Number(m[1]) : 0;
      const failed = m ? Number(m[2]) : 0;
      totals.passed += passed;
      totals.failed += failed + (status !== 0 && failed === 0 ? 1 : 0);
      console.log(`[${layer}] ${passed} passed, ${failed} failed${status !== 0 ? ` (exit ${status})` : ''}`);
      resolve();
    };
    child.once('error', (err) => {
      console.log(`[${layer}] could not start: ${err.message}`);
      done('error');
    });
    child.once('close', (code, signal) => done(code ?? signal));
  });
}

const layers = [
  ['lint', () => runScriptLayer('lint', join(root, 'scripts/lint.mjs'))],
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
  // One broken layer must not cost the others or the closing line.
  try {
    await run();
  } catch (err) {
    totals.failed += 1;
    console.log(`[${name}] harness error: ${err?.stack ?? err}`);
  }
}
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
