/**
 * The diff of two builds (or of two roles within one build). Everything here
 * is plain JSON (the `--format json` contract, see docs/diff-json.md): values
 * are the masked `display` strings of the analysis, never raw secrets.
 */
import type { AnalysisResult } from '../api';
import type { LineCol } from '../types';

/** Line lookup for a side's files (0-based, as `SourceText.positionAt`). */
export interface SourceLookup {
  positionAt(file: string, offset: number): LineCol | undefined;
}

/** One side of a diff: an analysis result plus a way to turn offsets into lines. */
export type BuildSide = AnalysisResult & {
  readonly sources: SourceLookup;
  /** What the user named: a folder, `git:HEAD~1`, ... (defaults to `root`). */
  readonly label?: string;
};

/** One hop of a value chain, as `file:line`. */
export interface DiffHop {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly note: string;
}

/** One side of a setting / input / version. */
export interface DiffValue {
  /** Masked display (`•••• (44 chars, sha256:1a2b3c4d)` for secrets). */
  readonly display: string;
  readonly secret: boolean;
  /** `sha256:xxxxxxxx` of a secret (from the display), never the value. */
  readonly fingerprint?: string;
  readonly location?: DiffHop;
  readonly chain: readonly DiffHop[];
  readonly unknownReason?: string;
}

export type ChangeKind = 'changed' | 'added' | 'removed' | 'unchanged';

/**
 * How a setting compares. For secrets: `same (masked)` when both fingerprints
 * agree, `differs` otherwise (see `DiffValue.fingerprint`).
 */
export type SecretComparison = 'same (masked)' | 'differs';

export interface SettingChange {
  readonly path: string;
  readonly change: ChangeKind;
  readonly left?: DiffValue;
  readonly right?: DiffValue;
  /** Present when either side is a secret. */
  readonly secret?: SecretComparison;
}

export interface RoleChanges {
  readonly roleId: string;
  readonly name: string;
  readonly product: string;
  readonly presence: 'both' | 'left-only' | 'right-only';
  readonly changed: readonly SettingChange[];
  readonly added: readonly SettingChange[];
  readonly removed: readonly SettingChange[];
  readonly unchangedCount: number;
}

export interface InputChange {
  readonly name: string;
  readonly change: ChangeKind;
  readonly left?: DiffValue;
  readonly right?: DiffValue;
  readonly secret?: SecretComparison;
}

export interface VersionSide {
  readonly version: string | null;
  readonly pinned: boolean;
  readonly reasons: readonly string[];
  readonly location?: DiffHop;
  readonly chain: readonly DiffHop[];
}

export interface VersionChange {
  readonly product: string;
  readonly os: string;
  readonly change: ChangeKind;
  readonly left?: VersionSide;
  readonly right?: VersionSide;
}

export interface DiffFinding {
  readonly ruleId: string;
  readonly category: string;
  readonly severity: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
}

export interface BuildDiff {
  readonly schemaVersion: 1;
  readonly kind: 'build-diff';
  readonly left: { readonly label: string; readonly root: string };
  readonly right: { readonly label: string; readonly root: string };
  readonly summary: {
    readonly rolesWithChanges: number;
    readonly settingsChanged: number;
    readonly settingsAdded: number;
    readonly settingsRemoved: number;
    readonly inputsChanged: number;
    readonly versionsChanged: number;
    readonly findingsNew: number;
    readonly findingsFixed: number;
    readonly findingsUnchanged: number;
  };
  /** Sorted by role id; one entry per role id of either side. */
  readonly roles: readonly RoleChanges[];
  /** Only inputs that differ (changed / added / removed), by name. */
  readonly inputs: readonly InputChange[];
  /** Every product/os of either side, with the change kind. */
  readonly versions: readonly VersionChange[];
  readonly findings: {
    readonly new: readonly DiffFinding[];
    readonly fixed: readonly DiffFinding[];
    readonly unchanged: readonly DiffFinding[];
  };
}

export interface RoleDiffRow {
  readonly path: string;
  /** `unchanged` rows come last. */
  readonly change: ChangeKind;
  readonly left?: DiffValue;
  readonly right?: DiffValue;
  readonly secret?: SecretComparison;
}

export interface RoleDiff {
  readonly schemaVersion: 1;
  readonly kind: 'role-diff';
  readonly root: string;
  readonly left: { readonly roleId: string; readonly name: string; readonly found: boolean };
  readonly right: { readonly roleId: string; readonly name: string; readonly found: boolean };
  /** Differences first (changed, then only-left, then only-right), then equal settings; by path inside each group. */
  readonly rows: readonly RoleDiffRow[];
  readonly differences: number;
  readonly equal: number;
}
