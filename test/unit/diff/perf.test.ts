import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EffectiveSetting, RoleView } from '../../../server/src/core/api';
import { diffBuilds } from '../../../server/src/core/diff/diffBuilds';
import { formatBuildDiff } from '../../../server/src/core/diff/format';
import type { BuildSide } from '../../../server/src/core/diff/types';
import type { Finding } from '../../../server/src/core/types';
import { examplePath } from '../../support/paths';
import { copyDir, run } from './helpers';

/** An example build plus `extra` generated Terraform/agent config files. */
async function bigBuild(example: string, dir: string, extra: number, salt: string): Promise<void> {
  await copyDir(examplePath(example), dir);
  const modules = path.join(dir, 'terraform/generated');
  await fs.mkdir(modules, { recursive: true });
  const configs = path.join(dir, 'shared/packer/config/generated');
  await fs.mkdir(configs, { recursive: true });
  for (let i = 0; i < extra; i++) {
    if (i % 2 === 0)
      await fs.writeFile(
        path.join(modules, `m${i}.tf`),
        `variable "v${i}" {\n  type    = string\n  default = "${salt}-${i % 7}"\n}\n\nlocals {\n  l${i} = var.v${i}\n}\n`,
      );
    else await fs.writeFile(path.join(configs, `c${i}.hcl`), `# generated ${salt}\ndatacenter = "dc${i % 3}"\nlog_level = "INFO"\n`);
  }
}

test('two 1,000-file builds diff end to end (timing logged)', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hsr-diff-perf-'));
  try {
    await bigBuild('mixed-os', path.join(tmp, 'a'), 980, 'a');
    await bigBuild('windows-only', path.join(tmp, 'b'), 980, 'b');
    const t0 = performance.now();
    const r = await run([path.join(tmp, 'a'), path.join(tmp, 'b'), '--format', 'json'], tmp);
    const ms = performance.now() - t0;
    assert.equal(r.code, 0, r.err);
    console.log(`diff of two ~1,000-file builds (load + analyze + diff + format): ${ms.toFixed(0)} ms`);
    assert.ok(JSON.parse(r.out).roles.length > 0);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

function synthetic(n: number, salt: string): BuildSide {
  const roles: RoleView[] = [];
  for (let r = 0; r < 100; r++) {
    const settings: EffectiveSetting[] = [];
    for (let i = 0; i < n / 100; i++) {
      const value = i % 10 === 0 ? `${salt}${i}` : `v${i}`;
      settings.push({
        path: `block${i % 13}.key${i}`,
        value,
        display: JSON.stringify(value),
        secret: false,
        span: { file: `f${r}.hcl`, start: i, end: i + 1 },
        chain: [{ span: { file: 'terraform.tfvars', start: i, end: i + 1 }, note: 'hop' }],
      });
    }
    roles.push({ id: `role${r}/nomad`, name: `role${r}`, kind: 'server', product: 'nomad', sources: [], settings });
  }
  const findings: Finding[] = [];
  for (let i = 0; i < n / 10; i++)
    findings.push({
      ruleId: `r${i % 50}`,
      category: 'version',
      severity: 'error',
      message: `m ${i} at line ${i}`,
      span: { file: `f${i % 100}.hcl`, start: i, end: i },
      related: [],
    });
  return {
    root: salt,
    roles,
    findings,
    fileProblems: [],
    versions: [],
    inputs: [],
    configErrors: [],
    sources: { positionAt: (_f, o) => ({ line: o, character: 0 }) },
  };
}

test('diffBuilds scales linearly: 10x the settings takes about 10x the time (logged, not asserted)', () => {
  const times: string[] = [];
  for (const n of [10_000, 100_000]) {
    const a = synthetic(n, 'a');
    const b = synthetic(n, 'b');
    const t0 = performance.now();
    const d = diffBuilds(a, b);
    formatBuildDiff(d, 'json');
    const ms = performance.now() - t0;
    times.push(`${n} settings: ${ms.toFixed(0)} ms`);
    assert.equal(d.summary.settingsChanged, n / 10);
  }
  console.log(`diffBuilds + JSON on synthetic results: ${times.join(', ')}`);
});
