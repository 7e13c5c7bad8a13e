/**
 * How clients find servers. `client.servers` takes only host[:port]; cloud
 * auto-join (`provider=…`, go-discover) works only in `server_join {
 * retry_join }`. Symptoms: "none of the configured servers are valid",
 * "no servers", "discovering join addresses failed".
 */
import type { SettingEntry } from '../../agent/settings';
import type { Check } from '../check';
import { clientRoles, finding, label } from '../check';
import type { Finding, FixSpec } from '../../types';
import { roleAnchor, sideRelated } from './compare';
import { lineOf } from '../image/shared';
import type { RuntimeJoin } from './runtimeJoin';
import { runtimeJoins } from './runtimeJoin';
import type { Role } from '../../agent/roles';
import type { DeploymentModel } from '../../model/deploymentModel';

const JOIN_PATHS = ['client.servers', 'client.server_join.retry_join', 'server_join.retry_join', 'client.server_join.start_join'];

export const providerInClientServers: Check = {
  id: 'servers-auto-join-in-client-servers',
  category: 'servers',
  severity: 'error',
  title: 'go-discover `provider=…` inside client.servers',
  run(model) {
    const out: Finding[] = [];
    for (const role of clientRoles(model, 'nomad')) {
      // The files' entries, and a -servers flag of the launch line (its own entry in the role's settings).
      const launch = role.settings.get('client.servers');
      for (const e of launch?.launch ? [...role.allEntries, launch] : role.allEntries) {
        if (e.path !== 'client.servers' || !Array.isArray(e.value)) continue;
        // A -servers flag appended to the files' list: its own values only (the files' are judged on their own).
        const values = e.launch?.overrides && Array.isArray(e.launch.overrides.value) ? e.value.slice(e.launch.overrides.value.length) : e.value;
        const bad = values.filter((v): v is string => typeof v === 'string' && /provider=/.test(v));
        if (bad.length === 0) continue;
        const what = e.launch ? `the -servers flag of its launch line gives client.servers ${JSON.stringify(bad)}, which` : `client.servers = ${e.display}`;
        out.push(
          finding({
            check: this,
            span: e.keySpan,
            message: `${label(role)}: ${what} uses cloud auto-join, but client.servers accepts only host[:port] addresses; Nomad logs "none of the configured servers are valid" and the client never finds a server. Put "provider=…" in client { server_join { retry_join = [...] } }.`,
            related: sideRelated(role, e, 'client.servers').slice(1),
            fixes: moveToServerJoin(e),
          }),
        );
      }
    }
    return out;
  },
};

/** Rewrites `servers = [...]` as `server_join { retry_join = [...] }` when the text is the host's own. */
function moveToServerJoin(e: SettingEntry): FixSpec[] {
  const t = e.doc.text;
  const nameStart = t.text.lastIndexOf('servers', e.expr.start);
  if (nameStart < 0) return [];
  for (let i = nameStart; i < nameStart + 'servers'.length; i++) if (!t.isExactAt(i)) return [];
  const key = t.toHost(nameStart, nameStart + 'servers'.length);
  const valueEnd = t.toHost(e.expr.end - 1, e.expr.end);
  const eqAndValueEnd = { file: key.file, start: key.start, end: valueEnd.end };
  if (valueEnd.file !== key.file || valueEnd.end <= key.start) return [];
  const src = t.text.slice(e.expr.start, e.expr.end);
  void src;
  return [
    {
      title: 'Move the auto-join string to server_join { retry_join }',
      edits: [
        { span: key, newText: 'server_join { retry_join' },
        { span: { file: key.file, start: eqAndValueEnd.end, end: eqAndValueEnd.end }, newText: ' }' },
      ],
    },
  ];
}

export const commaJoinedList: Check = {
  id: 'servers-comma-joined',
  category: 'servers',
  severity: 'error',
  title: 'A server list written as one comma-joined string',
  run(model) {
    const out: Finding[] = [];
    for (const role of model.roles) {
      for (const e of role.allEntries) {
        if (!/(^|\.)(servers|retry_join|start_join)$/.test(e.path)) continue;
        const items = Array.isArray(e.value) ? e.value : typeof e.value === 'string' ? [e.value] : [];
        const joined = items.find((v): v is string => typeof v === 'string' && v.includes(',') && !/provider=/.test(v)) ?? joinedAroundUnknowns(e);
        if (joined === undefined && !(typeof e.value === 'string')) continue;
        out.push(
          finding({
            check: this,
            span: e.keySpan,
            message:
              typeof e.value === 'string'
                ? `${label(role)}: ${e.path} must be a list, but it is the string ${e.display}; the agent refuses it or treats it as one address ("none of the configured servers are valid" / "discovering join addresses failed").`
                : `${label(role)}: ${e.path} holds the single entry "${joined}", a comma-joined list; each address must be its own list item, or the agent tries to resolve the whole string as one host ("none of the configured servers are valid").`,
            related: sideRelated(role, e, e.path).slice(1),
          }),
        );
      }
    }
    return out;
  },
};

