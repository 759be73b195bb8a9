#!/usr/bin/env bash
# Builds the image from the Dockerfile, unchanged, with Podman, on a machine that reaches no
# container registry (CI here): the two base images the Dockerfile names, eclipse-temurin:25-jdk
# and eclipse-temurin:25-jre, are assembled locally and tagged under those names, then the build
# runs with --pull=never. Why this exists: so that the artifact a cluster runs is built and run by
# the tests like everything else, without a registry. A machine that reaches one needs none of it:
#   docker build -t user-service:VERSION .    (or podman build)
#
#   scripts/podman-image.sh            assemble the bases if missing, build user-service:VERSION
#   scripts/podman-image.sh --bases    only assemble the bases
#
# The bases: a Debian bookworm root file system (debootstrap --variant=minbase) with the JDK 25 of
# this machine at /opt/java/openjdk, as the Temurin images lay it out; the runtime base gets a JRE
# made from that JDK with jlink instead, so that the runtime image is close to the real one.
# Needs root, podman, runc, debootstrap and a JDK 25 (JAVA_HOME or /usr/lib/jvm).
#
# Two facts of sandboxes like CI's (verified): crun fails there ("cgroups in hybrid mode not
# supported") while runc works, and setting RLIMIT_* inside a container is refused. So containers
# run with the OCI runtime written to target/podman/runtime: runc, after it drops process.rlimits
# from the bundle's config.json. The image tests (ImageIT) use the same runtime.
set -euo pipefail
cd "$(dirname "$0")/.."

work=target/podman
mkdir -p "$work"
runtime=$(pwd)/$work/runtime
cat > "$runtime" <<'RUNTIME'
#!/bin/sh
# runc, minus the rlimits that this machine does not let a container set: those of the bundle's
# config.json (create, run) and of an exec's process.json (podman exec).
strip() {
  python3 -c 'import json, sys
path, key = sys.argv[1], sys.argv[2]
document = json.load(open(path))
(document.get("process", {}) if key == "process" else document).pop("rlimits", None)
json.dump(document, open(path, "w"))' "$1" "$2"
}
previous=""
for arg in "$@"; do
  case "$previous" in
    --bundle|-b) [ -f "$arg/config.json" ] && strip "$arg/config.json" process ;;
    --process|-p) [ -f "$arg" ] && strip "$arg" top ;;
  esac
  case "$arg" in
    --bundle=*) [ -f "${arg#--bundle=}/config.json" ] && strip "${arg#--bundle=}/config.json" process ;;
    --process=*) [ -f "${arg#--process=}" ] && strip "${arg#--process=}" top ;;
  esac
  previous=$arg
done
exec runc "$@"
RUNTIME
chmod +x "$runtime"

jdk=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/jlink" ] \
      && "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
    jdk=$candidate
    break
  fi
done
[ -n "$jdk" ] || { echo "a JDK 25 with jlink is needed" >&2; exit 1; }

# Modules of the runtime base: those of the Temurin JRE, that is every module of the JDK but the
# tools for building and debugging programs.
jre_modules() {
  "$jdk/bin/java" --list-modules | sed 's/@.*//' \
    | grep -vxE 'jdk\.(compiler|javadoc|jshell|jdeps|jlink|jpackage|jartool|jdi|jdwp\.agent|hotspot\.agent|editpad|internal\.ed|internal\.le|internal\.opt|internal\.md|jstatd|jconsole|jcmd|jsobject)' \
    | paste -sd, -
}

assemble() { # tag, then the command that puts a Java at $root/opt/java/openjdk
  local tag=$1 root
  shift
  if podman image exists "$tag"; then
    return
  fi
  if [ ! -d "$work/bookworm/usr" ]; then
    rm -rf "$work/bookworm"
    debootstrap --variant=minbase bookworm "$work/bookworm" >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    rm -rf "$work/bookworm/var/cache/apt/archives/"*.deb "$work/bookworm/var/lib/apt/lists/"*
  fi
  root=$(mktemp -d "$work/root.XXXXXX")
  cp -a "$work/bookworm/." "$root/"
  mkdir -p "$root/opt/java"
  "$@" "$root/opt/java/openjdk"
  # Temurin's cacerts here links to the machine's trust store, which the container does not have.
  rm -f "$root/opt/java/openjdk/lib/security/cacerts"
  cp -L "$jdk/lib/security/cacerts" "$root/opt/java/openjdk/lib/security/cacerts"
  tar -C "$root" -c . | podman import \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["jshell"]' - "$tag" >/dev/null
  rm -rf "$root"
  echo "assembled $tag"
}
copy_jdk() { cp -a "$jdk" "$1"; }
link_jre() { "$jdk/bin/jlink" --add-modules "$(jre_modules)" --strip-debug --no-man-pages --no-header-files --output "$1"; }

assemble eclipse-temurin:25-jdk copy_jdk
assemble eclipse-temurin:25-jre link_jre
[ "${1:-}" = "--bases" ] && exit 0

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
source=$(git config --get remote.origin.url 2>/dev/null || true)
case "$source" in https://*) ;; *) source=unknown ;; esac
started=$(date +%s)
podman build --pull=never --network host --runtime "$runtime" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg SOURCE="$source" \
  -t "user-service:$version" .
echo "built user-service:$version in $(( $(date +%s) - started )) s: $(podman image inspect "user-service:$version" --format '{{.Size}}') bytes"
