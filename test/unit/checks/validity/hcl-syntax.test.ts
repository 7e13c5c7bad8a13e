import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';
import { officialSyntaxFindings } from '../../../../server/src/core/checks/validity';
import { offsetOf } from '../../../../server/src/core/checks/validity/officialSyntax';
import { at, exampleFindings, run, spanText } from './helpers';

const RULE = 'hcl-syntax';

function ps(hcl: string): string {
  return `$c = @'\n${hcl}'@\nSet-Content -Path C:\\HashiCorp\\Nomad\\config\\client.hcl -Value $c -Encoding ascii\n`;
}

test('unclosed block in a here-string: error on the brace in client.ps1', () => {
  const text = ps('datacenter = "dc1"\nclient {\n  enabled = true\n');
  const { findings } = run({ 'shared/packer/scripts/client.ps1': text }, RULE);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.category, 'syntax');
  assert.equal(findings[0]!.severity, 'error');
  assert.deepEqual(findings[0]!.span, { file: 'shared/packer/scripts/client.ps1', start: at(text, '{'), end: at(text, '{') + 1 });
  assert.match(findings[0]!.message, /Unclosed configuration block/);
  assert.deepEqual(run({ 'shared/packer/scripts/client.ps1': ps('datacenter = "dc1"\nclient {\n  enabled = true\n}\n') }, RULE).findings, []);
});

test('missing `=` is reported; the fixed line is silent', () => {
  const { findings } = run({ 'shared/packer/scripts/client.ps1': ps('datacenter "dc1"\n') }, RULE);
  assert.equal(findings.length, 1);
  assert.match(findings[0]!.message, /expected '=' or '\{' after "datacenter"/);
  assert.deepEqual(run({ 'shared/packer/scripts/client.ps1': ps('datacenter = "dc1"\n') }, RULE).findings, []);
});

test('escape problems belong to hcl-escape: illegal escape and trailing backslash are not reported here', async () => {
  const { ws, findings } = run(
    { 'shared/packer/scripts/client.ps1': ps('data_dir = "C:\\HashiCorp\\Nomad"\nlog_file = "C:\\logs\\"\nlog_level = "INFO"\n') },
    RULE,
  );
  assert.deepEqual(findings, []);
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
});

test('bare word copied verbatim is reported; a placeholder substituted by sed is not', () => {
  const text = ps('region = global\n');
  const { ws, findings } = run({ 'shared/packer/scripts/client.ps1': text }, RULE);
  assert.equal(findings.length, 1);
  assert.equal(spanText(ws, findings[0]!), 'global');
  assert.match(findings[0]!.message, /Unknown token: IDENT global/);
  const sh = [
    '#!/bin/bash',
    'SERVER_COUNT=$(curl -s http://169.254.169.254/latest/meta-data/x)',
    'cp /ops/config/nomad.hcl /etc/nomad.d/nomad.hcl',
    'sed -i "s/SERVER_COUNT/$SERVER_COUNT/g" /etc/nomad.d/nomad.hcl',
    '',
  ].join('\n');
  const tpl = 'server {\n  enabled = true\n  bootstrap_expect = SERVER_COUNT\n}\n';
  const r = run({ 'shared/packer/scripts/server.sh': sh, 'shared/packer/config/nomad.hcl': tpl }, RULE);
  const inScript = r.findings.filter((f) => f.span.file === 'shared/packer/scripts/server.sh');
  assert.deepEqual(inScript, []);
});

test('a run-time value kept as written (`bootstrap_expect = ${nomad_servers}` of a template the model cannot render) is not a syntax error; a real error next to it still is (found on a real tree)', async () => {
  const sh = (extra: string) =>
    `#!/usr/bin/env bash\nsudo tee /etc/nomad.d/config.hcl > /dev/null <<EOF\nserver {\n  enabled          = true\n  bootstrap_expect = \${nomad_servers}\n}\n${extra}EOF\n`;
  const ws = new Workspace('/tmp/x');
  ws.setText('modules/templates/server/nomad.sh', sh(''));
  assert.deepEqual(
    ws.analyze().findings.filter((f) => f.ruleId === RULE),
    [],
  );
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
  ws.setText('modules/templates/server/nomad.sh', sh('datacenter "dc1"\n'));
  assert.equal(ws.analyze().findings.filter((f) => f.ruleId === RULE).length, 1);
});

