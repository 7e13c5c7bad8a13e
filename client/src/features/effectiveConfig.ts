/**
 * "HashiStack: Show Effective Config": pick a role, see its merged agent
 * configuration (secrets masked) as a read-only virtual document.
 */
import * as vscode from 'vscode';
import { RequestType } from 'vscode-languageclient/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EFFECTIVE_CONFIG_REQUEST, ROLES_REQUEST } from '../protocol';
import type { EffectiveConfigParams, EffectiveConfigResult, RolesParams, RolesResult } from '../protocol';
import type { VirtualDocuments } from './virtualDocuments';

const rolesRequest = new RequestType<RolesParams, RolesResult, void>(ROLES_REQUEST);
const effectiveConfigRequest = new RequestType<EffectiveConfigParams, EffectiveConfigResult, void>(EFFECTIVE_CONFIG_REQUEST);

export function registerEffectiveConfig(getClient: () => LanguageClient | undefined, docs: VirtualDocuments): vscode.Disposable {
  docs.registerRenderer('effective-config', async (uri) => {
    const client = getClient();
    const query = new URLSearchParams(uri.query);
    const roleId = query.get('role') ?? '';
    const folderUri = query.get('folder') ?? undefined;
    if (client === undefined) return '# The HashiStack Review server is not running.\n';
    const result = await client.sendRequest(effectiveConfigRequest, folderUri === undefined ? { roleId } : { roleId, folderUri });
    return result.text ?? `# No effective configuration for role "${roleId}".\n`;
  });

  return vscode.commands.registerCommand('hashistackReview.showEffectiveConfig', async () => {
    const client = getClient();
    if (client === undefined) {
      void vscode.window.showWarningMessage('The HashiStack Review server is not running.');
      return;
    }
    const { roles } = await client.sendRequest(rolesRequest, {});
    if (roles.length === 0) {
      void vscode.window.showInformationMessage('HashiStack Review found no Nomad or Consul roles in this workspace.');
      return;
    }
    const multiRoot = new Set(roles.map((r) => r.folderUri)).size > 1;
    const picked = await vscode.window.showQuickPick(
      roles.map((role) => ({
        label: role.name,
        description: `${role.product} · ${role.kind}`,
        detail: multiRoot ? vscode.Uri.parse(role.folderUri).fsPath : undefined,
        role,
      })),
      { placeHolder: 'Show the effective configuration of which role?' },
    );
    if (picked === undefined) return;
    const query = new URLSearchParams({ role: picked.role.id, folder: picked.role.folderUri }).toString();
    const uri = docs.uri('effective-config', `${picked.role.id}.hcl`, query);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  });
}
