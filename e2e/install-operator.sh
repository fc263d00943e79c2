#!/usr/bin/env bash
# Installs (or upgrades) Twinbuild into the cluster of $KUBECONFIG, the way the e2e suite expects it:
#   1. images: built by e2e/images/build.sh and loaded into every node of the local cluster
#      (`e2e/local-cluster.sh load-image`), unless BUILDER_IMAGE, OPERATOR_IMAGE and S3PROXY_IMAGE
#      are given, already loaded by the caller (e2e/kind/run.sh does that);
#   2. the e2e artifact store: s3proxy in the operator's namespace (examples/e2e/s3proxy-store.yaml);
#   3. the chart from helm/twinbuild: its CRDs applied server-side first (Helm itself never upgrades
#      crds/), then `helm upgrade --install` with the images and the store as the default;
#   4. waits until the operator Deployment is available.
# Idempotent: a second run changes nothing unless an image or the chart changed.
#
# local-cluster.sh `up` calls it with KUBECONFIG and PATH (kubectl) set. Environment:
#   TWINBUILD_NAMESPACE (twinbuild-system), TWINBUILD_RELEASE (twinbuild),
#   TWINBUILD_E2E_PULL_POLICY (IfNotPresent), TWINBUILD_HELM_ARGS (extra `helm upgrade` arguments),
#   TWINBUILD_E2E_PACKAGE_MIRROR (packages.mirrorOverride: where builder pods fetch locked .debs; unset:
#   the lock's mirror).
set -euo pipefail

E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$E2E")"
# shellcheck source=/dev/null
. "$E2E/lib/common.sh"

NS="${TWINBUILD_NAMESPACE:-twinbuild-system}"
RELEASE="${TWINBUILD_RELEASE:-twinbuild}"
PULL_POLICY="${TWINBUILD_E2E_PULL_POLICY:-IfNotPresent}"
CHART="$ROOT/helm/twinbuild"
: "${KUBECONFIG:?KUBECONFIG must point at the cluster}"
export KUBECONFIG

step() { log "install: $*"; STEP_START=$SECONDS; }
took() { log "install: ... $((SECONDS - STEP_START))s"; }

diagnose() {
  log "install failed; cluster state follows"
  kubectl get nodes -o wide >&2 || true
  kubectl -n "$NS" get all -o wide >&2 || true
  kubectl -n "$NS" get events --sort-by=.lastTimestamp >&2 2>/dev/null | tail -30 >&2 || true
  local p
  for p in $(kubectl -n "$NS" get pods -o name 2>/dev/null); do
    kubectl -n "$NS" describe "$p" 2>/dev/null | tail -25 >&2 || true
    kubectl -n "$NS" logs "$p" --all-containers --tail=60 >&2 2>/dev/null || true
    kubectl -n "$NS" logs "$p" --all-containers --tail=60 --previous >&2 2>/dev/null || true
  done
}

