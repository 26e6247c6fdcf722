{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "certhost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release full name: "<release>" when it already contains the chart name, else "<release>-<chart>". */}}
{{- define "certhost.fullname" -}}
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

{{- define "certhost.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "certhost.selectorLabels" -}}
app.kubernetes.io/name: {{ include "certhost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "certhost.labels" -}}
helm.sh/chart: {{ include "certhost.chart" . }}
{{ include "certhost.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: certhost
{{- end }}

{{- define "certhost.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "certhost.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "certhost.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The namespace of the built-in CA's Secret: config.caSecret.namespace, else the release namespace (POD_NAMESPACE). */}}
{{- define "certhost.caNamespace" -}}
{{- $ca := (.Values.config).caSecret | default dict }}
{{- default .Release.Namespace $ca.namespace }}
{{- end }}

{{- define "certhost.metricsServiceName" -}}
{{- printf "%s-metrics" (include "certhost.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The rules the operator needs on the resources it watches and writes. Rendered into the ClusterRole
(all namespaces) or into the Role of the watched namespace. Namespaces, being cluster-scoped, are added
by clusterrole.yaml only. Keep in sync with docs/install.md and test/integration/packaging.test.ts.
*/}}
{{- define "certhost.namespacedRules" -}}
- apiGroups: ["certhost.io"]
  resources: ["certificates", "hostingpackages", "deploymenttargets"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["certhost.io"]
  resources: ["certificates/status", "hostingpackages/status", "deploymenttargets/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["list", "patch"]
{{- end }}
