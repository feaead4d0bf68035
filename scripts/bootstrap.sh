#!/usr/bin/env bash
# Bring a Debian bookworm machine to the point where VPOP builds and runs.
# Idempotent: installs only what is missing, then `npm ci` if the lockfile
# changed since the last install, then the TypeScript build unless dist/ was built from
# exactly these sources. It reports on stderr, so `npm run -s up | jq` sees only the POP's
# JSON log on stdout.
#   scripts/bootstrap.sh            runtime + test packages (npm run up / npm test)
#   scripts/bootstrap.sh --runtime  runtime packages only (the Dockerfile)
set -euo pipefail
cd "$(dirname "$0")/.."

lists=(scripts/debian-packages/runtime.txt)
[ "${1:-}" = "--runtime" ] || lists+=(scripts/debian-packages/test.txt)

missing=()
for pkg in $(sed -e 's/#.*//' "${lists[@]}" | awk 'NF { print $1 }'); do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: must run as root to install Debian packages (missing: ${missing[*]})" >&2
    exit 1
  fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.vpop-lock-hash 2>/dev/null || true)" != "$lock_hash" ]; then
  echo "bootstrap: npm ci (the lockfile changed)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" > node_modules/.vpop-lock-hash
fi

scripts/build-if-changed.sh
