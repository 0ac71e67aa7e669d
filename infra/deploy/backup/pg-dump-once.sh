#!/bin/sh
# One logical backup of the medstock database (control plane and every tenant schema) as a
# pg_dump custom-format file, then the ones older than BACKUP_KEEP_DAYS are removed.
# Used by the compose `backup` service (pg-dump-loop.sh) and the Debian medstock-backup.timer.
# Restore: pg_restore --clean --if-exists -d "$DATABASE_URL" <file>. For point-in-time recovery
# use WAL archiving (pgBackRest) on the PostgreSQL host instead; see the README (Operate).
set -eu
: "${BACKUP_DIR:?BACKUP_DIR is not set}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
if [ -z "${DATABASE_URL:-}" ] && [ -n "${DATABASE_URL_FILE:-}" ]; then
  DATABASE_URL="$(cat "$DATABASE_URL_FILE")"
fi
: "${DATABASE_URL:?DATABASE_URL (or DATABASE_URL_FILE) is not set}"

mkdir -p "$BACKUP_DIR"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
tmp="$BACKUP_DIR/.medstock-$stamp.dump.partial"
# Written under a temporary name and renamed when complete: a half-written dump never looks valid.
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$tmp"
mv "$tmp" "$BACKUP_DIR/medstock-$stamp.dump"
find "$BACKUP_DIR" -maxdepth 1 -name 'medstock-*.dump' -mtime +"$KEEP_DAYS" -delete
echo "backup: $BACKUP_DIR/medstock-$stamp.dump"
