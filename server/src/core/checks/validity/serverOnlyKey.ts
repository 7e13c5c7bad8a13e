/**
 * server-only-key: a setting only servers use (`bootstrap_expect`,
 * `autopilot`, `raft_protocol`, `server.encrypt`, ...) in a client's config:
 * the `x-server-only` list of each agent schema.
 */
import type { Check } from '../check';
import { finding, label } from '../check';
import type { Finding } from '../../types';
import { escapePointer, serverOnlyPaths, validateConfig } from './configJson';
import type { ServerOnlyPath } from './configJson';
import type { Product } from '../../types';

export const serverOnlyKey: Check = {
  id: 'server-only-key',
  category: 'schema',
  severity: 'warning',
  title: 'Server-only setting in a client agent config',
  run(model) {
    const out: Finding[] = [];
    for (const role of model.roles) {
      if (role.kind === 'server') continue;
      const paths = pointersOf(role.product);
      for (const cfg of role.configs) {
        const { json } = validateConfig(cfg);
        for (const { sp, ptr } of paths) {
          const info = json.pointers.get(ptr);
          if (!info) continue;
          const v = lookup(json.value, sp.path);
          if (sp.default !== undefined && v !== undefined && String(v) === String(sp.default)) continue;
          // A Consul port set to -1 is disabled (`ports { serf_wan = -1 }`): on a client that states what it does anyway.
          if (role.product === 'consul' && sp.path.startsWith('ports.') && v !== undefined && String(v) === '-1') continue;
          const consulExpect =
            role.product === 'consul' &&
            (sp.path === 'bootstrap_expect' || sp.path === 'bootstrap') &&
            !json.unknown.has(ptr) &&
            v !== 0 &&
            v !== false &&
            v !== '0' &&
            v !== 'false';
          const effect = consulExpect
            ? ` Consul refuses to start: \`'${sp.path === 'bootstrap' ? 'bootstrap = true' : 'bootstrap_expect > 0'}' requires 'server = true'\`.`
            : ' A client ignores it; it usually means a server config was copied to the client (or the node was meant to be a server).';
          out.push(
            finding({
              check: serverOnlyKey,
              span: cfg.doc.text.toHost(info.keyStart, info.keyEnd),
              message: `\`${sp.path}\` is a server-only setting, but this config belongs to the ${label(role)} (${cfg.kindReason}).${effect}`,
              related: [{ span: cfg.doc.writeSpan, message: `config written here (${cfg.doc.via})` }],
              ...(consulExpect ? { severity: 'error' as const } : {}),
            }),
          );
        }
      }
    }
    return out;
  },
};

const pointers = new Map<Product, ReadonlyArray<{ readonly sp: ServerOnlyPath; readonly ptr: string }>>();

/** The schema's server-only paths with their JSON pointers, computed once per product. */
function pointersOf(product: Product): ReadonlyArray<{ readonly sp: ServerOnlyPath; readonly ptr: string }> {
  let list = pointers.get(product);
  if (list === undefined) {
    list = serverOnlyPaths(product).map((sp) => ({
      sp,
      ptr: sp.path
        .split('.')
        .map((k) => `/${escapePointer(k)}`)
        .join(''),
    }));
    pointers.set(product, list);
  }
  return list;
}

function lookup(root: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = root;
  for (const k of dotted.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
