import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, only, spanOf } from './helpers';
import { CLIENT_PS1, NOMAD_UNIT, edit, mixedOs } from './fixtures';

const RULE = 'service-flag-override';
const EXEC = 'ExecStart=/usr/local/bin/nomad agent -config /etc/nomad.d';
const WIN_BIN = 'nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config';

test('Linux unit passes -region=eu, Windows service does not: error on the flag with both chains', () => {
  const files = edit(mixedOs(), NOMAD_UNIT, EXEC, `${EXEC} -region=eu`);
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'service');
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file, NOMAD_UNIT);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[NOMAD_UNIT]!, '-region=eu'));
  assert.match(f[0]!.message, /effective value of an agent is the command-line flag/);
  assert.match(
    f[0]!.message,
    /Nomad server: -region=eu from the systemd unit service definition \(shared\/packer\/config\/nomad\.service:9\), overriding region = "global" of its config \([^)]+\)/,
  );
  assert.match(
    f[0]!.message,
    /Nomad Windows client: region = "global" from its config \(shared\/packer\/scripts\/client\.ps1:\d+\), no -region flag in its service → "global"/,
  );
  assert.match(f[0]!.message, /No path to region/);
  assert.ok(f[0]!.related.some((r) => r.span.file === CLIENT_PS1));
});

test('Windows service passes -dc=dc2 while the Linux agents run dc1 from their configs: error on the Windows flag', () => {
  const files = edit(mixedOs(), CLIENT_PS1, WIN_BIN, `${WIN_BIN} -dc=dc2`);
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, CLIENT_PS1);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[CLIENT_PS1]!, '-dc=dc2'));
  assert.match(f[0]!.message, /No nodes are available in datacenter "dc2"/);
});

test('-data-dir on the Linux unit that differs from the config data_dir: warning', () => {
  const files = edit(mixedOs(), NOMAD_UNIT, EXEC, `${EXEC} -data-dir=/var/lib/nomad`);
  const f = only(analyze(files).findings, RULE);
  assert.ok(f.length >= 1, JSON.stringify(f.map((x) => x.message)));
  assert.ok(f.every((x) => x.severity === 'warning'));
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files[NOMAD_UNIT]!, '-data-dir=/var/lib/nomad'));
  assert.match(f[0]!.message, /overrides data_dir = "\/opt\/nomad\/data"/);
  assert.match(f[0]!.message, /windows service passes no -data-dir/);
});

test('fixed: the same flag on both OSes (or the same value as the configs): silent', () => {
  const both = edit(edit(mixedOs(), NOMAD_UNIT, EXEC, `${EXEC} -region=global`), CLIENT_PS1, WIN_BIN, `${WIN_BIN} -region=global`);
  assert.deepEqual(only(analyze(both).findings, RULE), []);
  const same = edit(mixedOs(), NOMAD_UNIT, EXEC, `${EXEC} -data-dir=/opt/nomad/data`);
  assert.deepEqual(only(analyze(same).findings, RULE), []);
  assert.deepEqual(only(analyze(mixedOs()).findings, RULE), []);
});

test('examples: silent', async () => {
  assert.deepEqual(only((await example('mixed-os')).findings, RULE), []);
  assert.deepEqual(only((await example('windows-only')).findings, RULE), []);
});

test('a flag whose value is not known (a unit -region=${REGION}) leaves that OS unknown: no "no -region flag" claim', () => {
  const files = edit(edit(mixedOs(), NOMAD_UNIT, EXEC, `${EXEC} -region=\${REGION}`), CLIENT_PS1, WIN_BIN, `${WIN_BIN} -region=east`);
  assert.deepEqual(only(analyze(files).findings, RULE), []);
});
