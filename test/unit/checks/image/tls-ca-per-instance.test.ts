import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, only, spanOf } from './helpers';

const RULE = 'tls-ca-per-instance';

const consulHcl = (role: 'server' | 'client', verify = 'verify_incoming = true\n    verify_outgoing = true') => `datacenter = "dc1"
data_dir = "/opt/consul"
${role === 'server' ? 'server = true\nbootstrap_expect = 3\n' : 'retry_join = ["provider=aws tag_key=consul tag_value=dc1"]\n'}tls {
  defaults {
    ca_file = "/etc/consul.d/tls/consul-agent-ca.pem"
    cert_file = "/etc/consul.d/tls/dc1-${role}-consul-0.pem"
    key_file = "/etc/consul.d/tls/dc1-${role}-consul-0-key.pem"
    ${verify}
  }
}
`;

const CREATE = 'consul tls ca create';

/** A boot script: `before` the CA creation, the creation (`create`), the certificate, the config. */
const bootSh = (role: 'server' | 'client', create = CREATE, before = '', verify?: string) => `#!/bin/bash
set -e
mkdir -p /etc/consul.d/tls
cd /etc/consul.d/tls
${before}${create}
consul tls cert create -${role} -dc dc1
cat > /etc/consul.d/consul.hcl <<EOF
${consulHcl(role, verify)}EOF
systemctl enable --now consul
`;

const mainTf = (serverCount: string, clientCount = '0', vars = '{}') => `resource "aws_instance" "server" {
  count         = ${serverCount}
  ami           = "ami-123"
  instance_type = "t3.small"
  user_data     = templatefile("\${path.module}/server.sh.tpl", ${vars})
}

resource "aws_instance" "client" {
  count         = ${clientCount}
  ami           = "ami-123"
  instance_type = "t3.small"
  user_data     = templatefile("\${path.module}/client.sh.tpl", {})
}
`;

const tree = (server: string, serverCount = '3', clientCount = '0', client = bootSh('client', '# CA from the servers')) => ({
  'tf/main.tf': mainTf(serverCount, clientCount),
  'tf/server.sh.tpl': server,
  'tf/client.sh.tpl': client,
});

test('tls-ca-per-instance: user data creates the CA on each of 3 servers, the config names it and verifies: one error on the command, with the count and the symptoms', () => {
  const server = bootSh('server');
  const { findings } = analyze(tree(server));
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.category, 'tls');
  assert.equal(f[0]!.span.file, 'tf/server.sh.tpl');
  const s = spanOf(server, CREATE);
  assert.ok(f[0]!.span.start <= s.start && f[0]!.span.end >= s.end, JSON.stringify(f[0]!.span));
  assert.match(f[0]!.message, /runs at boot on each of 3 machines \(count of aws_instance\.server = 3\)\. Every instance makes its own Consul CA key pair/);
  assert.match(f[0]!.message, /x509: certificate signed by unknown authority/);
  assert.match(f[0]!.message, /remote error: tls: bad certificate/);
  assert.match(f[0]!.message, /signs its agent's certificate with it \(tf\/server\.sh\.tpl:6\)/);
  assert.ok(
    f[0]!.related.some((r) => r.span.file === 'tf/main.tf' && /templatefile\(\) renders tf\/server\.sh\.tpl into aws_instance\.server/.test(r.message)),
  );
  assert.ok(f[0]!.related.some((r) => /verify_incoming = true/.test(r.message)));
});

test('tls-ca-per-instance: one server and one client each create their own CA at boot: both commands reported (2 machines each way)', () => {
  const { findings } = analyze(tree(bootSh('server'), '1', '1', bootSh('client')));
  const f = only(findings, RULE);
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  assert.deepEqual(f.map((x) => x.span.file).sort(), ['tf/client.sh.tpl', 'tf/server.sh.tpl']);
  const server = f.find((x) => x.span.file === 'tf/server.sh.tpl')!;
  assert.match(
    server.message,
    /runs at boot on aws_instance\.server \(count of aws_instance\.server = 1\), and tf\/client\.sh\.tpl:5 creates another on 1 more machine\./,
  );
});

