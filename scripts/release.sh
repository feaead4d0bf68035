#!/usr/bin/env bash
# Build a release tarball a POP host installs without network access to npm:
#   scripts/release.sh [OUT_DIR]        (npm run release; OUT_DIR defaults to build/release)
# Holds the compiled dist/, production node_modules, the Node binary this build ran
# with (Debian bookworm's nodejs is 18; VPOP needs 20), the Debian package lists and
# release.json {name, version, build, commit}. VPOP_BUILD_ID overrides the build id
# (default: the commit, with "-dirty" when the tree has changes).
# Prints the tarball's path on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build/release}")

version=$(node -p "require('./package.json').version")
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then dirty=-dirty; else dirty=; fi
build=${VPOP_BUILD_ID:-$commit$dirty}
if ! [[ "$build" =~ ^[A-Za-z0-9._-]+$ ]]; then
  echo "release: VPOP_BUILD_ID must be letters, digits, '.', '_' or '-' (got '$build')" >&2
  exit 2
fi
name=vpop-$version-$build

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/$name
mkdir -p "$root/bin" "$root/scripts" "$out"

# A fresh outDir, so files of deleted sources left in ./dist never ship.
npx tsc -p tsconfig.build.json --outDir "$root/dist"
cp package.json package-lock.json "$root/"
cp -a scripts/debian-packages "$root/scripts/"
cp -a node_modules "$root/node_modules"
(cd "$root" && npm prune --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
rm -f "$root/node_modules/.vpop-lock-hash" "$root/node_modules/.package-lock.json"
cp "$(command -v node)" "$root/bin/node"
cat > "$root/bin/vpop" <<'SH'
#!/bin/sh
# The vpop CLI with the Node binary shipped in this release.
here=$(dirname "$(readlink -f "$0")")
exec "$here/node" "$here/../dist/cli/vpop.js" "$@"
SH
chmod 755 "$root/bin/vpop"
printf '{"name":"%s","version":"%s","build":"%s","commit":"%s"}\n' "$name" "$version" "$build" "$commit" > "$root/release.json"

tar -C "$stage" --owner=0 --group=0 --numeric-owner -I 'gzip -1' -cf "$out/$name.tar.gz.part" "$name"
mv "$out/$name.tar.gz.part" "$out/$name.tar.gz"
echo "$out/$name.tar.gz"
