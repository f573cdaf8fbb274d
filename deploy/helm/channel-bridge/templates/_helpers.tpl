{{/* The chart's name, overridable. */}}
{{- define "channel-bridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: release-chart, or the release name alone when it already holds the chart's. */}}
{{- define "channel-bridge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "channel-bridge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels that select the pods; they never change over a release's life. */}}
{{- define "channel-bridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "channel-bridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The recommended labels on every object. */}}
{{- define "channel-bridge.labels" -}}
helm.sh/chart: {{ include "channel-bridge.chart" . }}
{{ include "channel-bridge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: channel-bridge
{{- end }}

{{/* The service account the pods run as. */}}
{{- define "channel-bridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "channel-bridge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the credentials come from: yours (existingSecret), or the chart's when secretEnv is given; empty for none. */}}
{{- define "channel-bridge.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.secretEnv }}
{{- include "channel-bridge.fullname" . }}
{{- end }}
{{- end }}

{{/* The image reference; the tag defaults to the chart's appVersion. */}}
{{- define "channel-bridge.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Where the ConfigMap's bridge.yaml is mounted. */}}
{{- define "channel-bridge.configDir" -}}
/etc/channel-bridge
{{- end }}

{{/*
Stop rendering when replicas would not share state: more than one pod (or an HPA) needs a
Redis store, since each pod's sqlite:/memory: store would be its own.
*/}}
{{- define "channel-bridge.validate" -}}
{{- $many := or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}
{{- if .Values.store.urlSecretKey }}
{{- if not .Values.existingSecret }}
{{- fail "store.urlSecretKey needs existingSecret: the key is read from that Secret" }}
{{- end }}
{{- else if not (regexMatch "^rediss?://.+" (toString .Values.store.url)) }}
{{- if $many }}
{{- fail (printf "store.url must be redis://... or rediss://... when more than one replica runs (got %q)" (toString .Values.store.url)) }}
{{- end }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (not .Values.autoscaling.enabled) (le (int .Values.replicaCount) (int .Values.podDisruptionBudget.minAvailable)) }}
{{- fail "replicaCount must be greater than podDisruptionBudget.minAvailable, or no node could ever be drained" }}
{{- end }}
{{- end }}
