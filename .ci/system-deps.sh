#!/usr/bin/env bash
# Installs the Debian packages a task needs when they are missing (through sudo when not root), or
# names them and stops. Shared by `make test` (tests/run-all.sh), `make studio`/`make desktop` and
# .ci/run, so each works on a fresh machine by itself.
#
#   .ci/system-deps.sh test      everything tests/run-all.sh uses
#   .ci/system-deps.sh desktop   what the desktop window (src-tauri, WebKitGTK) builds against
set -euo pipefail

# Desktop window: Tauri 2 on the system WebKitGTK.
desktop=(libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev pkg-config)
case "${1:-test}" in
desktop) debs=("${desktop[@]}") ;;
# Tests add: python (pip installs duckdb for kiln-sql's semantics tests), a C++ compiler for -sys
# crates, Debian's Chromium for the browser tests (never a downloaded browser), the desktop
# test's WebKitWebDriver and Xvfb, and the PostgreSQL server the postgres/redshift adapter tests
# start their own throw-away clusters of (as the `postgres` user when run as root).
test) debs=("${desktop[@]}" python3 python3-pip make g++ chromium webkit2gtk-driver xvfb xauth postgresql) ;;
*)
  echo "usage: $0 test|desktop" >&2
  exit 2
  ;;
esac

missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'ok installed' || missing+=("$deb")
done
# Node may come from elsewhere (nvm, a tarball); only a machine without any gets Debian's.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing the system packages this needs: ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "error: not root and no sudo; install them with: apt-get install ${missing[*]}" >&2
  exit 2
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
