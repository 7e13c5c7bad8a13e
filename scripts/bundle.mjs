// Bundles the extension for packaging (type-checking is `tsc -b`, a separate step):
//   client/src/extension.ts -> dist/extension.js   (`vscode` stays external)
//   server/src/serverMain.ts -> dist/server.js
// and copies what the server loads at run time next to the bundle:
//   schemas/*.json                              -> dist/schemas/
//   out/schemas/compiled/*.js (copy-assets)     -> dist/schemas/compiled/
//   @cdktf/hcl2json main.wasm.gz (HCL 2 parser) -> dist/main.wasm.gz
//
// package.json `main` points at ./dist/extension.js permanently: the
// packaged extension and a development host load the same entry, so run
// `npm run build && npm run bundle` before launching the extension. In a
// development host the client still starts the tsc-compiled server
// (out/server/src/serverMain.js), so server edits need only `tsc -b`.
import * as esbuild from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(join(root, 'package.json'));

// hcl2json reads its WASM from `join(__dirname, "..", "main.wasm.gz")`, i.e. relative to
// node_modules/@cdktf/hcl2json/lib/bridge.js. Inside the bundle __dirname is dist/, so
// point it at dist/main.wasm.gz instead. Fail loudly if a new version changes the line.
const WASM_LOAD = /join\)\(__dirname, "\.\.", "main\.wasm\.gz"\)/;
const hcl2jsonWasmPath = {
  name: 'hcl2json-wasm-path',
  setup(build) {
    build.onLoad({ filter: /[\\/]@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!WASM_LOAD.test(source)) throw new Error(`${args.path}: the WASM load path changed; update scripts/bundle.mjs`);
      return { contents: source.replace(WASM_LOAD, 'join)(__dirname, "main.wasm.gz")'), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: false,
  sourcemap: 'linked',
  logLevel: 'warning',
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await esbuild.build({
  ...common,
  entryPoints: [join(root, 'client/src/extension.ts')],
  outfile: join(dist, 'extension.js'),
  external: ['vscode'],
});

await esbuild.build({
  ...common,
  entryPoints: [join(root, 'server/src/serverMain.ts')],
  outfile: join(dist, 'server.js'),
  plugins: [hcl2jsonWasmPath],
  // wasm_exec requires "performance" only when globalThis.performance is missing (never on Node 20).
  external: ['performance'],
});

const hcl2jsonDir = dirname(require.resolve('@cdktf/hcl2json/package.json'));
copyFileSync(join(hcl2jsonDir, 'main.wasm.gz'), join(dist, 'main.wasm.gz'));

const schemas = join(root, 'schemas');
if (existsSync(schemas)) cpSync(schemas, join(dist, 'schemas'), { recursive: true, filter: (p) => !p.endsWith('.md') });
// The validators compiled by copy-assets (the build runs it before this script).
const compiled = join(root, 'out/schemas/compiled');
if (existsSync(compiled)) cpSync(compiled, join(dist, 'schemas/compiled'), { recursive: true });

console.log('Bundled dist/extension.js, dist/server.js, dist/main.wasm.gz, dist/schemas/');
