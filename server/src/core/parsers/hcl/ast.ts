/**
 * Syntax tree of the tolerant HCL parser. Offsets are UTF-16 offsets into the
 * parsed text (which may be a virtual document: map them with MappedText).
 *
 * One tree serves HCL v1 (Nomad/Consul agent configs, `hcl.Decode`), HCL 2
 * (Terraform, Packer) and JSON agent configs (converted to the same shape).
 */

export interface HclNode {
  readonly start: number;
  readonly end: number;
}

/** A problem with one escape sequence in a quoted string. */
export interface HclEscapeIssue extends HclNode {
  /** `invalid`: HCL rejects it (`illegal char escape`); `control`: valid but turns into a control char (\t, \n, \r, \a, \b, \f, \v). */
  readonly kind: 'invalid' | 'control';
  /** The escape as written, e.g. `\H`, `\t`. */
  readonly sequence: string;
}

export type HclTemplatePart =
  | (HclNode & { readonly kind: 'literal'; readonly value: string })
  | (HclNode & { readonly kind: 'interpolation'; readonly expr: HclExpr; readonly stripLeft: boolean; readonly stripRight: boolean })
  | (HclNode & { readonly kind: 'directive'; readonly keyword: 'if' | 'else' | 'endif' | 'for' | 'endfor' | string; readonly raw: string });

export type HclExpr =
  | (HclNode & {
      readonly type: 'string';
      /** Decoded value with interpolations and directives kept as written (`${var.x}`). */
      readonly value: string;
      readonly parts: readonly HclTemplatePart[];
      /** Offsets of the content, inside quotes / heredoc markers. */
      readonly contentStart: number;
      readonly contentEnd: number;
      readonly heredoc: boolean;
      readonly escapeIssues: readonly HclEscapeIssue[];
    })
  | (HclNode & { readonly type: 'number'; readonly value: number; readonly raw: string })
  | (HclNode & { readonly type: 'bool'; readonly value: boolean })
  | (HclNode & { readonly type: 'null' })
  | (HclNode & { readonly type: 'list'; readonly items: readonly HclExpr[] })
  | (HclNode & { readonly type: 'object'; readonly items: readonly HclAttribute[] })
  /** `var.x`, `local.y`, `module.a.out`, `path.module`, `each.value` (index steps as `[0]`). */
  | (HclNode & { readonly type: 'traversal'; readonly path: readonly string[] })
  | (HclNode & { readonly type: 'call'; readonly name: string; readonly args: readonly HclExpr[] })
  /**
   * Anything else (conditional, for-expression, operators, splat): kept as raw text. A conditional or an operator
   * chain also keeps its operands (`cond ? templatefile(a) : templatefile(b)`), so calls inside them are still found.
   */
  | (HclNode & {
      readonly type: 'other';
      readonly raw: string;
      readonly operands?: readonly HclExpr[];
      /** `( inner )`: a parenthesized expression. */
      readonly inner?: HclExpr;
      /** `!operand` or `-operand` (a negative number literal is a `number`). */
      readonly unary?: { readonly op: '!' | '-'; readonly operand: HclExpr };
      /** A for-expression whose parts were all read (`[for v in c : x]`, `{for k, v in c : k => v if cond}`). */
      readonly forExpr?: HclForExpr;
    });

/**
 * A for-expression (HCL native syntax spec, "For Expressions"): `[for <valueVar> in <collection> : <value> if <cond>]`
 * or `{for <keyVar>, <valueVar> in <collection> : <key> => <value>... if <cond>}`.
 */
export interface HclForExpr {
  /** `{…}` makes an object, `[…]` a tuple. */
  readonly object: boolean;
  /** The first symbol of the two-symbol form (the key or index). */
  readonly keyVar?: string;
  readonly valueVar: string;
  readonly collection: HclExpr;
  /** The key expression of the object form. */
  readonly key?: HclExpr;
  readonly value: HclExpr;
  /** `...` after the value: the object form groups values by key. */
  readonly grouping: boolean;
  readonly condition?: HclExpr;
}

export interface HclAttribute extends HclNode {
  readonly kind: 'attribute';
  readonly name: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly value: HclExpr;
}

export interface HclLabel extends HclNode {
  readonly value: string;
}

export interface HclBlock extends HclNode {
  readonly kind: 'block';
  readonly type: string;
  readonly typeStart: number;
  readonly typeEnd: number;
  readonly labels: readonly HclLabel[];
  readonly body: HclBody;
}

export interface HclBody extends HclNode {
  readonly items: ReadonlyArray<HclAttribute | HclBlock>;
}

export interface HclSyntaxDiagnostic extends HclNode {
  readonly message: string;
}

export interface HclParseResult {
  readonly body: HclBody;
  readonly diagnostics: readonly HclSyntaxDiagnostic[];
}

export type HclDialect = 'hcl1' | 'hcl2';
