import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, LIN, linuxClient, only, serverConfig, SRV, tree, WIN, windowsClient } from './helpers';

const RULE = 'servers-auto-join-no-instance';
const TF = 'terraform/main.tf';
const JOIN = 'provider=aws tag_key=NomadJoin tag_value=auto-join';

function awsTf(tags: string, provider = 'provider "aws" {\n  region = "us-east-1"\n}\n'): string {
  return `${provider}
variable "join_value" {
  default = "auto-join"
}

resource "aws_instance" "server" {
  ami           = "ami-123"
  instance_type = "t3.medium"
  tags = {
    Name = "nomad-server"
${tags}
  }
}
`;
}

function serverWithJoin(join = JOIN): string {
  return serverConfig(`server_join {\n  retry_join = ["${join}"]\n}\n`);
}

test('servers-auto-join-no-instance: AWS tag mismatch fires on the join string, names the tags the instances carry', () => {
  const srv = serverWithJoin();
  const files = tree({ server: srv, linux: linuxClient(), extra: { [TF]: awsTf('    NomadJoin = "auto_join"') } });
  const f = only(analyze(files).r, RULE);
  assert.equal(f.length, 2, JSON.stringify(f.map((x) => x.message)));
  const onServer = f.find((x) => x.span.file === SRV)!;
  assert.equal(onServer.category, 'servers');
  assert.equal(onServer.severity, 'error');
  assertSpan(onServer, SRV, srv, `"${JOIN}"`);
  assert.match(onServer.message, /provider=aws/);
  assert.match(onServer.message, /NomadJoin = "auto-join"/);
  assert.match(onServer.message, /aws_instance\.server .*NomadJoin = "auto_join"/);
  assert.match(onServer.message, /discover-aws: Found 0 reservations/);
  assert.ok(onServer.related.some((r) => r.span.file === TF));
  assert.ok(f.some((x) => x.span.file === LIN));
});

test('servers-auto-join-no-instance: the matching tag is silent (AWS keys and values are case-sensitive)', () => {
  const ok = tree({ server: serverWithJoin(), linux: linuxClient(), extra: { [TF]: awsTf('    NomadJoin = "auto-join"') } });
  assert.equal(only(analyze(ok).r, RULE).length, 0);
  const viaVariable = tree({ server: serverWithJoin(), extra: { [TF]: awsTf('    NomadJoin = var.join_value') } });
  assert.equal(only(analyze(viaVariable).r, RULE).length, 0);
  const caseDiffers = tree({ server: serverWithJoin(), extra: { [TF]: awsTf('    nomadjoin = "auto-join"') } });
  assert.equal(only(analyze(caseDiffers).r, RULE).length, 1);
});

test('servers-auto-join-no-instance: provider default_tags carrying the tag are silent; unknown default_tags are silent', () => {
  const withDefaults = awsTf('', 'provider "aws" {\n  region = "us-east-1"\n  default_tags {\n    tags = {\n      NomadJoin = "auto-join"\n    }\n  }\n}\n');
  assert.equal(only(analyze(tree({ server: serverWithJoin(), extra: { [TF]: withDefaults } })).r, RULE).length, 0);
  const unknownDefaults = awsTf('', 'variable "common_tags" {}\nprovider "aws" {\n  default_tags {\n    tags = var.common_tags\n  }\n}\n');
  assert.equal(only(analyze(tree({ server: serverWithJoin(), extra: { [TF]: unknownDefaults } })).r, RULE).length, 0);
});

