/**
 * Legacy JSON Packer templates (Packer < 1.7) seen by the image checks like HCL2 builds: the same scenarios as the
 * HCL2 tests of image-ec2launch-not-reset, user-data-script-path and image-baked-agent-address, with the build written
 * as a JSON template, give the same finding; the fixed variants stay silent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, only, spanOf, LINUX_PKR, SETUP_SH, VARIABLES } from './helpers';
import { MAIN_TF, UD_WIN, WIN_PKR, linuxTf, mixedOs } from './fixtures';
import { buildInfos, showGlob } from '../../../../server/src/core/checks/image/imageLinks';

const WIN_JSON = 'packer/windows.json';
const RESET = `        "& 'C:/Program Files/Amazon/EC2Launch/EC2Launch.exe' reset --block"\n`;

/** packer/windows.pkr.hcl of the mixed-os example as a legacy JSON template. */
const windowsJson = (reset = RESET, upload = '{{template_dir}}/../shared') => `{
  "variables": {
    "name_prefix": "hashistack",
    "nomad_version": "1.11.1",
    "consul_version": "1.21.4"
  },
  "builders": [
    {
      "type": "amazon-ebs",
      "name": "windows",
      "region": "us-west-2",
      "instance_type": "t3.large",
      "ami_name": "{{user \`name_prefix\`}}-windows-{{timestamp}}",
      "communicator": "winrm",
      "winrm_username": "Administrator",
      "winrm_use_ssl": true
    }
  ],
  "provisioners": [
    { "type": "file", "source": "${upload}", "destination": "C:/ops" },
    {
      "type": "powershell",
      "environment_vars": ["NOMAD_VERSION={{user \`nomad_version\`}}", "CONSUL_VERSION={{user \`consul_version\`}}"],
      "script": "{{template_dir}}/../shared/packer/scripts/setup-windows.ps1"
    },
    {
      "type": "powershell",
      "inline": [
        "$ErrorActionPreference = 'Stop'",
        "Get-Service -Name nomad, consul -ErrorAction SilentlyContinue | Stop-Service -Force",
        "Remove-Item -Path 'C:/HashiCorp/Nomad/data/*', 'C:/HashiCorp/Consul/data/*' -Recurse -Force",
        "foreach ($d in 'C:/HashiCorp/Nomad/data', 'C:/HashiCorp/Consul/data') { if (Get-ChildItem -Path $d -Force) { throw \\"$d is not empty\\" } }"${reset ? `,\n${reset}` : '\n'}      ]
    }
  ]
}
`;

function jsonTree(json = windowsJson()): Record<string, string> {
  const files = mixedOs();
  delete files[WIN_PKR];
  return { ...files, [WIN_JSON]: json };
}

test('image-ec2launch-not-reset, JSON template: a Windows builder without EC2Launch reset whose AMI an instance boots with user_data: warning on the builder name', () => {
  const json = windowsJson('');
  const f = only(analyze(jsonTree(json)).findings, 'image-ec2launch-not-reset');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.span.file, WIN_JSON);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(json, '"name": "windows"'));
  assert.match(f[0]!.message, /aws_instance\.windows_client/);
  assert.ok(f[0]!.related.some((r) => r.span.file === MAIN_TF && r.message.includes('user_data')));
  assert.ok(f[0]!.related.some((r) => r.message === 'AMI name of this build' && r.span.file === WIN_JSON));
  // Fixed: the reset is the last inline command.
  assert.deepEqual(only(analyze(jsonTree()).findings, 'image-ec2launch-not-reset'), []);
});

test('image-ec2launch-not-reset, JSON template: only / except split the builders; a reset run only on another builder does not reset this image', () => {
  // A second Windows builder whose AMI no instance of the tree boots.
  const two = (onlyOrExcept: string) =>
    windowsJson('')
      .replace(
        '"builders": [\n',
        '"builders": [\n    { "type": "amazon-ebs", "name": "win2019", "ami_name": "other-windows-{{timestamp}}", "communicator": "winrm" },\n',
      )
      .replace(
        '  "provisioners": [\n',
        `  "provisioners": [\n    { "type": "powershell", ${onlyOrExcept}, "inline": ["& 'C:/Program Files/Amazon/EC2Launch/EC2Launch.exe' reset --block"] },\n`,
      );
  const f = only(analyze(jsonTree(two('"only": ["win2019"]'))).findings, 'image-ec2launch-not-reset');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /aws_instance\.windows_client/);
  assert.deepEqual(only(analyze(jsonTree(two('"except": ["win2019"]'))).findings, 'image-ec2launch-not-reset'), []);
});

