import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runDiff } from '../../../server/src/cli/diffCommand';
import { examplePath } from '../../support/paths';

export interface RunOut {
  code: number;
  out: string;
  err: string;
}

export async function run(argv: string[], cwd: string): Promise<RunOut> {
  let out = '';
  let err = '';
  const code = await runDiff(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd });
  return { code, out, err };
}

/** `name = value` pairs of an example's terraform.tfvars (quotes stripped). */
export async function tfvars(example: string): Promise<Map<string, string>> {
  const text = await fs.readFile(path.join(examplePath(example), 'terraform/control/terraform.tfvars'), 'utf8');
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const x = /^\s*([A-Za-z_][\w-]*)\s*=\s*(.*?)\s*(#.*)?$/.exec(line);
    if (x) m.set(x[1]!, x[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return m;
}

/** Every value of a key containing key/token/encrypt in both examples' tfvars. */
export async function secretValues(): Promise<string[]> {
  const out = new Set<string>();
  for (const ex of ['mixed-os', 'windows-only']) {
    for (const [k, v] of await tfvars(ex)) if (/key|token|encrypt/i.test(k) && k !== 'key_name') out.add(v);
  }
  return [...out];
}

export async function copyDir(src: string, dst: string): Promise<void> {
  await fs.cp(src, dst, { recursive: true });
}
