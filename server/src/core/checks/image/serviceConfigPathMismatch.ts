/**
 * service-config-path-mismatch: the `-config` / `-config-dir` path a service
 * definition starts the agent with is not where the scripts write that
 * agent's configuration.
 */
import type { Finding } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';
import { configTargets, serviceDefs } from './services';
import { dirOfPath, lineOf, normPath } from './shared';

export const serviceConfigPathMismatch: Check = {
  id: 'service-config-path-mismatch',
  category: 'service',
  severity: 'error',
  title: 'The -config path in a service definition is not where the script writes the agent config',
  run(model) {
    const out: Finding[] = [];
    const targets = configTargets(model);
    for (const svc of serviceDefs(model)) {
      const win = svc.os === 'windows';
      const mine = targets.filter((t) => t.os === svc.os && t.product === svc.product);
      if (mine.length === 0) continue;
      for (const f of svc.flags) {
        if (!/^config/.test(f.name)) continue;
        // `-config=$ConfigDir`: the script's value of the variable (services.ts resolveFlags); unknown ones are skipped.
        const value = f.resolved ?? f.value;
        if (value.includes('$')) continue;
        const p = normPath(value, win);
        const isFile = /\.(hcl|json)$/.test(p);
        const ok = mine.some((t) => {
          const d = normPath(t.path, win);
          return isFile ? d === p : dirOfPath(d) === p || d.startsWith(`${p}/`);
        });
        if (ok) continue;
        const where = mine.map((t) => `${t.path} (${lineOf(model, t.span)})`).join(', ');
        out.push(
          finding({
            check: serviceConfigPathMismatch,
            span: f.span,
            message:
              `The ${svc.product} service (${svc.via} in ${svc.file}) starts the agent with -${f.name}=${f.value}${value !== f.value ? ` (${value})` : ''}, but the ${svc.os} scripts write its configuration to ${where}. ` +
              `The agent starts without that file: no \`client.servers\`/\`server_join\`, so it logs \`no servers\`, and none of the settings that must agree (region, tls, acl, encrypt) apply. ` +
              `Point -${f.name} at the directory the script writes (compare paths with / and case-insensitively on Windows).`,
            related: mine.map((t) => ({ span: t.span, message: `${svc.product} config written to ${t.path}` })),
          }),
        );
      }
    }
    return out;
  },
};
