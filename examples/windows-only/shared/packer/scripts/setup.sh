#!/usr/bin/env bash
# Packer provisioner for the Linux image (Ubuntu 22.04): installs Consul and
# Nomad at the versions the Packer template passes in environment_vars, plus
# Docker and the CNI plugins. Nothing is started here, so the image carries no
# node-id, client state or serf keyring.
set -euo pipefail

: "${NOMAD_VERSION:?NOMAD_VERSION must be set by the Packer provisioner (environment_vars)}"
: "${CONSUL_VERSION:?CONSUL_VERSION must be set by the Packer provisioner (environment_vars)}"

CONFIGDIR=/ops/shared/packer/config
CNI_VERSION=1.6.2
ARCH=amd64

export DEBIAN_FRONTEND=noninteractive

# Cloud-init may still be running apt at this point.
cloud-init status --wait >/dev/null || true

sudo apt-get update -y
sudo apt-get install -y --no-install-recommends \
  ca-certificates curl jq unzip docker.io

install_hashicorp_binary() {
  local product=$1 version=$2
  local zip="${product}_${version}_linux_${ARCH}.zip"
  local sums="${product}_${version}_SHA256SUMS"
  local base="https://releases.hashicorp.com/${product}/${version}"

  echo "Installing ${product} ${version}"
  curl -fsSL -o "/tmp/${zip}" "${base}/${zip}"
  curl -fsSL -o "/tmp/${sums}" "${base}/${sums}"
  (cd /tmp && grep " ${zip}\$" "${sums}" | sha256sum -c -)
  sudo unzip -o "/tmp/${zip}" "${product}" -d /usr/local/bin
  sudo chmod 0755 "/usr/local/bin/${product}"
  rm -f "/tmp/${zip}" "/tmp/${sums}"
}

install_hashicorp_binary consul "${CONSUL_VERSION}"
install_hashicorp_binary nomad "${NOMAD_VERSION}"

consul version
nomad version

# Consul runs as its own user; Nomad clients must run as root.
sudo useradd --system --home /etc/consul.d --shell /bin/false consul || true
sudo mkdir -p /etc/consul.d /opt/consul/data /etc/nomad.d/tls /opt/nomad/data
sudo chown -R consul:consul /etc/consul.d /opt/consul
sudo chmod 0750 /opt/consul/data /opt/nomad/data

sudo install -m 0644 "${CONFIGDIR}/consul.service" /etc/systemd/system/consul.service
sudo install -m 0644 "${CONFIGDIR}/nomad.service" /etc/systemd/system/nomad.service
sudo systemctl daemon-reload
# server.sh / client.sh enable and start the units once the config is rendered.

# CNI plugins for bridge networking.
curl -fsSL -o /tmp/cni-plugins.tgz \
  "https://github.com/containernetworking/plugins/releases/download/v${CNI_VERSION}/cni-plugins-linux-${ARCH}-v${CNI_VERSION}.tgz"
sudo mkdir -p /opt/cni/bin
sudo tar -C /opt/cni/bin -xzf /tmp/cni-plugins.tgz
rm -f /tmp/cni-plugins.tgz

cat <<'EOF2' | sudo tee /etc/sysctl.d/99-nomad-bridge.conf >/dev/null
net.bridge.bridge-nf-call-arptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.bridge.bridge-nf-call-iptables = 1
EOF2

sudo systemctl enable docker

# Image hygiene: make sure no agent state is captured in the AMI.
for d in /opt/nomad/data /opt/consul/data; do
  if [ -n "$(sudo ls -A "$d")" ]; then
    echo "ERROR: $d is not empty; refusing to bake agent state into the image" >&2
    exit 1
  fi
done
