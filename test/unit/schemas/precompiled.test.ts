/**
 * The agent-config validators the build compiles to standalone modules
 * (scripts/copy-assets.mjs → out/schemas/compiled/) against the same schemas
 * compiled at run time: the engine uses the module, which must report exactly
 * what ajv reports, and ignores a module compiled from another schema text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { Workspace } from '../../../server/src/core/engine';
import { loadSchema } from '../../../server/src/core/assets';
import {
  configToJson,
  loadPrecompiled,
  registerSchemaKeywords,
  schemaStamp,
  standaloneValidator,
  validatorFor,
  validatorSource,
} from '../../../server/src/core/checks/validity/configJson';
import type { Product } from '../../../server/src/core/types';

const ROOT = path.join(__dirname, '../../../..');
const SCHEMA: Record<Product, string> = { nomad: 'nomad-agent.schema.json', consul: 'consul-agent.schema.json' };

function runtimeValidator(product: Product) {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  registerSchemaKeywords(ajv);
  return ajv.compile(loadSchema(SCHEMA[product]) as object);
}

/** What a finding can read of an error: everything but object identities. */
function shape(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) =>
    JSON.stringify({
      keyword: e.keyword,
      instancePath: e.instancePath,
      schemaPath: e.schemaPath,
      params: e.params,
      message: e.message,
      data: e.data,
      schema: e.schema,
      parentSchema: e.parentSchema,
    }),
  );
}

/** Deterministic pseudo-random numbers (a fixed seed: a failure names its case). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WRONG: unknown[] = ['not-a-number', 42, true, [], {}, ['x', 1], { nested: { deeper: 1 } }, -1, '', null];

/** Variants of a config value: each leaf replaced by a value of another type, unknown keys added at every level. */
function mutations(value: unknown, rand: () => number, budget: number): unknown[] {
  const out: unknown[] = [];
  const paths: Array<Array<string | number>> = [];
  const walk = (v: unknown, at: Array<string | number>): void => {
    paths.push(at);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
  };
  walk(value, []);
  const set = (root: unknown, at: ReadonlyArray<string | number>, f: (old: unknown) => unknown): unknown => {
    if (at.length === 0) return f(root);
    const copy = (Array.isArray(root) ? [...(root as unknown[])] : { ...(root as object) }) as Record<string | number, unknown>;
    copy[at[0]!] = set(copy[at[0]!], at.slice(1), f);
    return copy;
  };
  for (let i = 0; i < budget && paths.length > 0; i++) {
    const at = paths[Math.floor(rand() * paths.length)]!;
    const wrong = WRONG[Math.floor(rand() * WRONG.length)];
    out.push(
      rand() < 0.5
        ? set(value, at, () => wrong)
        : set(value, at, (old) => (old && typeof old === 'object' && !Array.isArray(old) ? { ...old, [`unknown_${i}`]: wrong } : old)),
    );
  }
  return out;
}

async function corpus(): Promise<Array<{ product: Product; value: unknown }>> {
  const out: Array<{ product: Product; value: unknown }> = [];
  for (const name of ['windows-only', 'mixed-os']) {
    const ws = await Workspace.load(path.join(ROOT, 'examples', name));
    ws.analyze();
    for (const m of ws.models) for (const cfg of m.configs) out.push({ product: cfg.product, value: configToJson(cfg).value });
  }
  return out;
}

test('the build compiled both agent validators, and the engine uses them', () => {
  for (const product of ['nomad', 'consul'] as const) {
    assert.ok(fs.existsSync(path.join(ROOT, 'out/schemas', standaloneValidator(product)!.file)), `${product}: run npm run build`);
    assert.equal(validatorSource(product), 'precompiled', product);
  }
});

test('the compiled validators report exactly what ajv reports, on the examples and 3,000 mutations of them', async () => {
  const rand = rng(20261128);
  const configs = await corpus();
  assert.ok(configs.length >= 10, `corpus of ${configs.length} configs`);
  const runtime = { nomad: runtimeValidator('nomad'), consul: runtimeValidator('consul') };
  let cases = 0;
  let invalid = 0;
  for (const { product, value } of configs) {
    const pre = validatorFor(product)!;
    for (const v of [value, ...mutations(value, rand, Math.ceil(3000 / configs.length))]) {
      const a = pre(v);
      const errorsA = shape(pre.errors);
      const b = runtime[product](v);
      const errorsB = shape(runtime[product].errors);
      assert.equal(a, b, `${product} case ${cases}: valid`);
      assert.deepEqual(errorsA, errorsB, `${product} case ${cases}: ${JSON.stringify(v).slice(0, 300)}`);
      cases++;
      if (!a) invalid++;
    }
  }
  // The corpus exercises the error paths, not just valid configs.
  assert.ok(invalid > cases / 3, `${invalid} of ${cases} invalid`);
});

test('x-rejected: the agent error text is the message, from the compiled module too', () => {
  const pre = validatorFor('consul')!;
  // `tls.grpc.verify_server_hostname` is rejected in the grpc block (consul-agent.schema.json).
  assert.equal(pre({ tls: { grpc: { verify_server_hostname: true } } }), false);
  const err = pre.errors!.find((e) => e.keyword === 'x-rejected');
  assert.ok(err, JSON.stringify(pre.errors));
  assert.equal(err.message, (err.params as { message: string }).message);
  assert.match(err.message!, /verify_server_hostname/);
});

test('a module compiled from another schema text is not used; a missing one neither', () => {
  const schema = loadSchema(SCHEMA.nomad) as object;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-validators-'));
  try {
    const good = standaloneValidator('nomad')!;
    const current = path.join(dir, 'current.js');
    fs.writeFileSync(current, good.code);
    assert.equal(typeof loadPrecompiled(current, schema), 'function');
    const stale = path.join(dir, 'stale.js');
    fs.writeFileSync(stale, good.code.replace(schemaStamp(schema), '0000000000000000'));
    assert.equal(loadPrecompiled(stale, schema), undefined);
    const broken = path.join(dir, 'broken.js');
    fs.writeFileSync(broken, 'module.exports = (');
    assert.equal(loadPrecompiled(broken, schema), undefined);
    assert.equal(loadPrecompiled(path.join(dir, 'missing.js'), schema), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