/**
 * A list item whose values are unknown but whose commas are written in the config itself:
 * `servers = ["$server_1,$server_2,$server_3"]` is one comma-joined entry whatever the variables hold.
 * Commas inside a substituted value (an unresolved `${join(",", …)}`) do not count.
 */
function joinedAroundUnknowns(e: SettingEntry): string | undefined {
  if (!e.unknownReason || e.expr.type !== 'list') return undefined;
  const t = e.doc.text;
  for (const item of e.expr.items) {
    if (item.type !== 'string' || /provider=/.test(item.value)) continue;
    for (let i = item.contentStart; i < item.contentEnd; i++) {
      if (t.text[i] !== ',' || !t.isExactAt(i)) continue;
      const before = t.text.slice(item.contentStart, i).trim();
      const after = t.text.slice(i + 1, item.contentEnd).trim();
      if (before && after) return t.text.slice(item.contentStart, item.contentEnd);
    }
  }
  return undefined;
}

export const joinMethodDrift: Check = {
  id: 'servers-join-drift',
  category: 'servers',
  severity: 'warning',
  title: 'Clients find servers differently (hard-coded address vs auto-join), or not at all',
  run(model) {
    const out: Finding[] = [];
    const describe = (entries: SettingEntry[]) => (entries.length === 0 ? 'its local Consul agent' : entries.map((e) => `${e.path} = ${e.display}`).join(', '));
    const methods = clientRoles(model, 'nomad').map((role) => {
      const entries = JOIN_PATHS.map((p) => role.settings.get(p)).filter((e): e is SettingEntry => e !== undefined);
      const values = entries.flatMap((e) => (Array.isArray(e.value) ? e.value : [e.value])).filter((v): v is string => typeof v === 'string');
      // Nomad's `consul` block defaults to address 127.0.0.1:8500 with client_auto_join = true: a client
      // without a consul block still discovers servers through a local Consul agent when the same OS runs one.
      const autoJoin = role.settings.get('consul.client_auto_join');
      const localConsul = model.roles.some((r) => r.product === 'consul' && r.kind === role.kind);
      const consulJoin =
        !autoJoin?.unknownReason && !(autoJoin?.value === false || autoJoin?.value === 'false') && (role.settings.has('consul.address') || localConsul);
      // A join address computed at run time (`$(curl …)`, `Invoke-RestMethod`) is not data: the method is unknown.
      // An explicit client.servers list whose addresses Terraform fills in at deploy time (a value known only after
      // apply, passed to the script: its chain goes through a .tf file) is still a list of addresses: that is the
      // method, whatever the values. An address looked up by the script at run time stays unknown.
      const unknownEntries = entries.filter((e) => e.unknownReason !== undefined);
      const listed =
        unknownEntries.length > 0 &&
        unknownEntries.every((e) => /(^|\.)servers$/.test(e.path) && e.expr.type === 'list' && e.chain.some((c) => /\.tf(\.json)?$/.test(c.span.file)));
      const unknown = unknownEntries.length > 0 && !listed;
      const method = listed
        ? 'addresses given at deploy time'
        : unknown
          ? 'unknown'
          : values.some((v) => /provider=/.test(v))
            ? 'auto-join'
            : values.some((v) => /^\d{1,3}(\.\d{1,3}){3}(:\d+)?$/.test(v))
              ? 'hard-coded IP'
              : values.length > 0
                ? 'host names'
                : consulJoin
                  ? 'Consul'
                  : runtimeServers(model, role).some((j) => j.where === 'every-start')
                    ? 'a command at each start'
                    : 'none';
      return { role, entries, method };
    });
    for (const m of methods) {
      if (m.method === 'none') {
        const runtime = runtimeServers(model, m.role);
        if (runtime.length > 0) {
          out.push(runtimeOnly(this, model, m.role, runtime));
          continue;
        }
        out.push(
          finding({
            check: this,
            span: roleAnchor(m.role),
            severity: 'error',
            message: `${label(m.role)} has no client.servers, no server_join and no Consul to discover servers: the client logs "no servers" and never registers.${serverOnlyJoinFlags(m.role)}`,
          }),
        );
      }
    }
    // A loopback server address on a client whose machine runs no Nomad server (a dev-mode config copied to an image):
    // the client dials itself.
    const serverDocs = model.roles.filter((r) => r.product === 'nomad' && r.kind === 'server').flatMap((r) => r.configs.map((c) => c.doc));
    for (const m of methods) {
      const e = m.role.settings.get('client.servers');
      if (!e || !Array.isArray(e.value)) continue;
      const loop = e.value.find((v): v is string => typeof v === 'string' && /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)(:\d+)?$/i.test(v));
      if (loop === undefined) continue;
      // The same script configuring a server too is one machine (a dev or all-in-one node); the same directory on two
      // images is not.
      const sameMachine = serverDocs.some((d) => d.hostFile === e.doc.hostFile);
      if (sameMachine) continue;
      out.push(
        finding({
          check: this,
          span: e.valueSpan,
          message: `${label(m.role)}: client.servers = ${e.display} points at the client's own machine, and no Nomad server is configured there (no server config is written by the same script). The client dials itself: "connection refused" on ${loop}, "no servers", and it never registers. List the servers' addresses, or use server_join { retry_join = ["provider=…"] }.`,
        }),
      );
    }
    const win = methods.find((m) => m.role.kind === 'windows-client');
    const lin = methods.find((m) => m.role.kind === 'linux-client');
    const comparable = (m: { method: string }) => m.method !== 'none' && m.method !== 'unknown' && m.method !== 'a command at each start';
    if (win && lin && win.method !== lin.method && comparable(win) && comparable(lin)) {
      const hard = win.method === 'hard-coded IP' ? win : lin.method === 'hard-coded IP' ? lin : win;
      const other = hard === win ? lin : win;
      out.push(
        finding({
          check: this,
          span: hard.entries[0]?.keySpan ?? roleAnchor(hard.role),
          message: `Clients find servers differently: ${label(hard.role)} uses ${hard.method} (${describe(hard.entries)}), ${label(other.role)} uses ${other.method} (${describe(other.entries)}). ${hard.method === 'hard-coded IP' ? 'A hard-coded address breaks when servers are replaced' : "One side breaks when the other's discovery path changes"} ("no servers", "discovering join addresses failed").`,
          related: other.entries.flatMap((e) => sideRelated(other.role, e, e.path)),
        }),
      );
    }
    return out;
  },
};

