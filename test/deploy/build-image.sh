#!/usr/bin/env bash
# The Debian bookworm root the deploy test boots as POP hosts, packed once and cached
# outside the repository (keyed on what it includes):
#   test/deploy/build-image.sh CACHE_DIR     prints the path of the .tar.zst
# A minimal system with what Ansible needs (python3, ssh) and systemd as init; the
# playbook installs everything else, as on a bare host.
set -euo pipefail
cache=${1:?cache directory}
include=python3,python3-apt,systemd,systemd-sysv,dbus,openssh-server,iproute2,ca-certificates
key=$(printf '%s bookworm v1' "$include" | sha256sum | cut -c1-12)
image=$cache/bookworm-$key.tar.zst
if [ -s "$image" ]; then echo "$image"; exit 0; fi

# The host's own Debian mirror (the URIs line of its sources).
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$cache"
root=$(mktemp -d "$cache/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include="$include" bookworm "$root" "$mirror" >&2
# A real POP has the updates and security suites too.
cat > "$root/etc/apt/sources.list" <<SOURCES
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
# mktemp made the directory 0700; it becomes the hosts' "/", which every user must traverse.
chmod 755 "$root"
(cd "$root" && tar --numeric-owner -I 'zstd -T0 -3' -cf "$image.part" .)
mv "$image.part" "$image"
echo "$image"
