#!/usr/bin/env bash
# Lints every migration under src/main/resources/db/migration with squawk (npm squawk-cli), as
# .ci/run does: SQUAWK names the program (or squawk on the PATH). A finding fails the run unless it
# is fixed or kept with a one-line reason:
# - in the file, for a new migration: `-- squawk-ignore <rule>` on the line before, and the reason;
# - below, for a released one (V1-V3): those files cannot change any more, not even a comment,
#   since Flyway refuses a database whose applied migrations' checksums differ from the files.
set -euo pipefail
cd "$(dirname "$0")/.."
squawk=${SQUAWK:-squawk}

# Kept for every file: the migration step itself sets lock_timeout on each migration's session
# (Migrations.LOCK_TIMEOUT), and no statement_timeout, which would also cut a backfill or a
# CONCURRENTLY build that blocks nothing while it runs long.
everywhere=require-lock-timeout,require-statement-timeout

kept_in_released() {
  case "$1" in
    # varchar(n) on a table created here: the API's limits, enforced by the column; prefer-text-field
    # warns about changing n later, which a new migration would do with a CHECK instead.
    V1__*) echo prefer-text-field ;;
    # The same for the key column; a status code (at most 599) in a smallint; the index is on a
    # table this very migration creates, empty, so it blocks no one.
    V2__*) echo prefer-text-field,prefer-bigint-over-smallint,require-concurrent-index-creation ;;
    # Built without CONCURRENTLY in 1.2.0: the new column was empty, so the build scanned the table
    # holding writes only for that scan. Migrations from V4 on build indexes CONCURRENTLY.
    V3__*) echo require-concurrent-index-creation ;;
    *) echo "" ;;
  esac
}

status=0
for file in src/main/resources/db/migration/V*__*.sql; do
  name=$(basename "$file")
  exclude=$everywhere
  kept=$(kept_in_released "$name")
  [ -z "$kept" ] || exclude="$exclude,$kept"
  if "$squawk" --assume-in-transaction --exclude "$exclude" "$file" >/dev/null 2>&1; then
    echo "squawk: $name clean (kept: $exclude)"
  else
    "$squawk" --assume-in-transaction --exclude "$exclude" "$file" || true
    status=1
  fi
done
exit $status
