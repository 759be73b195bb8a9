#!/usr/bin/env bash
# Removes what install.sh installed, in reverse order. The PostgreSQL volume, its password
# Secret and the hw3 namespace are kept unless asked: `--purge-data` or PURGE_DATA=1. Backups are
# never deleted: the backup volume (BACKUP=volume) stays even then, with the namespace and the
# password Secrets a restored database needs; an object store (BACKUP=s3) is not touched at all.
# Run it as `. ./uninstall.sh` or `./uninstall.sh`.

_user_service_uninstall() (
  set -euo pipefail
  here=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
  # shellcheck source=scripts/common.sh
  . "$here/scripts/common.sh"
  need kubectl helm

  purge="${PURGE_DATA:-0}"
  for arg in "$@"; do
    case "$arg" in
      --purge-data) purge=1 ;;
      *) fail "unknown option $arg (only --purge-data)" ;;
    esac
  done

  remove() { # release namespace
    if helm status "$1" --namespace "$2" >/dev/null 2>&1; then
      say "Removing $1 from $2"
      helm uninstall "$1" --namespace "$2" --wait --timeout "$HELM_TIMEOUT"
    else
      say "$1 is not installed in $2"
    fi
  }

  remove "$EXPORTER_RELEASE" "$APP_NAMESPACE"
  remove "$APP_RELEASE" "$APP_NAMESPACE"
  # AUTH=keycloak installs the Keycloak Operator beside the app (its Keycloak went with the chart).
  if kubectl -n "$APP_NAMESPACE" get deployment keycloak-operator >/dev/null 2>&1; then
    say "Removing the Keycloak Operator from $APP_NAMESPACE"
    while read -r manifest; do
      kubectl -n "$APP_NAMESPACE" delete -f "$manifest" --ignore-not-found >/dev/null
    done < <(keycloak_operator_manifests | tac)
  fi
  # Whichever entry install.sh put in (INGRESS): the chart's Gateway went with the chart, and
  # Envoy Gateway removes its proxy with it; then the controller. The CRDs stay, like the
  # Prometheus Operator's: other Gateways of the cluster may use them.
  remove ingress-nginx "$INGRESS_NAMESPACE"
  remove "$ENVOY_GATEWAY_RELEASE" "$ENVOY_GATEWAY_NAMESPACE"
  remove "$TEMPO_RELEASE" "$MONITORING_NAMESPACE" # TRACING=1 installs; nothing to do otherwise
  kubectl -n "$MONITORING_NAMESPACE" delete configmap tempo-datasource --ignore-not-found >/dev/null
  remove "$MONITORING_RELEASE" "$MONITORING_NAMESPACE"
  kubectl delete namespace "$INGRESS_NAMESPACE" "$ENVOY_GATEWAY_NAMESPACE" "$MONITORING_NAMESPACE" --ignore-not-found --wait=false >/dev/null
  # kube-prometheus-stack leaves its CRDs (ServiceMonitor, PrometheusRule...): other releases may use them.

  if [ "$purge" = 1 ]; then
    # Before the CloudNativePG operator goes, so that it can take its Cluster down cleanly.
    if [ -n "$(kubectl -n "$APP_NAMESPACE" get pvc -l app.kubernetes.io/component=backup -o name 2>/dev/null || true)" ]; then
      say "Purging the database's volumes; keeping the backup volume, the password Secrets and namespace $APP_NAMESPACE"
      kubectl -n "$APP_NAMESPACE" delete statefulset,pvc -l app.kubernetes.io/component=database --ignore-not-found --wait=true
    else
      say "Purging the database: volumes, password Secrets and namespace $APP_NAMESPACE"
      kubectl delete namespace "$APP_NAMESPACE" --ignore-not-found --wait=true
    fi
  fi
  # DATABASE=cloudnative-pg installs it; its CRDs stay (the chart keeps them), and so does a
  # Cluster kept with its data: it runs on without the operator until one is installed again.
  remove "$CNPG_RELEASE" "$CNPG_NAMESPACE"
  kubectl delete namespace "$CNPG_NAMESPACE" --ignore-not-found --wait=false >/dev/null

  if [ "$purge" != 1 ]; then
    say "Kept: namespace $APP_NAMESPACE with the database's volumes, backups and password Secrets"
    echo "      (run again with --purge-data to delete the database's volumes too; backups stay)"
  fi
)

_user_service_uninstall "$@"
_user_service_status=$?
unset -f _user_service_uninstall
if (return 0 2>/dev/null); then
  return "$_user_service_status"
fi
exit "$_user_service_status"
