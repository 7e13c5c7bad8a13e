/**
 * The Packer image ↔ Terraform machine link on Azure and GCE (imageLinks.ts): the mixed-os example with its Windows
 * image built by `azure-arm` / `googlecompute` and its Windows clients made by `azurerm_windows_virtual_machine` /
 * `google_compute_instance`. A rule that needs the link (image-baked-agent-config: a config baked into the image that
 * the instances' boot script writes again without restarting the agent) fires when the names match, and stays silent
 * when they do not or when the tree does not say which image the machine boots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, only } from './helpers';
import { CLIENT_PS1, MAIN_TF, SETUP_WIN, WIN_PKR, edit, mixedOs } from './fixtures';
import { buildInfos, buildsOf, instanceInfos } from '../../../../server/src/core/checks/image/imageLinks';

const RULE = 'image-baked-agent-config';

const AWS_SOURCE = `source "amazon-ebs" "windows" {
  region        = var.region
  instance_type = var.windows_instance_type
  ami_name      = "\${var.name_prefix}-windows-\${local.timestamp}"
`;

const AZURE_SOURCE = `source "azure-arm" "windows" {
  location                          = "westeurope"
  vm_size                           = "Standard_D2s_v3"
  managed_image_resource_group_name = "images"
  managed_image_name                = "\${var.name_prefix}-windows-\${local.timestamp}"
`;

const GCE_SOURCE = `source "googlecompute" "windows" {
  project_id   = "hs-project"
  zone         = "europe-west1-b"
  image_name   = "\${var.name_prefix}-windows-\${local.timestamp}"
  image_family = "hs-windows"
`;

/** The Windows image baked with client.hcl and an auto-start service; user-data writes client.hcl again and only starts nomad. */
function bakedTree(files: Record<string, string>): Record<string, string> {
  const setup =
    files[SETUP_WIN]! +
    `
@'
data_dir = "C:/HashiCorp/Nomad/data"

client {
  enabled = true
}
'@ | Set-Content -Path "C:\\HashiCorp\\Nomad\\config\\client.hcl" -Encoding ascii
New-Service -Name "nomad" -BinaryPathName "C:\\HashiCorp\\bin\\nomad.exe agent -config=C:\\HashiCorp\\Nomad\\config" -StartupType Automatic | Out-Null
`;
  return edit({ ...files, [SETUP_WIN]: setup }, CLIENT_PS1, 'Restart-Service -Name "nomad" -Force', 'Start-Service -Name "nomad"');
}

/** The Windows client resource of main.tf, rewritten by `f`. */
function windowsClient(files: Record<string, string>, f: (block: string) => string, data: string): Record<string, string> {
  const tf = files[MAIN_TF]!;
  const start = tf.indexOf('resource "aws_instance" "windows_client" {');
  assert.ok(start >= 0);
  const end = tf.indexOf('\n}\n', start) + 3;
  return { ...files, [MAIN_TF]: tf.slice(0, start) + f(tf.slice(start, end)) + tf.slice(end) + data };
}

function replaced(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `missing ${from}`);
  return text.replace(from, to);
}

/** Azure: the image by `managed_image_name`, the clients by `source_image_id = data.azurerm_image.windows.id` and `custom_data`. */
function azureTree(data: string): Record<string, string> {
  let files = edit(bakedTree(mixedOs()), WIN_PKR, AWS_SOURCE, AZURE_SOURCE);
  files = edit(files, WIN_PKR, 'source.amazon-ebs.windows', 'source.azure-arm.windows');
  return windowsClient(
    files,
    (b) => {
      let out = replaced(b, 'resource "aws_instance" "windows_client"', 'resource "azurerm_windows_virtual_machine" "windows_client"');
      out = replaced(out, 'ami                    = data.aws_ami.windows.id', 'source_image_id        = data.azurerm_image.windows.id');
      out = replaced(out, '  user_data = templatefile(', '  custom_data = base64encode(templatefile(');
      return replaced(out, '\n  })\n', '\n  }))\n');
    },
    data,
  );
}

