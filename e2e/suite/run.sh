#!/usr/bin/env bash
# The end-to-end suite, the same for the local cluster (e2e/local-cluster.sh) and Kind (e2e/kind/):
# kubectl against $KUBECONFIG, example manifests applied as a user would, with Twinbuild installed
# by e2e/install-operator.sh (operator in $TWINBUILD_NAMESPACE, s3proxy store beside it).
#
#   e2e/suite/run.sh [TEST...]      # default: all, in this order
#
# Tests:
#   reproducible       examples/minimal.yaml reaches Reproducible=True (`kubectl wait --for=condition=
#                      Reproducible`); its two builds ran on two different nodes (pod spec.nodeName);
#                      every artifact's stored bytes hash to the sha256 in status; re-applying builds nothing
#   formats            examples/e2e/formats.yaml (squashfs, ext4, ISO, kernel+initrd, OCI: the native
#                      tools of the builder image, in hardened pods) is Reproducible across two nodes
#   unreproducible     examples/unreproducible.yaml ends Reproducible=False naming etc/build-date; the
#                      diff report is in the store
#   invalid            each examples/e2e/invalid/*.yaml is refused by the API server with the message
#                      its "# expect:" line gives
#   operator-restart   the operator pod is deleted while both builds run: the verdict is still reached,
#                      by the same two builder pods (no duplicate builds)
#   builder-restart    a running builder pod is deleted: that build is run again (attempt 2), the other
#                      is kept, the verdict is reached
#   dashboard          in its own namespace, with a viewer token (a ServiceAccount that may list SystemImages
#                      there only): kstatus (e2e/kstatus, the library Flux waits with) reads InProgress while
#                      minimal builds and Current once Reproducible; through `kubectl port-forward
#                      svc/twinbuild-dashboard` a headless Chromium shows it (1 of 1, 100%), then, without a
#                      reload, examples/unreproducible.yaml arriving and its verdict (1 of 2, 50%, failures
#                      first; kstatus InProgress, then Failed), its page with the differing path and the diff
#                      report; a SystemImage whose step fails ends Failed, kstatus Failed. kstatus is never
#                      Current or Failed before the verdict (a new object reads observedGeneration 0)
#   observability      the chart's metrics Service serves the operator's Prometheus metrics (through
#                      the API server's service proxy); the SystemImages have Events
#
# Every wait is bounded. On a failure the test's SystemImage, pods, events, builder logs and operator
# logs are printed. Ends with "N passed, M failed"; exits 1 if any failed.
#
# Environment: KUBECONFIG (required), TWINBUILD_NAMESPACE (twinbuild-system), TWINBUILD_E2E_NAMESPACE
# (twinbuild-e2e; deleted and re-created), TWINBUILD_E2E_KEEP=1 keeps it afterwards,
# TWINBUILD_E2E_TIMEOUT_SCALE (1; multiplies every timeout, for slow machines).
set -uo pipefail

SUITE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SUITE/../.." && pwd)"
EXAMPLES="$ROOT/examples"
: "${KUBECONFIG:?KUBECONFIG must point at the cluster}"
export KUBECONFIG
OPNS="${TWINBUILD_NAMESPACE:-twinbuild-system}"
NS="${TWINBUILD_E2E_NAMESPACE:-twinbuild-e2e}"
SCALE="${TWINBUILD_E2E_TIMEOUT_SCALE:-1}"
OPERATOR_SELECTOR="app.kubernetes.io/name=twinbuild-operator"
ALL_TESTS=(reproducible formats unreproducible invalid operator-restart builder-restart dashboard observability)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# t SECONDS — a timeout scaled for this machine
t() { echo $(($1 * SCALE)); }
k() { kubectl --request-timeout=60s "$@"; }
kn() { k -n "$NS" "$@"; }

# Inside a test (a subshell): fail prints the reason and ends the test.
fail() { log "  FAILED: $*"; exit 1; }
check() { # check DESCRIPTION COMMAND... — the command must succeed
  local what="$1"; shift
  "$@" || fail "$what"
}

