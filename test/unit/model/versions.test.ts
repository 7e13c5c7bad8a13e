import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import { withoutComments } from '../../../server/src/core/versions';

const setupWindows = `param(
    [string] $NomadVersion = $env:NOMAD_VERSION
)
if (-not $NomadVersion) {
    $NomadVersion = (Invoke-RestMethod -Uri "https://checkpoint-api.hashicorp.com/v1/check/nomad").current_version
}
Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/$NomadVersion/nomad_$($NomadVersion)_windows_amd64.zip" -OutFile C:\\nomad.zip
`;
const packer = (env: string) => `variable "nomad_version" {
  default = "1.11.1"
}
build {
  sources = ["source.amazon-ebs.windows"]
  provisioner "powershell" {
${env}    script = "../scripts/setup-windows.ps1"
  }
}
`;

test('a latest-release lookup guarded by the version parameter is a fallback: the Packer input pins the version', () => {
  const ws = new Workspace('/v');
  ws.setText('scripts/setup-windows.ps1', setupWindows);
  ws.setText('packer/windows.pkr.hcl', packer('    environment_vars = ["NOMAD_VERSION=${var.nomad_version}"]\n'));
  const v = ws.analyze().versions.filter((x) => x.product === 'nomad');
  assert.equal(v.length, 1);
  assert.equal(v[0]!.version, '1.11.1');
  assert.ok(v[0]!.pinned);
  assert.ok(v[0]!.chain.some((s) => s.note.includes('only when $NomadVersion is empty')));
});

test('the same script without the Packer input installs whatever is current (unpinned, with the reason)', () => {
  const ws = new Workspace('/v');
  ws.setText('scripts/setup-windows.ps1', setupWindows);
  ws.setText('packer/windows.pkr.hcl', packer(''));
  const v = ws.analyze().versions.filter((x) => x.product === 'nomad');
  assert.equal(v.length, 1);
  assert.equal(v[0]!.pinned, false);
  assert.match(v[0]!.reason ?? '', /current at build time: \$NomadVersion is not given .*passes no NOMAD_VERSION/);
});

test('bash ${NOMAD_VERSION:-$(curl …checkpoint…)} resolves through the provisioner environment', () => {
  const sh =
    'NOMAD_VERSION="${NOMAD_VERSION:-$(curl -s https://checkpoint-api.hashicorp.com/v1/check/nomad | jq -r .current_version)}"\ncurl -o /tmp/n.zip "https://releases.hashicorp.com/nomad/${NOMAD_VERSION}/nomad_${NOMAD_VERSION}_linux_amd64.zip"\n';
  const ws = new Workspace('/v');
  ws.setText('scripts/setup.sh', sh);
  ws.setText(
    'packer/linux.pkr.hcl',
    packer('    environment_vars = ["NOMAD_VERSION=1.10.5"]\n').replace('powershell', 'shell').replace('setup-windows.ps1', 'setup.sh'),
  );
  const v = ws.analyze().versions.filter((x) => x.product === 'nomad');
  assert.deepEqual(
    v.map((x) => [x.version, x.pinned]),
    [['1.10.5', true]],
  );
});

test('a Debian pre-release pin (`nomad=$NOMADVERSION*` with 1.8.0~beta.1-1 on a continued apt-get line) is 1.8.0-beta.1, not 1.8.0', () => {
  const ws = new Workspace('/v');
  ws.setText(
    'shared/scripts/setup.sh',
    '#!/bin/bash\nNOMADVERSION=1.8.0~beta.1-1\nCONSULVERSION=1.18.1\nsudo apt-get update && sudo apt-get -y install \\\n\tconsul=$CONSULVERSION* \\\n\tnomad=$NOMADVERSION*\n',
  );
  const v = ws.analyze().versions;
  assert.deepEqual(v.map((x) => `${x.product}=${x.version}`).sort(), ['consul=1.18.1', 'nomad=1.8.0-beta.1']);
});

test('a quoted apt pin `consul="${CONSULVERSION}*"` is pinned, not "apt-get installs the latest consul"', () => {
  const ws = new Workspace('/v');
  ws.setText(
    'shared/scripts/setup.sh',
    '#!/bin/bash\nCONSULVERSION=1.18.1\nNOMADVERSION=1.7.6\nsudo apt-get install -yq consul="${CONSULVERSION}*" \\\n                    nomad="${NOMADVERSION}*"\n',
  );
  const v = ws.analyze().versions;
  assert.deepEqual(v.map((x) => `${x.product}=${x.version ?? 'unpinned'}`).sort(), ['consul=1.18.1', 'nomad=1.7.6']);
  // Both come from the install command (continued over two lines), not from a bare use of the variable.
  assert.ok(
    v.every((x) => x.chain.some((c) => /apt-get install in setup\.sh/.test(c.note))),
    JSON.stringify(v.map((x) => x.chain.map((c) => c.note))),
  );
});

