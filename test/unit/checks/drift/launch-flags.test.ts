import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, only, spanOf } from './helpers';
import type { Files } from './helpers';
import { runCli } from '../../../../server/src/cli/main';
import { hoverAt, renderRole } from '../../../../server/src/core/results';

// Agent settings given on the launch line (`nomad.exe agent -servers=…`, `consul agent -retry-join …`) are part of the
// role's effective configuration (agent/launchFlags.ts), with a chain step at the flag.

const KEY_A = 'LYy8NIV5hOTneYqbuc74wz2YSP4/V/p2K0G4jjpiafM=';
const KEY_B = 'V1bIesApGczm9QvdU4Q/ODyohckyj0VXT87ak9FtjYo=';

const WIN = 'scripts/client.ps1';
const LIN = 'scripts/client.sh';
const UNIT = 'config/nomad.service';
const CONSUL_UNIT = 'config/consul.service';

/** A Windows client whose config has no servers; `service` is the line that registers the agent. */
const windows = (service: string, pre = '') => `$ErrorActionPreference = "Stop"
${pre}$nomadConfig = @"
data_dir  = "C:/nomad/data"
client {
  enabled = true
}
"@
$nomadConfig | Out-File -FilePath C:\\nomad\\conf\\client.hcl -Encoding ascii
${service}
`;

const linux = (nomadBody: string, consulBody?: string) => `#!/usr/bin/env bash
set -euo pipefail
${consulBody === undefined ? '' : `cat <<EOF | sudo tee /etc/consul.d/consul.hcl\n${consulBody}\nEOF\n`}cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl
data_dir = "/opt/nomad/data"
${nomadBody}
EOF
`;

const unit = (exec: string) => `[Unit]\nDescription=agent\n\n[Service]\nExecStart=${exec}\n\n[Install]\nWantedBy=multi-user.target\n`;

const LIN_OK = linux('client {\n  enabled = true\n  servers = ["10.0.0.5:4647"]\n}');

const role = (files: Files, id: string) => {
  const { r, ws } = analyze(files);
  const view = r.roles.find((x) => x.id === id);
  assert.ok(view, `no role ${id}: ${r.roles.map((x) => x.id).join(', ')}`);
  return { r, ws, view, get: (p: string) => view.settings.find((s) => s.path === p) };
};

test('launch flags: a Windows client whose only servers are -servers= on its New-Service binPath has servers (was a false "no servers")', () => {
  const service =
    'New-Service -Name nomad -BinaryPathName "C:\\nomad\\nomad.exe agent -client -servers=10.0.0.5:4647,10.0.0.6:4647 -config=C:\\nomad\\conf" -StartupType Automatic';
  const files = { [WIN]: windows(service), [LIN]: LIN_OK };
  const { r, get } = role(files, 'windows-client/nomad');
  assert.deepEqual(only(r, 'servers-join-drift'), [], JSON.stringify(only(r, 'servers-join-drift').map((f) => f.message)));
  const servers = get('client.servers')!;
  assert.deepEqual(servers.value, ['10.0.0.5:4647', '10.0.0.6:4647']);
  assert.deepEqual({ file: servers.span.file, ...spanOf(files[WIN], '-servers=10.0.0.5:4647,10.0.0.6:4647') }, servers.span);
  assert.match(servers.chain.at(-1)!.note, /set by the -servers flag of the New-Service launch line of the nomad service "nomad" in scripts\/client\.ps1/);
  // Without the flag the client has no servers.
  const without = { [WIN]: windows(service.replace(' -servers=10.0.0.5:4647,10.0.0.6:4647', '')), [LIN]: LIN_OK };
  const f = only(analyze(without).r, 'servers-join-drift');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /Nomad Windows client has no client.servers/);
});

