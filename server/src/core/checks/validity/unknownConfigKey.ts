/**
 * unknown-config-key: a key the agent does not know (`rcp` for `rpc`,
 * `server` for `servers`), found by validating the HCL v1 decoding of each
 * rendered agent config against schemas/<product>-agent.schema.json.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { Finding } from '../../types';
import type { DeploymentModel } from '../../model/deploymentModel';
import { closestKey, escapePointer, knownKeysAt, validateConfig } from './configJson';
import { keyVersion, pinnedVersionFor } from './configKeyVersion';

/** Keys Nomad's extraKeys() removes from the top-level unknown keys, with the block they belong in. */
const NOMAD_HOISTED = new Map<string, string>([
  ['options', 'client { }'],
  ['meta', 'client { }'],
  ['chroot_env', 'client { }'],
  ['servers', 'client { }'],
  ['server_join', 'client { } or server { }'],
  ['template', 'client { }'],
  ['enabled_schedulers', 'server { }'],
  ['start_join', 'server { }'],
  ['retry_join', 'server { }'],
]);

export const unknownConfigKey: Check = {
  id: 'unknown-config-key',
  category: 'schema',
  severity: 'warning',
  title: 'Nomad/Consul agent config key the agent does not know (typo or wrong block)',
  run(model) {
    // ps-replace / sed-replace read these findings too (the key a replace renamed): computed once per model.
    let hit = byModel.get(model);
    if (hit === undefined) byModel.set(model, (hit = unknownKeys(model)));
    return hit;
  },
};

const byModel = new WeakMap<DeploymentModel, Finding[]>();

function unknownKeys(model: DeploymentModel): Finding[] {
  const out: Finding[] = [];
  for (const cfg of model.configs) {
    const { json, errors } = validateConfig(cfg);
    const seen = new Set<string>();
    for (const err of errors) {
      if (err.keyword !== 'additionalProperties') continue;
      const prop = (err.params as { additionalProperty?: string }).additionalProperty;
      if (prop === undefined) continue;
      const ptr = `${err.instancePath}/${escapePointer(prop)}`;
      if (seen.has(ptr)) continue;
      seen.add(ptr);
      const info = json.pointers.get(ptr);
      if (!info) continue;
      const parentPath = info.path.includes('.') ? info.path.slice(0, info.path.lastIndexOf('.')) : '';
      const where = parentPath ? ` in the \`${parentPath}\` block` : ' at the top level';
      // A key some release knew (schemas/config-key-versions.json `removedIn`) is config-key-version's when the pinned
      // version is known: it decides whether that release still knows it.
      if (keyVersion(cfg.product, info.path)?.removedIn !== undefined && pinnedVersionFor(model, cfg) !== undefined) continue;
      const known = knownKeysAt(err.parentSchema);
      // Consul decodes its config with mapstructure, which matches field names case-insensitively: `"gRPC": 8502` is `grpc`.
      if (cfg.product === 'consul' && known.some((k) => k.toLowerCase() === prop.toLowerCase())) continue;
      const suggestion = closestKey(prop, known);
      const hint = suggestion ? ` Did you mean \`${suggestion}\`?` : '';
      const top = info.path.split('.')[0];
      let effect: string;
      if (cfg.product === 'nomad' && (top === 'consul' || top === 'vault')) {
        effect = `Nomad decodes the \`${top}\` block loosely and silently ignores it: the setting has no effect.`;
      } else if (cfg.product === 'nomad' && parentPath === '' && NOMAD_HOISTED.has(prop.toLowerCase())) {
        // HCL v1 hoists keys of nested blocks to the top level, so Nomad drops these names from its extra-keys check
        // (command/agent/config_parse.go, extraKeys): at the top level they are silently ignored, not rejected.
        effect = `Nomad does not reject it at the top level but silently ignores it (it belongs in \`${NOMAD_HOISTED.get(prop.toLowerCase())}\`): the setting has no effect${/join|servers/.test(prop) ? ', so the agent does not find its servers this way ("no servers")' : ''}.`;
      } else if (cfg.product === 'nomad') {
        effect = `Nomad refuses to start: \`unexpected keys ${prop}\`.`;
      } else {
        effect = `Consul refuses to start: \`invalid config key ${info.path}\`.`;
      }
      const span = cfg.doc.text.toHost(info.keyStart, info.keyEnd);
      const written = model.files.get(span.file)?.text.slice(span.start, span.end);
      const rewritten =
        written !== undefined && written.replace(/^"(.*)"$/, '$1') !== prop ? ` (the host text here is \`${written}\`: a script step rewrote it)` : '';
      const fixes = suggestion ? [{ title: `Rename \`${prop}\` to \`${suggestion}\``, edits: [{ span, newText: suggestion }] }] : undefined;
      const canFix = suggestion && cfg.doc.text.isExactAt(info.keyStart) && span.end - span.start === prop.length;
      out.push(
        finding({
          check: unknownConfigKey,
          span,
          message: `Unknown ${cfg.product === 'nomad' ? 'Nomad' : 'Consul'} config key \`${prop}\`${where}${rewritten}. ${effect}${hint}`,
          ...(canFix ? { fixes } : {}),
        }),
      );
    }
  }
  return out;
}
