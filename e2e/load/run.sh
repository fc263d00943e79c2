#!/usr/bin/env bash
# Load: COUNT small SystemImages (examples/minimal.yaml variants) applied at once, spread over NAMESPACES
# namespaces, on the local e2e cluster (brought up and torn down here, like e2e/run.sh) or, with
# TWINBUILD_LOAD_USE_CLUSTER=1, on the cluster $KUBECONFIG points at (Twinbuild installed by
# e2e/install-operator.sh). Not part of the CI suite: it takes ~30-45 minutes on 2 cores.
#
#   flock /tmp/twinbuild-e2e.lock e2e/load/run.sh
#
# Reports: time from the apply to the last verdict, verdicts by phase, peak operator memory (the JVM's
# VmHWM, its peak resident set, and the highest VmRSS sampled), peak concurrent builder pods (not yet
# terminated) and building SystemImages, the longest queue, and operator restarts (must be 0). Exits
# non-zero when a SystemImage does not reach Reproducible, the queue limit is exceeded, or the operator
# restarted.
#
# Environment: TWINBUILD_LOAD_COUNT (200), TWINBUILD_LOAD_NAMESPACES (4), TWINBUILD_LOAD_MAX_BUILDING (6:
# queue.maxBuilding for the run; the local cluster's two workers run 2 builds per SystemImage),
# TWINBUILD_LOAD_MAX_BUILDING_PER_NAMESPACE (3), TWINBUILD_LOAD_TIMEOUT (3600 s), TWINBUILD_E2E_KEEP_CLUSTER=1.
set -uo pipefail

LOAD="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E="$(dirname "$LOAD")"
ROOT="$(dirname "$E2E")"
COUNT="${TWINBUILD_LOAD_COUNT:-200}"
NAMESPACES="${TWINBUILD_LOAD_NAMESPACES:-4}"
MAX_BUILDING="${TWINBUILD_LOAD_MAX_BUILDING:-6}"
MAX_PER_NS="${TWINBUILD_LOAD_MAX_BUILDING_PER_NAMESPACE:-3}"
TIMEOUT="${TWINBUILD_LOAD_TIMEOUT:-3600}"
OPNS="${TWINBUILD_NAMESPACE:-twinbuild-system}"
RELEASE="${TWINBUILD_RELEASE:-twinbuild}"
OPERATOR_SELECTOR="app.kubernetes.io/name=twinbuild-operator"
OUT="$E2E/target/load"
mkdir -p "$OUT"