test('launch flags: sc.exe create … binPath= with -servers, the value given by a script variable', () => {
  const service = 'sc.exe create nomad binPath= "C:\\nomad\\nomad.exe agent -client -config=C:\\nomad\\conf -servers=$servers" start= auto';
  const files = { [WIN]: windows(service, '$servers = "10.0.0.5:4647"\n'), [LIN]: LIN_OK };
  const { r, get } = role(files, 'windows-client/nomad');
  assert.deepEqual(only(r, 'servers-join-drift'), []);
  assert.deepEqual(get('client.servers')!.value, ['10.0.0.5:4647']);
});

test('launch flags: a -servers value from a variable that does not resolve is unknown: no "no servers", no value claimed', () => {
  const service = 'New-Service -Name nomad -BinaryPathName "C:\\nomad\\nomad.exe agent -client -servers=$ServerList -config=C:\\nomad\\conf"';
  const files = { [WIN]: windows(service, 'param([string]$ServerList)\n'), [LIN]: LIN_OK };
  const { r, get } = role(files, 'windows-client/nomad');
  assert.deepEqual(only(r, 'servers-join-drift'), [], JSON.stringify(only(r, 'servers-join-drift').map((f) => f.message)));
  const servers = get('client.servers')!;
  assert.equal(servers.value, undefined);
  assert.ok(servers.unknownReason, 'unknown with a reason');
  assert.match(servers.display, /^unknown \(/);
});

test('launch flags: a systemd unit with -retry-join: Consul prepends it to retry_join; a Nomad client reads -retry-join only in server mode', () => {
  const consul = 'datacenter = "dc1"\nretry_join = ["10.0.0.9"]';
  const files = {
    [LIN]: linux('client {\n  enabled = true\n}', consul),
    [UNIT]: unit('/usr/bin/nomad agent -config /etc/nomad.d -retry-join 10.0.0.1'),
    [CONSUL_UNIT]: unit('/usr/bin/consul agent -config-dir=/etc/consul.d -retry-join "provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"'),
  };
  const c = role(files, 'linux-client/consul');
  // Consul's builder puts the flags' slices before the config files' (agent/config/builder.go "flags.slices").
  assert.deepEqual(c.get('retry_join')!.value, ['provider=aws tag_key=ConsulAutoJoin tag_value=auto-join', '10.0.0.9']);
  assert.match(
    c.get('retry_join')!.chain.at(-1)!.note,
    /-retry-join flag of the systemd unit launch line of the consul service "consul" in config\/consul\.service/,
  );
  const n = role(files, 'linux-client/nomad');
  assert.deepEqual(n.get('server.server_join.retry_join')!.value, ['10.0.0.1']);
  assert.equal(n.get('client.server_join.retry_join'), undefined);
});

test('launch flags: a Nomad client whose only join is -retry-join on its unit: "no servers" says -retry-join is server-only', () => {
  const files = {
    [LIN]: linux('client {\n  enabled = true\n}'),
    [UNIT]: unit('/usr/bin/nomad agent -config /etc/nomad.d -retry-join 10.0.0.1'),
  };
  const f = only(analyze(files).r, 'servers-join-drift');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'error');
  assert.match(f[0]!.message, /Its launch line passes -retry-join \([^)]*config\/nomad\.service\), but Nomad reads -retry-join only in server mode/);
});

test('launch flags: a Docker Compose command: with -retry-join joins the Consul agent', () => {
  const compose = `services:
  consul:
    image: hashicorp/consul:1.18
    command: consul agent -config-dir=/consul/config -retry-join=consul-server-1 -retry-join=consul-server-2 -datacenter=east
`;
  const files = { 'docker-compose.yml': compose, [LIN]: linux('client {\n  enabled = true\n  servers = ["10.0.0.5"]\n}', 'data_dir = "/opt/consul"') };
  const { get } = role(files, 'linux-client/consul');
  assert.deepEqual(get('retry_join')!.value, ['consul-server-1', 'consul-server-2']);
  assert.equal(get('datacenter')!.value, 'east');
  assert.equal(get('retry_join')!.span.file, 'docker-compose.yml');
});

