import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, only, spanOf } from './helpers';
import { serviceDefs } from '../../../../server/src/core/checks/image/services';
import { setting } from '../../core/helpers';

// A Linux Nomad server run by docker compose, a Windows client registered with New-Service (olljanat/nomad-simplified's shape).
const COMPOSE = 'docker-compose.server.yml';
const CMD = 'nomad agent -server -config=/etc/nomad.d/server.hcl -region=${REGION} -dc=${DATACENTER}';
const compose = (command: string, extra = '') => `services:
  nomad-server:
    image: example/nomad:1.9
    container_name: nomad-server
${extra}    command: ${command}
    network_mode: host
  db:
    image: postgres:16
    command: ["postgres", "-c", "max_connections=200", "-c", "region=x"]
`;
const SERVER_HCL = 'data_dir = "/opt/nomad/data"\nserver {\n  enabled          = true\n  bootstrap_expect = 1\n}\n';
const WINDOWS_HCL = 'data_dir = "c:\\\\opt\\\\nomad\\\\data"\nclient {\n  enabled = true\n  servers = ["10.0.0.10"]\n}\n';
const install = (region: string) =>
  `$region = "${region}"\nNew-Service -Name "nomad" -DisplayName "Nomad" -BinaryPathName "c:\\bin\\nomad.exe agent -config c:\\etc\\nomad.d\\windows.hcl -region=$region -dc=dc1" -StartupType Automatic\nStart-Service -Name nomad\n`;

function tree(opts: { command?: string; env?: string; region?: string; extra?: string } = {}): Record<string, string> {
  return {
    [COMPOSE]: compose(opts.command ?? CMD, opts.extra),
    ...(opts.env !== undefined ? { '.env': opts.env } : {}),
    'nomad.d/server.hcl': SERVER_HCL,
    'nomad.d/windows.hcl': WINDOWS_HCL,
    'install.ps1': install(opts.region ?? 'east'),
  };
}

const REGION_RULES = ['region-mismatch', 'datacenter-mismatch', 'service-flag-override'];
const regionFindings = (files: Record<string, string>) => analyze(files).findings.filter((f) => REGION_RULES.includes(f.ruleId));

test('compose: a server whose .env region differs from the Windows client: service-flag-override on the compose flag', () => {
  const files = tree({ env: 'REGION=west\nDATACENTER=dc1\n' });
  const f = only(analyze(files).findings, 'service-flag-override');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, COMPOSE);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[COMPOSE]!, '-region=${REGION}'));
  assert.match(
    f[0]!.message,
    /Nomad server: -region=\$\{REGION\} \(west; REGION from \.env, unless the shell running docker compose sets it\) from the docker compose service definition \(docker-compose\.server\.yml:5\)/,
  );
  assert.match(f[0]!.message, /Nomad Windows client: -region=\$region \(east\) from the New-Service service definition/);
});

test('compose: fixed (.env gives the Windows client region): no region or datacenter finding', () => {
  assert.deepEqual(regionFindings(tree({ env: 'REGION=east\nDATACENTER=dc1\n' })), []);
});

test('compose: a compose server with a literal region and a Windows client configured by file only: region-mismatch on the client', () => {
  const files = tree({ command: 'nomad agent -server -config=/etc/nomad.d/server.hcl -region=west' });
  // No Windows service: the client's region comes from its config.
  delete files['install.ps1'];
  files['nomad.d/windows.hcl'] = `region = "east"\n${WINDOWS_HCL}`;
  const f = only(analyze(files).findings, 'region-mismatch');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'nomad.d/windows.hcl');
  assert.match(f[0]!.message, /Nomad server runs with region "west" from -region=west in its docker compose service \(docker-compose\.server\.yml\)/);
  // The same with the region from .env: the message says where the value comes from.
  const fromEnv = { ...files, [COMPOSE]: compose('nomad agent -server -config=/etc/nomad.d/server.hcl -region=${REGION}'), '.env': 'REGION=west\n' };
  const g = only(analyze(fromEnv).findings, 'region-mismatch');
  assert.equal(g.length, 1, JSON.stringify(g.map((x) => x.message)));
  assert.match(
    g[0]!.message,
    /from -region=\$\{REGION\} \(west; REGION from \.env, unless the shell running docker compose sets it\) in its docker compose service/,
  );
});

