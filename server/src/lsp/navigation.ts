/**
 * Hover (a setting's effective value per role and the chain of files it
 * travels) and go-to-definition (`${var}` in a template -> templatefile()
 * argument and tfvars value), straight from the core.
 */
import { MarkupKind } from 'vscode-languageserver/node';
import type { Hover, Location, Position } from 'vscode-languageserver/node';
import type { HoverInfo } from '../core/api';
import type { AnalysisScheduler } from './diagnostics';
import type { FolderRegistry } from './folders';
import { locationOfSpan, rangeOfSpan } from './convert';

export class NavigationProvider {
  constructor(
    private readonly folders: FolderRegistry,
    private readonly scheduler: AnalysisScheduler,
  ) {}

  hoverInfo(uri: string, position: Position): { info: HoverInfo; hover: Hover } | undefined {
    const located = this.folders.locate(uri);
    if (located === undefined) return undefined;
    const { folder, file } = located;
    const result = this.scheduler.forDocument(folder, uri);
    const workspace = folder.workspace;
    const text = workspace?.sourceText(file);
    if (result === undefined || workspace === undefined || text === undefined) return undefined;
    const info = workspace.hoverAt(result, file, text.offsetAt(position));
    if (info === undefined) return undefined;
    return {
      info,
      hover: { contents: { kind: MarkupKind.Markdown, value: info.markdown }, range: rangeOfSpan(folder, info.span) },
    };
  }

  hover(uri: string, position: Position): Hover | null {
    return this.hoverInfo(uri, position)?.hover ?? null;
  }

  definition(uri: string, position: Position): Location[] {
    const located = this.folders.locate(uri);
    if (located === undefined) return [];
    const { folder, file } = located;
    const result = this.scheduler.forDocument(folder, uri);
    const workspace = folder.workspace;
    const text = workspace?.sourceText(file);
    if (result === undefined || workspace === undefined || text === undefined) return [];
    return workspace.definitionAt(result, file, text.offsetAt(position)).map((span) => locationOfSpan(folder, span));
  }
}
