import { promises as fs } from 'node:fs';
import type { Dirent } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { FileProblem } from '../types';
import { classifyFile, isShellShebang, maybeExtensionlessScript, SKIPPED_DIRS } from './fileKinds';

export interface DiscoveredFile {
  readonly rel: string;
  readonly bytes: Uint8Array;
}

export interface DiscoveryResult {
  readonly files: DiscoveredFile[];
  readonly problems: FileProblem[];
}

export interface DiscoveryOptions {
  readonly maxFileBytes: number;
  /** Stop after this many candidate files (a 50,000-file tree stays bounded). */
  readonly maxFiles?: number;
  readonly ignore?: (rel: string) => boolean;
}

/**
 * Walks `root` and reads every deployment file. Never follows symlinked
 * directories (no loops), never throws for one bad file: it is reported.
 */
export async function discoverFiles(root: string, opts: DiscoveryOptions): Promise<DiscoveryResult> {
  const problems: FileProblem[] = [];
  const maxFiles = opts.maxFiles ?? 100_000;
  const candidates: string[] = [];
  const queue: string[] = [''];
  walk: while (queue.length > 0) {
    const dirRel = queue.shift()!;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(root, dirRel), { withFileTypes: true });
    } catch (err) {
      problems.push({ file: dirRel || '.', reason: `unreadable directory: ${errorCode(err)}` });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const rel = dirRel ? `${dirRel}/${e.name}` : e.name;
      if (opts.ignore?.(rel)) continue;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) queue.push(rel);
        continue;
      }
      if (e.isSymbolicLink()) {
        // A link to a file is read; a link to a directory is not followed (loops).
        const st = await fs.stat(path.join(root, rel)).catch(() => undefined);
        if (!st) {
          if (classifyFile(rel)) problems.push({ file: rel, reason: 'broken symbolic link' });
          continue;
        }
        if (!st.isFile()) continue;
      } else if (!e.isFile()) continue;
      if (!classifyFile(rel) && !maybeExtensionlessScript(rel)) continue;
      if (candidates.length >= maxFiles) {
        problems.push({ file: rel, reason: `not read: more than ${maxFiles} deployment files under the root` });
        break walk;
      }
      candidates.push(rel);
    }
  }
  // Reads run a bounded number at a time: the walk is I/O-latency bound, not CPU bound.
  const results = new Array<DiscoveredFile | FileProblem | undefined>(candidates.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      const i = next++;
      const rel = candidates[i]!;
      if (!classifyFile(rel)) {
        // An extension-less file is a deployment file only when it is a shell script (`run-nomad`).
        const head = await readHead(path.join(root, rel));
        if (!head || !isShellShebang(head)) continue;
      }
      const read = await readBounded(path.join(root, rel), opts.maxFileBytes);
      results[i] = 'reason' in read ? { file: rel, reason: read.reason } : { rel, bytes: read.bytes };
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, candidates.length) }, worker));
  const files: DiscoveredFile[] = [];
  for (const r of results) {
    if (r === undefined) continue;
    if ('bytes' in r) files.push(r);
    else problems.push(r);
  }
  return { files, problems };
}

const READ_CONCURRENCY = 32;

/** The first bytes of a file as text, or undefined when unreadable. */
async function readHead(abs: string): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(abs, 'r');
    const buf = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

async function readBounded(abs: string, maxBytes: number): Promise<{ bytes: Uint8Array } | { reason: string }> {
  try {
    const st = await fs.stat(abs);
    if (st.size > maxBytes) return { reason: `file is ${st.size} bytes, over the ${maxBytes}-byte limit: skipped` };
    return { bytes: await fs.readFile(abs) };
  } catch (err) {
    return { reason: `unreadable: ${errorCode(err)}` };
  }
}

function errorCode(err: unknown): string {
  return err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : String(err);
}
