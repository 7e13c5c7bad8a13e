import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';

const RULE = 'service-agent-flag';

function run(files: Record<string, string>) {
  const ws = new Workspace('/t');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  return { ws, f: ws.analyze().findings.filter((x) => x.ruleId === RULE) };
}

const ps = (nomadArgs: string, consulArgs: string) =>
  `nssm install Nomad C:\\Nomad\\bin\\nomad.exe agent ${nomadArgs}\nnssm install Consul C:\\Consul\\bin\\consul.exe agent ${consulArgs}\n`;

test('service-agent-flag: nomad --config-dir and consul --config (real tree, round 6) are flags those agents do not define', () => {
  const text = ps('--config-dir="C:\\Nomad\\config"', '--config="C:\\Consul\\config"');
  const { f } = run({ 'scripts/bootstrap.ps1': text });
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  const nomad = f.find((x) => /nomad agent has no -config-dir/.test(x.message))!;
  assert.ok(nomad);
  assert.equal(nomad.severity, 'error');
  assert.match(nomad.message, /flag provided but not defined: -config-dir/);
  assert.match(nomad.message, /with -config\b/);
  const consul = f.find((x) => /consul agent has no -config flag/.test(x.message))!;
  assert.ok(consul);
  assert.match(consul.message, /with -config-dir/);
  // The fix renames the flag.
  const edit = nomad.fixes![0]!.edits[0]!;
  const fixed = text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
  assert.match(fixed, /nomad\.exe agent --config="C:\\Nomad\\config"/);
  assert.equal(run({ 'scripts/bootstrap.ps1': fixed }).f.length, 1, 'the Nomad one is gone');
});

test('service-agent-flag: the flags each agent defines are silent (systemd, sc.exe, -dc / -datacenter)', () => {
  const ok = ps('-config=C:\\Nomad\\config -dc=dc1', '-config-dir=C:\\Consul\\config -datacenter=dc1');
  assert.deepEqual(run({ 'scripts/bootstrap.ps1': ok }).f, []);
  const unit =
    '[Unit]\nDescription=Nomad\n[Service]\nExecStart=/usr/bin/nomad agent -config /etc/nomad.d -datacenter dc1\n[Install]\nWantedBy=multi-user.target\n';
  const bad = run({ 'config/nomad.service': unit }).f;
  assert.equal(bad.length, 1);
  assert.match(bad[0]!.message, /no -datacenter flag/);
});
