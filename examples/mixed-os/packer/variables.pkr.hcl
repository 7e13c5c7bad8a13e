variable "region" {
  type    = string
  default = "us-west-2"
}

variable "name_prefix" {
  description = "AMI name prefix; Terraform looks the AMIs up as <name_prefix>-linux-* and <name_prefix>-windows-*."
  type        = string
  default     = "hashistack"
}

variable "linux_instance_type" {
  type    = string
  default = "t3.medium"
}

variable "windows_instance_type" {
  type    = string
  default = "t3.large"
}

# Both images install exactly these versions; the AMI tags record them and
# Terraform selects AMIs by these tags. Servers must never be older than clients.
variable "nomad_version" {
  type    = string
  default = "1.11.1"
}

variable "consul_version" {
  type    = string
  default = "1.21.4"
}

locals {
  timestamp = regex_replace(timestamp(), "[- TZ:]", "")
}