test('tls-ca-per-instance: one template run by servers and clients: the creation runs on 5 machines', () => {
  const files = {
    'tf/main.tf': mainTf('3', '2').replace('client.sh.tpl', 'server.sh.tpl'),
    'tf/server.sh.tpl': bootSh('server'),
  };
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /on each of 5 machines/);
});

test('tls-ca-per-instance: an autoscaling group through a launch template, and inline user data', () => {
  const asg = {
    'tf/main.tf': `resource "aws_launch_template" "server" {
  image_id  = "ami-123"
  user_data = base64encode(templatefile("\${path.module}/server.sh.tpl", {}))
}
resource "aws_autoscaling_group" "server" {
  desired_capacity = 3
  min_size         = 3
  max_size         = 3
  launch_template {
    id = aws_launch_template.server.id
  }
}
`,
    'tf/server.sh.tpl': bootSh('server'),
  };
  const f = only(analyze(asg).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /desired_capacity of aws_autoscaling_group\.server = 3/);

  const inline = {
    'tf/main.tf': `resource "aws_instance" "server" {
  count     = 3
  ami       = "ami-123"
  user_data = <<-EOT
${bootSh('server')
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
  EOT
}
`,
  };
  const g = only(analyze(inline).findings, RULE);
  assert.equal(g.length, 1, JSON.stringify(g.map((x) => x.message)));
  assert.equal(g[0]!.span.file, 'tf/main.tf');
});

test('tls-ca-per-instance: a boot script that the user data runs (bash /opt/scripts/tls.sh) counts as boot', () => {
  const files = {
    'tf/main.tf': mainTf('3'),
    'tf/server.sh.tpl': '#!/bin/bash\nbash /opt/scripts/consul-tls.sh\n',
    'tf/client.sh.tpl': '#!/bin/bash\n',
    'scripts/consul-tls.sh': bootSh('server'),
  };
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'scripts/consul-tls.sh');
  assert.ok(f[0]!.related.some((r) => /tf\/server\.sh\.tpl runs \/opt\/scripts\/consul-tls\.sh/.test(r.message)));
});

test('tls-ca-per-instance: fixed, the CA delivered (aws s3 cp, a template value, a heredoc of the CA, vault) or another CA given to the certificate: silent', () => {
  const variants: Record<string, string> = {
    // The fix: no creation, the CA fetched.
    s3: bootSh(
      'server',
      'aws s3 cp s3://my-bucket/tls/consul-agent-ca.pem /etc/consul.d/tls/\naws s3 cp s3://my-bucket/tls/consul-agent-ca-key.pem /etc/consul.d/tls/',
    ),
    // A creation left in, but the CA is fetched or written from a Terraform value before use.
    s3AndCreate: bootSh('server', CREATE, 'aws s3 cp s3://my-bucket/tls/consul-agent-ca.pem .\n'),
    template: bootSh('server', CREATE, 'cat > /etc/consul.d/tls/consul-agent-ca.pem <<EOF\n${ca_cert}\nEOF\n'),
    vault: bootSh('server', CREATE, 'vault read -field=certificate pki/cert/ca > /tmp/x\n'),
    // The certificate signed with another CA file than the one created.
    otherCa: bootSh('server').replace(
      'consul tls cert create -server -dc dc1',
      'consul tls cert create -server -dc dc1 -ca /mnt/shared/ca.pem -key /mnt/shared/ca-key.pem',
    ),
    // Moved under another name, then used: still the created CA.
    renamed: bootSh('server').replace(
      'consul tls cert create -server -dc dc1',
      'mv consul-agent-ca.pem ca.pem\nconsul tls cert create -server -dc dc1 -ca ca.pem',
    ),
  };
  const got = Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, only(analyze(tree(v)).findings, RULE).length]));
  assert.deepEqual(got, { s3: 0, s3AndCreate: 0, template: 0, vault: 0, otherCa: 0, renamed: 1 });
});

