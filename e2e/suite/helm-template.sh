#!/usr/bin/env bash
# Checks of the Helm chart (helm/twinbuild) that need no cluster: `helm lint --strict`, the CRD copy
# in the chart equals crds/, and `helm template` renders what the operator needs for the main value
# combinations, while values.schema.json refuses bad values. Uses the pinned Helm
# (helm/helm-binary.sh builds it once). Ends with "N passed, M failed"; exits 1 if any failed.
#
#   e2e/suite/helm-template.sh
# shellcheck disable=SC2015 # `check && ok … || ko …`: ok always succeeds
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CHART="$ROOT/helm/twinbuild"
HELM="$("$ROOT/helm/helm-binary.sh" | tail -1)" || { echo "cannot build helm"; echo "0 passed, 1 failed"; exit 1; }
passed=0 failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
ko() { echo "FAIL $1"; [[ -n "${2:-}" ]] && sed 's/^/     /' <<<"$2" | head -40; failed=$((failed + 1)); }

render() { "$HELM" template twinbuild "$CHART" --namespace twinbuild-system "$@" 2>&1; }
# env_value RENDERED NAME — the value of an env variable of the operator container
env_value() { awk -v n="$2" '$0 ~ "- name: " n "$" {getline; sub(/^ *value: /, ""); gsub(/"/, ""); print; exit}' <<<"$1"; }
# kinds RENDERED — "Kind/name" of each object, sorted
kinds() { awk '/^kind: /{k=$2} /^  name: /{if (k) {print k "/" $2; k=""}}' <<<"$1" | sort; }

