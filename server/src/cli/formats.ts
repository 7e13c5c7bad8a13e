/**
 * Output formats of `hashistack-review check`: text for terminals, the JSON
 * contract (README), and SARIF 2.1.0 for code-scanning UIs. 1-based lines
 * and columns (UTF-16 columns, as editors count them).
 */
import type { AnalysisResult } from '../core/api';
import type { Finding, Span } from '../core/types';
import type { SourceText } from '../core/text/sourceText';
import { ALL_CHECKS } from '../core/checks/registry';

export interface JsonRange {
  readonly start: { readonly line: number; readonly column: number };
  readonly end: { readonly line: number; readonly column: number };
}

type TextOf = (file: string) => SourceText | undefined;

export function jsonRange(span: Span, textOf: TextOf): JsonRange {
  const src = textOf(span.file);
  if (!src) return { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  const r = src.rangeOf(span.start, span.end);
  return { start: { line: r.start.line + 1, column: r.start.character + 1 }, end: { line: r.end.line + 1, column: r.end.character + 1 } };
}

export function toJsonReport(result: AnalysisResult, version: string, textOf: TextOf): unknown {
  return {
    tool: 'hashistack-review',
    version,
    root: result.root,
    roles: result.roles.map((r) => ({ name: r.name, kind: r.kind, product: r.product, sources: r.sources })),
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      category: f.category,
      severity: f.severity,
      message: f.message,
      file: f.span.file,
      range: jsonRange(f.span, textOf),
      related: f.related.map((r) => ({ file: r.span.file, range: jsonRange(r.span, textOf), message: r.message })),
    })),
    fileProblems: result.fileProblems,
    configErrors: result.configErrors,
  };
}

export function toText(result: AnalysisResult, textOf: TextOf): string {
  const lines: string[] = [];
  for (const f of result.findings) {
    const r = jsonRange(f.span, textOf);
    lines.push(`${f.span.file}:${r.start.line}:${r.start.column} ${f.severity} ${f.ruleId} ${f.message}`);
    for (const rel of f.related) {
      const rr = jsonRange(rel.span, textOf);
      lines.push(`    ${rel.span.file}:${rr.start.line}:${rr.start.column} ${rel.message}`);
    }
  }
  for (const p of result.fileProblems) lines.push(`${p.file}: skipped: ${p.reason}`);
  for (const e of result.configErrors) lines.push(`config error: ${e}`);
  const counts = countBySeverity(result.findings);
  lines.push(
    `${result.findings.length} finding(s): ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info; roles: ${result.roles.map((r) => r.id).join(', ') || 'none found'}`,
  );
  return lines.join('\n');
}

export function countBySeverity(findings: readonly Finding[]): Record<'error' | 'warning' | 'info', number> {
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function toSarif(result: AnalysisResult, version: string, textOf: TextOf): unknown {
  const region = (span: Span) => {
    const r = jsonRange(span, textOf);
    return { startLine: r.start.line, startColumn: r.start.column, endLine: r.end.line, endColumn: r.end.column };
  };
  const location = (span: Span, message?: string) => ({
    physicalLocation: { artifactLocation: { uri: encodeURI(span.file), uriBaseId: 'SRCROOT' }, region: region(span) },
    ...(message ? { message: { text: message } } : {}),
  });
  const used = new Set(result.findings.map((f) => f.ruleId));
  const rules = ALL_CHECKS.filter((c) => used.has(c.id)).map((c) => ({
    id: c.id,
    name: c.id,
    shortDescription: { text: c.title },
    // No published repository URL exists to link to: the help points at the page shipped with the tool.
    help: { text: `${c.title}. What it catches, why it breaks the cluster, how to fix it: docs/rules/${c.id}.md in hashistack-review.` },
    properties: { category: c.category },
    defaultConfiguration: { level: SARIF_LEVEL[c.severity] },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'hashistack-review', version, rules } },
        originalUriBaseIds: { SRCROOT: { uri: `file://${result.root.endsWith('/') ? result.root : `${result.root}/`}` } },
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [location(f.span)],
          relatedLocations: f.related.map((r, i) => ({ id: i, ...location(r.span, r.message) })),
          properties: { category: f.category },
        })),
      },
    ],
  };
}
