// The real-editor layer: runs out/test/e2e/suite in VS Code 1.100.3 through
// @vscode/test-electron's runTests, with test/e2e/code-server-launcher.mjs as
// the "VS Code executable" so nothing is downloaded. Two runs of the same suite:
//   dev   the source tree as the extension under development;
//   vsix  the packaged extension: `vsce package` (< 5 MB), installed with
//         code-server's own --install-extension into a fresh extensions dir and
//         loaded from there as an installed extension (see README.md for why
//         the development path then points at an empty host extension).
// Builds nothing: `npm test` builds first. Prints ONE `e2e: N passed, N failed`
// last, summing both runs and the packaging checks, whatever happens.
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const launcher = join(root, 'test/e2e/code-server-launcher.mjs');
const codeServer = join(process.env.HSR_E2E_CACHE ?? join(root, '.e2e-cache'), 'code-server/node_modules/.bin/code-server');
const vsce = join(root, 'node_modules/.bin/vsce');
const suite = join(root, 'out/test/e2e/suite/index.js');
const example = resolve(root, process.env.HSR_E2E_WORKSPACE ?? 'examples/windows-only');
const otherExample = resolve(root, process.env.HSR_E2E_OTHER_BUILD ?? 'examples/mixed-os');
const resultsDir = join(root, 'test-results');
const RESULT = /HSR_E2E_RESULT (\{.*\})/;
const CLIENT_PS1 = 'shared/packer/scripts/client.ps1';
const EXTENSION_ID = 'hashistack-review.hashistack-review';
const VSIX_LIMIT = 5 * 1024 * 1024;
const RUNS = (process.env.HSR_E2E_RUNS ?? 'dev,vsix')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
// The whole layer stays under 3 minutes: each editor run is bounded by what is
// left of this budget (HSR_E2E_TIMEOUT_MS, if set, bounds each run instead).
const started = Date.now();
const budgetMs = Number(process.env.HSR_E2E_BUDGET_MS ?? 170_000);
const left = () => started + budgetMs - Date.now();

const totals = { passed: 0, failed: 0 };
const count = (passed, failed) => {
  totals.passed += passed;
  totals.failed += failed;
};