test('a run-time bash value at the end of a line (`bootstrap_expect = $num_servers` from a function argument) is not a syntax error (found on hashicorp/terraform-aws-nomad run-nomad)', () => {
  const sh =
    '#!/bin/bash\nfunction gen {\n  local readonly num_servers="$1"\n  cat > /etc/nomad.d/default.hcl <<EOF\nserver {\n  enabled = true\n  bootstrap_expect = $num_servers\n}\nEOF\n}\ngen "$@"\n';
  const ws = new Workspace('/tmp/x');
  ws.setText('modules/run-nomad/run-nomad.sh', sh);
  assert.deepEqual(
    ws
      .analyze()
      .findings.filter((f) => f.ruleId === RULE)
      .map((f) => f.message),
    [],
  );
});

test('official parser: HCL v1-only forms are not reported (quoted key, one-line block with two arguments, hex)', async () => {
  const ws = new Workspace('/tmp/x');
  ws.setText('shared/packer/scripts/client.ps1', ps('"region" = "global"\nclient { enabled = true, node_class = "x" }\nports {\n  http = 0x1000\n}\n'));
  ws.analyze();
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
});

test('official parser: a dotted HCL v1 argument name (client options docker.privileged.enabled) is not reported; a real error after it still is', async () => {
  // HCL v1 identifiers may contain `.` (scanIdentifier), HCL 2 ones may not; found on a real tree (nomad-common.hcl).
  const ok = 'data_dir = "/var/lib/nomad"\nclient {\n  options {\n    docker.privileged.enabled = "true"\n  }\n}\n';
  const ws = new Workspace('/tmp/x');
  ws.setText('files/nomad-common.hcl', ok);
  ws.analyze();
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
  const bad = 'data_dir = "/var/lib/nomad"\nclient {\n  options {\n    docker.privileged.enabled = "true"\n  }\n  meta = [\n}\n';
  ws.setText('files/nomad-common.hcl', bad);
  ws.analyze();
  assert.equal((await officialSyntaxFindings(ws.model!)).length + ws.analyze().findings.filter((f) => f.ruleId === RULE).length > 0, true);
});

test('a dotted HCL v1 name whose segment starts with a digit (Consul telemetry disable_compat_1.9) is valid, in both passes', async () => {
  // HCL v1 scanIdentifier continues with letters, digits, `-` and `.`: `disable_compat_1.9` is one identifier.
  // Found on rgl/nomad-windows-vagrant (consul-server.hcl / consul-client.hcl).
  const hcl = 'server = false\ndatacenter = "dc1"\ndata_dir = "/opt/consul"\ntelemetry {\n  disable_hostname = true\n  disable_compat_1.9 = true\n}\n';
  const ws = new Workspace('/tmp/x');
  ws.setText('consul.hcl', hcl);
  ws.setText('setup.sh', '#!/bin/bash\ncp consul.hcl /etc/consul.d/consul.hcl\n');
  const r = ws.analyze();
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === RULE),
    [],
  );
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
  // A real error on such a line is still reported.
  ws.setText('consul.hcl', hcl.replace('disable_compat_1.9 = true', 'disable_compat_1.9 true'));
  assert.equal(ws.analyze().findings.filter((f) => f.ruleId === RULE).length, 1);
});

test('official parser errors map through the MappedText to the host file and are not duplicated', async () => {
  const text = ps('datacenter = "dc1"\nclient {\n  enabled = true\n');
  const ws = new Workspace('/tmp/x');
  ws.setText('shared/packer/scripts/client.ps1', text);
  ws.analyze();
  // The sync pass already reports the unclosed block on the same line.
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
  assert.equal(offsetOf('ab\ncd\n', 2, 2), 4);
});

