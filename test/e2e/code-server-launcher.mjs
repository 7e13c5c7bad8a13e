#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron's runTests
// spawns: no desktop VS Code or Electron can be downloaded on these machines,
// so this runs the extension tests in code-server 4.100.3 (VS Code 1.100.3)
// driven by Debian's headless Chromium. See /work/shared/E2E-OFFLINE.md.
//
// Reads the command line test-electron builds (--extensionDevelopmentPath=,
// --extensionTestsPath=, --user-data-dir=, --extensions-dir=, a workspace
// folder and a file to open in it; everything else is ignored), starts
// code-server in its own process group, opens the workbench with the `payload`
// query, streams the page console to stdout and exits with the code the test runner reports through
// window.codeAutomationExit. Bounded by HSR_E2E_TIMEOUT_MS (default 5 min).
//
// Screenshots: a console line `HSR_SCREENSHOT <absolute path>` makes the
// launcher save the page to that path (written to a temporary name, then
// renamed, so a test waiting for the file never reads half of it).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const codeServerBin = join(process.env.HSR_E2E_CACHE ?? join(root, '.e2e-cache'), 'code-server/node_modules/.bin/code-server');
const chromiumPath = process.env.HSR_CHROMIUM ?? '/usr/bin/chromium';
const timeoutMs = Number(process.env.HSR_E2E_TIMEOUT_MS ?? 5 * 60_000);
const keepTmp = process.env.HSR_E2E_KEEP_TMP === '1';

const log = (msg) => process.stdout.write(`[launcher] ${msg}\n`);

