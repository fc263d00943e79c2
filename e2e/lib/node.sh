# shellcheck shell=bash
# Worker nodes: per node a containerd, a kubelet and a kube-proxy, all inside the node's network
# namespace and with their own roots, sockets, ports and cgroup root — two kubelets sharing any
# of these delete each other's pods. Sourced by local-cluster.sh.

node_dir() { echo "$STATE/nodes/$1"; }
node_run() { echo "$RUN/$1"; }
node_sock() { echo "$(node_run "$1")/containerd.sock"; }
node_cgroup() { echo "/twinbuild-e2e-$1"; }

node_configure() {
  local i="$1" name="${NODE_NAMES[$1]}" dir run
  dir="$(node_dir "$name")" run="$(node_run "$name")"
  mkdir -p "$dir"/{containerd,cni/net.d,cni/ipam,kubelet,pod-logs} "$run"

  # host-local keeps its leases under our state dir, and each node owns a disjoint pod range.
  write_file "$dir/cni/net.d/10-twinbuild.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "twinbuild-e2e",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$dir/cni/ipam",
        "ranges": [[{"subnet": "${POD_CIDRS[$i]}"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF

  # restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so containerd must not lower scores.
  # netns_mounts_under_state_dir: pod netns bind mounts live (and get cleaned) under our run dir.
  write_file "$dir/containerd.toml" <<EOF
version = 2
root = "$dir/containerd"
state = "$run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$(node_sock "$name")"
[ttrpc]
  address = "$(node_sock "$name").ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$dir/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        # runc's default state root (/run/containerd/runc) would be shared by both nodes.
        Root = "$run/runc"
EOF

  write_file "$dir/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IPS[$i]}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet-$name-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-$name-serving.key
rotateCertificates: false
serverTLSBootstrap: false
containerRuntimeEndpoint: unix://$(node_sock "$name")
cgroupDriver: cgroupfs
cgroupRoot: $(node_cgroup "$name")
cgroupsPerQOS: true
# This host runs cgroup v1 (hybrid); kubelet 1.35+ refuses it unless told otherwise.
failCgroupV1: false
failSwapOn: false
podLogsDir: $dir/pod-logs
resolvConf: /etc/resolv.conf
hairpinMode: hairpin-veth
# Imported images cannot be pulled again: never garbage-collect them (100 disables image GC).
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, nodefs.inodesFree: 1%, imagefs.available: 1%}
serializeImagePulls: false
shutdownGracePeriod: 0s
registerNode: true
EOF

  write_kubeconfig "$dir/kubelet.kubeconfig" "kubelet-$name" "https://$API_IP:$API_PORT"
  write_kubeconfig "$dir/kube-proxy.kubeconfig" kube-proxy "https://$API_IP:$API_PORT"
  # conntrack sysctls are read-only outside the initial netns: zero means "leave as is".
  write_file "$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $dir/kube-proxy.kubeconfig}
hostnameOverride: $name
bindAddress: ${NODE_IPS[$i]}
clusterCIDR: $CLUSTER_CIDR
mode: iptables
nodePortAddresses: [primary]
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
}

# Kubelet requires its cgroupRoot to exist in every v1 hierarchy; a fresh cpuset cgroup has no
# CPUs or memory nodes, so copy the root's (runc only fills in the ones it creates).
node_cgroups() {
  local name="$1" cg h
  cg="$(node_cgroup "$name")"
  for h in /sys/fs/cgroup/*/; do
    [[ -e "$h/cgroup.procs" ]] || continue
    mkdir -p "$h${cg#/}"
  done
  if [[ -e /sys/fs/cgroup/cpuset/cpuset.cpus ]]; then
    cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset${cg}/cpuset.cpus"
    cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset${cg}/cpuset.mems"
  fi
}

node_containerd_up() {
  local name="${NODE_NAMES[$1]}" ns="${NODE_NS[$1]}" dir
  dir="$(node_dir "$name")"
  start_proc "containerd-$name" --netns "$ns" -- containerd --config "$dir/containerd.toml"
  wait_for "containerd on $name" 60 ctr -a "$(node_sock "$name")" version
}

node_import() { # node_import NODE_INDEX TAR
  local sock
  sock="$(node_sock "${NODE_NAMES[$1]}")"
  ctr -a "$sock" -n k8s.io images import "$2" >/dev/null
}

node_has_image() { # node_has_image NODE_INDEX REF
  ctr -a "$(node_sock "${NODE_NAMES[$1]}")" -n k8s.io images ls -q | grep -qxF "$2"
}

node_kubelet_up() {
  local i="$1" name="${NODE_NAMES[$1]}" ns="${NODE_NS[$1]}" dir
  dir="$(node_dir "$name")"
  start_proc "kubelet-$name" --netns "$ns" -- "$BIN/kubelet" \
    --config="$dir/kubelet.yaml" \
    --kubeconfig="$dir/kubelet.kubeconfig" \
    --hostname-override="$name" \
    --node-ip="${NODE_IPS[$i]}" \
    --root-dir="$dir/kubelet" \
    --node-labels="twinbuild.dev/e2e-node=true" \
    --v="${KUBELET_VERBOSITY:-1}"
  start_proc "kube-proxy-$name" --netns "$ns" -- "$BIN/kube-proxy" --config="$dir/kube-proxy.yaml"
}

# Stops a node and removes what its containers left behind: tasks, shims, pod processes,
# mounts and cgroups. Safe to call on a half-started node.
node_down() {
  local name="${NODE_NAMES[$1]}" sock pid id cg h
  sock="$(node_sock "$name")"
  # kubelet first, so it does not restart the containers removed below.
  stop_procs "kube-proxy-$name" "kubelet-$name"
  if proc_alive "containerd-$name"; then
    # Kill and delete every container (pods and sandboxes) through containerd, so it unmounts
    # their rootfs and its shims exit.
    for id in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    done
    sleep 0.5
    for id in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$sock" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
    done
    for id in $(ctr -a "$sock" -n k8s.io containers ls -q 2>/dev/null); do
      ctr -a "$sock" -n k8s.io containers delete "$id" >/dev/null 2>&1 || true
      # No CNI DEL runs for these sandboxes, so drop libcni's cached results by sandbox id.
      rm -f /var/lib/cni/results/twinbuild-e2e-"$id"-* /var/lib/cni/results/cni-loopback-"$id"-*
    done
  fi
  stop_procs "containerd-$name"
  # Shims that outlived containerd: each wrote its pid into its bundle under our state dir.
  local f
  for f in "$(node_run "$name")"/containerd/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [[ -s "$f" ]] || continue
    pid="$(cat "$f")"
    if [[ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" == containerd-shim* ]]; then
      log "killing leftover shim $pid of $name"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # Anything still in the node's cgroup root is one of its containers' processes.
  cg="$(node_cgroup "$name")"
  for h in /sys/fs/cgroup/*/; do
    [[ -d "$h${cg#/}" ]] || continue
    while read -r pid; do
      kill -KILL "$pid" 2>/dev/null || true
    done < <(find "$h${cg#/}" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
  sleep 0.2
  for h in /sys/fs/cgroup/*/; do
    [[ -d "$h${cg#/}" ]] && find "$h${cg#/}" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}
