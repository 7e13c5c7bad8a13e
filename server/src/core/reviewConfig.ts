/**
 * `.hashistack-review.json`: roles declared or overridden by path, ignored
 * paths and per-rule severities. Validated with ajv against the schema the
 * tool ships; a bad file gets an error naming the field, never a crash.
 */
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Product, RoleKind } from './types';
import type { RuleSeveritySetting } from './api';
import { loadSchema } from './assets';

export interface RoleOverride {
  readonly path: string;
  readonly kind: RoleKind;
  readonly product?: Product;
}

/** Root modules (directories or globs) that deploy one cluster together. */
export interface ClusterDeclaration {
  readonly name: string;
  readonly paths: readonly string[];
}

export interface ReviewConfig {
  readonly roles: readonly RoleOverride[];
  readonly ignore: readonly string[];
  readonly rules: Readonly<Record<string, RuleSeveritySetting>>;
  readonly clusters: readonly ClusterDeclaration[];
}

export const EMPTY_REVIEW_CONFIG: ReviewConfig = { roles: [], ignore: [], rules: {}, clusters: [] };

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction | undefined {
  if (validator) return validator;
  const schema = loadSchema('hashistack-review.schema.json');
  if (!schema) return undefined;
  const ajv = new Ajv({ allErrors: true, strict: false });
  validator = ajv.compile(schema as object);
  return validator;
}

export function parseReviewConfig(text: string, fileName: string): { config: ReviewConfig; errors: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { config: EMPTY_REVIEW_CONFIG, errors: [`${fileName}: not valid JSON (${(err as Error).message})`] };
  }
  const validate = getValidator();
  if (!validate) return { config: EMPTY_REVIEW_CONFIG, errors: [`${fileName}: the schema hashistack-review.schema.json is missing from this installation`] };
  if (!validate(data)) {
    return { config: EMPTY_REVIEW_CONFIG, errors: (validate.errors ?? []).map((e) => `${fileName}: ${describeAjvError(e)}`) };
  }
  const d = data as { roles?: RoleOverride[]; ignore?: string[]; rules?: Record<string, RuleSeveritySetting>; clusters?: ClusterDeclaration[] };
  return { config: { roles: d.roles ?? [], ignore: d.ignore ?? [], rules: d.rules ?? {}, clusters: d.clusters ?? [] }, errors: [] };
}

export function describeAjvError(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.replace(/^\//, '').replace(/\//g, '.') : '(root)';
  if (e.keyword === 'additionalProperties') return `${where}: unknown field "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`;
  if (e.keyword === 'enum')
    return `${where}: must be one of ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where}: ${e.message ?? e.keyword}`;
}

/** `**` any path, `*` any name part, `?` one character; matched against root-relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}