test('servers-auto-join-no-instance: an unknown tag value on an instance, or in the join string, is silent', () => {
  const unknownTag = awsTf('    NomadJoin = var.not_set').replace('variable "join_value"', 'variable "not_set" {}\nvariable "join_value"');
  assert.equal(only(analyze(tree({ server: serverWithJoin(), extra: { [TF]: unknownTag } })).r, RULE).length, 0);
  const merged = awsTf('').replace('tags = {\n    Name = "nomad-server"\n\n  }', 'tags = merge(var.extra, { Name = "x" })');
  assert.match(merged, /merge\(var.extra/);
  assert.equal(only(analyze(tree({ server: serverWithJoin(), extra: { [TF]: `variable "extra" {}\n${merged}` } })).r, RULE).length, 0);
  const runtimeJoin = serverConfig('server_join {\n  retry_join = ["provider=aws tag_key=NomadJoin tag_value=$JOIN_VALUE"]\n}\n');
  assert.equal(only(analyze(tree({ server: runtimeJoin, extra: { [TF]: awsTf('    NomadJoin = "other"') } })).r, RULE).length, 0);
  const remoteModule = `${awsTf('    NomadJoin = "other"')}\nmodule "workers" {\n  source = "terraform-aws-modules/ec2-instance/aws"\n}\n`;
  assert.equal(only(analyze(tree({ server: serverWithJoin(), extra: { [TF]: remoteModule } })).r, RULE).length, 0);
  // Clients only: the servers they look for are deployed elsewhere, on instances the tree does not hold.
  assert.equal(only(analyze(tree({ linux: linuxClient(), extra: { [TF]: awsTf('    NomadJoin = "other"') } })).r, RULE).length, 0);
  // No instance resource of that cloud in the tree: nothing to compare with.
  assert.equal(only(analyze(tree({ server: serverWithJoin() })).r, RULE).length, 0);
});

test('servers-auto-join-no-instance: a GCE network tag mismatch fires (Consul server, bootstrap_expect 3)', () => {
  const consul = `#!/bin/bash
cat <<EOF > /etc/consul.d/consul.hcl
server           = true
bootstrap_expect = 3
data_dir         = "/opt/consul"
retry_join       = ["provider=gce project_name=p tag_value=consul-servers"]
EOF
`;
  const tf = `resource "google_compute_instance" "consul" {
  name         = "consul-\${count.index}"
  count        = 3
  machine_type = "e2-small"
  tags         = ["consul-server", "ssh"]
}
`;
  const files = { 'scripts/consul.sh': consul, [TF]: tf };
  const f = only(analyze(files).r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assertSpan(f[0]!, 'scripts/consul.sh', consul, '"provider=gce project_name=p tag_value=consul-servers"');
  assert.match(f[0]!.message, /network tag "consul-servers"/);
  assert.match(f[0]!.message, /\["consul-server", "ssh"\]/);
  assert.match(f[0]!.message, /No cluster leader/);
  assert.match(f[0]!.message, /error="No servers to join"/);
  const fixed = { ...files, [TF]: tf.replace('"consul-server", "ssh"', '"consul-servers", "ssh"') };
  assert.equal(only(analyze(fixed).r, RULE).length, 0);
});

test('servers-auto-join-no-instance: a Windows client writing the config from a PowerShell here-string fires too', () => {
  const win = windowsClient({ join: 'server_join {\n    retry_join = ["provider=aws tag_key=NomadJoin tag_value=nomad-servers"]\n  }' });
  const files = tree({ server: serverWithJoin(), windows: win, extra: { [TF]: awsTf('    NomadJoin = "auto-join"') } });
  const f = only(analyze(files).r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assertSpan(f[0]!, WIN, win, '"provider=aws tag_key=NomadJoin tag_value=nomad-servers"');
  assert.match(f[0]!.message, /NomadJoin = "auto-join"/);
});

function azureTf(nicTags: string, vmTags = ''): string {
  return `resource "azurerm_network_interface" "server" {
  name                = "nomad-server-nic"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "internal"
    subnet_id                     = "subnet"
    private_ip_address_allocation = "Dynamic"
  }
${nicTags}
}

resource "azurerm_linux_virtual_machine" "server" {
  name                  = "nomad-server"
  resource_group_name   = "rg"
  location              = "westeurope"
  size                  = "Standard_B2s"
  network_interface_ids = [azurerm_network_interface.server.id]
${vmTags}
}
`;
}
const AZ_JOIN = 'provider=azure tag_name=NomadJoin tag_value=auto-join subscription_id=sub';

test('servers-auto-join-no-instance: Azure reads the network interface tags; a tag only on the VM fires and says so', () => {
  const srv = serverWithJoin(AZ_JOIN);
  const tf = azureTf('', '  tags = {\n    NomadJoin = "auto-join"\n  }');
  const f = only(analyze(tree({ server: srv, extra: { [TF]: tf } })).r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assertSpan(f[0]!, SRV, srv, `"${AZ_JOIN}"`);
  assert.match(f[0]!.message, /network interfaces tagged NomadJoin = "auto-join"/);
  assert.match(f[0]!.message, /azurerm_network_interface\.server .*has no tags/);
  assert.match(f[0]!.message, /azurerm_linux_virtual_machine\.server .*carries the tag, but go-discover's Azure tag method lists network interfaces/);
  assert.match(f[0]!.message, /discover-azure: Found ip addresses: \[\]/);
  assert.ok(f[0]!.related.some((r) => r.span.file === TF && /virtual machine carries the tag/.test(r.message)));
  // The tag on the interface: silent.
  const fixed = azureTf('  tags = {\n    NomadJoin = "auto-join"\n  }', '  tags = {\n    NomadJoin = "auto-join"\n  }');
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: fixed } })).r, RULE).length, 0);
  // A different value on the interface fires without the VM hint.
  const other = azureTf('  tags = {\n    NomadJoin = "auto_join"\n  }');
  const g = only(analyze(tree({ server: srv, extra: { [TF]: other } })).r, RULE);
  assert.equal(g.length, 1);
  assert.match(g[0]!.message, /NomadJoin = "auto_join"/);
  assert.doesNotMatch(g[0]!.message, /carries the tag/);
});

