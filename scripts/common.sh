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
