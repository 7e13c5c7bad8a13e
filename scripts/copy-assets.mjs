// Copies the non-TypeScript assets the compiled code loads at run time (JSON
// Schemas) next to it, so `out/` is self-contained, and compiles the agent-config
// validators to standalone modules (`out/schemas/compiled/*.js`): compiling them
// at start-up took ~250 ms of every process. Run after `tsc -b` (it uses the
// compiled engine, so the build and the fallback compile with the same options).
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

const engine = join(root, 'out/server/src/core/checks/validity/configJson.js');
if (!existsSync(engine)) {
  console.warn('copy-assets: out/ has no compiled engine yet (run tsc -b first): validators not precompiled');
} else {
  const { standaloneValidator } = createRequire(import.meta.url)(engine);
  for (const product of ['nomad', 'consul']) {
    const v = standaloneValidator(product);
    if (!v) continue;
    // The module must not need ajv at run time (the .vsix ships no node_modules); the engine would then compile instead.
    if (/\brequire\(/.test(v.code)) console.warn(`copy-assets: ${v.file} requires a module at run time; the engine will compile instead`);
    const file = join(root, 'out/schemas', v.file);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, v.code);
  }
}