test('servers-auto-join-no-instance: Azure scale sets, policies, the scale-set method and unknown tags are silent', () => {
  const srv = serverWithJoin(AZ_JOIN);
  const vmss = `${azureTf('')}\nresource "azurerm_linux_virtual_machine_scale_set" "clients" {\n  name = "c"\n}\n`;
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: vmss } })).r, RULE).length, 0);
  const policy = `${azureTf('')}\nresource "azurerm_resource_group_policy_assignment" "inherit" {\n  name = "inherit-tags"\n}\n`;
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: policy } })).r, RULE).length, 0);
  const scaleSetMethod = serverWithJoin('provider=azure resource_group=rg vm_scale_set=servers');
  assert.equal(only(analyze(tree({ server: scaleSetMethod, extra: { [TF]: azureTf('') } })).r, RULE).length, 0);
  const unknownTags = `variable "tags" {}\n${azureTf('  tags = var.tags')}`;
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: unknownTags } })).r, RULE).length, 0);
});

test('servers-auto-join-no-instance: a credential in the join string is masked in every output', () => {
  const secret = 'xY9+kQ2/AzureSecret==';
  const join = `provider=azure tag_name=NomadJoin tag_value=auto-join subscription_id=sub tenant_id=t client_id=c secret_access_key='${secret}'`;
  const srv = serverWithJoin(join);
  const { ws, r } = analyze(tree({ server: srv, extra: { [TF]: azureTf('') } }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /secret_access_key=•••• \(\d+ chars, sha256:[0-9a-f]{8}\)/);
  // Every output of the analysis: findings, role views and the hover over the join string.
  const hover = ws.hoverAt(r, SRV, srv.indexOf('secret_access_key'));
  const all = JSON.stringify(r) + JSON.stringify(hover ?? null);
  assert.ok(!all.includes(secret), 'the Azure credential appears in an output');
  assert.ok(!all.includes('xY9+kQ2'), 'a piece of the Azure credential appears in an output');
});

function doTf(tags: string, region = 'nyc3'): string {
  return `resource "digitalocean_tag" "servers" {
  name = "nomad-servers"
}

resource "digitalocean_droplet" "server" {
  count  = 3
  name   = "nomad-server-\${count.index}"
  image  = "ubuntu-22-04-x64"
  size   = "s-1vcpu-2gb"
  region = "${region}"
  tags   = ${tags}
}
`;
}
const DO_JOIN = 'provider=digitalocean region=nyc3 tag_name=nomad-servers api_token=dop_v1_0123456789abcdef';

test('servers-auto-join-no-instance: DigitalOcean droplet tags and region', () => {
  const srv = serverWithJoin(DO_JOIN);
  const f = only(analyze(tree({ server: srv, extra: { [TF]: doTf('["nomad", "server"]') } })).r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assertSpan(f[0]!, SRV, srv, `"${DO_JOIN}"`);
  assert.match(f[0]!.message, /droplets tagged "nomad-servers" in region nyc3/);
  assert.match(f[0]!.message, /digitalocean_droplet\.server .*tags = \["nomad", "server"\], region = "nyc3"/);
  assert.match(f[0]!.message, /discover-digitalocean: Found ip addresses: \[\]/);
  // The API token is a credential: masked.
  assert.ok(!f[0]!.message.includes('dop_v1_0123456789abcdef'));
  // The tag on the droplets: silent; a tag differing only in case: silent (the API's case rules are not modelled).
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: doTf('["nomad-servers"]') } })).r, RULE).length, 0);
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: doTf('["Nomad-Servers"]') } })).r, RULE).length, 0);
  // The tag, in another region: fires and says so.
  const g = only(analyze(tree({ server: srv, extra: { [TF]: doTf('["nomad-servers"]', 'ams3') } })).r, RULE);
  assert.equal(g.length, 1);
  assert.match(g[0]!.message, /in another region: digitalocean_droplet\.server .* in ams3/);
  assert.match(g[0]!.message, /Ask for the region the droplets are in/);
  // Without region= in the join string, any region matches.
  const anyRegion = serverWithJoin('provider=digitalocean tag_name=nomad-servers');
  assert.equal(only(analyze(tree({ server: anyRegion, extra: { [TF]: doTf('["nomad-servers"]', 'ams3') } })).r, RULE).length, 0);
});

