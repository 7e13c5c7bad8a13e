/**
 * image-baked-agent-state: a Packer build starts a Nomad/Consul agent
 * (auto-start service that is started, or restarted by `windows-restart`)
 * and does not stop it before cleaning the data dir, or cleans the data dir
 * with `-ErrorAction SilentlyContinue` without stopping the service first.
 * The node identity (`node-id`, `client/state.db`, `serf/local.keyring`)
 * ships in the image.
 */
import type { Finding, RelatedInfo } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';
import type { BuildCommand } from './shared';
import { commandsOf, lineOf, packerBuilds } from './shared';

const AGENT = /\b(nomad|consul)\b/i;

function agentNames(text: string): string[] {
  return [...text.matchAll(/\b(nomad|consul)\b/gi)].map((m) => m[1]!.toLowerCase());
}

export type Ev =
  | { kind: 'auto'; service: string; cmd: BuildCommand }
  | { kind: 'start'; services: string[] | 'auto'; cmd: BuildCommand }
  | { kind: 'stop'; cmd: BuildCommand }
  | { kind: 'clean'; silent: boolean; cmd: BuildCommand }
  | { kind: 'verify'; cmd: BuildCommand };

export function classify(c: BuildCommand): Ev | undefined {
  const n = c.name.toLowerCase().replace(/\.exe$/, '');
  // The arguments as one text, for the two verbs that read it (not built for every command of a long script).
  const all = (): string => [...c.words, ...c.params.values()].join(' ');
  if (n === 'windows-restart') return { kind: 'start', services: 'auto', cmd: c };
  if (n === 'new-service' || n === 'set-service') {
    const st = c.params.get('startuptype') ?? '';
    const name = c.params.get('name') ?? c.words[0] ?? '';
    if (/^automatic/i.test(st) && AGENT.test(name)) return { kind: 'auto', service: agentNames(name)[0]!, cmd: c };
    return undefined;
  }
  if (n === 'start-service' || n === 'restart-service') {
    const names = agentNames([c.params.get('name') ?? '', ...c.words].join(' '));
    return names.length ? { kind: 'start', services: names, cmd: c } : undefined;
  }
  if (n === 'stop-service') return { kind: 'stop', cmd: c };
  if (n === 'sc') {
    const verb = (c.words[0] ?? '').toLowerCase();
    const svc = agentNames(c.words[1] ?? '');
    if ((verb === 'create' || verb === 'config') && svc.length && /start=\s*auto\b/i.test(c.words.join(' ').replace(/start=\s+/i, 'start=')))
      return { kind: 'auto', service: svc[0]!, cmd: c };
    if (verb === 'start' && svc.length) return { kind: 'start', services: svc, cmd: c };
    if (verb === 'stop') return { kind: 'stop', cmd: c };
    return undefined;
  }
  if (n === 'systemctl') {
    const w = c.words.filter((x) => !x.startsWith('-'));
    const verb = (w[0] ?? '').toLowerCase();
    const svc = agentNames(w.slice(1).join(' '));
    if (!svc.length) return undefined;
    if (verb === 'enable') return c.words.includes('--now') ? { kind: 'start', services: svc, cmd: c } : { kind: 'auto', service: svc[0]!, cmd: c };
    if (verb === 'start' || verb === 'restart') return { kind: 'start', services: svc, cmd: c };
    if (verb === 'stop' || (verb === 'disable' && c.words.includes('--now'))) return { kind: 'stop', cmd: c };
    return undefined;
  }
  if (n === 'remove-item' || n === 'rm') {
    const text = all();
    if (!AGENT.test(text) || !/data/i.test(text)) return undefined;
    const silent = /silentlycontinue/i.test(c.params.get('erroraction') ?? '') || /-ErrorAction\s+SilentlyContinue|-ea\s+0|\|\|\s*true/i.test(c.raw);
    return { kind: 'clean', silent, cmd: c };
  }
  if ((n === 'get-childitem' || n === 'test-path' || n === 'ls') && AGENT.test(all()) && /data/i.test(all())) return { kind: 'verify', cmd: c };
  return undefined;
}