# ---- helpers ----------------------------------------------------------------------------------

jp() { kn get "$1" -o jsonpath="$2"; }  # jp si/NAME '{.status.phase}'

# wait_final NAME SECONDS — prints the phase once it is final (Reproducible, Unreproducible, Failed).
wait_final() {
  local name="$1" deadline=$((SECONDS + $2)) phase=""
  while ((SECONDS < deadline)); do
    phase="$(jp "si/$name" '{.status.phase}' 2>/dev/null)"
    case "$phase" in Reproducible|Unreproducible|Failed) echo "$phase"; return 0 ;; esac
    sleep 2
  done
  log "  si/$name not final after $2s (phase '${phase:-none}')"
  echo "${phase:-none}"
  return 1
}

# builder_pods NAME [SPEC_HASH] — "name uid node phase attempt" of its builder pods, one per line
builder_pods() {
  local sel="twinbuild.dev/image=$1,app.kubernetes.io/component=builder"
  [[ -n "${2:-}" ]] && sel+=",twinbuild.dev/spec-hash=$2"
  kn get pods -l "$sel" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.uid}{" "}{.spec.nodeName}{" "}{.status.phase}{" "}{.metadata.annotations.twinbuild\.dev/attempt}{"\n"}{end}'
}

# wait_running NAME COUNT SECONDS — until COUNT builder pods of NAME are Running
wait_running() {
  local name="$1" want="$2" deadline=$((SECONDS + $3)) n
  while ((SECONDS < deadline)); do
    n="$(builder_pods "$name" | awk '$4=="Running"' | wc -l)"
    ((n >= want)) && return 0
    sleep 1
  done
  fail "$want builder pods of $name not Running within $3s: $(builder_pods "$name" | tr '\n' ';')"
}

