/**
 * An agent config's HCL tree as the JSON the HCL v1 decoder sees, with a map
 * from each JSON pointer back to the virtual ranges of its key and value, and
 * the ajv validation of that JSON against the product's schema.
 *
 * Conversion (what `hcl.Decode` does for Nomad/Consul agent configs):
 * - `key = value` → `"key": value`; `key = { ... }` and `key { ... }` are the
 *   same object (HCL v1 accepts both).
 * - `key "a" "b" { ... }` → `"key": { "a": { "b": { ... } } }`.
 * - A block or object key written twice in one file (`client { } client { }`)
 *   is merged into one object, later keys winning, the way the agent ends up
 *   with one `ClientConfig`; the repetition itself is the duplicate check's
 *   business, not the schema's.
 * - Values that are not known (a placeholder the script substitutes at run
 *   time, `${...}` left in the text, a bare `IP_ADDRESS`, an expression) are
 *   kept as the string `${unknown}` and listed in `unknown`: their keys are
 *   still checked, their types are not.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { _, str, type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import { toJson } from '../../agent/settings';
import type { HclAttribute, HclBlock, HclExpr } from '../../parsers/hcl/ast';
import { findAssetDir, loadSchema } from '../../assets';
import type { Product } from '../../types';

export interface PointerInfo {
  /** Dotted path for messages (`client.servers`, `plugin.raw_exec.config`). */
  readonly path: string;
  /** Virtual range of the key (attribute name, block type or label). */
  readonly keyStart: number;
  readonly keyEnd: number;
  /** Virtual range of the value (expression or block body). */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export interface ConfigJson {
  readonly value: Record<string, unknown>;
  /** JSON pointer (`/client/servers`) → ranges (the last definition when repeated). */
  readonly pointers: ReadonlyMap<string, PointerInfo>;
  /** Pointers whose value is not known before the script runs. */
  readonly unknown: ReadonlySet<string>;
}

