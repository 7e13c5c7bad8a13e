/**
 * Server addresses given to a running agent by a command instead of a config file:
 * - `nomad node config -update-servers ADDR…` (and the older `nomad client-config -update-servers`): the CLI calls
 *   `client.Agent().SetServers(args)` (command/node_config.go), a PUT to the client's `/v1/agent/servers`, which ends in
 *   `Client.setServersImpl` → `c.servers.SetServers(endpoints)` (client/client.go): the in-memory server manager.
 *   Nothing is written to the client's state DB or data_dir, so the list lives as long as the agent process. The
 *   command's help says it updates "the running client configurations". After a restart the client starts from its
 *   config files (`client.servers`, `server_join`, Consul discovery); with none, every RPC fails with `noServersErr`,
 *   "no servers" (client/client.go), and the node never registers.
 * - `nomad server join ADDR` (servers) and `consul join ADDR`: a one-off join. Consul (serf) keeps the members it knew
 *   in `data_dir/serf/local.snapshot` and re-joins them on start, unless the agent left gracefully: a leave is written
 *   to the snapshot and, without `rejoin_after_leave`, replaying it clears the known nodes (serf/snapshot.go replay:
 *   "Ignoring previous leave in snapshot" only with rejoin_after_leave). Consul clients leave on SIGTERM and on interrupt
 *   by default (`leave_on_terminate` true, `skip_leave_on_interrupt` false for clients since 0.7.0). These are found here
 *   for completeness; only the Nomad client's list is reported (servers-join-drift).
 *
 * Read in PowerShell and bash scripts (tree scripts, user data, inline user-data heredocs, cloud-init runcmd), in Packer
 * `inline` commands, in Terraform `remote-exec` inline commands, and in systemd units (`ExecStartPre=`, `ExecStart=`,
 * `ExecStartPost=`, which run at every start of the service).
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import { packerProvisioners, provisionersRunning } from '../../packer';
import type { PackerProvisioner } from '../../packer';
import { parseSystemdUnit } from '../../parsers/bash';
import { scanBash } from '../../parsers/bash';
import type { ShCommand } from '../../parsers/bash/types';
import type { AgentOs } from '../../agent/configDoc';
import type { ScriptFacts } from '../../scripts/scriptModel';
import type { Product, Span } from '../../types';
import { commandsOf, programFileName, psValueText } from '../image/shared';

export type RuntimeJoinKind = 'client-servers' | 'server-join' | 'consul-join';

/** What follows the command in the same script and restarts the agent it updated. */
export interface RestartAfter {
  /** The command as written, e.g. `Restart-Computer`, `systemctl restart nomad`. */
  readonly text: string;
  readonly span: Span;
  /** The whole machine (reboot) or the agent's service. */
  readonly machine: boolean;
}

export interface RuntimeJoin {
  readonly kind: RuntimeJoinKind;
  readonly product: Product;
  /** The OS of the machine that runs it. */
  readonly os: AgentOs;
  /** The command, shown with its addresses only (no other flag: a `-token` must not reach a message). */
  readonly display: string;
  readonly span: Span;
  /** Where it runs: a script, a Packer build, a Terraform remote-exec, a systemd unit at every start. */
  readonly where: 'script' | 'packer' | 'remote-exec' | 'every-start';
  /** The script or template that holds it (a Packer template for inline commands). */
  readonly file: string;
  readonly restart?: RestartAfter;
}

/** The join a command line makes, from its program name and words (quotes removed where known). */
export function joinCommand(name: string, words: readonly string[]): { kind: RuntimeJoinKind; product: Product; display: string } | undefined {
  const prog = programFileName(name);
  const shown = (head: string, args: readonly string[]) => `${prog} ${head}${args.length ? ` ${args.join(' ')}` : ''}`;
  if (prog === 'nomad') {
    const sub = words[0] === 'node' && words[1] === 'config' ? 2 : words[0] === 'client-config' ? 1 : -1;
    if (sub > 0) {
      const rest = words.slice(sub);
      const flag = rest.findIndex((w) => /^--?update-servers(=|$)/.test(w));
      if (flag < 0) return undefined;
      const inFlag = rest[flag]!.includes('=') ? [rest[flag]!.slice(rest[flag]!.indexOf('=') + 1)] : [];
      const addrs = [...inFlag, ...rest.slice(flag + 1).filter((w) => !w.startsWith('-'))].filter(Boolean);
      return { kind: 'client-servers', product: 'nomad', display: shown(`${words.slice(0, sub).join(' ')} -update-servers`, addrs) };
    }
    const join = words[0] === 'server' && words[1] === 'join' ? 2 : words[0] === 'server-join' ? 1 : -1;
    if (join > 0) {
      const addrs = words.slice(join).filter((w) => !w.startsWith('-'));
      return addrs.length ? { kind: 'server-join', product: 'nomad', display: shown(words.slice(0, join).join(' '), addrs) } : undefined;
    }
    return undefined;
  }
  if (prog === 'consul' && words[0] === 'join') {
    if (words.some((w) => /^--?wan(=true)?$/.test(w))) return undefined;
    const addrs = words.slice(1).filter((w) => !w.startsWith('-'));
    return addrs.length ? { kind: 'consul-join', product: 'consul', display: shown('join', addrs) } : undefined;
  }
  return undefined;
}

