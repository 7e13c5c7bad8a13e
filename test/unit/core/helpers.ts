import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import type { DeploymentModel } from '../../../server/src/core/model/deploymentModel';
import type { ResolvedValue } from '../../../server/src/core/types';
import type { AnalysisResult } from '../../../server/src/core/api';

export function model(files: Record<string, string>): { ws: Workspace; r: AnalysisResult; m: DeploymentModel } {
  const ws = new Workspace('/tmp/hsr-core-test');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return { ws, r, m: ws.model! };
}

export function renderVars(m: DeploymentModel, template: string): ReadonlyMap<string, ResolvedValue> {
  const r = m.renders.find((x) => x.templateFile === template);
  assert.ok(r, `no render of ${template}; renders: ${m.renders.map((x) => x.templateFile).join(', ')}`);
  return r.vars;
}

export function knownText(v: ResolvedValue | undefined): string {
  assert.ok(v, 'value missing');
  assert.equal(v.kind, 'known', v.kind === 'unknown' ? v.reason : '');
  return v.kind === 'known' ? v.text : '';
}

/** The effective setting of a role (`linux-client/nomad`) at a dotted path. */
export function setting(m: DeploymentModel, roleId: string, path: string) {
  const role = m.roles.find((r) => r.id === roleId);
  assert.ok(role, `no role ${roleId}; roles: ${m.roles.map((r) => r.id).join(', ')}`);
  return role.settings.get(path);
}
