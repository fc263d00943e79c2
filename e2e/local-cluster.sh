#!/usr/bin/env bash
# A real multi-node Kubernetes made of plain processes, for machines without Docker/Kind:
# one control plane (etcd, kube-apiserver with TLS + RBAC + Node authorizer, controller-manager,
# scheduler) in the host network namespace and two workers, each in its own network namespace
# with its own containerd, kubelet and kube-proxy. Images are built locally and imported.
#
# Usage: e2e/local-cluster.sh up | down | status | load-image FILE.tar... | env | stop-node NODE | start-node NODE
#   up          start (or complete) the cluster; writes e2e/target/kubeconfig; idempotent
#   down        stop every process `up` started and remove all state, netns, links, rules, mounts
#   status      show what runs
#   load-image  import image tarballs (OCI layout or docker-archive) into every node's containerd
#   env         print `export KUBECONFIG=… PATH=…` for the cluster (eval "$(e2e/local-cluster.sh env)")
#   stop-node   stop a worker's kubelet, kube-proxy and containerd (a lost node); start-node: back
# Needs root (network namespaces, mounts, cgroups).
# shellcheck disable=SC2034 # settings below are read by the sourced lib/*.sh
set -euo pipefail

E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB="$E2E/lib"
. "$LIB/common.sh"
. "$LIB/procs.sh"
. "$LIB/pki.sh"
. "$LIB/net.sh"
. "$LIB/node.sh"
. "$LIB/images.sh"

TARGET="$E2E/target"
STATE="${TWINBUILD_E2E_STATE:-$TARGET/cluster}"
# Unix socket paths are limited to 108 bytes, so sockets and runtime state live under /run.
RUN="/run/twinbuild-e2e"
PKI="$STATE/pki"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
KUBECONFIG_OUT="$TARGET/kubeconfig"
IMAGE_CACHE="${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}/images"
CNI_BIN_DIR="/usr/lib/cni"

# Addressing (all private, only used inside namespaces and on the bridge created here).
BRIDGE="tbe2e0"
API_IP="10.200.0.1"
API_PORT=6443
NODE_NAMES=(twinbuild-worker1 twinbuild-worker2)
NODE_NS=(tbe2e-worker1 tbe2e-worker2)
NODE_IPS=(10.200.0.11 10.200.0.12)
POD_CIDRS=(10.201.1.0/24 10.201.2.0/24)
CLUSTER_CIDR="10.201.0.0/16"
SERVICE_CIDR="10.0.0.0/24"
SERVICE_API_IP="10.0.0.1"
# Not the default 2379/2380, so a system etcd or another test's etcd does not collide.
ETCD_PORT=12379
ETCD_PEER_PORT=12380

kubectl_admin() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"; }

ensure_packages() {
  [[ $EUID -eq 0 ]] || die "must run as root (network namespaces, mounts, cgroups)"
  need_pkg containerd containerd runc runc containernetworking-plugins "$CNI_BIN_DIR/bridge" \
    iptables iptables iproute2 ip busybox-static /bin/busybox conntrack conntrack \
    openssl openssl util-linux nsenter procps sysctl curl curl nftables nft \
    gcc gcc libc6-dev /usr/lib/x86_64-linux-gnu/libc.a
}

ensure_binaries() {
  BIN="$("$E2E/k8s-binaries.sh" | tail -1)"
  [[ -x "$BIN/kube-apiserver" ]] || die "k8s-binaries.sh did not produce binaries"
}

# ---- control plane --------------------------------------------------------------------------

etcd_up() {
  mkdir -p "$STATE/etcd"
  chmod 700 "$STATE/etcd"
  start_proc etcd -- "$BIN/etcd" --name=twinbuild-e2e --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="twinbuild-e2e=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls="" --log-level=warn
  wait_for etcd 60 curl -fsS "http://127.0.0.1:$ETCD_PORT/health"
}

apiserver_up() {
  start_proc kube-apiserver -- "$BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address="$API_IP" --advertise-address="$API_IP" --secure-port="$API_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" \
    --kubelet-preferred-address-types=InternalIP \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --service-account-issuer="https://kubernetes.default.svc.cluster.local" \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --allow-privileged=true \
    --profiling=false \
    --v=1
  wait_for "kube-apiserver /readyz" 120 kubectl_admin get --raw /readyz
}

controllers_up() {
  write_kubeconfig "$STATE/controller-manager.kubeconfig" controller-manager "https://$API_IP:$API_PORT"
  write_kubeconfig "$STATE/scheduler.kubeconfig" scheduler "https://$API_IP:$API_PORT"
  # Node CIDRs are static per node (CNI config), so the controller-manager does not allocate them.
  start_proc kube-controller-manager -- "$BIN/kube-controller-manager" \
    --kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10257 \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --allocate-node-cidrs=false \
    --profiling=false \
    --v=1
  start_proc kube-scheduler -- "$BIN/kube-scheduler" \
    --kubeconfig="$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig="$STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig="$STATE/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10259 \
    --leader-elect=false \
    --profiling=false \
    --v=1
}

# ---- nodes ----------------------------------------------------------------------------------

