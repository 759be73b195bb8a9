#!/bin/bash
# A base backup of the bundled database into $BACKUP_DIR/base/<id> (the chart's CronJob runs it),
# then retention. With the WAL that archive-wal.sh keeps in $BACKUP_DIR/wal, any base backup
# can be brought forward to any later second (restore.sh).
#
#   PGHOST, PGPORT, PGUSER, PGPASSWORD  the server, as a role allowed to replicate (the superuser)
#   BACKUP_DIR                          the backup volume
#   BACKUP_RETENTION_DAYS               base backups (and the WAL they need) kept this long; 7
#   BACKUP_MIN_COUNT                    never fewer base backups than this, however old; 2
#   BACKUP_DUMPALL                      true: also a pg_dumpall, a portable logical copy; false
set -euo pipefail
backups="${BACKUP_DIR:?BACKUP_DIR is not set}/base"
retention_days=${BACKUP_RETENTION_DAYS:-7}
min_count=${BACKUP_MIN_COUNT:-2}
log() { printf '%s base-backup: %s\n' "$(date -u +%FT%TZ)" "$*"; }

id=$(date -u +%Y%m%dT%H%M%SZ)
partial="$backups/$id.partial"
mkdir -p "$backups"
log "starting base backup $id"
started=$(date -u +%s)
# Tar format, compressed; -X stream adds the WAL written during the copy (pg_wal.tar.gz), so the
# backup is consistent by itself even if the archive lost a segment.
pg_basebackup -D "$partial" -Ft -z -X stream -c fast --label "user-service $id" -v 2>"$partial.log" ||
  { cat "$partial.log" >&2; rm -rf "$partial" "$partial.log"; log "FAILED"; exit 1; }
finished=$(date -u +%s)
start_wal=$(tar -xzOf "$partial/base.tar.gz" backup_label | sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]*\))$/\1/p')
end_lsn=$(sed -n 's/^pg_basebackup: write-ahead log end point: //p' "$partial.log")
[ -n "$start_wal" ] || { log "FAILED: no START WAL LOCATION in the backup's backup_label"; exit 1; }
cat >"$partial/backup.info" <<INFO
id=$id
start_wal=$start_wal
end_lsn=$end_lsn
started_epoch=$started
finished_epoch=$finished
finished=$(date -u -d "@$finished" '+%F %T+00')
INFO
rm -f "$partial.log"
sync "$partial"/*
mv "$partial" "$backups/$id"
log "done: $id, $(du -sh "$backups/$id" | cut -f1), $((finished - started)) s, first WAL $start_wal"

if [ "${BACKUP_DUMPALL:-false}" = true ]; then
  mkdir -p "$BACKUP_DIR/dump"
  pg_dumpall --clean --if-exists | gzip >"$BACKUP_DIR/dump/$id.sql.gz.partial"
  mv "$BACKUP_DIR/dump/$id.sql.gz.partial" "$BACKUP_DIR/dump/$id.sql.gz"
  log "logical copy: dump/$id.sql.gz"
fi

# Retention: base backups older than the window go, newest first kept, at least min_count of
# them; then the WAL older than the oldest base backup kept, which nothing can use any more.
cutoff=$(($(date -u +%s) - retention_days * 86400))
mapfile -t kept < <(find "$backups" -mindepth 2 -maxdepth 2 -name backup.info -printf '%h\n' | sort -r)
for ((i = ${#kept[@]} - 1; i >= min_count; i--)); do
  finished_epoch=$(sed -n 's/^finished_epoch=//p' "${kept[i]}/backup.info")
  if [ "$finished_epoch" -lt "$cutoff" ]; then
    log "retention: removing base backup $(basename "${kept[i]}")"
    rm -rf "${kept[i]}"
    rm -f "$BACKUP_DIR/dump/$(basename "${kept[i]}").sql.gz"
    unset 'kept[i]'
  fi
done
oldest=$(printf '%s\n' "${kept[@]}" | sort | head -1)
oldest_wal=$(sed -n 's/^start_wal=//p' "$oldest/backup.info")
pg_archivecleanup "$BACKUP_DIR/wal" "$oldest_wal"
# Leftovers of a backup that died half-way (the pod killed): older than a day, never in use.
find "$backups" -mindepth 1 -maxdepth 1 -name '*.partial*' -mmin +1440 -exec rm -rf {} +
log "retention: ${#kept[@]} base backups kept, WAL from $oldest_wal on"
