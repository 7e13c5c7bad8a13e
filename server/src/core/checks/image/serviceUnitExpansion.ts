/**
 * service-unit-expansion: a bash heredoc with an unquoted delimiter (`<<EOF`)
 * writes a systemd unit of an agent and the unit uses systemd's `$MAINPID`.
 * The shell expands `$MAINPID` while the script runs, where it is empty, so the
 * unit gets `ExecReload=/bin/kill -HUP ` and `systemctl reload nomad` fails
 * ("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec …"):
 * configuration and TLS certificate reloads never reach the agent, and tools
 * that rotate certificates and then reload (consul-template, Vault agent) leave
 * the agent on the old ones.
 *
 * Sources: systemd.service(5) (`$MAINPID` is set by systemd for ExecReload= /
 * ExecStop=); bash(1) "Here Documents" (an unquoted word: the body undergoes
 * parameter expansion); Nomad's and Consul's documented units use
 * `ExecReload=/bin/kill --signal HUP $MAINPID`.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';

/** systemd's runtime variables the unit means literally (the shell must not expand them). */
const SYSTEMD_RUNTIME = new Set(['MAINPID', 'MANAGERPID', 'SERVICE_RESULT', 'EXIT_CODE', 'EXIT_STATUS', 'MONITOR_SERVICE_RESULT']);

export const serviceUnitExpansion: Check = {
  id: 'service-unit-expansion',
  category: 'service',
  severity: 'warning',
  title: 'An unquoted heredoc writing an agent systemd unit expands $MAINPID at script time (empty)',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    for (const s of model.scripts) {
      if (s.language !== 'bash') continue;
      for (const h of s.scan.heredocs) {
        if (h.quoted) continue;
        const target = h.targets.map((w) => w.literal ?? w.raw).find((x) => /\/systemd\/system\/[^/]+\.service$/.test(x));
        if (!target) continue;
        const body = s.text.text.slice(h.bodyStart, h.bodyEnd);
        // Only the agents' units (nomad.service, consul.service, or a unit that runs them).
        if (!/(^|\/)(nomad|consul)[\w.@-]*\.service$/i.test(target) && !/ExecStart=\S*\b(nomad|consul)(\.exe)?\s+agent\b/.test(body)) continue;
        for (const e of h.expansions) {
          if (e.command || e.template || e.templateEscaped || !SYSTEMD_RUNTIME.has(e.name)) continue;
          const span = s.text.toHost(e.start, e.end);
          const written = model.files.get(span.file)?.text.slice(span.start, span.end) ?? '';
          const exact = written === `$${e.name}` || written === `\${${e.name}}`;
          out.push(
            finding({
              check: serviceUnitExpansion,
              span,
              message: `The heredoc <<${h.delimiter} writing ${target} is unquoted, so the shell expands $${e.name} while the script runs, where it is empty: the unit gets an empty PID (\`ExecReload=/bin/kill -HUP \`), and \`systemctl reload\` fails ("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid"): config and TLS certificate reloads never reach the agent. Quote the delimiter (<<'${h.delimiter}') or write \\$${e.name}.`,
              fixes: !exact
                ? []
                : [
                    {
                      title: `Escape as \\$${e.name}`,
                      edits: [{ span: { file: span.file, start: span.start, end: span.start }, newText: '\\' }],
                      safeForFixAll: true,
                    },
                  ],
            }),
          );
        }
      }
    }
    return out;
  },
};
