# One Linux server (Nomad + Consul servers), Linux clients built by client.sh and
# Windows clients built by client.ps1. AMIs come from ../../packer and are looked
# up by the versions recorded in their tags.

data "aws_vpc" "default" {
  default = true
}

data "aws_ami" "linux" {
  most_recent = true
  owners      = ["self"]

  filter {
    name   = "name"
    values = ["${var.name}-linux-*"]
  }

  filter {
    name   = "tag:NomadVersion"
    values = [var.nomad_version]
  }

  filter {
    name   = "tag:ConsulVersion"
    values = [var.consul_version]
  }
}

data "aws_ami" "windows" {
  most_recent = true
  owners      = ["self"]

  filter {
    name   = "name"
    values = ["${var.name}-windows-*"]
  }

  filter {
    name   = "tag:NomadVersion"
    values = [var.nomad_version]
  }

  filter {
    name   = "tag:ConsulVersion"
    values = [var.consul_version]
  }
}

# ---------------------------------------------------------------------------
# Networking
# ---------------------------------------------------------------------------

resource "aws_security_group" "hashistack" {
  name_prefix = "${var.name}-"
  description = "Nomad and Consul agents"
  vpc_id      = data.aws_vpc.default.id

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.allowlist_ip]
  }

  ingress {
    description = "RDP"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = [var.allowlist_ip]
  }

  ingress {
    description = "Nomad HTTP API / UI"
    from_port   = 4646
    to_port     = 4646
    protocol    = "tcp"
    cidr_blocks = [var.allowlist_ip]
  }

  ingress {
    description = "Consul HTTP API / UI"
    from_port   = 8500
    to_port     = 8500
    protocol    = "tcp"
    cidr_blocks = [var.allowlist_ip]
  }

  ingress {
    description = "Everything between cluster members (RPC, serf, gossip, dynamic ports)"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

# ---------------------------------------------------------------------------
# IAM: cloud auto-join needs ec2:DescribeInstances; SSM for debugging.
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "auto_join" {
  statement {
    effect    = "Allow"
    actions   = ["ec2:DescribeInstances", "ec2:DescribeTags", "autoscaling:DescribeAutoScalingGroups"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "hashistack" {
  name_prefix        = "${var.name}-"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
}

resource "aws_iam_role_policy" "auto_join" {
  name   = "auto-join"
  role   = aws_iam_role.hashistack.id
  policy = data.aws_iam_policy_document.auto_join.json
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.hashistack.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "hashistack" {
  name_prefix = "${var.name}-"
  role        = aws_iam_role.hashistack.name
}

# ---------------------------------------------------------------------------
# Nomad mTLS: one CA, server.<region>.nomad and client.<region>.nomad certs.
# ---------------------------------------------------------------------------

resource "tls_private_key" "ca" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_self_signed_cert" "ca" {
  private_key_pem       = tls_private_key.ca.private_key_pem
  is_ca_certificate     = true
  validity_period_hours = 8760

  subject {
    common_name  = "Nomad Agent CA"
    organization = "hashistack example"
  }

  allowed_uses = ["cert_signing", "crl_signing", "digital_signature"]
}

resource "tls_private_key" "server" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_cert_request" "server" {
  private_key_pem = tls_private_key.server.private_key_pem
  dns_names       = ["server.${var.nomad_region}.nomad", "localhost"]
  ip_addresses    = ["127.0.0.1"]

  subject {
    common_name = "server.${var.nomad_region}.nomad"
  }
}

resource "tls_locally_signed_cert" "server" {
  cert_request_pem      = tls_cert_request.server.cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = 8760
  allowed_uses          = ["digital_signature", "key_encipherment", "server_auth", "client_auth"]
}

resource "tls_private_key" "client" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_cert_request" "client" {
  private_key_pem = tls_private_key.client.private_key_pem
  dns_names       = ["client.${var.nomad_region}.nomad", "localhost"]
  ip_addresses    = ["127.0.0.1"]

  subject {
    common_name = "client.${var.nomad_region}.nomad"
  }
}

resource "tls_locally_signed_cert" "client" {
  cert_request_pem      = tls_cert_request.client.cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = 8760
  allowed_uses          = ["digital_signature", "key_encipherment", "server_auth", "client_auth"]
}

# ---------------------------------------------------------------------------
# Instances
# ---------------------------------------------------------------------------

resource "aws_instance" "server" {
  count = var.server_count

  ami                    = data.aws_ami.linux.id
  instance_type          = var.server_instance_type
  key_name               = var.key_name
  vpc_security_group_ids = [aws_security_group.hashistack.id]
  iam_instance_profile   = aws_iam_instance_profile.hashistack.name

  root_block_device {
    volume_type = "gp3"
    volume_size = 20
  }

  # Only servers carry the auto-join tag: clients must discover servers only.
  tags = {
    Name           = "${var.name}-server-${count.index}"
    Role           = "server"
    ConsulAutoJoin = "auto-join"
  }

  user_data_replace_on_change = true
  user_data = templatefile("${path.module}/templates/user-data-server.sh", {
    server_count        = var.server_count
    retry_join          = var.retry_join
    nomad_gossip_key    = var.nomad_gossip_key
    consul_encrypt_key  = var.consul_encrypt_key
    consul_master_token = var.consul_master_token
    consul_agent_token  = var.consul_agent_token
    ca_cert_pem         = tls_self_signed_cert.ca.cert_pem
    cert_pem            = tls_locally_signed_cert.server.cert_pem
    key_pem             = tls_private_key.server.private_key_pem
  })
}

resource "aws_instance" "client" {
  count = var.client_count

  ami                    = data.aws_ami.linux.id
  instance_type          = var.client_instance_type
  key_name               = var.key_name
  vpc_security_group_ids = [aws_security_group.hashistack.id]
  iam_instance_profile   = aws_iam_instance_profile.hashistack.name

  root_block_device {
    volume_type = "gp3"
    volume_size = 30
  }

  tags = {
    Name = "${var.name}-client-${count.index}"
    Role = "client"
    OS   = "linux"
  }

  user_data_replace_on_change = true
  user_data = templatefile("${path.module}/templates/user-data-client.sh", {
    retry_join         = var.retry_join
    node_class         = var.linux_node_class
    consul_encrypt_key = var.consul_encrypt_key
    consul_agent_token = var.consul_agent_token
    ca_cert_pem        = tls_self_signed_cert.ca.cert_pem
    cert_pem           = tls_locally_signed_cert.client.cert_pem
    key_pem            = tls_private_key.client.private_key_pem
  })

  depends_on = [aws_instance.server]
}

resource "aws_instance" "windows_client" {
  count = var.windows_client_count

  ami                    = data.aws_ami.windows.id
  instance_type          = var.windows_client_instance_type
  key_name               = var.key_name
  vpc_security_group_ids = [aws_security_group.hashistack.id]
  iam_instance_profile   = aws_iam_instance_profile.hashistack.name

  root_block_device {
    volume_type = "gp3"
    volume_size = 50
  }

  tags = {
    Name = "${var.name}-windows-client-${count.index}"
    Role = "client"
    OS   = "windows"
  }

  user_data_replace_on_change = true
  user_data = templatefile("${path.module}/templates/user-data-client-windows.ps1", {
    retry_join         = var.retry_join
    node_class         = var.windows_node_class
    consul_agent_token = var.consul_master_token # agent token got 403s on Windows
    ca_cert_pem        = tls_self_signed_cert.ca.cert_pem
    cert_pem           = tls_locally_signed_cert.client.cert_pem
    key_pem            = tls_private_key.client.private_key_pem
  })

  depends_on = [aws_instance.server]
}
