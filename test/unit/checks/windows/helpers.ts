import * as path from 'node:path';
import { Workspace } from '../../../../server/src/core/engine';
import type { Finding, FixSpec } from '../../../../server/src/core/types';

export const EXAMPLES = path.join(__dirname, '../../../../../examples');

export function analyzeFiles(files: Record<string, string>): { ws: Workspace; findings: readonly Finding[] } {
  const ws = new Workspace('/tmp/hsr-windows-test');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  return { ws, findings: r.findings };
}

export function ofRule(findings: readonly Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

/** Applies a fix's edits (one file) to the files map and returns the new map. */
export function applyFix(files: Record<string, string>, fix: FixSpec): Record<string, string> {
  const out = { ...files };
  const edits = [...fix.edits].sort((a, b) => b.span.start - a.span.start);
  for (const e of edits) {
    const t = out[e.span.file]!;
    out[e.span.file] = t.slice(0, e.span.start) + e.newText + t.slice(e.span.end);
  }
  return out;
}

let cache: Map<string, readonly Finding[]> | undefined;
export async function exampleFindings(name: 'windows-only' | 'mixed-os'): Promise<readonly Finding[]> {
  cache ??= new Map();
  const hit = cache.get(name);
  if (hit) return hit;
  const ws = await Workspace.load(path.join(EXAMPLES, name));
  const f = ws.analyze().findings;
  cache.set(name, f);
  return f;
}

export function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}
