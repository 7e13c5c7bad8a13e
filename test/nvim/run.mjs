// The second-client layer: headless Neovim 0.7 (Debian's `neovim`) speaks LSP
// to the built server over stdio (test/nvim/check.lua) on a temporary copy of
// examples/windows-only; this script asserts on the JSON it writes and prints
// `nvim: N passed, N failed` last, whatever happens. Builds nothing.
// HSR_NVIM_SERVER_JS runs another server script (to check this harness alone).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const server = process.env.HSR_NVIM_SERVER_JS ?? join(root, 'out/server/src/serverMain.js');
const example = resolve(root, process.env.HSR_NVIM_WORKSPACE ?? process.env.HSR_E2E_WORKSPACE ?? 'examples/windows-only');
const FILE = 'shared/packer/scripts/client.ps1';
const SOURCE = 'hashistack-review';
const NVIM_TIMEOUT_MS = 60_000;

const checks = [];
const check = (name, ok, detail) => {
  checks.push({ name, ok: Boolean(ok) });
  console.log(`  ${ok ? '✔' : '✘'} ${name}${!ok && detail ? `\n      ${detail}` : ''}`);
};

function finish(extraFailure) {
  if (extraFailure) {
    console.log(`  ✘ ${extraFailure}`);
    checks.push({ name: extraFailure, ok: false });
  }
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed;
  console.log(`nvim: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

function prerequisites() {
  if (spawnSync('nvim', ['--version'], { stdio: 'ignore' }).status !== 0) return 'nvim is not installed; run `bash .ci/install-e2e.sh` (`.ci/run` does)';
  if (!existsSync(server)) return `${server} is missing; run \`npm run build\` first`;
  if (!existsSync(join(example, FILE))) return `${example} has no ${FILE}`;
  return undefined;
}

function main() {
  console.log('nvim (headless Neovim as LSP client)');
  const problem = prerequisites();
  if (problem) return problem;

  const tmp = mkdtempSync('/tmp/hsr-nvim-');
  try {
    const workspace = join(tmp, 'windows-only');
    cpSync(example, workspace, { recursive: true });
    const out = join(tmp, 'result.json');
    const xdg = Object.fromEntries(['CONFIG', 'DATA', 'STATE', 'CACHE'].map((k) => [`XDG_${k}_HOME`, join(tmp, k.toLowerCase())]));
    const started = Date.now();
    const r = spawnSync('nvim', ['--headless', '--clean', '-u', 'NONE', '-i', 'NONE', '-n', '-S', join(root, 'test/nvim/check.lua')], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: NVIM_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      env: {
        ...process.env,
        ...xdg,
        TMPDIR: tmp,
        HSR_NVIM_SERVER: server,
        HSR_NVIM_ROOT: workspace,
        HSR_NVIM_FILE: FILE,
        HSR_NVIM_OUT: out,
      },
    });
    const wallMs = Date.now() - started;
    if (r.error || r.status !== 0) {
      console.log(`  nvim exited with ${r.status ?? r.signal ?? r.error?.message} after ${wallMs} ms\n${(r.stderr ?? '').slice(-2000)}`);
    }
    if (!existsSync(out)) return `nvim wrote no result (exit ${r.status ?? r.signal}, ${wallMs} ms)`;
    const result = JSON.parse(readFileSync(out, 'utf8'));
    mkdirSync(join(root, 'test-results'), { recursive: true });
    writeFileSync(join(root, 'test-results/nvim-result.json'), JSON.stringify({ ...result, wallMs }, null, 2));
    console.log(`  timings (ms): ${JSON.stringify({ ...result.timings, wall: wallMs })}`);

    const errors = result.errors ?? [];
    check('the session ran without errors', errors.length === 0, errors.join('; '));
    const ours = (result.diagnostics ?? []).filter((d) => d.source === SOURCE);
    check(`${FILE} has diagnostics with source ${SOURCE}`, ours.length > 0, `diagnostics: ${JSON.stringify(result.diagnostics)}`);
    for (const d of ours.slice(0, 10)) console.log(`      ${d.code}@${d.line + 1}:${d.character + 1} ${d.message}`);
    check('a hover on a finding is non-empty', typeof result.hover === 'string' && result.hover.trim() !== '', `hover: ${JSON.stringify(result.hover)}`);
    check('the server stays up until shutdown', result.exited_before_shutdown === false, `server exit: ${JSON.stringify(result.server_exit)}`);
    check('the server exits with 0 after shutdown/exit', result.server_exit?.code === 0, `server exit: ${JSON.stringify(result.server_exit)}`);
    return undefined;
  } finally {
    if (process.env.HSR_NVIM_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true });
  }
}

let failure;
try {
  failure = main();
} catch (err) {
  failure = `harness error: ${err?.stack ?? err}`;
}
finish(failure);
