import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, LIN, linuxClient, only, serverConfig, tree, WIN, windowsClient } from './helpers';

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
