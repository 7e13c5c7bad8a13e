# Nomad server configuration template.
# server.sh copies this to /etc/nomad.d/nomad.hcl and substitutes the
# placeholders with sed: IP_ADDRESS, SERVER_COUNT, RETRY_JOIN, NOMAD_GOSSIP_KEY.
# The consul {} block is written by server.sh to /etc/nomad.d/consul.hcl.

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

server {
  enabled          = true
  bootstrap_expect = SERVER_COUNT
  encrypt          = "NOMAD_GOSSIP_KEY"

  server_join {
    retry_join = ["RETRY_JOIN"]
  }
}

acl {
  enabled = true
}

tls {
  http = true
  rpc  = true

  ca_file   = "/etc/nomad.d/tls/nomad-ca.pem"
  cert_file = "/etc/nomad.d/tls/server.pem"
  key_file  = "/etc/nomad.d/tls/server-key.pem"

  verify_server_hostname = true
  verify_https_client    = false
}
