/**
 * Gossip encryption. Consul: every agent, clients included, must carry the
 * same `encrypt` key. Nomad: `server.encrypt` matters among servers only;
 * clients do not gossip. Symptoms (memberlist): "no installed keys could
 * decrypt the message", "encryption is configured but remote state is not
 * encrypted".
 */
import type { Check } from '../check';
import { finding, label, rolesOf } from '../check';
import { describeEntry, sideRelated } from './compare';
import { threadValueFix } from './threadValueFix';

const SYMPTOM = '"no installed keys could decrypt the message" / "encryption is configured but remote state is not encrypted"';

export const consulEncryptDrift: Check = {
  id: 'gossip-consul-encrypt',
  category: 'gossip',
  severity: 'error',
  title: 'Consul gossip key missing or different on an agent',
  run(model) {
    const roles = rolesOf(model, 'consul');
    const withKey = roles.filter((r) => r.settings.get('encrypt')?.value !== undefined || r.settings.get('encrypt')?.unknownReason);
    if (withKey.length === 0) return [];
    const ref = withKey.find((r) => r.kind === 'server') ?? withKey[0]!;
    const refEntry = ref.settings.get('encrypt')!;
    const out = [];
    for (const role of roles) {
      if (role === ref) continue;
      const e = role.settings.get('encrypt');
      if (!e) {
        out.push(
          finding({
            check: this,
            span: sideRelated(role, undefined, 'encrypt')[0]!.span,
            message: `Consul gossip encryption drift: ${label(role)} has no \`encrypt\` key while ${describeEntry(model, ref, refEntry, 'encrypt')}. The agent cannot join the encrypted LAN pool: ${SYMPTOM}.`,
            related: sideRelated(ref, refEntry, 'encrypt'),
            fixes: threadValueFix(model, role, 'encrypt', refEntry),
          }),
        );
      } else if (e.value !== undefined && refEntry.value !== undefined && e.value !== refEntry.value) {
        out.push(
          finding({
            check: this,
            span: e.keySpan,
            message: `Consul gossip key differs: ${label(role)} encrypt = ${e.display}, ${label(ref)} encrypt = ${refEntry.display}. Agents with different keys cannot gossip: ${SYMPTOM}. A persisted serf/local.keyring also overrides the config ("WARNING: LAN keyring exists but -encrypt given, using keyring").`,
            related: [...sideRelated(role, e, 'encrypt').slice(1), ...sideRelated(ref, refEntry, 'encrypt')],
          }),
        );
      }
    }
    return out;
  },
};

export const nomadEncryptPlacement: Check = {
  id: 'gossip-nomad-encrypt',
  category: 'gossip',
  severity: 'warning',
  title: 'Nomad gossip key on a client, or different between servers',
  run(model) {
    const out = [];
    const servers = rolesOf(model, 'nomad').filter((r) => r.kind === 'server');
    for (const role of rolesOf(model, 'nomad')) {
      const e = role.settings.get('server.encrypt');
      if (role.kind !== 'server' && e && !(role.settings.get('server.enabled')?.value === true)) {
        out.push(
          finding({
            check: this,
            span: e.keySpan,
            message: `${label(role)} sets server.encrypt, but Nomad clients do not gossip: the key only matters on servers, and shipping it to clients spreads a secret for nothing.`,
            related: [],
          }),
        );
      }
    }
    // Several server configs (e.g. one per script) must carry the same key.
    const keys = servers.flatMap((r) => r.allEntries.filter((e) => e.path === 'server.encrypt' && e.value !== undefined));
    const first = keys[0];
    for (const k of keys.slice(1)) {
      if (first && k.value !== first.value) {
        out.push(
          finding({
            check: this,
            span: k.keySpan,
            severity: 'error',
            message: `Nomad servers have different gossip keys (${k.display} vs ${first.display}): ${SYMPTOM}.`,
            related: [{ span: first.keySpan, message: `other server key ${first.display}` }],
          }),
        );
      }
    }
    return out;
  },
};
