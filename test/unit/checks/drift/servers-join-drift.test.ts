import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, DEFAULT_JOIN, LIN, linuxClient, only, serverConfig, tree, WIN, windowsClient } from './helpers';

const RULE = 'servers-join-drift';

test('servers-join-drift: hard-coded IP on Windows, auto-join on Linux (warning on the hard-coded key)', () => {
  const win = windowsClient({ join: 'servers = ["10.0.1.10:4647"]' });
  const lin = linuxClient();
  const { r } = analyze(tree({ server: serverConfig(), linux: lin, windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'servers');
  assert.equal(f[0]!.severity, 'warning');
  assertSpan(f[0]!, WIN, win, 'servers');
  assert.match(f[0]!.message, /Windows client uses hard-coded IP/);
  assert.match(f[0]!.message, /Linux client uses auto-join/);
  assert.match(f[0]!.message, /discovering join addresses failed/);
  assert.ok(f[0]!.related.some((x) => x.span.file === LIN && x.span.start === lin.indexOf('retry_join')));
});

test('servers-join-drift: a client with no way to find servers (error, on the write)', () => {
  const win = windowsClient({ join: '' });
  const { r } = analyze(tree({ server: serverConfig(), linux: linuxClient(), windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'error');
  assertSpan(f[0]!, WIN, win, '$nomadConfig | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii');
  assert.match(f[0]!.message, /"no servers"/);
});

test('servers-join-drift: same method on both clients is silent; explicit consul block is a method', () => {
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: linuxClient(), windows: windowsClient() })).r, RULE).length, 0);
  const consul = 'consul {\n  address = "127.0.0.1:8500"\n}';
  assert.equal(
    only(
      analyze(tree({ server: serverConfig(), linux: linuxClient({ join: '', nomadTop: consul }), windows: windowsClient({ join: '', nomadTop: consul }) })).r,
      RULE,
    ).length,
    0,
  );
});

test('servers-join-drift: no join settings but a local Consul agent on that OS (Nomad defaults to 127.0.0.1:8500, client_auto_join) is silent (was a false "no servers")', () => {
  const consulCfg = 'datacenter = "dc1"\nretry_join = ["provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"]';
  const lin = linuxClient({ join: '', consul: consulCfg });
  const win = windowsClient({ join: '', consul: consulCfg });
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: lin, windows: win })).r, RULE).length, 0);
  // ...unless client_auto_join is switched off.
  const off = linuxClient({ join: '', consul: consulCfg, nomadTop: 'consul {\n  client_auto_join = false\n}' });
  const f = only(analyze(tree({ server: serverConfig(), linux: off })).r, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'error');
});

test('servers-join-drift: servers read at run time are unknown: no "no servers" error, no drift (was a false error)', () => {
  const win = windowsClient({ join: 'servers = ["$(Invoke-RestMethod -Uri http://169.254.169.254/latest/meta-data/tags/instance/NomadServer)"]' });
  const { r } = analyze(tree({ server: serverConfig(), linux: linuxClient(), windows: win }));
  assert.equal(only(r, RULE).length, 0, JSON.stringify(only(r, RULE)));
});

test('servers-join-drift: suppression (PowerShell line above the write), severity off', () => {
  const win = windowsClient({ join: '' }).replace(
    '$nomadConfig | Out-File',
    '# hashistack-review-ignore servers-join-drift servers come from a second config file\n$nomadConfig | Out-File',
  );
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: linuxClient(), windows: win })).r, RULE).length, 0);
  const bad = tree({ server: serverConfig(), linux: linuxClient(), windows: windowsClient({ join: 'servers = ["10.0.1.10:4647"]' }) });
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'off' } }).r, RULE).length, 0);
});

test('servers-join-drift: client.servers filled in at deploy time (a Terraform value) on Windows vs Consul on Linux is a different method (real tree, round 5)', async () => {
  const { Workspace } = await import('../../../../server/src/core/engine');
  const ws = new Workspace('/t');
  ws.setText(
    'terraform/main.tf',
    'resource "aws_instance" "s" {}\nresource "aws_instance" "w" {\n  provisioner "remote-exec" {\n    inline = ["powershell -File C:/ops/client.ps1 -j \\"${aws_instance.s.private_ip}\\""]\n  }\n}\n',
  );
  ws.setText(
    'ops/client.ps1',
    'param([string]$j = "")\n$c = @"\ndata_dir = "C:/nomad/data"\nclient {\n  enabled = true\n  servers = ["$j"]\n}\n"@\n[IO.File]::WriteAllText("C:/nomad/config/client.hcl", $c, [Text.UTF8Encoding]::new($false))\n',
  );
  ws.setText(
    'scripts/client.sh',
    '#!/bin/bash\ncat <<EOF | sudo tee /etc/consul.d/consul.hcl\ndata_dir = "/opt/consul"\nretry_join = ["provider=aws tag_key=c tag_value=x"]\nEOF\ncat <<EOF | sudo tee /etc/nomad.d/nomad.hcl\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n}\nconsul {\n  address = "127.0.0.1:8500"\n}\nEOF\n',
  );
  const f = ws.analyze().findings.filter((x) => x.ruleId === 'servers-join-drift');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /Windows client uses addresses given at deploy time/);
  assert.match(f[0]!.message, /Linux client uses Consul \(consul\.address = "127\.0\.0\.1:8500"\)|Linux client uses Consul \(its local Consul agent\)/);
});

