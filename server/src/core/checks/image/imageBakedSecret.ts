/**
 * image-baked-secret: a gossip key or an ACL / Consul token written literally
 * into an agent config at image time (a Packer `file` upload, or a script a
 * Packer provisioner runs). Every copy of the image carries it: anyone who can
 * launch or share the image (an AMI shared with another account, a public
 * Vagrant box, a snapshot) has the cluster's gossip key or token, every
 * instance shares one token (no per-node revocation), and rotating it means
 * rebuilding and redeploying every image. Consul also persists the gossip key
 * into `serf/local.keyring` on first start, so a key baked into a started
 * image outlives a config change ("WARNING: LAN keyring exists but -encrypt
 * given, using keyring").
 *
 * A value a boot step fills in (a placeholder the user data replaces, an
 * unknown value) is not reported: only literal secrets are.
 */
import { flattenSettings } from '../../agent/settings';
import type { DeploymentModel } from '../../model/deploymentModel';
import { provisionersRunning } from '../../packer';
import type { Finding } from '../../types';
import { finding, label } from '../check';
import type { Check } from '../check';
import { runTimePlaceholders } from '../validity/runTimePlaceholders';

/** Looks like a placeholder rather than a key or token (`{{ gossip_key }}`, `GOSSIP_KEY`, `<TOKEN>`, `${x}`). */
function placeholderLike(value: string): boolean {
  return /[{}<>$%@]/.test(value) || /^[A-Z0-9_-]+$/.test(value) || value.trim().length < 8;
}

export const imageBakedSecret: Check = {
  id: 'image-baked-secret',
  category: 'state',
  severity: 'warning',
  title: 'A gossip key or ACL token written literally into a config baked into a machine image',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    const substituted = runTimePlaceholders(model);
    const seen = new Set<string>();
    for (const role of model.roles) {
      for (const c of role.configs) {
        const baked = c.doc.imageTime === true || provisionersRunning(model, c.doc.hostFile).length > 0;
        if (!baked) continue;
        for (const e of flattenSettings(c.doc, c.parse.body)) {
          if (!e.secret || e.unknownReason || typeof e.value !== 'string') continue;
          if (placeholderLike(e.value) || substituted.some((p) => e.value === p || (e.value as string).includes(p))) continue;
          const key = `${c.doc.id}\0${e.path}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const what = /encrypt$/.test(e.path) ? 'gossip encryption key' : 'token';
          out.push(
            finding({
              check: this,
              span: e.valueSpan,
              message: `${label(role)}: ${e.path} = ${e.display} is written into the machine image (${c.doc.via} in ${c.doc.hostFile}, run by the image build). Every copy of the image carries this ${what}: whoever can launch or share the image has it, all instances share it, and rotating it means rebuilding every image${what === 'gossip encryption key' ? '; Consul also keeps a key it started with in serf/local.keyring ("WARNING: LAN keyring exists but -encrypt given, using keyring")' : ''}. Write it at boot from the instance's user data (a templatefile() variable or a secret store) instead.`,
            }),
          );
        }
      }
    }
    return out;
  },
};
