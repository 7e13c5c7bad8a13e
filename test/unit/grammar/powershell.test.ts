import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClientPs1 } from './examples';
import type { Hosts } from './textmate';
import { describeLine, embeddedLines, fixtureHosts, has, isEmbedded, tokenAt, tokenize, vscodeHosts } from './textmate';

// Every case runs on the minimal fixture hosts and, when installed, on VS Code's own grammars.
const hostSets: [string, Hosts][] = [['fixture host', fixtureHosts]];
const vscode = vscodeHosts();
if (vscode) hostSets.push(['VS Code host', vscode]);

for (const [label, hosts] of hostSets) {
  const ps = (...lines: string[]) => tokenize('source.powershell', lines.join('\n'), hosts);

  test(`${label}: client.ps1 (windows-only): the two agent-config here-strings are embedded HCL, nothing else`, async () => {
    await assertClientPs1(hosts);
  });

  test(`${label}: heuristic A: variable name mentions config/hcl/nomad/consul (any case, scope prefix, +=)`, async () => {
    for (const opener of ['$nomadConfig = @"', '$script:ConsulHcl = @"', '[string]$serverConfig=@"', '$NOMAD_CLIENT += @"', '    $consul = @"']) {
      const t = await ps(opener, 'foo = 1', '"@', 'Write-Host done');
      assert.deepEqual(embeddedLines(t), [1], opener);
      assert.ok(has(tokenAt(t, 1, 'foo'), 'variable.other.readwrite.hcl'), opener);
    }
    for (const opener of ['$body = @"', '$template = @"', '$configured = 1; $x = @"']) {
      // configured mentions "config" but is not the variable assigned the here-string
      const t = await ps(opener, 'foo = 1', '"@');
      assert.deepEqual(embeddedLines(t), [], opener);
    }
  });

  test(`${label}: heuristic A: the here-string is written to an agent-config path or $...config... variable`, async () => {
    for (const opener of [
      'Set-Content -Path $NomadConfigFile -Value @"',
      'Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\client.hcl" -Value @\'',
      '[IO.File]::WriteAllText("$ConsulDir\\consul.hcl", @"',
      'Out-File -FilePath C:\\consul\\config\\acl.json -InputObject @"',
    ]) {
      const t = await ps(opener, 'foo = 1', opener.endsWith("'") ? "'@" : '"@');
      assert.deepEqual(embeddedLines(t), [1], opener);
    }
    // A TLS certificate written next to the Nomad config is not HCL.
    const pem = await ps('[IO.File]::WriteAllText("$TlsDir\\nomad-ca.pem", @\'', '-----BEGIN CERTIFICATE-----', "'@");
    assert.deepEqual(embeddedLines(pem), []);
  });

  test(`${label}: heuristic B: a here-string is HCL from its first line that starts with a known agent key or block`, async () => {
    const t = await ps(
      '$x = @"',
      '# written by setup.ps1',
      'datacenter = "dc1"',
      'client {',
      '  enabled = true',
      '}',
      '"@ | Out-File $path',
      "$y = @'",
      'plugin "docker" {',
      "'@",
      '$z = @"',
      '  server_join {',
      '"@',
    );
    assert.deepEqual(embeddedLines(t), [2, 3, 4, 5, 8, 11]);
    assert.ok(!t[1]!.some(isEmbedded), 'a leading comment stays a plain string');
    assert.ok(has(tokenAt(t, 1, '#'), 'string.quoted.double.heredoc.powershell'));
    assert.ok(has(tokenAt(t, 6, '"@'), 'punctuation.definition.string.end.powershell'), describeLine(t, 6));
    assert.ok(has(tokenAt(t, 6, 'Out-File'), 'support.function.powershell'), 'the pipeline after the terminator is PowerShell');
    assert.ok(has(tokenAt(t, 8, 'plugin'), 'entity.name.type.hcl'));
  });

  test(`${label}: heuristic B: here-strings that are not agent config stay plain strings`, async () => {
    const t = await ps(
      '$ini = @"',
      '[default]',
      'region = us-east-1',
      '"@',
      '$yaml = @"',
      'region: us-east-1',
      'datacenter: dc1',
      '"@',
      '$msg = @"',
      'The client { block } was not found in $path',
      '"@',
    );
    // [default] first: INI-like; region = us-east-1 still matches the key list, so that line on is HCL.
    assert.deepEqual(embeddedLines(t), [2], describeLine(t, 2));
    assert.ok(!t[5]!.some(isEmbedded) && !t[6]!.some(isEmbedded), 'YAML keys (key:) are not HCL attributes');
    assert.ok(!t[9]!.some(isEmbedded));
    assert.ok(has(tokenAt(t, 9, '$path'), 'variable.other.readwrite.powershell'));
  });

  test(`${label}: expandable vs literal: $var, \${var}, $(...) and backtick escapes are PowerShell only in @"..."@`, async () => {
    const t = await ps(
      '$nomadConfig = @"',
      'name = "$env:COMPUTERNAME"',
      'bind_addr = "${IpAddress}"',
      'data_dir = "$($Root)/data"',
      'log_file = "C:/x`$y"',
      'ports { http = $HttpPort }',
      '"@',
      "$nomadConfig = @'",
      'name = "$env:COMPUTERNAME"',
      'tpl = "${var.x}"',
      "'@",
    );
    assert.ok(has(tokenAt(t, 1, 'COMPUTERNAME'), 'variable.other.readwrite.powershell'), describeLine(t, 1));
    assert.ok(has(tokenAt(t, 2, 'IpAddress'), 'variable.other.readwrite.powershell'), describeLine(t, 2));
    assert.ok(has(tokenAt(t, 3, '$('), 'meta.embedded.substatement.powershell'), describeLine(t, 3));
    assert.ok(has(tokenAt(t, 4, '`$'), 'constant.character.escape.powershell'), describeLine(t, 4));
    assert.ok(has(tokenAt(t, 5, 'HttpPort'), 'variable.other.readwrite.powershell'), describeLine(t, 5));
    assert.ok(has(tokenAt(t, 5, 'ports'), 'entity.name.type.hcl'));
    assert.ok(has(tokenAt(t, 5, 'http'), 'variable.other.readwrite.hcl'));
    assert.ok(!has(tokenAt(t, 8, 'COMPUTERNAME'), 'variable.other.readwrite.powershell'), 'literal here-string: no expansion');
    assert.ok(has(tokenAt(t, 8, 'COMPUTERNAME'), 'string.quoted.double.hcl'));
    assert.ok(has(tokenAt(t, 9, '${'), 'meta.interpolation.hcl'), describeLine(t, 9));
  });

  test(`${label}: HCL literals: numbers, booleans, escapes, comments, brackets`, async () => {
    const t = await ps(
      '$consulConfig = @"',
      'bootstrap_expect = 3 // three servers',
      'ratio = 0.5',
      'ui = false',
      'path = "C:\\\\HashiCorp\\tx\\u00e9"',
      'retry_join = ["a", "b"] /* inline */',
      '"@',
    );
    assert.ok(has(tokenAt(t, 1, '3'), 'constant.numeric.integer.hcl'));
    assert.ok(has(tokenAt(t, 1, '//'), 'comment.line.double-slash.hcl'));
    assert.ok(has(tokenAt(t, 2, '0.5'), 'constant.numeric.float.hcl'));
    assert.ok(has(tokenAt(t, 3, 'false'), 'constant.language.hcl'));
    assert.ok(has(tokenAt(t, 4, '\\\\'), 'constant.character.escape.hcl'), describeLine(t, 4));
    assert.ok(has(tokenAt(t, 4, '\\t'), 'constant.character.escape.hcl'));
    assert.ok(has(tokenAt(t, 4, '\\u00e9'), 'constant.character.escape.hcl'));
    assert.ok(has(tokenAt(t, 5, ','), 'punctuation.separator.hcl'));
    assert.ok(has(tokenAt(t, 5, ']'), 'punctuation.section.brackets.end.hcl'));
    assert.ok(has(tokenAt(t, 5, '/*'), 'comment.block.hcl'));
  });

  test(`${label}: robustness: unbalanced braces or an unterminated HCL string never hide the terminator`, async () => {
    const t = await ps(
      '$nomadConfig = @"',
      'client {',
      '  data_dir = "C:\\tmp\\"',
      '  meta = { "a" = [1, 2',
      '"@',
      'Write-Host "after"',
      "$consulHcl = @'",
      'acl { tokens {',
      "'@",
      'Get-Service nomad',
    );
    assert.deepEqual(embeddedLines(t), [1, 2, 3, 7]);
    assert.ok(has(tokenAt(t, 4, '"@'), 'punctuation.definition.string.end.powershell'));
    assert.ok(has(tokenAt(t, 5, 'Write-Host'), 'support.function.powershell'), describeLine(t, 5));
    assert.ok(has(tokenAt(t, 9, 'Get-Service'), 'support.function.powershell'));
  });

  test(`${label}: no false openers: comments, strings that end in @", empty here-strings`, async () => {
    const t = await ps(
      '# $nomadConfig = @"',
      'Write-Host "$nomadConfig = @"',
      '<#',
      '$consulConfig = @"',
      '#>',
      '$nomadConfig = @"',
      '"@',
      'Write-Host "after"',
    );
    assert.deepEqual(embeddedLines(t), []);
    assert.ok(has(tokenAt(t, 1, 'Write-Host'), 'support.function.powershell'));
    assert.ok(has(tokenAt(t, 6, '"@'), 'punctuation.definition.string.end.powershell'), describeLine(t, 6));
    assert.ok(has(tokenAt(t, 7, 'Write-Host'), 'support.function.powershell'), describeLine(t, 7));
  });

  test(`${label}: CRLF and smart-quote here-strings`, async () => {
    const t = await tokenize('source.powershell', ['$nomadConfig = @\u201C', 'region = "global"', '\u201D@', 'Write-Host x'].join('\r\n'), hosts);
    assert.deepEqual(embeddedLines(t), [1]);
    assert.ok(has(tokenAt(t, 3, 'Write-Host'), 'support.function.powershell'));
  });
}
