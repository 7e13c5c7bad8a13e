import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, only, spanOf } from './helpers';
import { linuxTf } from './fixtures';

const RULE = 'image-baked-agent-address';
const IP = '10.0.1.17';

// ---------------------------------------------------------------------------------------------------------------
// Linux: a Packer shell provisioner runs setup.sh, which writes the Nomad config with a heredoc; three instances boot
// the AMI (the aws_ami name filter matches the build's ami_name) and run user-data.sh.

const LINUX_PKR = `source "amazon-ebs" "linux" {
  ami_name = "hs-linux-v1"
}

build {
  sources = ["source.amazon-ebs.linux"]

  provisioner "shell" {
    script = "\${path.root}/scripts/setup.sh"
  }
}
`;

const nomadHcl = (bind: string, adv: string) => `data_dir  = "/opt/nomad/data"
bind_addr = "${bind}"

advertise {
  http = "${adv}"
  rpc  = "${adv}"
  serf = "${adv}"
}

client {
  enabled = true
}`;

const setupSh = (bind: string, adv: string) => `#!/bin/bash
set -e
sudo mkdir -p /etc/nomad.d
cat <<'EOF' | sudo tee /etc/nomad.d/nomad.hcl
${nomadHcl(bind, adv)}
EOF
`;

const UD_START = '#!/bin/bash\nset -e\nsystemctl start nomad\n';

function linuxTree(setup: string, userData = UD_START, tf = linuxTf()): Record<string, string> {
  return {
    'packer/linux.pkr.hcl': LINUX_PKR,
    'packer/scripts/setup.sh': setup,
    'terraform/main.tf': tf,
    'terraform/user-data.sh': userData,
  };
}

test('bash: bind_addr and advertise literals in a config a Packer-run script writes: one error on bind_addr naming the build, the instances and the symptoms', () => {
  const setup = setupSh(IP, IP);
  const f = only(analyze(linuxTree(setup)).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'state');
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file, 'packer/scripts/setup.sh');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(setup, `"${IP}"`));
  const m = f[0]!.message;
  assert.match(m, /bind_addr = "10\.0\.1\.17", advertise\.http = "10\.0\.1\.17", advertise\.rpc = "10\.0\.1\.17", advertise\.serf = "10\.0\.1\.17"/);
  assert.match(m, /packer\/scripts\/setup\.sh writes it to \/etc\/nomad\.d\/nomad\.hcl \([^)]*\), run by the shell provisioner at packer\/linux\.pkr\.hcl:8/);
  assert.match(m, /the image build at packer\/linux\.pkr\.hcl:5 \(source\.amazon-ebs\.linux, ami_name hs-linux-v1\)/);
  assert.match(m, /Every instance of aws_instance\.client boots this image with the same literal/);
  assert.match(m, /`Error starting agent: … failed to start HTTP listener: listen tcp 10\.0\.1\.17:4646: bind: cannot assign requested address`/);
  assert.match(m, /Got ping for unexpected node/);
  assert.ok(!/not valid in its context/.test(m), 'no Windows wording on a Linux image');
  assert.ok(
    f[0]!.related.some((r) => r.span.file === 'terraform/main.tf'),
    'the instance that boots the image is related',
  );
  assert.equal(f[0]!.related.filter((r) => /baked into the image/.test(r.message)).length, 3, 'the advertise keys are related');
});

test('bash: advertise literals only: a warning; the fixed configs are silent (sockaddr template, loopback / 0.0.0.0)', () => {
  const broken = only(analyze(linuxTree(setupSh('0.0.0.0', IP))).findings, RULE);
  assert.equal(broken.length, 1, JSON.stringify(broken.map((x) => x.message)));
  assert.equal(broken[0]!.severity, 'warning');
  assert.match(broken[0]!.message, /every instance registers 10\.0\.1\.17 as its address/);
  assert.deepEqual(only(analyze(linuxTree(setupSh('{{ GetPrivateIP }}', '{{ GetInterfaceIP \\"eth0\\" }}'))).findings, RULE), []);
  assert.deepEqual(only(analyze(linuxTree(setupSh('0.0.0.0', '127.0.0.1'))).findings, RULE), []);
  assert.deepEqual(only(analyze(linuxTree(setupSh('0.0.0.0', '{{ GetPrivateIP }}'))).findings, RULE), []);
});

