#!/usr/bin/env bash
# Renders the Consul and Nomad server configuration and starts both agents.
# Called once from user-data:
#   server.sh <cloud> <server_count> <retry_join> <nomad_gossip_key> \
#             <consul_encrypt_key> <consul_master_token> <consul_agent_token>
set -euo pipefail

CLOUD=$1
SERVER_COUNT=$2
RETRY_JOIN=$3
NOMAD_GOSSIP_KEY=$4
CONSUL_ENCRYPT_KEY=$5
CONSUL_MASTER_TOKEN=$6
CONSUL_AGENT_TOKEN=$7

CONFIGDIR=/ops/shared/packer/config

case "${CLOUD}" in
  aws)
    IMDS_TOKEN=$(curl -fsS -X PUT "http://169.254.169.254/latest/api/token" \
      -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
    IP_ADDRESS=$(curl -fsS -H "X-aws-ec2-metadata-token: ${IMDS_TOKEN}" \
      http://169.254.169.254/latest/meta-data/local-ipv4)
    ;;
  *)
    echo "unsupported cloud: ${CLOUD}" >&2
    exit 1
    ;;
esac

# --- Consul -----------------------------------------------------------------
sudo cp "${CONFIGDIR}/consul.hcl" /etc/consul.d/consul.hcl
sudo sed -i "s|IP_ADDRESS|${IP_ADDRESS}|g" /etc/consul.d/consul.hcl
sudo sed -i "s|SERVER_COUNT|${SERVER_COUNT}|g" /etc/consul.d/consul.hcl
sudo sed -i "s|RETRY_JOIN|${RETRY_JOIN}|g" /etc/consul.d/consul.hcl
sudo sed -i "s|CONSUL_ENCRYPT_KEY|${CONSUL_ENCRYPT_KEY}|g" /etc/consul.d/consul.hcl
sudo sed -i "s|CONSUL_MASTER_TOKEN|${CONSUL_MASTER_TOKEN}|g" /etc/consul.d/consul.hcl
sudo sed -i "s|CONSUL_AGENT_TOKEN|${CONSUL_AGENT_TOKEN}|g" /etc/consul.d/consul.hcl
sudo chown consul:consul /etc/consul.d/consul.hcl
sudo chmod 0640 /etc/consul.d/consul.hcl

sudo systemctl enable --now consul

echo "Waiting for a Consul leader"
for _ in $(seq 1 60); do
  if curl -fsS http://127.0.0.1:8500/v1/status/leader | grep -q ':'; then
    break
  fi
  sleep 2
done

# The agent token every Consul and Nomad agent uses. Created with the
# management token, which never leaves this server.
export CONSUL_HTTP_TOKEN="${CONSUL_MASTER_TOKEN}"
if ! consul acl policy read -name agent >/dev/null 2>&1; then
  consul acl policy create -name agent \
    -description "Consul and Nomad agents" \
    -rules - <<'RULES'
node_prefix "" {
  policy = "write"
}
service_prefix "" {
  policy = "write"
}
agent_prefix "" {
  policy = "write"
}
RULES
fi
if ! consul acl token read -id "${CONSUL_AGENT_TOKEN}" >/dev/null 2>&1; then
  consul acl token create -description "agent token" \
    -policy-name agent -secret "${CONSUL_AGENT_TOKEN}"
fi
unset CONSUL_HTTP_TOKEN

# Forward *.consul to the local agent.
sudo mkdir -p /etc/systemd/resolved.conf.d
cat <<'EOF2' | sudo tee /etc/systemd/resolved.conf.d/consul.conf >/dev/null
[Resolve]
DNS=127.0.0.1:8600
DNSSEC=false
Domains=~consul
EOF2
sudo systemctl restart systemd-resolved

# --- Nomad ------------------------------------------------------------------
sudo cp "${CONFIGDIR}/nomad.hcl" /etc/nomad.d/nomad.hcl
sudo sed -i "s|IP_ADDRESS|${IP_ADDRESS}|g" /etc/nomad.d/nomad.hcl
sudo sed -i "s|SERVER_COUNT|${SERVER_COUNT}|g" /etc/nomad.d/nomad.hcl
sudo sed -i "s|RETRY_JOIN|${RETRY_JOIN}|g" /etc/nomad.d/nomad.hcl
sudo sed -i "s|NOMAD_GOSSIP_KEY|${NOMAD_GOSSIP_KEY}|g" /etc/nomad.d/nomad.hcl

cat <<EOF2 | sudo tee /etc/nomad.d/consul.hcl >/dev/null
consul {
  address = "127.0.0.1:8500"
  token   = "${CONSUL_AGENT_TOKEN}"
}
EOF2
sudo chmod 0640 /etc/nomad.d/nomad.hcl /etc/nomad.d/consul.hcl

cat <<'EOF2' | sudo tee /etc/profile.d/nomad.sh >/dev/null
export NOMAD_ADDR=https://127.0.0.1:4646
export NOMAD_CACERT=/etc/nomad.d/tls/nomad-ca.pem
EOF2

sudo systemctl enable --now nomad
