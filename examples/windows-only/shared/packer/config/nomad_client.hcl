# Nomad client configuration template (Linux).
# client.sh copies this to /etc/nomad.d/nomad.hcl and substitutes the
# placeholders with sed: IP_ADDRESS, NODE_CLASS, RETRY_JOIN.
# The consul {} block is written by client.sh to /etc/nomad.d/consul.hcl.
# The Windows client renders the same settings from client.ps1.

region     = "global"
datacenter = "dc1"
data_dir   = "/opt/nomad/data"
bind_addr  = "0.0.0.0"
log_level  = "INFO"

advertise {
  http = "IP_ADDRESS"
  rpc  = "IP_ADDRESS"
  serf = "IP_ADDRESS"
}

client {
  enabled    = true
  node_class = "NODE_CLASS"

  server_join {
    retry_join = ["RETRY_JOIN"]
  }
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}

acl {
  enabled = true
}

tls {
  http = true
  rpc  = true

  ca_file   = "/etc/nomad.d/tls/nomad-ca.pem"
  cert_file = "/etc/nomad.d/tls/client.pem"
  key_file  = "/etc/nomad.d/tls/client-key.pem"

  verify_server_hostname = true
  verify_https_client    = false
}