test('launch flags: a flag overrides the config file (flag wins) in the effective config and its rendering', () => {
  const files = {
    [LIN]: linux('datacenter = "dc1"\nclient {\n  enabled = true\n  servers = ["10.0.0.5:4647"]\n}'),
    [UNIT]: unit('/usr/bin/nomad agent -config /etc/nomad.d -dc=east -servers=10.0.0.7:4647'),
  };
  const { ws, get } = role(files, 'linux-client/nomad');
  assert.equal(get('datacenter')!.value, 'east');
  // Nomad appends -servers to the files' client.servers (ClientConfig.Merge).
  assert.deepEqual(get('client.servers')!.value, ['10.0.0.5:4647', '10.0.0.7:4647']);
  const hcl = renderRole(ws.model!, 'linux-client/nomad')!;
  assert.match(hcl, /datacenter = "east"/);
  assert.doesNotMatch(hcl, /datacenter = "dc1"/);
  // Hovering the flag, or the config's datacenter it overrides, names the flag.
  for (const [file, needle] of [
    [UNIT, '-dc=east'],
    [LIN, 'datacenter'],
  ] as const) {
    const h = hoverAt(ws.model!, file, spanOf(files[file], needle).start + 1);
    assert.ok(h, `hover at ${needle}`);
    assert.match(
      h.markdown,
      /Nomad Linux client: `"east"`\n {2}- datacenter set by the -dc flag of the systemd unit launch line of the nomad service "nomad" in config\/nomad\.service \(config\/nomad\.service:5:\d+\)/,
    );
  }
});

test('launch flags: -encrypt on a launch line is masked in the role view and in the CLI JSON output', async () => {
  const consulLin = 'datacenter = "dc1"\nretry_join = ["10.0.0.9"]';
  const files: Files = {
    [LIN]: linux('client {\n  enabled = true\n  servers = ["10.0.0.5"]\n}', consulLin),
    [CONSUL_UNIT]: unit(`/usr/bin/consul agent -config-dir=/etc/consul.d -encrypt=${KEY_A}`),
    [WIN]: `$c = @"\ndatacenter = "dc1"\nretry_join = ["10.0.0.9"]\nencrypt = "${KEY_B}"\n"@\n$c | Out-File -FilePath C:\\consul\\config\\consul.hcl -Encoding ascii\n`,
  };
  const { r, view, get } = role(files, 'linux-client/consul');
  const enc = get('encrypt')!;
  assert.equal(enc.secret, true);
  assert.equal(enc.value, undefined);
  assert.match(enc.display, /^•••• \(44 chars, sha256:[0-9a-f]{8}\)$/);
  assert.ok(!JSON.stringify(view).includes(KEY_A));
  // The keys differ between the OSes: the finding names both, masked.
  const g = only(r, 'gossip-consul-encrypt');
  assert.ok(g.length > 0, JSON.stringify(r.findings.map((f) => f.ruleId)));
  assert.ok(!JSON.stringify(r).includes(KEY_A), 'no raw key in the result');

  const dir = mkdtempSync(path.join(os.tmpdir(), 'hsr-launch-flags-'));
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), t);
  }
  let out = '';
  await runCli(['check', dir, '--format', 'json'], { stdout: (s) => (out += `${s}\n`), stderr: () => undefined, cwd: dir });
  assert.ok(out.includes('gossip-consul-encrypt'), out.slice(0, 500));
  assert.ok(!out.includes(KEY_A), 'no raw -encrypt key in the CLI JSON');
  assert.ok(!out.includes(KEY_B));
});