test('tls-ca-per-instance: one instance (count = 1, or one aws_instance without count) is silent', () => {
  assert.deepEqual(only(analyze(tree(bootSh('server'), '1')).findings, RULE), []);
  // Control: two are enough.
  assert.equal(only(analyze(tree(bootSh('server'), '2')).findings, RULE).length, 1);
  const single = {
    'tf/main.tf': 'resource "aws_instance" "server" {\n  ami       = "ami-123"\n  user_data = templatefile("${path.module}/server.sh.tpl", {})\n}\n',
    'tf/server.sh.tpl': bootSh('server'),
  };
  assert.deepEqual(only(analyze(single).findings, RULE), []);
  // A count the tree does not decide counts as none.
  const unknown = {
    'tf/main.tf': 'variable "n" {}\n' + mainTf('var.n'),
    'tf/server.sh.tpl': bootSh('server'),
    'tf/client.sh.tpl': '#!/bin/bash\n',
  };
  assert.deepEqual(only(analyze(unknown).findings, RULE), []);
});

test('tls-ca-per-instance: a bootstrap-guarded creation (bash if, && after a test, %{ if index == 0 }, a function called under an if) is silent; a CA-file existence test is no guard', () => {
  const variants: Record<string, string> = {
    if: `if [ "\${bootstrap}" = "true" ]; then\n  ${CREATE}\nfi`,
    and: `[ "$(hostname)" = "server-0" ] && ${CREATE}`,
    template: `%{ if index == 0 ~}\n${CREATE}\n%{ endif ~}`,
    inFunction: `make_ca() {\n  ${CREATE}\n}\nif [ "$BOOTSTRAP" = true ]; then\n  make_ca\nfi`,
    // Every fresh machine lacks the file: each creates its own.
    exists: `if [ ! -f consul-agent-ca.pem ]; then\n  ${CREATE}\nfi`,
    existsAnd: `[ -f consul-agent-ca.pem ] || ${CREATE}`,
    called: `make_ca() {\n  ${CREATE}\n}\nmake_ca`,
  };
  const got = Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, only(analyze(tree(bootSh('server', v))).findings, RULE).length]));
  assert.deepEqual(got, { if: 0, and: 0, template: 0, inFunction: 0, exists: 1, existsAnd: 1, called: 1 });
});

test('tls-ca-per-instance: no verification, or no CA file in any config: silent', () => {
  // Control: the same tree with verification on fires.
  assert.equal(only(analyze(tree(bootSh('server'), '3', '2', bootSh('client', '# CA from the servers'))).findings, RULE).length, 1);
  const off = 'verify_outgoing = false';
  assert.deepEqual(only(analyze(tree(bootSh('server', CREATE, '', off), '3', '2', bootSh('client', '# CA from the servers', '', off))).findings, RULE), []);
  const noCa = bootSh('server').replace('ca_file = "/etc/consul.d/tls/consul-agent-ca.pem"', '');
  assert.deepEqual(only(analyze(tree(noCa, '3', '0', '#!/bin/bash\n')).findings, RULE), []);
});

test('tls-ca-per-instance: a Packer provisioner script is not a boot script (tls-ca-per-image covers it)', () => {
  const files = {
    ...tree('#!/bin/bash\nbash /opt/scripts/consul-tls.sh\n'),
    'scripts/consul-tls.sh': bootSh('server'),
    'packer/image.pkr.hcl':
      'source "amazon-ebs" "a" {\n  ami_name = "x"\n}\nbuild {\n  sources = ["source.amazon-ebs.a"]\n  provisioner "shell" {\n    script = "../scripts/consul-tls.sh"\n  }\n}\n',
  };
  assert.deepEqual(only(analyze(files).findings, RULE), []);
  // Control: without the provisioner, the same script runs only at boot.
  const { ['packer/image.pkr.hcl']: _packer, ...boot } = files;
  assert.equal(only(analyze(boot).findings, RULE).length, 1);
});

const psConfig = `datacenter = "dc1"
data_dir = "C:/HashiCorp/Consul/data"
retry_join = ["provider=aws tag_key=consul tag_value=dc1"]
tls {
  defaults {
    ca_file = "C:/HashiCorp/Consul/tls/consul-agent-ca.pem"
    cert_file = "C:/HashiCorp/Consul/tls/dc1-client-consul-0.pem"
    key_file = "C:/HashiCorp/Consul/tls/dc1-client-consul-0-key.pem"
    verify_outgoing = true
  }
}
`;

