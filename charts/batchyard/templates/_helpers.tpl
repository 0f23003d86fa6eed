{{- define "batchyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "batchyard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "batchyard.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "batchyard.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "batchyard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "batchyard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "batchyard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "batchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The server's pods only (the bundled PostgreSQL's pod shares the selector labels above): what
the Service, the PodDisruptionBudget and the anti-affinity select. The Deployment's own selector
stays the older, wider one, since a Deployment's selector cannot change on upgrade. */}}
{{- define "batchyard.serverSelectorLabels" -}}
{{ include "batchyard.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "batchyard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "batchyard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the database URL: an existing one, or the chart's. */}}
{{- define "batchyard.databaseSecretName" -}}
{{- default .Values.database.secretName .Values.database.existingSecret }}
{{- end }}

{{- define "batchyard.postgresqlName" -}}
{{- printf "%s-postgresql" (include "batchyard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fails the render early when no database is configured at all. */}}
{{- define "batchyard.databaseUrl" -}}
{{- if .Values.database.url }}
{{- .Values.database.url }}
{{- else if .Values.postgresql.enabled }}
{{- $a := .Values.postgresql.auth }}
{{- printf "postgresql://%s:%s@%s.%s.svc:5432/%s" $a.username (urlquery $a.password) (include "batchyard.postgresqlName" .) .Release.Namespace $a.database }}
{{- else }}
{{- fail "a database is required: set database.url, database.existingSecret, or postgresql.enabled=true" }}
{{- end }}
{{- end }}

{{/* Every namespace a kubernetes account launches into (the release namespace when none is set). */}}
{{- define "batchyard.namespaces" -}}
{{- $nss := list .Release.Namespace }}
{{- range .Values.config.platforms }}
{{- if eq .type "kubernetes" }}
{{- $nss = append $nss (default $.Release.Namespace .namespace) }}
{{- end }}
{{- end }}
{{- $nss | uniq | toJson }}
{{- end }}

{{/* The server configuration file: values.config with the chart's defaults filled in. */}}
{{- define "batchyard.config" -}}
{{- $cfg := deepCopy .Values.config }}
{{- $secret := dict "name" (include "batchyard.databaseSecretName" .) "key" .Values.database.secretKey }}
{{- $platforms := list }}
{{- range $cfg.platforms }}
{{- $p := . }}
{{- if and (eq $p.type "kubernetes") (not $p.databaseSecret) }}
{{- $_ := set $p "databaseSecret" $secret }}
{{- end }}
{{- if and (eq $p.type "kubernetes") (not $p.taskApiUrl) }}
{{- /* Task pods reach the API through the chart's Service (remote partitions). */}}
{{- $_ := set $p "taskApiUrl" (printf "http://%s.%s.svc:%v" (include "batchyard.fullname" $) $.Release.Namespace $.Values.service.port) }}
{{- end }}
{{- $platforms = append $platforms $p }}
{{- end }}
{{- $_ := set $cfg "platforms" $platforms }}
{{- $server := merge (dict "host" "0.0.0.0" "port" (int .Values.containerPort)) (default (dict) $cfg.server) }}
{{- $_ := set $server "host" "0.0.0.0" }}
{{- $_ := set $server "port" (int .Values.containerPort) }}
{{- $_ := set $cfg "server" $server }}
{{- /* The Host check: the chart's own Service names are always allowed, so in-cluster callers
(task pods, CronJob pods) reaching it by its DNS name pass; configured names come after. */}}
{{- $auth := default (dict) $cfg.auth }}
{{- $svc := include "batchyard.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- $hosts := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) }}
{{- range (default (list) $auth.allowedHosts) }}
{{- $hosts = append $hosts . }}
{{- end }}
{{- $_ := set $auth "allowedHosts" ($hosts | uniq) }}
{{- $_ := set $cfg "auth" $auth }}
{{- $db := dict "poolSize" (int .Values.database.poolSize) "migrateOnStart" .Values.database.migrateOnStart }}
{{- $_ := set $cfg "database" $db }}
{{- toYaml $cfg }}
{{- end }}

{{/* Least privilege: exactly what the server calls (apps/server/src/platform/rbac.ts checks the
same list at start-up and refuses to start without it). */}}
{{- define "batchyard.rules" -}}
{{- /* Exactly REQUIRED_PERMISSIONS of apps/server/src/platform/rbac.ts (test/unit/helm-chart.test.ts compares them). */}}
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["create", "get", "list", "watch", "delete"]
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["create", "get", "update", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["list"]
- apiGroups: [""]
  resources: ["resourcequotas"]
  verbs: ["list", "watch"]
{{- end }}

{{/* Where the leader Lease lives, as the server picks it (apps/server/src/leader/create.ts):
config.leader.namespace, else the first kubernetes account's namespace, else the release's. */}}
{{- define "batchyard.leaseNamespace" -}}
{{- $leader := default (dict) .Values.config.leader }}
{{- $ns := "" }}
{{- range .Values.config.platforms }}
{{- if and (eq .type "kubernetes") (not $ns) }}
{{- $ns = default $.Release.Namespace .namespace }}
{{- end }}
{{- end }}
{{- default (default .Release.Namespace $ns) $leader.namespace }}
{{- end }}
