/**
 * Reading one side of a diff: a folder on disk, or the tree of a git
 * revision read straight from the object database (`git ls-tree` + one
 * `git cat-file --batch` process), never checked out over the user's work.
 * Only the `git` binary is run, with argument arrays (no shell), and nothing
 * from the workspace is executed.
 */
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AnalysisSettings } from '../api';
import { Workspace } from '../engine';
import { DEFAULT_MAX_FILE_BYTES } from '../text/decode';
import { classifyFile, isShellShebang, maybeExtensionlessScript, SKIPPED_DIRS } from '../workspace/fileKinds';
import type { BuildSide } from './types';

export interface LoadedSide {
  readonly workspace: Workspace;
  readonly side: BuildSide;
}

export type SideSpec = { readonly kind: 'folder'; readonly dir: string } | { readonly kind: 'git'; readonly rev: string; readonly dir: string };

/**
 * `git:<rev>` (the folder `cwd` at that revision), `git:<rev>:<dir>` (a folder
 * relative to `cwd`), otherwise a folder path relative to `cwd`.
 */
export function parseSideSpec(spec: string, cwd: string): SideSpec {
  if (spec.startsWith('git:')) {
    const rest = spec.slice(4);
    const colon = rest.indexOf(':');
    const rev = colon < 0 ? rest : rest.slice(0, colon);
    const dir = colon < 0 ? cwd : path.resolve(cwd, rest.slice(colon + 1) || '.');
    if (rev.length === 0) throw new Error(`no revision in "${spec}"`);
    return { kind: 'git', rev, dir };
  }
  return { kind: 'folder', dir: path.resolve(cwd, spec) };
}

export async function loadSide(spec: SideSpec, label: string, settings: AnalysisSettings = {}): Promise<LoadedSide> {
  const workspace = spec.kind === 'folder' ? await loadFolder(spec.dir, settings) : await loadGitTree(spec.dir, spec.rev, settings);
  return { workspace, side: sideOf(workspace, label) };
}

async function loadFolder(dir: string, settings: AnalysisSettings): Promise<Workspace> {
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`not a folder: ${dir}`);
  return Workspace.load(dir, settings);
}