test('examples: silent on mixed-os and windows-only (sync and official)', async () => {
  assert.deepEqual(await exampleFindings('mixed-os'), []);
  assert.deepEqual(
    (await exampleFindings('windows-only')).filter((f) => f.ruleId === RULE),
    [],
  );
  for (const name of ['mixed-os', 'windows-only']) {
    const ws = await Workspace.load(`${__dirname}/../../../../../examples/${name}`);
    ws.analyze();
    assert.deepEqual(await officialSyntaxFindings(ws.model!), [], name);
  }
});

test('HCL v1 accepts a comma after each argument (object lists are optionally comma-delimited): the official HCL 2 pass does not report it', async () => {
  const text = ps('datacenter = "dc1",\ntls {\n  verify_incoming = false,\n  verify_outgoing = true,\n}\n');
  const { ws, findings } = run({ 'shared/packer/scripts/client.ps1': text }, RULE);
  assert.deepEqual(findings, []);
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
  // A real syntax error next to the commas is still reported by the official pass.
  const broken = run(
    { 'shared/packer/scripts/client.ps1': ps('datacenter = "dc1",\ntls {\n  verify_incoming = false,\n  verify_outgoing = [true\n}\n') },
    RULE,
  );
  assert.ok(broken.findings.length + (await officialSyntaxFindings(broken.ws.model!)).length > 0);
});

test('a config that a later write to the same file replaces is never read: its syntax is not reported (real tree, round 5)', async () => {
  const write = (body: string) => `$c = @'\n${body}'@\n$c | Out-File -FilePath C:\\etc\\nomad.d\\nomad.hcl -Encoding ascii\n`;
  const placeholder = 'data_dir = "C:/nomad/data"\nclient {\n  enabled    = true\n  node_class = NODE_CLASS\n}\n';
  const real = 'data_dir = "C:/nomad/data"\nclient {\n  enabled    = true\n  node_class = "windows"\n}\n';
  const both = run({ 'shared/packer/scripts/client.ps1': write(placeholder) + write(real) }, RULE);
  assert.deepEqual(both.findings, []);
  assert.deepEqual(await officialSyntaxFindings(both.ws.model!), []);
  // Alone, the placeholder config is reported.
  assert.equal(run({ 'shared/packer/scripts/client.ps1': write(placeholder) }, RULE).findings.length, 1);
});

test('one syntax finding per line: an unquoted {{ placeholder }} in a JSON config is one mistake, not one per character (real tree, round 7)', () => {
  const json = '{\n  "server": true,\n  "bootstrap_expect": {{ consul_server_count }},\n  "data_dir": "C:/consul/data"\n}\n';
  const f = run({ 'packer/config/consul/consul_server.json': json }, RULE).findings;
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
});

test('a config file whose placeholders a boot script seds after moving it is judged after substitution (real tree, round 7)', async () => {
  const files = {
    'packer/image.pkr.hcl':
      'source "googlecompute" "s" {\n  image_name = "server"\n}\nbuild {\n  sources = ["source.googlecompute.s"]\n  provisioner "file" {\n    source      = "configs/nomad.hcl"\n    destination = "/tmp/nomad-agent.hcl"\n  }\n  provisioner "shell" {\n    scripts = ["scripts/install.sh"]\n  }\n}\n',
    'packer/configs/nomad.hcl': 'data_dir = "/opt/nomad"\nserver {\n  enabled          = true\n  bootstrap_expect = {NUMBER-OF-SERVERS}\n}\n',
    'packer/scripts/install.sh': '#!/bin/bash\nsudo mv /tmp/nomad-agent.hcl /etc/nomad.d/nomad.hcl\n',
    'terraform/main.tf': 'resource "google_compute_instance" "s" {\n  metadata_startup_script = templatefile("${path.module}/server.sh", { n = 3 })\n}\n',
    'terraform/server.sh': '#!/bin/bash\nsed -i -e "s/{NUMBER-OF-SERVERS}/${n}/g" /etc/nomad.d/nomad.hcl\n',
  };
  const { ws, findings } = run(files, RULE);
  assert.deepEqual(findings, []);
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
  assert.deepEqual(
    run(files, 'invalid-config-value').findings.map((f) => f.message),
    [],
  );
  // Without the sed, the placeholder is a real syntax error.
  const alone = { ...files, 'terraform/server.sh': '#!/bin/bash\necho hi\n' };
  assert.ok(run(alone, RULE).findings.length > 0);
});