const bootPs = (create: string) => `<powershell>
Set-Location C:\\HashiCorp\\Consul\\tls
${create}
& C:\\HashiCorp\\Consul\\consul.exe tls cert create -client -dc dc1
@'
${psConfig}'@ | Set-Content -Path C:\\HashiCorp\\Consul\\config\\consul.hcl -Encoding ascii
Start-Service consul
</powershell>
`;

const psTree = (client: string, count = '2') => ({
  'tf/main.tf': `resource "aws_instance" "windows" {
  count     = ${count}
  ami       = "ami-456"
  user_data = templatefile("\${path.module}/windows.ps1", {})
}
`,
  'tf/windows.ps1': client,
});

test('tls-ca-per-instance: PowerShell user data runs consul.exe tls ca create on 2 Windows instances: one error', () => {
  const ps = bootPs('& C:\\HashiCorp\\Consul\\consul.exe tls ca create');
  const f = only(analyze(psTree(ps)).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'tf/windows.ps1');
  assert.match(f[0]!.message, /on each of 2 machines/);
  assert.match(f[0]!.message, /x509: certificate signed by unknown authority/);
});

test('tls-ca-per-instance: PowerShell: guarded by an if, one instance, or the CA fetched (Read-S3Object): silent; a Test-Path guard fires', () => {
  const variants: Record<string, [string, string]> = {
    guarded: ['if ($env:COMPUTERNAME -eq "CONSUL-0") {\n  & C:\\HashiCorp\\Consul\\consul.exe tls ca create\n}', '2'],
    one: ['consul.exe tls ca create', '1'],
    fetched: [
      'Read-S3Object -BucketName my-bucket -Key tls/consul-agent-ca.pem -File C:\\HashiCorp\\Consul\\tls\\consul-agent-ca.pem\nconsul.exe tls ca create',
      '2',
    ],
    exists: ['if (-not (Test-Path C:\\HashiCorp\\Consul\\tls\\consul-agent-ca.pem)) {\n  consul.exe tls ca create\n}', '2'],
    plain: ['consul.exe tls ca create', '2'],
  };
  const got = Object.fromEntries(Object.entries(variants).map(([k, [v, n]]) => [k, only(analyze(psTree(bootPs(v), n)).findings, RULE).length]));
  assert.deepEqual(got, { guarded: 0, one: 0, fetched: 0, exists: 1, plain: 1 });
});