log() { printf '[%s] load: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
k() { kubectl --request-timeout=60s "$@"; }

cleanup() {
  local rc=$?
  if [[ "${TWINBUILD_LOAD_USE_CLUSTER:-}" != 1 && "${TWINBUILD_E2E_KEEP_CLUSTER:-}" != 1 ]]; then
    "$E2E/local-cluster.sh" down >&2 || rc=1
  fi
  exit "$rc"
}

if [[ "${TWINBUILD_LOAD_USE_CLUSTER:-}" != 1 ]]; then
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  "$E2E/local-cluster.sh" up || { log "the cluster did not come up"; exit 1; }
  eval "$("$E2E/local-cluster.sh" env)"
fi
: "${KUBECONFIG:?KUBECONFIG must point at the cluster}"
export KUBECONFIG

# The queue limits of this run (the chart's values; the operator restarts once, before the clock starts).
HELM="$("$ROOT/helm/helm-binary.sh" | tail -1)" || exit 1
"$HELM" upgrade "$RELEASE" "$ROOT/helm/twinbuild" -n "$OPNS" --reuse-values \
  --set queue.maxBuilding="$MAX_BUILDING" --set queue.maxBuildingPerNamespace="$MAX_PER_NS" --wait --timeout 5m >/dev/null ||
  { log "helm upgrade failed"; exit 1; }
k -n "$OPNS" rollout status deployment -l "$OPERATOR_SELECTOR" --timeout=180s >/dev/null || exit 1

operator_pod() { k -n "$OPNS" get pods -l "$OPERATOR_SELECTOR" --field-selector=status.phase=Running -o name | head -1; }
# "<pod uid> <restarts>" of the operator pod(s)
operator_identity() {
  k -n "$OPNS" get pods -l "$OPERATOR_SELECTOR" -o jsonpath='{range .items[*]}{.metadata.uid}{" "}{.status.containerStatuses[0].restartCount}{"\n"}{end}'
}
# "<VmRSS kB> <VmHWM kB>" of the operator's JVM (the largest process in its container)
operator_memory() {
  # shellcheck disable=SC2016 # expanded by the container's shell
  # (no awk in the operator image: sed only)
  k -n "$OPNS" exec "$(operator_pod)" -- sh -c 'for s in /proc/[0-9]*/status; do
      r=$(sed -n "s/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p" "$s"); h=$(sed -n "s/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p" "$s")
      [ -n "$r" ] && echo "$r $h"; done' 2>/dev/null | sort -n | tail -1
}

# "<heap used bytes> <live heap after the last major GC bytes>" from the operator's own metrics (Micrometer's
# JVM binders, management port), through the API server's pod proxy: the image has no JDK tools.
operator_heap() {
  k get --raw "/api/v1/namespaces/$OPNS/pods/$(operator_pod | cut -d/ -f2):9000/proxy/q/metrics" 2>/dev/null |
    awk '/^jvm_memory_used_bytes\{area="heap"/ {h += $NF} /^jvm_gc_live_data_size_bytes/ {l = $NF}
         END {if (h > 0) printf "%d %d\n", h, l}'
}

log "namespaces and $COUNT SystemImages"
nss=()
for i in $(seq 1 "$NAMESPACES"); do
  ns="twinbuild-load-$i"; nss+=("$ns")
  k delete namespace "$ns" --ignore-not-found --wait=true --timeout=300s >/dev/null
  k create namespace "$ns" >/dev/null && k label namespace "$ns" pod-security.kubernetes.io/enforce=restricted >/dev/null || exit 1
done
for ns in "${nss[@]}"; do
  for _ in $(seq 60); do k -n "$ns" get serviceaccount default >/dev/null 2>&1 && break; sleep 1; done
done
manifest="$OUT/systemimages.yaml"
: >"$manifest"
for i in $(seq -f '%03g' 1 "$COUNT"); do
  ns="${nss[$(((10#$i - 1) % NAMESPACES))]}"
  # Each its own content, so that no two share a digest by accident of the test.
  sed -e "s/^  name: minimal$/  name: load-$i\n  namespace: $ns/" -e "s/content: \"minimal\\\\n\"/content: \"load-$i\\\\n\"/" \
    "$ROOT/examples/minimal.yaml" >>"$manifest"
  echo "---" >>"$manifest"
done
[[ "$(grep -c '^kind: SystemImage' "$manifest")" -eq "$COUNT" ]] || { log "bad manifest $manifest"; exit 1; }

identity_before="$(operator_identity)"
mem_before="$(operator_memory)"
log "operator before: pod/restarts $(tr '\n' ' ' <<<"$identity_before"), VmRSS/VmHWM kB: $mem_before"
start=$SECONDS
k apply -f "$manifest" >/dev/null || { log "kubectl apply failed"; exit 1; }
log "applied $COUNT SystemImages in $((SECONDS - start))s"

peak_pods=0 peak_building=0 peak_queued=0 peak_rss=0 samples="$OUT/samples.tsv" last_mem=0 peak_heap=0 peak_live=0
printf 'seconds\tfinal\tbuilding\tqueued\tpending\tbuilder_pods\toperator_rss_kB\theap_used_B\tlive_after_gc_B\n' >"$samples"
while :; do
  phases="$(k get si -A -o jsonpath='{range .items[*]}{.status.phase}{" "}{.status.queuePosition}{"\n"}{end}' 2>/dev/null)" || { sleep 3; continue; }
  final="$(grep -cE '^(Reproducible|Unreproducible|Failed) ' <<<"$phases")"
  building="$(grep -c '^Building ' <<<"$phases")"
  queued="$(awk '$2 != ""' <<<"$phases" | grep -c .)"
  pending="$(awk '$1 == "Pending" && $2 == ""' <<<"$phases" | grep -c .)"
  pods="$(k get pods -A -l app.kubernetes.io/component=builder -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -cE '^(Pending|Running)$')"
  ((pods > peak_pods)) && peak_pods=$pods
  ((building + pending > peak_building)) && peak_building=$((building + pending))
  ((queued > peak_queued)) && peak_queued=$queued
  rss="" heap="" live=""
  if ((SECONDS - last_mem >= 15)); then
    rss="$(operator_memory | cut -d' ' -f1)"; last_mem=$SECONDS
    [[ -n "$rss" ]] && ((rss > peak_rss)) && peak_rss=$rss
    read -r heap live <<<"$(operator_heap)"
    [[ -n "$heap" ]] && ((heap > peak_heap)) && peak_heap=$heap
    [[ -n "$live" ]] && ((live > peak_live)) && peak_live=$live
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$((SECONDS - start))" "$final" "$building" "$queued" "$pending" "$pods" "$rss" \
    "$heap" "$live" >>"$samples"
  ((final >= COUNT)) && break
  if ((SECONDS - start > TIMEOUT)); then log "not all final after ${TIMEOUT}s: $final of $COUNT"; break; fi
  ((SECONDS % 60 < 4)) && log "$((SECONDS - start))s: $final final, $building building, $queued queued, $pods builder pods"
  sleep 3
done
elapsed=$((SECONDS - start))
mem_after="$(operator_memory)"
identity_after="$(operator_identity)"
verdicts="$(k get si -A -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | sort | uniq -c | tr '\n' ' ')"
# Builds per SystemImage: pods of its generation (each should be attempt 1).
reruns="$(k get pods -A -l app.kubernetes.io/component=builder -o jsonpath='{range .items[*]}{.metadata.annotations.twinbuild\.dev/attempt}{"\n"}{end}' | grep -vc '^1$')"

rc=0
report="$OUT/report.txt"
{
  echo "SystemImages:              $COUNT in $NAMESPACES namespaces (queue.maxBuilding=$MAX_BUILDING, perNamespace=$MAX_PER_NS)"
  echo "time to the last verdict:  ${elapsed}s"
  echo "verdicts:                  $verdicts"
  echo "peak builder pods:         $peak_pods (not terminated, sampled every ~3 s)"
  echo "peak building SystemImages: $peak_building; longest queue: $peak_queued"
  echo "operator memory (kB):      before VmRSS/VmHWM $mem_before; after $mem_after; highest VmRSS sampled $peak_rss"
  echo "operator heap (B):         highest used sampled $peak_heap; highest live after a major GC $peak_live; at the end $(operator_heap)"
  echo "operator pod/restarts:     before $(tr '\n' ' ' <<<"$identity_before")after $(tr '\n' ' ' <<<"$identity_after")"
  echo "builder pods not attempt 1: $reruns"
} | tee "$report" >&2
[[ "$verdicts" =~ ^\ *$COUNT\ Reproducible\ $ ]] || { log "FAIL: not all $COUNT Reproducible"; rc=1; }
((peak_building <= MAX_BUILDING)) || { log "FAIL: $peak_building SystemImages built at once, limit $MAX_BUILDING"; rc=1; }
[[ "$identity_before" == "$identity_after" ]] || { log "FAIL: the operator restarted"; rc=1; }
log "samples in $samples, report in $report"
if [[ "${TWINBUILD_E2E_KEEP:-}" != 1 ]]; then
  for ns in "${nss[@]}"; do k delete namespace "$ns" --wait=false >/dev/null 2>&1; done
fi
exit "$rc"
