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

cat <<'PEM' > "$${TLS_DIR}/client.pem"
${cert_pem}
PEM

cat <<'PEM' > "$${TLS_DIR}/client-key.pem"
${key_pem}
PEM

chmod 0644 "$${TLS_DIR}/nomad-ca.pem" "$${TLS_DIR}/client.pem"
chmod 0600 "$${TLS_DIR}/client-key.pem"

bash /ops/shared/packer/scripts/client.sh \
  "aws" \
  "${retry_join}" \
  "${node_class}" \
  "${consul_encrypt_key}" \
  "${consul_agent_token}"
