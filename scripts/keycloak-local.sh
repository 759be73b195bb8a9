#!/usr/bin/env bash
# Starts a Keycloak for trying accounts (API 1.2) on this machine: the Maven distribution the tests
# use, on 127.0.0.1:${KEYCLOAK_PORT:-8180}, in development mode, with the realm hw3 the chart
# imports (keycloak/realm-hw3.json). Stop it with Ctrl-C; its data goes with the next start.
#   scripts/keycloak-local.sh
#   AUTH_MODE=oidc OIDC_ISSUER=http://127.0.0.1:8180/realms/hw3 ./run.sh      (in another shell)
# Sign up at http://127.0.0.1:8180/realms/hw3/account, or register accounts with the admin API as
# the user-service-registrar client. Its secret and the administrator's password are generated
# and written to target/keycloak/credentials (readable by you alone), never printed.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${KEYCLOAK_PORT:-8180}"
version=$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' pom.xml)
home="target/keycloak/keycloak-$version"
if [ ! -x "$home/bin/kc.sh" ]; then
  ./mvnw -q -B --no-transfer-progress dependency:unpack@unpack-keycloak
fi
# Keycloak needs Java 21 or later: JAVA_HOME when it is one, else the newest under /usr/lib/jvm.
java_home=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$candidate/release" 2>/dev/null || true)
  if [ -n "$major" ] && [ "$major" -ge 21 ]; then java_home=$candidate; break; fi
done
rm -rf "$home/data"
mkdir -p "$home/data/import"
cp keycloak/realm-hw3.json "$home/data/import/"
KC_BOOTSTRAP_ADMIN_USERNAME="admin"
KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
USER_SERVICE_REGISTRAR_SECRET="${USER_SERVICE_REGISTRAR_SECRET:-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export KC_BOOTSTRAP_ADMIN_USERNAME KC_BOOTSTRAP_ADMIN_PASSWORD USER_SERVICE_REGISTRAR_SECRET
[ -n "$java_home" ] && export JAVA_HOME="$java_home"
(umask 077 && printf 'KC_BOOTSTRAP_ADMIN_USERNAME=%s\nKC_BOOTSTRAP_ADMIN_PASSWORD=%s\nUSER_SERVICE_REGISTRAR_SECRET=%s\n' \
  "$KC_BOOTSTRAP_ADMIN_USERNAME" "$KC_BOOTSTRAP_ADMIN_PASSWORD" "$USER_SERVICE_REGISTRAR_SECRET" > target/keycloak/credentials)
echo "Keycloak $version on http://127.0.0.1:$port: issuer http://127.0.0.1:$port/realms/hw3"
echo "  the administrator's password and the registrar client's secret: target/keycloak/credentials"
exec "$home/bin/kc.sh" start-dev --import-realm --http-host=127.0.0.1 --http-port="$port" \
  --hostname="http://127.0.0.1:$port"
