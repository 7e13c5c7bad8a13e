/**
 * packer-version-env-missing: one Packer provisioner passes NOMAD_VERSION /
 * CONSUL_VERSION / VAULT_VERSION in `environment_vars`, another provisioner
 * that installs the same product passes none (its script falls back to a
 * default or to the latest release).
 */
import type { Finding, RelatedInfo } from '../../types';
import { packerProvisioners } from '../../packer';
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
        const installs = versions.filter((v) => v.product === product && p.scripts.includes(baseName(v.span.file).toLowerCase()));
        if (installs.length === 0) continue;
        const got = installs.find((v) => !v.pinned && /current at build time/.test(v.reason ?? '')) ?? installs.find((v) => !v.pinned) ?? installs[0]!;
        if (!got.pinned) unpinned = true;
        missing.push(name);
        notes.push(`${product}: ${got.version ?? `unpinned (${got.reason ?? 'whatever is current at build time'})`} at ${lineOf(model, got.span)}, while ${lineOf(model, other.span)} passes ${name} to ${other.scripts.join(', ') || 'its script'}`);
        related.push({ span: other.span, message: `${other.type} provisioner passes ${name}` }, { span: got.span, message: `${baseName(got.span.file)} installs ${product} ${got.version ?? '(unpinned)'}` });
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
        }),
      );
    }
    return out;
  },
};
