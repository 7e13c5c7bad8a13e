#!/bin/bash
# Rendered by Terraform templatefile(): dollar-brace sequences are filled in by
# Terraform; shell expansions are written with a doubled dollar sign.
set -euo pipefail
exec > >(tee /var/log/user-data.log | logger -t user-data -s 2>/dev/console) 2>&1

TLS_DIR=/etc/nomad.d/tls
mkdir -p "$${TLS_DIR}"

cat <<'PEM' > "$${TLS_DIR}/nomad-ca.pem"
${ca_cert_pem}
PEM

cat <<'PEM' > "$${TLS_DIR}/server.pem"
${cert_pem}
PEM

cat <<'PEM' > "$${TLS_DIR}/server-key.pem"
${key_pem}
PEM

chmod 0644 "$${TLS_DIR}/nomad-ca.pem" "$${TLS_DIR}/server.pem"
chmod 0600 "$${TLS_DIR}/server-key.pem"

bash /ops/shared/packer/scripts/server.sh \
  "aws" \
  "${server_count}" \
  "${retry_join}" \
  "${nomad_gossip_key}" \
  "${consul_encrypt_key}" \
  "${consul_master_token}" \
  "${consul_agent_token}"
