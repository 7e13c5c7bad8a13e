/**
 * Document URIs <-> root-relative paths, the currency of the core. Only
 * `file:` URIs map to workspace files; everything else is "not ours".
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function fsPathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The `/`-separated path of `fsPath` relative to `root`, or undefined when it lies outside. */
export function relativeTo(root: string, fsPath: string): string | undefined {
  const rel = path.relative(root, fsPath);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** A file URI for a root-relative path below a folder URI, encoded segment by segment. */
export function uriBelow(folderUri: string, relPath: string): string {
  const base = folderUri.endsWith('/') ? folderUri.slice(0, -1) : folderUri;
  return `${base}/${relPath.split('/').map(encodeURIComponent).join('/')}`;
}