test('compose: an unknown variable stays unknown (no .env, or one without it): nothing depends on it', () => {
  for (const env of [undefined, 'OTHER=1\n']) {
    const files = tree(env === undefined ? {} : { env });
    assert.deepEqual(regionFindings(files), [], `env ${env}`);
    const { ws } = analyze(files);
    const def = serviceDefs(ws.model!).find((d) => d.file === COMPOSE);
    assert.ok(def);
    const region = def.flags.find((x) => x.name === 'region')!;
    assert.equal(region.resolved, undefined);
    assert.match(
      region.unknownReason ?? '',
      /REGION is read from the environment of the shell that runs docker compose or from the \.env file of the project directory \(\.env\)/,
    );
  }
  // `${REGION:-east}` is "east" only when REGION is unset: unknown too, with the default named.
  const files = tree({ command: CMD.replace('${REGION}', '${REGION:-east}') });
  assert.deepEqual(regionFindings(files), []);
  const region = serviceDefs(analyze(files).ws.model!)
    .find((d) => d.file === COMPOSE)!
    .flags.find((x) => x.name === 'region')!;
  assert.match(region.unknownReason ?? '', /its default "east" applies only when REGION is not set/);
});

test('compose: .env values, defaults and $$ as Compose substitutes them', () => {
  const cases: Array<[string, string, string]> = [
    ['-region=${REGION:-east}', 'REGION=\n', 'east'],
    ['-region=${REGION-east}', 'REGION=west\n', 'west'],
    ['-region=$REGION', 'export REGION="west" # comment\n', 'west'],
    ['-region=${REGION:+north}', 'REGION=x\n', 'north'],
    ['-region=a$$b', '', 'a$b'],
  ];
  for (const [flag, env, want] of cases) {
    const files = tree({ command: `nomad agent -server -config=/etc/nomad.d/server.hcl ${flag}`, env });
    const def = serviceDefs(analyze(files).ws.model!).find((d) => d.file === COMPOSE)!;
    assert.equal(def.flags.find((x) => x.name === 'region')!.resolved, want, flag);
  }
});

test('compose: list forms (flow and block, entrypoint + command) give the same launch line, spans on the items', () => {
  const flow = tree({ command: '["nomad", "agent", "-server", "-config", "/etc/nomad.d/server.hcl", "-region=west"]' });
  const block = tree({
    command: '\n      - agent\n      - -server\n      - -config=/etc/nomad.d/server.hcl\n      - -region=west',
    extra: '    entrypoint: ["/usr/local/bin/nomad"]\n',
  });
  for (const files of [flow, block]) {
    const { ws, findings } = analyze(files);
    const def = serviceDefs(ws.model!).find((d) => d.file === COMPOSE);
    assert.ok(def, files[COMPOSE]);
    assert.equal(def.os, 'linux');
    assert.equal(def.product, 'nomad');
    assert.equal(def.name, 'nomad-server');
    assert.deepEqual(
      def.flags.map((x) => [x.name, x.resolved]),
      [
        ['config', '/etc/nomad.d/server.hcl'],
        ['region', 'west'],
      ],
    );
    const f = only(findings, 'service-flag-override');
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[COMPOSE]!, '-region=west'));
  }
  // `-config /etc/…` as two items: one span over both.
  const def = serviceDefs(analyze(flow).ws.model!).find((d) => d.file === COMPOSE)!;
  const config = def.flags.find((x) => x.name === 'config')!;
  assert.equal(flow[COMPOSE]!.slice(config.span.start, config.span.end), '-config", "/etc/nomad.d/server.hcl');
});

test('compose: a bare `agent` command is read only with a nomad/consul entrypoint; a postgres service is ignored', () => {
  const bare = tree({ command: 'agent -server -region=west' });
  assert.deepEqual(
    serviceDefs(analyze(bare).ws.model!).filter((d) => d.file === COMPOSE),
    [],
  );
  const withEntrypoint = tree({ command: 'agent -server -region=west', extra: '    entrypoint: consul\n' });
  const defs = serviceDefs(analyze(withEntrypoint).ws.model!).filter((d) => d.file === COMPOSE);
  assert.deepEqual(
    defs.map((d) => [d.product, d.name]),
    [['consul', 'nomad-server']],
  );
  // The postgres service (`postgres -c … region=x`) is no service definition in either tree.
  for (const files of [bare, withEntrypoint, tree()]) assert.ok(!serviceDefs(analyze(files).ws.model!).some((d) => d.name === 'db'));
});