# --- the CRD the chart installs is the one generated from the Java types ------------------------
crd_drift=""
for f in "$ROOT"/crds/*.yml; do
  cmp -s "$f" "$CHART/crds/$(basename "$f")" || crd_drift+="$(basename "$f") "
done
for f in "$CHART"/crds/*; do [[ -e "$ROOT/crds/$(basename "$f")" ]] || crd_drift+="(extra) $(basename "$f") "; done
[[ -z "$crd_drift" ]] && ok "helm/twinbuild/crds equals crds/" ||
  ko "helm/twinbuild/crds differs from crds/: $crd_drift— copy them: cp crds/*.yml helm/twinbuild/crds/"

# --- lint ---------------------------------------------------------------------------------------
out="$("$HELM" lint --strict "$CHART" 2>&1)" && ok "helm lint --strict" || ko "helm lint --strict" "$out"
out="$("$HELM" lint --strict "$CHART" --set operator.replicas=2 --set 'operator.watchNamespaces={a,b}' \
  --set store.s3.endpoint=http://s3:9000 --set store.s3.bucket=artifacts --set metrics.serviceMonitor.enabled=true 2>&1)" &&
  ok "helm lint --strict (all options on)" || ko "helm lint --strict (all options on)" "$out"

# --- defaults -----------------------------------------------------------------------------------
if out="$(render)"; then
  want="ClusterRole/twinbuild-operator
ClusterRole/twinbuild-operator-crd-reader
ClusterRoleBinding/twinbuild-operator
ClusterRoleBinding/twinbuild-operator-auth-delegator
ClusterRoleBinding/twinbuild-operator-crd-reader
ConfigMap/twinbuild-grafana-dashboard
Deployment/twinbuild-operator
Role/twinbuild-operator-attestation-key
RoleBinding/twinbuild-operator-attestation-key
Service/twinbuild-dashboard
Service/twinbuild-operator-metrics
ServiceAccount/twinbuild-operator
ValidatingAdmissionPolicy/twinbuild-operator-builder-pods
ValidatingAdmissionPolicyBinding/twinbuild-operator-builder-pods"
  [[ "$(kinds "$out")" == "$want" ]] && ok "defaults: the expected objects" || ko "defaults: objects" "$(kinds "$out")"
  [[ "$(env_value "$out" TWINBUILD_BUILDER_IMAGE)" == ghcr.io/twinbuild/builder:0.1.0 ]] &&
    ok "defaults: builder image from appVersion" || ko "defaults: builder image" "$(env_value "$out" TWINBUILD_BUILDER_IMAGE)"
  [[ "$(env_value "$out" TWINBUILD_LEADER_ELECTION_ENABLED)" == false ]] && ok "defaults: no leader election" ||
    ko "defaults: leader election should be off"
  [[ "$(env_value "$out" QUARKUS_OPERATOR_SDK_CONTROLLERS_SYSTEMIMAGE_NAMESPACES)" == JOSDK_ALL_NAMESPACES ]] &&
    ok "defaults: watches all namespaces" || ko "defaults: watched namespaces"
  [[ -z "$(env_value "$out" TWINBUILD_STORE_S3_ENDPOINT)$(env_value "$out" TWINBUILD_STORE_PVC_CLAIM_NAME)" ]] &&
    ok "defaults: no default store" || ko "defaults: a store is set"
  probes="$(grep -E 'path: /q/health/(started|live|ready)' <<<"$out" | sort | tr -d ' ')"
  [[ "$probes" == *live* && "$probes" == *ready* && "$probes" == *started* ]] && ok "defaults: health probes" ||
    ko "defaults: health probes" "$probes"
  dep="$(render --show-only templates/deployment.yaml)"
  for want in 'readOnlyRootFilesystem: true' 'allowPrivilegeEscalation: false' 'runAsNonRoot: true' \
              'type: RuntimeDefault' '- ALL' 'mountPath: /tmp' 'containerPort: 8080'; do
    grep -qF -- "$want" <<<"$dep" || { ko "defaults: deployment lacks '$want'" "$dep"; continue 2; }
  done
  ok "defaults: hardened pod (non-root, read-only root, no privilege escalation, caps dropped, seccomp)"
  svc="$(render --show-only templates/service.yaml)"
  grep -q 'name: http-metrics' <<<"$svc" && grep -q 'prometheus.io/path: /q/metrics' <<<"$svc" &&
    ok "defaults: metrics Service" || ko "defaults: metrics Service" "$svc"
  rbac="$(render --show-only templates/rbac.yaml)"
  if grep -qE "verbs: \[.*\*|resources: \[.*\*|apiGroups: \[.*\*" <<<"$rbac"; then ko "RBAC has wildcards" "$rbac"
  else ok "RBAC: no wildcards"; fi
  # Upload grants: created (owned by builder pods) and replaced; never list/watch/update of Secrets.
  grep -A2 'resources: \[secrets\]' <<<"$rbac" | grep -q 'verbs: \[get, create, delete\]$' &&
    ok "RBAC: secrets get/create/delete only (grants), no list or watch" || ko "RBAC: secrets" "$rbac"
  ! grep -q 'leases' <<<"$rbac" && ok "RBAC: no Lease permissions with one replica" || ko "RBAC: leases with one replica"
else
  ko "helm template (defaults)" "$out"
fi

# --- the e2e configuration: images, S3 store ----------------------------------------------------
if out="$(render --set operator.image.repository=docker.io/twinbuild/operator --set operator.image.tag=0.1.0-abc \
    --set builder.image.repository=docker.io/twinbuild/builder --set builder.image.tag=0.1.0-def \
    --set store.s3.endpoint=http://10.0.0.9:80 --set store.s3.bucket=twinbuild --set store.s3.credentialsSecret=twinbuild-s3)"; then
  grep -q 'image: "docker.io/twinbuild/operator:0.1.0-abc"' <<<"$out" && ok "images: operator image" || ko "images: operator image"
  [[ "$(env_value "$out" TWINBUILD_BUILDER_IMAGE)" == docker.io/twinbuild/builder:0.1.0-def ]] && ok "images: builder image" ||
    ko "images: builder image"
  [[ "$(env_value "$out" TWINBUILD_STORE_S3_ENDPOINT) $(env_value "$out" TWINBUILD_STORE_S3_BUCKET)" == "http://10.0.0.9:80 twinbuild" ]] &&
    ok "store: S3 default store" || ko "store: S3 env"
  # The store's keys reach the operator only, as the AWS SDK's environment credentials.
  grep -A2 'name: AWS_ACCESS_KEY_ID' <<<"$out" | grep -q 'secretKeyRef: {name: "twinbuild-s3", key: accessKeyId}' &&
    grep -A2 'name: AWS_SECRET_ACCESS_KEY' <<<"$out" | grep -q 'secretKeyRef: {name: "twinbuild-s3", key: secretAccessKey}' &&
    ok "store: operator credentials from the release namespace's Secret" || ko "store: operator credentials" "$out"
else
  ko "helm template (e2e values)" "$out"
fi

# --- replicas > 1: leader election -----------------------------------------------------------------
if out="$(render --set operator.replicas=2)"; then
  [[ "$(env_value "$out" TWINBUILD_LEADER_ELECTION_ENABLED)" == true ]] && ok "replicas=2: leader election on" ||
    ko "replicas=2: leader election env"
  grep -q 'Role/twinbuild-operator-leader-election' <<<"$(kinds "$out")" && grep -q 'resources: \[leases\]' <<<"$out" &&
    ok "replicas=2: Lease Role" || ko "replicas=2: Lease Role" "$(kinds "$out")"
  grep -q 'type: RollingUpdate' <<<"$out" && ok "replicas=2: rolling update" || ko "replicas=2: strategy"
else
  ko "helm template (replicas=2)" "$out"
fi

# --- dashboard and Grafana ------------------------------------------------------------------------
if out="$(render)"; then
  svc="$(awk '/^kind: Service$/{s=1} s && /^  name: twinbuild-dashboard$/{f=1} f && /targetPort:/{print $2; exit}' <<<"$out")"
  [[ "$svc" == http && "$(env_value "$out" TWINBUILD_DASHBOARD_AUTH)" == token ]] &&
    ok "dashboard: svc/twinbuild-dashboard -> port http, token auth by default" || ko "dashboard: Service/auth" "$svc"
  grep -q 'name: system:auth-delegator' <<<"$out" && ok "dashboard: token mode binds system:auth-delegator" ||
    ko "dashboard: no auth-delegator binding in token mode"
  grep -q 'path: /q/health/ready, port: management' <<<"$out" && ok "dashboard: probes on the management port" ||
    ko "dashboard: probes not on the management port"
  json="$(awk '/^  twinbuild.json: \|-$/{f=1; next} f && /^[^ ]/{f=0} f' <<<"$out")"
  grep -q 'grafana_dashboard: "1"' <<<"$out" && python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["panels"]' <<<"$json" &&
    ok "grafana: ConfigMap labelled grafana_dashboard=1 with the dashboard JSON" || ko "grafana: ConfigMap" "$(head -c 300 <<<"$json")"
fi
if out="$(render --set dashboard.auth=open --set grafana.dashboard.enabled=false)"; then
  k="$(kinds "$out")"
  ! grep -q auth-delegator <<<"$k" && ! grep -q ConfigMap/ <<<"$k" && [[ "$(env_value "$out" TWINBUILD_DASHBOARD_AUTH)" == open ]] &&
    ok "dashboard.auth=open: no auth-delegator binding; grafana off: no ConfigMap" || ko "dashboard.auth=open" "$k"
fi
out="$(render --set dashboard.auth=none 2>&1)" && ko "accepts dashboard.auth=none" || ok "refuses dashboard.auth=none"

# --- watchNamespaces: Roles instead of the cluster-wide role --------------------------------------
if out="$(render --set 'operator.watchNamespaces={team-a,team-b}')"; then
  k="$(kinds "$out")"
  # Role, RoleBinding and the builder and check pods' NetworkPolicies in each.
  grep -qx 'Role/twinbuild-operator' <<<"$k" && [[ "$(grep -c '^  namespace: team-[ab]$' <<<"$out")" -eq 8 ]] &&
    ! grep -qx 'ClusterRole/twinbuild-operator' <<<"$k" && ok "watchNamespaces: a Role per namespace, no cluster-wide role" ||
    ko "watchNamespaces: RBAC" "$k"
  [[ "$(env_value "$out" QUARKUS_OPERATOR_SDK_CONTROLLERS_SYSTEMIMAGE_NAMESPACES)" == team-a,team-b ]] &&
    ok "watchNamespaces: the operator watches them" || ko "watchNamespaces: env"
  # The attestation key stays in the operator's namespace: a Role there, for that Secret and ConfigMap only.
  role="$(awk '/^kind: Role$/{r=1} r&&/^---/{r=0} r' <<<"$out" | awk '/name: twinbuild-operator-attestation-key$/{f=1} f')"
  grep -q '^  namespace: twinbuild-system$' <<<"$role" && grep -q 'resourceNames: \["twinbuild-attestation-key"\]' <<<"$role" &&
    ! grep -q 'verbs: \[.*list' <<<"$role" && ok "watchNamespaces: the attestation key's Role is in the release namespace" ||
    ko "watchNamespaces: attestation key Role" "$role"
else
  ko "helm template (watchNamespaces)" "$out"
fi

# --- ServiceMonitor ---------------------------------------------------------------------------------
out="$(render --set metrics.serviceMonitor.enabled=true --show-only templates/servicemonitor.yaml)" &&
  grep -q 'kind: ServiceMonitor' <<<"$out" && ok "serviceMonitor.enabled: ServiceMonitor" || ko "ServiceMonitor" "$out"

# --- policy: what a SystemImage may choose ------------------------------------------------------------
if out="$(render)"; then
  [[ "$(env_value "$out" TWINBUILD_POLICY_BUILDER_IMAGE_DIGEST_REQUIRED) $(env_value "$out" TWINBUILD_POLICY_PVC_ALLOWED)" == "true false" ]] &&
    [[ -z "$(env_value "$out" TWINBUILD_POLICY_BUILDER_IMAGES)$(env_value "$out" TWINBUILD_POLICY_S3_STORES)" ]] &&
    ok "policy defaults: only the configured image and store, digests required, no PVC" || ko "policy defaults" "$(grep -A1 TWINBUILD_POLICY <<<"$out")"
fi
if out="$(render --set 'policy.builderImages={registry.example/team-a/*,registry.example/b@sha256:0123}' \
    --set 'policy.stores.s3={https://s3.example/team-a,http://minio.storage:9000/*}' \
    --set policy.stores.pvc.allowed=true --set 'policy.stores.pvc.claims={builds}' --set policy.builderImageDigestRequired=false)"; then
  [[ "$(env_value "$out" TWINBUILD_POLICY_BUILDER_IMAGES)" == "registry.example/team-a/*,registry.example/b@sha256:0123" &&
     "$(env_value "$out" TWINBUILD_POLICY_S3_STORES)" == "https://s3.example/team-a,http://minio.storage:9000/*" &&
     "$(env_value "$out" TWINBUILD_POLICY_PVC_ALLOWED) $(env_value "$out" TWINBUILD_POLICY_PVC_CLAIMS)" == "true builds" &&
     "$(env_value "$out" TWINBUILD_POLICY_BUILDER_IMAGE_DIGEST_REQUIRED)" == false ]] &&
    ok "policy: values reach the operator" || ko "policy: env" "$(grep -A1 TWINBUILD_POLICY <<<"$out")"
  vap="$(render --set 'policy.builderImages={registry.example/team-a/*,registry.example/b@sha256:0123}' --show-only templates/admission-policy.yaml)"
  grep -qF "expression: '[\"ghcr.io/twinbuild/builder:0.1.0\",\"registry.example/b@sha256:0123\"]'" <<<"$vap" &&
    grep -qF "expression: '[\"registry.example/team-a/\"]'" <<<"$vap" &&
    ok "admission policy: the builder image and policy.builderImages (exact and prefixes)" || ko "admission policy: images" "$vap"
else
  ko "helm template (policy)" "$out"
fi

# --- the admission policy ---------------------------------------------------------------------------
vap="$(render --show-only templates/admission-policy.yaml)"
grep -qF "expression: 'request.userInfo.username == \"system:serviceaccount:twinbuild-system:twinbuild-operator\"'" <<<"$vap" &&
  grep -q 'validationActions: \[Deny\]' <<<"$vap" && grep -q 'failurePolicy: Fail' <<<"$vap" &&
  ok "admission policy: binds the operator's ServiceAccount, denies, fails closed" || ko "admission policy: binding" "$vap"
missing=""
# Volumes by allow-list (so no hostPath), the rest by name.
for want in automountServiceAccountToken hostNetwork hostPID hostIPC hostPort 'object.spec.volumes.all(v, has(v.emptyDir)' \
            privileged allowPrivilegeEscalation "'ALL' in" runAsNonRoot seccompProfile serviceAccountName \
            shareProcessNamespace "c.image == variables.builderImage" "expression: '\"ghcr.io/twinbuild/builder:0.1.0\"'"; do
  grep -qF -- "$want" <<<"$vap" || missing+="$want "
done
[[ -z "$missing" ]] && ok "admission policy: token, host namespaces/ports, volumes, privilege, capabilities, root, seccomp, account, grants only to the upload container" ||
  ko "admission policy: rules missing: $missing" "$vap"
out="$(render --set admissionPolicy.enabled=false)" && ! grep -q ValidatingAdmissionPolicy <<<"$out" &&
  ok "admissionPolicy.enabled=false: none" || ko "admissionPolicy.enabled=false"

# --- the builder NetworkPolicy ------------------------------------------------------------------------
np="$(render --set 'operator.watchNamespaces={team-a}' --show-only templates/networkpolicy.yaml)"
if grep -q 'kind: NetworkPolicy' <<<"$np" && grep -q 'namespace: team-a' <<<"$np" &&
   grep -q 'policyTypes: \[Ingress, Egress\]' <<<"$np" && grep -q 'ingress: \[\]' <<<"$np" &&
   grep -q 'app.kubernetes.io/component: builder' <<<"$np"; then
  ok "networkPolicy: builder pods in each watched namespace, no ingress"
else
  ko "networkPolicy: shape" "$np"
fi
miss=""
for cidr in 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 169.254.0.0/16 100.64.0.0/10 fc00::/7 fe80::/10; do
  grep -qF -- "$cidr" <<<"$np" || miss+="$cidr "
done
[[ -z "$miss" ]] && grep -q 'port: 53' <<<"$np" && grep -q 'cidr: 0.0.0.0/0' <<<"$np" &&
  ok "networkPolicy: egress to DNS and the internet, not to cluster-internal ranges or 169.254.0.0/16" ||
  ko "networkPolicy: egress (missing: $miss)" "$np"
np="$(render --set 'networkPolicy.namespaces={x,y}' \
  --set-json 'networkPolicy.extraEgress=[{"to":[{"podSelector":{"matchLabels":{"app":"minio"}}}],"ports":[{"port":9000}]}]' \
  --show-only templates/networkpolicy.yaml)"
# builder and check pods' policies in x and y
[[ "$(grep -c 'kind: NetworkPolicy' <<<"$np")" -eq 4 ]] && grep -q 'app: minio' <<<"$np" &&
  ok "networkPolicy: namespaces and extraEgress" || ko "networkPolicy: namespaces/extraEgress" "$np"
out="$(render)" && ! grep -q 'kind: NetworkPolicy' <<<"$out" && ok "networkPolicy: none without namespaces" ||
  ko "networkPolicy: rendered without namespaces"

# --- refused values -------------------------------------------------------------------------------
refuse() { # refuse DESCRIPTION EXPECTED_REGEX HELM_ARGS...
  local what="$1" re="$2" o; shift 2
  if o="$(render "$@")"; then ko "refuses $what (rendered)"
  elif grep -Eq -- "$re" <<<"$o"; then ok "refuses $what"
  else ko "refuses $what (wrong message)" "$o"; fi
}
refuse "runAsUser 0" 'runAsUser.*(Must be greater than or equal to 1|minimum)' --set builder.runAsUser=0
refuse "an unknown pull policy" 'pullPolicy' --set operator.image.pullPolicy=Sometimes
refuse "an unknown key" "(Additional property|additional properties) .*colour" --set colour=blue
refuse "a bad duration" 'initialBackoff' --set retry.initialBackoff=soon
refuse "a bad quantity" 'memory' --set builder.resources.limits.memory=lots
refuse "two default stores" 'either store.s3 or store.pvc' --set store.s3.endpoint=http://s3 --set store.s3.bucket=artifacts --set store.pvc.claimName=c
refuse "an S3 endpoint without bucket" 'store.s3.bucket is required' --set store.s3.endpoint=http://s3
refuse "a policy S3 store without bucket" 'policy/stores/s3|policy.stores.s3' --set 'policy.stores.s3={http://minio:9000}'
refuse "a quote in policy.builderImages" 'builderImages' --set-json 'policy.builderImages=["a\u0027b"]'
refuse "an S3 endpoint that is no URL" 'store/s3/endpoint|store.s3.endpoint' --set store.s3.endpoint=s3.example --set store.s3.bucket=artifacts

echo "$passed passed, $failed failed"
((failed == 0))
