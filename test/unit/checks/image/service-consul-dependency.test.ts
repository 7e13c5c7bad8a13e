import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, lineOfFinding, only, spanOf } from './helpers';

const RULE = 'service-consul-dependency';

const UNIT = `[Unit]
Description=HashiCorp Nomad
Wants=network-online.target consul.service
After=network-online.target consul.service

[Service]
ExecStart=/usr/local/bin/nomad agent -config /etc/nomad.d
`;
const NEW_SERVICE =
  'New-Service -Name "nomad" -BinaryPathName "C:\\HashiCorp\\bin\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config" -StartupType Automatic';

test('Windows Nomad service without Consul dependency while the Linux unit orders after Consul: warning on New-Service', () => {
  const ps = `${NEW_SERVICE} | Out-Null\n`;
  const { findings } = analyze({ 'shared/packer/config/nomad.service': UNIT, 'shared/packer/scripts/client.ps1': ps });
  const f = only(findings, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'service');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(ps, NEW_SERVICE));
  assert.match(f[0]!.message, /no Nomad Servers advertising service "nomad" in Consul datacenters/);
  assert.equal(f[0]!.related[0]!.span.file, 'shared/packer/config/nomad.service');
});

test('dependency added with sc.exe config … depend= consul or -DependsOn: silent', () => {
  for (const ps of [`${NEW_SERVICE} | Out-Null\nsc.exe config nomad depend= consul | Out-Null\n`, `${NEW_SERVICE} -DependsOn consul | Out-Null\n`]) {
    const { findings } = analyze({ 'shared/packer/config/nomad.service': UNIT, 'shared/packer/scripts/client.ps1': ps });
    assert.deepEqual(only(findings, RULE), [], ps);
  }
});

test('examples/windows-only: the image-time New-Service in setup-windows.ps1 has no dependency (client.ps1 then skips creation)', async () => {
  const { ws, findings } = await example('windows-only');
  const f = only(findings, RULE);
  assert.deepEqual(
    f.map((x) => lineOfFinding(ws, x)),
    ['shared/packer/scripts/setup-windows.ps1:93'],
  );
});

test('examples/mixed-os: silent', async () => {
  const { findings } = await example('mixed-os');
  assert.deepEqual(only(findings, RULE), []);
});