/** Analyses a workspace and pairs the result with its line lookup. */
export function sideOf(workspace: Workspace, label: string): BuildSide {
  const result = workspace.analyze();
  return {
    ...result,
    label,
    sources: { positionAt: (file, offset) => workspace.sourceText(file)?.positionAt(offset) },
  };
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

export interface GitTreeFile {
  readonly rel: string;
  readonly bytes: Uint8Array;
}

/** Where `dir` sits in its repository: the top level and the prefix (`examples/mixed-os/` or ``). */
export async function gitLocation(dir: string): Promise<{ top: string; prefix: string }> {
  const out = await git(dir, ['rev-parse', '--show-toplevel', '--show-prefix']);
  const [top = '', prefix = ''] = out.split('\n');
  if (!top) throw new Error(`not inside a git repository: ${dir}`);
  return { top, prefix };
}

/**
 * The deployment files of `<rev>:<prefix>` as root-relative paths, read in
 * one `git cat-file --batch` process. Symlinks and submodules are skipped.
 */
export async function readGitTree(
  top: string,
  rev: string,
  prefix: string,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
): Promise<{
  files: GitTreeFile[];
  skipped: Array<{ file: string; reason: string }>;
  /** Every other file of the revision by name (not read): templatefile()/file() may name any of them. */
  otherPaths: string[];
  /** Symbolic links and submodules: what lies below them is not listed. */
  unlisted: string[];
}> {
  if (rev.startsWith('-')) throw new Error(`invalid revision "${rev}"`);
  await git(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{tree}`]).catch(() => {
    throw new Error(`unknown git revision "${rev}"`);
  });
  const listing = await git(top, ['ls-tree', '-r', '-z', '--full-tree', '-l', rev, '--', ...(prefix ? [prefix] : [])]);
  const wanted: Array<{ rel: string; oid: string; maybeScript: boolean }> = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  const otherPaths: string[] = [];
  const unlisted: string[] = [];
  for (const rec of listing.split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, type, oid, size] = rec.slice(0, tab).split(/\s+/) as [string, string, string, string];
    const full = rec.slice(tab + 1);
    if (prefix && !full.startsWith(prefix)) continue;
    const rel = full.slice(prefix.length);
    if (
      rel
        .split('/')
        .slice(0, -1)
        .some((d) => SKIPPED_DIRS.has(d))
    )
      continue;
    if (type !== 'blob' || mode === '120000') {
      // A link may point at a file or a directory, a submodule is a directory whose files this listing lacks.
      if (mode === '120000') otherPaths.push(rel);
      unlisted.push(rel);
      continue;
    }
    const maybeScript = !classifyFile(rel) && maybeExtensionlessScript(rel);
    if (!classifyFile(rel) && !maybeScript) {
      otherPaths.push(rel);
      continue;
    }
    if (Number(size) > maxFileBytes) {
      skipped.push({ file: rel, reason: `file is ${size} bytes, over the ${maxFileBytes}-byte limit: skipped` });
      otherPaths.push(rel);
      continue;
    }
    wanted.push({ rel, oid, maybeScript });
  }
  const blobs = await catFileBatch(
    top,
    wanted.map((w) => w.oid),
  );
  // Extension-less files count only when they are shell scripts (as on disk: workspace/discovery.ts).
  const files = wanted.flatMap((w, i) => {
    if (!w.maybeScript || isShellShebang(Buffer.from(blobs[i]!.subarray(0, 256)).toString('utf8'))) return [{ rel: w.rel, bytes: blobs[i]! }];
    otherPaths.push(w.rel);
    return [];
  });
  return { files, skipped, otherPaths, unlisted };
}

/** Reads blobs by object id through one `git cat-file --batch`. */
function catFileBatch(cwd: string, oids: readonly string[]): Promise<Uint8Array[]> {
  if (oids.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file --batch failed (${code}): ${stderr.trim()}`));
      const buf = Buffer.concat(chunks);
      const out: Uint8Array[] = [];
      let pos = 0;
      for (const oid of oids) {
        const nl = buf.indexOf(0x0a, pos);
        if (nl < 0) return reject(new Error('git cat-file --batch: truncated output'));
        const header = buf.toString('utf8', pos, nl);
        const m = /^([0-9a-f]+) (\S+) (\d+)$/.exec(header);
        if (!m) return reject(new Error(`git cat-file --batch: ${oid}: ${header}`));
        const size = Number(m[3]);
        out.push(buf.subarray(nl + 1, nl + 1 + size));
        pos = nl + 1 + size + 1;
      }
      resolve(out);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(oids.join('\n') + '\n');
  });
}

async function loadGitTree(dir: string, rev: string, settings: AnalysisSettings): Promise<Workspace> {
  const st = await fs.stat(dir).catch(() => undefined);
  // A folder that no longer exists in the work tree: ask git from its nearest existing parent.
  let probe = dir;
  let tail = '';
  if (!st?.isDirectory()) {
    while (!(await fs.stat(probe).catch(() => undefined))?.isDirectory()) {
      const parent = path.dirname(probe);
      if (parent === probe) throw new Error(`no folder to locate the repository from: ${dir}`);
      tail = tail ? `${path.basename(probe)}/${tail}` : path.basename(probe);
      probe = parent;
    }
  }
  const loc = await gitLocation(probe);
  const prefix = loc.prefix + (tail ? `${tail}/` : '');
  const tree = await readGitTree(loc.top, rev, prefix, settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  const ws = new Workspace(dir, settings);
  for (const f of tree.files) ws.setBytes(f.rel, f.bytes);
  // The revision's listing is complete: a path it lacks is missing there, as on disk (template-file-missing).
  for (const rel of tree.otherPaths) ws.markPath(rel, true);
  ws.setListingComplete(tree.unlisted);
  return ws;
}
