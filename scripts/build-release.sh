#!/usr/bin/env bash
# Builds an earlier release from the commit CHANGELOG.md names for it, in a git worktree (the
# checkout itself is left alone), so that tests and people can run it beside this one:
#   scripts/build-release.sh 1.1.0           -> target/releases/1.1.0/user-service.jar (and lib/)
#   scripts/build-release.sh 1.1.0 --image   and the image user-service:1.1.0, with Podman as
#                                            .ci/run builds this release's (scripts/podman-image.sh)
# Prints the jar's path. A release built before is not built again.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/build-release.sh VERSION [--image]}
commit=$(sed -n "s/^\[$version\]: \([0-9a-f]\{7,40\}\)$/\1/p" CHANGELOG.md)
[ -n "$commit" ] || { echo "CHANGELOG.md names no commit for release $version" >&2; exit 2; }
out="$PWD/target/releases/$version"
if [ ! -s "$out/user-service.jar" ]; then
  tree="$(mktemp -d)/user-service-$version"
  git worktree add --detach "$tree" "$commit" >/dev/null 2>&1
  trap 'git worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
  (cd "$tree" && ./mvnw -B -q --no-transfer-progress package -DskipTests) >&2
  mkdir -p "$out"
  cp "$tree/target/user-service.jar" "$out/"
  [ ! -d "$tree/target/lib" ] || cp -r "$tree/target/lib" "$out/"
  if [ "${2:-}" = --image ]; then
    (cd "$tree" && scripts/podman-image.sh) >&2
  fi
fi
echo "$out/user-service.jar"