test('bash: silent when user-data rewrites the file, substitutes the literal with sed, or is the only writer', () => {
  assert.equal(only(analyze(linuxTree(setupSh(IP, IP))).findings, RULE).length, 1);
  const rewrite = `#!/bin/bash
set -e
IP=$(curl -s http://169.254.169.254/latest/meta-data/local-ipv4)
cat <<EOF > /etc/nomad.d/nomad.hcl
data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"
advertise {
  http = "$\${IP}"
  rpc  = "$\${IP}"
  serf = "$\${IP}"
}
client {
  enabled = true
}
EOF
systemctl restart nomad
`;
  assert.deepEqual(only(analyze(linuxTree(setupSh(IP, IP), rewrite)).findings, RULE), []);
  const sed = `#!/bin/bash\nset -e\nIP=$(hostname -I | awk '{print $1}')\nsed -i "s/${IP.replace(/\./g, '\\.')}/$\${IP}/g" /etc/nomad.d/nomad.hcl\nsystemctl restart nomad\n`;
  assert.deepEqual(only(analyze(linuxTree(setupSh(IP, IP), sed)).findings, RULE), []);
  // A user-data file beside the baked one that sets the same keys wins only when it loads later (byte order of the names).
  const beside = (name: string) =>
    `#!/bin/bash\nset -e\nIP=$(hostname -I | awk '{print $1}')\ncat <<EOF > /etc/nomad.d/${name}\nbind_addr = "0.0.0.0"\nadvertise {\n  http = "$\${IP}"\n  rpc  = "$\${IP}"\n  serf = "$\${IP}"\n}\nEOF\nsystemctl restart nomad\n`;
  assert.deepEqual(only(analyze(linuxTree(setupSh(IP, IP), beside('zz-address.hcl'))).findings, RULE), []);
  assert.equal(only(analyze(linuxTree(setupSh(IP, IP), beside('address.hcl'))).findings, RULE).length, 1, 'address.hcl loads before nomad.hcl');
  // The same literal config written by user-data (first boot, per instance): not baked.
  const ud = `#!/bin/bash\nset -e\ncat <<'EOF' > /etc/nomad.d/nomad.hcl\n${nomadHcl(IP, IP)}\nEOF\nsystemctl restart nomad\n`;
  assert.deepEqual(only(analyze(linuxTree('#!/bin/bash\nset -e\nsudo mkdir -p /etc/nomad.d\n', ud)).findings, RULE), []);
});

test('bash: a bind_addr literal the service overrides with -bind is silent; the same unit without the flag fires', () => {
  const unit = (flags: string) =>
    `cat <<'EOF' | sudo tee /etc/systemd/system/nomad.service\n[Unit]\nDescription=Nomad\n[Service]\nExecStart=/usr/bin/nomad agent -config /etc/nomad.d${flags}\nRestart=on-failure\n[Install]\nWantedBy=multi-user.target\nEOF\nsudo systemctl enable nomad\n`;
  const setup = (flags: string) => setupSh(IP, '{{ GetPrivateIP }}') + unit(flags);
  const f = only(analyze(linuxTree(setup(''))).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /^bind_addr = "10\.0\.1\.17" in this Nomad config/);
  assert.deepEqual(only(analyze(linuxTree(setup(' -bind=0.0.0.0'))).findings, RULE), []);
});

test('bash: an image built for one fixed instance whose private_ip is the literal is silent; another private_ip still fires', () => {
  const single = (ip: string) =>
    linuxTf(
      `resource "aws_instance" "server" {\n  ami        = data.aws_ami.linux.id\n  private_ip = "${ip}"\n  user_data  = templatefile("\${path.module}/user-data.sh", {})\n}\n`,
    );
  assert.deepEqual(only(analyze(linuxTree(setupSh(IP, IP), UD_START, single(IP))).findings, RULE), []);
  const other = only(analyze(linuxTree(setupSh(IP, IP), UD_START, single('10.0.1.99'))).findings, RULE);
  assert.equal(other.length, 1, JSON.stringify(other.map((x) => x.message)));
  assert.match(other[0]!.message, /Every instance of aws_instance\.server boots this image/);
});

