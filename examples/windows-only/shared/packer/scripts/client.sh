#!/usr/bin/env bash
# Renders the Consul and Nomad client configuration on a Linux node and starts
# both agents. Called once from user-data:
#   client.sh <cloud> <retry_join> <node_class> <consul_encrypt_key> <consul_agent_token>
set -euo pipefail

CLOUD=$1
RETRY_JOIN=$2
NODE_CLASS=$3
CONSUL_ENCRYPT_KEY=$4
CONSUL_AGENT_TOKEN=$5

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
sudo cp "${CONFIGDIR}/consul_client.hcl" /etc/consul.d/consul.hcl
sudo sed -i "s|IP_ADDRESS|${IP_ADDRESS}|g" /etc/consul.d/consul.hcl
sudo sed -i "s|RETRY_JOIN|${RETRY_JOIN}|g" /etc/consul.d/consul.hcl
sudo sed -i "s|CONSUL_ENCRYPT_KEY|${CONSUL_ENCRYPT_KEY}|g" /etc/consul.d/consul.hcl
sudo sed -i "s|CONSUL_AGENT_TOKEN|${CONSUL_AGENT_TOKEN}|g" /etc/consul.d/consul.hcl
sudo chown consul:consul /etc/consul.d/consul.hcl
sudo chmod 0640 /etc/consul.d/consul.hcl

sudo systemctl enable --now consul

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
sudo cp "${CONFIGDIR}/nomad_client.hcl" /etc/nomad.d/nomad.hcl
sudo sed -i "s|IP_ADDRESS|${IP_ADDRESS}|g" /etc/nomad.d/nomad.hcl
sudo sed -i "s|NODE_CLASS|${NODE_CLASS}|g" /etc/nomad.d/nomad.hcl
sudo sed -i "s|RETRY_JOIN|${RETRY_JOIN}|g" /etc/nomad.d/nomad.hcl

cat <<EOF2 | sudo tee /etc/nomad.d/consul.hcl >/dev/null
consul {
  address = "127.0.0.1:8500"
  token   = "${CONSUL_AGENT_TOKEN}"
}
EOF2
sudo chmod 0640 /etc/nomad.d/nomad.hcl /etc/nomad.d/consul.hcl

sudo systemctl enable --now nomad