/** GCE: the image by `image_family`, the clients by `boot_disk.initialize_params.image` and `metadata.windows-startup-script-ps1`. */
function gceTree(image: string, data = ''): Record<string, string> {
  let files = edit(bakedTree(mixedOs()), WIN_PKR, AWS_SOURCE, GCE_SOURCE);
  files = edit(files, WIN_PKR, 'source.amazon-ebs.windows', 'source.googlecompute.windows');
  return windowsClient(
    files,
    (b) => {
      let out = replaced(b, 'resource "aws_instance" "windows_client"', 'resource "google_compute_instance" "windows_client"');
      out = replaced(out, 'ami                    = data.aws_ami.windows.id', `boot_disk {\n    initialize_params {\n      image = ${image}\n    }\n  }`);
      out = replaced(out, '  user_data = templatefile(', '  metadata = {\n    windows-startup-script-ps1 = templatefile(');
      return replaced(out, '\n  })\n', '\n  })\n  }\n');
    },
    data,
  );
}

const UNKNOWN_VAR = (name: string) => `\nvariable "${name}" {\n  type = string\n}\n`;

test('Azure: managed_image_name and a data "azurerm_image" name_regex that can match: the baked client.hcl fires through the link', () => {
  const files = azureTree('\ndata "azurerm_image" "windows" {\n  name_regex          = "^${var.name}-windows-"\n  resource_group_name = "images"\n}\n');
  const { ws, findings } = analyze(files);
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, SETUP_WIN);
  assert.match(f[0]!.message, /never restarts nomad/);
  const inst = instanceInfos(ws.model!).find((i) => i.address === 'azurerm_windows_virtual_machine.windows_client')!;
  assert.equal(inst.cloud, 'azure');
  assert.deepEqual(
    inst.boot.map((b) => b.name),
    ['custom_data'],
  );
  assert.deepEqual(
    buildsOf(ws.model!, inst).map((b) => b.file),
    [WIN_PKR],
  );
  // EC2Launch is AWS's: an Azure Windows image without an EC2Launch reset is not that rule's business.
  const noReset = edit(files, WIN_PKR, `"& 'C:/Program Files/Amazon/EC2Launch/EC2Launch.exe' reset --block",`, '');
  assert.deepEqual(only(analyze(noReset).findings, 'image-ec2launch-not-reset'), []);
});

test('Azure: a data "azurerm_image" name that cannot match the managed image: silent', () => {
  const files = azureTree('\ndata "azurerm_image" "windows" {\n  name_regex          = "^${var.name}-linux-"\n  resource_group_name = "images"\n}\n');
  assert.deepEqual(only(analyze(files).findings, RULE), []);
});

test('Azure: an image name the tree does not know (a regex from a variable without a value): silent', () => {
  const files = azureTree(
    '\ndata "azurerm_image" "windows" {\n  name_regex          = "${var.windows_image_regex}"\n  resource_group_name = "images"\n}\n' +
      UNKNOWN_VAR('windows_image_regex'),
  );
  assert.deepEqual(only(analyze(files).findings, RULE), []);
});

test('GCE: image_family and a data "google_compute_image" family: the baked client.hcl fires through the link', () => {
  const files = gceTree(
    'data.google_compute_image.windows.self_link',
    '\ndata "google_compute_image" "windows" {\n  family  = "hs-windows"\n  project = "hs-project"\n}\n',
  );
  const { ws, findings } = analyze(files);
  const f = only(findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.span.file, SETUP_WIN);
  const inst = instanceInfos(ws.model!).find((i) => i.address === 'google_compute_instance.windows_client')!;
  assert.deepEqual(
    inst.boot.map((b) => b.name),
    ['metadata.windows-startup-script-ps1'],
  );
  assert.deepEqual(
    buildsOf(ws.model!, inst).map((b) => b.file),
    [WIN_PKR],
  );
});

test('GCE: a reference written out (`project/family`) links too; another project does not', () => {
  assert.equal(only(analyze(gceTree('"hs-project/hs-windows"')).findings, RULE).length, 1);
  assert.deepEqual(only(analyze(gceTree('"other-project/hs-windows"')).findings, RULE), []);
});

test('GCE: a family that cannot match the image family or name: silent', () => {
  const files = gceTree(
    'data.google_compute_image.windows.self_link',
    '\ndata "google_compute_image" "windows" {\n  family  = "hs-linux"\n  project = "hs-project"\n}\n',
  );
  assert.deepEqual(only(analyze(files).findings, RULE), []);
});

test('GCE: an image the tree does not know (a variable without a value): silent', () => {
  const files = gceTree('"family/${var.windows_family}"', UNKNOWN_VAR('windows_family'));
  assert.deepEqual(only(analyze(files).findings, RULE), []);
  const data = gceTree(
    'data.google_compute_image.windows.self_link',
    '\ndata "google_compute_image" "windows" {\n  family = var.windows_family\n}\n' + UNKNOWN_VAR('windows_family'),
  );
  assert.deepEqual(only(analyze(data).findings, RULE), []);
});

