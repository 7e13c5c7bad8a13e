/**
 * `# hashistack-review-ignore <ruleId> <reason>` (also `//` in HCL) on the
 * finding's line or the line above silences that rule there. Per-rule
 * severities (settings, `.hashistack-review.json`) apply after that.
 */
import type { RuleSeveritySetting } from './api';
import type { DeploymentModel } from './model/deploymentModel';
import type { Finding } from './types';

const DIRECTIVE = /(?:#|\/\/)\s*hashistack-review-ignore\s+([A-Za-z0-9_\-/,]+)/;

export function applySuppressions(findings: readonly Finding[], model: DeploymentModel, severities: Readonly<Record<string, RuleSeveritySetting>>): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const sev = severities[f.ruleId] ?? severities[f.category];
    if (sev === 'off') continue;
    if (isSuppressed(f, model)) continue;
    out.push(sev ? { ...f, severity: sev } : f);
  }
  return out;
}

function isSuppressed(f: Finding, model: DeploymentModel): boolean {
  const src = model.files.get(f.span.file);
  if (!src) return false;
  const line = src.positionAt(f.span.start).line;
  for (const l of [line, line - 1]) {
    if (l < 0) continue;
    const m = DIRECTIVE.exec(src.lineText(l));
    if (m && m[1]!.split(',').some((id) => id === f.ruleId || id === f.category || id === 'all')) return true;
  }
  return false;
}