export const imageBakedAgentState: Check = {
  id: 'image-baked-agent-state',
  category: 'state',
  severity: 'error',
  title: 'A Packer build starts Nomad/Consul and does not stop it before cleaning the data dir: agent state ships in the image',
  run(model) {
    const out: Finding[] = [];
    for (const b of packerBuilds(model)) {
      const evs: Ev[] = [];
      for (const p of b.provisioners)
        for (const c of commandsOf(model, p)) {
          const e = classify(c);
          if (e) evs.push(e);
        }
      const auto = new Map<string, BuildCommand>();
      const started = new Map<string, BuildCommand>();
      let stopped = false;
      const cleanFindings: Finding[] = [];
      for (const e of evs) {
        if (e.kind === 'auto') auto.set(e.service, e.cmd);
        else if (e.kind === 'start') {
          const names = e.services === 'auto' ? [...auto.keys()] : e.services;
          for (const s of names) {
            started.set(s, e.cmd);
            stopped = false;
          }
        } else if (e.kind === 'stop') stopped = true;
        else if (e.kind === 'clean' && !stopped && (e.silent || started.size > 0)) {
          const target = agentNames([...e.cmd.words, ...e.cmd.params.values()].join(' '));
          const running = [...started.keys()].filter((s) => target.includes(s));
          if (running.length === 0 && !e.silent) continue;
          // A silent cleanup of an agent this build never registered nor started holds no open file: nothing to report.
          if (running.length === 0 && target.length > 0 && !target.some((s) => auto.has(s) || started.has(s))) continue;
          const related: RelatedInfo[] = [];
          for (const [s, c] of auto) related.push({ span: c.span, message: `${s} service registered with automatic start` });
          for (const [s, c] of started)
            related.push({
              span: c.span,
              message: c.name === 'windows-restart' ? `windows-restart provisioner: ${s} starts again at boot` : `${s} started during the build`,
            });
          const runningNote = running.length
            ? `${running.join(' and ')} is running at this point (started at ${[...new Set(running.map((s) => lineOf(model, started.get(s)!.span)))].join(', ')}) and nothing stops it`
            : 'no Stop-Service / systemctl stop runs before it in this build';
          cleanFindings.push(
            finding({
              check: imageBakedAgentState,
              severity: running.length ? 'error' : 'warning',
              span: e.cmd.span,
              message:
                `This cleanup of the agent data dir runs without stopping the service first: ${runningNote}. ` +
                (e.silent
                  ? 'Windows cannot delete the open `client\\state.db` / `node-id`, and `-ErrorAction SilentlyContinue` hides the failure, '
                  : 'The running agent rewrites its state, ') +
                'so the node identity ships in the image: every instance cloned from it reuses it and the server answers `rpc error: Permission denied` on `Node.GetClientAllocs` / `node secret ID does not match. Not registering node.`. ' +
                'Stop the services (`Stop-Service nomad, consul -Force` / `systemctl stop`), remove the data without SilentlyContinue, and fail the build if the data dir is not empty.',
              related,
            }),
          );
        }
      }
      out.push(...cleanFindings);
      if (cleanFindings.length === 0 && !stopped) {
        const verified = evs.some((e) => e.kind === 'verify');
        for (const [s, c] of started) {
          if (!auto.has(s) && c.name !== 'windows-restart' && !evs.some((e) => e.kind === 'start' && e.cmd === c)) continue;
          if (verified) continue;
          out.push(
            finding({
              check: imageBakedAgentState,
              span: c.span,
              message:
                `The Packer build starts ${s} here and never stops it or verifies its data dir is empty before capture: \`node-id\`, \`client/state.db\` or \`serf/local.keyring\` ship in the image, ` +
                'and cloned nodes later fail with `rpc error: Permission denied` / `node secret ID does not match. Not registering node.`. Do not start agents at image time; if you must, stop them and check the data dir is empty.',
              related: auto.has(s) ? [{ span: auto.get(s)!.span, message: `${s} service registered with automatic start` }] : [],
            }),
          );
        }
      }
    }
    return out;
  },
};
