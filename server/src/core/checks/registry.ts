/**
 * Every check the engine runs. A check that throws is reported as failed and
 * the others still run.
 */
import type { DeploymentModel } from '../model/deploymentModel';
import type { Finding } from '../types';
import type { Check } from './check';
import { ALL_CHECKS } from './all';
import { guardShellStringFixes } from './shellStringFixes';

export function runChecks(model: DeploymentModel, checks: readonly Check[] = ALL_CHECKS): { findings: Finding[]; failures: string[] } {
  const findings: Finding[] = [];
  const failures: string[] = [];
  for (const c of checks) {
    try {
      findings.push(...c.run(model));
    } catch (err) {
      failures.push(`check ${c.id} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { findings: guardShellStringFixes(dedupe(findings), model), failures };
}

function dedupe(findings: Finding[]): Finding[] {
  // Keyed by rule and place; messages are compared only when those collide (they are long).
  const seen = new Map<string, Finding[]>();
  return findings.filter((f) => {
    const k = `${f.ruleId}|${f.span.file}|${f.span.start}|${f.span.end}`;
    const same = seen.get(k);
    if (same === undefined) {
      seen.set(k, [f]);
      return true;
    }
    if (same.some((g) => g.message === f.message)) return false;
    same.push(f);
    return true;
  });
}

export { ALL_CHECKS };