test('servers-auto-join-no-instance: DigitalOcean tags given by digitalocean_tag references are read as the tag names', () => {
  const srv = serverWithJoin(DO_JOIN);
  // The tag resource named in the join string: silent, by its id (the provider's id of a tag is its name) or its name.
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: doTf('[digitalocean_tag.servers.id]') } })).r, RULE).length, 0);
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: doTf('["${digitalocean_tag.servers.name}"]') } })).r, RULE).length, 0);
  // A tag resource with another name: the droplets do not carry the join's tag.
  const other = doTf('[digitalocean_tag.servers.id]').replace('name = "nomad-servers"', 'name = "nomad"');
  const f = only(analyze(tree({ server: srv, extra: { [TF]: other } })).r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.match(f[0]!.message, /digitalocean_droplet\.server .*tags = \["nomad"\]/);
  // A data source naming the tag, with a literal tag beside it.
  const data = `${doTf('[data.digitalocean_tag.joined.name, "web"]')}\ndata "digitalocean_tag" "joined" {\n  name = "nomad-servers"\n}\n`;
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: data } })).r, RULE).length, 0);
  const dataOther = data
    .replace('name = "nomad-servers"\n}\n', 'name = "web-tier"\n}\n')
    .replace(/(data "digitalocean_tag" "joined" \{\n  name = )"nomad-servers"/, '$1"web-tier"');
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: dataOther } })).r, RULE).length, 1);
  // A tag resource made with count, or one that is not in the module: not known, silent.
  const counted = doTf('[digitalocean_tag.servers.id]').replace('name = "nomad-servers"', 'count = 1\n  name = "nomad"');
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: counted } })).r, RULE).length, 0);
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: doTf('[digitalocean_tag.elsewhere.id]') } })).r, RULE).length, 0);
});

test('servers-auto-join-no-instance: DigitalOcean tags of a Kubernetes cluster are silent', () => {
  const srv = serverWithJoin(DO_JOIN);
  const k8s = `${doTf('["other"]')}\nresource "digitalocean_kubernetes_cluster" "k" {\n  name = "k"\n}\n`;
  assert.equal(only(analyze(tree({ server: srv, extra: { [TF]: k8s } })).r, RULE).length, 0);
});