# Imports each image tarball into the nodes that do not report the image yet.
load_images() {
  local ref tar missing node
  while (($#)); do
    ref="$1" tar="$2"; shift 2
    missing=0
    for node in $(kubectl get nodes -o name); do
      kubectl get "$node" -o jsonpath='{range .status.images[*]}{range .names[*]}{@}{"\n"}{end}{end}' |
        grep -qxF "$ref" || missing=1
    done
    if ((missing)); then
      "$E2E/local-cluster.sh" load-image "$tar"
    else
      log "install: $ref already on every node"
    fi
  done
}

main() {
  local start=$SECONDS
  trap diagnose ERR

  step "images"
  if [[ -n "${BUILDER_IMAGE:-}" && -n "${OPERATOR_IMAGE:-}" && -n "${S3PROXY_IMAGE:-}" ]]; then
    log "install: using the given images (loaded by the caller)"
  else
    "$E2E/images/build.sh" >/dev/null
    # shellcheck disable=SC1091
    . "${TWINBUILD_IMAGES_OUT:-$E2E/target/images}/images.env"
    load_images "$BUILDER_IMAGE" "$BUILDER_TAR" "$OPERATOR_IMAGE" "$OPERATOR_TAR" "$S3PROXY_IMAGE" "$S3PROXY_TAR"
  fi
  took

  step "namespace $NS and the s3proxy store"
  kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # The store stays on the first worker (its data is a hostPath there).
  local store_node
  store_node="$(kubectl get nodes -l '!node-role.kubernetes.io/control-plane' -o name | sort | head -1)"
  store_node="${store_node#node/}"
  [[ -n "$store_node" ]] || die "no worker node for the store"
  sed -e "s|@NAMESPACE@|$NS|g" -e "s|@IMAGE@|$S3PROXY_IMAGE|g" -e "s|@PULL_POLICY@|$PULL_POLICY|g" \
    -e "s|@STORE_NODE@|$store_node|g" -e "s|@STORE_DIR@|${TWINBUILD_E2E_STORE_DIR:-/run/twinbuild-e2e/s3-data}|g" \
    "$ROOT/examples/e2e/s3proxy-store.yaml" | kubectl apply -f - >/dev/null
  kubectl -n "$NS" rollout status deployment/s3proxy --timeout=180s >&2
  local s3_ip
  s3_ip="$(kubectl -n "$NS" get service s3proxy -o jsonpath='{.spec.clusterIP}')"
  [[ -n "$s3_ip" ]] || die "the s3proxy Service has no ClusterIP"
  took

  step "CRDs from $CHART/crds"
  kubectl apply --server-side --force-conflicts --field-manager=twinbuild-install -f "$CHART/crds/" >/dev/null
  # Right after the create, status.conditions may not exist yet, which `kubectl wait` takes for an error.
  local i
  for i in $(seq 30); do
    kubectl wait --for=condition=Established crd/systemimages.twinbuild.dev --timeout=60s >/dev/null 2>&1 && break
    ((i < 30)) || kubectl wait --for=condition=Established crd/systemimages.twinbuild.dev --timeout=60s >/dev/null
    sleep 1
  done
  took

  step "helm upgrade --install $RELEASE"
  local helm
  helm="$("$ROOT/helm/helm-binary.sh" | tail -1)"
  # policy.builderImages: the suite's image-pull test names a builder image under registry.invalid (a
  # name no node has and none can pull), which the policy must let through to the kubelet.
  # shellcheck disable=SC2086
  "$helm" upgrade --install "$RELEASE" "$CHART" --namespace "$NS" \
    --set-string operator.image.repository="${OPERATOR_IMAGE%:*}" \
    --set-string operator.image.tag="${OPERATOR_IMAGE##*:}" \
    --set-string operator.image.pullPolicy="$PULL_POLICY" \
    --set-string builder.image.repository="${BUILDER_IMAGE%:*}" \
    --set-string builder.image.tag="${BUILDER_IMAGE##*:}" \
    --set-string builder.image.pullPolicy="$PULL_POLICY" \
    --set-string store.s3.endpoint="http://$s3_ip:80" \
    --set-string store.s3.bucket=twinbuild \
    --set-string store.s3.credentialsSecret=twinbuild-s3 \
    --set builder.resources.requests.cpu=200m --set builder.resources.requests.memory=512Mi \
    --set builder.resources.limits.memory=2Gi \
    --set-string retry.initialBackoff=5s \
    --set-string lostPodGrace=15s \
    --set-string 'policy.builderImages[0]=registry.invalid/twinbuild/*' \
    ${TWINBUILD_E2E_PACKAGE_MIRROR:+--set-string packages.mirrorOverride="$TWINBUILD_E2E_PACKAGE_MIRROR"} \
    ${TWINBUILD_HELM_ARGS:-} \
    --wait --timeout 5m >&2
  took

  step "operator ready"
  kubectl -n "$NS" rollout status "deployment/$RELEASE-operator" --timeout=180s >&2
  kubectl -n "$NS" wait --for=condition=Available "deployment/$RELEASE-operator" --timeout=60s >/dev/null
  took
  trap - ERR
  log "install: Twinbuild installed in $NS in $((SECONDS - start))s (operator $OPERATOR_IMAGE, builder $BUILDER_IMAGE, store http://$s3_ip:80)"
}

main "$@"
