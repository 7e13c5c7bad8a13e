import type { ParsedHclFile } from '../workspace/parsedFiles';
import { dirOf, joinRel } from '../workspace/fileKinds';

/** Directories of Terraform root modules: directories with `.tf` files that no local `module` block uses as its source. */
export function terraformRootModules(tfFiles: readonly ParsedHclFile[]): string[] {
  const dirs = new Set<string>();
  const called = new Set<string>();
  for (const f of tfFiles) {
    const dir = dirOf(f.file);
    dirs.add(dir);
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== 'module') continue;
      for (const a of item.body.items) {
        if (a.kind !== 'attribute' || a.name !== 'source' || a.value.type !== 'string') continue;
        const src = a.value.value;
        if (src.startsWith('./') || src.startsWith('../')) called.add(joinRel(dir, src));
      }
    }
  }
  return [...dirs].filter((d) => !called.has(d)).sort();
}