test('compose: a wrapper entrypoint of the tree that runs "$@" passes the command; one that does not, or is not in the tree, is not read', () => {
  const base = tree({ command: 'nomad agent -server -config=/etc/nomad.d/server.hcl -region=west', extra: '    entrypoint: /bin/server-entry.sh\n' });
  const runs = { ...base, 'server-entry.sh': '#!/bin/bash\necho "starting"\nexec "$@"\n' };
  assert.equal(serviceDefs(analyze(runs).ws.model!).filter((d) => d.file === COMPOSE).length, 1);
  const ignores = { ...base, 'server-entry.sh': '#!/bin/bash\nexec /bin/nomad agent -dev\n' };
  assert.equal(serviceDefs(analyze(ignores).ws.model!).filter((d) => d.file === COMPOSE).length, 0);
  assert.equal(serviceDefs(analyze(base).ws.model!).filter((d) => d.file === COMPOSE).length, 0);
});

test('compose: the -config flags give the load order of repository files (directory, then the role file)', () => {
  const files = {
    [COMPOSE]: compose('nomad agent -config=/etc/nomad.d -config=/etc/nomad.d/role/server.hcl'),
    'nomad.d/global.hcl': 'log_level = "INFO"\nserver {\n  enabled = true\n}\n',
    'nomad.d/role/server.hcl': 'log_level = "DEBUG"\nserver {\n  enabled          = true\n  bootstrap_expect = 1\n}\n',
  };
  const { ws } = analyze(files);
  const e = setting(ws.model!, 'server/nomad', 'log_level');
  assert.ok(e);
  assert.equal(e.unknownReason, undefined);
  assert.equal(e.value, 'DEBUG');
});

test('compose: malformed YAML is a file problem, never an exception; its services are not read', () => {
  const files = tree({ env: 'REGION=west\n' });
  files[COMPOSE] = 'services:\n  nomad:\n    command: [nomad, agent\n  : - ]]\n';
  const { ws } = analyze(files);
  const r = ws.analyze();
  const p = r.fileProblems.filter((x) => x.file === COMPOSE);
  assert.equal(p.length, 1);
  assert.match(p[0]!.reason, /^malformed YAML, its services are not read: /);
  assert.equal(serviceDefs(ws.model!).filter((d) => d.file === COMPOSE).length, 0);
  // Fixed: the problem goes.
  ws.setText(COMPOSE, compose(CMD));
  assert.deepEqual(
    ws.analyze().fileProblems.filter((x) => x.file === COMPOSE),
    [],
  );
});

test('compose: an edit elsewhere reuses the parse of the Compose file and of .env (cached by text)', () => {
  const { ws } = analyze(tree({ env: 'REGION=west\n' }));
  const before = ws.model!.composeFiles![0]!;
  ws.setText('install.ps1', install('north'));
  ws.analyze();
  const after = ws.model!.composeFiles![0]!;
  assert.equal(after.parse, before.parse);
  assert.equal(after.env!.vars, before.env!.vars);
});

test('compose: service-config-path-mismatch takes a -config naming a repository file by its last path parts (olljanat), still fires on others', () => {
  const entry = '#!/bin/bash\necho -e "$CLUSTER_CONFIG" | tee /etc/nomad.d/cluster.hcl\n$@ &\nwait\n';
  const files = (config: string) => ({
    [COMPOSE]: compose(`nomad agent -server -config=/etc/nomad.d ${config}`, '    entrypoint: /bin/server-entry.sh\n'),
    'server-entry.sh': entry.replace('$CLUSTER_CONFIG', 'bind_addr = \\"0.0.0.0\\"'),
    'nomad.d/global.hcl': 'log_level = "INFO"\n',
    'nomad.d/role/server.hcl': 'server {\n  enabled          = true\n  bootstrap_expect = 1\n}\n',
  });
  const ok = files('-config=/etc/nomad.d/role/server.hcl');
  assert.equal(serviceDefs(analyze(ok).ws.model!).filter((d) => d.file === COMPOSE).length, 1);
  assert.deepEqual(only(analyze(ok).findings, 'service-config-path-mismatch'), []);
  const broken = files('-config=/etc/nomad/other/server.hcl');
  const f = only(analyze(broken).findings, 'service-config-path-mismatch');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(broken[COMPOSE]!, '-config=/etc/nomad/other/server.hcl'));
});
