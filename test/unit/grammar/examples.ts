// Assertions on the bundled example scripts, shared by the fixture-host tests and
// the tests against VS Code's own PowerShell and bash grammars.
import assert from 'node:assert/strict';
import type { Hosts, Token } from './textmate';
import { EMBEDDED, describeLine, embeddedLines, has, isEmbedded, lineOf, nonBlank, tokenAt, tokenizeFile } from './textmate';

function assertBody(tokens: Token[][], lines: string[], open: number, close: number): void {
  for (const i of nonBlank(lines, open + 1, close - 1)) {
    const line = tokens[i] ?? [];
    assert.ok(line.length > 0, `line ${i + 1} has tokens`);
    for (const t of line) assert.ok(isEmbedded(t), `line ${i + 1} token ${JSON.stringify(t.text)} is ${EMBEDDED}:\n${describeLine(tokens, i)}`);
  }
  for (const t of tokens[open] ?? []) assert.ok(!isEmbedded(t), `opener line ${open + 1} is not embedded:\n${describeLine(tokens, open)}`);
  for (const t of tokens[close] ?? []) assert.ok(!isEmbedded(t), `terminator line ${close + 1} is not embedded:\n${describeLine(tokens, close)}`);
}

export async function assertClientPs1(hosts?: Hosts): Promise<void> {
  const { lines, tokens } = await tokenizeFile('source.powershell', 'examples/windows-only/shared/packer/scripts/client.ps1', hosts);
  const consulOpen = lineOf(lines, '$consulConfig = @"');
  const consulClose = lineOf(lines, '"@', consulOpen);
  const nomadOpen = lineOf(lines, "$nomadTemplate = @'");
  const nomadClose = lineOf(lines, "'@", nomadOpen);

  // Exactly the bodies of the two config here-strings are embedded HCL, nothing else.
  assert.deepEqual(embeddedLines(tokens), [...nonBlank(lines, consulOpen + 1, consulClose - 1), ...nonBlank(lines, nomadOpen + 1, nomadClose - 1)]);
  assertBody(tokens, lines, consulOpen, consulClose);
  assertBody(tokens, lines, nomadOpen, nomadClose);

  // Opener and terminator keep PowerShell scopes.
  assert.ok(has(tokenAt(tokens, consulOpen, '$consulConfig'), 'variable.other.readwrite.powershell'));
  assert.ok(has(tokenAt(tokens, consulOpen, '@"'), 'punctuation.definition.string.begin.powershell'));
  assert.ok(has(tokenAt(tokens, consulClose, '"@'), 'punctuation.definition.string.end.powershell'));
  assert.ok(has(tokenAt(tokens, nomadClose, "'@"), 'punctuation.definition.string.end.powershell'));

  // HCL scopes in the expandable (@"..."@) here-string.
  const dc = lineOf(lines, 'datacenter = "dc1"', consulOpen);
  assert.ok(has(tokenAt(tokens, dc, 'datacenter'), 'variable.other.readwrite.hcl'), describeLine(tokens, dc));
  assert.ok(has(tokenAt(tokens, dc, 'datacenter'), 'variable.declaration.hcl'));
  assert.ok(has(tokenAt(tokens, dc, '='), 'keyword.operator.assignment.hcl'));
  assert.ok(has(tokenAt(tokens, dc, '"dc1"'), 'string.quoted.double.hcl'));
  assert.ok(has(tokenAt(tokens, dc, 'dc1'), 'string.quoted.double.hcl'));
  const dataDir = lineOf(lines, 'data_dir   = "C:\\HashiCorp\\Consul\\data"', consulOpen);
  assert.ok(has(tokenAt(tokens, dataDir, '\\H'), 'invalid.illegal.character-escape.hcl'), 'a single backslash in HCL is an illegal escape');
  const bind = lineOf(lines, 'bind_addr      = "$IpAddress"', consulOpen);
  const ip = tokenAt(tokens, bind, 'IpAddress');
  assert.ok(has(ip, 'variable.other.readwrite.powershell'), `PowerShell expands $IpAddress:\n${describeLine(tokens, bind)}`);
  assert.ok(has(ip, 'string.quoted.double.hcl'));
  const retry = lineOf(lines, 'retry_join = ["$RetryJoin"]', consulOpen);
  assert.ok(has(tokenAt(tokens, retry, '['), 'punctuation.section.brackets.begin.hcl'));
  assert.ok(has(tokenAt(tokens, retry, 'RetryJoin'), 'variable.other.readwrite.powershell'));
  const acl = lineOf(lines, 'acl {', consulOpen);
  assert.ok(has(tokenAt(tokens, acl, 'acl'), 'entity.name.type.hcl'));
  assert.ok(has(tokenAt(tokens, acl, '{'), 'punctuation.section.block.begin.hcl'));
  const enabled = lineOf(lines, '  enabled        = true', consulOpen);
  assert.ok(has(tokenAt(tokens, enabled, 'true'), 'constant.language.hcl'));

  // HCL scopes in the literal (@'...'@) here-string: $ is not expanded there.
  const region = lineOf(lines, 'region     = "global"', nomadOpen);
  assert.ok(has(tokenAt(tokens, region, 'region'), 'variable.other.readwrite.hcl'));
  assert.ok(has(tokenAt(tokens, region, 'global'), 'string.quoted.double.hcl'));
  const comment = lines.findIndex((l, i) => i > nomadOpen && l.includes('# server_join was not picked up'));
  assert.ok(has(tokenAt(tokens, comment, '#'), 'comment.line.number-sign.hcl'));
  const plugin = lineOf(lines, 'plugin "raw_exec" {', nomadOpen);
  assert.ok(has(tokenAt(tokens, plugin, 'plugin'), 'entity.name.type.hcl'));
  assert.ok(has(tokenAt(tokens, plugin, '"raw_exec"'), 'variable.other.enummember.hcl'));

  // Ordinary PowerShell stays PowerShell.
  const writeHost = lineOf(lines, 'Write-Host "Waiting for Consul to see a leader"');
  assert.ok(!(tokens[writeHost] ?? []).some(isEmbedded));
  assert.ok(has(tokenAt(tokens, writeHost, 'Waiting'), 'string.quoted.double.powershell'));
  const replace = lineOf(lines, '$nomadConfig = $nomadTemplate `');
  assert.ok(has(tokenAt(tokens, replace, '$nomadConfig'), 'variable.other.readwrite.powershell'));
  assert.ok(!(tokens[replace] ?? []).some((t) => t.scopes.some((s) => s.endsWith('.hcl'))), 'no HCL scope outside the here-strings');
}

