// The real-editor layer: runs out/test/e2e/suite in VS Code 1.100.3 through
// @vscode/test-electron's runTests, with test/e2e/code-server-launcher.mjs as
// the "VS Code executable" so nothing is downloaded. Builds nothing: `npm test`
// builds first. Prints `e2e: N passed, N failed` last, whatever happens.
import { runTests } from '@vscode/test-electron';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const launcher = join(root, 'test/e2e/code-server-launcher.mjs');
const codeServer = join(process.env.HSR_E2E_CACHE ?? join(root, '.e2e-cache'), 'code-server/node_modules/.bin/code-server');
const suite = join(root, 'out/test/e2e/suite/index.js');
const example = resolve(root, process.env.HSR_E2E_WORKSPACE ?? 'examples/windows-only');
const RESULT = /HSR_E2E_RESULT (\{.*\})/;
const CLIENT_PS1 = 'shared/packer/scripts/client.ps1';

function finish(passed, failed, why) {
  if (why) console.log(`e2e: ${why}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

function missing() {
  if (!existsSync(codeServer) || !existsSync('/usr/bin/chromium')) {
    return 'code-server or chromium is not installed; run `bash .ci/install-e2e.sh` (`.ci/run` does)';
  }
  if (!existsSync(suite)) return `${suite} is missing; run \`npm run build\` first`;
  if (!existsSync(join(example, CLIENT_PS1))) return `${example} has no ${CLIENT_PS1}`;
  return undefined;
}

async function main() {
  const problem = missing();
  if (problem) return finish(0, 1, problem);

  // The tests edit files (quick fixes): give them a private copy of the example,
  // and keep user data and extensions under a short private path.
  const tmp = mkdtempSync('/tmp/hsr-e2e-run-');
  const workspace = join(tmp, 'windows-only');
  cpSync(example, workspace, { recursive: true });
  mkdirSync(join(root, 'test-results'), { recursive: true });

  // Mocha's counts come back as one console line through the launcher's stdout,
  // which test-electron pipes into ours.
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

  let exitCode;
  try {
    exitCode = await runTests({
      vscodeExecutablePath: launcher,
      extensionDevelopmentPath: root,
      extensionTestsPath: suite,
      launchArgs: [workspace, join(workspace, CLIENT_PS1), `--user-data-dir=${join(tmp, 'ud')}`, `--extensions-dir=${join(tmp, 'ext')}`],
      extensionTestsEnv: { HSR_E2E_RESULTS_DIR: join(root, 'test-results'), HSR_E2E_WORKSPACE: workspace },
    });
  } catch (err) {
    exitCode = err?.code ?? 1;
  } finally {
    process.stdout.write = write;
    if (process.env.HSR_E2E_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true });
  }

  if (!result) return finish(0, 1, `no test results reported (editor exited with ${exitCode})`);
  const failed = result.failed + (exitCode !== 0 && result.failed === 0 ? 1 : 0);
  return finish(result.passed, failed, exitCode !== 0 && result.failed === 0 ? `editor exited with ${exitCode}` : undefined);
}

main().catch((err) => finish(0, 1, `harness error: ${err?.stack ?? err}`));