test('links: Azure gallery images, a GCE `name eq` filter, a local with a conditional', () => {
  const files: Record<string, string> = {
    'packer/az.pkr.hcl': `source "azure-arm" "gal" {
  shared_image_gallery_destination {
    resource_group = "rg"
    gallery_name   = "hsgallery"
    image_name     = "nomad-client"
    image_version  = "1.0.0"
  }
}
source "googlecompute" "srv" {
  project_id = "p1"
  image_name = "hashistack-server-\${formatdate("YYYYMMDD", timestamp())}"
}
build {
  sources = ["source.azure-arm.gal", "source.googlecompute.srv"]

  provisioner "shell" {
    inline = ["echo baked"]
  }
}
`,
    'tf/main.tf': `variable "use_hcp" {
  default = false
}
data "azurerm_shared_image_version" "client" {
  name                = "latest"
  image_name          = "nomad-client"
  gallery_name        = "hsgallery"
  resource_group_name = "rg"
}
data "azurerm_shared_image" "other" {
  name                = "nomad-client"
  gallery_name        = "othergallery"
  resource_group_name = "rg"
}
data "google_compute_image" "srv" {
  filter = "name eq hashistack-server-.*"
}
locals {
  image = var.use_hcp ? data.hcp_packer_artifact.x.external_identifier : data.google_compute_image.srv.self_link
}
resource "azurerm_linux_virtual_machine_scale_set" "clients" {
  source_image_id = data.azurerm_shared_image_version.client.id
  custom_data     = base64encode(templatefile("\${path.module}/client.sh", {}))
}
resource "azurerm_orchestrated_virtual_machine_scale_set" "other" {
  source_image_id = data.azurerm_shared_image.other.id
}
resource "google_compute_instance_template" "servers" {
  disk {
    source_image = local.image
    boot         = true
  }
  metadata_startup_script = templatefile("\${path.module}/server.sh", {})
}
`,
    'tf/client.sh': '#!/bin/bash\necho client\n',
    'tf/server.sh': '#!/bin/bash\necho server\n',
  };
  const { ws } = analyze(files);
  const m = ws.model!;
  const links = Object.fromEntries(instanceInfos(m).map((i) => [i.address, buildsOf(m, i).flatMap((b) => b.sources)]));
  // One build of two sources is one image with both names: what matters is which machines it reaches.
  assert.deepEqual(links, {
    'azurerm_linux_virtual_machine_scale_set.clients': ['source.azure-arm.gal', 'source.googlecompute.srv'],
    'azurerm_orchestrated_virtual_machine_scale_set.other': [],
    'google_compute_instance_template.servers': ['source.azure-arm.gal', 'source.googlecompute.srv'],
  });
  const clients = instanceInfos(m).find((i) => i.address === 'azurerm_linux_virtual_machine_scale_set.clients')!;
  assert.deepEqual(clients.userDataTemplates, ['tf/client.sh']);
  const servers = instanceInfos(m).find((i) => i.address === 'google_compute_instance_template.servers')!;
  assert.deepEqual(servers.userDataTemplates, ['tf/server.sh']);
  assert.deepEqual(
    buildInfos(m)[0]!.images.map((n) => [n.kind, n.key]),
    [
      ['azure-gallery', 'shared_image_gallery_destination'],
      ['gce-image', 'image_name'],
    ],
  );
});

