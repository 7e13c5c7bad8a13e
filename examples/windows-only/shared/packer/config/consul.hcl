# Consul server configuration template.
# server.sh copies this to /etc/consul.d/consul.hcl and substitutes the
# placeholders with sed: IP_ADDRESS, SERVER_COUNT, RETRY_JOIN,
# CONSUL_ENCRYPT_KEY, CONSUL_MASTER_TOKEN, CONSUL_AGENT_TOKEN.

datacenter       = "dc1"
data_dir         = "/opt/consul/data"
server           = true
bootstrap_expect = SERVER_COUNT

bind_addr      = "IP_ADDRESS"
advertise_addr = "IP_ADDRESS"
client_addr    = "0.0.0.0"
log_level      = "INFO"

retry_join = ["RETRY_JOIN"]
encrypt    = "CONSUL_ENCRYPT_KEY"

ui_config {
  enabled = true
}

acl {
  enabled                  = true
  default_policy           = "deny"
  down_policy              = "extend-cache"
  enable_token_persistence = true

  tokens {
    initial_management = "CONSUL_MASTER_TOKEN"
    agent              = "CONSUL_AGENT_TOKEN"
  }
}
