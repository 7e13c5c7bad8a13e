#!/usr/bin/env bash
# Installs what the real-editor (e2e) and second-client (nvim) test layers need,
# on machines that reach only the npm registry and Debian's apt (see
# /work/shared/E2E-OFFLINE.md for why each workaround below exists).
#
# Idempotent and cached: Debian packages already present are not reinstalled,
# and code-server lives in .e2e-cache/code-server/ (git-ignored) with a marker
# file written only after a complete install, so a second run takes ~1 s.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
RIPGREP_PKG_VERSION=1.15.11                      # @vscode/ripgrep used by code-server 4.100.3
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
APT_PACKAGES=(build-essential python3 pkg-config libkrb5-dev ripgrep chromium neovim)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${HSR_E2E_CACHE:-$root/.e2e-cache}"
cs_dir="$cache/code-server"
marker="$cs_dir/.installed-$CODE_SERVER_VERSION"
start=$(date +%s)

log() { printf '[install-e2e] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages present: ${APT_PACKAGES[*]}"
    return
  fi
  log "apt-get install: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

installed_code_server_version() {
  node -p "require('$cs_dir/node_modules/code-server/package.json').version" 2>/dev/null || true
}

install_code_server() {
  if [ -f "$marker" ] && [ "$(installed_code_server_version)" = "$CODE_SERVER_VERSION" ]; then
    log "code-server $CODE_SERVER_VERSION already installed in $cs_dir"
    return
  fi
  if [ "$(uname -m)" != x86_64 ]; then
    log "only x86_64 is prepared (ripgrep cache asset $RIPGREP_ASSET); got $(uname -m)" >&2
    exit 1
  fi
  log "installing code-server@$CODE_SERVER_VERSION into $cs_dir"
  rm -rf "$cs_dir"
  mkdir -p "$cs_dir"
  # Its own package.json, so npm installs here and never touches the project's.
  printf '{ "name": "hsr-e2e-code-server", "private": true }\n' >"$cs_dir/package.json"

  # @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds this
  # archive in $TMPDIR; Debian's rg is the same 13.0.0.
  local tmp
  tmp="$(mktemp -d /tmp/hsr-inst.XXXXXX)"
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION" "$tmp/rg"
  cp /usr/bin/rg "$tmp/rg/rg"
  tar -C "$tmp/rg" -czf "$tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION/$RIPGREP_ASSET" rg

  (
    cd "$cs_dir"
    # yes: node-pty's postinstall runs `npx node-gyp`; nodedir: headers are local
    # (/usr/include/node comes with the nodejs package);
    # unsafe_perm: the install runs as root.
    TMPDIR="$tmp" npm_config_yes=true npm_config_nodedir=/usr npm_config_unsafe_perm=true \
      npm install --no-audit --no-fund --no-package-lock --loglevel=error \
      "code-server@$CODE_SERVER_VERSION"
  )
  [ "$(installed_code_server_version)" = "$CODE_SERVER_VERSION" ] || { log "code-server install incomplete" >&2; exit 1; }
  [ -x "$cs_dir/node_modules/.bin/code-server" ] || { log "code-server binary missing" >&2; exit 1; }
  touch "$marker"
}

install_debian_packages
install_code_server
log "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
log "nvim: $(nvim --version 2>/dev/null | head -1 || echo missing)"
log "code-server: $(installed_code_server_version)"
log "done in $(($(date +%s) - start)) s"
