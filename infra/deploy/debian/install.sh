#!/bin/bash
# Installs (or upgrades) medstock on a Debian server without containers:
#   pnpm build                                   # on a build machine: dist/
#   sudo infra/deploy/debian/install.sh --with-services --smtp-url smtp://mail.hospital.internal:587
#
#   --build <dir>          the output of `pnpm build` (default: <repository>/dist)
#   --prefix <dir>         install below <dir> instead of / (staging, tests)
#   --no-systemd           write the unit files but do not enable or start anything
#   --with-services        apt-get install Debian's postgresql and redis-server and create the
#                          medstock role and database (sets DATABASE_URL and REDIS_URL)
#   --database-url <url>   --redis-url <url>   --public-url <url>   --smtp-url <url>
#   --port <n>  --worker-port <n>  --host <addr>    the API's and the worker's HTTP ports
#   --set KEY=VALUE        one more setting for medstock.env (repeatable)
#   --user <name>          the system user the services run as (default medstock)
#
# Layout: <prefix>/opt/medstock (the build and its node_modules), <prefix>/etc/medstock
# (medstock.env and the generated keys; kept on upgrade), <prefix>/var/lib/medstock (uploads,
# mail, backups), <prefix>/etc/systemd/system/medstock-{api,worker,migrate,backup}.* units.
# Node.js 20.11 or newer must be installed (Debian 12's nodejs is 18: use NodeSource or nodejs.org).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
build="$repo/dist"
prefix=""
systemd=1
with_services=0
user=medstock
database_url="postgres://medstock@127.0.0.1:5432/medstock"
redis_url="redis://127.0.0.1:6379"
host=127.0.0.1
port=3000
worker_port=3001
public_url=""
smtp_url=""
extra=()

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --prefix) prefix="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --no-systemd) systemd=0; shift ;;
    --with-services) with_services=1; shift ;;
    --database-url) database_url="$2"; shift 2 ;;
    --redis-url) redis_url="$2"; shift 2 ;;
    --public-url) public_url="$2"; shift 2 ;;
    --smtp-url) smtp_url="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --worker-port) worker_port="$2"; shift 2 ;;
    --set) extra+=("$2"); shift 2 ;;
    --user) user="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$public_url" ] || public_url="http://127.0.0.1:$port"

app_dir="$prefix/opt/medstock"
etc_dir="$prefix/etc/medstock"
state_dir="$prefix/var/lib/medstock"
unit_dir="$prefix/etc/systemd/system"
as_root=$([ "$(id -u)" = 0 ] && echo 1 || echo 0)

say() { echo "medstock install: $*"; }
# A value for the right-hand side of sed's s|…|…|: URLs may hold & (query strings) or |.
esc() { printf '%s' "$1" | sed -e 's/[&|\\]/\\&/g'; }
die() { echo "medstock install: $*" >&2; exit 1; }

node_bin="$(command -v node || true)"
[ -n "$node_bin" ] || die "node is not installed (Node.js 20.11+ required)"
"$node_bin" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=11)?0:1)' ||
  die "node $("$node_bin" --version) is too old: Node.js 20.11+ required"
[ -f "$build/app/api.js" ] && [ -f "$build/package.json" ] || die "no build in $build: run pnpm build first"

if [ "$with_services" = 1 ]; then
  [ "$as_root" = 1 ] || die "--with-services installs Debian packages: run as root"
  say "installing postgresql and redis-server (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql redis-server
  systemctl enable --now postgresql redis-server
  if ! runuser -u postgres -- psql -tAc "select 1 from pg_roles where rolname = 'medstock'" | grep -q 1; then
    password="$(openssl rand -hex 24)"
    runuser -u postgres -- psql -v ON_ERROR_STOP=1 -c "create role medstock login password '$password'"
    runuser -u postgres -- createdb -O medstock medstock
    database_url="postgres://medstock:$password@127.0.0.1:5432/medstock"
  fi
fi

# Chinese in the PDFs (purchase orders, count sheets) needs a CJK font on the server; without one
# they print Chinese as '?' and say so. A staging install (--prefix) leaves the system alone.
if [ "$as_root" = 1 ] && [ -z "$prefix" ] && [ ! -d /usr/share/fonts/truetype/wqy ]; then
  say "installing fonts-wqy-zenhei (Chinese in PDFs)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-wqy-zenhei ||
    say "could not install fonts-wqy-zenhei: PDFs print Chinese as '?' until it is installed"