/**
 * A `-retry-join` / `-join` flag on a Nomad client's launch line sets the server's join lists only (command/agent/
 * command.go: they fill `cmdConfig.Server.ServerJoin`, which `handleRetryJoin` / `startupJoin` read only in server
 * mode; a client reads `client { server_join }` and `-servers`): said, since it looks like a way to find servers.
 */
function serverOnlyJoinFlags(role: Role): string {
  const e = ['server.server_join.retry_join', 'server.server_join.start_join'].map((p) => role.settings.get(p)).find((x) => x?.launch);
  if (!e) return '';
  const flag = e.path.endsWith('retry_join') ? '-retry-join' : '-join';
  return ` Its launch line passes ${flag} (${e.chain[e.chain.length - 1]?.note ?? e.path}), but Nomad reads ${flag} only in server mode: a client takes its servers from -servers=<host:port,…> or client { server_join { retry_join = [...] } }.`;
}

/** The runtime `nomad node config -update-servers` commands run on the machines of a client role (by OS). */
function runtimeServers(model: DeploymentModel, role: Role): RuntimeJoin[] {
  const os = role.kind === 'windows-client' ? 'windows' : 'linux';
  return runtimeJoins(model).filter((j) => j.kind === 'client-servers' && j.os === os);
}

/**
 * A client whose configs give no servers, whose servers are set on the running agent by `nomad node config
 * -update-servers` (see runtimeJoin.ts: the list is held in the client's memory only). An error when the same script
 * restarts the agent or the machine after it, or when it runs in a Packer build (the instances never get the list); a
 * warning otherwise (it works until the agent restarts).
 */
function runtimeOnly(check: Check, model: DeploymentModel, role: Role, runtime: readonly RuntimeJoin[]): Finding {
  const rank = (j: RuntimeJoin) => (j.restart ? 0 : j.where === 'packer' ? 1 : 2);
  const j = [...runtime].sort((a, b) => rank(a) - rank(b))[0]!;
  const more = runtime.length > 1 ? ` (and ${runtime.length - 1} more)` : '';
  const symptom = 'the client logs "no servers" and never registers';
  const head = `${label(role)} has no client.servers, no server_join and no Consul in its config files; its servers are given only to the running agent, by \`${j.display}\` (${lineOf(model, j.span)})${more}. Nomad keeps that list in the running client's memory and writes it nowhere`;
  let tail: string;
  if (j.restart) {
    const what = j.restart.machine ? 'restarts the machine' : 'restarts the agent';
    tail = `, and \`${j.restart.text.slice(0, 80)}\` (${lineOf(model, j.restart.span)}) ${what} after it: the list is already gone when the agent starts again with its config files only, and ${symptom}.`;
  } else if (j.where === 'packer') {
    tail = `, and this runs while Packer builds the image, on the build machine's agent: the instances made from the image start with their config files only, and ${symptom}.`;
  } else {
    tail = `, so it lasts only until the agent restarts (a service restart, a reboot${j.where === 'remote-exec' ? '; a remote-exec runs once, when the resource is created' : ''}): the agent then starts with its config files only, and ${symptom}.`;
  }
  const related = runtime.flatMap((x) => [
    { span: x.span, message: `\`${x.display}\` sets the servers on the running agent only` },
    ...(x.restart
      ? [
          {
            span: x.restart.span,
            message: `\`${x.restart.text.slice(0, 80)}\` ${x.restart.machine ? 'restarts the machine' : 'restarts the agent'}: the list set above is lost`,
          },
        ]
      : []),
  ]);
  return finding({
    check,
    span: roleAnchor(role),
    severity: j.restart || j.where === 'packer' ? 'error' : 'warning',
    message: `${head}${tail} Give the addresses in a config file: client { servers = [...] } or server_join { retry_join = [...] }.`,
    related,
  });
}
