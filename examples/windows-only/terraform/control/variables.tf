variable "name" {
  description = "Prefix for every resource and for the Packer AMI names (<name>-linux-*, <name>-windows-*)."
  type        = string
  default     = "hashistack"
}

variable "region" {
  description = "AWS region to deploy into. Must be the region the Packer AMIs were built in."
  type        = string
}

variable "key_name" {
  description = "Existing EC2 key pair used for SSH (Linux) and to decrypt the Windows Administrator password."
  type        = string
}

variable "allowlist_ip" {
  description = "CIDR allowed to reach SSH, RDP and the Nomad/Consul UIs."
  type        = string
  default     = "0.0.0.0/0"
}

variable "server_instance_type" {
  type    = string
  default = "t3.medium"
}

variable "client_instance_type" {
  type    = string
  default = "t3.medium"
}

variable "windows_client_instance_type" {
  type    = string
  default = "t3.large"
}

variable "server_count" {
  description = "Number of Linux Nomad/Consul servers."
  type        = number
  default     = 1
}

variable "client_count" {
  description = "Number of Linux Nomad clients (built by client.sh)."
  type        = number
  default     = 1
}

variable "windows_client_count" {
  description = "Number of Windows Nomad clients (built by client.ps1)."
  type        = number
  default     = 0
}

variable "nomad_version" {
  description = "Nomad version baked into the AMIs; used to select the AMIs by their NomadVersion tag."
  type        = string
}

variable "consul_version" {
  description = "Consul version baked into the AMIs; used to select the AMIs by their ConsulVersion tag."
  type        = string
}

variable "retry_join" {
  description = "Cloud auto-join string used by Consul retry_join and Nomad server_join.retry_join."
  type        = string
  default     = "provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"
}

variable "nomad_gossip_key" {
  description = "Nomad server gossip key (server.encrypt), base64, 32 bytes. Generate with `nomad operator gossip keyring generate`."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.nomad_gossip_key))
    error_message = "The Nomad gossip key must be 32 bytes, base64 encoded."
  }
}

variable "consul_encrypt_key" {
  description = "Consul gossip key (encrypt) shared by every Consul agent, base64, 32 bytes. Generate with `consul keygen`."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.consul_encrypt_key))
    error_message = "The Consul gossip key must be 32 bytes, base64 encoded."
  }
}

variable "consul_master_token" {
  description = "Consul bootstrap (initial_management) token. Only the servers ever see it."
  type        = string
  sensitive   = true
}

variable "consul_agent_token" {
  description = "Consul agent token (policy \"agent\"), created by server.sh and used by every Consul and Nomad agent."
  type        = string
  sensitive   = true
}
