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

# Overridden by PKR_VAR_nomad_version / PKR_VAR_consul_version from the release job.
variable "nomad_version" {
  type    = string
  default = "1.10.5"
}

variable "consul_version" {
  type    = string
  default = "1.21.4"
}

locals {
  timestamp = regex_replace(timestamp(), "[- TZ:]", "")
}
