/**
 * `client.no_host_uuid = false` makes a Nomad client derive its node ID from
 * the host's hardware UUID. Instances cloned from one image can share it, and
 * the second node is refused: "node secret ID does not match. Not registering
 * node." Nomad's default is true (command/agent/config.go DefaultConfig:
 * NoHostUUID true); setting it false on an image-built fleet is the bug.
 */
import type { Finding } from '../../types';
import type { Check } from '../check';
import { clientRoles, finding, label } from '../check';
import { packerProvisioners } from '../../packer';

export const hostUuidIdentity: Check = {
  id: 'identity-host-uuid',
  category: 'identity',
  severity: 'warning',
  title: 'Nomad client node IDs derived from the host UUID on cloned images',
  run(model) {
    const out: Finding[] = [];
    const imageBuilt = packerProvisioners(model).length > 0;
    for (const role of clientRoles(model, 'nomad')) {
      const e = role.settings.get('client.no_host_uuid');
      if (!e || e.unknownReason || !(e.value === false || e.value === 'false')) continue;
      out.push(
        finding({
          check: this,
          span: e.keySpan,
          severity: imageBuilt ? 'error' : 'warning',
          message: `${label(role)} sets client.no_host_uuid = false: the node ID comes from the host's hardware UUID${imageBuilt ? ', and these nodes are cloned from a Packer image' : ''}. Clones can share it, and Nomad refuses the second one: "node secret ID does not match. Not registering node." Remove the setting (the default is true) or set it to true.`,
          fixes: [
            {
              title: 'Set client.no_host_uuid = true (Nomad’s default)',
              edits: e.doc.text.isExactAt(e.expr.start) ? [{ span: e.valueSpan, newText: 'true' }] : [],
            },
          ].filter((f) => f.edits.length > 0),
        }),
      );
    }
    return out;
  },
};
