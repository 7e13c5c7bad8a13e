/**
 * Core vocabulary shared by every stage of the analysis. The core never imports
 * LSP or VS Code types: the CLI and the language server share it unchanged.
 *
 * Positions inside the core are UTF-16 offsets into a host file's decoded text
 * (a `Span`). They become 1-based line/column (CLI, JSON, SARIF) or 0-based
 * LSP positions only at the edges, through `SourceText`.
 */

/** A half-open range [start, end) of UTF-16 offsets in one workspace file. */
export interface Span {
  /** Path relative to the analysis root, with `/` separators. */
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** 0-based line and UTF-16 column, as LSP counts them. */
export interface LineCol {
  readonly line: number;
  readonly character: number;
}

export interface LineColRange {
  readonly start: LineCol;
  readonly end: LineCol;
}

export type Severity = 'error' | 'warning' | 'info';

export const CATEGORIES = [
  'version',
  'servers',
  'gossip',
  'tls',
  'acl',
  'identity',
  'state',
  'service',
  'hcl-escape',
  'encoding',
  'ps-replace',
  'ps-expansion',
  'os-setting',
  'template',
  'schema',
  'syntax',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type RoleKind = 'server' | 'linux-client' | 'windows-client';
export type Product = 'nomad' | 'consul';

/** One hop of the path a value travels: where it was written and what happened there. */
export interface ChainStep {
  readonly span: Span;
  /** e.g. `terraform.tfvars sets gossip_key`, `templatefile() passes gossip_key`. */
  readonly note: string;
}

/**
 * A value with its provenance. `unknown` values say why they could not be
 * resolved; the tool never guesses.
 */
export type ResolvedValue =
  | { readonly kind: 'known'; readonly text: string; readonly chain: readonly ChainStep[]; readonly secret?: boolean; readonly shape?: ValueShape }
  | {
      readonly kind: 'unknown';
      readonly reason: string;
      readonly chain: readonly ChainStep[];
      /**
       * Set only by the Terraform model's full evaluation: the value is known to be `null` (a `null` literal, a variable
       * whose default is null). It stays `unknown` for everything else (a null cannot be interpolated, indexed or
       * counted: Terraform fails those); only `==`/`!=` read it (terraform/collections.ts).
       */
      readonly isNull?: true;
    };

/**
 * The type of a known value, when the Terraform model's full evaluation (instance counts) knows it: a primitive's
 * type, or a collection's elements. A collection may be known (its length and keys) while some of its elements are
 * not: Terraform counts `{ for k, v in var.nodes : k => aws_instance.x[k].id }` before apply. Its `text` is then not
 * data. `structural` (lists and maps) tells Terraform's structural types from its collection types, which `==` keeps
 * apart: true for a tuple or an object (a `[…]` / `{…}` literal, a for-expression, an untyped variable's value), false
 * for a list or a map (converted to a declared `list(…)` / `map(…)` type, `tolist()`, `tomap()`), absent when the
 * model does not know which.
 */
export type ValueShape =
  | { readonly type: 'string' | 'number' | 'bool' }
  | { readonly type: 'list' | 'set'; readonly items: readonly ResolvedValue[]; readonly structural?: boolean }
  | { readonly type: 'map'; readonly keys: readonly string[]; readonly items: readonly ResolvedValue[]; readonly structural?: boolean };

/** A text edit on a host file, in the coordinates of the file's decoded text. */
export interface TextEditSpec {
  readonly span: Span;
  readonly newText: string;
}

export interface FixSpec {
  readonly title: string;
  readonly edits: readonly TextEditSpec[];
  /** True when the fix may be applied in bulk ("Fix all in this file"). */
  readonly safeForFixAll?: boolean;
}

export interface RelatedInfo {
  readonly span: Span;
  readonly message: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly related: readonly RelatedInfo[];
  readonly fixes?: readonly FixSpec[];
}

/** A problem reading a file (binary, too large, unreadable) — reported, never fatal. */
export interface FileProblem {
  readonly file: string;
  readonly reason: string;
}
