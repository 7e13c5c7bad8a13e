import * as path from 'node:path';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';
import type { Finding } from '../../../../server/src/core/types';

export const ROOT = path.join(__dirname, '../../../../..');
export const MY_RULES = ['hcl-syntax', 'unknown-config-key', 'invalid-config-value', 'server-only-key', 'duplicate-config-key'];

/** Analyzes an in-memory workspace and returns the findings of one rule. */
export function run(files: Record<string, string>, ruleId: string): { ws: Workspace; findings: Finding[] } {
  const ws = new Workspace('/tmp/x');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return { ws, findings: r.findings.filter((f) => f.ruleId === ruleId) };
}

/** The host text a finding points at. */
export function spanText(ws: Workspace, f: Finding): string {
  return ws.sourceText(f.span.file)!.text.slice(f.span.start, f.span.end);
}

/** Offset of the `n`th occurrence (0-based) of `needle` in `text`. */
export function at(text: string, needle: string, n = 0): number {
  let i = -1;
  for (let k = 0; k <= n; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `${needle} not found`);
  }
  return i;
}

export async function exampleFindings(name: string): Promise<Finding[]> {
  const ws = await Workspace.load(path.join(ROOT, 'examples', name));
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return r.findings.filter((f) => MY_RULES.includes(f.ruleId));
}