test('a JSON body in a file named .hcl is parsed as JSON, as HCL v1 does when the first character is `{` (real tree, round 8)', async () => {
  const files = {
    'main.tf':
      'resource "digitalocean_droplet" "s" {\n  provisioner "file" {\n    source      = "${path.root}/files/connect.hcl"\n    destination = "/etc/consul.d/connect.hcl"\n  }\n}\n',
    'files/connect.hcl': '\n{\n  "connect": {\n    "enabled": true\n  }\n}\n',
  };
  const { ws, findings } = run(files, RULE);
  assert.deepEqual(
    findings.map((f) => f.message),
    [],
  );
  assert.deepEqual(await officialSyntaxFindings(ws.model!), []);
  // Broken JSON in that file is still reported.
  assert.ok(run({ ...files, 'files/connect.hcl': '{\n  "connect": {\n    "enabled": true,,\n  }\n' }, RULE).findings.length > 0);
});

test('a bare placeholder that a remote-exec inline sed fills in after the file provisioner uploads it is not a syntax error (real tree, round 8)', async () => {
  const files = {
    'main.tf':
      'variable "n" {\n  default = 3\n}\nresource "digitalocean_droplet" "s" {\n  provisioner "file" {\n    source      = "${path.root}/files/server.hcl"\n    destination = "/root/server.hcl"\n  }\n  provisioner "remote-exec" {\n    inline = [\n      "sed -i \'s/srv_count/${var.n}/g\' /root/server.hcl",\n      "nomad agent -config /root/server.hcl",\n    ]\n  }\n}\n',
    'files/server.hcl': 'data_dir = "/opt/nomad"\nserver {\n  enabled          = true\n  bootstrap_expect = srv_count\n}\n',
  };
  assert.deepEqual(
    run(files, RULE).findings.map((f) => f.message),
    [],
  );
  // Without the sed the bare word reaches the agent.
  const alone = { ...files, 'main.tf': files['main.tf'].replace("sed -i 's/srv_count/${var.n}/g' /root/server.hcl", 'echo hi') };
  assert.equal(run(alone, RULE).findings.length, 1);
});

test('a placeholder an unrendered user-data template substitutes (its template_file points at a misspelt path) is not a syntax error in the uploaded config', () => {
  const ws = new Workspace('/t');
  ws.setText(
    'packer/consul.json',
    JSON.stringify({
      builders: [{ type: 'amazon-ebs', ami_name: 'consul' }],
      provisioners: [{ type: 'file', source: 'packer/consul_server.json', destination: 'C:\\etc\\consul.d\\config.json' }],
    }),
  );
  ws.setText('packer/consul_server.json', '{\n  "server": true,\n  "bootstrap_expect": {{ server_count }},\n  "data_dir": "C:\\\\consul"\n}\n');
  const ids = () =>
    ws
      .analyze()
      .findings.filter((f) => f.ruleId === 'hcl-syntax' || f.ruleId === 'invalid-config-value')
      .map((f) => f.ruleId);
  assert.deepEqual(ids().sort(), ['hcl-syntax', 'invalid-config-value']);
  ws.setText(
    'terraform/templates/userdata.tpl',
    '(Get-Content C:\\etc\\consul.d\\config.json | ForEach-Object { $_ -replace "{{ server_count }}", "${count}" }) | Set-Content C:\\etc\\consul.d\\config.json\n',
  );
  assert.deepEqual(ids(), []);
});