nodes_up() {
  local i tar
  local images=("$(build_pause_image)" "$(build_busybox_image)")
  for i in "${!NODE_NAMES[@]}"; do
    node_configure "$i"
    node_cgroups "${NODE_NAMES[$i]}"
    node_containerd_up "$i"
    node_has_image "$i" "$PAUSE_IMAGE" && node_has_image "$i" "$BUSYBOX_IMAGE" ||
      for tar in "${images[@]}"; do node_import "$i" "$tar"; done
    node_kubelet_up "$i"
  done
  for i in "${!NODE_NAMES[@]}"; do
    wait_for "node ${NODE_NAMES[$i]} to register" 120 kubectl_admin get node "${NODE_NAMES[$i]}"
  done
  kubectl_admin wait --for=condition=Ready node --all --timeout=180s >&2
}

# A pod per node checks what the operator will need: it runs, and reaches the apiserver through
# the kubernetes Service (ClusterIP via kube-proxy) with its service account token.
smoke_test() {
  local i name pods=()
  # A previous run's namespace may still be terminating.
  kubectl_admin wait --for=delete namespace/twinbuild-e2e-smoke --timeout=120s >/dev/null 2>&1 || true
  kubectl_admin create namespace twinbuild-e2e-smoke --dry-run=client -o yaml | kubectl_admin apply -f - >/dev/null
  wait_for "default service account" 60 kubectl_admin -n twinbuild-e2e-smoke get serviceaccount default
  for i in "${!NODE_NAMES[@]}"; do
    name="smoke-${NODE_NAMES[$i]}"
    pods+=("$name")
    kubectl_admin -n twinbuild-e2e-smoke delete pod "$name" --ignore-not-found --wait=true >/dev/null
    kubectl_admin -n twinbuild-e2e-smoke apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $name}
spec:
  nodeSelector: {kubernetes.io/hostname: ${NODE_NAMES[$i]}}
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: check
    image: $BUSYBOX_IMAGE
    imagePullPolicy: Never
    command: [/bin/sh, -c]
    args:
    - |
      set -e
      sa=/var/run/secrets/kubernetes.io/serviceaccount
      test -s \$sa/token
      wget -q -O - --no-check-certificate --header "Authorization: Bearer \$(cat \$sa/token)" \
        "https://\$KUBERNETES_SERVICE_HOST:\$KUBERNETES_SERVICE_PORT/version" | grep -q gitVersion
      echo "api reachable via \$KUBERNETES_SERVICE_HOST:\$KUBERNETES_SERVICE_PORT from \$(hostname)"
EOF
  done
  for name in "${pods[@]}"; do
    if ! kubectl_admin -n twinbuild-e2e-smoke wait --for=jsonpath='{.status.phase}'=Succeeded \
        "pod/$name" --timeout=120s >/dev/null; then
      kubectl_admin -n twinbuild-e2e-smoke describe pod "$name" >&2 || true
      kubectl_admin -n twinbuild-e2e-smoke logs "$name" >&2 || true
      die "smoke test pod $name did not succeed"
    fi
    log "smoke: $(kubectl_admin -n twinbuild-e2e-smoke logs "$name")"
  done
  kubectl_admin delete namespace twinbuild-e2e-smoke --wait=false >/dev/null
}

# Hook for the operator install (Helm chart, written elsewhere).
install_operator() {
  if [[ -x "$E2E/install-operator.sh" ]]; then
    # Pods cannot reach deb.debian.org: packages layers fetch from the host (the suite's debian-live
    # test serves the locked .debs there, e2e/suite/deb-mirror.py).
    KUBECONFIG="$KUBECONFIG_OUT" PATH="$BIN:$PATH" \
      TWINBUILD_E2E_PACKAGE_MIRROR="${TWINBUILD_E2E_PACKAGE_MIRROR-http://$API_IP:18480}" "$E2E/install-operator.sh"
  else
    log "no e2e/install-operator.sh: operator not installed"
  fi
}

# ---- commands -------------------------------------------------------------------------------

cmd_up() {
  local start=$SECONDS
  ensure_packages
  ensure_binaries
  mkdir -p "$STATE" "$RUN" "$PIDS" "$LOGS"
  echo "$BIN" >"$STATE/bin-dir"
  host_paths_record
  pki_init
  write_kubeconfig "$KUBECONFIG_OUT" admin "https://$API_IP:$API_PORT"
  net_up
  etcd_up
  apiserver_up
  controllers_up
  nodes_up
  smoke_test
  install_operator
  log "cluster up in $((SECONDS - start))s; export KUBECONFIG=$KUBECONFIG_OUT"
  "$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" get nodes -o wide >&2
}

cmd_down() {
  local i
  # Stop all kubelets before touching any node's containers, so none reschedules anything.
  local kubelets=()
  for i in "${!NODE_NAMES[@]}"; do kubelets+=("kubelet-${NODE_NAMES[$i]}" "kube-proxy-${NODE_NAMES[$i]}"); done
  stop_procs "${kubelets[@]}"
  for i in "${!NODE_NAMES[@]}"; do node_down "$i"; done
  stop_procs kube-scheduler kube-controller-manager
  stop_procs kube-apiserver
  stop_procs etcd
  unmount_under "$RUN" "$STATE"
  net_down
  host_paths_cleanup
  rm -rf "$RUN" "$STATE" "$KUBECONFIG_OUT"
  rmdir "$TARGET" 2>/dev/null || true
  log "cluster down"
}