const UNKNOWN = '${unknown}';

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Whether the value of `expr` is only known at run time (or not a literal). */
export function isUnknownValue(cfg: ParsedAgentConfig, expr: HclExpr): boolean {
  const t = cfg.doc.text;
  if (t.originsIn(expr.start, expr.end).some((o) => o.kind === 'unknown')) return true;
  switch (expr.type) {
    case 'string':
      return /\$\{|%\{/.test(expr.value) || expr.parts.some((p) => p.kind !== 'literal');
    case 'number':
    case 'bool':
    case 'null':
      return false;
    case 'list':
      return expr.items.some((i) => isUnknownValue(cfg, i));
    case 'object':
      return false;
    default:
      // traversal (bare `IP_ADDRESS`, `var.x`), calls, operators
      return true;
  }
}

export function configToJson(cfg: ParsedAgentConfig): ConfigJson {
  const pointers = new Map<string, PointerInfo>();
  const unknown = new Set<string>();
  const root: Record<string, unknown> = {};
  const walkBody = (items: ReadonlyArray<HclAttribute | HclBlock>, target: Record<string, unknown>, ptr: string, path: string, depth: number): void => {
    if (depth > 64) return;
    for (const item of items) {
      if (item.kind === 'block') {
        let obj = target;
        let p = ptr;
        let dotted = path;
        const keys: Array<{ name: string; start: number; end: number }> = [
          { name: item.type, start: item.typeStart, end: item.typeEnd },
          ...item.labels.map((l) => ({ name: l.value, start: l.start, end: l.end })),
        ];
        for (const k of keys) {
          p = `${p}/${escapePointer(k.name)}`;
          dotted = dotted ? `${dotted}.${k.name}` : k.name;
          const existing = obj[k.name];
          const next = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
          obj[k.name] = next;
          pointers.set(p, { path: dotted, keyStart: k.start, keyEnd: k.end, valueStart: item.body.start, valueEnd: item.body.end });
          unknown.delete(p);
          obj = next;
        }
        walkBody(item.body.items, obj, p, dotted, depth + 1);
        continue;
      }
      const p = `${ptr}/${escapePointer(item.name)}`;
      const dotted = path ? `${path}.${item.name}` : item.name;
      pointers.set(p, { path: dotted, keyStart: item.nameStart, keyEnd: item.nameEnd, valueStart: item.value.start, valueEnd: item.value.end });
      if (item.value.type === 'object') {
        const existing = target[item.name];
        const next = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
        target[item.name] = next;
        unknown.delete(p);
        walkBody(item.value.items, next, p, dotted, depth + 1);
        continue;
      }
      if (isUnknownValue(cfg, item.value)) {
        target[item.name] = UNKNOWN;
        unknown.add(p);
        continue;
      }
      unknown.delete(p);
      target[item.name] = exprJson(item.value, p, dotted, pointers);
    }
  };
  walkBody(cfg.parse.body.items, root, '', '', 0);
  return { value: root, pointers, unknown };
}

function exprJson(e: HclExpr, ptr: string, path: string, pointers: Map<string, PointerInfo>): unknown {
  if (e.type === 'list') {
    return e.items.map((item, i) => {
      const p = `${ptr}/${i}`;
      pointers.set(p, { path: `${path}[${i}]`, keyStart: item.start, keyEnd: item.end, valueStart: item.start, valueEnd: item.end });
      return exprJson(item, p, `${path}[${i}]`, pointers);
    });
  }
  const v = toJson(e);
  return v === undefined ? UNKNOWN : v;
}

/** Finds the pointer info for `ptr` or its nearest ancestor that has one. */
export function nearestPointer(json: ConfigJson, ptr: string): PointerInfo | undefined {
  let p = ptr;
  while (p) {
    const info = json.pointers.get(p);
    if (info) return info;
    p = p.slice(0, p.lastIndexOf('/'));
  }
  return undefined;
}

/** Whether `ptr` lies at or below an unknown value. */
export function underUnknown(json: ConfigJson, ptr: string): boolean {
  for (const u of json.unknown) if (ptr === u || ptr.startsWith(`${u}/`)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// ajv: the validators are compiled to JavaScript at build time (scripts/copy-assets.mjs writes
// `schemas/compiled/<schema>.js` beside the copied schemas); compiling the two agent schemas when a process
// starts took ~250 ms of every CLI run and of the language server's first analysis. A missing or stale file
// (its stamp names the schema text it was compiled from) falls back to compiling here, once per process.

const SCHEMA_FILE: Record<Product, string> = { nomad: 'nomad-agent.schema.json', consul: 'consul-agent.schema.json' };
const validators = new Map<Product, { fn: ValidateFunction | null; source: 'precompiled' | 'compiled' | 'none' }>();

/** The options every agent-schema validator is compiled with (at build time and as the fallback). */
function agentAjv(source: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, ...(source ? { code: { source: true } } : {}) });
  registerSchemaKeywords(ajv);
  return ajv;
}

/**
 * The non-standard keywords of our agent schemas: `x-server-only` (root annotation: the settings only servers
 * use) and `x-rejected` (a key the decoder accepts but the agent rejects in that block; the value is the agent's
 * error text, which becomes the validation error). `x-rejected` is generated code (not a validate function), so
 * a validator that uses it can be compiled to a standalone module.
 */
export function registerSchemaKeywords(ajv: Ajv): void {
  ajv.addKeyword({ keyword: 'x-server-only', schemaType: 'array' });
  ajv.addKeyword({
    keyword: 'x-rejected',
    schemaType: 'string',
    error: { message: (cxt) => str`${cxt.schema as string}`, params: (cxt) => _`{message: ${cxt.schema as string}}` },
    code(cxt) {
      cxt.fail(_`true`);
    },
  });
}

/** What a compiled validator module records about the schema it came from: changes when the schema does. */
export function schemaStamp(schema: unknown): string {
  return createHash('sha256').update(JSON.stringify(schema), 'utf8').digest('hex').slice(0, 16);
}

/** The standalone module (CommonJS) of a product's validator, with its stamp: what the build writes. */
export function standaloneValidator(product: Product): { file: string; code: string } | undefined {
  const schema = loadSchema(SCHEMA_FILE[product]);
  if (!schema || typeof schema !== 'object') return undefined;
  const ajv = agentAjv(true);
  const code = standaloneCode(ajv, ajv.compile(schema as object));
  return { file: compiledFile(product), code: `${code}\nmodule.exports.stamp = ${JSON.stringify(schemaStamp(schema))};\n` };
}

function compiledFile(product: Product): string {
  return `compiled/${SCHEMA_FILE[product].replace(/\.json$/, '.js')}`;
}

function precompiled(product: Product, schema: object): ValidateFunction | undefined {
  const dir = findAssetDir('schemas', SCHEMA_FILE[product]);
  const file = dir && path.join(dir, compiledFile(product));
  return file ? loadPrecompiled(file, schema) : undefined;
}

/** A compiled validator module, when it exists, loads and was compiled from this very schema. */
export function loadPrecompiled(file: string, schema: object): ValidateFunction | undefined {
  if (!existsSync(file)) return undefined;
  try {
    // A path known only at run time: the bundle keeps this a plain Node require.
    const mod = require(file) as ValidateFunction & { stamp?: string };
    return typeof mod === 'function' && mod.stamp === schemaStamp(schema) ? mod : undefined;
  } catch {
    return undefined;
  }
}

export function validatorFor(product: Product): ValidateFunction | undefined {
  return validatorEntry(product).fn ?? undefined;
}

/** Where a product's validator came from (tests: the build's module is used, a stale one is not). */
export function validatorSource(product: Product): 'precompiled' | 'compiled' | 'none' {
  return validatorEntry(product).source;
}

function validatorEntry(product: Product): { fn: ValidateFunction | null; source: 'precompiled' | 'compiled' | 'none' } {
  let entry = validators.get(product);
  if (entry) return entry;
  const schema = loadSchema(SCHEMA_FILE[product]);
  if (schema && typeof schema === 'object') {
    const pre = precompiled(product, schema);
    entry = pre ? { fn: pre, source: 'precompiled' } : { fn: agentAjv(false).compile(schema), source: 'compiled' };
  } else entry = { fn: null, source: 'none' };
  validators.set(product, entry);
  return entry;
}

export interface ServerOnlyPath {
  readonly path: string;
  readonly source: string;
  /** The agent's default: the same value written on a client changes nothing (a stock template's `ports { serf = 4648 }`). */
  readonly default?: number | string | boolean;
}

export function serverOnlyPaths(product: Product): readonly ServerOnlyPath[] {
  const schema = loadSchema(SCHEMA_FILE[product]) as { 'x-server-only'?: ServerOnlyPath[] } | undefined;
  return schema?.['x-server-only'] ?? [];
}

export interface ValidatedConfig {
  readonly cfg: ParsedAgentConfig;
  readonly json: ConfigJson;
  readonly errors: readonly ErrorObject[];
}

/**
 * Keyed by the parse result, which the engine reuses while a config's text is
 * unchanged: a keystroke elsewhere does not validate every config again.
 */
const cache = new WeakMap<
  ParsedAgentConfig['parse'],
  { readonly product: string; readonly text: string; readonly json: ConfigJson; readonly errors: readonly ErrorObject[] }
>();

/** Converts and validates one config. */
export function validateConfig(cfg: ParsedAgentConfig): ValidatedConfig {
  const hit = cache.get(cfg.parse);
  if (hit && hit.product === cfg.product && hit.text === cfg.doc.text.text) return { cfg, json: hit.json, errors: hit.errors };
  const json = configToJson(cfg);
  const validate = validatorFor(cfg.product);
  let errors: readonly ErrorObject[] = [];
  if (validate && !validate(json.value)) errors = validate.errors ?? [];
  cache.set(cfg.parse, { product: cfg.product, text: cfg.doc.text.text, json, errors });
  return { cfg, json, errors };
}

/** Properties a schema node declares, following a local `$ref` once. */
export function knownKeysAt(schemaNode: unknown): string[] {
  if (!schemaNode || typeof schemaNode !== 'object') return [];
  const props = (schemaNode as { properties?: Record<string, unknown> }).properties;
  return props ? Object.keys(props).filter((k) => k !== '$schema') : [];
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions: `rcp` → `rpc` is 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/** The closest known key, when close enough to be a likely typo. */
const closestCache = new Map<string, string | undefined>();

/** The known key closest to `key` (memoised: the same typo is looked up on every analysis). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const memo = `${key}\0${known.join(',')}`;
  if (closestCache.has(memo)) return closestCache.get(memo);
  const result = computeClosestKey(key, known);
  if (closestCache.size > 10_000) closestCache.clear();
  closestCache.set(memo, result);
  return result;
}

function computeClosestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const k = key.toLowerCase();
  for (const cand of known) {
    const d = editDistance(k, cand.toLowerCase());
    if (d < bestD || (d === bestD && best !== undefined && cand.length < best.length)) {
      best = cand;
      bestD = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(Math.max(key.length, best.length) / 3)));
  return bestD <= limit ? best : undefined;
}
