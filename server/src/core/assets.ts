import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Finds a shipped asset folder (`schemas`) from wherever the code runs: the
 * compiled tree (`out/server/src/core`), the bundle (`dist/`), or the sources.
 */
export function findAssetDir(name: string, probeFile: string): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, name);
    if (existsSync(path.join(candidate, probeFile))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

const cache = new Map<string, unknown>();

/** Loads a JSON Schema shipped in `schemas/`; undefined when it is not there. */
export function loadSchema(fileName: string): unknown {
  if (cache.has(fileName)) return cache.get(fileName);
  const dir = findAssetDir('schemas', fileName);
  const value = dir ? (JSON.parse(readFileSync(path.join(dir, fileName), 'utf8')) as unknown) : undefined;
  cache.set(fileName, value);
  return value;
}