test('servers-join-drift: a loopback server address on a client-only machine (real tree, round 6); a dev node running both is silent', async () => {
  const { Workspace } = await import('../../../../server/src/core/engine');
  const client = 'cat <<EOF | sudo tee /etc/nomad.d/client.hcl\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n  servers = ["127.0.0.1:4647"]\n}\nEOF\n';
  const server = 'cat <<EOF | sudo tee /etc/nomad.d/server.hcl\ndata_dir = "/opt/nomad"\nserver {\n  enabled = true\n  bootstrap_expect = 1\n}\nEOF\n';
  const run = (files: Record<string, string>) => {
    const ws = new Workspace('/t');
    for (const [f, t] of Object.entries(files)) ws.setText(f, t);
    return ws.analyze().findings.filter((x) => x.ruleId === 'servers-join-drift' && /own machine/.test(x.message));
  };
  const f = run({ 'client-image/install.sh': `#!/bin/bash\n${client}`, 'server-image/install.sh': `#!/bin/bash\n${server}` });
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /connection refused/);
  assert.deepEqual(run({ 'dev/install.sh': `#!/bin/bash\n${server}${client}` }), []);
});

// ---------------------------------------------------------------- servers given only at run time (`nomad node config -update-servers`)

const noServers = (f: { message: string }) => /has no client\.servers, no server_join and no Consul to discover servers/.test(f.message);

