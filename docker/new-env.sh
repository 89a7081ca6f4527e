#!/usr/bin/env bash
# Writes docker/tessera.env (or the file named as the first argument) from tessera.env.example,
# every CHANGE_ME replaced by a fresh random secret; mode 0600. It never overwrites a file: the
# secrets of a running deployment (the master key above all) must not change by accident.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:-$here/tessera.env}"
if [ -e "$target" ]; then
  echo "$target exists; not overwritten (move it away first to start from new secrets)." >&2
  exit 1
fi
command -v openssl >/dev/null || { echo "openssl is needed to generate the secrets." >&2; exit 1; }

hex() { openssl rand -hex 32; }
master_key="$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n')"
postgres_password="$(openssl rand -hex 24)"

umask 077
sed \
  -e "s|^TESSERA_MASTER_KEY=CHANGE_ME\$|TESSERA_MASTER_KEY=$master_key|" \
  -e "s|^TESSERA_INTERNAL_SECRET=CHANGE_ME\$|TESSERA_INTERNAL_SECRET=$(hex)|" \
  -e "s|^POSTGRES_PASSWORD=CHANGE_ME\$|POSTGRES_PASSWORD=$postgres_password|" \
  -e "s|^DATABASE_URL=postgres://tessera:CHANGE_ME@|DATABASE_URL=postgres://tessera:$postgres_password@|" \
  -e "s|^TESSERA_REGISTRATION_TOKEN=CHANGE_ME\$|TESSERA_REGISTRATION_TOKEN=tsr_iat_$(hex)|" \
  -e "s|^TESSERA_CLI_SECRET=CHANGE_ME\$|TESSERA_CLI_SECRET=tsr_cs_$(hex)|" \
  -e "s|^TESSERA_METRICS_TOKEN=CHANGE_ME\$|TESSERA_METRICS_TOKEN=$(hex)|" \
  -e "s|^TESSERA_ADMIN_PASSWORD=CHANGE_ME\$|TESSERA_ADMIN_PASSWORD=$(openssl rand -base64 18 | tr '+/' '-_')|" \
  "$here/tessera.env.example" >"$target"
chmod 600 "$target"

if grep -v '^#' "$target" | grep -q CHANGE_ME; then
  echo "$target still has a CHANGE_ME (the template changed?): fill it in by hand." >&2
  exit 1
fi
echo "Wrote $target (mode 0600). Set TESSERA_ISSUER and TESSERA_ADMIN_EMAIL in it, and SMTP_URL for real mail;"
echo "the administrator's password is TESSERA_ADMIN_PASSWORD there. Keep a copy of TESSERA_MASTER_KEY: without it"
echo "the encrypted secrets in the database (TOTP, upstream IdP secrets, signing keys) cannot be read."