test('Packer inline commands install versions too: a literal URL (HCL shell, JSON powershell) and a Packer variable in the URL (found on a real tree)', () => {
  const ws = new Workspace('/v');
  const linux = `variable "consul_version" {
  default = "1.7.2"
}
build {
  sources = ["source.amazon-ebs.ubuntu"]
  provisioner "shell" {
    inline = [
      "curl -k -O \\"https://releases.hashicorp.com/nomad/0.11.1/nomad_0.11.1_linux_amd64.zip\\"",
      "curl -k -O https://releases.hashicorp.com/consul/\${var.consul_version}/consul_\${var.consul_version}_linux_amd64.zip",
    ]
  }
}
`;
  const windows = `{
  "builders": [{ "type": "azure-arm", "os_type": "Windows" }],
  "provisioners": [
    { "type": "powershell", "inline": [
      "(New-Object System.Net.WebClient).DownloadFile('https://releases.hashicorp.com/nomad/0.11.1/nomad_0.11.1_windows_amd64.zip','nomad.zip')",
      "choco install consul -y"
    ] }
  ]
}
`;
  ws.setText('linux.pkr.hcl', linux);
  ws.setText('windows.json', windows);
  const v = ws.analyze().versions.map((x) => `${x.product}/${x.os}=${x.version ?? 'unpinned'}`);
  assert.deepEqual(v.sort(), ['consul/linux=1.7.2', 'consul/windows=unpinned', 'nomad/linux=0.11.1', 'nomad/windows=0.11.1']);
  const nomadLinux = ws.analyze().versions.find((x) => x.product === 'nomad' && x.os === 'linux')!;
  assert.equal(linux.slice(nomadLinux.span.start, nomadLinux.span.end), '0.11.1');
  const consulLinux = ws.analyze().versions.find((x) => x.product === 'consul' && x.os === 'linux')!;
  assert.ok(
    consulLinux.chain.some((c) => linux.slice(c.span.start, c.span.end).includes('1.7.2')),
    JSON.stringify(consulLinux.chain),
  );
  const skew = ws.analyze().findings.filter((f) => f.ruleId === 'image-version-skew');
  assert.equal(skew.length, 1, JSON.stringify(skew.map((f) => f.message)));
  assert.match(skew[0]!.message, /^consul: the windows image pins no version/);
});

test('Packer inline `install-nomad --version {{user `nomad_version`}}` (terraform-aws-nomad install modules) pins the version (found on a real tree)', () => {
  const ws = new Workspace('/v');
  const json = `{
  "variables": { "nomad_version": "0.5.5", "consul_version": "0.7.5" },
  "builders": [{ "type": "amazon-ebs", "name": "ubuntu-16-ami" }],
  "provisioners": [
    { "type": "shell", "inline": ["/tmp/nomad-aws-blueprint/modules/install-nomad/install-nomad --version {{user \`nomad_version\`}}"] },
    { "type": "shell", "inline": ["/tmp/consul-aws-blueprint/modules/install-consul/install-consul --version {{user \`consul_version\`}}"] }
  ]
}
`;
  ws.setText('examples/nomad-consul-ami/nomad-consul.json', json);
  const v = ws.analyze().versions.map((x) => `${x.product}/${x.os}=${x.version ?? 'unpinned'}`);
  assert.deepEqual(v.sort(), ['consul/linux=0.7.5', 'nomad/linux=0.5.5']);
  const nomad = ws.analyze().versions.find((x) => x.product === 'nomad')!;
  assert.ok(
    nomad.chain.some((c) => /Packer variable "nomad_version" default/.test(c.note)),
    JSON.stringify(nomad.chain),
  );
});