test('servers-join-drift: PowerShell `nomad.exe node config -update-servers` only: a warning naming the command and the restart consequence, not "no servers at all"', () => {
  const win =
    windowsClient({ join: '' }, '') + 'Start-Service nomad\n& C:\\HashiCorp\\Nomad\\nomad.exe node config -update-servers $serverIP "10.0.0.2:4647"\n';
  const { r } = analyze(tree({ server: serverConfig(), linux: linuxClient(), windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.severity, 'warning');
  assert.ok(!noServers(f[0]!), f[0]!.message);
  assert.match(f[0]!.message, /by `nomad node config -update-servers \$serverIP 10\.0\.0\.2:4647` \(shared\/packer\/scripts\/client\.ps1:14\)/);
  assert.match(f[0]!.message, /in the running client's memory and writes it nowhere, so it lasts only until the agent restarts/);
  assert.match(f[0]!.message, /"no servers" and never registers/);
  assertSpan(f[0]!, WIN, win, '$nomadConfig | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii');
  const cmd = win.indexOf('& C:\\HashiCorp');
  assert.ok(
    f[0]!.related.some((x) => x.span.file === WIN && x.span.start === cmd && /running agent only/.test(x.message)),
    JSON.stringify(f[0]!.related),
  );
});

test('servers-join-drift: PowerShell `nomad.exe node config -update-servers` then Restart-Computer (real tree olljanat/nomad-simplified): error, the restart already drops the list', () => {
  const win = windowsClient({ join: '' }) + 'c:\\bin\\nomad.exe node config -update-servers $serverIP\n\nRestart-Computer\n';
  const f = only(analyze(tree({ server: serverConfig(), windows: win })).r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.severity, 'error');
  assert.match(f[0]!.message, /`nomad node config -update-servers \$serverIP`/);
  assert.match(f[0]!.message, /`Restart-Computer` \(shared\/packer\/scripts\/client\.ps1:15\) restarts the machine after it: the list is already gone/);
  assert.ok(f[0]!.related.some((x) => x.span.start === win.indexOf('Restart-Computer') && /list set above is lost/.test(x.message)));
  // Restart-Service of the agent counts too; a restart before the command does not.
  const svc = windowsClient({ join: '' }) + 'nomad node config -update-servers 10.0.0.1\nRestart-Service -Name nomad\n';
  const g = only(analyze(tree({ server: serverConfig(), windows: svc })).r, RULE);
  assert.equal(g[0]!.severity, 'error');
  assert.match(g[0]!.message, /`Restart-Service -Name nomad` \([^)]*\) restarts the agent after it/);
  const before = windowsClient({ join: '' }) + 'Restart-Service nomad\nnomad node config -update-servers 10.0.0.1\n';
  assert.equal(only(analyze(tree({ server: serverConfig(), windows: before })).r, RULE)[0]!.severity, 'warning');
});

test('servers-join-drift: bash `nomad node config -update-servers "$SERVER"` only (warning), then `systemctl restart nomad` / `reboot` (error)', () => {
  const lin = linuxClient({ join: '' }) + 'sudo nomad node config -update-servers "$SERVER"\n';
  const f = only(analyze(tree({ server: serverConfig(), linux: lin })).r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.severity, 'warning');
  assert.ok(!noServers(f[0]!));
  assert.match(f[0]!.message, /Nomad Linux client .*by `nomad node config -update-servers "\$SERVER"`/);
  assert.match(f[0]!.message, /lasts only until the agent restarts/);
  for (const [restart, what] of [
    ['sudo systemctl restart nomad', 'restarts the agent'],
    ['sudo reboot', 'restarts the machine'],
    ['shutdown -r now', 'restarts the machine'],
  ] as const) {
    const g = only(analyze(tree({ server: serverConfig(), linux: `${lin}${restart}\n` })).r, RULE);
    assert.equal(g.length, 1);
    assert.equal(g[0]!.severity, 'error', restart);
    assert.ok(g[0]!.message.includes(`\`${restart.replace(/^sudo /, '')}\``) && g[0]!.message.includes(what), g[0]!.message);
  }
  // A command of the other OS is not this client's.
  const winOnly = windowsClient() + 'nomad.exe node config -update-servers 10.0.0.1\n';
  assert.ok(noServers(only(analyze(tree({ server: serverConfig(), linux: linuxClient({ join: '' }), windows: winOnly })).r, RULE)[0]!));
});

test('servers-join-drift: servers in a config (servers, server_join, retry_join) plus a runtime command: unchanged (silent)', () => {
  for (const join of ['servers = ["10.0.0.1:4647"]', DEFAULT_JOIN]) {
    const win = windowsClient({ join }) + 'nomad.exe node config -update-servers 10.0.0.1\nRestart-Computer\n';
    const lin = linuxClient({ join }) + 'nomad node config -update-servers 10.0.0.1\nsudo reboot\n';
    assert.deepEqual(only(analyze(tree({ server: serverConfig(), linux: lin, windows: win })).r, RULE), []);
  }
});

test('servers-join-drift: no runtime command keeps the "no servers" message (listing servers, a Consul join are not one); a command at every start (systemd ExecStartPost) is a way to find servers', () => {
  const lin = linuxClient({ join: '' }) + 'consul join 10.0.0.1\nnomad node config -servers\n';
  const f = only(analyze(tree({ server: serverConfig(), linux: lin })).r, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'error');
  assert.ok(noServers(f[0]!), f[0]!.message);
  const unit =
    "[Unit]\nDescription=Nomad\n[Service]\nExecStart=/usr/local/bin/nomad agent -config /etc/nomad.d\nExecStartPost=/bin/sh -c 'sleep 5; /usr/local/bin/nomad node config -update-servers 10.0.0.1'\n";
  const g = only(analyze(tree({ server: serverConfig(), linux: linuxClient({ join: '' }), extra: { 'shared/packer/config/nomad.service': unit } })).r, RULE);
  assert.deepEqual(g, []);
});

test('servers-join-drift: `-update-servers` in a Packer inline command runs on the build machine (error); in a remote-exec, once at creation (warning)', async () => {
  const { Workspace } = await import('../../../../server/src/core/engine');
  const client = '#!/bin/bash\ncat <<EOF | sudo tee /etc/nomad.d/nomad.hcl\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n}\nEOF\n';
  const run = (files: Record<string, string>) => {
    const ws = new Workspace('/t');
    for (const [f, t] of Object.entries(files)) ws.setText(f, t);
    return ws.analyze().findings.filter((x) => x.ruleId === RULE);
  };
  const packer =
    'source "amazon-ebs" "c" {\n  ami_name = "c"\n}\nbuild {\n  sources = ["source.amazon-ebs.c"]\n  provisioner "shell" {\n    inline = ["sudo nomad node config -update-servers 10.0.0.1"]\n  }\n}\n';
  const f = run({ 'image/client.sh': client, 'image/client.pkr.hcl': packer });
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.severity, 'error');
  assert.match(
    f[0]!.message,
    /`nomad node config -update-servers 10\.0\.0\.1` \(image\/client\.pkr\.hcl:7\).*while Packer builds the image, on the build machine's agent/,
  );
  // A script a Packer provisioner runs, likewise.
  const viaScript = packer.replace('inline = ["sudo nomad node config -update-servers 10.0.0.1"]', 'script = "client.sh"');
  const h = run({ 'image/client.sh': `${client}nomad node config -update-servers 10.0.0.1\n`, 'image/client.pkr.hcl': viaScript });
  assert.equal(h.length, 1, JSON.stringify(h));
  assert.equal(h[0]!.severity, 'error');
  assert.match(h[0]!.message, /\(image\/client\.sh:8\).*while Packer builds the image/);
  const tf =
    'resource "aws_instance" "s" {}\nresource "aws_instance" "c" {\n  provisioner "remote-exec" {\n    inline = ["nomad node config -update-servers ${aws_instance.s.private_ip}"]\n  }\n}\n';
  const g = run({ 'image/client.sh': client, 'terraform/main.tf': tf });
  assert.equal(g.length, 1, JSON.stringify(g));
  assert.equal(g[0]!.severity, 'warning');
  assert.match(
    g[0]!.message,
    /`nomad node config -update-servers \$\{aws_instance\.s\.private_ip\}` \(terraform\/main\.tf:4\).*a remote-exec runs once, when the resource is created/,
  );
});
