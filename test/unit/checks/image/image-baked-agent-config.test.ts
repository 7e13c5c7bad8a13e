import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, only, spanOf } from './helpers';
import { CLIENT_PS1, SETUP_WIN, edit, mixedOs } from './fixtures';

const RULE = 'image-baked-agent-config';

const write = (file: string, body: string) => `
@'
${body}
'@ | Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\${file}" -Encoding ascii
`;

test('server config written by a Packer-run script while user-data writes a client config: error on server.enabled', () => {
  const body = 'data_dir = "C:/HashiCorp/Nomad/data"\n\nserver {\n  enabled          = true\n  bootstrap_expect = 1\n}';
  const files = mixedOs();
  const setup = files[SETUP_WIN]! + write('server.hcl', body);
  const { findings } = analyze({ ...files, [SETUP_WIN]: setup });
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'state');
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file, SETUP_WIN);
  const at = setup.indexOf('enabled          = true');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, { start: at, end: at + 'enabled'.length });
  assert.match(f[0]!.message, /server\.enabled = true/);
  assert.match(
    f[0]!.message,
    /written at image time by shared\/packer\/scripts\/setup-windows\.ps1 \(powershell provisioner at packer\/windows\.pkr\.hcl:\d+\)/,
  );
  assert.ok(
    f[0]!.related.some((r) => r.span.file === CLIENT_PS1),
    'user-data client config is related',
  );
});

test('client config baked beside the user-data one in the config dir: warning on the write, lists the settings that stay', () => {
  const files = mixedOs();
  const extra = write('base.hcl', 'data_dir = "C:/HashiCorp/Nomad/data"\nlog_level = "DEBUG"\n\nclient {\n  enabled = true\n}');
  const setup = files[SETUP_WIN]! + extra;
  const { findings } = analyze({ ...files, [SETUP_WIN]: setup });
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.span.file, SETUP_WIN);
  const start = setup.indexOf("@'", setup.length - extra.length);
  assert.equal(f[0]!.span.start, start);
  assert.equal(f[0]!.span.end, setup.indexOf('-Encoding ascii', start) + '-Encoding ascii'.length);
  assert.match(f[0]!.message, /C:\\HashiCorp\\Nomad\\config\\client\.hcl/);
  assert.match(f[0]!.message, /Settings both set \([^)]*log_level[^)]*\): client\.hcl \(user-data\) loads last and wins/);
});

test('same file baked, auto-start service in the image, user-data only Start-Service: warning; Restart-Service: silent', () => {
  const files = mixedOs();
  const setup =
    files[SETUP_WIN]! +
    write('client.hcl', 'data_dir = "C:/HashiCorp/Nomad/data"\n\nclient {\n  enabled = true\n}') +
    'New-Service -Name "nomad" -BinaryPathName "C:\\HashiCorp\\bin\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config" -StartupType Automatic | Out-Null\n';
  const broken = edit({ ...files, [SETUP_WIN]: setup }, CLIENT_PS1, 'Restart-Service -Name "nomad" -Force', 'Start-Service -Name "nomad"');
  const f = only(analyze(broken).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, SETUP_WIN);
  assert.equal(f[0]!.span.start, setup.lastIndexOf("@'\ndata_dir"));
  assert.match(f[0]!.message, /never restarts nomad/);
  assert.deepEqual(only(analyze({ ...files, [SETUP_WIN]: setup }).findings, RULE), []);
});

test('no config written at image time (mixed-os as is): silent', () => {
  assert.deepEqual(only(analyze(mixedOs()).findings, RULE), []);
});

test('examples: silent on mixed-os and windows-only (windows-only bakes client.hcl, but user-data rewrites it and restarts nomad)', async () => {
  assert.deepEqual(only((await example('mixed-os')).findings, RULE), []);
  assert.deepEqual(only((await example('windows-only')).findings, RULE), []);
});

void spanOf;
