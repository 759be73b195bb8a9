#!/bin/bash
# PostgreSQL's archive_command for the bundled database: archive_command = 'archive-wal.sh %p %f'.
# Copies one finished WAL segment (or history/backup file) into $BACKUP_DIR/wal. The copy is
# written under a temporary name, flushed, then renamed, so the archive never holds half a file.
# Exits non-zero on any failure: PostgreSQL keeps the segment and tries again, and counts the
# failure in pg_stat_archiver (the WAL-archiving alert reads it).
set -euo pipefail
wal_path=$1 wal_name=$2
archive="${BACKUP_DIR:?BACKUP_DIR is not set}/wal"
mkdir -p "$archive"
if [ -e "$archive/$wal_name" ]; then
  # Archived before (a retry after a crash between copy and acknowledgement): fine when it is the
  # same file, an error when it is not (two servers writing one archive, or a restored server
  # reusing a timeline), which must never be papered over.
  if cmp -s "$wal_path" "$archive/$wal_name"; then
    exit 0
  fi
  echo "archive-wal: $archive/$wal_name exists with other contents; refusing to overwrite it" >&2
  exit 1
fi
tmp="$archive/.$wal_name.partial"
cp "$wal_path" "$tmp"
sync "$tmp"
mv "$tmp" "$archive/$wal_name"
sync "$archive"