function finish(why) {
  if (why) console.log(`e2e: ${why}`);
  console.log(`[e2e] layer took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`e2e: ${totals.passed} passed, ${totals.failed} failed`);
  process.exit(totals.failed > 0 ? 1 : 0);
}

/** A harness check counted in the totals; its line never looks like the closing one. */
function check(name, ok, detail = '') {
  console.log(`[e2e] ${ok ? 'ok' : 'FAILED'}: ${name}${detail ? ` (${detail})` : ''}`);
  count(ok ? 1 : 0, ok ? 0 : 1);
  return ok;
}

function missing() {
  if (!existsSync(codeServer) || !existsSync('/usr/bin/chromium')) {
    return 'code-server or chromium is not installed; run `bash .ci/install-e2e.sh` (`.ci/run` does)';
  }
  if (!existsSync(suite)) return `${suite} is missing; run \`npm run build\` first`;
  if (!existsSync(join(root, 'dist/extension.js'))) return 'dist/extension.js is missing; run `npm run build` first';
  if (!existsSync(join(example, CLIENT_PS1))) return `${example} has no ${CLIENT_PS1}`;
  if (!existsSync(otherExample)) return `${otherExample} is missing (the second build for the diffBuilds test)`;
  return undefined;
}

/** Private copies of both builds: the tests edit files (quick fixes). */
function workspaces(dir) {
  const workspace = join(dir, 'windows-only');
  const other = join(dir, 'mixed-os');
  cpSync(example, workspace, { recursive: true });
  cpSync(otherExample, other, { recursive: true });
  return { workspace, other };
}

/** Mocha's counts come back as one console line through the launcher's stdout, which test-electron pipes into ours. */
async function runSuite(name, { developmentPath, extensionPath, dir, extensionsDir, userDataDir }) {
  const { workspace, other } = workspaces(dir);
  const timeoutMs =
    process.env.HSR_E2E_TIMEOUT_MS ?? String(Math.max(20_000, name === 'dev' && RUNS.includes('vsix') ? Math.min(80_000, left() - 70_000) : left() - 5_000));
  console.log(`[e2e] run ${name}: extension from ${extensionPath}, bounded to ${timeoutMs} ms`);
  let result;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => {
    const m = RESULT.exec(String(chunk));
    if (m) {
      try {
        result = JSON.parse(m[1]);
      } catch {
        // a mangled line: reported below as "no test results"
      }
    }
    return write(chunk, ...rest);
  };
  const runStarted = Date.now();
  let exitCode;
  try {
    exitCode = await runTests({
      vscodeExecutablePath: launcher,
      extensionDevelopmentPath: developmentPath,
      extensionTestsPath: suite,
      launchArgs: [workspace, join(workspace, CLIENT_PS1), `--user-data-dir=${userDataDir}`, `--extensions-dir=${extensionsDir}`],
      extensionTestsEnv: {
        HSR_E2E_RUN: name,
        HSR_E2E_EXTENSION_PATH: extensionPath,
        HSR_E2E_RESULTS_DIR: name === 'dev' ? resultsDir : join(resultsDir, name),
        HSR_E2E_WORKSPACE: workspace,
        HSR_E2E_OTHER_BUILD: other,
        HSR_E2E_TIMEOUT_MS: timeoutMs,
      },
    });
  } catch (err) {
    exitCode = err?.code ?? 1;
  } finally {
    process.stdout.write = write;
  }
  const secs = ((Date.now() - runStarted) / 1000).toFixed(1);
  if (!result) {
    console.log(`[e2e] run ${name}: no test results reported (editor exited with ${exitCode}) after ${secs} s`);
    return count(0, 1);
  }
  const extra = exitCode !== 0 && result.failed === 0 ? 1 : 0;
  console.log(`[e2e] run ${name}: ${result.passed} tests passed, ${result.failed} failed in ${secs} s${extra ? `; editor exited with ${exitCode}` : ''}`);
  count(result.passed, result.failed + extra);
}

function devRun(tmp) {
  const dir = join(tmp, 'dev');
  return runSuite('dev', { developmentPath: root, extensionPath: root, dir, extensionsDir: join(dir, 'ext'), userDataDir: join(dir, 'ud') });
}

/** Packages the .vsix, installs it with code-server's CLI, runs the suite against the installed copy. */
async function vsixRun(tmp) {
  const dir = join(tmp, 'vsix');
  mkdirSync(dir, { recursive: true });
  const vsix = join(dir, 'hashistack-review.vsix');
  const t0 = Date.now();
  const pack = spawnSync(vsce, ['package', '--no-dependencies', '-o', vsix], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const packed = pack.status === 0 && existsSync(vsix);
  if (
    !check(
      `vsce package --no-dependencies`,
      packed,
      packed ? `${Date.now() - t0} ms` : `exit ${pack.status ?? pack.signal}: ${(pack.stderr + pack.stdout).trim().slice(-1500)}`,
    )
  )
    return count(0, 1);
  const size = statSync(vsix).size;
  check(`the .vsix is under 5 MB`, size < VSIX_LIMIT, `${(size / 1024 / 1024).toFixed(2)} MB`);

  // code-server's own CLI, with the profile and XDG folders private to this run.
  const extensionsDir = join(dir, 'ext');
  const userDataDir = join(dir, 'ud');
  const xdg = Object.fromEntries(['t', 'cfg', 'data', 'cache'].map((k) => [k, join(dir, `cli-${k}`)]));
  for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true });
  const t1 = Date.now();
  const install = spawnSync(codeServer, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
    env: { ...process.env, TMPDIR: xdg.t, XDG_CONFIG_HOME: xdg.cfg, XDG_DATA_HOME: xdg.data, XDG_CACHE_HOME: xdg.cache },
  });
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const installed = join(extensionsDir, `${EXTENSION_ID}-${version}`);
  const ok = install.status === 0 && existsSync(join(installed, 'package.json')) && existsSync(join(installed, 'dist/extension.js'));
  if (
    !check(
      `code-server --install-extension`,
      ok,
      ok ? `${installed}, ${Date.now() - t1} ms` : `exit ${install.status ?? install.signal}: ${(install.stderr + install.stdout).trim().slice(-1500)}`,
    )
  )
    return count(0, 1);

  // VS Code runs extension tests only when a development path is given (the
  // extension host refuses otherwise). An empty host extension with another id
  // satisfies it, so hashistack-review itself loads as the installed extension.
  const host = join(dir, 'test-host');
  mkdirSync(host, { recursive: true });
  writeFileSync(
    join(host, 'package.json'),
    JSON.stringify(
      {
        name: 'e2e-test-host',
        publisher: 'hashistack-review-e2e',
        version: '0.0.0',
        engines: { vscode: '^1.100.0' },
        description: 'Empty: lets VS Code run the tests against the installed extension.',
      },
      null,
      2,
    ),
  );
  return runSuite('vsix', { developmentPath: host, extensionPath: installed, dir, extensionsDir, userDataDir });
}

async function main() {
  const problem = missing();
  if (problem) {
    count(0, 1);
    return finish(problem);
  }
  mkdirSync(resultsDir, { recursive: true });
  const tmp = mkdtempSync('/tmp/hsr-e2e-run-');
  try {
    if (RUNS.includes('dev')) await devRun(tmp);
    if (RUNS.includes('vsix')) {
      if (left() < 30_000) {
        count(0, 1);
        console.log(`[e2e] run vsix: skipped, ${left()} ms left of the ${budgetMs} ms budget`);
      } else {
        await vsixRun(tmp);
      }
    }
  } finally {
    if (process.env.HSR_E2E_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true });
    else console.log(`[e2e] kept ${tmp}`);
  }
  return finish();
}

main().catch((err) => {
  count(0, 1);
  finish(`harness error: ${err?.stack ?? err}`);
});
