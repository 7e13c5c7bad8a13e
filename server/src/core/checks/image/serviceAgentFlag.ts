/**
 * service-agent-flag: a service runs the agent with a flag that agent does not
 * define — Nomad's `-config-dir`/`-config-file` (Nomad has only `-config`, which
 * takes files and directories), Consul's `-config` (Consul has `-config-dir`
 * and `-config-file`), Nomad's `-datacenter` (it is `-dc`) and Consul's `-dc`
 * (it is `-datacenter`). Both agents parse their command line with Go's flag
 * package, which stops with "flag provided but not defined: -config-dir": the
 * agent exits at once and the service never stays up.
 *
 * Sources: hashicorp/nomad command/agent/command.go (`flags.Var(… "config" …)`,
 * `"dc"`, no config-dir); hashicorp/consul agent/config/flags.go (`"config-dir"`,
 * `"config-file"`, `"config-format"`, `"datacenter"`).
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, FixSpec, Product } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';
import { serviceDefs } from './services';

/** Flags the other agent has, with the one this agent wants instead. */
const WRONG: Record<Product, Record<string, string>> = {
  nomad: { 'config-dir': 'config', 'config-file': 'config', datacenter: 'dc' },
  consul: { config: 'config-dir', dc: 'datacenter' },
};

export const serviceAgentFlag: Check = {
  id: 'service-agent-flag',
  category: 'service',
  severity: 'error',
  title: 'A service runs the agent with a flag that agent does not define (-config-dir for Nomad, -config for Consul)',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    for (const def of serviceDefs(model)) {
      const wrong = WRONG[def.product];
      if (!wrong) continue;
      for (const flag of def.flags) {
        const right = wrong[flag.name];
        if (right === undefined) continue;
        const agent = def.product === 'nomad' ? 'Nomad' : 'Consul';
        const written = model.files.get(flag.span.file)?.text.slice(flag.span.start, flag.span.end) ?? '';
        const dash = /^--/.test(written) ? '--' : '-';
        const nameAt = flag.span.start + dash.length;
        const fixes: FixSpec[] = written.startsWith(`${dash}${flag.name}`)
          ? [{ title: `Use ${dash}${right}`, edits: [{ span: { file: flag.span.file, start: nameAt, end: nameAt + flag.name.length }, newText: right }] }]
          : [];
        out.push(
          finding({
            check: serviceAgentFlag,
            span: flag.span,
            message: `${def.product} agent has no -${flag.name} flag (${def.via} of the ${def.os === 'windows' ? 'Windows' : 'Linux'} service "${def.name}"): ${agent} stops at start with "flag provided but not defined: -${flag.name}" and the service never stays up, so the node never joins. ${agent} reads ${flag.name.startsWith('config') ? 'its configuration files and directories' : 'the datacenter'} with -${right}.`,
            fixes,
          }),
        );
      }
    }
    return out;
  },
};
