#!/usr/bin/env bash
# The backup figures of docs/backup.md: the restore drills (RestoreDrillIT) at a size of your
# choosing, a million users by default. For each archive (the bundled database's backup volume,
# and an S3-compatible store written by barman-cloud): base backup time and size, the archive's
# lag under the mixed load, restore time to a mark and to the latest point (RTO); and the RPO
# drill: what losing the disk under load takes with it.
#
#   scripts/backup-figures.sh [users]        e.g. scripts/backup-figures.sh 1000000
#
# Needs what .ci/run installs: Debian's postgresql and barman-cli-cloud, and s3rver (npm; set
# S3RVER to its program, or have it on the PATH). Runs on 127.0.0.1 only, and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}
if [ -z "${S3RVER:-}" ] && ! command -v s3rver >/dev/null; then
  dir=$(mktemp -d)
  npm install --prefix "$dir" --no-audit --no-fund --silent s3rver@3.7.1
  export S3RVER="$dir/node_modules/.bin/s3rver"
fi
./mvnw -B --no-transfer-progress -q verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='RestoreDrillIT' -Dbackup.users="$users" -Dbackup.loadSeconds=30
echo
echo "Backup figures, $users users (target/failsafe-reports/dev.userservice.backup.RestoreDrillIT-output.txt):"
grep -E '^(restore drill|RPO drill|mass delete)' target/failsafe-reports/dev.userservice.backup.RestoreDrillIT-output.txt
