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

{{- define "user-service.migration.selectorLabels" -}}
app.kubernetes.io/name: {{ include "user-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: migration
{{- end -}}

{{- define "user-service.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Secret holding the database password, the chart's own or an existing one. */}}
{{- define "user-service.secretName" -}}
{{- default (printf "%s-db" (include "user-service.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{- define "user-service.databaseHost" -}}
{{- if .Values.postgresql.enabled -}}
{{- include "user-service.postgresql.fullname" . -}}
{{- else -}}
{{- required "database.host is required when postgresql.enabled is false" .Values.database.host -}}
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
        key: {{ .Values.database.passwordKey }}
{{- with .Values.app.javaToolOptions }}
  - name: JAVA_TOOL_OPTIONS
    value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The port of tracing.endpoint (http://host:port), or the scheme's default. */}}
{{- define "user-service.tracingPort" -}}
{{- $url := urlParse .Values.tracing.endpoint -}}
{{- $parts := splitList ":" $url.host -}}
{{- if gt (len $parts) 1 -}}{{ last $parts }}{{- else if eq $url.scheme "https" -}}443{{- else -}}80{{- end -}}
{{- end }}
