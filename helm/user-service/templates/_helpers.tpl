{{/* The release's base name, at most 63 characters. */}}
{{- define "user-service.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "user-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "user-service.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: {{ include "user-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of the service's pods. */}}
{{- define "user-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "user-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end -}}

{{- define "user-service.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "user-service.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "user-service.postgresql.selectorLabels" -}}
app.kubernetes.io/name: {{ include "user-service.name" . }}-postgresql
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: database
{{- end -}}

{{- define "user-service.backup.selectorLabels" -}}
app.kubernetes.io/name: {{ include "user-service.name" . }}-postgresql
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: backup
{{- end -}}

{{- define "user-service.migration.selectorLabels" -}}
app.kubernetes.io/name: {{ include "user-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: migration
{{- end -}}

{{- define "user-service.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
Where the database runs: bundled (the chart's StatefulSet), external (database.host), or
cloudnative-pg (a Cluster of the CloudNativePG operator). postgresql.enabled=false, the older
way to say external, still means external.
*/}}
{{- define "user-service.databaseMode" -}}
{{- if and (eq .Values.database.mode "bundled") (not .Values.postgresql.enabled) -}}
external
{{- else -}}
{{- .Values.database.mode -}}
{{- end -}}
{{- end -}}

{{/*
The CloudNativePG Cluster the service uses: <fullname>-pg, or during a restore
(backup.recovery.enabled) the new Cluster that bootstraps from the object store.
*/}}
{{- define "user-service.cnpg.clusterName" -}}
{{- if and .Values.backup.enabled .Values.backup.recovery.enabled -}}
{{- $name := required "backup.recovery.clusterName is needed: a restore makes a new Cluster, next to the one it restores from" .Values.backup.recovery.clusterName -}}
{{- if eq $name (include "user-service.cnpg.originalClusterName" .) -}}
{{- fail "backup.recovery.clusterName must differ from the Cluster it restores from: a restore never writes into a running database" -}}
{{- end -}}
{{- $name -}}
{{- else -}}
{{- include "user-service.cnpg.originalClusterName" . -}}
{{- end -}}
{{- end -}}

{{- define "user-service.cnpg.originalClusterName" -}}
{{- printf "%s-pg" (include "user-service.fullname" .) -}}
{{- end -}}

{{/* The bundled PostgreSQL's data directory: the official image keeps it below its major version from 18 on. */}}
{{- define "user-service.postgresql.pgdata" -}}
{{- printf "/var/lib/postgresql/%s/docker" (regexFind "^[0-9]+" .Values.postgresql.image.tag) -}}
{{- end -}}

{{/* backup.recovery.targetTime, checked: "latest" or a time with an explicit zone. */}}
{{- define "user-service.backup.target" -}}
{{- $target := .Values.backup.recovery.targetTime -}}
{{- if and (ne $target "latest") (not (regexMatch "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?([+-][0-9]{2}(:?[0-9]{2})?|Z)$" $target)) -}}
{{- fail (printf "backup.recovery.targetTime must be \"latest\" or a time with its zone, like \"2026-12-07 10:00:00+00\", not %q" $target) -}}
{{- end -}}
{{- $target -}}
{{- end -}}

{{/* The Barman Cloud Plugin's name, as CloudNativePG knows it. */}}
{{- define "user-service.backup.plugin" -}}barman-cloud.cloudnative-pg.io{{- end -}}

{{/* The Secret holding the database password: the operator's <cluster>-app, an existing one, or the chart's own. */}}
{{- define "user-service.secretName" -}}
{{- if eq (include "user-service.databaseMode" .) "cloudnative-pg" -}}
{{- printf "%s-app" (include "user-service.cnpg.clusterName" .) -}}
{{- else -}}
{{- default (printf "%s-db" (include "user-service.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* The key of the password in that Secret: the operator's is "password". */}}
{{- define "user-service.passwordKey" -}}
{{- if eq (include "user-service.databaseMode" .) "cloudnative-pg" -}}password{{- else -}}{{ .Values.database.passwordKey }}{{- end -}}
{{- end -}}

{{/* The host the service connects to; with CloudNativePG, the -rw Service, which always points at the primary. */}}
{{- define "user-service.databaseHost" -}}
{{- $mode := include "user-service.databaseMode" . -}}
{{- if eq $mode "bundled" -}}
{{- include "user-service.postgresql.fullname" . -}}
{{- else if eq $mode "cloudnative-pg" -}}
{{- printf "%s-rw" (include "user-service.cnpg.clusterName" .) -}}
{{- else -}}
{{- required "database.host is required when database.mode is external" .Values.database.host -}}
{{- end -}}
{{- end -}}

{{/* Replicas that will run: the HPA's minimum when it scales, else replicaCount. */}}
{{- define "user-service.minReplicas" -}}
{{- if .Values.autoscaling.enabled -}}{{ .Values.autoscaling.minReplicas }}{{- else -}}{{ .Values.replicaCount }}{{- end -}}
{{- end -}}

{{/* The service's settings and password, shared by the Deployment and the migration Job. */}}
{{- define "user-service.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "user-service.fullname" . }}
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef:
        name: {{ include "user-service.secretName" . }}
        key: {{ include "user-service.passwordKey" . }}
{{- with .Values.app.javaToolOptions }}
  - name: JAVA_TOOL_OPTIONS
    value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The port of a URL (http://host:port/...), or its scheme's default: tracing.endpoint, auth.issuer. */}}
{{- define "user-service.urlPort" -}}
{{- $url := urlParse . -}}
{{- $parts := splitList ":" $url.host -}}
{{- if gt (len $parts) 1 -}}{{ last $parts }}{{- else if eq $url.scheme "https" -}}443{{- else -}}80{{- end -}}
{{- end }}

{{/* Keycloak (keycloak.enabled): its name, and its public base URL, http://<ingress host><path>. */}}
{{- define "user-service.keycloak.name" -}}
{{- printf "%s-keycloak" (include "user-service.fullname" .) | trunc 50 | trimSuffix "-" -}}
{{- end }}

{{/* The Service the Keycloak Operator makes for its Keycloak: <name>-service, HTTP on 8080. */}}
{{- define "user-service.keycloak.serviceName" -}}
{{- printf "%s-service" (include "user-service.keycloak.name" .) -}}
{{- end }}

{{- define "user-service.keycloak.url" -}}
{{- printf "http://%s%s" .Values.ingress.host .Values.keycloak.path -}}
{{- end }}

{{/* The issuer the service trusts: auth.issuer, or with keycloak.enabled its realm hw3. */}}
{{- define "user-service.auth.issuer" -}}
{{- if .Values.auth.issuer -}}
{{- .Values.auth.issuer -}}
{{- else if .Values.keycloak.enabled -}}
{{- printf "%s/realms/hw3" (include "user-service.keycloak.url" .) -}}
{{- else -}}
{{- fail "auth.issuer is needed when auth.enabled (or turn keycloak.enabled on)" -}}
{{- end -}}
{{- end }}

{{/* The Service of the Gateway's proxy (gateway.enabled), in Envoy Gateway's namespace, where
     Gateways of every namespace have theirs: <namespace>-<fullname>. */}}
{{- define "user-service.gateway.serviceName" -}}
{{- printf "%s-%s" .Release.Namespace (include "user-service.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end }}


{{/*
Downgrades the chart can see (docs/upgrading.md). Releases before 1.2.0 know nothing of profile
owners: with accounts on they would show every profile to anyone, so that image is refused. And
an image older than the one running is refused unless upgrade.allowDowngrade: the database may
have been migrated past what it knows (the service itself refuses a schema whose floor is above
it, from 1.3.0 on). helm rollback renders nothing, so only the service's own check covers it.
*/}}
{{- define "user-service.refuseUnsafeDowngrade" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- $semver := "^v?[0-9]+\\.[0-9]+\\.[0-9]+$" -}}
{{- if and .Values.auth.enabled (regexMatch $semver $tag) (semverCompare "<1.2.0" $tag) -}}
{{- fail (printf "image %s with accounts on (auth.enabled): releases before 1.2.0 know nothing of profile owners and would show every profile to anyone; see docs/upgrading.md" $tag) -}}
{{- end -}}
{{- $running := lookup "apps/v1" "Deployment" .Release.Namespace (include "user-service.fullname" .) -}}
{{- if and $running (not .Values.upgrade.allowDowngrade) -}}
{{- $image := (index $running.spec.template.spec.containers 0).image -}}
{{- $runningTag := last (splitList ":" $image) -}}
{{- if and (regexMatch $semver $tag) (regexMatch $semver $runningTag) (semverCompare (printf "<%s" $runningTag) $tag) -}}
{{- fail (printf "downgrade from %s to %s: the database may be migrated past what %s knows. See docs/upgrading.md (helm rollback, or upgrade.allowDowngrade=true where the CHANGELOG allows it)" $runningTag $tag $tag) -}}
{{- end -}}
{{- end -}}
{{- end -}}
