# shellcheck shell=bash
# Shared by install.sh, uninstall.sh and test.sh: pinned versions, names, and small helpers.
# Sourced inside the scripts' subshells, so nothing here touches the caller's shell.

# --- pinned chart versions (the one place to change them) ---
# Each at the newest release its project had published when last checked, with that release's date.
# ingress-nginx is retired (announced 2025-11-11; last releases 2026-03-19, controller 1.15.1):
# 4.15.1 is its final chart, with no fixes after it. INGRESS=envoy-gateway is the way on.
INGRESS_NGINX_CHART_VERSION="${INGRESS_NGINX_CHART_VERSION:-4.15.1}" # 2026-03-19
# Envoy Gateway (INGRESS=envoy-gateway): its OCI charts, the CRDs (Gateway API v1.6.1 and Envoy
# Gateway's own) and the controller, of one release.
ENVOY_GATEWAY_VERSION="${ENVOY_GATEWAY_VERSION:-v1.9.0}" # 2026-08-15
# From 82.x: Prometheus Operator 0.93 (newer CRDs, applied by the chart's upgrade job), Grafana 13
# from the grafana-community chart repository, distroless Prometheus and node-exporter images.
KUBE_PROMETHEUS_STACK_CHART_VERSION="${KUBE_PROMETHEUS_STACK_CHART_VERSION:-88.5.3}" # 2026-08-21
# From 6.x: 7.0.0 moved to app.kubernetes.io/* labels (immutable selector: install.sh replaces the
# old Deployment once), 8.0.0 needs a password source (the chart's Secret, as before).
POSTGRES_EXPORTER_CHART_VERSION="${POSTGRES_EXPORTER_CHART_VERSION:-8.2.0}" # 2026-07-14
# Grafana Tempo, single binary (TRACING=1), from the grafana-community repository; 2.0.0 needs
# Kubernetes 1.25 or newer.
TEMPO_CHART_VERSION="${TEMPO_CHART_VERSION:-2.2.4}" # 2026-08-13
# The CloudNativePG operator (DATABASE=cloudnative-pg): chart 0.29.0 runs operator 1.30.0, whose
# Cluster CRD the chart tests vendor (src/test/resources/crds).
CNPG_CHART_VERSION="${CNPG_CHART_VERSION:-0.29.0}" # 2026-06-29
# The Keycloak Operator (AUTH=keycloak): its CRDs and its Deployment, applied from the release's
# manifests into the app's namespace (it watches its own namespace). 26.0.0: the CRDs the chart
# tests vendor (src/test/resources/crds); newer operator releases are not vendored yet.
KEYCLOAK_OPERATOR_VERSION="${KEYCLOAK_OPERATOR_VERSION:-26.0.0}"
# BACKUP=s3: cert-manager (the Barman Cloud Plugin's TLS) and the plugin, whose ObjectStore CRD the
# chart tests vendor (src/test/resources/crds).
CERT_MANAGER_VERSION="${CERT_MANAGER_VERSION:-v1.21.1}"             # 2026-07-29
BARMAN_CLOUD_PLUGIN_VERSION="${BARMAN_CLOUD_PLUGIN_VERSION:-v0.14.0}" # 2026-07-29

# --- where things go ---
APP_NAMESPACE="${APP_NAMESPACE:-hw3}"
APP_RELEASE="${APP_RELEASE:-user-service}"
# INGRESS=ingress-nginx (the default: an Ingress) or envoy-gateway (a Gateway and HTTPRoutes).
# Left empty here, so that test.sh can find whichever of the two is installed.
INGRESS="${INGRESS:-}"
INGRESS_NAMESPACE="${INGRESS_NAMESPACE:-ingress-nginx}"
ENVOY_GATEWAY_RELEASE="${ENVOY_GATEWAY_RELEASE:-eg}"
ENVOY_GATEWAY_NAMESPACE="${ENVOY_GATEWAY_NAMESPACE:-envoy-gateway-system}"
MONITORING_NAMESPACE="${MONITORING_NAMESPACE:-monitoring}"
MONITORING_RELEASE="${MONITORING_RELEASE:-kube-prometheus-stack}"
EXPORTER_RELEASE="${EXPORTER_RELEASE:-postgres-exporter}"
TEMPO_RELEASE="${TEMPO_RELEASE:-tempo}"
CNPG_RELEASE="${CNPG_RELEASE:-cnpg}"
CNPG_NAMESPACE="${CNPG_NAMESPACE:-cnpg-system}"
CERT_MANAGER_NAMESPACE="${CERT_MANAGER_NAMESPACE:-cert-manager}"
# DATABASE=bundled (the chart's StatefulSet) or cloudnative-pg (a highly available Cluster).
DATABASE="${DATABASE:-bundled}"
# TRACING=1: install Tempo and send the service's and ingress-nginx's traces to it.
TRACING="${TRACING:-0}"
# AUTH=keycloak: accounts (API 1.2) with a Keycloak in the app's namespace, behind the ingress at /auth.
AUTH="${AUTH:-}"
# BACKUP=volume (bundled) or s3 (cloudnative-pg): backups and point-in-time recovery (docs/backup.md).
# With s3: the bucket path, the store's URL (empty for AWS S3) and the Secret holding its keys.
BACKUP="${BACKUP:-}"
BACKUP_DESTINATION="${BACKUP_DESTINATION:-}"
BACKUP_ENDPOINT_URL="${BACKUP_ENDPOINT_URL:-}"
BACKUP_CREDENTIALS_SECRET="${BACKUP_CREDENTIALS_SECRET:-}"
INGRESS_HOST="${INGRESS_HOST:-arch.homework}"
HELM_TIMEOUT="${HELM_TIMEOUT:-10m}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; return 1; }