/** The subset of VS Code's command line test-electron uses; the rest is desktop-only. */
export function parseArgs(argv) {
  const opts = {
    extensionDevelopmentPath: [],
    extensionTestsPath: undefined,
    userDataDir: undefined,
    extensionsDir: undefined,
    folder: undefined,
    openFile: undefined,
  };
  const single = { extensionTestsPath: 'extensionTestsPath', 'user-data-dir': 'userDataDir', 'extensions-dir': 'extensionsDir' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      // As with `code <folder> <file>`: a directory is the workspace, a file is opened in it.
      if (!arg.startsWith('-')) {
        const path = resolve(arg);
        if (existsSync(path) && statSync(path).isFile()) opts.openFile = path;
        else opts.folder = path;
      }
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const known = name === 'extensionDevelopmentPath' || name in single;
    if (!known) continue; // --no-sandbox, --disable-updates, --skip-welcome, ...
    const value = resolve(eq < 0 ? (argv[++i] ?? '') : arg.slice(eq + 1));
    if (name === 'extensionDevelopmentPath') opts.extensionDevelopmentPath.push(value);
    else opts[single[name]] = value;
  }
  return opts;
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitForHttp(url, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url} in time`);
}

function killGroup(child, signal) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Harmless noise: offline (E2E-OFFLINE.md: the gallery, vsda 404s, iframe
 * warnings), and the workbench's CodeExpectedError when it tries to watch a
 * virtual document (hashistack-review-diff:) that has no file system provider.
 */
const NOISE =
  /\bCodeExpectedError\n\s+at |Found unexpected service worker controller|open-vsx\.org|Failed to load resource|web worker extension host is started in a same-origin iframe|allow-scripts and allow-same-origin|Resolv(?:ing|ed) connection token|Creating a socket|\[Service Worker\]|Updating additional builtin extensions cache|ChatSessionStore/;

/** `%c` style markers and their CSS arguments are noise in a terminal. */
function consoleText(msg) {
  const text = msg.text();
  return text.includes('%c') ? text.replace(/%c/g, '').replace(/(?:color|font-weight|background)\s*:\s*[^\s;]+;?\s*/g, '') : text;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.extensionTestsPath || opts.extensionDevelopmentPath.length === 0) {
    throw new Error('--extensionDevelopmentPath= and --extensionTestsPath= are required');
  }
  if (!existsSync(codeServerBin)) {
    throw new Error(`code-server is not installed at ${codeServerBin}: run \`bash .ci/install-e2e.sh\``);
  }
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} missing: run \`bash .ci/install-e2e.sh\``);

  // Short private TMPDIR: IPC socket paths must stay under 108 characters.
  const tmp = mkdtempSync('/tmp/hsr-e2e-');
  const dirs = {
    tmp: join(tmp, 't'),
    userData: opts.userDataDir ?? join(tmp, 'ud'),
    extensions: opts.extensionsDir ?? join(tmp, 'ext'),
    config: join(tmp, 'cfg'),
    data: join(tmp, 'data'),
    cache: join(tmp, 'cache'),
    runtime: join(tmp, 'run'),
    browser: join(tmp, 'chromium'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User/settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
      },
      null,
      2,
    ),
  );
  const configFile = join(dirs.config, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');

  const env = {
    ...process.env,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: dirs.runtime,
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const started = Date.now();
  const deadline = started + timeoutMs;

  let codeServer;
  let serverTail = ''; // shown when something goes wrong
  let context;
  let exitCode = 1;
  let timer;
  const cleanup = async () => {
    clearTimeout(timer);
    // Bounded: a wedged browser must not keep CI waiting; playwright kills it on exit anyway.
    if (context) await Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
    killGroup(codeServer, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    killGroup(codeServer, 'SIGKILL');
    if (!keepTmp) rmSync(tmp, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      log(`${sig}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    codeServer = spawn(
      codeServerBin,
      [
        '--config',
        configFile,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--user-data-dir',
        dirs.userData,
        '--extensions-dir',
        dirs.extensions,
        ...(opts.folder ? [opts.folder] : []),
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const serverLog = (chunk) => {
      serverTail = (serverTail + chunk.toString('utf8')).slice(-8192);
      if (process.env.HSR_E2E_VERBOSE === '1') process.stdout.write(`[code-server] ${chunk}`);
    };
    codeServer.stdout.on('data', serverLog);
    codeServer.stderr.on('data', serverLog);
    await waitForHttp(`${origin}/healthz`, codeServer, deadline);
    log(`code-server ${port} up in ${Date.now() - started} ms`);

    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(dirs.browser, {
      executablePath: chromiumPath,
      headless: true,
      env,
      viewport: { width: 1400, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await context.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code ?? 1)));
    const page = context.pages()[0] ?? (await context.newPage());

    const screenshots = [];
    page.on('console', (msg) => {
      const text = process.env.HSR_E2E_RAW === '1' ? JSON.stringify(msg.text()) : consoleText(msg);
      if (!NOISE.test(text) || process.env.HSR_E2E_VERBOSE === '1') process.stdout.write(`${text}\n`);
      const m = /HSR_SCREENSHOT (\S+)/.exec(text);
      if (m) screenshots.push(takeScreenshot(page, m[1]));
    });
    page.on('pageerror', (err) => process.stdout.write(`[page error] ${err.message}\n`));

    const payload = [
      ...opts.extensionDevelopmentPath.map((p) => ['extensionDevelopmentPath', remote(p)]),
      ['extensionTestsPath', remote(opts.extensionTestsPath)],
      ...(opts.openFile ? [['openFile', remote(opts.openFile)]] : []),
    ];
    const url = new URL(origin + '/');
    if (opts.folder) url.searchParams.set('folder', opts.folder);
    url.searchParams.set('payload', JSON.stringify(payload));
    await page.goto(url.href, { timeout: Math.max(1000, deadline - Date.now()) });

    const timedOut = new Promise((r) => {
      timer = setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now()));
    });
    const serverDied = new Promise((r) => codeServer.once('exit', () => r('server-exit')));
    const outcome = await Promise.race([exited, timedOut, serverDied]);
    await Promise.allSettled(screenshots);
    if (typeof outcome !== 'number') log(`code-server output (tail):\n${serverTail}`);
    if (outcome === 'timeout') {
      log(`timed out after ${timeoutMs} ms`);
      await takeScreenshot(page, join(root, 'test-results/e2e-timeout.png')).catch(() => {});
      exitCode = 124;
    } else if (outcome === 'server-exit') {
      log(`code-server exited (${codeServer.exitCode}) before the tests finished`);
      exitCode = 1;
    } else {
      exitCode = outcome;
      log(`tests exited with ${exitCode} after ${Date.now() - started} ms`);
    }
  } catch (err) {
    if (serverTail) log(`code-server output (tail):\n${serverTail}`);
    throw err;
  } finally {
    await cleanup();
  }
  return exitCode;
}

async function takeScreenshot(page, path) {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  await page.screenshot({ path: partial, type: 'png' });
  renameSync(partial, path);
  log(`screenshot ${path}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`[launcher] ${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
