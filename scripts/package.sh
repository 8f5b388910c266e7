#!/usr/bin/env bash
# Builds the Debian package, target/debian/medley_VERSION_ARCH.deb, with cargo-deb (from
# crates.io, installed at the version below if missing); its contents are in deploy/debian/
# and crates/medley/Cargo.toml. With --check (as root, on a machine without Medley installed):
# installs it with dpkg, checks the installed command and service work as the medley user
# with the installed configuration (a user added, /healthz answered), then purges it.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_DEB=3.8.0
if ! cargo deb --version 2>/dev/null | grep -qF "$CARGO_DEB"; then
  cargo install cargo-deb --locked --version "$CARGO_DEB"
fi
cargo deb -p medley --locked --strip
deb=$(ls -t target/debian/medley_*.deb | head -n 1)
echo "$deb"
[ "${1:-}" = --check ] || exit 0

if dpkg -s medley >/dev/null 2>&1 || getent passwd medley >/dev/null; then
  echo "Medley is installed on this machine already; the check leaves it alone" >&2
  exit 1
fi
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  dpkg --purge medley >/dev/null 2>&1 || true
  rm -rf /var/lib/medley
  userdel medley 2>/dev/null || true
}
trap cleanup EXIT
dpkg -i "$deb"
test "$(stat -c %U /var/lib/medley)" = medley
command -v systemd-analyze >/dev/null && systemd-analyze verify /usr/lib/systemd/system/medley.service
# As root, the installed command runs as medley, with /etc/medley/medley.toml.
printf '%s\n' 'package check password' | medley user add --name "Package Check" --admin --password-stdin
medley user list | grep -q "Package Check"
test "$(stat -c %U /var/lib/medley/medley.db)" = medley
# The service as its unit starts it (here without systemd): the medley user, the installed
# configuration, on a loopback port of its own.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MEDLEY_BIND="127.0.0.1:$port" runuser -u medley -- env MEDLEY_CONFIG=/etc/medley/medley.toml \
  /usr/lib/medley/medley serve > /tmp/medley-package-check.log 2>&1 &
server=$!
for _ in $(seq 100); do
  if python3 -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:$port/healthz').read() != b'{\"status\":\"ok\"}')" 2>/dev/null; then
    echo "the installed package answers /healthz as the medley user"
    exit 0
  fi
  sleep 0.2
done
cat /tmp/medley-package-check.log >&2
echo "the installed package did not answer /healthz" >&2
exit 1
