/**
 * Locates a folder of run-time assets (`schemas`) next to the running code:
 * beside the esbuild bundle (`dist/schemas`), then in the tsc output
 * (`out/schemas`, copied by scripts/copy-assets.mjs), then in the sources.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function assetDirCandidates(name: string, here: string = __dirname): string[] {
  return [
    path.join(here, name), // dist/server.js -> dist/<name>
    path.join(here, '..', '..', name), // out/server/src/assets.js -> out/<name>
    path.join(here, '..', '..', '..', name), // out/server/src/assets.js -> <repo>/<name>
  ];
}

/** The first existing candidate folder, or undefined when the asset is not shipped. */
export function resolveAssetDir(name: string, here: string = __dirname): string | undefined {
  return assetDirCandidates(name, here).find((dir) => existsSync(dir));
}
