#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (web/test) when it is missing and we are root;
# otherwise says in one sentence what to install. Never downloads a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -x /usr/bin/chromium ] || [ -n "${MEDSTOCK_CHROMIUM:-}" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "medstock: installing Debian's chromium for the browser tests (apt-get)"
  if [ ! -f .local/apt-updated ]; then apt-get update -qq >/dev/null && mkdir -p .local && touch .local/apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "medstock: Chromium is missing at /usr/bin/chromium; the browser tests need it: sudo apt-get install chromium (or set MEDSTOCK_CHROMIUM to a Chromium binary)." >&2
exit 1
