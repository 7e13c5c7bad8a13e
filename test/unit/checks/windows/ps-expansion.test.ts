import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFiles, exampleFindings, ofRule } from './helpers';

const FILE = 'shared/packer/scripts/client.ps1';
const ps = (body: string, extra = '', write = '[IO.File]::WriteAllText($ConsulConfigFile, $c, [Text.UTF8Encoding]::new($false))') =>
  `param([string] $RetryJoin)\n$ConsulConfigFile = "C:\\HashiCorp\\Consul\\config\\consul.hcl"\n${extra}$c = @"\ndata_dir = "C:/HashiCorp/Consul/data"\nretry_join = ["$RetryJoin"]\n${body}\n"@\n${write}\n`;

test('ps-expansion: unassigned $Var in an expandable here-string holding HCL', () => {
  const text = ps('encrypt = "$ConsulEncryptKey"');
  const f = ofRule(analyzeFiles({ [FILE]: text }).findings, 'ps-expansion');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'ps-expansion');
  assert.equal(f[0]!.span.start, text.indexOf('$ConsulEncryptKey'));
  assert.equal(f[0]!.span.end, text.indexOf('$ConsulEncryptKey') + '$ConsulEncryptKey'.length);
  assert.match(f[0]!.message, /empty string/);
  // fixed: the variable is assigned
  assert.equal(ofRule(analyzeFiles({ [FILE]: ps('encrypt = "$ConsulEncryptKey"', '$ConsulEncryptKey = $env:KEY\n') }).findings, 'ps-expansion').length, 0);
});

test('ps-expansion: $(...) subexpression is info', () => {
  const f = ofRule(analyzeFiles({ [FILE]: ps('node_name = "$(hostname)"') }).findings, 'ps-expansion');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'info');
});

test('ps-expansion: $($var) only reads a variable: silent when assigned, the unassigned warning when not (found on a real tree)', () => {
  // `advertise_addr = "$($client_IP)"` with `$client_IP = Invoke-RestMethod …`: nothing is run inside the string.
  const ok = ps(
    'advertise_addr = "$($ClientIp)"\nnode_name = "$($Node.Name)"',
    '$ClientIp = Invoke-RestMethod -Uri http://169.254.169.254/x\n$Node = Get-Item x\n',
  );
  assert.deepEqual(
    ofRule(analyzeFiles({ [FILE]: ok }).findings, 'ps-expansion').map((x) => x.message),
    [],
  );
  const text = ps('advertise_addr = "$($ClientIp)"');
  const f = ofRule(analyzeFiles({ [FILE]: text }).findings, 'ps-expansion');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.span.start, text.indexOf('$($ClientIp)'));
  assert.match(f[0]!.message, /^\$\(\$ClientIp\) is expanded .* never assigns it/);
});

test('ps-expansion: $($var) takes the value of the variable in the written config', () => {
  const text = ps('bind_addr = "$($Bind)"', '$Bind = "10.0.0.5"\n');
  const { ws } = analyzeFiles({ [FILE]: text });
  const role = ws.analyze().roles.find((r) => r.product === 'consul');
  const bind = role?.settings.find((x) => x.path === 'bind_addr');
  assert.equal(bind?.display, '"10.0.0.5"');
});

test('ps-expansion: indented here-string terminator', () => {
  const text = `$c = @"\ndata_dir = "C:/x"\n  "@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Consul\\config\\consul.hcl", $c)\n`;
  const f = ofRule(analyzeFiles({ [FILE]: text }).findings, 'ps-expansion');
  assert.ok(
    f.some((x) => x.severity === 'error' && /terminator/.test(x.message)),
    JSON.stringify(f),
  );
});

test('ps-config-append: Add-Content of an agent config appends on every boot (not an expansion finding)', () => {
  const text = ps('', '', '$c | Add-Content -Path $ConsulConfigFile -Encoding ascii');
  const findings = analyzeFiles({ [FILE]: text }).findings;
  const f = ofRule(findings, 'ps-config-append');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /every boot/);
  assert.equal(f[0]!.fixes?.[0]?.edits[0]?.newText, 'Set-Content');
  assert.deepEqual(ofRule(findings, 'ps-expansion'), []);
});

test('ps-config-append: Out-File -Append, >> and AppendAllText append too; Set-Content does not', () => {
  for (const w of [
    '$c | Out-File -FilePath $ConsulConfigFile -Append -Encoding ascii',
    '$c >> $ConsulConfigFile',
    '[IO.File]::AppendAllText($ConsulConfigFile, $c)',
  ])
    assert.equal(ofRule(analyzeFiles({ [FILE]: ps('', '', w) }).findings, 'ps-config-append').length, 1, w);
  assert.deepEqual(ofRule(analyzeFiles({ [FILE]: ps('', '', '$c | Set-Content -Path $ConsulConfigFile -Encoding ascii') }).findings, 'ps-config-append'), []);
});

test('ps-expansion: clean fixture is silent', () => {
  assert.equal(ofRule(analyzeFiles({ [FILE]: ps('log_level = "INFO"') }).findings, 'ps-expansion').length, 0);
});

test('ps-expansion: examples are silent (no planted expansion defect)', async () => {
  assert.equal(ofRule(await exampleFindings('windows-only'), 'ps-expansion').length, 0);
  assert.equal(ofRule(await exampleFindings('mixed-os'), 'ps-expansion').length, 0);
});

test('ps-expansion: "$IpAddress:8500" is a drive-qualified variable, not $IpAddress then :8500', () => {
  const text = `param([string] $IpAddress = "10.0.0.1")\n$c = @"\nconsul {\n  address = "$IpAddress:8500"\n}\ndata_dir = "C:/x"\n"@\n$c | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\nomad.hcl -Encoding ascii\n`;
  const f = ofRule(analyzeFiles({ [FILE]: text }).findings, 'ps-expansion');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.start, text.indexOf('$IpAddress:8500'));
  assert.match(f[0]!.message, /drive or scope qualifier/);
  assert.match(f[0]!.message, /\$\{IpAddress\}:8500/);
  const fixed = text.replace('$IpAddress:8500', '${IpAddress}:8500');
  assert.equal(ofRule(analyzeFiles({ [FILE]: fixed }).findings, 'ps-expansion').length, 0);
});
