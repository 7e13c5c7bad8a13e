/**
 * `hashistack-review check [DIR] [--format text|json|sarif] [--fail-on error|warning|never] [--show-secrets]`
 * `hashistack-review diff …` (see diffCommand.ts)
 * Exit codes: 0 nothing reached the threshold, 1 something did, 2 usage or fatal error.
 */
import * as path from 'node:path';
import { Workspace } from '../core/engine';
import type { Severity } from '../core/types';
import { toJsonReport, toSarif, toText } from './formats';

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

const USAGE = `usage: hashistack-review check [DIR] [--format text|json|sarif] [--fail-on error|warning|never] [--show-secrets]
       hashistack-review diff A B [--format text|json|markdown]
       hashistack-review diff --rev REVA..REVB [DIR]
       hashistack-review diff --roles windows-client linux-client [DIR]`;

export function toolVersion(): string {
  try {
    return (require(path.join(__dirname, '../../../package.json')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'diff') {
    // Loaded on demand: `check` never pays for the diff machinery.

    const diff = require(path.join(__dirname, 'diffCommand')) as { runDiff: (argv: string[], io: CliIo) => Promise<number> };
    return diff.runDiff(rest, io);
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (cmd === '--version') {
    io.stdout(toolVersion());
    return 0;
  }
  if (cmd !== 'check') {
    io.stderr(cmd ? `unknown command "${cmd}"\n${USAGE}` : USAGE);
    return 2;
  }
  const opts = parseCheckArgs(rest);
  if ('error' in opts) {
    io.stderr(`${opts.error}\n${USAGE}`);
    return 2;
  }
  const root = path.resolve(io.cwd, opts.dir);
  try {
    const { statSync } = await import('node:fs');
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch {
    io.stderr(`hashistack-review: ${root} is not a readable directory`);
    return 2;
  }
  const ws = await Workspace.load(root);
  const result = await ws.analyzeWithOfficialParser();
  if (opts.showSecrets)
    io.stderr("hashistack-review: --show-secrets: secrets stay masked in every output; the flag only adds each secret's fingerprint (already shown).");
  for (const failure of ws.checkFailures) io.stderr(`hashistack-review: ${failure}`);
  const textOf = (f: string) => ws.sourceText(f);
  if (opts.format === 'json') io.stdout(JSON.stringify(toJsonReport(result, toolVersion(), textOf), null, 2));
  else if (opts.format === 'sarif') io.stdout(JSON.stringify(toSarif(result, toolVersion(), textOf), null, 2));
  else io.stdout(toText(result, textOf));
  return reaches(
    result.findings.map((f) => f.severity),
    opts.failOn,
  )
    ? 1
    : 0;
}

function reaches(severities: Severity[], failOn: 'error' | 'warning' | 'never'): boolean {
  if (failOn === 'never') return false;
  return severities.some((s) => s === 'error' || (failOn === 'warning' && s === 'warning'));
}

interface CheckOptions {
  dir: string;
  format: 'text' | 'json' | 'sarif';
  failOn: 'error' | 'warning' | 'never';
  showSecrets: boolean;
}

function parseCheckArgs(args: string[]): CheckOptions | { error: string } {
  const o: CheckOptions = { dir: '.', format: 'text', failOn: 'error', showSecrets: false };
  let dirSet = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--format') {
      const v = value();
      if (v !== 'text' && v !== 'json' && v !== 'sarif') return { error: `--format takes text, json or sarif (got ${v ?? 'nothing'})` };
      o.format = v;
    } else if (flag === '--fail-on') {
      const v = value();
      if (v !== 'error' && v !== 'warning' && v !== 'never') return { error: `--fail-on takes error, warning or never (got ${v ?? 'nothing'})` };
      o.failOn = v;
    } else if (flag === '--show-secrets') o.showSecrets = true;
    else if (flag.startsWith('-')) return { error: `unknown option ${flag}` };
    else if (!dirSet) {
      o.dir = a;
      dirSet = true;
    } else return { error: `unexpected argument ${a}` };
  }
  return o;
}

if (require.main === module) {
  runCli(process.argv.slice(2), { stdout: (s) => process.stdout.write(`${s}\n`), stderr: (s) => process.stderr.write(`${s}\n`), cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`hashistack-review: fatal: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
