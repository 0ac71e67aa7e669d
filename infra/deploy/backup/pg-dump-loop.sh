#!/bin/sh
# The compose `backup` service: pg-dump-once.sh every BACKUP_EVERY_SECONDS (default daily). A
# failed dump is logged and retried at the next round; the container keeps running.
set -u
EVERY="${BACKUP_EVERY_SECONDS:-86400}"
while :; do
  sh "$(dirname "$0")/pg-dump-once.sh" || echo "backup: pg_dump failed; next attempt in ${EVERY}s" >&2
  sleep "$EVERY"
done
