/**
 * What kind of deployment file a path is, from its name alone. Content-based
 * refinements (a `.ps1` loaded by `templatefile`, a `.hcl` that is an agent
 * config) happen later, in the model.
 */
export type FileKind =
  | 'terraform'
  | 'tfvars'
  | 'packer-hcl'
  | 'packer-json'
  | 'hcl'
  | 'json'
  | 'powershell'
  | 'bash'
  | 'template'
  | 'systemd'
  | 'review-config'
  /** A Docker Compose file (`docker-compose*.yml`, `compose*.yaml`): its services' command lines may start agents. */
  | 'compose'
  /** A `.env` file: Compose reads the variables of the file in its project directory. */
  | 'dotenv';

export const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.terraform', '.e2e-cache', '.vscode-test', '.hg', '.svn']);

export function classifyFile(relPath: string): FileKind | undefined {
  const name = relPath.slice(relPath.lastIndexOf('/') + 1).toLowerCase();
  if (name === '.hashistack-review.json') return 'review-config';
  // Before the cloud-init names below (`compose.init.yml` is a Compose file).
  if (isComposeFileName(name)) return 'compose';
  if (name === '.env') return 'dotenv';
  if (name.endsWith('.pkr.hcl') || name.endsWith('.pkrvars.hcl')) return 'packer-hcl';
  if (name.endsWith('.pkr.json')) return 'packer-json';
  if (name.endsWith('.tf') || name.endsWith('.tf.json')) return 'terraform';
  if (name.endsWith('.tfvars') || name.endsWith('.tfvars.json')) return 'tfvars';
  if (name.endsWith('.hcl') || name.endsWith('.nomad') || name.endsWith('.hcl.tpl')) return 'hcl';
  if (name.endsWith('.ps1') || name.endsWith('.psm1') || name.endsWith('.ps1.tpl') || name.endsWith('.ps1.tftpl')) return 'powershell';
  if (name.endsWith('.sh') || name.endsWith('.bash') || name.endsWith('.sh.tpl') || name.endsWith('.sh.tftpl')) return 'bash';
  if (name.endsWith('.tpl') || name.endsWith('.tftpl') || name.endsWith('.tmpl')) return 'template';
  // cloud-init user data kept as YAML (`cloud-init.yaml`, `user-data.yml`) and rendered with templatefile().
  if ((name.endsWith('.yaml') || name.endsWith('.yml')) && /cloud|user[-_.]?data|init/.test(name)) return 'template';
  // Windows unattend / FirstLogonCommands XML a .tf reads into a VM's boot (`additional_unattend_config { content =
  // file("FirstLogonCommands.xml") }`): read as text, so the boot path it runs is known.
  if (name.endsWith('.xml') && /unattend|firstlogon/.test(name)) return 'template';
  if (name.endsWith('.service')) return 'systemd';
  if (name.endsWith('.json')) return packerOrAgentJson(name);
  return undefined;
}

/**
 * `docker-compose.yml`, `docker-compose.server.yaml`, `compose.yml`, `compose.override.yaml`: the names Compose looks
 * for (compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml) and the usual per-role / override variants.
 */
export function isComposeFileName(name: string): boolean {
  return /^(docker-)?compose([-._][^/]*)?\.ya?ml$/i.test(name);
}

function packerOrAgentJson(name: string): FileKind | undefined {
  if (name === 'package.json' || name === 'package-lock.json' || name === 'tsconfig.json') return undefined;
  return 'json';
}

/**
 * A file's kind from its name and, where the name does not say, its content:
 * an extension-less script with a shell shebang (`run-nomad`, `install-consul`)
 * is bash; a `.tpl`/`.tftpl` template that is a shell script or PowerShell
 * user-data (`#!/bin/bash`, `<powershell>`) is analysed as that script.
 */
export function classifyContent(relPath: string, text: string): FileKind | undefined {
  const byName = classifyFile(relPath);
  if (byName !== undefined && byName !== 'template') return byName;
  const head = text.slice(0, 512).replace(/^\uFEFF/, '');
  if (isShellShebang(head)) return 'bash';
  if (byName === 'template' && /<powershell>|^\s*#\s*ps1(_sysnative)?\b|^\s*<script>/im.test(head)) return 'powershell';
  return byName;
}

/** `#!/bin/bash`, `#!/usr/bin/env bash`, `#!/bin/sh`… on the first line. */
export function isShellShebang(head: string): boolean {
  const first = head.split(/\r?\n/, 1)[0] ?? '';
  return /^#!\s*\S*\b(?:env\s+)?(?:ba|da|z|k)?sh\b/.test(first);
}

/** A name with no extension that could be a script (`run-nomad`), not a well-known non-script file. */
export function maybeExtensionlessScript(relPath: string): boolean {
  const name = relPath.split('/').pop() ?? relPath;
  return (
    !name.includes('.') &&
    !/^(LICENSE|LICENCE|COPYING|NOTICE|AUTHORS|CODEOWNERS|OWNERS|Makefile|Dockerfile|Vagrantfile|Gemfile|Rakefile|Procfile|Jenkinsfile|README|CHANGELOG|VERSION)$/i.test(
      name,
    )
  );
}

/** The directory part of a root-relative path ('' for the root). */
export function dirOf(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}

export function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
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

/** A path as a script writes it, for comparing two scripts' paths (`/etc/nomad.d//nomad.hcl` = `/etc/nomad.d/nomad.hcl`, quotes and case ignored). */
export function normalizeScriptPath(p: string): string {
  return p
    .trim()
    .replace(/^['"]|['"]$/g, '')
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .toLowerCase();
}
