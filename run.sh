#!/usr/bin/env bash
# Runs the built service on a JDK 25, wherever one is installed: JAVA_HOME, the java on the PATH,
# or the usual install folders (the places the build's toolchain search looks). So
# `./mvnw package -DskipTests && ./run.sh` works with an older java first on the PATH.
#   ./run.sh [serve|migrate|database]     (JAVA_OPTS adds JVM flags, or overrides these)
set -euo pipefail
cd "$(dirname "$0")"
required=25

feature() { # the feature version a JDK home's release file names, or 0
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true)
  [ -x "$1/bin/java" ] && [ -n "$v" ] && echo "$v" || echo 0
}

candidates() {
  [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME"
  command -v java >/dev/null && dirname "$(dirname "$(readlink -f "$(command -v java)")")"
  # USER_SERVICE_JDK_DIRS (folders separated by ':') replaces the usual install folders.
  local dirs
  IFS=: read -r -a dirs <<<"${USER_SERVICE_JDK_DIRS:-/usr/lib/jvm:/usr/java:/opt/java:$HOME/.sdkman/candidates/java:$HOME/.jdks}"
  for dir in "${dirs[@]}"; do
    [ -d "$dir" ] && for jdk in "$dir"/*; do echo "$jdk"; done
  done
  return 0
}

java_home=""
while read -r home; do
  if [ "$(feature "$home")" -ge "$required" ]; then java_home=$home; break; fi
done < <(candidates)

if [ -z "$java_home" ]; then
  echo "user-service needs Java $required or later, and none was found (JAVA_HOME, the PATH, /usr/lib/jvm, SDKMAN, ~/.jdks). Install a JDK $required (Debian/Ubuntu: apt install openjdk-$required-jdk-headless; elsewhere: your vendor's JDK $required or SDKMAN) and run this again." >&2
  exit 1
fi
if [ ! -f target/user-service.jar ]; then
  echo "target/user-service.jar is not built yet: run ./mvnw package -DskipTests first." >&2
  exit 1
fi
# The JVM as the container runs it (the Dockerfile's ENTRYPOINT, where each flag is explained),
# with the memory the chart gives the pod (384 MiB): the serial collector and a heap of at most
# half of that. Left to its defaults on a large machine the JVM picks G1 and a heap of a quarter
# of the RAM, and peaked at 366 MB under the benchmark's GET load for a live heap of about 10 MB.
defaults="-XX:+UseSerialGC -XX:MaxRAM=384m -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError --sun-misc-unsafe-memory-access=allow"
# shellcheck disable=SC2086 # both are lists of flags; the later of two equal flags wins
exec "$java_home/bin/java" $defaults ${JAVA_OPTS:-} -jar target/user-service.jar "$@"