test('bash: a Packer file upload of a literal-address config into /etc/nomad.d fires; a staging upload to /tmp and a sockaddr template do not', () => {
  const pkr = (dest: string) =>
    LINUX_PKR.replace(
      '  provisioner "shell" {',
      `  provisioner "file" {\n    source      = "\${path.root}/files/client.hcl"\n    destination = "${dest}"\n  }\n\n  provisioner "shell" {`,
    );
  const tree = (dest: string, body: string) => ({
    ...linuxTree('#!/bin/bash\nset -e\n'),
    'packer/linux.pkr.hcl': pkr(dest),
    'packer/files/client.hcl': body,
  });
  const body = nomadHcl('0.0.0.0', IP);
  const f = only(analyze(tree('/etc/nomad.d/client.hcl', body)).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'packer/files/client.hcl');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(body, `"${IP}"`));
  assert.match(f[0]!.message, /packer\/files\/client\.hcl is uploaded by the file provisioner at packer\/linux\.pkr\.hcl:\d+ to \/etc\/nomad\.d\/client\.hcl/);
  assert.deepEqual(only(analyze(tree('/tmp/nomad.hcl', body)).findings, RULE), []);
  assert.deepEqual(only(analyze(tree('/etc/nomad.d/client.hcl', nomadHcl('0.0.0.0', '{{ GetPrivateIP }}'))).findings, RULE), []);
});

// ---------------------------------------------------------------------------------------------------------------
// Windows: a Packer powershell provisioner runs setup.ps1, which writes the Consul config from a here-string; two
// Windows instances boot the AMI and run a PowerShell user-data template.

const WIN_PKR = `source "amazon-ebs" "windows" {
  ami_name     = "hs-windows-v1"
  communicator = "winrm"
}

build {
  sources = ["source.amazon-ebs.windows"]

  provisioner "powershell" {
    script = "\${path.root}/scripts/setup.ps1"
  }
}
`;

const WIN_IP = '10.0.2.15';
const consulHcl = (bind: string, adv: string) => `data_dir       = "C:/HashiCorp/Consul/data"
bind_addr      = "${bind}"
advertise_addr = "${adv}"
client_addr    = "127.0.0.1"
retry_join     = ["provider=aws tag_key=role tag_value=consul-server"]`;

const setupPs1 = (bind: string, adv: string) => `$ErrorActionPreference = "Stop"
New-Item -ItemType Directory -Force -Path "C:\\HashiCorp\\Consul\\config" | Out-Null
@'
${consulHcl(bind, adv)}
'@ | Set-Content -Path "C:\\HashiCorp\\Consul\\config\\consul.hcl" -Encoding ascii
`;

const WIN_TF = `data "aws_ami" "windows" {
  most_recent = true
  owners      = ["self"]

  filter {
    name   = "name"
    values = ["hs-windows-*"]
  }
}

resource "aws_instance" "windows_client" {
  count     = 2
  ami       = data.aws_ami.windows.id
  user_data = templatefile("\${path.module}/user-data.ps1", {})
}
`;

const UD_WIN_START = '<powershell>\nStart-Service consul\n</powershell>\n';

function winTree(setup: string, userData = UD_WIN_START): Record<string, string> {
  return {
    'packer/windows.pkr.hcl': WIN_PKR,
    'packer/scripts/setup.ps1': setup,
    'terraform/main.tf': WIN_TF,
    'terraform/user-data.ps1': userData,
  };
}

test('PowerShell: bind_addr / advertise_addr literals in a here-string a Packer powershell provisioner writes: an error with the Windows bind error', () => {
  const setup = setupPs1(WIN_IP, WIN_IP);
  const f = only(analyze(winTree(setup)).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.span.file, 'packer/scripts/setup.ps1');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, spanOf(setup, `"${WIN_IP}"`));
  const m = f[0]!.message;
  assert.match(m, /bind_addr = "10\.0\.2\.15", advertise_addr = "10\.0\.2\.15" in this Consul config/);
  assert.match(m, /run by the powershell provisioner at packer\/windows\.pkr\.hcl:9/);
  assert.match(m, /Every instance of aws_instance\.windows_client boots this image/);
  assert.match(
    m,
    /`Error starting agent: Failed to start Consul client: Failed to start lan serf: Failed to create memberlist: Could not set up network transport: failed to start TCP listener on "10\.0\.2\.15" port 8301: listen tcp 10\.0\.2\.15:8301: bind: cannot assign requested address` \(on Windows: `bind: The requested address is not valid in its context\.`\)/,
  );
  assert.match(m, /every instance advertises 10\.0\.2\.15/);
});