need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (see the README: Kubernetes)" || return 1
  done
}

# Where traffic enters, as "namespace service": ingress-nginx's controller, or the proxy Service
# of the chart's Gateway (named <app namespace>-<release> by the chart's EnvoyProxy).
entry_service() {
  case "${1:-$INGRESS}" in
    envoy-gateway) echo "$ENVOY_GATEWAY_NAMESPACE $APP_NAMESPACE-$APP_RELEASE" ;;
    *) echo "$INGRESS_NAMESPACE ingress-nginx-controller" ;;
  esac
}

# The entry's address from outside the cluster: its load balancer's IP or host name, or on a
# NodePort Service (kind) the first node's address and the port; empty while there is none.
# Without INGRESS, whichever of the two entries is installed.
entry_address() {
  local kind namespace service address port node
  for kind in ${INGRESS:-ingress-nginx envoy-gateway}; do
    read -r namespace service < <(entry_service "$kind")
    address=$(kubectl -n "$namespace" get svc "$service" \
      -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}' 2>/dev/null || true)
    if [ -z "$address" ]; then
      port=$(kubectl -n "$namespace" get svc "$service" -o jsonpath='{.spec.ports[?(@.port==80)].nodePort}' 2>/dev/null || true)
      node=$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}' 2>/dev/null || true)
      [ -n "$port" ] && [ -n "$node" ] && address="$node:$port"
    fi
    if [ -n "$address" ]; then
      echo "$address"
      return 0
    fi
  done
}

# The entry's ClusterIP: what the service's pods resolve the ingress host to (auth.issuerAddress).
entry_cluster_ip() {
  local namespace service
  read -r namespace service < <(entry_service "$1")
  kubectl -n "$namespace" get svc "$service" -o jsonpath='{.spec.clusterIP}' 2>/dev/null || true
}

# The Keycloak Operator's manifests of KEYCLOAK_OPERATOR_VERSION: the two CRDs, then the operator.
keycloak_operator_manifests() {
  local base="https://raw.githubusercontent.com/keycloak/keycloak-k8s-resources/$KEYCLOAK_OPERATOR_VERSION/kubernetes"
  echo "$base/keycloaks.k8s.keycloak.org-v1.yml"
  echo "$base/keycloakrealmimports.k8s.keycloak.org-v1.yml"
  echo "$base/kubernetes.yml"
}

# Whether release version $1 is older than $2 (1.10.0 after 1.9.0; anything not x.y.z is never older).
version_older() {
  [[ $1 =~ ^v?[0-9]+\.[0-9]+\.[0-9]+$ && $2 =~ ^v?[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]
}

# The Barman Cloud Plugin's release manifest (its Deployment, CRD and certificates, in cnpg-system).
barman_cloud_plugin_manifest() {
  echo "https://github.com/cloudnative-pg/plugin-barman-cloud/releases/download/$BARMAN_CLOUD_PLUGIN_VERSION/manifest.yaml"
}

# The version the chart deploys by default (its appVersion): the service's and the image's too.
chart_app_version() {
  sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$1"
}

# On kind or minikube, builds the image from the Dockerfile in $1 with docker or podman (once:
# not when that engine has the tag already) and loads it into the cluster (not when it has it).
# Any other cluster pulls its images from a registry: it stops and asks for USER_SERVICE_IMAGE.
build_and_load_image() {
  local source=$1 image=$2 context engine archive
  context=$(kubectl config current-context 2>/dev/null || true)
  case "$context" in
    kind-* | minikube) ;;
    *) fail "the cluster of context '${context:-none}' cannot load a local image: push one and set USER_SERVICE_IMAGE=<registry>/$image" || return 1 ;;
  esac
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    engine=docker
  elif command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1; then
    engine=podman
  else
    fail "building $image needs docker or podman (or set USER_SERVICE_IMAGE to an image the cluster can pull)" || return 1
  fi
  if "$engine" image inspect "$image" >/dev/null 2>&1; then
    say "Image $image: already built ($engine)"
  else
    say "Image $image: building with $engine"
    "$engine" build -t "$image" --build-arg VERSION="${image##*:}" \
      --build-arg REVISION="$(git -C "$source" rev-parse HEAD 2>/dev/null || echo unknown)" "$source" || return 1
  fi
  case "$context" in
    kind-*)
      # kind load skips the nodes that have this image already.
      if [ "$engine" = docker ]; then
        kind load docker-image "$image" --name "${context#kind-}" || return 1
      else
        archive=$(mktemp)
        if ! { podman save -o "$archive" "$image" && kind load image-archive "$archive" --name "${context#kind-}"; }; then
          rm -f "$archive"
          return 1
        fi
        rm -f "$archive"
      fi ;;
    minikube)
      if minikube image ls 2>/dev/null | grep -qE "(^|/)$image\$"; then
        say "Image $image: already in minikube"
      elif [ "$engine" = docker ]; then
        minikube image load "$image" || return 1
      else
        archive=$(mktemp --suffix=.tar)
        if ! { podman save -o "$archive" "$image" && minikube image load "$archive"; }; then
          rm -f "$archive"
          return 1
        fi
        rm -f "$archive"
      fi ;;
  esac
}
