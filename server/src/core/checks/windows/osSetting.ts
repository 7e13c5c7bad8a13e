/**
 * os-setting: agent settings that cannot work on a Windows node:
 * `enable_syslog = true`, a Linux absolute `data_dir`, and a `log_file`
 * meant as a directory but written without a trailing slash.
 */
import type { Check } from '../check';
import { chainText, finding, label } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, FixSpec } from '../../types';
import { hostText } from './util';

export const osSettingCheck: Check = {
  id: 'os-setting',
  category: 'os-setting',
  severity: 'error',
  title: 'Agent settings that do not work on Windows (syslog, Linux data_dir, log_file directory)',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const role of model.roles) {
      if (role.kind === 'server') continue;
      const agent = role.product === 'nomad' ? 'Nomad' : 'Consul';
      for (const e of role.allEntries) {
        if (e.doc.os !== 'windows') continue;
        if (e.path !== 'enable_syslog' && e.path !== 'data_dir' && e.path !== 'log_file') continue;
        const key = `${e.keySpan.file}:${e.keySpan.start}:${e.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const chain = chainText(model, e.chain);
        if (e.path === 'enable_syslog' && e.value === true) {
          const fixes: FixSpec[] =
            hostText(model, e.valueSpan) === 'true'
              ? [{ title: 'Set enable_syslog = false', edits: [{ span: e.valueSpan, newText: 'false' }], safeForFixAll: true }]
              : [];
          out.push(
            finding({
              check: osSettingCheck,
              span: e.keySpan,
              message: `enable_syslog = true in the ${label(role)} config: Windows has no syslog, so the ${agent} agent fails at start-up with "Syslog setup failed: Platform does not support syslog". Set enable_syslog = false (log to log_file or the Windows event log instead). Value chain: ${chain}.`,
              fixes,
            }),
          );
        } else if (e.path === 'data_dir' && typeof e.value === 'string' && /^\/(?!\/)/.test(e.value)) {
          const msg =
            role.product === 'nomad'
              ? `data_dir = ${e.display} is a Linux path: on Windows a path without a drive letter is not absolute, so Nomad refuses to start with "data-dir must be given as an absolute path". Use a Windows path such as "C:/HashiCorp/Nomad/data". Value chain: ${chain}.`
              : `data_dir = ${e.display} is a Linux path: on Windows it has no drive letter, so it is not absolute (Go's filepath.IsAbs is false) and resolves against the service's current drive, not the data directory the script created. Use a Windows path such as "C:/HashiCorp/Consul/data". Value chain: ${chain}.`;
          out.push(finding({ check: osSettingCheck, span: e.valueSpan, message: msg, severity: role.product === 'nomad' ? 'error' : 'warning' }));
        } else if (e.path === 'log_file' && typeof e.value === 'string' && e.value !== '') {
          const v = e.value;
          const last = v.split(/[\\/]/).pop() ?? '';
          // A quote in the value: the HCL string did not end where it was meant to (`"C:\logs\"` — the trailing
          // backslash escapes the quote, reported by hcl-escape as "literal not terminated"); a quote is not a valid
          // path character on Windows or a sensible one on Linux, so the file-name reading below would be wrong.
          if (/[\\/]$/.test(v) || last.includes('.') || v.includes('"')) continue;
          const exactQuote = hostText(model, e.valueSpan);
          const fixes: FixSpec[] =
            exactQuote === JSON.stringify(v) || exactQuote === `"${v}"`
              ? [
                  {
                    title: 'Add a trailing "/" so log_file names a directory',
                    edits: [{ span: { file: e.valueSpan.file, start: e.valueSpan.end - 1, end: e.valueSpan.end - 1 }, newText: '/' }],
                  },
                ]
              : [];
          out.push(
            finding({
              check: osSettingCheck,
              span: e.valueSpan,
              severity: 'info',
              message: `log_file = ${e.display} has no trailing slash, so ${agent} treats "${last}" as the log file name (rotated as ${last}-<timestamp>) in the parent directory, not as a directory holding ${role.product}.log. If it is meant as a directory, end it with "/". Value chain: ${chain}.`,
              fixes,
            }),
          );
        }
      }
    }
    return out;
  },
};