test('`install-consul-terraform-sync --version 0.7.0` installs Consul-Terraform-Sync, not Consul: only `install-consul --version` pins Consul (real tree, round 13)', () => {
  const ws = new Workspace('/v');
  const pkr = `variable "consul_version" {
  default = "1.15.1+ent"
}
variable "consul_terraform_sync_version" {
  default = "0.7.0+ent"
}
source "azure-arm" "ubuntu" {
  os_type = "Linux"
}
build {
  sources = ["source.azure-arm.ubuntu"]
  provisioner "shell" {
    inline = ["/tmp/repo/examples/scripts/install-consul --version \${var.consul_version};"]
  }
  provisioner "shell" {
    inline = ["/tmp/repo/examples/scripts/install-consul-terraform-sync --version \${var.consul_terraform_sync_version};"]
  }
}
`;
  ws.setText('examples/images/cts/cts.pkr.hcl', pkr);
  const v = ws.analyze().versions.map((x) => `${x.product}/${x.os}=${x.version ?? 'unpinned'}`);
  assert.deepEqual(v, ['consul/linux=1.15.1+ent']);
});

test('a commented-out download line installs nothing (real tree, round 7)', () => {
  const ws = new Workspace('/v');
  ws.setText(
    'scripts/install.ps1',
    [
      '#Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/1.5.0/nomad_1.5.0_windows_amd64.zip" -OutFile C:\\nomad.zip',
      '<#',
      'Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/1.6.0/nomad_1.6.0_windows_amd64.zip" -OutFile C:\\nomad.zip',
      '#>',
      'Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/1.4.3/nomad_1.4.3_windows_amd64.zip" -OutFile C:\\nomad.zip',
      '',
    ].join('\n'),
  );
  ws.setText(
    'scripts/install.sh',
    '#!/bin/bash\n# wget https://releases.hashicorp.com/nomad/1.9.0/nomad_1.9.0_linux_amd64.zip\nwget https://releases.hashicorp.com/nomad/1.4.3/nomad_1.4.3_linux_amd64.zip\n',
  );
  const v = ws
    .analyze()
    .versions.filter((x) => x.product === 'nomad')
    .map((x) => x.version)
    .sort();
  assert.deepEqual(v, ['1.4.3', '1.4.3']);
});

test('withoutComments blanks exactly what `^[ \\t]*#.*$` (multiline) and `<# … #>` blank, on edge cases and 2,000 random texts', () => {
  const blank = (m: string) => m.replace(/[^\n]/g, ' ');
  const reference = (text: string) => {
    const t = text.includes('<#') ? text.replace(/<#[\s\S]*?#>/g, blank) : text;
    return t.replace(/^[ \t]*#.*$/gm, blank);
  };
  const cases = [
    '',
    '#',
    '# top\nWrite-Host "a # not a comment"\n  \t# indented\r\n#x\r# after CR\u2028# after LS\n',
    '<# block\n# inside #>\n$a = 1 # trailing\n',
    'x#y\n #\n\t#\n',
  ];
  // A seeded generator over the characters that matter: `#`, `<`, `>`, blanks and every line terminator.
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = ['#', '#', '<', '>', ' ', '\t', '\n', '\r', '\u2028', '\u2029', 'a', 'b', '"'];
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const n = Math.floor(rnd() * 60);
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    cases.push(s);
  }
  for (const c of cases) assert.equal(withoutComments(c), reference(c), JSON.stringify(c));
});

test('an apt pin from a Terraform template variable (`nomad=${nomad_version}`) keeps the Terraform reason and chain, not "$nomad_version is not set" (real tree, round 10)', () => {
  const ws = new Workspace('/v');
  ws.setText(
    'main.tf',
    'variable "nomad_version" {}\nvariable "consul_version" {\n  default = "1.18.1"\n}\nresource "aws_instance" "c" {\n  user_data = templatefile("${path.module}/client.sh.tpl", { nomad_version = var.nomad_version, consul_version = var.consul_version })\n}\n',
  );
  ws.setText('client.sh.tpl', '#!/bin/bash\napt-get install -y consul=${consul_version}\napt-get install -y nomad=${nomad_version}\n');
  const v = ws.analyze().versions;
  const nomad = v.find((x) => x.product === 'nomad')!;
  assert.equal(nomad.version, undefined);
  assert.match(nomad.reason ?? '', /variable "nomad_version" has no default/);
  assert.ok(
    nomad.chain.some((c) => /templatefile\(\) passes nomad_version/.test(c.note)),
    JSON.stringify(nomad.chain.map((c) => c.note)),
  );
  const consul = v.find((x) => x.product === 'consul')!;
  assert.equal(consul.version, '1.18.1');
  assert.ok(
    consul.chain.some((c) => /variable "consul_version"/.test(c.note)),
    JSON.stringify(consul.chain.map((c) => c.note)),
  );
});