test('tls-ca-per-instance: GCE: per-instance configs with a startup script in preserved_state, and a counted instance template used by a group (nhsy-hcp layout)', () => {
  const files = {
    'tf/main.tf': `variable "server_nodes" {
  default = 3
}
resource "google_compute_instance_template" "servers" {
  name_prefix = "s-"
}
resource "google_compute_region_instance_group_manager" "servers" {
  version {
    instance_template = google_compute_instance_template.servers.self_link
  }
}
resource "google_compute_region_per_instance_config" "with_script" {
  count = var.server_nodes
  preserved_state {
    metadata = {
      startup-script = templatefile("\${path.module}/server.sh.tpl", { node_name = "server-\${count.index}" })
    }
  }
}
resource "google_compute_instance_template" "clients" {
  count                   = 1
  metadata_startup_script = templatefile("\${path.module}/client.sh.tpl", {})
}
resource "google_compute_region_instance_group_manager" "clients" {
  count       = 1
  target_size = 4
  version {
    instance_template = google_compute_instance_template.clients[count.index].self_link
  }
}
`,
    'tf/server.sh.tpl': bootSh('server'),
    'tf/client.sh.tpl': bootSh('client'),
  };
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  const server = f.find((x) => x.span.file === 'tf/server.sh.tpl')!;
  assert.match(
    server.message,
    /on each of 3 machines \(count of google_compute_region_per_instance_config\.with_script = var\.server_nodes = 3\), and tf\/client\.sh\.tpl:5 creates another on 4 more machines/,
  );
  const client = f.find((x) => x.span.file === 'tf/client.sh.tpl')!;
  assert.match(client.message, /on each of 4 machines \(target_size of google_compute_region_instance_group_manager\.clients = 4/);
});

test('tls-ca-per-instance: Nomad, from a cloud-init runcmd, with tls { rpc = true }: fires on 3 droplets; with the guard %{ if index == 0 } it is silent', () => {
  const nomadHcl = `data_dir = "/opt/nomad"
server {
  enabled = true
  bootstrap_expect = 3
}
tls {
  http = true
  rpc  = true
  ca_file   = "/etc/nomad.d/nomad-agent-ca.pem"
  cert_file = "/etc/nomad.d/global-server-nomad.pem"
  key_file  = "/etc/nomad.d/global-server-nomad-key.pem"
}
`;
  const cloudInit = (create: string) => `#cloud-config
write_files:
  - path: /etc/nomad.d/nomad.hcl
    content: |
${nomadHcl
  .split('\n')
  .map((l) => (l ? `      ${l}` : l))
  .join('\n')}
runcmd:
  - cd /etc/nomad.d
  - ${create}
  - nomad tls cert create -server -region global
  - systemctl start nomad
`;
  const files = (create: string) => ({
    'tf/main.tf': `resource "digitalocean_droplet" "server" {
  count     = 3
  image     = "ubuntu-22-04-x64"
  user_data = templatefile("\${path.module}/cloud-init.yaml", { index = count.index })
}
`,
    'tf/cloud-init.yaml': cloudInit(create),
  });
  const f = only(analyze(files('nomad tls ca create')).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'tf/cloud-init.yaml');
  assert.match(f[0]!.message, /`nomad tls ca create` runs at boot on each of 3 machines \(count of digitalocean_droplet\.server = 3\)/);
  assert.match(f[0]!.message, /tls\.rpc = true/);
  const guarded = files('nomad tls ca create');
  guarded['tf/cloud-init.yaml'] = guarded['tf/cloud-init.yaml'].replace('  - nomad tls ca create', '%{ if index == 0 ~}\n  - nomad tls ca create\n%{ endif ~}');
  assert.deepEqual(only(analyze(guarded).findings, RULE), []);
});

test('tls-ca-per-instance: the tree ships a CA otherwise (a Terraform file provisioner uploads it, a tls_self_signed_cert, a Packer file upload): silent', () => {
  const base = tree(bootSh('server'));
  const withTf = (extra: string) => ({ ...base, 'tf/main.tf': base['tf/main.tf'] + extra });
  const upload = withTf(
    'resource "aws_instance" "bastion" {\n  ami = "ami-123"\n  provisioner "file" {\n    source      = "${path.module}/certs/consul-agent-ca.pem"\n    destination = "/etc/consul.d/tls/consul-agent-ca.pem"\n  }\n}\n',
  );
  const tlsCa = withTf('resource "tls_self_signed_cert" "ca" {\n  is_ca_certificate = true\n}\n');
  const packer = {
    ...base,
    'packer/image.pkr.hcl':
      'source "amazon-ebs" "a" {\n  ami_name = "x"\n}\nbuild {\n  sources = ["source.amazon-ebs.a"]\n  provisioner "file" {\n    source      = "../certs/consul-agent-ca.pem"\n    destination = "/tmp/consul-agent-ca.pem"\n  }\n}\n',
  };
  const got = Object.fromEntries(
    Object.entries({ base, upload, tlsCa, packer }).map(([k, v]) => [k, only(analyze(v as Record<string, string>).findings, RULE).length]),
  );
  assert.deepEqual(got, { base: 1, upload: 0, tlsCa: 0, packer: 0 });
});

test('tls-ca-per-instance: a creation whose words a line continuation splits (`sudo consul tls \\⏎ ca create`) is still found (the per-script text test joins continued lines)', () => {
  const server = bootSh('server', 'sudo consul tls \\\n  ca create -days 3650');
  const { findings } = analyze(tree(server));
  assert.equal(only(findings, RULE).length, 1);
  // And a script that names `tls` without creating a CA stays silent.
  assert.equal(only(analyze(tree(bootSh('server', 'echo "tls ready, ca pending"'))).findings, RULE).length, 0);
});
