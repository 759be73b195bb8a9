#!/usr/bin/env bash
# The upgrade drill's figures (docs/upgrading.md) at a size of your choosing, a million users by
# default: per phase (previous release, migration step, this release starting, the old draining,
# rollback, forward again) the requests HAProxy routed, their p99, the longest time a statement
# waited on a lock, and the phase's own time; from the release before (1.2.0) and from 1.1.0,
# whose upgrade runs V3's index build. Needs haproxy, Debian's postgresql and git; 127.0.0.1 only.
#   scripts/upgrade-figures.sh [users]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}
./mvnw -B --no-transfer-progress -q verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='UpgradeDrillIT' -Dupgrade.users="$users" -Dupgrade.phaseSeconds=10
echo
grep -E '^(upgrade drill|  )' target/failsafe-reports/dev.userservice.upgrade.UpgradeDrillIT-output.txt
