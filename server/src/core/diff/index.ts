/** Build and role diffs: pure comparison (`diffBuilds`, `diffRoles`), formats, and side loading. */
export * from './types';
export { diffBuilds, diffRoles, displayFingerprint, findingKey } from './diffBuilds';
export { formatBuildDiff, formatRoleDiff, buildDiffMarkdown, buildDiffText, roleDiffMarkdown, roleDiffText } from './format';
export type { DiffFormat, MarkdownOptions } from './format';
export { loadSide, parseSideSpec, readGitTree, gitLocation, sideOf } from './sides';
export type { LoadedSide, SideSpec } from './sides';
