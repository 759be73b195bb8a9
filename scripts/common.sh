# shellcheck shell=bash
# Shared by install.sh, uninstall.sh and test.sh: pinned versions, names, and small helpers.
# Sourced inside the scripts' subshells, so nothing here touches the caller's shell.

# --- pinned chart versions (the one place to change them) ---
# ingress-nginx was retired upstream in 2026: 4.14.3 (controller 1.14.3) is its last release line.
INGRESS_NGINX_CHART_VERSION="${INGRESS_NGINX_CHART_VERSION:-4.14.3}"
KUBE_PROMETHEUS_STACK_CHART_VERSION="${KUBE_PROMETHEUS_STACK_CHART_VERSION:-82.6.0}"
POSTGRES_EXPORTER_CHART_VERSION="${POSTGRES_EXPORTER_CHART_VERSION:-6.10.2}"
# Grafana Tempo, single binary (TRACING=1); its chart moved to the grafana-community repository.
TEMPO_CHART_VERSION="${TEMPO_CHART_VERSION:-1.26.1}"
# The CloudNativePG operator (DATABASE=cloudnative-pg): chart 0.29.0 runs operator 1.30.0, whose
# Cluster CRD the chart tests vendor (src/test/resources/crds).
CNPG_CHART_VERSION="${CNPG_CHART_VERSION:-0.29.0}"
# The Keycloak Operator (AUTH=keycloak): its CRDs and its Deployment, applied from the release's
# manifests into the app's namespace (it watches its own namespace). 26.0.0: the CRDs the chart
# tests vendor (src/test/resources/crds).
KEYCLOAK_OPERATOR_VERSION="${KEYCLOAK_OPERATOR_VERSION:-26.0.0}"

# --- where things go ---
APP_NAMESPACE="${APP_NAMESPACE:-hw3}"
APP_RELEASE="${APP_RELEASE:-user-service}"
INGRESS_NAMESPACE="${INGRESS_NAMESPACE:-ingress-nginx}"
MONITORING_NAMESPACE="${MONITORING_NAMESPACE:-monitoring}"
MONITORING_RELEASE="${MONITORING_RELEASE:-kube-prometheus-stack}"
EXPORTER_RELEASE="${EXPORTER_RELEASE:-postgres-exporter}"
TEMPO_RELEASE="${TEMPO_RELEASE:-tempo}"
CNPG_RELEASE="${CNPG_RELEASE:-cnpg}"
CNPG_NAMESPACE="${CNPG_NAMESPACE:-cnpg-system}"
# DATABASE=bundled (the chart's StatefulSet) or cloudnative-pg (a highly available Cluster).
DATABASE="${DATABASE:-bundled}"
# TRACING=1: install Tempo and send the service's and ingress-nginx's traces to it.
TRACING="${TRACING:-0}"
# AUTH=keycloak: accounts (API 1.2) with a Keycloak in the app's namespace, behind the ingress at /auth.
AUTH="${AUTH:-}"
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

# The Keycloak Operator's manifests of KEYCLOAK_OPERATOR_VERSION: the two CRDs, then the operator.
keycloak_operator_manifests() {
  local base="https://raw.githubusercontent.com/keycloak/keycloak-k8s-resources/$KEYCLOAK_OPERATOR_VERSION/kubernetes"
  echo "$base/keycloaks.k8s.keycloak.org-v1.yml"
  echo "$base/keycloakrealmimports.k8s.keycloak.org-v1.yml"
  echo "$base/kubernetes.yml"
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
