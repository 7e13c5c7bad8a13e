/**
 * Quick fixes from the fix data the core recorded with each finding, and
 * "Fix all in this file" from the fixes it marked `safeForFixAll`. Every
 * edit names the version of the open document it was computed for (null for
 * files that are not open), so the client refuses it if the text moved on.
 */
import { CodeActionKind } from 'vscode-languageserver/node';
import type { CodeAction, CodeActionParams, Diagnostic, TextDocumentEdit, TextDocuments, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, FixSpec, TextEditSpec } from '../core/types';
import type { AnalysisScheduler } from './diagnostics';
import type { FolderRegistry, FolderState } from './folders';
import { rangeOfSpan, rangesEqual, rangesIntersect, toDiagnostic } from './convert';
import { FIX_ALL_KIND } from './protocol';

export class CodeActionProvider {
  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly folders: FolderRegistry,
    private readonly scheduler: AnalysisScheduler,
  ) {}

  provide(params: CodeActionParams): CodeAction[] {
    const located = this.folders.locate(params.textDocument.uri);
    if (located === undefined) return [];
    const { folder, file } = located;
    const result = this.scheduler.fresh(folder);
    if (result === undefined) return [];
    const inFile = result.findings.filter((f) => f.span.file === file);
    const only = params.context.only;
    const wants = (kind: string) => only === undefined || only.some((o) => kind === o || kind.startsWith(`${o}.`));

    const actions: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      for (const finding of inFile) {
        if (finding.fixes === undefined || finding.fixes.length === 0) continue;
        const diagnostic = toDiagnostic(folder, finding);
        if (!rangesIntersect(diagnostic.range, params.range)) continue;
        const attached = matchingDiagnostic(params.context.diagnostics, diagnostic);
        finding.fixes.forEach((fix, i) => {
          actions.push({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [attached],
            isPreferred: i === 0,
            edit: this.workspaceEdit(folder, fix.edits),
          });
        });
      }
    }
    const fixAll = this.fixAllEdits(folder, inFile);
    if (fixAll !== undefined) {
      if (actions.length > 0) {
        actions.push({ title: 'Fix all in this file', kind: CodeActionKind.QuickFix, diagnostics: fixAll.diagnostics, edit: fixAll.edit });
      }
      if (wants(FIX_ALL_KIND)) {
        actions.push({ title: 'HashiStack Review: fix all in this file', kind: FIX_ALL_KIND, diagnostics: fixAll.diagnostics, edit: fixAll.edit });
      }
    }
    return actions;
  }

  /** The safe fixes of the file's findings, in order, skipping any that overlaps one already taken. */
  private fixAllEdits(folder: FolderState, findings: readonly Finding[]): { edit: WorkspaceEdit; diagnostics: Diagnostic[] } | undefined {
    const taken: TextEditSpec[] = [];
    const diagnostics: Diagnostic[] = [];
    const sorted = [...findings].sort((a, b) => a.span.start - b.span.start);
    for (const finding of sorted) {
      const fix: FixSpec | undefined = finding.fixes?.find((f) => f.safeForFixAll === true);
      if (fix === undefined) continue;
      if (fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
      taken.push(...fix.edits);
      diagnostics.push(toDiagnostic(folder, finding));
    }
    if (taken.length === 0) return undefined;
    return { edit: this.workspaceEdit(folder, taken), diagnostics };
  }

  /** Edits grouped per file, each file versioned when it is open in the editor. */
  private workspaceEdit(folder: FolderState, edits: readonly TextEditSpec[]): WorkspaceEdit {
    const byFile = new Map<string, TextEdit[]>();
    for (const e of edits) {
      const list = byFile.get(e.span.file) ?? [];
      list.push({ range: rangeOfSpan(folder, e.span), newText: e.newText });
      byFile.set(e.span.file, list);
    }
    const documentChanges: TextDocumentEdit[] = [];
    for (const [file, textEdits] of byFile) {
      const uri = folder.uriOf(file);
      const open = folder.openUris.has(file) ? this.documents.get(uri) : undefined;
      documentChanges.push({ textDocument: { uri, version: open?.version ?? null }, edits: textEdits });
    }
    return { documentChanges };
  }
}

/** The client's own diagnostic object when it sent one for this finding, else ours. */
function matchingDiagnostic(sent: readonly Diagnostic[], ours: Diagnostic): Diagnostic {
  return sent.find((d) => d.code === ours.code && d.message === ours.message && rangesEqual(d.range, ours.range)) ?? ours;
}

function overlaps(a: TextEditSpec, b: TextEditSpec): boolean {
  if (a.span.file !== b.span.file) return false;
  // Two insertions at one offset conflict too: their order would be arbitrary.
  if (a.span.start === b.span.start) return true;
  return a.span.start < b.span.end && b.span.start < a.span.end;
}
