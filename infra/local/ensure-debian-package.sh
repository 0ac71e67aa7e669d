#!/usr/bin/env bash
# ensure-debian-package.sh <binary> <debian-package>
# Installs a Debian package when its binary is missing and we are root; otherwise fails with one
# clear sentence saying what to install.
set -euo pipefail
bin=$1; pkg=$2
for candidate in "$bin" "/usr/bin/$bin" "/usr/sbin/$bin"; do
  if command -v "$candidate" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "medstock: installing $pkg with apt-get"
  if [ ! -f .local/apt-updated ]; then apt-get update -qq >/dev/null && mkdir -p .local && touch .local/apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
  exit 0
fi
echo "medstock: '$bin' is missing; install the Debian package '$pkg' (sudo apt-get install $pkg) or set the matching *_URL variable, then run again." >&2
exit 1
