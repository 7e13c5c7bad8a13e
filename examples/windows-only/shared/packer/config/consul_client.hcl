# Consul client configuration template (Linux).
# client.sh copies this to /etc/consul.d/consul.hcl and substitutes the
# placeholders with sed: IP_ADDRESS, RETRY_JOIN, CONSUL_ENCRYPT_KEY,
# CONSUL_AGENT_TOKEN. The Windows client renders the same settings from client.ps1.

datacenter = "dc1"
data_dir   = "/opt/consul/data"

bind_addr      = "IP_ADDRESS"
advertise_addr = "IP_ADDRESS"
client_addr    = "127.0.0.1"
log_level      = "INFO"

retry_join = ["RETRY_JOIN"]
encrypt    = "CONSUL_ENCRYPT_KEY"

acl {
  enabled        = true
  default_policy = "deny"
  down_policy    = "extend-cache"

  tokens {
    agent = "CONSUL_AGENT_TOKEN"
  }
}