/** A command that restarts the machine, or the service of `product` (`Restart-Service nomad`, `systemctl restart nomad`). */
export function restartOf(name: string, words: readonly string[], product: Product): { machine: boolean } | undefined {
  const prog = programFileName(name);
  const lower = words.map((w) => w.toLowerCase());
  const names = (w: string) => w.replace(/^-name:?/, '').includes(product);
  if (prog === 'restart-computer' || prog === 'reboot') return { machine: true };
  if (prog === 'shutdown' && lower.some((w) => /^(\/r|-r|--reboot)$/.test(w))) return { machine: true };
  if (prog === 'init' && lower[0] === '6') return { machine: true };
  if ((prog === 'restart-service' || prog === 'stop-service') && lower.some(names)) return { machine: false };
  if (prog === 'systemctl' && /^(restart|stop|try-restart|reload-or-restart|kill)$/.test(lower.find((w) => !w.startsWith('-')) ?? '') && lower.some(names))
    return { machine: false };
  if (prog === 'systemctl' && lower.includes('reboot')) return { machine: true };
  if (prog === 'service' && lower[0]?.includes(product) && /^(restart|stop)$/.test(lower[1] ?? '')) return { machine: false };
  if ((prog === 'sc' || prog === 'net') && lower[0] === 'stop' && lower[1]?.includes(product)) return { machine: false };
  if (prog === 'nssm' && /^(restart|stop)$/.test(lower[0] ?? '') && lower[1]?.includes(product)) return { machine: false };
  return undefined;
}

/** One command of a scan, normalised across PowerShell and bash. */
interface Cmd {
  readonly name: string;
  readonly words: readonly string[];
  readonly start: number;
  readonly end: number;
}

function shWords(c: ShCommand): string[] {
  return c.args.map((a) => a.literal ?? a.raw);
}

/** The joins of a list of commands, each with the first restart of its agent after it. */
function joinsIn(
  cmds: readonly Cmd[],
  toHost: (s: number, e: number) => Span,
  base: Omit<RuntimeJoin, 'kind' | 'product' | 'display' | 'span' | 'restart'>,
): RuntimeJoin[] {
  const out: RuntimeJoin[] = [];
  cmds.forEach((c, i) => {
    const j = joinCommand(c.name, c.words);
    if (!j) return;
    let restart: RestartAfter | undefined;
    for (const r of cmds.slice(i + 1)) {
      if (r.start < c.end) continue;
      const hit = restartOf(r.name, r.words, j.product);
      if (!hit) continue;
      restart = { text: [r.name, ...r.words].join(' '), span: toHost(r.start, r.end), machine: hit.machine };
      break;
    }
    out.push({ ...base, ...j, span: toHost(c.start, c.end), ...(restart ? { restart } : {}) });
  });
  return out;
}

/**
 * Whether a text can hold a join command (one cheap test per script text before its commands are read): the program
 * name right before `join` / `server join` (`consul join`, `"C:\…\consul.exe" join`), as joinCommand reads it. A bare
 * `join` is not enough: PowerShell's `-join` operator is in most long scripts.
 */
