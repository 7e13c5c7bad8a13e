variable "name" {
  type = string
}

variable "region" {
  type = string
}

variable "key_name" {
  type = string
}

variable "allowlist_ip" {
  type = string
}

variable "server_instance_type" {
  type = string
}

variable "client_instance_type" {
  type = string
}

variable "windows_client_instance_type" {
  type = string
}

variable "server_count" {
  type = number
}

variable "client_count" {
  type = number
}

variable "windows_client_count" {
  type = number
}

variable "nomad_version" {
  type = string
}

variable "consul_version" {
  type = string
}

variable "retry_join" {
  type = string
}

variable "nomad_region" {
  description = "Nomad region; also part of the TLS names server.<region>.nomad / client.<region>.nomad."
  type        = string
  default     = "global"
}

variable "nomad_gossip_key" {
  type      = string
  sensitive = true
}

variable "consul_encrypt_key" {
  type      = string
  sensitive = true
}

variable "consul_master_token" {
  type      = string
  sensitive = true
}

variable "consul_agent_token" {
  type      = string
  sensitive = true
}

variable "linux_node_class" {
  type    = string
  default = "linux"
}

variable "windows_node_class" {
  type    = string
  default = "windows"
}
