/**
 * Core values (UTF-16 offsets in root-relative files) -> LSP values. Offsets
 * are converted with the file's `SourceText` as the core holds it, which for
 * an open document is the editor buffer itself.
 */
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { Diagnostic, DiagnosticRelatedInformation, Location, Range } from 'vscode-languageserver/node';
import type { Finding, Severity, Span } from '../core/types';
import type { FolderState } from './folders';
import type { DiagnosticData } from './protocol';

export const DIAGNOSTIC_SOURCE = 'hashistack-review';

const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function rangeOfSpan(folder: FolderState, span: Span): Range {
  const text = folder.workspace?.sourceText(span.file);
  return text === undefined ? ZERO_RANGE : text.rangeOf(span.start, span.end);
}

export function locationOfSpan(folder: FolderState, span: Span): Location {
  return { uri: folder.uriOf(span.file), range: rangeOfSpan(folder, span) };
}

export function toSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
  }
}

export function toDiagnostic(folder: FolderState, finding: Finding): Diagnostic {
  const relatedInformation: DiagnosticRelatedInformation[] = finding.related.map((r) => ({
    location: locationOfSpan(folder, r.span),
    message: r.message,
  }));
  const data: DiagnosticData = { category: finding.category };
  const diagnostic: Diagnostic = {
    range: rangeOfSpan(folder, finding.span),
    severity: toSeverity(finding.severity),
    code: finding.ruleId,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data,
  };
  if (relatedInformation.length > 0) diagnostic.relatedInformation = relatedInformation;
  return diagnostic;
}

/** A problem in the review config file, shown at its first character. */
export function configErrorDiagnostic(message: string): Diagnostic {
  return { range: ZERO_RANGE, severity: DiagnosticSeverity.Error, code: 'config', source: DIAGNOSTIC_SOURCE, message };
}

export function rangesEqual(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

export function rangesIntersect(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
