#!/usr/bin/env bash
# Installs user-service and everything it needs on the current kubectl context:
#   kube-prometheus-stack (namespace monitoring), ingress-nginx (ingress-nginx) or Envoy Gateway
#   (envoy-gateway-system), the user-service chart (hw3) and prometheus-postgres-exporter (hw3).
# Run it as `. ./install.sh` or `./install.sh`; run it again to upgrade.
# Options: USER_SERVICE_IMAGE=repo:tag, an image the cluster can pull. Without it, on kind or
#          minikube, the image user-service:<the chart's appVersion> is built from the Dockerfile
#          (docker or podman) and loaded into the cluster, once per version; on any other cluster
#          it is needed;
#          DATABASE=cloudnative-pg runs the database as a highly available CloudNativePG Cluster
#          (the operator in cnpg-system; no separate exporter: the operator exports cnpg_* metrics);
#          AUTH=keycloak turns accounts on (API 1.2): the Keycloak Operator and a Keycloak with the
#          realm hw3 in the app's namespace, at http://arch.homework/auth, which the service trusts;
#          INGRESS=envoy-gateway: traffic enters through the Gateway API instead of ingress-nginx
#          (retired upstream in 2026): Envoy Gateway, and the chart's GatewayClass, Gateway (port 80
#          for arch.homework) and HTTPRoutes instead of its Ingress;
#          TRACING=1 also installs Grafana Tempo (monitoring) and sends the service's and
#          ingress-nginx's traces to it, with exemplar links from Grafana's Prometheus data source;
#          BACKUP=volume (bundled database): WAL archiving and daily base backups to a volume of
#          their own; BACKUP=s3 (DATABASE=cloudnative-pg): cert-manager and the Barman Cloud Plugin,
#          and the Cluster archives to BACKUP_DESTINATION=s3://bucket/path (BACKUP_ENDPOINT_URL for
#          a store other than AWS S3) with the keys of the Secret BACKUP_CREDENTIALS_SECRET in the
#          app's namespace (keys ACCESS_KEY_ID, ACCESS_SECRET_KEY). docs/backup.md has the rest.
# An upgrade is the same command; after a bad one: helm rollback user-service -n hw3.