fi

if [ "$as_root" = 1 ] && [ -z "$prefix" ] && ! id "$user" >/dev/null 2>&1; then
  say "creating system user $user"
  useradd --system --home-dir /var/lib/medstock --shell /usr/sbin/nologin "$user"
fi

# The new version next to the old one, swapped in at the end: a failed copy leaves the old running.
say "copying the build to $app_dir"
mkdir -p "$(dirname "$app_dir")"
rm -rf "$app_dir.new"
cp -a "$build" "$app_dir.new"
mkdir -p "$app_dir.new/backup"
cp "$here/../backup/pg-dump-once.sh" "$app_dir.new/backup/"
if [ ! -d "$app_dir.new/node_modules" ]; then
  say "installing production dependencies"
  (cd "$app_dir.new" && if command -v pnpm >/dev/null; then pnpm install --prod; else npm install --omit=dev --no-audit --no-fund; fi)
fi
rm -rf "$app_dir.old"
[ -d "$app_dir" ] && mv "$app_dir" "$app_dir.old"
mv "$app_dir.new" "$app_dir"
rm -rf "$app_dir.old"

mkdir -p "$etc_dir" "$state_dir/uploads" "$state_dir/mail" "$state_dir/backups"
chmod 750 "$etc_dir"
if [ ! -f "$etc_dir/medstock.env" ]; then
  say "writing $etc_dir/medstock.env and generating keys"
  (umask 027
    openssl genpkey -algorithm ed25519 -out "$etc_dir/jwt-ed25519.pem"
    printf 'k1:%s\n' "$(openssl rand -base64 32)" > "$etc_dir/secrets-keys"
    sed -e "s|@HOST@|$(esc "$host")|g" -e "s|@PORT@|$port|g" -e "s|@WORKER_HTTP_PORT@|$worker_port|g" \
      -e "s|@PUBLIC_URL@|$(esc "$public_url")|g" -e "s|@DATABASE_URL@|$(esc "$database_url")|g" \
      -e "s|@REDIS_URL@|$(esc "$redis_url")|g" -e "s|@SMTP_URL@|$(esc "$smtp_url")|g" \
      -e "s|@ETC_DIR@|$(esc "$etc_dir")|g" -e "s|@APP_DIR@|$(esc "$app_dir")|g" \
      -e "s|@STATE_DIR@|$(esc "$state_dir")|g" "$here/medstock.env.template" > "$etc_dir/medstock.env"
    for setting in "${extra[@]}"; do echo "$setting" >> "$etc_dir/medstock.env"; done)
  [ -n "$smtp_url" ] || say "SMTP_URL is empty in $etc_dir/medstock.env: set it before starting (production requires mail)"
else
  say "keeping $etc_dir/medstock.env"
fi
if [ "$as_root" = 1 ] && id "$user" >/dev/null 2>&1; then
  chown -R root:"$user" "$etc_dir"
  chown -R "$user":"$user" "$state_dir"
fi

say "writing systemd units to $unit_dir"
mkdir -p "$unit_dir"
for unit in "$here"/systemd/*; do
  sed -e "s|@USER@|$(esc "$user")|g" -e "s|@NODE@|$(esc "$node_bin")|g" -e "s|@ETC_DIR@|$(esc "$etc_dir")|g" \
    -e "s|@APP_DIR@|$(esc "$app_dir")|g" -e "s|@STATE_DIR@|$(esc "$state_dir")|g" "$unit" > "$unit_dir/$(basename "$unit")"
done

if [ "$systemd" = 1 ]; then
  systemctl daemon-reload
  systemctl enable medstock-migrate.service medstock-api.service medstock-worker.service medstock-backup.timer
  # Restarting the API and worker runs the migration unit first (Requires= and After=).
  systemctl restart medstock-api.service medstock-worker.service
  systemctl start medstock-backup.timer
  say "started; journalctl -u medstock-api -u medstock-worker -f shows the logs"
else
  say "units written, nothing started (--no-systemd)"
fi
