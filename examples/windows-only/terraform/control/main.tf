terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = var.name
      ManagedBy = "terraform"
    }
  }
}

module "hashistack" {
  source = "../modules/aws-hashistack"

  name         = var.name
  region       = var.region
  key_name     = var.key_name
  allowlist_ip = var.allowlist_ip

  server_instance_type         = var.server_instance_type
  client_instance_type         = var.client_instance_type
  windows_client_instance_type = var.windows_client_instance_type

  server_count         = var.server_count
  client_count         = var.client_count
  windows_client_count = var.windows_client_count

  nomad_version  = var.nomad_version
  consul_version = var.consul_version

  retry_join          = var.retry_join
  nomad_gossip_key    = var.nomad_gossip_key
  consul_encrypt_key  = var.consul_encrypt_key
  consul_master_token = var.consul_master_token
  consul_agent_token  = var.consul_agent_token
}
