output "server_public_ips" {
  value = module.hashistack.server_public_ips
}

output "client_public_ips" {
  value = module.hashistack.client_public_ips
}

output "windows_client_public_ips" {
  value = module.hashistack.windows_client_public_ips
}

output "nomad_addr" {
  value = module.hashistack.nomad_addr
}

output "consul_addr" {
  value = module.hashistack.consul_addr
}

output "nomad_ca_cert_pem" {
  description = "CA certificate to trust when talking to the Nomad API (NOMAD_CACERT)."
  value       = module.hashistack.ca_cert_pem
}

output "message" {
  value = <<-EOT
    Nomad API:  ${module.hashistack.nomad_addr}
    Consul API: ${module.hashistack.consul_addr}

    terraform output -raw nomad_ca_cert_pem > nomad-ca.pem
    export NOMAD_ADDR=${module.hashistack.nomad_addr}
    export NOMAD_CACERT=$PWD/nomad-ca.pem
    nomad acl bootstrap
  EOT
}
