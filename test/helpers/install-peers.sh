#!/usr/bin/env bash
# Installs and starts the real peers the integration and end-to-end tests
# talk to: docker-registry (CNCF Distribution), skopeo, the image-building
# tools of ../shared/scripts, and PostgreSQL. Idempotent; needs root (apt).
set -euo pipefail

packages=(docker-registry skopeo podman umoci jq curl zstd debootstrap openssl apache2-utils util-linux ca-certificates wrk clamav-daemon chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# PostgreSQL for the storage suite and the end-to-end run on PostgreSQL
# (DATABASE_URL overrides the machine's own server).
if [ -z "${DATABASE_URL:-}" ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    command -v pg_ctlcluster >/dev/null || { echo "PostgreSQL is not installed: apt-get install postgresql, or set DATABASE_URL" >&2; exit 1; }
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
  fi
  pg_isready -h 127.0.0.1 -p 5432
fi
echo "test peers ready: $(docker-registry --version 2>/dev/null | head -n1), $(skopeo --version)"
