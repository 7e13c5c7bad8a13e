packer {
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = "~> 1.3"
    }
  }
}

source "amazon-ebs" "linux" {
  region        = var.region
  instance_type = var.linux_instance_type
  ami_name      = "${var.name_prefix}-linux-${local.timestamp}"

  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"]
    most_recent = true
  }

  ssh_username = "ubuntu"

  tags = {
    Name          = "${var.name_prefix}-linux"
    OS            = "linux"
    NomadVersion  = var.nomad_version
    ConsulVersion = var.consul_version
  }
}

build {
  sources = ["source.amazon-ebs.linux"]

  provisioner "shell" {
    inline = [
      "sudo mkdir -p /ops",
      "sudo chmod 0777 /ops",
    ]
  }

  provisioner "file" {
    source      = "${path.root}/../shared"
    destination = "/ops"
  }

  provisioner "shell" {
    environment_vars = [
      "NOMAD_VERSION=${var.nomad_version}",
      "CONSUL_VERSION=${var.consul_version}",
    ]
    script = "${path.root}/../shared/packer/scripts/setup.sh"
  }
}