test('user-data-script-path, JSON template: Windows user-data calls a folder the JSON file provisioner does not upload to; the right folder is silent', () => {
  const WIN_PATH = 'C:\\ops\\shared\\packer\\scripts\\client.ps1';
  const bad = 'C:\\ops\\packer\\scripts\\client.ps1';
  const files = jsonTree();
  const broken = { ...files, [UD_WIN]: files[UD_WIN]!.replace(WIN_PATH, bad) };
  const f = only(analyze(broken).findings, 'user-data-script-path');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, UD_WIN);
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(broken[UD_WIN]!, bad));
  assert.match(f[0]!.message, /C:\\ops\\shared\\packer\\scripts\\client\.ps1/);
  assert.ok(f[0]!.related.some((r) => r.span.file === WIN_JSON));
  assert.deepEqual(only(analyze(files).findings, 'user-data-script-path'), []);
  // A trailing slash uploads the contents of shared/ into C:/ops, as in HCL2: then C:\ops\packer\… is the right path.
  const slash = jsonTree(windowsJson(RESET, '{{template_dir}}/../shared/'));
  assert.equal(only(analyze(slash).findings, 'user-data-script-path').length, 1);
  assert.deepEqual(only(analyze({ ...slash, [UD_WIN]: slash[UD_WIN]!.replace(WIN_PATH, bad) }).findings, 'user-data-script-path'), []);
});

const IP = '10.0.1.17';
const LINUX_JSON = `{
  "builders": [{ "type": "amazon-ebs", "ami_name": "hs-linux-v1", "ssh_username": "ubuntu" }],
  "provisioners": [{ "type": "shell", "script": "{{template_dir}}/scripts/setup.sh" }]
}
`;
const setupSh = (addr: string) => `#!/bin/bash
set -e
sudo mkdir -p /etc/nomad.d
cat <<'EOF' | sudo tee /etc/nomad.d/nomad.hcl
data_dir  = "/opt/nomad/data"
bind_addr = "${addr}"

client {
  enabled = true
}
EOF
`;
const linuxTree = (addr: string): Record<string, string> => ({
  'packer/linux.json': LINUX_JSON,
  'packer/scripts/setup.sh': setupSh(addr),
  'terraform/main.tf': linuxTf(),
  'terraform/user-data.sh': '#!/bin/bash\nset -e\nsystemctl start nomad\n',
});

test('image-baked-agent-address, JSON template: a bind_addr literal a JSON-provisioned script writes names the build and the instances booting it; a sockaddr template is silent', () => {
  const files = linuxTree(IP);
  const f = only(analyze(files).findings, 'image-baked-agent-address');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'error');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(files['packer/scripts/setup.sh']!, `"${IP}"`));
  assert.match(f[0]!.message, /the image build at packer\/linux\.json:2 \(amazon-ebs, ami_name hs-linux-v1\)/);
  assert.match(f[0]!.message, /Every instance of aws_instance\.client boots this image with the same literal/);
  assert.ok(f[0]!.related.some((r) => r.span.file === 'terraform/main.tf'));
  assert.deepEqual(only(analyze(linuxTree('{{ GetPrivateIP }}')).findings, 'image-baked-agent-address'), []);
});

test('buildInfos, JSON template: builders named by name else type, OS from communicator, ami_name patterns, uploads from {{template_dir}}', () => {
  const json = `{
  "variables": { "prefix": "nomad", "region": "{{env \`AWS_REGION\`}}" },
  "builders": [
    { "type": "amazon-ebs", "ami_name": "{{user \`prefix\`}}-linux-{{timestamp}}" },
    { "type": "amazon-ebs", "name": "win", "communicator": "winrm", "ami_name": "{{user \`prefix\`}}-windows-{{isotime \\"2006-01-02\\"}}" }
  ],
  "provisioners": [
    { "type": "file", "source": "{{template_dir}}/files/", "destination": "/tmp/{{user \`prefix\`}}", "only": ["amazon-ebs"] },
    { "type": "file", "source": "{{user \`region\`}}/x", "destination": "C:/x", "only": ["win"] }
  ]
}
`;
  const { ws } = analyze({ 'packer/t.json': json });
  const builds = buildInfos(ws.model!);
  assert.deepEqual(
    builds.map((b) => ({
      sources: b.sources,
      windows: b.windows,
      globs: b.images.map((n) => showGlob(n.glob)),
      uploads: b.uploads.map((u) => `${u.treePath} -> ${u.remotePath}`),
    })),
    [
      { sources: ['amazon-ebs'], windows: false, globs: ['nomad-linux-…'], uploads: ['packer/files -> /tmp/nomad'] },
      { sources: ['win'], windows: true, globs: ['nomad-windows-*'], uploads: [] },
    ],
  );
  assert.deepEqual({ start: builds[1]!.keywordSpan.start, end: builds[1]!.keywordSpan.end }, spanOf(json, '"name": "win"'));
  assert.deepEqual({ start: builds[0]!.keywordSpan.start, end: builds[0]!.keywordSpan.end }, spanOf(json, '"type": "amazon-ebs"'));
});

/** A JSON template uploading `upload` and running `script` (the shapes of a real Outscale tree, round 13). */
const imageJson = (name: string, upload: string, script: string) => `{
  "provisioners": [
    { "type": "file", "source": "./${upload}", "destination": "/tmp/${upload}" },
    { "type": "shell", "script": "./${script}" }
  ],
  "builders": [{ "type": "amazon-ebs", "ami_name": "{{user \`ami_name\`}}" }],
  "variables": { "ami_name": "${name}" }
}
`;

