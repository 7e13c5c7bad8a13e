import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { model, setting } from './helpers';
import { abbreviate, innermostFunction } from '../../../server/src/core/scripts/powershellModel';
import type { PsFunction } from '../../../server/src/core/parsers/powershell/types';

const WIN = 'shared/packer/scripts/client.ps1';
const LIN = 'shared/packer/scripts/client.sh';
const AUTO = 'provider=aws tag_key=NomadJoin tag_value=auto-join';

const psClient = `param(
    [string] $RetryJoin = "10.0.0.9"
)
$nomadConfig = @"
client {
  enabled = true
  server_join {
    retry_join = ["$RetryJoin"]
  }
}
"@
$nomadConfig | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii
`;

test('scripts: PowerShell parameter default when nobody calls the script', () => {
  const e = setting(model({ [WIN]: psClient }).m, 'windows-client/nomad', 'client.server_join.retry_join')!;
  assert.deepEqual(e.value, ['10.0.0.9']);
  assert.equal(e.keySpan.file, WIN);
  assert.equal(e.keySpan.start, psClient.indexOf('retry_join'));
});

test('scripts: PowerShell parameter passed by a caller script (& C:\\ops\\client.ps1 -RetryJoin "…") wins over the default', () => {
  const caller = `<powershell>\n& C:\\ops\\client.ps1 -RetryJoin "${AUTO}"\n</powershell>\n`;
  const e = setting(
    model({ [WIN]: psClient, 'terraform/templates/user-data-client-windows.ps1': caller }).m,
    'windows-client/nomad',
    'client.server_join.retry_join',
  )!;
  assert.deepEqual(e.value, [AUTO]);
});

test('scripts: the caller hop of a PowerShell parameter is in the chain (as bash has "passed as $2 to client.sh")', () => {
  const callerFile = 'terraform/templates/user-data-client-windows.ps1';
  const caller = `<powershell>\n& C:\\ops\\client.ps1 -RetryJoin "${AUTO}"\n</powershell>\n`;
  const e = setting(model({ [WIN]: psClient, [callerFile]: caller }).m, 'windows-client/nomad', 'client.server_join.retry_join')!;
  assert.ok(
    e.chain.some((s) => s.span.file === callerFile),
    JSON.stringify(e.chain),
  );
});

test('scripts: -replace / -creplace chain on a config template found by base name', () => {
  const tplFile = 'shared/packer/config/nomad_client.hcl';
  const tpl = 'client {\n  enabled    = true\n  node_class = "NODE_CLASS"\n  servers    = ["SERVER_IP:4647"]\n}\n';
  const ps = `param([string] $NodeClass = "windows")
$ServerIp = "10.0.1.10"
(Get-Content C:\\ops\\shared\\packer\\config\\nomad_client.hcl -Raw) -creplace 'NODE_CLASS', $NodeClass -replace 'SERVER_IP', $ServerIp | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii
`;
  const { m } = model({ [WIN]: ps, [tplFile]: tpl });
  const cls = setting(m, 'windows-client/nomad', 'client.node_class')!;
  assert.equal(cls.value, 'windows');
  const servers = setting(m, 'windows-client/nomad', 'client.servers')!;
  assert.deepEqual(servers.value, ['10.0.1.10:4647']);
  // The key still lands in the template; the substituted value maps to the placeholder's operator in the script or the template.
  assert.equal(cls.keySpan.file, tplFile);
  assert.equal(cls.keySpan.start, tpl.indexOf('node_class'));
});

test('scripts: bash positional $1/$2 from a caller (bash /ops/client.sh "aws" "x")', () => {
  const sh = `#!/usr/bin/env bash\nCLOUD=$1\nRETRY_JOIN=$2\ncat <<EOF | sudo tee /etc/nomad.d/nomad.hcl\nclient {\n  enabled = true\n  server_join {\n    retry_join = ["\${RETRY_JOIN}"]\n  }\n  meta {\n    cloud = "$CLOUD"\n  }\n}\nEOF\n`;
  const caller = `#!/bin/bash\nbash /ops/shared/packer/scripts/client.sh "aws" "${AUTO}"\n`;
  const { m } = model({ [LIN]: sh, 'terraform/templates/user-data-client.sh': caller });
  const rj = setting(m, 'linux-client/nomad', 'client.server_join.retry_join')!;
  assert.deepEqual(rj.value, [AUTO]);
  assert.ok(
    rj.chain.some((s) => s.note === 'passed as $2 to client.sh' && s.span.file === 'terraform/templates/user-data-client.sh'),
    JSON.stringify(rj.chain),
  );
  assert.equal(setting(m, 'linux-client/nomad', 'client.meta.cloud')!.value, 'aws');
});

