/**
 * The public face of the analysis core: what the CLI, the language server,
 * the diff command and the benchmarks consume. No LSP or VS Code types here.
 */
import type { ChainStep, FileProblem, Finding, Product, RoleKind, Severity, Span } from './types';

export type RuleSeveritySetting = Severity | 'off';

export interface AnalysisSettings {
  /** Per-rule severity overrides (`off` silences the rule). */
  readonly ruleSeverity?: Readonly<Record<string, RuleSeveritySetting>>;
  /** Path of `.hashistack-review.json`, relative to the root (default `.hashistack-review.json`). */
  readonly configPath?: string;
  /** Files above this size are reported and skipped. */
  readonly maxFileBytes?: number;
}

/** One setting of a role's effective agent configuration. */
export interface EffectiveSetting {
  /** Dotted path: `client.servers`, `server.encrypt`, `tls.rpc`, `encrypt`, `consul.token`. */
  readonly path: string;
  /** JSON value after merging; undefined when unknown. */
  readonly value: unknown;
  /** What may be shown to a user: secrets masked. */
  readonly display: string;
  readonly secret: boolean;
  /** Where the setting is written (the key = value in the host file). */
  readonly span: Span;
  /** Where the value came from, outermost first (tfvars -> variable -> templatefile -> template -> script). */
  readonly chain: readonly ChainStep[];
  /** Set when the value could not be resolved, with the reason. */
  readonly unknownReason?: string;
}

export interface RoleView {
  /** Stable id, e.g. `windows-client/nomad`. */
  readonly id: string;
  readonly name: string;
  readonly kind: RoleKind;
  readonly product: Product;
  /** Files that contribute to the role's configuration (root-relative). */
  readonly sources: readonly string[];
  readonly settings: readonly EffectiveSetting[];
}

/** What an image or a node installs of a product. */
export interface InstalledVersion {
  readonly product: 'nomad' | 'consul' | 'vault';
  readonly os: 'linux' | 'windows';
  /** The resolved version, or undefined when unpinned/unknown. */
  readonly version: string | undefined;
  readonly pinned: boolean;
  readonly reason?: string;
  readonly span: Span;
  readonly chain: readonly ChainStep[];
}

export interface HoverInfo {
  readonly span: Span;
  /** Markdown, secrets masked. */
  readonly markdown: string;
}

export interface AnalysisResult {
  readonly root: string;
  readonly roles: readonly RoleView[];
  readonly findings: readonly Finding[];
  readonly fileProblems: readonly FileProblem[];
  readonly versions: readonly InstalledVersion[];
  /** Deployment inputs (tfvars values), secrets masked in `display`. */
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly display: string; readonly secret: boolean; readonly span: Span }>;
  /** Problems in `.hashistack-review.json` (schema errors name the field). */
  readonly configErrors: readonly string[];
}