test('image-version-skew, JSON templates: separate Consul server and client images that both install the latest Consul: warning; the Consul on a Nomad server image is no Consul server', () => {
  const files: Record<string, string> = {
    'packer/consul/server.json': imageJson('Consul-Server', 'consul.hcl', 'install.sh'),
    'packer/consul/consul.hcl': 'data_dir = "/opt/consul"\nserver = true\nbootstrap_expect = 3\n',
    'packer/consul/install.sh': '#!/bin/bash\nyum -y install consul\ncp /tmp/consul.hcl /etc/consul.d/\n',
    'packer/haproxy/haproxy.json': imageJson('Consul-Haproxy', 'interface.hcl', 'install.sh'),
    'packer/haproxy/interface.hcl': 'data_dir = "/opt/consul"\nbind_addr = "{{ GetInterfaceIP \\"eth0\\" }}"\n',
    'packer/haproxy/install.sh': '#!/bin/bash\nyum install --assumeyes consul\nmv /tmp/interface.hcl /etc/consul.d/interface.hcl\n',
  };
  const f = only(analyze(files).findings, 'image-version-skew');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'packer/haproxy/install.sh');
  assert.match(
    f[0]!.message,
    /consul: the client image \(packer\/haproxy\/haproxy\.json\) and the server image \(packer\/consul\/server\.json\) are built separately/,
  );
  // The Consul server image replaced by a Nomad server image that also installs Consul: the two Consul agents are clients.
  const nomad = { ...files };
  delete nomad['packer/consul/server.json'];
  nomad['packer/nomad/server.json'] = imageJson('Nomad-Server', 'server.hcl', 'install.sh');
  nomad['packer/nomad/server.hcl'] = 'data_dir = "/opt/nomad"\nserver {\n  enabled = true\n}\n';
  nomad['packer/nomad/install.sh'] = '#!/bin/bash\nyum install -y nomad consul\ncp /tmp/server.hcl /etc/nomad.d/\n';
  assert.deepEqual(only(analyze(nomad).findings, 'image-version-skew'), []);
});

test('image-tag-version-variable, JSON template: a builder tag records {{user `nomad_version`}} the build never passes: info on the tag; passed in environment_vars: silent', () => {
  const json = (env: boolean) => `{
  "variables": { "nomad_version": "1.10.5" },
  "builders": [{ "type": "amazon-ebs", "communicator": "winrm", "tags": { "Name": "nomad-windows", "NomadVersion": "{{user \`nomad_version\`}}" } }],
  "provisioners": [
    {
      "type": "powershell",
${env ? '      "environment_vars": ["NOMAD_VERSION={{user `nomad_version`}}"],\n' : ''}      "script": "setup-windows.ps1"
    }
  ]
}
`;
  const PS = `Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/$env:NOMAD_VERSION/nomad.zip" -OutFile n.zip\n`;
  const text = json(false);
  const f = only(analyze({ 'packer/windows.json': text, 'packer/setup-windows.ps1': PS }).findings, 'image-tag-version-variable');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'info');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(text, '"NomadVersion": "{{user `nomad_version`}}"'));
  assert.match(f[0]!.message, /^Tag NomadVersion records \{\{user `nomad_version`\}\}, but no provisioner of this build passes \{\{user `nomad_version`\}\}/);
  assert.match(f[0]!.message, /rpc error: Permission denied/);
  assert.deepEqual(only(analyze({ 'packer/windows.json': json(true), 'packer/setup-windows.ps1': PS }).findings, 'image-tag-version-variable'), []);
});

test('packer-version-env-missing, JSON template: the finding is on the provisioner object itself, not on the "provisioners" key (each JSON provisioner spans its own object)', () => {
  const noEnv = `{ "type": "powershell", "script": "{{template_dir}}/../shared/packer/scripts/setup-windows.ps1" }`;
  const json = `{
  "builders": [{ "type": "amazon-ebs", "communicator": "winrm" }],
  "provisioners": [
    { "type": "windows-restart" },
    ${noEnv}
  ]
}
`;
  const files = {
    'packer/variables.pkr.hcl': VARIABLES,
    'packer/linux.pkr.hcl': LINUX_PKR,
    'packer/windows.json': json,
    'shared/packer/scripts/setup.sh': SETUP_SH,
    'shared/packer/scripts/setup-windows.ps1': `param([string] $NomadVersion = $env:NOMAD_VERSION)
if (-not $NomadVersion) {
    $NomadVersion = (Invoke-RestMethod -Uri "https://checkpoint-api.hashicorp.com/v1/check/nomad").current_version
}
Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/$NomadVersion/nomad.zip" -OutFile nomad.zip
`,
  };
  const f = only(analyze(files).findings, 'packer-version-env-missing');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'packer/windows.json');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(json, noEnv));
});
