#!/usr/bin/env bash
# Scheduled logical backup of every database cell: one pg_dump (custom format) per cell, the
# control database being cell `main` (it holds the control plane and the schemas placed on it).
#   DATABASE_URL=postgres://…/medstock BACKUP_DIR=/var/backups/medstock infra/backup/backup-cells.sh
#   … --dry-run      lists the cells and where each dump would go, connects only to read the list
# A cell's URL is read from the environment variable control.cells.url_env names (CELL_<NAME>_URL
# by default), exactly as the API and worker find it; no URL is ever printed.
# Each dump is written by infra/deploy/backup/pg-dump-once.sh (temporary name, renamed when
# complete, dumps older than BACKUP_KEEP_DAYS pruned) into BACKUP_DIR/<cell>/.
# Schedule it daily (cron: `15 2 * * * medstock /opt/medstock/infra/backup/backup-cells.sh`), or use
# the compose `backup` service / Debian timer for a single-cell install. Point-in-time recovery
# is WAL archiving with pgBackRest on each cell's host: see pgbackrest.conf and README.md here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dry_run=0
[ "${1:-}" = "--dry-run" ] && dry_run=1
: "${BACKUP_DIR:?BACKUP_DIR is not set}"
if [ -z "${DATABASE_URL:-}" ] && [ -n "${DATABASE_URL_FILE:-}" ]; then
  DATABASE_URL="$(cat "$DATABASE_URL_FILE")"
fi
: "${DATABASE_URL:?DATABASE_URL (or DATABASE_URL_FILE) is not set}"
export DATABASE_URL

# Before the cells migration there is one cell, the control database.
cells="$(psql "$DATABASE_URL" -X -At -F ' ' -v ON_ERROR_STOP=1 -c \
  "select name, coalesce(url_env, 'CELL_' || upper(name) || '_URL') from control.cells order by name" 2>/dev/null ||
  echo 'main DATABASE_URL')"

failed=0
while read -r cell variable; do
  [ -n "$cell" ] || continue
  if [ "$cell" = "main" ]; then variable=DATABASE_URL; fi
  url="${!variable:-}"
  if [ -z "$url" ]; then
    echo "backup: cell $cell: $variable is not set, skipped" >&2
    failed=1
    continue
  fi
  if [ "$dry_run" = 1 ]; then
    echo "cell $cell: pg_dump \$$variable -> $BACKUP_DIR/$cell/"
    continue
  fi
  if ! DATABASE_URL="$url" BACKUP_DIR="$BACKUP_DIR/$cell" sh "$here/../deploy/backup/pg-dump-once.sh"; then
    echo "backup: cell $cell: pg_dump failed" >&2
    failed=1
  fi
done <<< "$cells"
exit "$failed"
