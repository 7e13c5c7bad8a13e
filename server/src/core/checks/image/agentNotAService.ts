/**
 * agent-not-a-service: a script that starts a Nomad or Consul agent in the background (`nomad agent … &`,
 * `nohup consul agent …`, `setsid`; on Windows `Start-Process …\nomad.exe -ArgumentList "agent …"`) where the tree
 * runs it under no service manager. Nothing restarts such an agent:
 * cloud-init runs user data once per instance (its default `once-per-instance` frequency), a Terraform `remote-exec`
 * once per creation, so after a reboot (or a crash) the agent stays down: the node shows `down` in `nomad node status`
 * (its allocations are lost) or `failed` in `consul members`.
 *
 * Silent when the tree has any other way the product runs: a systemd unit or a Windows service for it (services.ts),
 * a `systemctl`/`service` command naming it, a package install of it (the official packages ship a unit), or a script a
 * Packer build runs (an agent started while an image is built is image-baked-agent-state's). `-dev` agents are left
 * alone (development mode keeps nothing anyway).
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, Product, Span } from '../../types';
import { provisionersRunning } from '../../packer';
import { withoutComments } from '../../versions';
import { serviceDefs } from './services';
import { lineOf } from './shared';

/** `[sudo] [nohup|setsid] [path/]nomad agent … &` on one line (not `&&`). */
const BACKGROUND_AGENT = /^[ \t]*(?:sudo\s+(?:-\S+\s+)*)?(?:(?:nohup|setsid)\s+)?(?:\S*\/)?(nomad|consul)\s+agent\b([^\n]*?)&[ \t]*(?:disown\b[^\n]*)?$/gm;

function runsOtherwise(model: DeploymentModel, product: Product): boolean {
  if (serviceDefs(model).some((d) => d.product === product)) return true;
  const manager = new RegExp(
    `\\b(systemctl\\s+(?:\\S+\\s+)*(?:enable|start|restart)\\s+(?:--now\\s+)?${product}\\b|service\\s+${product}\\s+(?:start|restart)|(?:apt-get|apt|yum|dnf|zypper)\\s+(?:-\\S+\\s+)*install\\b[^\\n]*\\b${product}\\b)`,
  );
  return model.scripts.some((s) => manager.test(s.text.text));
}

export const agentNotAService: Check = {
  id: 'agent-not-a-service',
  category: 'service',
  severity: 'warning',
  title: 'A script starts the Nomad/Consul agent in the background instead of as a service: it does not come back after a reboot',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    const otherwise = new Map<Product, boolean>();
    for (const s of model.scripts) {
      if (s.language === 'powershell') {
        // `Start-Process -FilePath C:\nomad\nomad.exe -ArgumentList "agent -config=…"`: a process, not a service.
        if (!/\b(nomad|consul)(\.exe)?\b/i.test(s.text.text) || provisionersRunning(model, s.file).length > 0) continue;
        for (const c of s.scan.commands) {
          if (!/^start-process$/i.test(c.name)) continue;
          const textOf = (v: { start: number; end: number } | undefined) => (v ? s.text.text.slice(v.start, v.end) : '');
          const param = (n: string) => c.parameters.find((p) => n.startsWith(p.name.toLowerCase()) && p.name.length >= 2)?.value;
          const exe = textOf(param('filepath') ?? c.arguments[0]);
          const args = textOf(param('argumentlist') ?? c.arguments[1]);
          const product = /(?:^|[\\/'"])(nomad|consul)(?:\.exe)?['"]?$/i.exec(exe.trim())?.[1]?.toLowerCase() as Product | undefined;
          if (!product || !/\bagent\b/.test(args) || /(^|\s|['"])-dev\b/.test(args)) continue;
          if (!otherwise.has(product)) otherwise.set(product, runsOtherwise(model, product));
          if (otherwise.get(product)) continue;
          out.push(report(model, s.file, s.text.toHost(c.start, c.end), product, true));
        }
        continue;
      }
      if (s.language !== 'bash') continue;
      if (!/\b(nomad|consul)\s+agent\b/.test(s.text.text)) continue;
      if (provisionersRunning(model, s.file).length > 0) continue;
      const text = withoutComments(s.text.text);
      for (const m of text.matchAll(BACKGROUND_AGENT)) {
        const product = m[1] as Product;
        const rest = m[2] ?? '';
        if (/&&|\|\|/.test(rest) || /(^|\s)-dev\b/.test(rest)) continue;
        if (!otherwise.has(product)) otherwise.set(product, runsOtherwise(model, product));
        if (otherwise.get(product)) continue;
        const start = (m.index ?? 0) + m[0].search(/\S/);
        out.push(report(model, s.file, s.text.toHost(start, (m.index ?? 0) + m[0].length), product, false));
      }
    }
    return out;
  },
};

function report(model: DeploymentModel, file: string, span: Span, product: Product, windows: boolean): Finding {
  const name = product === 'nomad' ? 'Nomad' : 'Consul';
  const once = windows
    ? 'EC2Launch runs user data once unless it is told to persist; a remote-exec runs once per creation'
    : 'cloud-init runs user data once per instance; a remote-exec once per creation';
  const fix = windows
    ? `Register a Windows service (\`New-Service -Name ${name} -BinaryPathName "…\\${product}.exe agent -config=…" -StartupType Automatic\`, \`sc.exe create\` or \`nssm install\`) and start it.`
    : `Install a systemd unit (Restart=on-failure, WantedBy=multi-user.target) and \`systemctl enable --now ${product}\`.`;
  return finding({
    check: agentNotAService,
    span,
    message:
      `${file} starts the ${name} agent ${windows ? 'as a plain process (Start-Process)' : 'in the background'} (${lineOf(model, span)}) and nothing in the tree runs it as a service: ` +
      `no service manager restarts it, and the script itself runs once (${once}). ` +
      `After a reboot or a crash the agent stays down: ${product === 'nomad' ? 'the node shows `down` in `nomad node status` and its allocations are lost' : 'the node shows `failed` in `consul members` and its services drop out of the catalog'}. ${fix}`,
  });
}
