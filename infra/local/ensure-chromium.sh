#!/usr/bin/env bash
# Installs Debian's Chromium (and a CJK font, so screenshots of the Chinese UI are legible) for
# the browser tests (web/test) when missing and we are root; otherwise says in one sentence what
# to install. Never downloads a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
want=()
if [ ! -x /usr/bin/chromium ] && [ -z "${MEDSTOCK_CHROMIUM:-}" ]; then want+=(chromium); fi
if [ ! -d /usr/share/fonts/truetype/wqy ] && ! fc-list 2>/dev/null | grep -qi 'cjk\|wqy'; then want+=(fonts-wqy-zenhei); fi
if [ ${#want[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "medstock: installing ${want[*]} for the browser tests (apt-get)"
  if [ ! -f .local/apt-updated ]; then apt-get update -qq >/dev/null && mkdir -p .local && touch .local/apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
  exit 0
fi
# Without the font the tests still run (only screenshots show boxes for Chinese text).
if [[ " ${want[*]} " != *" chromium "* ]]; then exit 0; fi
echo "medstock: Chromium is missing at /usr/bin/chromium; the browser tests need it: sudo apt-get install chromium (or set MEDSTOCK_CHROMIUM to a Chromium binary)." >&2
exit 1