test('scripts: bash positional without a caller is unknown (never guessed)', () => {
  const sh = `#!/usr/bin/env bash\nRETRY_JOIN=$1\ncat <<EOF > /etc/nomad.d/nomad.hcl\nclient {\n  enabled = true\n  servers = ["\${RETRY_JOIN}"]\n}\nEOF\n`;
  const e = setting(model({ [LIN]: sh }).m, 'linux-client/nomad', 'client.servers')!;
  assert.equal(e.value, undefined);
  assert.ok(e.unknownReason);
});

test('scripts: cp template /etc/nomad.d/nomad.hcl then sed -i on the destination', () => {
  const tplFile = 'shared/packer/config/nomad_client.hcl';
  const tpl = 'data_dir = "/opt/nomad/data"\nclient {\n  enabled = true\n  server_join {\n    retry_join = ["RETRY_JOIN"]\n  }\n}\n';
  const sh = `#!/usr/bin/env bash\nset -e\nCONFIGDIR=/ops/shared/packer/config\nRETRY_JOIN="${AUTO}"\nsudo cp $CONFIGDIR/nomad_client.hcl /etc/nomad.d/nomad.hcl\nsudo sed -i "s|RETRY_JOIN|$RETRY_JOIN|g" /etc/nomad.d/nomad.hcl\n`;
  const { m } = model({ [LIN]: sh, [tplFile]: tpl });
  const e = setting(m, 'linux-client/nomad', 'client.server_join.retry_join')!;
  assert.deepEqual(e.value, [AUTO]);
  assert.equal(e.keySpan.file, tplFile);
  const role = m.roles.find((r) => r.id === 'linux-client/nomad')!;
  assert.equal(role.configs.length, 1, 'the template in the tree and its copy are one config, not two');
  assert.equal(role.configs[0]!.doc.targetPath, '/etc/nomad.d/nomad.hcl');
});

test('scripts: ${VAR:-default} takes the default when VAR is unset, and the value when set', () => {
  const body = (pre: string) =>
    `#!/usr/bin/env bash\n${pre}cat <<EOF > /etc/nomad.d/nomad.hcl\ndatacenter = "\${DC:-dc1}"\nclient {\n  enabled = true\n  servers = ["10.0.1.10:4647"]\n}\nEOF\n`;
  assert.equal(setting(model({ [LIN]: body('') }).m, 'linux-client/nomad', 'datacenter')!.value, 'dc1');
  assert.equal(setting(model({ [LIN]: body('DC=eu-west\n') }).m, 'linux-client/nomad', 'datacenter')!.value, 'eu-west');
});

test('scripts: a value from $(curl …) / Invoke-RestMethod is unknown with a reason', () => {
  const sh = `#!/usr/bin/env bash\nIP=$(curl -s http://169.254.169.254/latest/meta-data/local-ipv4)\ncat <<EOF > /etc/nomad.d/nomad.hcl\nbind_addr = "$IP"\nclient {\n  enabled = true\n}\nEOF\n`;
  const e = setting(model({ [LIN]: sh }).m, 'linux-client/nomad', 'bind_addr')!;
  assert.equal(e.value, undefined);
  assert.ok(e.unknownReason && e.unknownReason.length > 0);
  const ps = `$Ip = Invoke-RestMethod -Uri "http://169.254.169.254/latest/meta-data/local-ipv4"\n$c = @"\nbind_addr = "$Ip"\nclient {\n  enabled = true\n}\n"@\n$c | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii\n`;
  const w = setting(model({ [WIN]: ps }).m, 'windows-client/nomad', 'bind_addr')!;
  assert.equal(w.value, undefined);
  assert.ok(w.unknownReason);
});

