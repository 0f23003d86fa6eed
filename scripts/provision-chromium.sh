#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests and screenshots (idempotent:
# nothing is done when /usr/bin/chromium already runs). playwright-core drives it; it ships no browser.
set -euo pipefail
CHROMIUM="${BATCHYARD_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1; then
  echo "chromium: $("$CHROMIUM" --version)"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
echo "chromium: $("$CHROMIUM" --version)"
