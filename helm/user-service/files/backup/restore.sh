#!/bin/bash
# Lays down a database to be recovered to a point in time: the newest base backup that finished
# before the target, and the settings that make PostgreSQL replay the archived WAL up to it and
# then take writes. Start PostgreSQL on DATA_DIR afterwards; it replays, then promotes.
#
#   restore.sh DATA_DIR [latest | 'YYYY-MM-DD HH:MM:SS+00']
#
# The archive, one of:
#   BACKUP_DIR                 the bundled database's backup volume (base-backup.sh, archive-wal.sh)
#   BACKUP_DESTINATION         an object store path written by barman-cloud (CloudNativePG's Barman
#   BACKUP_SERVER_NAME         Cloud Plugin, or barman-cloud-backup), e.g. s3://bucket/path and the
#   [BACKUP_ENDPOINT_URL]      cluster's name; credentials from AWS_ACCESS_KEY_ID and
#                              AWS_SECRET_ACCESS_KEY. Needs barman-cli-cloud.
# RESTORE_MOVE_ASIDE=true      a non-empty DATA_DIR is renamed to DATA_DIR.before-restore-<time>
#                              (kept, never deleted); otherwise the restore refuses it.
# RESTORE_MARKER=FILE          written when done; if it exists, nothing is done (a pod's init
#                              container runs on every start, the restore only once).
#
# It never writes into a directory a running server uses, never deletes data, and refuses a target
# it cannot reach (no base backup before it, after the end of the archive, in the future, or
# without a time zone) before touching anything. Exit codes: 0 done, 2 bad target, 3 refused.
set -euo pipefail
data=${1:?usage: restore.sh DATA_DIR [latest | 'YYYY-MM-DD HH:MM:SS+00']}
target=${2:-latest}
say() { printf 'restore: %s\n' "$*" >&2; }
refuse() { say "$2"; exit "$1"; }

if [ -n "${RESTORE_MARKER:-}" ] && [ -e "$RESTORE_MARKER" ]; then
  say "already restored ($RESTORE_MARKER exists); nothing to do"
  exit 0
fi

target_epoch=$(date -u +%s)
if [ "$target" != latest ]; then
  # An explicit zone: a bare local time means something else on every machine that reads it.
  [[ $target =~ ([+-][0-9]{2}(:?[0-9]{2})?|Z|UTC)$ ]] ||
    refuse 2 "the target '$target' has no time zone: write it as '2026-12-07 10:00:00+00' (or latest)"
  target_epoch=$(date -u -d "$target" +%s 2>/dev/null) || refuse 2 "the target '$target' is not a time"
  [ "$target_epoch" -le "$(date -u +%s)" ] || refuse 2 "the target '$target' is in the future"
fi

