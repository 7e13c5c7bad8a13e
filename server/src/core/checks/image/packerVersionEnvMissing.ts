/**
 * packer-version-env-missing: one Packer provisioner passes NOMAD_VERSION /
 * CONSUL_VERSION / VAULT_VERSION in `environment_vars`, another provisioner
 * that installs the same product passes none (its script falls back to a
 * default or to the latest release).
 */
import type { Finding, FixSpec, RelatedInfo } from '../../types';
import type { HclExpr } from '../../parsers/hcl/ast';
import type { PackerProvisioner } from '../../packer';
import { packerProvisioners, provisionerRuns } from '../../packer';
import { finding } from '../check';
import type { Check } from '../check';
import { effectiveVersions } from './imageVersionSkew';
import { lineOf } from './shared';
import { baseName } from '../../workspace/fileKinds';

export const packerVersionEnvMissing: Check = {
  id: 'packer-version-env-missing',
  category: 'version',
  severity: 'warning',
  title: 'A version is passed to one Packer provisioner (environment_vars) but not to another that installs the same product',
  run(model) {
    const out: Finding[] = [];
    const provs = packerProvisioners(model);
    const versions = effectiveVersions(model);
    for (const p of provs) {
      if (p.scripts.length === 0) continue;
      const missing: string[] = [];
      const notes: string[] = [];
      const related: RelatedInfo[] = [];
      let unpinned = false;
      for (const product of ['nomad', 'consul', 'vault'] as const) {
        const name = `${product.toUpperCase()}_VERSION`;
        const other = provs.find((q) => q !== p && q.env?.has(name));
        if (!other || p.env?.has(name)) continue;
        const installs = versions.filter((v) => v.product === product && provisionerRuns(model, p, v.span.file));
        if (installs.length === 0) continue;
        // A script that never reads the variable (`choco install nomad -y`, a hard-coded URL) would install the same
        // version with it: adding it to environment_vars changes nothing. image-version-skew reports that drift.
        if (!installs.some((v) => readsEnv(model.files.get(v.span.file)?.text, v.span.file, name))) continue;
        const got = installs.find((v) => !v.pinned && /current at build time/.test(v.reason ?? '')) ?? installs.find((v) => !v.pinned) ?? installs[0]!;
        if (!got.pinned) unpinned = true;
        missing.push(name);
        notes.push(
          `${product}: ${got.version ?? `unpinned (${got.reason ?? 'whatever is current at build time'})`} at ${lineOf(model, got.span)}, while ${lineOf(model, other.span)} passes ${name} to ${other.scripts.join(', ') || 'its script'}`,
        );
        related.push(
          { span: other.span, message: `${other.type} provisioner passes ${name}` },
          { span: got.span, message: `${baseName(got.span.file)} installs ${product} ${got.version ?? '(unpinned)'}` },
        );
      }
      if (missing.length === 0) continue;
      out.push(
        finding({
          check: packerVersionEnvMissing,
          severity: unpinned ? 'error' : 'warning',
          span: p.span,
          message:
            `This ${p.type} provisioner runs ${p.scripts.join(', ')} without ${missing.join(' / ')} in environment_vars, so the script picks its own version — ${notes.join('; ')}. ` +
            'The images drift (the AMI tags still show the Packer variable): a Nomad client newer than the servers gets `rpc error: Permission denied` on `Node.GetClientAllocs`. ' +
            `Add ${missing.map((n) => `"${n}=\${var.${n.toLowerCase()}}"`).join(', ')} to environment_vars.`,
          related,
          fixes: pinFix(model, p, provs, missing),
        }),
      );
    }
    return out;
  },
};

/**
 * Whether a script names the environment variable at all (`$NOMAD_VERSION`, `${NOMAD_VERSION:-…}`, `$env:NOMAD_VERSION`,
 * `GetEnvironmentVariable('NOMAD_VERSION')`). PowerShell's environment names are case-insensitive on Windows.
 */
function readsEnv(text: string | undefined, file: string, name: string): boolean {
  if (text === undefined) return true;
  const re = new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`, /\.ps1$/i.test(file) ? 'i' : '');
  return re.test(text);
}

/**
 * "Pin the version both images use": copies the other provisioner's
 * `NAME=...` entries into this one's `environment_vars` (created when absent).
 * Only for HCL templates; the entries are copied as written there.
 */
function pinFix(model: Parameters<Check['run']>[0], p: PackerProvisioner, provs: readonly PackerProvisioner[], missing: readonly string[]): FixSpec[] {
  const src = model.files.get(p.file);
  if (!src || p.file.endsWith('.json')) return [];
  // Keep the file's line endings: a CRLF template stays CRLF.
  const nl = src.text.includes('\r\n') ? '\r\n' : '\n';
  const entries: string[] = [];
  for (const name of missing) {
    const other = provs.find((q) => q !== p && q.env?.has(name) && !q.file.endsWith('.json'));
    const list = other && envList(other);
    const item = list?.items.find((i) => i.type === 'string' && i.value.startsWith(`${name}=`));
    const text = item && model.files.get(other!.file)?.text.slice(item.start, item.end);
    if (text) entries.push(text);
  }
  if (entries.length === 0) return [];
  const own = envList(p);
  if (own) {
    // Before the closing bracket of the existing list.
    const closing = own.end - 1;
    const indent = lineIndent(src.text, own.items[0]?.start ?? own.start) || '      ';
    const sep = own.items.length > 0 && !/,\s*$/.test(src.text.slice(own.items[own.items.length - 1]!.end, closing)) ? ',' : '';
    const at = own.items.length > 0 ? own.items[own.items.length - 1]!.end : own.start + 1;
    return [
      {
        title: `Pin the version the other image uses: add ${entries.join(', ')} to environment_vars`,
        edits: [{ span: { file: p.file, start: at, end: at }, newText: `${sep}${nl}${entries.map((e) => `${indent}${e},`).join(nl)}` }],
      },
    ];
  }
  const first = p.block.body.items[0];
  const indent = first ? lineIndent(src.text, first.start) : '    ';
  const open = src.text.indexOf('{', p.block.typeEnd);
  if (open < 0 || open > p.block.end) return [];
  const text = `${nl}${indent}environment_vars = [${nl}${entries.map((e) => `${indent}  ${e},`).join(nl)}${nl}${indent}]`;
  return [
    {
      title: `Pin the version the other image uses: pass ${entries.join(', ')} in environment_vars`,
      edits: [{ span: { file: p.file, start: open + 1, end: open + 1 }, newText: text }],
    },
  ];
}

function envList(p: PackerProvisioner): Extract<HclExpr, { type: 'list' }> | undefined {
  for (const i of p.block.body.items) if (i.kind === 'attribute' && i.name === 'environment_vars' && i.value.type === 'list') return i.value;
  return undefined;
}

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}