test('scripts: a declared PowerShell parameter that no caller passes and that has no default is $null (empty string in a here-string)', () => {
  const ps = `param([string] $RetryJoin, [string] $ConsulEncryptKey)\n$c = @"\nretry_join = ["$RetryJoin"]\nencrypt = "$ConsulEncryptKey"\n"@\n$c | Out-File -FilePath C:\\HashiCorp\\Consul\\config\\consul.hcl -Encoding ascii\n`;
  const caller = `<powershell>\n& C:\\ops\\client.ps1 -RetryJoin "${AUTO}"\n</powershell>\n`;
  const e = setting(model({ [WIN]: ps, 'terraform/templates/user-data-client-windows.ps1': caller }).m, 'windows-client/consul', 'encrypt')!;
  assert.equal(e.value, '');
});

test('scripts: `echo $Config | Out-File` in user-data writes the Windows agent configs (JSON and HCL)', () => {
  const ps = [
    '<powershell>',
    '$ConsulConfig = "',
    '{',
    '  `"data_dir`": `"C:/ProgramData/consul/data`",',
    '  `"retry_join`": [`"provider=aws tag_key=ConsulAutoJoin tag_value=x`"]',
    '}"',
    'echo $ConsulConfig | Out-File C:\\ProgramData\\consul\\config\\config.json -Encoding ASCII',
    '$NomadConfig="data_dir = `"C:/ProgramData/nomad/data`"',
    'client {',
    '  enabled = true',
    '}"',
    'echo $NomadConfig | Out-File C:\\ProgramData\\nomad\\conf\\client.hcl -Encoding ASCII',
    '</powershell>',
    '',
  ].join('\n');
  const { m } = model({ 'scripts/client.ps1': ps });
  assert.deepEqual(m.roles.map((r) => r.id).sort(), ['windows-client/consul', 'windows-client/nomad']);
  assert.deepEqual(setting(m, 'windows-client/consul', 'retry_join')!.value, ['provider=aws tag_key=ConsulAutoJoin tag_value=x']);
  assert.equal(setting(m, 'windows-client/nomad', 'client.enabled')!.value, true);
});

test('scripts: user-data that seds a file its called script wrote continues that file (not the tree file of the same base name)', () => {
  // client.sh installs nomad_client.hcl as /etc/nomad.d/nomad.hcl; the server template is also named nomad.hcl.
  const serverTpl = 'server {\n  enabled          = true\n  bootstrap_expect = SERVER_COUNT\n}\nconsul {\n  token = "CONSUL_TOKEN"\n}\n';
  const clientTpl = 'client {\n  enabled = true\n}\nconsul {\n  token = "CONSUL_TOKEN"\n}\n';
  const clientSh = '#!/bin/bash\nCONFIGDIR=/ops/shared/config\nNOMADCONFIGDIR=/etc/nomad.d\nsudo cp $CONFIGDIR/nomad_client.hcl $NOMADCONFIGDIR/nomad.hcl\n';
  const serverSh =
    '#!/bin/bash\nCONFIGDIR=/ops/shared/config\nSERVER_COUNT=$1\nsed -i "s/SERVER_COUNT/$SERVER_COUNT/g" $CONFIGDIR/nomad.hcl\nsudo cp $CONFIGDIR/nomad.hcl /etc/nomad.d\n';
  const udClient =
    '#!/bin/bash\nsudo bash /ops/shared/scripts/client.sh aws\nNOMAD_HCL_PATH="/etc/nomad.d/nomad.hcl"\nsed -i "s/CONSUL_TOKEN/${consul_token}/g" $NOMAD_HCL_PATH\n';
  const udServer = '#!/bin/bash\nsudo bash /ops/shared/scripts/server.sh "3"\nsed -i "s/CONSUL_TOKEN/${consul_token}/g" /etc/nomad.d/nomad.hcl\n';
  const tf = [
    'resource "random_uuid" "t" {}',
    'resource "aws_instance" "server" {',
    '  user_data = templatefile("${path.module}/shared/data-scripts/user-data-server.sh", { consul_token = random_uuid.t.result })',
    '}',
    'resource "aws_instance" "client" {',
    '  user_data = templatefile("${path.module}/shared/data-scripts/user-data-client.sh", { consul_token = random_uuid.t.result })',
    '}',
    '',
  ].join('\n');
  const { m, r } = model({
    'main.tf': tf,
    'shared/config/nomad.hcl': serverTpl,
    'shared/config/nomad_client.hcl': clientTpl,
    'shared/scripts/client.sh': clientSh,
    'shared/scripts/server.sh': serverSh,
    'shared/data-scripts/user-data-client.sh': udClient,
    'shared/data-scripts/user-data-server.sh': udServer,
  });
  assert.deepEqual(m.roles.map((x) => `${x.id}:${x.configs.length}`).sort(), ['linux-client/nomad:1', 'server/nomad:1']);
  const client = m.roles.find((x) => x.id === 'linux-client/nomad')!;
  assert.equal(client.configs[0]!.doc.templateFile, 'shared/config/nomad_client.hcl');
  assert.equal(client.configs[0]!.doc.hostFile, 'shared/data-scripts/user-data-client.sh');
  assert.equal(setting(m, 'server/nomad', 'server.bootstrap_expect')!.value, 3);
  // The token is the Terraform value (unknown until apply), not an unset shell variable of the same name.
  const tok = setting(m, 'linux-client/nomad', 'consul.token')!;
  assert.equal(tok.value, undefined);
  assert.match(tok.unknownReason ?? '', /random_uuid\.t\.result/);
  assert.deepEqual(
    r.findings.filter((f) => ['hcl-syntax', 'duplicate-config-key'].includes(f.ruleId)).map((f) => f.message),
    [],
  );
});

