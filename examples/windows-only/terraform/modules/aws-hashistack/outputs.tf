output "server_public_ips" {
  value = aws_instance.server[*].public_ip
}

output "server_private_ips" {
  value = aws_instance.server[*].private_ip
}

output "client_public_ips" {
  value = aws_instance.client[*].public_ip
}

output "windows_client_public_ips" {
  value = aws_instance.windows_client[*].public_ip
}

output "nomad_addr" {
  value = "https://${aws_instance.server[0].public_ip}:4646"
}

output "consul_addr" {
  value = "http://${aws_instance.server[0].public_ip}:8500"
}

output "ca_cert_pem" {
  value = tls_self_signed_cert.ca.cert_pem
}
