/**
 * Mirror of `server/src/lsp/protocol.ts`: the custom requests between this
 * client and the language server. The client compiles as its own project and
 * may not import server code, so the declarations below are a verbatim copy;
 * `test/lsp/protocol.test.ts` fails when the two drift apart.
 */

export const ROLES_REQUEST = 'hashistack/roles';
export const EFFECTIVE_CONFIG_REQUEST = 'hashistack/effectiveConfig';
export const VALUE_CHAIN_REQUEST = 'hashistack/valueChain';

/** The code action kind of "Fix all in this file". */
export const FIX_ALL_KIND = 'source.fixAll.hashistack-review';

export type RoleKindName = 'server' | 'linux-client' | 'windows-client';
export type ProductName = 'nomad' | 'consul';

export interface RolesParams {
  /** Restrict to one workspace folder; all folders when omitted. */
  readonly folderUri?: string;
}

export interface RoleSummary {
  readonly id: string;
  readonly name: string;
  readonly kind: RoleKindName;
  readonly product: ProductName;
  /** The workspace folder the role belongs to. */
  readonly folderUri: string;
}

export interface RolesResult {
  readonly roles: RoleSummary[];
}

export interface EffectiveConfigParams {
  readonly roleId: string;
  /** Needed only when several workspace folders define the same role id. */
  readonly folderUri?: string;
}

export interface EffectiveConfigResult {
  /** The role's effective agent configuration as HCL (secrets masked); null when the role is unknown. */
  readonly text: string | null;
}

export interface ValueChainParams {
  readonly uri: string;
  readonly position: { readonly line: number; readonly character: number };
}

export interface ValueChainResult {
  /** Markdown describing the value at the position and the files it travels through; null when there is none. */
  readonly markdown: string | null;
}

/** What the server attaches to each diagnostic's `data`. */
export interface DiagnosticData {
  readonly category: string;
}