test('innermostFunction finds the innermost function body holding an offset, like a scan of every function (nested, disjoint, random trees)', () => {
  // The definition it replaces: the containing body with the latest start.
  const linear = (fns: readonly PsFunction[], offset: number) => {
    let best: PsFunction | undefined;
    for (const f of fns) if (f.bodyStart <= offset && offset < f.bodyEnd && (!best || f.bodyStart > best.bodyStart)) best = f;
    return best;
  };
  let seed = 11;
  const rnd = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
  for (let round = 0; round < 300; round++) {
    // Properly nested bodies, as brace matching gives: grow a random tree of intervals inside [0, 1000).
    const fns: PsFunction[] = [];
    const fill = (from: number, to: number, depth: number) => {
      let at = from;
      while (at < to - 2 && depth < 5 && rnd(4) > 0) {
        const start = at + rnd(Math.max(1, Math.floor((to - at) / 3)));
        const end = Math.min(to, start + 2 + rnd(Math.max(1, to - start - 1)));
        if (end <= start + 1) break;
        fns.push({ name: `f${fns.length}`, start, end, bodyStart: start, bodyEnd: end, params: [] } as unknown as PsFunction);
        fill(start + 1, end - 1, depth + 1);
        at = end;
      }
    };
    fill(0, 1000, 0);
    const shuffled = [...fns].sort(() => rnd(3) - 1);
    const find = innermostFunction(shuffled);
    for (let offset = -1; offset <= 1000; offset += 1 + rnd(7)) assert.equal(find(offset), linear(fns, offset), `round ${round}, offset ${offset}`);
  }
});

test('abbreviate: whitespace runs collapse to one space, 50 characters kept (differential against a regex, random texts)', () => {
  const reference = (s: string): string => {
    const t = s.replace(/\s+/g, ' ');
    return t.length > 50 ? `${t.slice(0, 47)}...` : t;
  };
  // Every code unit \s matches, plus letters, quotes and a surrogate half.
  const alphabet = ['a', 'Z', '$', '"', '\\', '\ud83d', '-', '0'];
  for (let c = 0; c < 0x10000; c++) if (/\s/.test(String.fromCharCode(c))) alphabet.push(String.fromCharCode(c));
  let seed = 5;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let k = 0; k < 5000; k++) {
    const n = Math.floor(rand() * 120);
    let s = '';
    for (let i = 0; i < n; i++) s += rand() < 0.7 ? alphabet[Math.floor(rand() * 8)] : alphabet[8 + Math.floor(rand() * (alphabet.length - 8))];
    assert.equal(abbreviate(s), reference(s), JSON.stringify(s));
  }
  assert.equal(abbreviate('x'.repeat(51)), `${'x'.repeat(47)}...`);
  assert.equal(abbreviate('x'.repeat(50)), 'x'.repeat(50));
});
