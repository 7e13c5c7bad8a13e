// Copies the non-TypeScript assets the compiled code loads at run time (JSON
// Schemas) next to it, so `out/` is self-contained.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pairs = [['schemas', 'out/schemas']];
for (const [from, to] of pairs) {
  const src = join(root, from);
  if (!existsSync(src)) continue;
  mkdirSync(join(root, to), { recursive: true });
  cpSync(src, join(root, to), { recursive: true });
}
