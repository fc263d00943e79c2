{{/* Name of the release's objects: <release>-twinbuild, or just the release if it contains "twinbuild". */}}
{{- define "twinbuild.fullname" -}}
{{- if contains "twinbuild" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-twinbuild" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "twinbuild.operatorName" -}}
{{- printf "%s-operator" (include "twinbuild.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "twinbuild.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "twinbuild.operatorName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "twinbuild.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: twinbuild
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ include "twinbuild.selectorLabels" . }}
{{- end -}}

{{- define "twinbuild.selectorLabels" -}}
app.kubernetes.io/name: twinbuild-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "twinbuild.operatorImage" -}}
{{- printf "%s:%s" .Values.operator.image.repository (default .Chart.AppVersion .Values.operator.image.tag) -}}
{{- end -}}

{{- define "twinbuild.builderImage" -}}
{{- printf "%s:%s" .Values.builder.image.repository (default .Chart.AppVersion .Values.builder.image.tag) -}}
{{- end -}}

{{- define "twinbuild.leaderElection" -}}
{{- if or .Values.operator.leaderElection.enabled (gt (int .Values.operator.replicas) 1) -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/*
What the operator does with SystemImages and their children. Shared by the ClusterRole (all
namespaces) and the per-namespace Roles (watchNamespaces). Verbs follow the reconciler's
@RBACRule annotations and what QOSDK generates into target/kubernetes/kubernetes.yml, minus
create/delete on systemimages, which the operator never does.
*/}}
{{- define "twinbuild.reconcilerRules" -}}
- apiGroups: [twinbuild.dev]
  resources: [systemimages]
  verbs: [get, list, watch, patch, update]
- apiGroups: [twinbuild.dev]
  resources: [systemimages/status]
  verbs: [get, patch, update]
# Builder pods carry an ownerReference with blockOwnerDeletion, which needs update on finalizers
# where the OwnerReferencesPermissionEnforcement admission plugin is on.
- apiGroups: [twinbuild.dev]
  resources: [systemimages/finalizers]
  verbs: [update]
# patch: the label twinbuild.dev/retired on the pods of a written verdict, which takes them out of
# the operator's pod cache (they stay for logs and inspection).
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, create, delete, patch]
# The immutable manifest ConfigMap per spec hash; old ones are removed by label (deletecollection).
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, create, delete, deletecollection]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
# The builder pods' service account: the names of its imagePullSecrets are mounted into builder pods
# (registry credentials for OCI layers); the operator never reads those Secrets.
- apiGroups: [""]
  resources: [serviceaccounts]
  verbs: [get]
# Secrets: each build's upload grants (presigned requests for its own keys), created owned by its
# pod and replaced on a retry; read: a spec's own store credentials (spec.store.s3.credentialsSecret).
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, create, delete]
{{- end -}}
