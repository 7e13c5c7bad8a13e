/**
 * `hashistack-review diff`:
 *   diff A B [--format text|json|markdown]          two builds (folders or `git:<rev>[:<dir>]`)
 *   diff --rev revA..revB [DIR] [--format ...]      one folder at two revisions (read from git, never checked out)
 *   diff --roles windows-client linux-client [DIR] [--product nomad|consul] [--format ...]
 * Exit codes: 0 done, 1 a side could not be read, 2 usage error.
 */
import type { Workspace } from '../core/engine';
import { secretRedactor } from '../core/results';
import { diffBuilds, diffRoles } from '../core/diff/diffBuilds';
import { formatBuildDiff, formatRoleDiff } from '../core/diff/format';
import type { DiffFormat } from '../core/diff/format';
import { loadSide, parseSideSpec } from '../core/diff/sides';
import type { SideSpec } from '../core/diff/sides';

export interface DiffIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

export const DIFF_USAGE = `Usage:
  hashistack-review diff A B [--format text|json|markdown]
      A, B: a folder, or git:<rev> (the current folder at <rev>), or git:<rev>:<dir>
  hashistack-review diff --rev <revA>..<revB> [DIR] [--format ...]
  hashistack-review diff --roles <roleA> <roleB> [DIR] [--product nomad|consul] [--format ...]
      roles: server, linux-client, windows-client (or a full id such as windows-client/nomad)
`;

interface Parsed {
  format: DiffFormat;
  rev?: string;
  roles?: [string, string];
  product?: 'nomad' | 'consul';
  positional: string[];
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Parsed {
  const args = argv[0] === 'diff' ? argv.slice(1) : [...argv];
  const p: Parsed = { format: 'text', positional: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--format':
      case '-f': {
        const f = value();
        if (f !== 'text' && f !== 'json' && f !== 'markdown' && f !== 'md') throw new UsageError(`unknown format "${f}" (text, json, markdown)`);
        p.format = f === 'md' ? 'markdown' : f;
        break;
      }
      case '--rev':
        p.rev = value();
        break;
      case '--roles': {
        const a1 = args[++i];
        const a2 = args[++i];
        if (a1 === undefined || a2 === undefined || a1.startsWith('--') || a2.startsWith('--')) throw new UsageError('--roles needs two role names');
        p.roles = [a1, a2];
        break;
      }
      case '--product': {
        const v = value();
        if (v !== 'nomad' && v !== 'consul') throw new UsageError(`unknown product "${v}" (nomad, consul)`);
        p.product = v;
        break;
      }
      case '--':
        p.positional.push(...args.slice(i + 1));
        i = args.length;
        break;
      default:
        if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option ${a}`);
        p.positional.push(a);
    }
  }
  return p;
}

/** Role ids to compare: a full id is taken as is, a kind expands to its products present in the build. */
function roleIds(kind: string, product: string | undefined, available: readonly string[]): string[] {
  if (kind.includes('/')) return [kind];
  if (product) return [`${kind}/${product}`];
  const ids = available.filter((id) => id.startsWith(`${kind}/`));
  return ids.length > 0 ? ids : [`${kind}/nomad`];
}

/** Last line of defence: every secret value either analysis knows of is masked in the output. */
function redactorOf(...workspaces: Workspace[]): { redact: (text: string) => string } {
  const rs = workspaces.flatMap((ws) => ws.models.map((m) => secretRedactor(m)));
  return { redact: (text) => rs.reduce((t, r) => r.redact(t), text) };
}

export async function runDiff(argv: string[], io: DiffIo): Promise<number> {
  let p: Parsed;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(DIFF_USAGE);
    return 0;
  }
  try {
    p = parseArgs(argv);
  } catch (err) {
    io.stderr(`hashistack-review diff: ${(err as Error).message}\n${DIFF_USAGE}`);
    return 2;
  }
  try {
    if (p.roles) {
      if (p.rev || p.positional.length > 1) throw new UsageError('--roles takes at most one folder');
      const dir = p.positional[0] ?? '.';
      const spec = parseSideSpec(dir, io.cwd);
      const loaded = await loadSide(spec, dir);
      const ids = loaded.side.roles.map((r) => r.id);
      const left = roleIds(p.roles[0], p.product, ids);
      const right = roleIds(p.roles[1], p.product, ids);
      const pairs: Array<[string, string]> = [];
      for (const l of left) {
        const prod = l.split('/')[1];
        const r = right.find((x) => x.split('/')[1] === prod) ?? (right.length === 1 ? right[0] : undefined);
        if (r) pairs.push([l, r]);
      }
      if (pairs.length === 0) throw new UsageError(`no matching roles for ${p.roles.join(' and ')} (roles: ${ids.join(', ') || 'none'})`);
      const diffs = pairs.map(([a, b]) => diffRoles(loaded.side, a, b));
      const missing = [...new Set(diffs.flatMap((d) => [d.left, d.right].filter((s) => !s.found).map((s) => s.roleId)))];
      if (missing.length > 0) throw new UsageError(`role ${missing.join(', ')} not found in ${dir} (roles: ${ids.join(', ') || 'none'})`);
      const redact = redactorOf(loaded.workspace);
      const text =
        p.format === 'json'
          ? JSON.stringify(diffs.length === 1 ? diffs[0] : diffs, null, 2) + '\n'
          : diffs.map((d) => formatRoleDiff(d, p.format)).join(p.format === 'markdown' ? '\n' : '\n');
      io.stdout(redact.redact(text));
      return 0;
    }

    let a: SideSpec;
    let b: SideSpec;
    let labels: [string, string];
    if (p.rev !== undefined) {
      const m = /^(.+?)\.\.\.?(.+)$/.exec(p.rev);
      if (!m) throw new UsageError(`--rev wants <revA>..<revB>, got "${p.rev}"`);
      if (p.positional.length > 1) throw new UsageError('--rev takes at most one folder');
      const dir = parseSideSpec(p.positional[0] ?? '.', io.cwd).dir;
      a = { kind: 'git', rev: m[1]!, dir };
      b = { kind: 'git', rev: m[2]!, dir };
      labels = [`git:${m[1]}`, `git:${m[2]}`];
    } else {
      if (p.positional.length !== 2) throw new UsageError('diff needs two builds (A B), or --rev, or --roles');
      a = parseSideSpec(p.positional[0]!, io.cwd);
      b = parseSideSpec(p.positional[1]!, io.cwd);
      labels = [p.positional[0]!, p.positional[1]!];
    }
    const [la, lb] = await Promise.all([loadSide(a, labels[0]), loadSide(b, labels[1])]);
    const d = diffBuilds(la.side, lb.side);
    io.stdout(redactorOf(la.workspace, lb.workspace).redact(formatBuildDiff(d, p.format)));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`hashistack-review diff: ${err.message}\n${DIFF_USAGE}`);
      return 2;
    }
    io.stderr(`hashistack-review diff: ${(err as Error).message}\n`);
    return 1;
  }
}