# Some paths are fixed in kubelet/containerd/libcni whatever their root dirs are:
# /var/log/containers (kubelet's log symlinks), /var/lib/kubelet/device-plugins (its device plugin
# socket), /var/lib/cni/results (libcni's cache), /run/containerd/s (containerd 1.6 shim sockets).
# `up` records which of them did not exist, so `down` removes only what this cluster created.
HOST_PATHS=(/run/containerd /var/log/containers /var/lib/kubelet /var/lib/cni)
host_paths_record() {
  [[ -e "$STATE/created-host-paths" ]] && return 0
  local p
  for p in "${HOST_PATHS[@]}"; do [[ -e "$p" ]] || echo "$p"; done >"$STATE/created-host-paths"
}
host_paths_cleanup() {
  local l p
  # Our kubelets' log symlinks point into our state dir.
  for l in /var/log/containers/*.log; do
    [[ -L "$l" && "$(readlink "$l")" == "$STATE/"* ]] && rm -f "$l"
  done
  [[ -s "$STATE/created-host-paths" ]] || return 0
  while read -r p; do
    [[ -n "$p" && -d "$p" ]] || continue
    [[ "$p" == /var/lib/kubelet ]] && rm -f /var/lib/kubelet/device-plugins/kubelet.sock
    find "$p" -depth -type d -empty -delete 2>/dev/null || true
  done <"$STATE/created-host-paths"
}

# Unmounts everything mounted below the given directories, deepest first (kubelet volumes,
# container rootfs, pod netns bind mounts, containerd's own mounts).
unmount_under() {
  local d m
  for d in "$@"; do
    [[ -d "$d" ]] || continue
    d="$(readlink -f "$d")"
    while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
    done < <(awk -v p="$d/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | awk '{print length, $0}' | sort -rn | cut -d' ' -f2-)
  done
}

cmd_status() {
  local f name rc=0
  shopt -s nullglob
  for f in "$PIDS"/*.pid; do
    name="$(basename "$f" .pid)"
    if proc_alive "$name"; then printf '%-36s running (pid %s)\n' "$name" "$(proc_pid "$name")"
    else printf '%-36s DEAD\n' "$name"; rc=1; fi
  done
  [[ -e "$PIDS" ]] || { echo "cluster is down"; return 0; }
  BIN="$(cat "$STATE/bin-dir" 2>/dev/null || "$E2E/k8s-binaries.sh" 2>/dev/null | tail -1)"
  kubectl_admin get nodes -o wide 2>&1 || rc=1
  kubectl_admin get pods -A -o wide 2>&1 || rc=1
  return $rc
}

cmd_load_image() {
  (($#)) || die "usage: $0 load-image FILE.tar..."
  local i f
  for f in "$@"; do
    [[ -s "$f" ]] || die "no such image tarball: $f"
    for i in "${!NODE_NAMES[@]}"; do
      proc_alive "containerd-${NODE_NAMES[$i]}" || die "cluster is not up (containerd-${NODE_NAMES[$i]})"
      node_import "$i" "$f"
      log "imported $f into ${NODE_NAMES[$i]}"
    done
  done
}

# A lost node, for the suite's lost-node test: its kubelet, kube-proxy and containerd stop (the
# containers' shims go on running, as on a node cut off from the control plane); start-node brings them back.
node_index() {
  local i
  for i in "${!NODE_NAMES[@]}"; do [[ "${NODE_NAMES[$i]}" == "$1" ]] && { echo "$i"; return 0; }; done
  die "no node $1 (nodes: ${NODE_NAMES[*]})"
}
cmd_stop_node() {
  local name="${1:?usage: $0 stop-node NODE}"
  node_index "$name" >/dev/null
  stop_procs "kube-proxy-$name" "kubelet-$name" "containerd-$name"
  log "stopped kubelet, kube-proxy and containerd of $name"
}
cmd_start_node() {
  local name="${1:?usage: $0 start-node NODE}" i
  i="$(node_index "$name")"
  BIN="$(cat "$STATE/bin-dir")"
  proc_alive "containerd-$name" || node_containerd_up "$i"
  proc_alive "kubelet-$name" || node_kubelet_up "$i"
  kubectl_admin wait --for=condition=Ready "node/$name" --timeout=180s >&2
}

cmd_env() {
  [[ -s "$STATE/bin-dir" ]] || die "cluster is down"
  BIN="$(cat "$STATE/bin-dir")"
  printf 'export KUBECONFIG=%q\nexport PATH=%q:"$PATH"\n' "$KUBECONFIG_OUT" "$BIN"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  load-image) shift; cmd_load_image "$@" ;;
  env) cmd_env ;;
  stop-node) shift; cmd_stop_node "$@" ;;
  start-node) shift; cmd_start_node "$@" ;;
  *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