test('PowerShell: silent with a sockaddr template, loopback, a user-data rewrite of the file, a -replace of the literal, or a user-data-only config (and on the examples)', async () => {
  assert.equal(only(analyze(winTree(setupPs1(WIN_IP, WIN_IP))).findings, RULE).length, 1);
  assert.deepEqual(only((await example('mixed-os')).findings, RULE), []);
  assert.deepEqual(only((await example('windows-only')).findings, RULE), []);
  assert.deepEqual(only(analyze(winTree(setupPs1('{{ GetPrivateIP }}', '{{ GetInterfaceIP "Ethernet" }}'))).findings, RULE), []);
  assert.deepEqual(only(analyze(winTree(setupPs1('0.0.0.0', '127.0.0.1'))).findings, RULE), []);
  const rewrite = `<powershell>
$ip = Invoke-RestMethod -Uri http://169.254.169.254/latest/meta-data/local-ipv4
@"
data_dir       = "C:/HashiCorp/Consul/data"
bind_addr      = "$ip"
advertise_addr = "$ip"
"@ | Set-Content -Path "C:\\HashiCorp\\Consul\\config\\consul.hcl" -Encoding ascii
Restart-Service consul
</powershell>
`;
  assert.deepEqual(only(analyze(winTree(setupPs1(WIN_IP, WIN_IP), rewrite)).findings, RULE), []);
  const replace = `<powershell>
$ip = Invoke-RestMethod -Uri http://169.254.169.254/latest/meta-data/local-ipv4
$f = "C:\\HashiCorp\\Consul\\config\\consul.hcl"
(Get-Content $f) -creplace '10\\.0\\.2\\.15', $ip | Set-Content -Path $f -Encoding ascii
Restart-Service consul
</powershell>
`;
  assert.deepEqual(only(analyze(winTree(setupPs1(WIN_IP, WIN_IP), replace)).findings, RULE), []);
  const udOnly = `<powershell>\n@'\n${consulHcl(WIN_IP, WIN_IP)}\n'@ | Set-Content -Path "C:\\HashiCorp\\Consul\\config\\consul.hcl" -Encoding ascii\nRestart-Service consul\n</powershell>\n`;
  assert.deepEqual(only(analyze(winTree('$ErrorActionPreference = "Stop"\n', udOnly)).findings, RULE), []);
});

test('PowerShell image: a Packer file upload of a Nomad config with advertise literals to C:\\HashiCorp\\Nomad\\config fires; a sockaddr template does not', () => {
  const pkr = WIN_PKR.replace(
    '  provisioner "powershell" {',
    '  provisioner "file" {\n    source      = "${path.root}/files/nomad.hcl"\n    destination = "C:\\\\HashiCorp\\\\Nomad\\\\config\\\\nomad.hcl"\n  }\n\n  provisioner "powershell" {',
  );
  const body = (adv: string) =>
    `data_dir = "C:/HashiCorp/Nomad/data"\n\nadvertise {\n  http = "${adv}"\n  rpc  = "${adv}"\n  serf = "${adv}"\n}\n\nclient {\n  enabled = true\n}\n`;
  const tree = (adv: string) => ({
    ...winTree('$ErrorActionPreference = "Stop"\n', '<powershell>\nStart-Service nomad\n</powershell>\n'),
    'packer/windows.pkr.hcl': pkr,
    'packer/files/nomad.hcl': body(adv),
  });
  const f = only(analyze(tree(WIN_IP)).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.span.file, 'packer/files/nomad.hcl');
  assert.match(f[0]!.message, /advertise\.http = "10\.0\.2\.15", advertise\.rpc = "10\.0\.2\.15", advertise\.serf = "10\.0\.2\.15" in this Nomad config/);
  assert.match(f[0]!.message, /uploaded by the file provisioner at packer\/windows\.pkr\.hcl:\d+ to C:\\HashiCorp\\Nomad\\config\\nomad\.hcl/);
  assert.deepEqual(only(analyze(tree('{{ GetPrivateIP }}')).findings, RULE), []);
});
