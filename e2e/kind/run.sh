#!/usr/bin/env bash
# The e2e suite on Kind, for machines with Docker (and CI: .github/workflows/e2e-kind.yml). The same
# suite and the same install as on the local cluster; only the cluster and the image build differ.
#
#   e2e/kind/run.sh
#
# 1. jars (Maven, if missing) and the Docker build context (e2e/images/build.sh context);
# 2. `docker build` of builder, operator and s3proxy from e2e/kind/Dockerfile;
# 3. `kind create cluster` (1 control plane, 2 workers: e2e/kind/cluster.yaml), `kind load docker-image`;
# 4. e2e/install-operator.sh with those images (chart, CRDs, s3proxy store), then e2e/suite/run.sh;
# 5. `kind delete cluster`, always (KIND_KEEP=1 keeps it).
#
# Needs: docker, kind (v0.29.0: `go install sigs.k8s.io/kind@v0.29.0`), kubectl, Java 17, Go >= 1.24
# (for the pinned Helm, helm/helm-binary.sh). Environment: KIND_CLUSTER_NAME (twinbuild-e2e),
# KIND_NODE_IMAGE (kind v0.29.0's Kubernetes 1.33.1 image), KIND_KEEP.
set -euo pipefail

KIND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E="$(dirname "$KIND_DIR")"
CLUSTER="${KIND_CLUSTER_NAME:-twinbuild-e2e}"
NODE_IMAGE="${KIND_NODE_IMAGE:-kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f}"
TARGET="$E2E/target/kind"
start=$SECONDS
log() { printf '[%s] kind-e2e: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in docker kind kubectl java; do
  command -v "$tool" >/dev/null || { log "missing $tool"; exit 2; }
done
mkdir -p "$TARGET"

cleanup() {
  local rc=$?
  if [[ "${KIND_KEEP:-}" == 1 ]]; then
    log "keeping cluster $CLUSTER (kind delete cluster --name $CLUSTER)"
  else
    kind delete cluster --name "$CLUSTER" >&2 || true
  fi
  log "done in $((SECONDS - start))s, exit $rc"
  exit "$rc"
}
trap cleanup EXIT

log "build context"
eval "$("$E2E/images/build.sh" context "$TARGET/context")"   # sets VERSION, S3PROXY_VERSION
# Tags carry a content hash, as on the local cluster, so a changed jar is a new image.
tag_of() { cat "$@" | sha256sum | cut -c1-12; }
ctx="$TARGET/context"
BUILDER_IMAGE="docker.io/twinbuild/builder:$VERSION-$(tag_of "$KIND_DIR/Dockerfile" "$ctx/packages.txt" "$ctx/twinbuild.jar" "$ctx/twinbuild.sh")"
OPERATOR_IMAGE="docker.io/twinbuild/operator:$VERSION-$(tag_of "$KIND_DIR/Dockerfile" "$ctx/packages-jre.txt" "$ctx/twinbuild-operator.jar" "$ctx/operator.sh")"
S3PROXY_IMAGE="docker.io/twinbuild/s3proxy:$S3PROXY_VERSION-$(tag_of "$KIND_DIR/Dockerfile" "$ctx/packages-jre.txt" "$ctx/s3proxy.jar" "$ctx/s3proxy.sh")"
export BUILDER_IMAGE OPERATOR_IMAGE S3PROXY_IMAGE

log "docker build"
for target in builder operator s3proxy; do
  case "$target" in builder) ref="$BUILDER_IMAGE" ;; operator) ref="$OPERATOR_IMAGE" ;; s3proxy) ref="$S3PROXY_IMAGE" ;; esac
  DOCKER_BUILDKIT=1 docker build --target "$target" -t "$ref" -f "$KIND_DIR/Dockerfile" "$ctx" >&2
done

log "kind cluster $CLUSTER"
if ! kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  kind create cluster --name "$CLUSTER" --config "$KIND_DIR/cluster.yaml" --image "$NODE_IMAGE" --wait 180s >&2
fi
export KUBECONFIG="$TARGET/kubeconfig"
kind get kubeconfig --name "$CLUSTER" >"$KUBECONFIG"
kubectl wait --for=condition=Ready node --all --timeout=180s >&2
kind load docker-image --name "$CLUSTER" "$BUILDER_IMAGE" "$OPERATOR_IMAGE" "$S3PROXY_IMAGE" >&2

log "install"
"$E2E/install-operator.sh"

log "suite"
"$E2E/suite/run.sh" "$@"
