# shellcheck shell=bash
# Network of the local cluster: each worker node is a network namespace attached by a veth to a
# host bridge, as separate hosts on one L2 segment would be. The control plane stays in the host
# namespace and listens on the bridge address only. All addresses are private and only routed
# between namespaces created here; the host does not forward (ip_forward stays as it is), so pods
# cannot send traffic anywhere else. Sourced by local-cluster.sh.

IPT_COMMENT="twinbuild-e2e"

in_ns() { local ns="$1"; shift; nsenter "--net=/var/run/netns/$ns" -- "$@"; }

net_up() {
  # bridge-nf-call-iptables only exists with br_netfilter (built in on some kernels).
  [[ -e /proc/sys/net/bridge ]] || modprobe br_netfilter 2>/dev/null || true
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$API_IP/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  local i j ns veth
  for i in "${!NODE_NAMES[@]}"; do
    ns="${NODE_NS[$i]}" veth="${BRIDGE}n$((i + 1))"
    [[ -e "/var/run/netns/$ns" ]] || ip netns add "$ns"
    if ! ip link show "$veth" >/dev/null 2>&1; then
      ip link add "$veth" type veth peer name eth0 netns "$ns"
      ip link set "$veth" master "$BRIDGE" up
      in_ns "$ns" ip addr add "${NODE_IPS[$i]}/24" dev eth0
    fi
    in_ns "$ns" ip link set lo up
    in_ns "$ns" ip link set eth0 up
    in_ns "$ns" ip route replace default via "$API_IP"
    # The other nodes' pods are reached directly over the shared segment.
    for j in "${!NODE_NAMES[@]}"; do
      ((i == j)) || in_ns "$ns" ip route replace "${POD_CIDRS[$j]}" via "${NODE_IPS[$j]}"
    done
    # Per-namespace sysctls: the node routes for its pods; kube-proxy needs bridged pod traffic
    # to traverse iptables (hairpin to a Service backed by a pod on the same node).
    in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
    in_ns "$ns" sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
    # Replies from the control plane to pod addresses go back through the owning node.
    ip route replace "${POD_CIDRS[$i]}" via "${NODE_IPS[$i]}" dev "$BRIDGE"
  done
  # Docker (or a firewall) may set FORWARD/INPUT to DROP; bridged node-to-node frames go through
  # FORWARD when br_netfilter is loaded, and pods/kubelets reach the apiserver through INPUT.
  ipt_ensure filter FORWARD -i "$BRIDGE" -j ACCEPT
  ipt_ensure filter FORWARD -o "$BRIDGE" -j ACCEPT
  ipt_ensure filter INPUT -i "$BRIDGE" -j ACCEPT
}

# ipt_ensure TABLE CHAIN RULE... — insert the rule (tagged with our comment) unless present.
ipt_ensure() {
  local table="$1" chain="$2"; shift 2
  iptables -w -t "$table" -C "$chain" "$@" -m comment --comment "$IPT_COMMENT" 2>/dev/null ||
    iptables -w -t "$table" -I "$chain" 1 "$@" -m comment --comment "$IPT_COMMENT"
}

net_down() {
  local i ns rule
  # Remove exactly the rules we tagged.
  while read -r rule; do
    [[ -n "$rule" ]] || continue
    eval "iptables -w -t filter ${rule/-A /-D }" || true
  done < <(iptables -w -t filter -S 2>/dev/null | grep -- "--comment $IPT_COMMENT" || true)
  for i in "${!NODE_NAMES[@]}"; do
    ns="${NODE_NS[$i]}"
    [[ -e "/var/run/netns/$ns" ]] && ip netns del "$ns"
    ip link del "${BRIDGE}n$((i + 1))" 2>/dev/null || true
  done
  # Deleting the bridge also drops the pod routes through it.
  ip link del "$BRIDGE" 2>/dev/null || true
}
