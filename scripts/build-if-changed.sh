#!/usr/bin/env bash
# The TypeScript build, skipped when dist/ was built from exactly these sources: a hash
# of everything tsc compiles (sources, tsconfigs, lockfile) is recorded after each build
# and compared on the next run. Reports on stderr; stdout stays empty.
set -euo pipefail
cd "$(dirname "$0")/.."

build_hash=$(find cli platform edge media routing-core certs bench test/support -name '*.ts' ! -name '*.test.ts' -print0 \
  | sort -z | xargs -0 sha256sum tsconfig.json tsconfig.build.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat dist/.vpop-build-hash 2>/dev/null || true)" = "$build_hash" ]; then
  echo "bootstrap: dist/ is up to date with the sources; build skipped" >&2
  exit 0
fi
echo "bootstrap: building dist/ with tsc (sources changed since the last build; about 20 s)" >&2
started=$SECONDS
rm -f dist/.vpop-build-hash
npx tsc -p tsconfig.build.json >&2
echo "$build_hash" > dist/.vpop-build-hash
echo "bootstrap: built in $((SECONDS - started)) s" >&2