export async function assertClientSh(hosts?: Hosts): Promise<void> {
  const { lines, tokens } = await tokenizeFile('source.shell', 'examples/mixed-os/shared/packer/scripts/client.sh', hosts);
  const open = lineOf(lines, 'cat <<EOF2 | sudo tee /etc/nomad.d/consul.hcl >/dev/null');
  const close = lineOf(lines, 'EOF2', open);
  assert.deepEqual(embeddedLines(tokens), nonBlank(lines, open + 1, close - 1));
  assertBody(tokens, lines, open, close);

  assert.ok(has(tokenAt(tokens, open, '<<'), 'keyword.operator.heredoc.shell'));
  assert.ok(has(tokenAt(tokens, open, 'EOF2'), 'punctuation.definition.string.heredoc.delimiter.shell'));
  assert.ok(has(tokenAt(tokens, open, '|'), 'keyword.operator.pipe.shell'), 'the rest of the opener line is still shell');
  assert.ok(has(tokenAt(tokens, close, 'EOF2'), 'punctuation.definition.string.heredoc.delimiter.shell'));
  const consul = open + 1;
  assert.ok(has(tokenAt(tokens, consul, 'consul'), 'entity.name.type.hcl'));
  const address = lineOf(lines, '  address = "127.0.0.1:8500"', open);
  assert.ok(has(tokenAt(tokens, address, 'address'), 'variable.other.readwrite.hcl'));
  assert.ok(has(tokenAt(tokens, address, '127.0.0.1:8500'), 'string.quoted.double.hcl'));
  const token = lineOf(lines, '  token   = "${CONSUL_AGENT_TOKEN}"', open);
  const v = tokenAt(tokens, token, 'CONSUL_AGENT_TOKEN');
  assert.ok(has(v, 'variable.other.normal.shell'), `bash expands \${CONSUL_AGENT_TOKEN}:\n${describeLine(tokens, token)}`);
  assert.ok(has(v, 'string.quoted.double.hcl'));

  // The systemd-resolved heredoc writes consul.conf, not agent config: a plain heredoc.
  const resolved = lineOf(lines, 'DNS=127.0.0.1:8600');
  assert.ok(!(tokens[resolved] ?? []).some(isEmbedded));
  assert.ok(has(tokenAt(tokens, resolved, 'DNS'), 'string.quoted.heredoc'), describeLine(tokens, resolved));
  // After the terminator it is bash again.
  const after = close + 1;
  assert.ok(has(tokenAt(tokens, after, 'sudo'), 'entity.name.command.shell'), describeLine(tokens, after));
}

export async function assertServerSh(hosts?: Hosts): Promise<void> {
  const { lines, tokens } = await tokenizeFile('source.shell', 'examples/mixed-os/shared/packer/scripts/server.sh', hosts);
  const open = lineOf(lines, 'cat <<EOF2 | sudo tee /etc/nomad.d/consul.hcl >/dev/null');
  const close = lineOf(lines, 'EOF2', open);
  // Only the Nomad consul.hcl heredoc: the Consul ACL policy (-rules - <<'RULES') is HCL
  // but not agent config, and the profile.d / resolved.conf.d heredocs are not HCL.
  assert.deepEqual(embeddedLines(tokens), nonBlank(lines, open + 1, close - 1));
  assertBody(tokens, lines, open, close);
  const rules = lineOf(lines, '  policy = "write"');
  assert.ok(has(tokenAt(tokens, rules, 'policy'), 'string.quoted.heredoc'), describeLine(tokens, rules));
  const profile = lineOf(lines, 'export NOMAD_ADDR=https://127.0.0.1:4646');
  assert.ok(!(tokens[profile] ?? []).some(isEmbedded));
}