test('launch flags: a script that runs the agent itself (`nohup nomad agent … &`) is a launch line; a -dev agent is not', () => {
  const script = (line: string) => linux('client {\n  enabled = true\n}').replace('EOF\n', `EOF\nSERVERS="10.0.0.5:4647"\n${line}\n`);
  const files = { [LIN]: script('nohup /usr/local/bin/nomad agent -config /etc/nomad.d -servers "$SERVERS" > /tmp/nomad.log 2>&1 &') };
  const { r, get } = role(files, 'linux-client/nomad');
  assert.deepEqual(only(r, 'servers-join-drift'), []);
  assert.deepEqual(get('client.servers')!.value, ['10.0.0.5:4647']);
  assert.match(get('client.servers')!.chain.at(-1)!.note, /-servers flag of the `nomad agent` command in scripts\/client\.sh/);
  const dev = { [LIN]: script('nomad agent -dev -servers "$SERVERS" &') };
  assert.equal(only(analyze(dev).r, 'servers-join-drift').length, 1);
});

test('launch flags: PowerShell runs the agent itself (`& nomad.exe agent …`, Start-Process -ArgumentList "agent …")', () => {
  for (const line of [
    '& "C:\\nomad\\nomad.exe" agent -client -servers=$servers -config=C:\\nomad\\conf',
    'Start-Process -FilePath C:\\nomad\\nomad.exe -ArgumentList "agent -client -servers=$servers -config=C:\\nomad\\conf" -NoNewWindow',
  ]) {
    const files = { [WIN]: windows(line, '$servers = "10.0.0.5:4647"\n'), [LIN]: LIN_OK };
    const { r, get } = role(files, 'windows-client/nomad');
    assert.deepEqual(only(r, 'servers-join-drift'), [], line);
    assert.deepEqual(get('client.servers')!.value, ['10.0.0.5:4647'], line);
    assert.match(get('client.servers')!.chain.at(-1)!.note, /-servers flag of the `nomad\.exe agent` command in scripts\/client\.ps1/);
  }
});

test('launch flags: ExecStart=/bin/sh -c "consul agent …" reads the agent line inside the shell string', () => {
  const files = {
    [LIN]: linux('client {\n  enabled = true\n  servers = ["10.0.0.5"]\n}', 'datacenter = "dc1"'),
    [CONSUL_UNIT]: unit(
      '/bin/sh -c "consul agent -retry-join=10.0.0.9 -bind=$(hostname -I | cut -d\' \' -f1) -config-file=/etc/consul.d/consul.hcl -config-dir=/etc/consul.d/extra"',
    ),
  };
  const { r, get } = role(files, 'linux-client/consul');
  assert.deepEqual(get('retry_join')!.value, ['10.0.0.9']);
  assert.equal(get('bind_addr')!.value, undefined);
  assert.ok(get('bind_addr')!.unknownReason);
  // -config-dir names a directory nothing writes, beside -config-file that loads the written config: the agent stops
  // at start when the directory does not exist (Consul "config: Open failed on …"), said as such.
  const m = only(r, 'service-config-path-mismatch');
  assert.equal(m.length, 1, JSON.stringify(m.map((f) => f.message)));
  assert.deepEqual({ start: m[0]!.span.start, end: m[0]!.span.end }, spanOf(files[CONSUL_UNIT], '-config-dir=/etc/consul.d/extra'));
  assert.match(m[0]!.message, /beside -config-file=\/etc\/consul\.d\/consul\.hcl, which loads the config the linux scripts write/);
  assert.match(m[0]!.message, /config: Open failed on \/etc\/consul\.d\/extra/);
});

test('launch flags: -servers "provider=aws …" on a launch line is cloud auto-join in client.servers (reported on the flag, no fix)', () => {
  const files = {
    [LIN]: linux('client {\n  enabled = true\n}'),
    [UNIT]: unit('/usr/bin/nomad agent -config=/etc/nomad.d -servers "provider=aws tag_key=NomadJoin tag_value=auto-join"'),
  };
  const f = only(analyze(files).r, 'servers-auto-join-in-client-servers');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[UNIT], '-servers "provider=aws tag_key=NomadJoin tag_value=auto-join"'));
  assert.match(
    f[0]!.message,
    /the -servers flag of its launch line gives client.servers \["provider=aws tag_key=NomadJoin tag_value=auto-join"\], which uses cloud auto-join/,
  );
  assert.deepEqual(f[0]!.fixes ?? [], []);
});
