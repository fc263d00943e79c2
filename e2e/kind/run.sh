#!/usr/bin/env bash
# The e2e suite on Kind: the same suite and the same install as on the local cluster; only the cluster
# differs. Runs without any image registry.
#
#   flock /tmp/twinbuild-e2e.lock e2e/kind/run.sh [TEST...]    # TEST: names of e2e/suite/run.sh
#
# 1. a Docker engine (e2e/kind/docker.sh: the running one, or dockerd started here and stopped at the end);
# 2. kind v0.29.0 built from the Go module proxy (e2e/kind/go-build.sh kind);
# 3. the node image: TWINBUILD_KIND_NODE=local (default) builds it here (e2e/kind/node-image.sh, cached),
#    =upstream uses kind v0.29.0's kindest/node v1.33.1 by digest (needs docker.io reachable);
# 4. Twinbuild's images from e2e/images/build.sh (no Docker build, no pull), `kind load image-archive`;
# 5. `kind create cluster` (1 control plane, 2 workers: e2e/kind/cluster.yaml), e2e/install-operator.sh,
#    e2e/suite/run.sh (with its `dns` test: CoreDNS resolves the store's Service name);
# 6. `kind delete cluster`, always (KIND_KEEP=1 keeps it).
# Ends with "N passed, M failed" (the suite's) and exits non-zero on any failure.
#
# Needs root (mmdebstrap, dockerd), Debian bookworm. Environment: KIND_CLUSTER_NAME (twinbuild-e2e),
# TWINBUILD_KIND_NODE (local|upstream), KIND_NODE_IMAGE (overrides both), KIND_KEEP.
set -euo pipefail

KIND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E="$(dirname "$KIND_DIR")"
CLUSTER="${KIND_CLUSTER_NAME:-twinbuild-e2e}"
UPSTREAM_NODE_IMAGE="kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f"
TARGET="$E2E/target/kind"
start=$SECONDS
log() { printf '[%s] kind-e2e: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
mark() { log "$1: $((SECONDS - ${2:-$start}))s"; }
mkdir -p "$TARGET"

docker_started=""
cleanup() {
  local rc=$?
  if [[ -n "${KIND:-}" ]]; then
    if [[ "${KIND_KEEP:-}" == 1 ]]; then
      log "keeping cluster $CLUSTER ($KIND delete cluster --name $CLUSTER)"
    else
      local t=$SECONDS
      "$KIND" delete cluster --name "$CLUSTER" >&2 || true
      mark "kind delete" "$t"
    fi
  fi
  if [[ -n "$docker_started" && "${KIND_KEEP:-}" != 1 ]]; then "$KIND_DIR/docker.sh" stop || true; fi
  log "done in $((SECONDS - start))s, exit $rc"
  exit "$rc"
}
trap cleanup EXIT

t=$SECONDS
[[ "$("$KIND_DIR/docker.sh" start)" == started ]] && docker_started=1
mark "docker engine" "$t"

t=$SECONDS
KIND="$("$KIND_DIR/go-build.sh" kind | tail -1)"
# kubectl: the one built for the local cluster (v1.33.13), or the one on PATH when that is not built
if [[ "${TWINBUILD_KIND_NODE:-local}" == local ]] || ! command -v kubectl >/dev/null; then
  PATH="$("$E2E/k8s-binaries.sh" | tail -1):$PATH"; export PATH
fi
mark "kind and kubectl" "$t"

t=$SECONDS
case "${KIND_NODE_IMAGE:+set}${TWINBUILD_KIND_NODE:-local}" in
  set*) NODE_IMAGE="$KIND_NODE_IMAGE" ;;
  local) NODE_IMAGE="$("$KIND_DIR/node-image.sh" | tail -1)" ;;
  upstream) NODE_IMAGE="$UPSTREAM_NODE_IMAGE" ;;
  *) log "TWINBUILD_KIND_NODE must be local or upstream"; exit 2 ;;
esac
mark "node image $NODE_IMAGE" "$t"

t=$SECONDS
"$E2E/images/build.sh" >/dev/null
# shellcheck disable=SC1091
. "${TWINBUILD_IMAGES_OUT:-$E2E/target/images}/images.env"
export BUILDER_IMAGE OPERATOR_IMAGE S3PROXY_IMAGE
mark "Twinbuild images" "$t"

t=$SECONDS
if "$KIND" get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  log "cluster $CLUSTER exists; reusing it"
else
  "$KIND" create cluster --name "$CLUSTER" --config "$KIND_DIR/cluster.yaml" --image "$NODE_IMAGE" --wait 300s >&2
fi
export KUBECONFIG="$TARGET/kubeconfig"
"$KIND" get kubeconfig --name "$CLUSTER" >"$KUBECONFIG"
kubectl wait --for=condition=Ready node --all --timeout=300s >&2
kubectl -n kube-system rollout status deployment/coredns --timeout=180s >&2
mark "kind create cluster" "$t"

t=$SECONDS
for tar in "$BUILDER_TAR" "$OPERATOR_TAR" "$S3PROXY_TAR"; do
  "$KIND" load image-archive --name "$CLUSTER" "$tar" >&2
done
mark "kind load (3 images x 3 nodes)" "$t"

# debian-live: builder pods fetch the lock's .debs from the host (e2e/suite/deb-mirror.py serves them
# on the Kind network's gateway, which is this machine).
gateway="$(docker network inspect kind -f '{{range .IPAM.Config}}{{if .Gateway}}{{.Gateway}} {{end}}{{end}}' | tr ' ' '\n' | grep -m1 -F . || true)"
if [[ -z "$gateway" ]]; then   # IPAM left it to the driver: the bridge's own IPv4 address
  gateway="$(ip -4 -o addr show "br-$(docker network inspect kind -f '{{.Id}}' | cut -c1-12)" | awk '{print $4}' | cut -d/ -f1 | head -1)"
fi
[[ -n "$gateway" ]] && export TWINBUILD_E2E_PACKAGE_MIRROR="${TWINBUILD_E2E_PACKAGE_MIRROR:-http://$gateway:18480}"

# The store's hostPath: /run in a Kind node is a tmpfs, whose pages count against the s3proxy pod's memory
# limit (the suite stores GBs: OOMKilled in a loop); /var is the node's disk.
export TWINBUILD_E2E_STORE_DIR="${TWINBUILD_E2E_STORE_DIR:-/var/lib/twinbuild-e2e/s3-data}"
t=$SECONDS
"$E2E/install-operator.sh"
mark "install" "$t"

t=$SECONDS
rc=0
# lost-node stops a worker's kubelet and containerd inside its node container (docker exec)
export TWINBUILD_E2E_CLUSTER=kind
"$E2E/suite/run.sh" "$@" | tee "$TARGET/suite.log" || rc=1
mark "suite" "$t"
exit "$rc"