# The store is the s3proxy Deployment next to the operator, serving bucket directories as plain
# files: s3://BUCKET/KEY is /data/BUCKET/KEY in its pod.
stored_sha256() {
  local loc="$1" path
  [[ "$loc" == s3://* ]] || { echo "not-s3:$loc"; return 1; }
  path="/data/${loc#s3://}"
  k -n "$OPNS" exec deploy/s3proxy -- sha256sum "$path" | cut -d' ' -f1
}

# Two builds of one SystemImage ran on two different nodes, as status and the pods agree.
check_distinct_nodes() {
  local name="$1" builds nodes pod node actual
  builds="$(jp "si/$name" '{range .status.builds[*]}{.name}{" "}{.pod}{" "}{.node}{"\n"}{end}')"
  [[ "$(grep -c . <<<"$builds")" -eq 2 ]] || fail "expected 2 builds in status, got: $builds"
  while read -r _ pod node; do
    actual="$(kn get pod "$pod" -o jsonpath='{.spec.nodeName}')" || fail "builder pod $pod is gone"
    [[ -n "$actual" && "$actual" == "$node" ]] || fail "status says $pod ran on '$node', its spec.nodeName is '$actual'"
  done <<<"$builds"
  nodes="$(awk '{print $3}' <<<"$builds" | sort -u | grep -c .)"
  [[ "$nodes" -eq 2 ]] || fail "the two builds of $name ran on the same node: $(awk '{print $2 "@" $3}' <<<"$builds" | tr '\n' ' ')"
  log "  builds on different nodes: $(awk '{print $1 "=" $3}' <<<"$builds" | tr '\n' ' ')"
}

# Every artifact (and every build's output) in status is in the store with that sha256 and size.
# One `kubectl exec` hashes them all.
check_stored_artifacts() {
  local name="$1" lines loc sha size paths=() got n=0
  lines="$(jp "si/$name" '{range .status.artifacts[*]}{.location}{" "}{.sha256}{" "}{.size}{"\n"}{end}{range .status.builds[*]}{range .outputs[*]}{.location}{" "}{.sha256}{" "}{.size}{"\n"}{end}{end}')"
  [[ -n "$(jp "si/$name" '{.status.artifacts[*].location}')" ]] || fail "status.artifacts is empty"
  while read -r loc _ _; do
    [[ -n "$loc" ]] || continue
    [[ "$loc" == s3://* ]] || fail "artifact location $loc is not in the S3 store"
    paths+=("/data/${loc#s3://}")
  done <<<"$lines"
  # "<sha256> <size> <path>" per stored object ("missing - <path>" when absent)
  # shellcheck disable=SC2016 # expanded by the pod's shell
  got="$(k -n "$OPNS" exec deploy/s3proxy -- sh -c 'for p; do
      if [ -f "$p" ]; then echo "$(sha256sum "$p" | cut -d" " -f1) $(stat -c %s "$p") $p"; else echo "missing - $p"; fi
    done' sh "${paths[@]}")" || fail "cannot read the artifacts from the store: $got"
  local stored
  while read -r loc sha size; do
    [[ -n "$loc" ]] || continue
    [[ "$sha" =~ ^[0-9a-f]{64}$ ]] || fail "bad sha256 '$sha' for $loc in status"
    stored="$(awk -v p="/data/${loc#s3://}" '$3 == p {print $1, $2; exit}' <<<"$got")"
    [[ "${stored% *}" == "$sha" ]] || fail "$loc: status says sha256 $sha, the store holds '${stored:-nothing}'"
    if [[ -n "$size" && "$size" != -1 && "${stored#* }" != "$size" ]]; then
      fail "$loc: status says $size bytes, the store holds ${stored#* }"
    fi
    n=$((n + 1))
  done <<<"$lines"
  log "  $n stored objects match the sha256 (and size) in status"
}

# wait_operator_ready SECONDS — until an operator pod exists and is Ready
wait_operator_ready() {
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    k -n "$OPNS" get pods -l "$OPERATOR_SELECTOR" \
      -o jsonpath='{range .items[*]}{.metadata.deletionTimestamp}{" "}{range .status.conditions[?(@.type=="Ready")]}{.status}{end}{"\n"}{end}' |
      grep -q '^ True$' && return 0
    sleep 1
  done
  fail "no Ready operator pod within $1s"
}

condition() { # condition NAME TYPE FIELD — a condition's status/reason/message
  jp "si/$1" "{.status.conditions[?(@.type==\"$2\")].$3}"
}

# ---- tests ------------------------------------------------------------------------------------

test_reproducible() {
  kn apply -f "$EXAMPLES/minimal.yaml" >/dev/null || fail "kubectl apply failed"
  check "kubectl wait --for=condition=Reproducible si/minimal" \
    kn wait --for=condition=Reproducible si/minimal --timeout="$(t 300)s"
  [[ "$(jp si/minimal '{.status.phase}')" == Reproducible ]] || fail "phase is not Reproducible"
  [[ "$(jp si/minimal '{.status.observedGeneration}')" == "$(jp si/minimal '{.metadata.generation}')" ]] ||
    fail "observedGeneration does not match metadata.generation"
  [[ "$(condition minimal Ready status)" == True ]] || fail "Ready is not True"
  check_distinct_nodes minimal
  check_stored_artifacts minimal
  local hash
  hash="$(jp si/minimal '{.status.specHash}')"
  [[ "$(builder_pods minimal "$hash" | grep -c .)" -eq 2 ]] || fail "expected 2 builder pods: $(builder_pods minimal)"
  # Applying the same spec again is not a new build.
  kn apply -f "$EXAMPLES/minimal.yaml" >/dev/null || fail "kubectl apply (again) failed"
  sleep 5
  [[ "$(builder_pods minimal | grep -c .)" -eq 2 ]] || fail "re-applying the same spec started builds: $(builder_pods minimal)"
  [[ "$(jp si/minimal '{.status.phase}')" == Reproducible ]] || fail "re-applying changed the verdict"
}

test_formats() {
  kn apply -f "$EXAMPLES/e2e/formats.yaml" >/dev/null || fail "kubectl apply failed"
  local phase formats
  phase="$(wait_final formats "$(t 300)")" || fail "no verdict"
  [[ "$phase" == Reproducible ]] || fail "phase is $phase, expected Reproducible: $(condition formats Reproducible message)"
  formats="$(jp si/formats '{.status.artifacts[*].format}')"
  for f in squashfs ext4 iso kernel+initrd oci; do
    [[ " $formats " == *" $f "* ]] || fail "no $f artifact in status (formats: $formats)"
  done
  check_distinct_nodes formats
  check_stored_artifacts formats
  log "  formats: $formats"
}

test_unreproducible() {
  kn apply -f "$EXAMPLES/unreproducible.yaml" >/dev/null || fail "kubectl apply failed"
  local phase paths report
  phase="$(wait_final unreproducible "$(t 300)")" || fail "no verdict"
  [[ "$phase" == Unreproducible ]] || fail "phase is $phase, expected Unreproducible"
  check "kubectl wait --for=condition=Reproducible=false" \
    kn wait --for=condition=Reproducible=false si/unreproducible --timeout=10s
  paths="$(jp si/unreproducible '{.status.mismatch.differingPaths[*]}')"
  [[ " $paths " == *etc/build-date* ]] || fail "mismatch.differingPaths does not name etc/build-date: '$paths'"
  [[ "$(condition unreproducible Reproducible message)" == *unreproducible.tar* ]] ||
    fail "the Reproducible condition does not name the differing output: $(condition unreproducible Reproducible message)"
  check_distinct_nodes unreproducible
  report="$(jp si/unreproducible '{.status.mismatch.reportLocation}')"
  [[ -n "$report" ]] || fail "no mismatch.reportLocation"
  stored_sha256 "$report" >/dev/null || fail "the diff report $report is not in the store"
  log "  differing paths: $paths; report $report"
}

test_invalid() {
  local f expect out n=0
  for f in "$EXAMPLES"/e2e/invalid/*.yaml; do
    expect="$(sed -n 's/^# expect: //p' "$f")"
    [[ -n "$expect" ]] || fail "$f has no '# expect:' line"
    if out="$(kn apply -f "$f" 2>&1)"; then
      kn delete -f "$f" --ignore-not-found >/dev/null 2>&1
      fail "$(basename "$f") was accepted: $out"
    fi
    grep -Eq -- "$expect" <<<"$out" || fail "$(basename "$f"): message does not match /$expect/: $out"
    log "  $(basename "$f"): $(head -c 200 <<<"$out" | tr '\n' ' ')"
    n=$((n + 1))
  done
  ((n > 0)) || fail "no invalid examples"
}

test_operator_restart() {
  local name=slow-operator-restart before after ops phase hash
  kn apply -f "$EXAMPLES/e2e/$name.yaml" >/dev/null || fail "kubectl apply failed"
  wait_running "$name" 2 "$(t 180)"
  before="$(builder_pods "$name" | awk '{print $1, $2}' | sort)"
  # Every operator pod (with replicas > 1, the leader and its standbys).
  mapfile -t ops < <(k -n "$OPNS" get pods -l "$OPERATOR_SELECTOR" -o name)
  ((${#ops[@]})) || fail "no operator pod"
  log "  deleting ${ops[*]} while both builds run"
  k -n "$OPNS" delete "${ops[@]}" --wait=true --timeout="$(t 120)s" >/dev/null || fail "could not delete ${ops[*]}"
  wait_operator_ready "$(t 180)"
  log "  operator back; builder pods now: $(builder_pods "$name" | awk '{print $1 "=" $4}' | tr '\n' ' ')"
  phase="$(wait_final "$name" "$(t 300)")" || fail "no verdict after the operator restart"
  [[ "$phase" == Reproducible ]] || fail "phase is $phase, expected Reproducible"
  hash="$(jp "si/$name" '{.status.specHash}')"
  after="$(builder_pods "$name" | awk '{print $1, $2}' | sort)"
  [[ "$after" == "$before" ]] || fail "builder pods changed across the restart (duplicate builds?): before [$before] after [$after]"
  [[ "$(builder_pods "$name" "$hash" | grep -c .)" -eq 2 ]] || fail "expected exactly 2 builder pods"
  [[ "$(jp "si/$name" '{.status.builds[*].attempts}')" == "1 1" ]] ||
    fail "builds were retried: attempts $(jp "si/$name" '{.status.builds[*].attempts}')"
  check_distinct_nodes "$name"
  check_stored_artifacts "$name"
}

test_builder_restart() {
  local name=slow-builder-restart victim uid_before other_before phase line
  kn apply -f "$EXAMPLES/e2e/$name.yaml" >/dev/null || fail "kubectl apply failed"
  wait_running "$name" 2 "$(t 180)"
  victim="$(kn get pods -l "twinbuild.dev/image=$name,twinbuild.dev/build-index=1" -o jsonpath='{.items[0].metadata.name}')"
  [[ -n "$victim" ]] || fail "no builder pod for build index 1"
  uid_before="$(kn get pod "$victim" -o jsonpath='{.metadata.uid}')"
  other_before="$(kn get pods -l "twinbuild.dev/image=$name,twinbuild.dev/build-index=0" -o jsonpath='{.items[0].metadata.uid}')"
  log "  deleting builder pod $victim mid-build"
  kn delete pod "$victim" --wait=false >/dev/null || fail "could not delete $victim"
  phase="$(wait_final "$name" "$(t 420)")" || fail "no verdict after the builder pod was deleted"
  [[ "$phase" == Reproducible ]] || fail "phase is $phase, expected Reproducible"
  line="$(builder_pods "$name" | awk -v p="$victim" '$1==p')"
  [[ -n "$line" ]] || fail "the deleted build was not run again (no pod $victim)"
  [[ "$(awk '{print $2}' <<<"$line")" != "$uid_before" ]] || fail "pod $victim was not replaced"
  [[ "$(awk '{print $5}' <<<"$line")" == 2 ]] || fail "the rebuilt pod is not attempt 2: $line"
  [[ "$(kn get pods -l "twinbuild.dev/image=$name,twinbuild.dev/build-index=0" -o jsonpath='{.items[0].metadata.uid}')" == "$other_before" ]] ||
    fail "the undisturbed build b0 was run again"
  [[ "$(jp "si/$name" '{.status.builds[1].attempts}')" == 2 ]] ||
    fail "status.builds[1].attempts is $(jp "si/$name" '{.status.builds[1].attempts}'), expected 2"
  [[ "$(builder_pods "$name" | grep -c .)" -eq 2 ]] || fail "expected 2 builder pods: $(builder_pods "$name")"
  check_distinct_nodes "$name"
  check_stored_artifacts "$name"
}

# kstatus_trace NS NAME CHECKER SECONDS — "<phase> <kstatus> <message>" whenever either changes, until the
# phase is final; what Flux (wait: true) would see of si/NAME
kstatus_trace() {
  local ns="$1" name="$2" checker="$3" deadline=$((SECONDS + $4)) json phase ks line last=""
  while ((SECONDS < deadline)); do
    json="$(k -n "$ns" get si "$name" -o json 2>/dev/null)" || { sleep 1; continue; }
    phase="$(python3 -c 'import json, sys; print((json.load(sys.stdin).get("status") or {}).get("phase") or "-")' <<<"$json")"
    ks="$("$checker" <<<"$json")" || return 1
    line="$phase ${ks#* }"
    [[ "$line" != "$last" ]] && { echo "$line"; last="$line"; }
    case "$phase" in Reproducible|Unreproducible|Failed) return 0 ;; esac
    sleep 1
  done
  echo "TIMEOUT"
}

test_dashboard() {
  local dns="$NS-dash" checker token svc port=18080 pf trace out="$ROOT/e2e/target/dashboard"
  checker="$("$ROOT/e2e/kstatus/build.sh" | tail -1)" || fail "cannot build the kstatus checker"
  mkdir -p "$out"
  k delete namespace "$dns" --ignore-not-found --wait=true --timeout="$(t 180)s" >/dev/null
  k create namespace "$dns" >/dev/null || fail "cannot create namespace $dns"
  kn get secret twinbuild-s3 -o go-template='apiVersion: v1
kind: Secret
metadata: {name: twinbuild-s3}
type: Opaque
data: {accessKeyId: {{index .data "accessKeyId"}}, secretAccessKey: {{index .data "secretAccessKey"}}}
' | k -n "$dns" apply -f - >/dev/null || fail "cannot copy the store secret"
  # the viewer may list SystemImages in this namespace only
  k -n "$dns" create serviceaccount viewer >/dev/null &&
    k -n "$dns" create role si-viewer --verb=get,list,watch --resource=systemimages.twinbuild.dev >/dev/null &&
    k -n "$dns" create rolebinding viewer --role=si-viewer --serviceaccount="$dns:viewer" >/dev/null ||
    fail "cannot create the viewer"
  token="$(k -n "$dns" create token viewer --duration=1h)" || fail "kubectl create token failed"
  for _ in $(seq 60); do k -n "$dns" get serviceaccount default >/dev/null 2>&1 && break; sleep 1; done

  k -n "$dns" apply -f "$EXAMPLES/minimal.yaml" >/dev/null || fail "kubectl apply failed"
  trace="$(kstatus_trace "$dns" minimal "$checker" "$(t 300)")" || fail "kstatus-check failed"
  log "  kstatus of si/minimal: $(tr '\n' ';' <<<"$trace")"
  grep -Eq '^(Pending|Building) InProgress' <<<"$trace" || fail "kstatus was not InProgress while building: $trace"
  [[ "$(tail -1 <<<"$trace")" == "Reproducible Current"* ]] || fail "kstatus at the verdict: $(tail -1 <<<"$trace")"
  # never Current before the verdict (a new object reads status.observedGeneration 0: not observed yet)
  ! sed '$d' <<<"$trace" | grep -q ' Current' || fail "kstatus said Current before the verdict: $trace"

  svc="$(k -n "$OPNS" get service -l app.kubernetes.io/component=dashboard -o jsonpath='{.items[0].metadata.name}')"
  [[ -n "$svc" ]] || fail "no dashboard Service in $OPNS"
  k -n "$OPNS" port-forward "svc/$svc" "$port:80" >"$out/port-forward.log" 2>&1 &
  pf=$!
  trap 'kill $pf 2>/dev/null' EXIT
  for _ in $(seq 60); do curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.5; done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/" || fail "kubectl port-forward svc/$svc: $(cat "$out/port-forward.log")"
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/overview")" == 401 ]] ||
    fail "the JSON API answers without a token"

  # the unreproducible example arrives while the page is open; kstatus is traced meanwhile
  ( for _ in $(seq 120); do k -n "$dns" get si unreproducible >/dev/null 2>&1 && break; sleep 1; done
    kstatus_trace "$dns" unreproducible "$checker" "$(t 420)" ) >"$out/unreproducible.kstatus" 2>&1 &
  local tracer=$!
  DASH_NAMESPACE="$dns" python3 "$SUITE/dashboard-browser.py" "http://127.0.0.1:$port" "$token" "$out" -- \
    kubectl --request-timeout=60s -n "$dns" apply -f "$EXAMPLES/unreproducible.yaml" >&2 ||
    fail "the dashboard in Chromium (screenshots in $out)"
  wait "$tracer"
  trace="$(cat "$out/unreproducible.kstatus")"
  log "  kstatus of si/unreproducible: $(tr '\n' ';' <<<"$trace")"
  grep -q ' InProgress' <<<"$trace" || fail "kstatus was not InProgress while building: $trace"
  [[ "$(tail -1 <<<"$trace")" == "Unreproducible Failed"* ]] || fail "kstatus at the verdict: $(tail -1 <<<"$trace")"
  ! sed '$d' <<<"$trace" | grep -Eq ' (Current|Failed)' || fail "kstatus was final before the verdict: $trace"

  # a step that fails: phase Failed, kstatus Failed
  sed -e 's/^  name: minimal$/  name: broken/' -e 's|run: echo "built for .*|run: echo "no such tool" >\&2; exit 3|' \
    "$EXAMPLES/minimal.yaml" | k -n "$dns" apply -f - >/dev/null || fail "kubectl apply (broken) failed"
  trace="$(kstatus_trace "$dns" broken "$checker" "$(t 300)")" || fail "kstatus-check failed"
  log "  kstatus of si/broken: $(tr '\n' ';' <<<"$trace")"
  [[ "$(tail -1 <<<"$trace")" == "Failed Failed"* ]] || fail "kstatus of a failed build: $(tail -1 <<<"$trace")"
  log "  kubectl get si: $(k -n "$dns" get si | tr -s ' ' | tr '\n' ';')"
  local op
  op="$(k -n "$OPNS" get pods -l "$OPERATOR_SELECTOR" -o jsonpath='{.items[0].metadata.name}')"
  log "  operator memory with the dashboard on: $(k -n "$OPNS" exec "$op" -- sh -c 'grep -E "VmRSS|VmHWM" /proc/1/status' 2>&1 | tr -s ' \t' ' ' | tr '\n' ';')"
  [[ "${TWINBUILD_E2E_KEEP:-}" == 1 ]] || k delete namespace "$dns" --wait=false >/dev/null 2>&1
}

test_observability() {
  local svc port metrics reasons
  svc="$(k -n "$OPNS" get service -l "$OPERATOR_SELECTOR,app.kubernetes.io/component=operator" -o jsonpath='{.items[0].metadata.name}')"
  [[ -n "$svc" ]] || fail "no metrics Service for the operator in $OPNS"
  port="$(k -n "$OPNS" get service "$svc" -o jsonpath='{.spec.ports[0].name}')"
  metrics="$(k get --raw "/api/v1/namespaces/$OPNS/services/$svc:$port/proxy/q/metrics")" ||
    fail "GET /q/metrics through service $svc failed"
  grep -q '^twinbuild_builds_finished_total' <<<"$metrics" ||
    fail "no twinbuild_builds_finished_total in /q/metrics: $(grep -c . <<<"$metrics") lines, $(grep -m5 '^twinbuild' <<<"$metrics")"
  log "  $(grep '^twinbuild_builds_finished_total' <<<"$metrics" | tr '\n' ' ')"
  # Events of the SystemImages the tests above made (a run of this test alone has none to look at).
  if kn get si minimal >/dev/null 2>&1; then
    reasons="$(kn get events --field-selector involvedObject.kind=SystemImage,involvedObject.name=minimal \
      -o jsonpath='{range .items[*]}{.reason}{" "}{end}')"
    [[ -n "$reasons" ]] || fail "si/minimal has no Events"
    log "  si/minimal events: $reasons"
  fi
}

# ---- diagnostics ------------------------------------------------------------------------------

dump() {
  local name="$1" p
  echo "----- diagnostics for $name -----"
  echo "## SystemImages"; kn get si -o wide 2>&1
  [[ -n "$name" ]] && { echo "## si/$name"; kn get si "$name" -o yaml 2>&1 | sed -n '/^status:/,$p'; }
  echo "## pods"; kn get pods -o wide --show-labels 2>&1; k -n "$OPNS" get pods -o wide 2>&1
  echo "## events ($NS)"; kn get events --sort-by=.lastTimestamp 2>&1 | tail -40
  echo "## events ($OPNS)"; k -n "$OPNS" get events --sort-by=.lastTimestamp 2>&1 | tail -15
  for p in $(kn get pods -l "twinbuild.dev/image=$name" -o name 2>/dev/null); do
    echo "## logs $p"; kn logs "$p" --tail=40 2>&1
    echo "## termination $p"; kn get "$p" -o jsonpath='{.status.containerStatuses[*].state}{"\n"}' 2>&1
  done
  for p in $(k -n "$OPNS" get pods -l "$OPERATOR_SELECTOR" -o name 2>/dev/null); do
    echo "## operator logs $p"; k -n "$OPNS" logs "$p" --tail=120 2>&1
    echo "## operator logs $p (previous)"; k -n "$OPNS" logs "$p" --previous --tail=40 2>&1 | tail -40
  done
  echo "----- end of diagnostics -----"
}

# ---- main -------------------------------------------------------------------------------------

prepare() {
  log "preparing namespace $NS"
  k -n "$OPNS" rollout status deployment -l "$OPERATOR_SELECTOR" --timeout="$(t 180)s" >&2 ||
    { log "the operator is not running in $OPNS"; dump ""; return 1; }
  k wait --for=condition=Established crd/systemimages.twinbuild.dev --timeout=30s >/dev/null || return 1
  local nodes
  nodes="$(k get nodes -o jsonpath='{range .items[*]}{.spec.unschedulable}{" "}{range .status.conditions[?(@.type=="Ready")]}{.status}{end}{"\n"}{end}' | grep -c '^ True$')"
  ((nodes >= 2)) || { log "need at least 2 Ready schedulable nodes, have $nodes"; return 1; }
  if k get namespace "$NS" >/dev/null 2>&1; then
    k delete namespace "$NS" --wait=true --timeout="$(t 180)s" >/dev/null || return 1
  fi
  k create namespace "$NS" >/dev/null || return 1
  # The default store's credentials, which builder pods and the operator read in the SystemImage's namespace.
  k -n "$OPNS" get secret twinbuild-s3 -o go-template='apiVersion: v1
kind: Secret
metadata: {name: twinbuild-s3}
type: Opaque
data: {accessKeyId: {{index .data "accessKeyId"}}, secretAccessKey: {{index .data "secretAccessKey"}}}
' | kn apply -f - >/dev/null || return 1

  for _ in $(seq 60); do kn get serviceaccount default >/dev/null 2>&1 && break; sleep 1; done
}

main() {
  local tests=("$@") passed=0 failed=0 failed_names=() start=$SECONDS t0 name fn
  ((${#tests[@]})) || tests=("${ALL_TESTS[@]}")
  for name in "${tests[@]}"; do
    declare -F "test_${name//-/_}" >/dev/null || { log "unknown test '$name' (tests: ${ALL_TESTS[*]})"; exit 2; }
  done
  prepare || { log "suite set-up failed"; echo "0 passed, ${#tests[@]} failed"; exit 1; }
  for name in "${tests[@]}"; do
    fn="test_${name//-/_}"
    log "RUN  $name"
    t0=$SECONDS
    if ( set -uo pipefail; "$fn" ); then
      log "PASS $name ($((SECONDS - t0))s)"
      passed=$((passed + 1))
    else
      log "FAIL $name ($((SECONDS - t0))s)"
      failed=$((failed + 1)); failed_names+=("$name")
      case "$name" in
        reproducible) dump minimal ;; formats) dump formats ;; unreproducible) dump unreproducible ;;
        operator-restart) dump slow-operator-restart ;; builder-restart) dump slow-builder-restart ;;
        *) dump "" ;;
      esac >&2
    fi
  done
  if [[ "${TWINBUILD_E2E_KEEP:-}" != 1 ]]; then
    k delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
  fi
  log "suite finished in $((SECONDS - start))s${failed_names[*]:+; failed: ${failed_names[*]}}"
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