# The backups, one "finished_epoch id" a line, oldest first.
if [ -n "${BACKUP_DIR:-}" ]; then
  list_backups() {
    local info
    for info in "$BACKUP_DIR"/base/*/backup.info; do
      [ -e "$info" ] && echo "$(sed -n 's/^finished_epoch=//p' "$info") $(sed -n 's/^id=//p' "$info")"
    done | sort -n
  }
else
  : "${BACKUP_DESTINATION:?set BACKUP_DIR (a backup volume) or BACKUP_DESTINATION (an object store)}"
  : "${BACKUP_SERVER_NAME:?BACKUP_SERVER_NAME is needed with BACKUP_DESTINATION}"
  endpoint=()
  [ -z "${BACKUP_ENDPOINT_URL:-}" ] || endpoint=(--endpoint-url "$BACKUP_ENDPOINT_URL")
  list_backups() {
    barman-cloud-backup-list "${endpoint[@]}" --format json "$BACKUP_DESTINATION" "$BACKUP_SERVER_NAME" |
      /usr/bin/python3 -c '
import json, sys, datetime
for b in json.load(sys.stdin)["backups_list"]:
    if b["status"] == "DONE":
        end = datetime.datetime.strptime(b["end_time"], "%a %b %d %H:%M:%S %Y").replace(tzinfo=datetime.timezone.utc)
        print(int(end.timestamp()) + 1, b["backup_id"])' | sort -n
  }
fi
backups=$(list_backups) || refuse 3 "cannot list the backups in ${BACKUP_DIR:-$BACKUP_DESTINATION}"
[ -n "$backups" ] || refuse 3 "no base backup in ${BACKUP_DIR:-$BACKUP_DESTINATION}: nothing to restore from"
chosen=$(awk -v t="$target_epoch" '$1 <= t' <<<"$backups" | tail -1)
if [ -z "$chosen" ]; then
  first=$(head -1 <<<"$backups" | cut -d' ' -f1)
  refuse 2 "no base backup finished before $target: the first finished at $(date -u -d "@$first" '+%F %T+00')"
fi
backup_id=${chosen#* }

if [ -n "${BACKUP_DIR:-}" ] && [ "$target" != latest ]; then
  # The newest archived file is the end of what can be replayed: past it, PostgreSQL would stop
  # short of the target and refuse to start. Say so now, in a sentence.
  newest=$(find "$BACKUP_DIR/wal" -maxdepth 1 -type f -regex '.*/[0-9A-F]+$' -printf '%T@\n' | sort -n | tail -1)
  newest=${newest%.*}
  if [ -z "$newest" ] || [ "$target_epoch" -gt "$newest" ]; then
    refuse 2 "the WAL archive ends at $(date -u -d "@${newest:-0}" '+%F %T+00'): $target is after it; restore to latest, or to a time before that"
  fi
fi

if [ -d "$data" ] && [ -n "$(ls -A "$data")" ]; then
  if [ -f "$data/postmaster.pid" ] && kill -0 "$(head -1 "$data/postmaster.pid")" 2>/dev/null; then
    refuse 3 "a PostgreSQL server is running on $data: stop it (and the service) first; nothing was changed"
  fi
  [ "${RESTORE_MOVE_ASIDE:-false}" = true ] ||
    refuse 3 "$data is not empty: a restore never overwrites a database; give an empty or new directory"
  aside="$data.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
  mv "$data" "$aside"
  say "the database that was in $data is kept in $aside"
fi
mkdir -p "$data"
chmod 700 "$data"

say "restoring base backup $backup_id into $data, then WAL to $target"
if [ -n "${BACKUP_DIR:-}" ]; then
  tar -xzf "$BACKUP_DIR/base/$backup_id/base.tar.gz" -C "$data"
  tar -xzf "$BACKUP_DIR/base/$backup_id/pg_wal.tar.gz" -C "$data/pg_wal"
  restore_command="cp '$BACKUP_DIR/wal/%f' '%p'"
else
  barman-cloud-restore "${endpoint[@]}" "$BACKUP_DESTINATION" "$BACKUP_SERVER_NAME" "$backup_id" "$data"
  restore_command="barman-cloud-wal-restore ${endpoint[*]} $BACKUP_DESTINATION $BACKUP_SERVER_NAME %f %p"
fi
rm -f "$data/postmaster.pid" "$data/postmaster.opts"
{
  echo "# restore.sh $(date -u '+%F %T+00'): base backup $backup_id, recovered to $target"
  echo "restore_command = '${restore_command//\'/\'\'}'"
  echo "recovery_target_timeline = 'latest'"
  if [ "$target" != latest ]; then
    echo "recovery_target_time = '$target'"
    echo "recovery_target_action = 'promote'"
  fi
} >>"$data/postgresql.auto.conf"
touch "$data/recovery.signal"
[ -z "${RESTORE_MARKER:-}" ] || echo "$backup_id $target" >"$RESTORE_MARKER"
say "done: start PostgreSQL on $data; it replays the archive to $target, then takes writes"
