/**
 * "HashiStack: Show Value Chain": where the value under the cursor comes
 * from (tfvars -> variable -> templatefile -> template -> script), as a
 * markdown preview beside the editor.
 */
import * as vscode from 'vscode';
import { RequestType } from 'vscode-languageclient/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import { VALUE_CHAIN_REQUEST } from '../protocol';
import type { ValueChainParams, ValueChainResult } from '../protocol';
import type { VirtualDocuments } from './virtualDocuments';

const valueChainRequest = new RequestType<ValueChainParams, ValueChainResult, void>(VALUE_CHAIN_REQUEST);

export function registerValueChain(getClient: () => LanguageClient | undefined, docs: VirtualDocuments): vscode.Disposable {
  // The rendered markdown per virtual URI, filled just before the preview opens.
  const rendered = new Map<string, string>();
  docs.registerRenderer('value-chain', (uri) => rendered.get(uri.toString()) ?? '_Run "HashiStack: Show Value Chain" again._\n');

  return vscode.commands.registerCommand('hashistackReview.showValueChain', async () => {
    const editor = vscode.window.activeTextEditor;
    const client = getClient();
    if (editor === undefined || client === undefined) {
      void vscode.window.showInformationMessage('Place the cursor on a setting in a deployment file first.');
      return;
    }
    const position = editor.selection.active;
    const result = await client.sendRequest(valueChainRequest, {
      uri: client.code2ProtocolConverter.asUri(editor.document.uri),
      position: { line: position.line, character: position.character },
    });
    if (result.markdown === null) {
      void vscode.window.showInformationMessage('HashiStack Review knows no value chain at the cursor.');
      return;
    }
    const uri = docs.uri('value-chain', 'value-chain.md');
    rendered.set(uri.toString(), result.markdown);
    docs.refresh(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      // No markdown extension: show the source instead.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { viewColumn: vscode.ViewColumn.Beside });
    }
  });
}
