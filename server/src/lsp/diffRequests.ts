/**
 * `hashistack/diffBuilds` and `hashistack/diffRoles`: the build diff for the
 * VS Code commands. Sides are folders or `git:<rev>[:<dir>]`, resolved
 * against the workspace root; git trees are read from the object database,
 * never checked out. Every string returned is masked.
 *
 * Wire it from server.ts with:
 *   registerDiffRequests(connection, () => folders.all()[0]?.root);
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResponseError, ErrorCodes } from 'vscode-languageserver/node';
import type { Connection } from 'vscode-languageserver/node';
import { diffBuilds, diffRoles } from '../core/diff/diffBuilds';
import { buildDiffMarkdown, roleDiffMarkdown } from '../core/diff/format';
import type { MarkdownOptions } from '../core/diff/format';
import { loadSide, parseSideSpec } from '../core/diff/sides';
import type { LoadedSide } from '../core/diff/sides';
import { secretRedactor } from '../core/results';

export const DIFF_BUILDS_REQUEST = 'hashistack/diffBuilds';
export const DIFF_ROLES_REQUEST = 'hashistack/diffRoles';

export interface DiffBuildsParams {
  /** A folder (absolute, or relative to the workspace root) or `git:<rev>` / `git:<rev>:<dir>`. */
  readonly left: string;
  readonly right: string;
}

export interface DiffRolesParams {
  /** Role ids (`windows-client/nomad`) or kinds (`windows-client`, paired by product). */
  readonly roleA: string;
  readonly roleB: string;
  readonly product?: 'nomad' | 'consul';
  /** The build folder (default: the workspace root). */
  readonly folder?: string;
}

export interface DiffResponse {
  /** Summary with `file:line` links. */
  readonly markdown: string;
  /** Rendered effective configuration (masked) per role id, per side. */
  readonly left: Record<string, string>;
  readonly right: Record<string, string>;
  readonly leftLabel: string;
  readonly rightLabel: string;
}

function fileLink(root: string): (file: string, line: number) => string {
  return (file, line) => `${pathToFileURL(path.join(root, ...file.split('/'))).href}#L${line}`;
}

function renders(s: LoadedSide, ids?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const result = s.side;
  for (const r of result.roles) {
    if (ids && !ids.includes(r.id)) continue;
    out[r.id] = s.workspace.renderRole(result, r.id) ?? '';
  }
  return out;
}

function redactAll(sides: LoadedSide[], resp: DiffResponse): DiffResponse {
  const rs = sides.flatMap((s) => s.workspace.models.map((m) => secretRedactor(m)));
  const red = (t: string): string => rs.reduce((x, r) => r.redact(x), t);
  const map = (m: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, red(v)]));
  return { ...resp, markdown: red(resp.markdown), left: map(resp.left), right: map(resp.right) };
}

function requireRoot(getWorkspaceRoot: () => string | undefined): string {
  const root = getWorkspaceRoot();
  if (!root) throw new ResponseError(ErrorCodes.InvalidRequest, 'Open a workspace folder first.');
  return root;
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new ResponseError(ErrorCodes.InvalidParams, `${name} must be a non-empty string`);
  return v;
}

function asResponseError(err: unknown): ResponseError<void> {
  return err instanceof ResponseError ? err : new ResponseError(ErrorCodes.InternalError, err instanceof Error ? err.message : String(err));
}

export async function computeBuildDiff(params: DiffBuildsParams, root: string): Promise<DiffResponse> {
  const left = str(params?.left, 'left');
  const right = str(params?.right, 'right');
  const [l, r] = await Promise.all([loadSide(parseSideSpec(left, root), left), loadSide(parseSideSpec(right, root), right)]);
  const diff = diffBuilds(l.side, r.side);
  const links = { left: fileLink(l.workspace.root), right: fileLink(r.workspace.root) };
  const opts: MarkdownOptions = { link: (side, file, line) => links[side](file, line) };
  return redactAll([l, r], { markdown: buildDiffMarkdown(diff, opts), left: renders(l), right: renders(r), leftLabel: left, rightLabel: right });
}

export async function computeRoleDiff(params: DiffRolesParams, root: string): Promise<DiffResponse> {
  const a = str(params?.roleA, 'roleA');
  const b = str(params?.roleB, 'roleB');
  const product = params?.product === 'nomad' || params?.product === 'consul' ? params.product : undefined;
  const folder = typeof params?.folder === 'string' && params.folder ? params.folder : '.';
  const s = await loadSide(parseSideSpec(folder, root), folder);
  const ids = s.side.roles.map((r) => r.id);
  const expand = (k: string): string[] => (k.includes('/') ? [k] : product ? [`${k}/${product}`] : ids.filter((id) => id.startsWith(`${k}/`)));
  const pairs = expand(a).flatMap((x) =>
    expand(b)
      .filter((y) => y.split('/')[1] === x.split('/')[1])
      .map((y) => [x, y] as const),
  );
  if (pairs.length === 0) throw new ResponseError(ErrorCodes.InvalidParams, `No roles ${a} and ${b} in this build (roles: ${ids.join(', ') || 'none'}).`);
  const link = fileLink(s.workspace.root);
  const md = pairs.map(([x, y]) => roleDiffMarkdown(diffRoles(s.side, x, y), { link: (_side, file, line) => link(file, line) })).join('\n');
  const all = renders(s);
  const pick = (list: readonly string[]): Record<string, string> => Object.fromEntries(list.map((id) => [id, all[id] ?? '']));
  // Keyed by the pair so that vscode.diff opens windows-client/nomad against linux-client/nomad.
  const left = pick(pairs.map((p) => p[0]));
  const right: Record<string, string> = {};
  for (const [x, y] of pairs) right[x] = all[y] ?? '';
  return redactAll([s], { markdown: md, left, right, leftLabel: a, rightLabel: b });
}

export function registerDiffRequests(connection: Connection, getWorkspaceRoot: () => string | undefined): void {
  connection.onRequest(DIFF_BUILDS_REQUEST, async (params: DiffBuildsParams) => {
    try {
      return await computeBuildDiff(params, requireRoot(getWorkspaceRoot));
    } catch (err) {
      connection.console.error(`${DIFF_BUILDS_REQUEST} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw asResponseError(err);
    }
  });
  connection.onRequest(DIFF_ROLES_REQUEST, async (params: DiffRolesParams) => {
    try {
      return await computeRoleDiff(params, requireRoot(getWorkspaceRoot));
    } catch (err) {
      connection.console.error(`${DIFF_ROLES_REQUEST} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw asResponseError(err);
    }
  });
}
