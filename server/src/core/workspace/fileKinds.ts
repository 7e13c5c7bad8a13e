/**
 * What kind of deployment file a path is, from its name alone. Content-based
 * refinements (a `.ps1` loaded by `templatefile`, a `.hcl` that is an agent
 * config) happen later, in the model.
 */
export type FileKind =
  'terraform' | 'tfvars' | 'packer-hcl' | 'packer-json' | 'hcl' | 'json' | 'powershell' | 'bash' | 'template' | 'systemd' | 'review-config';

export const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.terraform', '.e2e-cache', '.vscode-test', '.hg', '.svn']);

export function classifyFile(relPath: string): FileKind | undefined {
  const name = (relPath.split('/').pop() ?? relPath).toLowerCase();
  if (name === '.hashistack-review.json') return 'review-config';
  if (name.endsWith('.pkr.hcl') || name.endsWith('.pkrvars.hcl')) return 'packer-hcl';
  if (name.endsWith('.pkr.json')) return 'packer-json';
  if (name.endsWith('.tf') || name.endsWith('.tf.json')) return 'terraform';
  if (name.endsWith('.tfvars') || name.endsWith('.tfvars.json')) return 'tfvars';
  if (name.endsWith('.hcl') || name.endsWith('.nomad') || name.endsWith('.hcl.tpl')) return 'hcl';
  if (name.endsWith('.ps1') || name.endsWith('.psm1') || name.endsWith('.ps1.tpl') || name.endsWith('.ps1.tftpl')) return 'powershell';
  if (name.endsWith('.sh') || name.endsWith('.bash') || name.endsWith('.sh.tpl') || name.endsWith('.sh.tftpl')) return 'bash';
  if (name.endsWith('.tpl') || name.endsWith('.tftpl') || name.endsWith('.tmpl')) return 'template';
  if (name.endsWith('.service')) return 'systemd';
  if (name.endsWith('.json')) return packerOrAgentJson(name);
  return undefined;
}

function packerOrAgentJson(name: string): FileKind | undefined {
  if (name === 'package.json' || name === 'package-lock.json' || name === 'tsconfig.json') return undefined;
  return 'json';
}

/** The directory part of a root-relative path ('' for the root). */
export function dirOf(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}

export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] ?? p;
}

/** Joins and normalises root-relative paths (`a/b` + `../c` = `a/c`). */
export function joinRel(dir: string, rel: string): string {
  const out: string[] = [];
  for (const part of `${dir}/${rel}`.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}