const MAY_JOIN = /update-servers|server-join|(?:consul|nomad)(?:\.exe)?["']?\s+(?:server\s+)?join\b/i;

/** Per script analysis (an unchanged script keeps its object across edits); whether Packer runs it is the model's. */
const scriptMemo = new WeakMap<ScriptFacts, readonly RuntimeJoin[]>();

function scriptJoins(s: ScriptFacts): readonly RuntimeJoin[] {
  const hit = scriptMemo.get(s);
  if (hit) return hit;
  let out: RuntimeJoin[] = [];
  const text = s.text.text;
  if (MAY_JOIN.test(text)) {
    const cmds: Cmd[] =
      s.language === 'powershell'
        ? s.scan.commands.map((c) => ({
            name: c.name,
            words: [
              ...c.arguments.map((a) => psValueText(text, a)),
              ...c.parameters.flatMap((p) => [`-${p.name}`, ...(p.value ? [psValueText(text, p.value)] : [])]),
            ],
            start: c.start,
            end: c.end,
          }))
        : s.scan.commands.map((c) => ({ name: c.name, words: shWords(c), start: c.start, end: c.end }));
    cmds.sort((a, b) => a.start - b.start);
    out = joinsIn(cmds, (a, b) => s.text.toHost(a, b), { os: s.os, where: 'script', file: s.file });
  }
  scriptMemo.set(s, out);
  return out;
}

function packerInlineJoins(model: DeploymentModel, p: PackerProvisioner): RuntimeJoin[] {
  if (!p.inline.some((e) => e.type === 'string' && MAY_JOIN.test(e.value))) return [];
  const inline = commandsOf(model, p).filter((c) => c.span.file === p.file && c.name !== 'windows-restart');
  const os: AgentOs = p.type === 'powershell' || p.type === 'windows-shell' ? 'windows' : 'linux';
  const out: RuntimeJoin[] = [];
  for (const c of inline) {
    const j = joinCommand(c.name, [...c.words, ...[...c.params].flatMap(([k, v]) => [`-${k}`, v])]);
    if (j) out.push({ ...j, os, where: 'packer', file: p.file, span: c.span });
  }
  return out;
}

function remoteExecJoins(model: DeploymentModel): RuntimeJoin[] {
  const out: RuntimeJoin[] = [];
  for (const r of model.terraform.remoteExecInline) {
    if (r.expr.type !== 'string' || !MAY_JOIN.test(r.expr.value)) continue;
    const text = r.expr.value;
    const span: Span = { file: r.file, start: r.expr.start, end: r.expr.end };
    const cmds = scanBash(text).commands.map((c) => ({ name: c.name, words: shWords(c), start: c.start, end: c.end }));
    for (const j of joinsIn(cmds, () => span, { os: 'linux', where: 'remote-exec', file: r.file }))
      out.push({ ...j, os: /\.exe\b|^powershell/i.test(text) ? 'windows' : 'linux' });
  }
  return out;
}

/** `ExecStartPre=` / `ExecStart=` / `ExecStartPost=` commands of a unit text that set servers (also inside `sh -c '…'`). */
function unitJoins(text: string, toHost: (s: number, e: number) => Span, file: string): RuntimeJoin[] {
  if (!MAY_JOIN.test(text)) return [];
  const out: RuntimeJoin[] = [];
  for (const sec of parseSystemdUnit(text).sections) {
    if (sec.name !== 'Service') continue;
    for (const e of sec.entries) {
      if (!/^ExecStart(Pre|Post)?$/.test(e.key)) continue;
      // A leading `-`, `@`, `+`, `!` or `:` is systemd's, not the program's.
      const value = e.value.replace(/^[-@+!:]+/, '');
      const scan = (t: string): RuntimeJoin[] =>
        scanBash(t).commands.flatMap((c) => {
          const words = shWords(c);
          const j = joinCommand(c.name, words);
          if (j) return [{ ...j, os: 'linux' as const, where: 'every-start' as const, file, span: toHost(e.start, e.end) }];
          const i = /^(ba|da)?sh$/.test(programFileName(c.name)) ? words.indexOf('-c') : -1;
          return i >= 0 && words[i + 1] ? scan(words[i + 1]!) : [];
        });
      out.push(...scan(value));
    }
  }
  return out;
}

const memo = new WeakMap<DeploymentModel, readonly RuntimeJoin[]>();

/** Every runtime join of the model, in scripts, Packer inline commands, remote-exec inline commands and systemd units. */
export function runtimeJoins(model: DeploymentModel): readonly RuntimeJoin[] {
  const hit = memo.get(model);
  if (hit) return hit;
  const out: RuntimeJoin[] = [];
  for (const s of model.scripts) {
    const joins = scriptJoins(s);
    // A script a Packer provisioner runs runs on the build machine.
    if (joins.length > 0) out.push(...(provisionersRunning(model, s.file).length > 0 ? joins.map((j) => ({ ...j, where: 'packer' as const })) : joins));
    if (s.language !== 'bash' || !/ExecStart/.test(s.text.text)) continue;
    for (const h of s.scan.heredocs) {
      if (!h.targets.some((w) => /\/systemd\/system\/[^/]+\.service$/.test(w.literal ?? w.raw))) continue;
      out.push(...unitJoins(s.text.text.slice(h.bodyStart, h.bodyEnd), (a, b) => s.text.toHost(h.bodyStart + a, h.bodyStart + b), s.file));
    }
  }
  for (const p of packerProvisioners(model)) out.push(...packerInlineJoins(model, p));
  out.push(...remoteExecJoins(model));
  for (const [file, src] of model.files) if (file.endsWith('.service')) out.push(...unitJoins(src.text, (a, b) => ({ file, start: a, end: b }), file));
  memo.set(model, out);
  return out;
}
