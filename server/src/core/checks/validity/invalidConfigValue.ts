/**
 * invalid-config-value: a value of the wrong type or shape for its key
 * (`rpc = "yes"`, `servers = "10.0.0.1"`), as the HCL v1 decoder would reject
 * it. Values not known before the script runs are skipped.
 */
import type { ErrorObject } from 'ajv';
import type { Check } from '../check';
import { finding } from '../check';
import type { Finding } from '../../types';
import { nearestPointer, underUnknown, validateConfig } from './configJson';
import { onRunTimePlaceholder } from './runTimePlaceholders';

function describe(err: ErrorObject): string {
  const parent = err.parentSchema as { description?: string } | undefined;
  if (err.keyword === 'anyOf' && parent?.description) return parent.description;
  const own = err.parentSchema as { description?: string; $ref?: string } | undefined;
  const msg = err.message ?? 'invalid value';
  return own?.description ? `${msg} (${own.description})` : msg;
}

export const invalidConfigValue: Check = {
  id: 'invalid-config-value',
  category: 'schema',
  severity: 'error',
  title: 'Nomad/Consul agent config value of the wrong type',
  run(model) {
    const out: Finding[] = [];
    for (const cfg of model.configs) {
      const { json, errors } = validateConfig(cfg);
      // One finding per value: the outermost schema error (an anyOf covers its branches).
      const byPtr = new Map<string, ErrorObject>();
      for (const err of errors) {
        if (err.keyword === 'additionalProperties') continue;
        if (underUnknown(json, err.instancePath)) continue;
        const prev = byPtr.get(err.instancePath);
        if (!prev || err.schemaPath.length < prev.schemaPath.length) byPtr.set(err.instancePath, err);
      }
      // Drop errors on a list item when the list itself is reported.
      for (const [ptr, err] of byPtr) {
        const info = nearestPointer(json, ptr);
        if (!info) continue;
        if ([...byPtr.keys()].some((p) => p !== ptr && ptr.startsWith(`${p}/`))) continue;
        // `enabled = {ACLs-ENABLED}` in a config file a boot script seds: judged after substitution, not as written.
        if (onRunTimePlaceholder(model, cfg, info.valueStart, info.valueEnd)) continue;
        if (err.keyword === 'x-rejected') {
          const block = info.path.slice(0, info.path.lastIndexOf('.'));
          out.push(
            finding({
              check: invalidConfigValue,
              span: cfg.doc.text.toHost(info.keyStart, info.keyEnd),
              message: `\`${info.path}\` is not accepted in the \`${block}\` block: Consul refuses to start with "${err.message ?? 'invalid key'}".`,
            }),
          );
          continue;
        }
        const got = JSON.stringify(err.data);
        out.push(
          finding({
            check: invalidConfigValue,
            span: cfg.doc.text.toHost(info.valueStart, info.valueEnd),
            message: `Invalid value for \`${info.path}\`: ${got} — ${describe(err).replace(/\.$/, '')}. The ${cfg.product === 'nomad' ? 'Nomad' : 'Consul'} agent fails to load this config.`,
          }),
        );
      }
    }
    return out;
  },
};
