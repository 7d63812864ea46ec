#!/usr/bin/env bash
# Installs the real peers the tests talk to, when they are missing: Debian's chromium and
# chromedriver, redis-server, python3-websockets, nginx (a real reverse proxy for ProxyTest); Node's `ws` from npm into build/node_modules.
# Quick when everything is there; fails with a clear message (never hangs) when it cannot install.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for p in chromium chromium-driver redis-server python3-websockets nginx; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "install-peers: missing Debian packages: ${need[*]}; run as root or: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "install-peers: apt-get install ${need[*]}"
  if ! timeout 600 $SUDO apt-get update -qq >/dev/null 2>&1 \
     || ! DEBIAN_FRONTEND=noninteractive timeout 900 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    echo "install-peers: could not install ${need[*]} with apt-get (no network to Debian's mirror?)." >&2
    echo "install-peers: install them by hand: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
if [ ! -f build/node_modules/ws/package.json ]; then
  command -v npm >/dev/null || { echo "install-peers: npm is missing; install Node.js 18+ (apt-get install -y nodejs npm)" >&2; exit 1; }
  mkdir -p build
  echo "install-peers: npm install ws (into build/node_modules)"
  if ! (cd build && timeout 300 npm install --no-audit --no-fund --silent --prefix . ws@8 >/dev/null); then
    echo "install-peers: 'npm install ws' failed (no access to the npm registry?)" >&2
    exit 1
  fi
fi
