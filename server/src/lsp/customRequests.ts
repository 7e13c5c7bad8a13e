/**
 * The `hashistack/*` requests the VS Code client uses for its commands:
 * the roles of the workspace, a role's effective configuration and the
 * value chain at a position. Parameters come from the wire and are checked.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { AnalysisScheduler } from './diagnostics';
import type { FolderRegistry } from './folders';
import type { NavigationProvider } from './navigation';
import type { EffectiveConfigParams, EffectiveConfigResult, RoleSummary, RolesParams, RolesResult, ValueChainParams, ValueChainResult } from './protocol';
import { EFFECTIVE_CONFIG_REQUEST, ROLES_REQUEST, VALUE_CHAIN_REQUEST } from './protocol';
import { runSafe } from './runSafe';

export function registerCustomRequests(connection: Connection, folders: FolderRegistry, scheduler: AnalysisScheduler, navigation: NavigationProvider): void {
  const console = connection.console;

  connection.onRequest(ROLES_REQUEST, (params: RolesParams | undefined, token) =>
    runSafe<RolesResult>(console, ROLES_REQUEST, token, { roles: [] }, () => {
      const wanted = typeof params?.folderUri === 'string' ? params.folderUri : undefined;
      const roles: RoleSummary[] = [];
      for (const folder of folders.all()) {
        if (wanted !== undefined && folder.uri !== wanted) continue;
        const result = scheduler.fresh(folder);
        for (const r of result?.roles ?? []) roles.push({ id: r.id, name: r.name, kind: r.kind, product: r.product, folderUri: folder.uri });
      }
      return { roles };
    }),
  );

  connection.onRequest(EFFECTIVE_CONFIG_REQUEST, (params: EffectiveConfigParams | undefined, token) =>
    runSafe<EffectiveConfigResult>(console, EFFECTIVE_CONFIG_REQUEST, token, { text: null }, () => {
      if (typeof params?.roleId !== 'string') return { text: null };
      const wanted = typeof params.folderUri === 'string' ? params.folderUri : undefined;
      for (const folder of folders.all()) {
        if (wanted !== undefined && folder.uri !== wanted) continue;
        const result = scheduler.fresh(folder);
        if (result === undefined || folder.workspace === undefined) continue;
        if (!result.roles.some((r) => r.id === params.roleId)) continue;
        const text = folder.workspace.renderRole(result, params.roleId);
        if (text !== undefined) return { text };
      }
      return { text: null };
    }),
  );

  connection.onRequest(VALUE_CHAIN_REQUEST, (params: ValueChainParams | undefined, token) =>
    runSafe<ValueChainResult>(console, VALUE_CHAIN_REQUEST, token, { markdown: null }, () => {
      if (typeof params?.uri !== 'string' || !isPosition(params.position)) return { markdown: null };
      const found = navigation.hoverInfo(params.uri, params.position);
      return { markdown: found?.info.markdown ?? null };
    }),
  );
}

function isPosition(p: unknown): p is { line: number; character: number } {
  if (typeof p !== 'object' || p === null) return false;
  const { line, character } = p as Record<string, unknown>;
  return typeof line === 'number' && typeof character === 'number';
}
