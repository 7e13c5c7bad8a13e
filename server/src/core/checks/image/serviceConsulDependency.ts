/**
 * service-consul-dependency: the Linux Nomad unit is ordered after Consul
 * (`After=`/`Wants=`/`Requires=consul.service`) but a Windows Nomad service
 * is created without a dependency on Consul (`-DependsOn consul`,
 * `sc.exe … depend= consul`).
 */
import type { Finding } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';
import { serviceDefs } from './services';
import { lineOf } from './shared';

export const serviceConsulDependency: Check = {
  id: 'service-consul-dependency',
  category: 'service',
  severity: 'warning',
  title: 'The Windows Nomad service does not depend on Consul while the Linux unit is ordered after it',
  run(model) {
    const out: Finding[] = [];
    const defs = serviceDefs(model);
    const linux = defs.find((d) => d.os === 'linux' && d.product === 'nomad' && d.dependsOn.includes('consul'));
    if (!linux) return out;
    for (const d of defs) {
      if (d.os !== 'windows' || d.product !== 'nomad' || d.dependsOn.includes('consul')) continue;
      out.push(
        finding({
          check: serviceConsulDependency,
          span: d.span,
          message:
            `This Windows Nomad service (${d.via}) has no dependency on Consul, while the Linux unit is ordered after consul.service (${lineOf(model, linux.span)}). ` +
            'At boot Nomad can start before the local Consul agent: it logs `no Nomad Servers advertising service "nomad" in Consul datacenters` and service registrations fail until Consul is up. ' +
            'Add `-DependsOn consul` (or `sc.exe config nomad depend= consul`) where the service is created — a later script that skips creation because the service already exists never adds it.',
          related: [{ span: linux.span, message: 'Linux Nomad unit ordered after consul.service' }],
        }),
      );
    }
    return out;
  },
};