_user_service_install() (
  set -euo pipefail
  # The install's steps, each a function below that says what it installs and why.
  steps() {
    check_options
    choose_image
    refuse_visible_downgrade
    add_chart_repositories
    install_monitoring
    [ "$TRACING" != 1 ] || install_tempo
    install_entry
    [ "$DATABASE" != cloudnative-pg ] || install_database_operator
    [ "$BACKUP" != s3 ] || install_backup_plugin
    install_app
    install_exporter
    print_summary
  }

  check_options() {
    ingress="${INGRESS:-ingress-nginx}"
    case "$ingress" in
      ingress-nginx | envoy-gateway) ;;
      *) fail "INGRESS must be ingress-nginx or envoy-gateway, not $ingress" ;;
    esac
    case "$DATABASE" in
      bundled | cloudnative-pg) ;;
      *) fail "DATABASE must be bundled or cloudnative-pg, not $DATABASE" ;;
    esac
    case "$AUTH" in
      "" | off | keycloak) ;;
      *) fail "AUTH must be keycloak (or unset), not $AUTH" ;;
    esac
    case "$BACKUP/$DATABASE" in
      "/"* | volume/bundled | s3/cloudnative-pg) ;;
      volume/*) fail "BACKUP=volume is for the bundled database; with DATABASE=cloudnative-pg use BACKUP=s3" ;;
      s3/*) fail "BACKUP=s3 needs DATABASE=cloudnative-pg (the bundled database backs up to a volume: BACKUP=volume)" ;;
      *) fail "BACKUP must be volume or s3 (or unset), not $BACKUP" ;;
    esac
    if [ "$BACKUP" = s3 ]; then
      [ -n "$BACKUP_DESTINATION" ] || fail "BACKUP=s3 needs BACKUP_DESTINATION=s3://bucket/path"
      [ -n "$BACKUP_CREDENTIALS_SECRET" ] || fail "BACKUP=s3 needs BACKUP_CREDENTIALS_SECRET, a Secret in $APP_NAMESPACE with keys ACCESS_KEY_ID and ACCESS_SECRET_KEY"
    fi
    # Arrays the steps fill in for the chart.
    monitoring_tracing=() ingress_tracing=() app_tracing=() app_database=() app_ingress=() app_backup=() app_upgrade=()
  }

  choose_image() {
    if [ -n "${USER_SERVICE_IMAGE:-}" ]; then
      image=$USER_SERVICE_IMAGE
    else
      image="user-service:$(chart_app_version "$here/helm/user-service/Chart.yaml")"
      build_and_load_image "$here" "$image"
    fi
  }

  # An image older than the one running: its code may not know the schema the running release
  # migrated to (docs/upgrading.md). ALLOW_DOWNGRADE=1 where the CHANGELOG says it is safe.
  refuse_visible_downgrade() {
    local running
    running=$(kubectl -n "$APP_NAMESPACE" get deployment "$APP_RELEASE" \
      -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)
    if [ -n "$running" ] && version_older "${image##*:}" "${running##*:}"; then
      if [ "${ALLOW_DOWNGRADE:-0}" = 1 ]; then
        warn "downgrading from ${running##*:} to ${image##*:} (ALLOW_DOWNGRADE=1)"
        app_upgrade=(--set upgrade.allowDowngrade=true)
      else
        fail "${image##*:} is older than the running ${running##*:}: the database may be migrated past what it knows. Roll back with: helm rollback $APP_RELEASE -n $APP_NAMESPACE; or, where CHANGELOG.md says the downgrade is safe, ALLOW_DOWNGRADE=1"
      fi
    fi
  }

  add_chart_repositories() {
    say "Chart repositories"
    helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
    local repos=(prometheus-community)
    if [ "$ingress" = ingress-nginx ]; then
      helm repo add ingress-nginx https://kubernetes.github.io/ingress-nginx --force-update >/dev/null
      repos+=(ingress-nginx)
    fi
    if [ "$DATABASE" = cloudnative-pg ]; then
      helm repo add cnpg https://cloudnative-pg.github.io/charts --force-update >/dev/null
      repos+=(cnpg)
    fi
    if [ "$BACKUP" = s3 ]; then
      helm repo add jetstack https://charts.jetstack.io --force-update >/dev/null
      repos+=(jetstack)
    fi
    if [ "$TRACING" = 1 ]; then
      helm repo add grafana-community https://grafana-community.github.io/helm-charts --force-update >/dev/null
      repos+=(grafana-community)
    fi
    helm repo update "${repos[@]}" >/dev/null
  }

  # kube-prometheus-stack: Prometheus (it picks up every ServiceMonitor, PodMonitor and rule), Grafana
  # with the dashboard sidecar, Alertmanager, kube-state-metrics.
  install_monitoring() {
    if [ "$TRACING" = 1 ]; then
      # Prometheus keeps exemplars; Grafana's Prometheus data source links their trace_id to Tempo.
      monitoring_tracing=(--set "prometheus.prometheusSpec.enableFeatures[0]=exemplar-storage"
        --set grafana.sidecar.datasources.exemplarTraceIdDestinations.datasourceUid=tempo
        --set grafana.sidecar.datasources.exemplarTraceIdDestinations.traceIdLabelName=trace_id)
    fi
    say "kube-prometheus-stack $KUBE_PROMETHEUS_STACK_CHART_VERSION in $MONITORING_NAMESPACE"
    kubectl create namespace "$MONITORING_NAMESPACE" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    # Grafana's admin password: generated once, kept in a Secret, never printed into a file.
    if ! kubectl -n "$MONITORING_NAMESPACE" get secret grafana-admin >/dev/null 2>&1; then
      kubectl -n "$MONITORING_NAMESPACE" create secret generic grafana-admin \
        --from-literal=admin-user=admin \
        --from-literal=admin-password="$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24)" >/dev/null
    fi
    helm upgrade --install "$MONITORING_RELEASE" prometheus-community/kube-prometheus-stack \
      --version "$KUBE_PROMETHEUS_STACK_CHART_VERSION" --namespace "$MONITORING_NAMESPACE" \
      --set prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues=false \
      --set prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues=false \
      --set prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false \
      --set crds.upgradeJob.enabled=true \
      --set grafana.admin.existingSecret=grafana-admin \
      --set grafana.admin.userKey=admin-user \
      --set grafana.admin.passwordKey=admin-password \
      --set grafana.sidecar.dashboards.enabled=true \
      --set grafana.sidecar.dashboards.label=grafana_dashboard \
      --set grafana.sidecar.dashboards.searchNamespace=ALL \
      "${monitoring_tracing[@]}" \
      --wait --timeout "$HELM_TIMEOUT"
  }

  # TRACING=1: Grafana Tempo, and the service's and the entry's spans sent to it.
  install_tempo() {
    local tempo_otlp_http="http://$TEMPO_RELEASE.$MONITORING_NAMESPACE.svc:4318"
    # ingress-nginx's OpenTelemetry module: a span per request, whose traceparent the service continues.
    ingress_tracing=(--set-string controller.config.enable-opentelemetry=true
      --set-string controller.config.otlp-collector-host="$TEMPO_RELEASE.$MONITORING_NAMESPACE.svc"
      --set-string controller.config.otlp-collector-port=4317
      --set-string controller.config.otel-service-name=ingress-nginx
      --set-string controller.config.otel-sampler=AlwaysOn)
    app_tracing=(--set tracing.enabled=true --set tracing.endpoint="$tempo_otlp_http")
    say "Grafana Tempo $TEMPO_CHART_VERSION in $MONITORING_NAMESPACE (TRACING=1)"
    helm upgrade --install "$TEMPO_RELEASE" grafana-community/tempo \
      --version "$TEMPO_CHART_VERSION" --namespace "$MONITORING_NAMESPACE" \
      --set tempo.receivers.otlp.protocols.grpc.endpoint=0.0.0.0:4317 \
      --set tempo.receivers.otlp.protocols.http.endpoint=0.0.0.0:4318 \
      --wait --timeout "$HELM_TIMEOUT"
    # The data source, loaded by the Grafana sidecar of kube-prometheus-stack (label grafana_datasource).
    kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: tempo-datasource
  namespace: $MONITORING_NAMESPACE
  labels:
    grafana_datasource: "1"
data:
  tempo.yaml: |
    apiVersion: 1
    datasources:
      - name: Tempo
        uid: tempo
        type: tempo
        access: proxy
        url: http://$TEMPO_RELEASE.$MONITORING_NAMESPACE.svc:3200
        jsonData:
          tracesToMetrics:
            datasourceUid: prometheus
          serviceMap:
            datasourceUid: prometheus
YAML
  }

  # Where traffic enters: ingress-nginx, or Envoy Gateway and the chart's Gateway.
  install_entry() {
    if [ "$ingress" = envoy-gateway ]; then
      install_envoy_gateway
    else
      say "ingress-nginx $INGRESS_NGINX_CHART_VERSION in $INGRESS_NAMESPACE"
      helm upgrade --install ingress-nginx ingress-nginx/ingress-nginx \
        --version "$INGRESS_NGINX_CHART_VERSION" --namespace "$INGRESS_NAMESPACE" --create-namespace \
        --set controller.metrics.enabled=true \
        --set controller.metrics.serviceMonitor.enabled=true \
        --set controller.metrics.serviceMonitor.additionalLabels.release="$MONITORING_RELEASE" \
        "${ingress_tracing[@]}" \
        --wait --timeout "$HELM_TIMEOUT"
    fi
  }

  install_envoy_gateway() {
    say "Envoy Gateway $ENVOY_GATEWAY_VERSION in $ENVOY_GATEWAY_NAMESPACE"
    # Its CRDs first, server-side (Helm never upgrades a chart's crds/, and these are too big for
    # a client-side apply): the Gateway API's standard channel and Envoy Gateway's own, of the
    # same release. Then the controller, without CRDs of its own.
    helm template "$ENVOY_GATEWAY_RELEASE-crds" oci://docker.io/envoyproxy/gateway-crds-helm \
      --version "$ENVOY_GATEWAY_VERSION" \
      --set crds.gatewayAPI.enabled=true --set crds.gatewayAPI.channel=standard \
      --set crds.envoyGateway.enabled=true |
      kubectl apply --server-side --force-conflicts -f - >/dev/null
    helm upgrade --install "$ENVOY_GATEWAY_RELEASE" oci://docker.io/envoyproxy/gateway-helm \
      --version "$ENVOY_GATEWAY_VERSION" --namespace "$ENVOY_GATEWAY_NAMESPACE" --create-namespace \
      --set crds.enabled=false \
      --wait --timeout "$HELM_TIMEOUT"
    app_ingress=(--set ingress.enabled=false --set gateway.enabled=true
      --set gateway.controllerNamespace="$ENVOY_GATEWAY_NAMESPACE"
      --set gateway.metrics.labels.release="$MONITORING_RELEASE")
    if [ "$TRACING" = 1 ]; then
      # Envoy's spans to Tempo over OTLP gRPC, as ingress-nginx's on the other path.
      app_ingress+=(--set gateway.envoyProxy.tracing.enabled=true
        --set gateway.envoyProxy.tracing.backend.name="$TEMPO_RELEASE"
        --set gateway.envoyProxy.tracing.backend.namespace="$MONITORING_NAMESPACE")
    fi
    # kind hands out no load balancer addresses: a NodePort, reachable at the node's address.
    case "$(kubectl config current-context 2>/dev/null || true)" in
      kind-*) app_ingress+=(--set gateway.envoyProxy.serviceType=NodePort) ;;
    esac
    if helm status ingress-nginx --namespace "$INGRESS_NAMESPACE" >/dev/null 2>&1; then
      warn "ingress-nginx is still installed in $INGRESS_NAMESPACE; once traffic goes to the Gateway: helm uninstall ingress-nginx -n $INGRESS_NAMESPACE"
    fi
  }

  # DATABASE=cloudnative-pg: the operator and its CRDs, before the chart that makes a Cluster.
  install_database_operator() {
    say "CloudNativePG operator (chart $CNPG_CHART_VERSION) in $CNPG_NAMESPACE"
    helm upgrade --install "$CNPG_RELEASE" cnpg/cloudnative-pg \
      --version "$CNPG_CHART_VERSION" --namespace "$CNPG_NAMESPACE" --create-namespace \
      --wait --timeout "$HELM_TIMEOUT"
    app_database=(--set database.mode=cloudnative-pg)
  }

  # BACKUP=s3: the Barman Cloud Plugin, which needs cert-manager (its gRPC link to the operator is
  # TLS), in the operator's namespace; then the chart's ObjectStore and ScheduledBackup use it.
  install_backup_plugin() {
    kubectl -n "$APP_NAMESPACE" get secret "$BACKUP_CREDENTIALS_SECRET" >/dev/null 2>&1 ||
      fail "no Secret $BACKUP_CREDENTIALS_SECRET in $APP_NAMESPACE; make it first: kubectl -n $APP_NAMESPACE create secret generic $BACKUP_CREDENTIALS_SECRET --from-literal=ACCESS_KEY_ID=... --from-literal=ACCESS_SECRET_KEY=..."
    say "cert-manager $CERT_MANAGER_VERSION in $CERT_MANAGER_NAMESPACE"
    helm upgrade --install cert-manager jetstack/cert-manager \
      --version "$CERT_MANAGER_VERSION" --namespace "$CERT_MANAGER_NAMESPACE" --create-namespace \
      --set crds.enabled=true \
      --wait --timeout "$HELM_TIMEOUT"
    say "Barman Cloud Plugin $BARMAN_CLOUD_PLUGIN_VERSION in $CNPG_NAMESPACE"
    kubectl apply -f "$(barman_cloud_plugin_manifest)" >/dev/null
    kubectl -n "$CNPG_NAMESPACE" rollout status deployment/barman-cloud --timeout="$HELM_TIMEOUT" >/dev/null
    app_backup=(--set backup.enabled=true --set-string backup.destination="$BACKUP_DESTINATION"
      --set-string backup.credentialsSecret="$BACKUP_CREDENTIALS_SECRET")
    [ -z "$BACKUP_ENDPOINT_URL" ] || app_backup+=(--set-string backup.endpointURL="$BACKUP_ENDPOINT_URL")
  }

  # The chart, and with AUTH=keycloak the Keycloak Operator first.
  install_app() {
    [ "$BACKUP" != volume ] || app_backup=(--set backup.enabled=true)
    # The chart renders its namespace (kept on uninstall, with the database volume). Create it
    # first with Helm's ownership labels, so the first install can store its release there and
    # Helm adopts the namespace instead of refusing it.
    kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $APP_NAMESPACE
  labels:
    app.kubernetes.io/managed-by: Helm
  annotations:
    meta.helm.sh/release-name: $APP_RELEASE
    meta.helm.sh/release-namespace: $APP_NAMESPACE
YAML
    if [ "$AUTH" = keycloak ]; then
      say "Keycloak Operator $KEYCLOAK_OPERATOR_VERSION in $APP_NAMESPACE"
      while read -r manifest; do
        kubectl -n "$APP_NAMESPACE" apply -f "$manifest" >/dev/null
      done < <(keycloak_operator_manifests)
      # Pods reach the issuer URL (http://arch.homework/auth) as browsers do: through the ingress
      # controller or the Gateway's proxy, whose ClusterIP the host name is given in their pods.
      local entry_ip
      entry_ip=$(entry_cluster_ip "$ingress")
      if [ -z "$entry_ip" ] && [ "$ingress" = envoy-gateway ]; then
        # The proxy's Service comes with the Gateway, which comes with the chart: once without
        # accounts, then again with them and the address the Gateway got.
        say "user-service ($image) in $APP_NAMESPACE, first without accounts: the Gateway's address comes with it"
        install_chart
        entry_ip=$(entry_cluster_ip "$ingress")
      fi
      [ -n "$entry_ip" ] || warn "no ClusterIP found for $(entry_service "$ingress" | tr ' ' /): the service cannot reach the issuer until the next install"
      say "user-service ($image) in $APP_NAMESPACE, accounts on"
      install_chart --set keycloak.enabled=true --set auth.enabled=true --set-string auth.issuerAddress="$entry_ip"
    else
      say "user-service ($image) in $APP_NAMESPACE"
      install_chart
    fi
  }

  install_chart() {
    helm upgrade --install "$APP_RELEASE" "$here/helm/user-service" --namespace "$APP_NAMESPACE" \
      --set image.repository="${image%:*}" --set image.tag="${image##*:}" \
      --set ingress.host="$INGRESS_HOST" \
      --set metrics.serviceMonitor.labels.release="$MONITORING_RELEASE" \
      --set metrics.prometheusRule.labels.release="$MONITORING_RELEASE" \
      "${app_ingress[@]}" "${app_tracing[@]}" "${app_database[@]}" "${app_backup[@]}" "${app_upgrade[@]}" "$@" \
      --wait --wait-for-jobs --timeout "$HELM_TIMEOUT"
    if [ "$ingress" = envoy-gateway ]; then
      # Envoy Gateway makes the proxy for the Gateway; it serves the routes once Programmed.
      kubectl -n "$APP_NAMESPACE" wait gateway/"$APP_RELEASE" --for=condition=Programmed --timeout="$HELM_TIMEOUT" >/dev/null
    fi
  }

  # The bundled database's exporter; CloudNativePG's instances export cnpg_* metrics themselves.
  install_exporter() {
    if [ "$DATABASE" = cloudnative-pg ]; then
      say "No separate postgres exporter: the CloudNativePG instances export cnpg_* metrics (PodMonitor)"
      return
    fi
    say "prometheus-postgres-exporter $POSTGRES_EXPORTER_CHART_VERSION in $APP_NAMESPACE"
    # Its chart 7.0.0 changed the Deployment's selector, which is immutable: a Deployment of an
    # older release (labels app, release) goes first, its pod kept until the new one replaces it.
    local old_exporter="app=prometheus-postgres-exporter,release=$EXPORTER_RELEASE"
    if [ -n "$(kubectl -n "$APP_NAMESPACE" get deployment -l "$old_exporter" -o name 2>/dev/null || true)" ]; then
      kubectl -n "$APP_NAMESPACE" delete deployment -l "$old_exporter" --cascade=orphan >/dev/null
    fi
    helm upgrade --install "$EXPORTER_RELEASE" prometheus-community/prometheus-postgres-exporter \
      --version "$POSTGRES_EXPORTER_CHART_VERSION" --namespace "$APP_NAMESPACE" \
      --set config.datasource.host="$APP_RELEASE-postgresql" \
      --set config.datasource.user=users \
      --set config.datasource.database=users \
      --set config.datasource.passwordSecret.name="$APP_RELEASE-db" \
      --set config.datasource.passwordSecret.key=password \
      --set config.disableCollectorBgwriter=true \
      --set serviceMonitor.enabled=true \
      --set serviceMonitor.labels.release="$MONITORING_RELEASE" \
      --wait --timeout "$HELM_TIMEOUT"
  }

  print_summary() {
    local entry_namespace entry_name address reach backups
    read -r entry_namespace entry_name < <(entry_service "$ingress")
    address=$(INGRESS=$ingress entry_address)
    case "$address" in
      "") reach="(no external address yet: kubectl -n $entry_namespace port-forward svc/$entry_name 8080:80, then curl -H \"Host: $INGRESS_HOST\" http://localhost:8080/user/1; on minikube: minikube tunnel)" ;;
      *:*) reach="curl -H \"Host: $INGRESS_HOST\" http://$address/user/1 (a NodePort of $entry_namespace/$entry_name)" ;;
      *) reach="add \"$address $INGRESS_HOST\" to /etc/hosts, or: curl -H \"Host: $INGRESS_HOST\" http://$address/user/1" ;;
    esac
    case "$BACKUP" in
      volume) backups="WAL archived and a daily base backup on the volume $APP_RELEASE-postgresql-backup (docs/backup.md)" ;;
      s3) backups="WAL and daily base backups to $BACKUP_DESTINATION by the Barman Cloud Plugin (docs/backup.md)" ;;
      *) backups="none (BACKUP=volume, or BACKUP=s3 with CloudNativePG: docs/backup.md)" ;;
    esac
    say "Done"
    cat <<TEXT
The service:  http://$INGRESS_HOST/user/1
              $reach
Accounts:     $([ "$AUTH" = keycloak ] && echo "Keycloak at http://$INGRESS_HOST/auth, realm hw3 (sign up at http://$INGRESS_HOST/auth/realms/hw3/account)" || echo "off (AUTH=keycloak . ./install.sh for sign-up, sign-in and owned profiles)")
Grafana:      kubectl -n $MONITORING_NAMESPACE port-forward svc/$MONITORING_RELEASE-grafana 3000:80
              then http://localhost:3000, dashboard "hw3"; user admin, password:
              kubectl -n $MONITORING_NAMESPACE get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d
Prometheus:   kubectl -n $MONITORING_NAMESPACE port-forward svc/$MONITORING_RELEASE-prometheus 9090:9090
Traces:       $([ "$TRACING" = 1 ] && echo "in Grafana, data source Tempo; the latency panels' exemplars open a trace" || echo "off (TRACING=1 . ./install.sh to add Grafana Tempo)")
Backups:      $backups
Check:        helm test $APP_RELEASE -n $APP_NAMESPACE
Roll back:    helm rollback $APP_RELEASE -n $APP_NAMESPACE   (the release before this one)
Entry:        $([ "$ingress" = envoy-gateway ] && echo "Envoy Gateway: Gateway $APP_NAMESPACE/$APP_RELEASE, proxy Service $entry_namespace/$entry_name" || echo "ingress-nginx (INGRESS=envoy-gateway . ./install.sh for the Gateway API)")
Next:         . ./test.sh     (the Locust load test against the ingress or the Gateway)
TEXT
  }

  here=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
  # shellcheck source=scripts/common.sh
  . "$here/scripts/common.sh"
  need kubectl helm
  kubectl version --request-timeout=10s >/dev/null 2>&1 || fail "kubectl cannot reach a cluster (check the current context)"

  steps
)

_user_service_install "$@"
_user_service_status=$?
unset -f _user_service_install
# Sourced: hand the status back without closing the caller's shell. Executed: exit with it.
if (return 0 2>/dev/null); then
  return "$_user_service_status"
fi
exit "$_user_service_status"