test('links: a module follows its image and boot script inputs into the call that makes the machine (one machine per call)', () => {
  const module = `variable "image" {}
variable "startup" {}
resource "google_compute_instance" "vm" {
  boot_disk {
    initialize_params {
      image = var.image
    }
  }
  metadata_startup_script = var.startup
}
`;
  const call = (name: string, family: string) => `module "${name}" {
  source  = "./modules/vm"
  image   = data.google_compute_image.${family}.self_link
  startup = templatefile("\${path.module}/${name}.sh", {})
}
`;
  const base: Record<string, string> = {
    'packer/gce.pkr.hcl': `source "googlecompute" "server" {
  project_id   = "p1"
  image_family = "hs-server"
}
build {
  sources = ["source.googlecompute.server"]

  provisioner "shell" {
    inline = ["echo baked"]
  }
}
`,
    'tf/modules/vm/main.tf': module,
    'tf/server.sh': '#!/bin/bash\necho server\n',
    'tf/client.sh': '#!/bin/bash\necho client\n',
  };
  const data = 'data "google_compute_image" "server" {\n  family = "hs-server"\n}\ndata "google_compute_image" "client" {\n  family = "hs-client"\n}\n';
  const once = analyze({ ...base, 'tf/main.tf': data + call('server', 'server') }).ws.model!;
  const vm = instanceInfos(once).find((i) => i.address === 'google_compute_instance.vm')!;
  assert.deepEqual(
    buildsOf(once, vm).map((b) => b.sources),
    [['source.googlecompute.server']],
  );
  assert.deepEqual(vm.userDataTemplates, ['tf/server.sh']);
  // Called twice: one machine per call, each with its own call's image and boot script.
  const twice = analyze({ ...base, 'tf/main.tf': data + call('server', 'server') + call('client', 'client') }).ws.model!;
  const made = Object.fromEntries(
    instanceInfos(twice).map((i) => [i.address, { builds: buildsOf(twice, i).map((b) => b.sources), templates: i.userDataTemplates }]),
  );
  assert.deepEqual(made, {
    'module.server.google_compute_instance.vm': { builds: [['source.googlecompute.server']], templates: ['tf/server.sh'] },
    'module.client.google_compute_instance.vm': { builds: [], templates: ['tf/client.sh'] },
  });
});

test('boot data in nested blocks: Azure legacy `os_profile { custom_data }`, GCE per-instance `preserved_state { metadata }` of the group made from the template', () => {
  const files: Record<string, string> = {
    'packer/img.pkr.hcl': `source "azure-arm" "vm" {
  managed_image_name = "hs-server-1"
}
source "googlecompute" "srv" {
  image_family = "hs-server"
}
build {
  sources = ["source.azure-arm.vm", "source.googlecompute.srv"]

  provisioner "shell" {
    inline = ["echo baked"]
  }
}
`,
    'tf/main.tf': `resource "azurerm_virtual_machine" "server" {
  storage_image_reference {
    id = "/subscriptions/s/resourceGroups/images/providers/Microsoft.Compute/images/hs-server-1"
  }
  os_profile {
    computer_name = "server"
    custom_data   = templatefile("\${path.module}/azure.sh", {})
  }
}
resource "google_compute_instance_template" "servers" {
  disk {
    source_image = "family/hs-server"
  }
}
resource "google_compute_region_instance_group_manager" "servers" {
  version {
    instance_template = google_compute_instance_template.servers.self_link
  }
}
resource "google_compute_region_per_instance_config" "server" {
  count                         = 3
  region_instance_group_manager = google_compute_region_instance_group_manager.servers.name
  preserved_state {
    metadata = {
      startup-script = templatefile("\${path.module}/gce.sh", {})
    }
  }
}
`,
    'tf/azure.sh': '#!/bin/bash\necho azure\n',
    'tf/gce.sh': '#!/bin/bash\necho gce\n',
  };
  const m = analyze(files).ws.model!;
  const by = (a: string) => instanceInfos(m).find((i) => i.address === a)!;
  assert.deepEqual(by('azurerm_virtual_machine.server').userDataTemplates, ['tf/azure.sh']);
  assert.equal(buildsOf(m, by('azurerm_virtual_machine.server')).length, 1);
  const tpl = by('google_compute_instance_template.servers');
  assert.deepEqual(tpl.userDataTemplates, ['tf/gce.sh']);
  assert.deepEqual(
    tpl.boot.map((b) => b.name),
    ['google_compute_region_per_instance_config.server.preserved_state.metadata.startup-script'],
  );
  assert.equal(buildsOf(m, tpl).length, 1);
});

test('links: an image name of unknown parts and separators only (`${var.name}-${var.version}`) links no public image', () => {
  const files: Record<string, string> = {
    'packer/gce.pkr.hcl': `variable "name" {
  type = string
}
variable "version" {
  type = string
}
source "googlecompute" "img" {
  image_name = "\${var.name}-\${var.version}"
}
build {
  sources = ["source.googlecompute.img"]

  provisioner "shell" {
    inline = ["echo baked"]
  }
}
`,
    'tf/main.tf': `resource "google_compute_instance" "vm" {
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-11"
    }
  }
}
`,
  };
  const m = analyze(files).ws.model!;
  assert.deepEqual(buildInfos(m)[0]!.images, []);
  assert.deepEqual(buildsOf(m, instanceInfos(m)[0]!), []);
});
