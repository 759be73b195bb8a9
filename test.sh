#!/usr/bin/env bash
# Load-tests user-service with the Locust suite in loadtest/, headless, bounded in time.
#   . ./test.sh                   against http://arch.homework (the ingress)
#   ./test.sh -u 20 -r 5 -t 5m    users, spawn rate per second, duration
#   HOST=http://127.0.0.1:8080 ./test.sh
#   AUTH=keycloak KEYCLOAK_URL=http://arch.homework/auth USER_SERVICE_REGISTRAR_SECRET=... ./test.sh
#                                 accounts (API 1.2): each simulated user signs up and signs in at
#                                 Keycloak, works on its own profile and is refused others' (403)
# Where arch.homework does not resolve, the address of ingress-nginx or of the Gateway's proxy
# (INGRESS=envoy-gateway) is taken from the cluster, its load balancer's or a NodePort's, and
# requests carry "Host: arch.homework" (the Gateway's listener and ingress-nginx's metrics are
# for that host). Reports (CSV and HTML) go to reports/. Exits non-zero when
# failures exceed MAX_FAILURE_RATIO (default 0.01). Sourced or executed.

_user_service_test() (
  set -euo pipefail
  here=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
  # shellcheck source=scripts/common.sh
  . "$here/scripts/common.sh"

  users="${USERS:-10}" spawn_rate="${SPAWN_RATE:-2}" run_time="${RUN_TIME:-5m}"
  while [ $# -gt 0 ]; do
    case "$1" in
      -u|--users) users="$2"; shift 2 ;;
      -r|--spawn-rate) spawn_rate="$2"; shift 2 ;;
      -t|--run-time) run_time="$2"; shift 2 ;;
      -H|--host) HOST="$2"; shift 2 ;;
      *) fail "unknown option $1 (use -u USERS -r SPAWN_RATE -t RUN_TIME -H HOST)" ;;
    esac
  done

  if ! command -v locust >/dev/null 2>&1; then
    fail "locust is not installed: 'sudo apt-get install python3-locust' (Debian/Ubuntu) or 'pipx install locust'"
  fi

  host="${HOST:-http://$INGRESS_HOST}"
  host_header="${HOST_HEADER:-}"
  if [ -z "${HOST:-}" ] && ! getent hosts "$INGRESS_HOST" >/dev/null 2>&1; then
    address=""
    if command -v kubectl >/dev/null 2>&1; then
      address=$(entry_address)
    fi
    [ -n "$address" ] || fail "$INGRESS_HOST does not resolve and no address of ingress-nginx or the Gateway was found: set HOST=http://<address> (see the README)"
    host="http://$address"
    host_header="$INGRESS_HOST"
    say "$INGRESS_HOST does not resolve: sending to $host with Host: $host_header"
  fi

  mkdir -p "$here/reports"
  say "Locust: $users users, $spawn_rate/s, for $run_time against $host"
  HOST_HEADER="$host_header" MAX_FAILURE_RATIO="${MAX_FAILURE_RATIO:-0.01}" MIN_REQUESTS="${MIN_REQUESTS:-0}" \
    locust -f "$here/loadtest/locustfile.py" --headless --host "$host" \
      --users "$users" --spawn-rate "$spawn_rate" --run-time "$run_time" --stop-timeout 10 \
      --csv "$here/reports/locust" --csv-full-history --html "$here/reports/locust.html" --only-summary
)

_user_service_test "$@"
_user_service_status=$?
unset -f _user_service_test
if (return 0 2>/dev/null); then
  return "$_user_service_status"
fi
exit "$_user_service_status"
