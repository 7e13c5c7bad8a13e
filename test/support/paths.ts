import * as path from 'node:path';

/** The repository root, from the compiled test location (out/test/...). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (path.basename(dir) === 'out') return path.dirname(dir);
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function examplePath(name: string): string {
  return path.join(repoRoot(), 'examples', name);
}
