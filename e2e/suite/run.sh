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
#   attestation        si/minimal's verdict is signed: status.attestations lists a provenance per build
#                      and a VSA; the VSA envelope from the store (its sha256 as in status), the public
#                      key from ConfigMap twinbuild-attestation-key and the artifact verify with cosign
#                      (e2e/cosign) and `twinbuild attest verify`; a tampered artifact and a tampered
#                      payload are rejected by both; each build's provenance verifies for its outputs
#   isolation          in a fresh namespace with no Secret, examples/e2e/no-secrets.yaml reaches
#                      Reproducible while its step searches everything it can read (/proc/*/environ,
#                      /proc/*/cmdline, mounted files, the termination log, its environment) for the
#                      store's keys and finds neither; its pods carry no credentials; then in a second
#                      fresh namespace examples/e2e/cross-namespace.yaml tries its own grant on the first
#                      namespace's artifact (overwrite, read, delete, unsigned read): all refused, the
#                      artifact unchanged
#   formats            examples/e2e/formats.yaml (squashfs, ext4, ISO, kernel+initrd, OCI: the native
#                      tools of the builder image, in hardened pods) is Reproducible across two nodes
#   unreproducible     examples/unreproducible.yaml ends Reproducible=False naming etc/build-date; the
#                      diff report is in the store
#   invalid            each examples/e2e/invalid/*.yaml is refused by the API server with the message
#                      its "# expect:" line gives
#   image-pull         examples/e2e/unpullable.yaml (a builder image no node can pull) is Stalled with
#                      the kubelet's reason (ErrImagePull/ImagePullBackOff) and message naming the
#                      image within 60 s of its builder pod's creation
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
#   policy             each examples/e2e/policy/*.yaml (a builder image or store the admin did not allow)
#                      ends Failed with Stalled=True and the reason/message its "# expect-" lines give, an
#                      event of that reason, and no pod
#   admission          the chart's ValidatingAdmissionPolicy: as the operator's ServiceAccount (kubectl
#                      --as), a builder-shaped pod is admitted, and privileged, hostPath, hostNetwork, token,
#                      other-account, other-image, added-capability and root variants are refused with the
#                      policy's message; the suite namespace enforces Pod Security "restricted" (every
#                      build of the suite ran there) and refuses a privileged pod even from an admin
#   store-outage       the store (s3proxy) scaled to zero while two SystemImages build and back 60 s later:
#                      both reach Reproducible, each build ran once (uploads retried, not rebuilt), and
#                      every object stored before is unchanged
#   lost-node          (local cluster and Kind: see TWINBUILD_E2E_CLUSTER) a worker's kubelet and containerd
#                      (local cluster: e2e/local-cluster.sh stop-node, also kube-proxy; Kind: systemctl stop
#                      in the node's container) stopped while it runs a build: within 300 s the status names
#                      the lost node (or the verdict is in); once the node is back the verdict is Reproducible
#   dns                (clusters with CoreDNS, i.e. Kind: Service kube-system/kube-dns) a pod in the suite
#                      namespace resolves the store's Service name (s3proxy.<operator ns>, short and
#                      fully qualified, with getent, through the pod's resolv.conf) to its ClusterIP
#   debian-live        examples/debian-live.yaml (Debian packages, kernel, initrd, ext4, BIOS live ISO) with
#                      its lock as a ConfigMap pinned by spec.packageLock: Stalled (PackageLockNotFound)
#                      within 60 s while the ConfigMap is missing, then Reproducible on two nodes with every
#                      digest equal to examples/golden/debian-live.sha256; the stored ISO, downloaded,
#                      boots in QEMU to the image's marker (serial log under e2e/target/suite/debian-live/).
#                      On the local cluster the locked .debs are served from the host (deb-mirror.py)
#   reverify           a SystemImage with spec.verification.interval 2m (the chart's minimum lowered to 2m):
#                      two rounds on the interval and one on the annotation (echoed in lastHandledReverifyAt),
#                      Ready sampled True throughout, history bounded; then builder.runAsUser changed (its step
#                      writes `id -u` into the image; user_group is not varied) and a round on the annotation
#                      ends Reproducible=False with reason RegressionOnReverify naming the output
#   namespaced         the chart switched to operator.watchNamespaces=[<ns>-scoped] (helm upgrade
#                      --reuse-values): no cluster-wide role is left, the account can create pods only
#                      there, examples/minimal.yaml is Reproducible there, a SystemImage elsewhere is not
#                      touched; the chart is switched back afterwards (needs helm: helm/helm-binary.sh)
#
# Every wait is bounded. On a failure the test's SystemImage, pods, events, builder logs and operator
# logs are printed. Ends with "N passed, M failed"; exits 1 if any failed.
#
# Environment: KUBECONFIG (required), TWINBUILD_NAMESPACE (twinbuild-system), TWINBUILD_E2E_NAMESPACE
# (twinbuild-e2e; deleted and re-created), TWINBUILD_E2E_KEEP=1 keeps it afterwards,
# TWINBUILD_E2E_TIMEOUT_SCALE (1; multiplies every timeout, for slow machines), TWINBUILD_E2E_CLUSTER (how a
# node is stopped for lost-node: "local" = e2e/local-cluster.sh, the default where its state exists; "kind" =
# the node's container, set by e2e/kind/run.sh; anything else leaves lost-node out).
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
ALL_TESTS=(reproducible attestation isolation formats unreproducible invalid operator-restart builder-restart dashboard observability policy
  admission namespaced image-pull store-outage debian-live reverify)
# Test artifacts (serial logs of boots, the e2e's package mirror)
ARTIFACTS="${TWINBUILD_E2E_ARTIFACTS:-$ROOT/e2e/target/suite}"
RELEASE="${TWINBUILD_RELEASE:-twinbuild}"
# lost-node stops a node's processes: on the local cluster (e2e/local-cluster.sh) and on Kind (docker exec).
CLUSTER_KIND="${TWINBUILD_E2E_CLUSTER:-}"
[[ -z "$CLUSTER_KIND" && -s "$ROOT/e2e/target/cluster/bin-dir" ]] && CLUSTER_KIND=local
[[ "$CLUSTER_KIND" == local || "$CLUSTER_KIND" == kind ]] && ALL_TESTS+=(lost-node)
# Builder pods run under the strictest Pod Security Standard in every namespace of the suite.
PSA_LABELS=(pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest)

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

# builder_pods NAME [SPEC_HASH] — "name uid node phase attempt" of its builder pods, one per line; phase
# "Building" while the build (init) container runs (the pod itself is Pending then)
builder_pods() {
  local sel="twinbuild.dev/image=$1,app.kubernetes.io/component=builder"
  [[ -n "${2:-}" ]] && sel+=",twinbuild.dev/spec-hash=$2"
  kn get pods -l "$sel" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.uid}{" "}{.spec.nodeName}{" "}{.status.phase}{" "}{.metadata.annotations.twinbuild\.dev/attempt}{" "}{.status.initContainerStatuses[0].state.running.startedAt}{"\n"}{end}' |
    awk '{ if ($4 == "Pending" && $6 != "") print $1, $2, $3, "Building", $5; else { sub(/ [^ ]*$/, ""); print } }'
}

# wait_running NAME COUNT SECONDS — until COUNT builder pods of NAME are building (or uploading)
wait_running() {
  local name="$1" want="$2" deadline=$((SECONDS + $3)) n
  while ((SECONDS < deadline)); do
    n="$(builder_pods "$name" | awk '$4=="Building" || $4=="Running"' | wc -l)"
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
  k -n "$OPNS" exec deploy/s3proxy -c s3proxy -- sha256sum "$path" | cut -d' ' -f1
}

# stored_text LOCATION — the content of a stored (text) object
stored_text() {
  local loc="$1"
  [[ "$loc" == s3://* ]] || return 1
  k -n "$OPNS" exec deploy/s3proxy -c s3proxy -- cat "/data/${loc#s3://}"
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
  got="$(k -n "$OPNS" exec deploy/s3proxy -c s3proxy -- sh -c 'for p; do
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
  local t0=$SECONDS
  kn apply -f "$EXAMPLES/minimal.yaml" >/dev/null || fail "kubectl apply failed"
  check "kubectl wait --for=condition=Reproducible si/minimal" \
    kn wait --for=condition=Reproducible si/minimal --timeout="$(t 300)s"
  log "  minimal: Reproducible $((SECONDS - t0))s after kubectl apply"
  [[ "$(jp si/minimal '{.status.phase}')" == Reproducible ]] || fail "phase is not Reproducible"
  [[ "$(jp si/minimal '{.status.observedGeneration}')" == "$(jp si/minimal '{.metadata.generation}')" ]] ||
    fail "observedGeneration does not match metadata.generation"
  [[ "$(condition minimal Ready status)" == True ]] || fail "Ready is not True"
  check_distinct_nodes minimal
  check_stored_artifacts minimal
  # Where the time goes: the build (init) container, then the upload container.
  kn get pods -l twinbuild.dev/image=minimal,app.kubernetes.io/component=builder -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.initContainerStatuses[0].state.terminated.startedAt}{" "}{.status.initContainerStatuses[0].state.terminated.finishedAt}{" "}{.status.containerStatuses[0].state.terminated.startedAt}{" "}{.status.containerStatuses[0].state.terminated.finishedAt}{"\n"}{end}' |
    while read -r pod bs bf us uf; do
      [[ -n "$uf" ]] || continue
      log "  $pod: build $(($(date -d "$bf" +%s) - $(date -d "$bs" +%s)))s, then upload $(($(date -d "$uf" +%s) - $(date -d "$us" +%s)))s (started $(($(date -d "$us" +%s) - $(date -d "$bf" +%s)))s after the build ended)"
    done
  local hash
  hash="$(jp si/minimal '{.status.specHash}')"
  [[ "$(builder_pods minimal "$hash" | grep -c .)" -eq 2 ]] || fail "expected 2 builder pods: $(builder_pods minimal)"
  # Applying the same spec again is not a new build.
  kn apply -f "$EXAMPLES/minimal.yaml" >/dev/null || fail "kubectl apply (again) failed"
  sleep 5
  [[ "$(builder_pods minimal | grep -c .)" -eq 2 ]] || fail "re-applying the same spec started builds: $(builder_pods minimal)"
  [[ "$(jp si/minimal '{.status.phase}')" == Reproducible ]] || fail "re-applying changed the verdict"
}

# store_get LOCATION FILE — an object of the s3proxy store, copied to a local file
store_get() { k -n "$OPNS" exec deploy/s3proxy -c s3proxy -- cat "/data/${1#s3://}" >"$2"; }

test_attestation() {
  local dir cosign tb vsa vsa_sha art art_file n payload out rc
  dir="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now
  trap "rm -rf '$dir'" RETURN
  cosign="$(TWINBUILD_COSIGN_CACHED_ONLY=1 "$ROOT/e2e/cosign/build.sh" | tail -1)" || fail "no cosign (e2e/cosign/build.sh)"
  [[ -f "$ROOT/builder-image/target/twinbuild.jar" ]] || fail "no builder-image/target/twinbuild.jar"
  tb() { java -jar "$ROOT/builder-image/target/twinbuild.jar" attest verify "$@"; }
  kn apply -f "$EXAMPLES/minimal.yaml" >/dev/null || fail "kubectl apply failed"
  kn wait --for=condition=Reproducible si/minimal --timeout="$(t 300)s" >/dev/null || fail "si/minimal is not Reproducible"
  n="$(jp si/minimal '{range .status.attestations[*]}{.predicateType}{"\n"}{end}' | grep -c '^https://slsa.dev/provenance/v1$')"
  [[ "$n" == 2 ]] || fail "expected 2 provenance attestations: $(jp si/minimal '{.status.attestations}')"
  vsa="$(jp si/minimal '{.status.attestations[?(@.predicateType=="https://slsa.dev/verification_summary/v1")].location}')"
  vsa_sha="$(jp si/minimal '{.status.attestations[?(@.predicateType=="https://slsa.dev/verification_summary/v1")].sha256}')"
  [[ "$vsa" == "s3://twinbuild/$NS/minimal/"*"/attestations/vsa.intoto.json" ]] || fail "VSA location: '$vsa'"
  store_get "$vsa" "$dir/vsa.json" || fail "cannot read $vsa"
  [[ "$(sha256sum "$dir/vsa.json" | cut -d' ' -f1)" == "$vsa_sha" ]] || fail "$vsa does not hash to $vsa_sha"
  k -n "$OPNS" get configmap twinbuild-attestation-key -o jsonpath='{.data.public\.pem}' >"$dir/pub.pem" ||
    fail "no ConfigMap twinbuild-attestation-key in $OPNS"
  art="$(jp si/minimal '{.status.artifacts[0].location}')"
  art_file="$dir/$(jp si/minimal '{.status.artifacts[0].file}')"
  store_get "$art" "$art_file" || fail "cannot read $art"

  out="$("$cosign" verify-blob-attestation --key "$dir/pub.pem" --insecure-ignore-tlog \
    --type https://slsa.dev/verification_summary/v1 --signature "$dir/vsa.json" "$art_file" 2>&1)" ||
    fail "cosign rejects the VSA: $out"
  log "  cosign: $(tail -1 <<<"$out")"
  out="$(tb "$art_file" --attestation "$dir/vsa.json" --key "$dir/pub.pem" --type vsa 2>&1)" ||
    fail "twinbuild attest verify rejects the VSA: $out"
  log "  twinbuild: $out"

  # tampered artifact
  cp "$art_file" "$dir/tampered" && printf 'x' >>"$dir/tampered"
  "$cosign" verify-blob-attestation --key "$dir/pub.pem" --insecure-ignore-tlog --type https://slsa.dev/verification_summary/v1 \
    --signature "$dir/vsa.json" "$dir/tampered" >/dev/null 2>&1 && fail "cosign accepted a tampered artifact"
  tb "$dir/tampered" --attestation "$dir/vsa.json" --key "$dir/pub.pem" >/dev/null 2>&1; rc=$?
  [[ $rc == 1 ]] || fail "twinbuild attest verify: exit $rc for a tampered artifact (want 1)"
  # tampered payload: the subject's digest replaced by the tampered file's, the signature kept
  payload="$(sed -E 's/.*"payload":"([^"]*)".*/\1/' "$dir/vsa.json" | base64 -d |
    sed "s/$(sha256sum "$art_file" | cut -d' ' -f1)/$(sha256sum "$dir/tampered" | cut -d' ' -f1)/" | base64 -w0)"
  sed -E "s|\"payload\":\"[^\"]*\"|\"payload\":\"$payload\"|" "$dir/vsa.json" >"$dir/forged.json"
  "$cosign" verify-blob-attestation --key "$dir/pub.pem" --insecure-ignore-tlog --type https://slsa.dev/verification_summary/v1 \
    --signature "$dir/forged.json" "$dir/tampered" >/dev/null 2>&1 && fail "cosign accepted a tampered payload"
  tb "$dir/tampered" --attestation "$dir/forged.json" --key "$dir/pub.pem" >/dev/null 2>&1; rc=$?
  [[ $rc == 1 ]] || fail "twinbuild attest verify: exit $rc for a tampered payload (want 1)"
  log "  a tampered artifact and a tampered payload: rejected by cosign and twinbuild (exit 1)"

  # each build's provenance, for that build's first output
  local b loc sha
  while read -r b loc; do
    [[ -n "$b" ]] || continue
    store_get "$loc" "$dir/$b.json" || fail "cannot read $loc"
    sha="$(jp si/minimal "{.status.builds[?(@.name==\"$b\")].outputs[0].sha256}")"
    out="$(tb --digest "sha256:$sha" --attestation "$dir/$b.json" --key "$dir/pub.pem" --type provenance 2>&1)" ||
      fail "provenance of $b: $out"
  done <<<"$(jp si/minimal '{range .status.attestations[?(@.predicateType=="https://slsa.dev/provenance/v1")]}{.build}{" "}{.location}{"\n"}{end}')"
  log "  both builds' provenance verifies"
}

# fresh_namespace NAME — deleted if it exists, created empty (no Secret of any kind), Pod Security restricted
fresh_namespace() {
  if k get namespace "$1" >/dev/null 2>&1; then
    k delete namespace "$1" --wait=true --timeout="$(t 180)s" >/dev/null || return 1
  fi
  k create namespace "$1" >/dev/null || return 1
  k label namespace "$1" "${PSA_LABELS[@]}" >/dev/null || return 1
  for _ in $(seq 60); do k -n "$1" get serviceaccount default >/dev/null 2>&1 && return 0; sleep 1; done
}

# Secrets of NAMESPACE that are not upload grants owned by a pod ("" when none)
foreign_secrets() {
  k -n "$1" get secrets -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.ownerReferences[0].kind}{"\n"}{end}' |
    awk '!($1 ~ /-grants$/ && $2 == "Pod")'
}

test_isolation() {
  local a="$NS-a" b="$NS-b" t0 secrets target before after leaks store query codes
  fresh_namespace "$a" || fail "cannot create namespace $a"
  fresh_namespace "$b" || fail "cannot create namespace $b"
  [[ -z "$(k -n "$a" get secrets -o name)" ]] || fail "namespace $a is not empty of Secrets"
  # The store's keys, as the operator gets them: its Secret in the operator's namespace.
  local secret keyid_b64 secret_b64 pods pod
  secret="$(k -n "$OPNS" get deploy -l "$OPERATOR_SELECTOR" -o jsonpath='{.items[0].spec.template.spec.containers[0].env[?(@.name=="AWS_ACCESS_KEY_ID")].valueFrom.secretKeyRef.name}')"
  keyid_b64="$(k -n "$OPNS" get secret "$secret" -o jsonpath='{.data.accessKeyId}')"
  secret_b64="$(k -n "$OPNS" get secret "$secret" -o jsonpath='{.data.secretAccessKey}')"
  [[ -n "$keyid_b64" && -n "$secret_b64" ]] || fail "cannot read the store's keys from Secret '$secret' in $OPNS"
  t0=$SECONDS
  sed -e "s|@KEYID_B64@|$keyid_b64|" -e "s|@SECRET_B64@|$secret_b64|" "$EXAMPLES/e2e/no-secrets.yaml" |
    k -n "$a" apply -f - >/dev/null || fail "kubectl apply failed"
  NS="$a" kn wait --for=condition=Reproducible si/no-secrets --timeout="$(t 300)s" >/dev/null ||
    fail "si/no-secrets in $a not Reproducible: $(NS="$a" condition no-secrets Stalled message) $(NS="$a" jp si/no-secrets '{.status.builds[*].failure.message}')"
  log "  no-secrets: Reproducible in $((SECONDS - t0))s in a namespace without a Secret"
  secrets="$(foreign_secrets "$a")"
  [[ -z "$secrets" ]] || fail "namespace $a holds Secrets other than pod-owned upload grants: $secrets"
  leaks="$(k -n "$a" get pods -l twinbuild.dev/image=no-secrets -o jsonpath='{range .items[*].spec.containers[*]}{.env[*].name}{" "}{.env[*].valueFrom.secretKeyRef.name}{"\n"}{end}{range .items[*].spec.initContainers[*]}{.env[*].name}{" "}{.env[*].valueFrom.secretKeyRef.name}{"\n"}{end}' | grep -E "AWS_|$secret" || true)"
  [[ -z "$leaks" ]] || fail "builder pods carry store credentials: $leaks"
  # The search ran, and found nothing, in every build; the grants went to the upload container only, which
  # used them (its summary names the stored objects), while steps ran in the build container.
  pods="$(k -n "$a" get pods -l twinbuild.dev/image=no-secrets,app.kubernetes.io/component=builder -o name)"
  [[ "$(grep -c . <<<"$pods")" -eq 2 ]] || fail "expected 2 builder pods in $a: $pods"
  # The step's last act puts its verdict into the tree (step output stays in the build's work directory): it
  # is in every build's stored tar, so the search ran to its end in both.
  local outs verdicts
  outs="$(NS="$a" jp si/no-secrets '{range .status.builds[*]}{.outputs[0].location}{"\n"}{end}')"
  [[ "$(grep -c '^s3://' <<<"$outs")" -eq 2 ]] || fail "expected the stored tar of 2 builds: $outs"
  # shellcheck disable=SC2016 # expanded by the store pod's shell
  verdicts="$(k -n "$OPNS" exec deploy/s3proxy -c s3proxy -- sh -c 'for p; do tar -xOf "$p" --wildcards "*etc/credential-search"; done' \
    sh $(sed 's|^s3://|/data/|' <<<"$outs") 2>&1)" || fail "cannot read the step's verdict from the stored tars: $verdicts"
  [[ "$(grep -cx 'store credentials: not found' <<<"$verdicts")" -eq 2 ]] || fail "the search's verdicts: $verdicts"
  for pod in $pods; do
    [[ -z "$(k -n "$a" get "$pod" -o jsonpath='{.spec.initContainers[?(@.name=="build")].volumeMounts[*].name}' | tr ' ' '\n' | grep -x grants)" ]] ||
      fail "$pod: the build container mounts the grants"
    [[ "$(k -n "$a" get "$pod" -o jsonpath='{.spec.containers[?(@.name=="upload")].volumeMounts[?(@.name=="grants")].mountPath}')" == /etc/twinbuild/grants ]] ||
      fail "$pod: the upload container does not mount the grants"
    [[ "$(k -n "$a" get "$pod" -o jsonpath='{.spec.volumes[?(@.name=="grants")].secret.secretName}')" == "${pod#pod/}-grants" ]] ||
      fail "$pod: the grants volume is not the pod's own grants Secret"
    [[ "$(k -n "$a" get "$pod" -o jsonpath='{.status.containerStatuses[?(@.name=="upload")].state.terminated.message}')" == *'"location":"s3://'* ]] ||
      fail "$pod: the upload container reported no stored object: $(k -n "$a" get "$pod" -o jsonpath='{.status.containerStatuses[?(@.name=="upload")].state}')"
  done
  log "  grants mounted in the upload containers only, which stored the outputs; build containers had none"
  (NS="$a"; check_stored_artifacts no-secrets) || fail "artifacts of $a"

  target="$(NS="$a" jp si/no-secrets '{.status.artifacts[0].location}')"
  [[ "$target" == "s3://twinbuild/$a/no-secrets/"* ]] || fail "artifact $target is not under $a's prefix"
  before="$(stored_sha256 "$target")" || fail "cannot hash $target"
  store="$(operator_env TWINBUILD_STORE_S3_ENDPOINT)"; store="${store#http://}"
  sed -e "s|@TARGET@|/${target#s3://}|" -e "s|@STORE@|$store|" "$EXAMPLES/e2e/cross-namespace.yaml" |
    k -n "$b" apply -f - >/dev/null || fail "kubectl apply (cross-namespace) failed"
  NS="$b" kn wait --for=condition=Reproducible si/cross-namespace --timeout="$(t 300)s" >/dev/null ||
    fail "si/cross-namespace in $b not Reproducible (an attempt on $a's artifact succeeded?): $(NS="$b" jp si/cross-namespace '{.status.builds[*].failure.message}')"
  # What $b's tenant can hold: its own builds' grants (a Secret in its namespace). Tried on $a's artifact
  # at the store itself; the signature covers the key, so each must be refused.
  query="$(k -n "$b" get secrets -o jsonpath='{range .items[*]}{.data.grants\.json}{"\n"}{end}' | head -1 | base64 -d |
    grep -o '"put":"[^"]*"' | head -1 | sed 's/^"put":"//; s/"$//; s/^[^?]*?//')"
  [[ "$query" == *X-Amz-Signature=* ]] || fail "no presigned grant in $b's Secrets to try"
  # shellcheck disable=SC2016 # expanded by the store pod's shell
  codes="$(k -n "$OPNS" exec deploy/s3proxy -c s3proxy -- bash -c 'req() {
      exec 3<>/dev/tcp/127.0.0.1/${S3PROXY_PORT:-8080} || { echo 000; return; }
      printf "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s" "$1" "$2" "$3" "${#4}" "$4" >&3
      IFS=" " read -r _ code _ <&3; exec 3<&-; echo "$code"; }
      echo "$(req PUT "$1?$2" "$3" forged) $(req GET "$1?$2" "$3" "") $(req DELETE "$1?$2" "$3" "")"' \
      sh "/${target#s3://}" "$query" "$store" 2>&1)" || fail "cannot try $b's grant at the store: $codes"
  [[ "$codes" == "403 403 403" ]] || fail "$b's own grant on $a's artifact: PUT GET DELETE gave '$codes', expected 403 403 403"
  log "  $b's step has no grant; unsigned requests and $b's own grant on $a's artifact: refused ($codes)"
  after="$(stored_sha256 "$target")" || fail "cannot hash $target afterwards"
  [[ "$after" == "$before" ]] || fail "$target changed: $before -> $after"
  [[ "$(NS="$a" jp si/no-secrets '{.status.artifacts[0].sha256}')" == "$after" ]] || fail "$target differs from status"
  [[ "$(NS="$b" jp si/cross-namespace '{.status.artifacts[0].location}')" == "s3://twinbuild/$b/"* ]] ||
    fail "$b's artifact is not under its own prefix"
  log "  $b could not overwrite, read or delete $target (sha256 ${after:0:12} unchanged)"
  if [[ "${TWINBUILD_E2E_KEEP:-}" != 1 ]]; then
    k delete namespace "$a" "$b" --wait=false >/dev/null 2>&1 || true
  fi
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
  kn apply -f "$EXAMPLES/e2e/unreproducible-formats.yaml" >/dev/null || fail "kubectl apply failed"
  local phase paths report
  phase="$(wait_final unreproducible "$(t 300)")" || fail "no verdict"
  [[ "$phase" == Unreproducible ]] || fail "phase is $phase, expected Unreproducible"
  check "kubectl wait --for=condition=Reproducible=false" \
    kn wait --for=condition=Reproducible=false si/unreproducible --timeout=10s
  [[ "$(condition unreproducible Reproducible message)" == *unreproducible.tar* ]] ||
    fail "the Reproducible condition does not name the differing output: $(condition unreproducible Reproducible message)"
  check_distinct_nodes unreproducible
  wait_diagnosed unreproducible "$(t 300)"
  paths="$(jp si/unreproducible '{.status.mismatch.differingPaths[*]}')"
  [[ " $paths " == *etc/build-date* ]] || fail "mismatch.differingPaths does not name etc/build-date: '$paths'"
  report="$(jp si/unreproducible '{.status.mismatch.reportLocation}')"
  [[ -n "$report" ]] || fail "no mismatch.reportLocation"
  stored_sha256 "$report" >/dev/null || fail "the diff report $report is not in the store"
  log "  differing paths: $paths; report $report"
  check_diffoscope unreproducible unreproducible.tar

  # squashfs, ext4, ISO: unpacked by the diagnosis pod (unsquashfs, debugfs, xorriso), never by the operator.
  phase="$(wait_final unreproducible-formats "$(t 300)")" || fail "no verdict for unreproducible-formats"
  [[ "$phase" == Unreproducible ]] || fail "unreproducible-formats: phase is $phase, expected Unreproducible"
  wait_diagnosed unreproducible-formats "$(t 300)"
  paths="$(jp si/unreproducible-formats '{.status.mismatch.differingPaths[*]}')"
  local f n
  for f in unreproducible-formats.squashfs unreproducible-formats.ext4 unreproducible-formats.iso; do
    [[ "$(jp si/unreproducible-formats '{.status.mismatch.outputs[*].file}')" == *"$f"* ]] ||
      fail "mismatch.outputs does not name $f"
    check_diffoscope unreproducible-formats "$f"
  done
  [[ "$paths" == *etc/build-date* ]] || fail "mismatch.differingPaths does not name etc/build-date: '$paths'"
  # diffoscope looked inside the squashfs (unsquashfs in the check pod) and the ISO (isoinfo). For ext4
  # diffoscope would need libguestfs (a VM appliance, not in a pod): Twinbuild's own differ (debugfs) covers it.
  for f in unreproducible-formats.squashfs unreproducible-formats.iso; do
    stored_text "$(jp si/unreproducible-formats "{.status.mismatch.reports.diffoscope-${f//./\\.}\\.txt}")" | grep -q build-date ||
      fail "diffoscope's report of $f does not show etc/build-date"
  done
  for f in unreproducible-formats.ext4 unreproducible-formats.iso; do
    stored_text "$(jp si/unreproducible-formats '{.status.mismatch.reports.diff-report\.txt}')" | grep -q "$f" ||
      fail "Twinbuild's report does not cover $f"
  done
  log "  unreproducible-formats: differing paths: $paths"
  check_operator_has_no_fs_tools
}

# wait_diagnosed NAME SECONDS — until the diagnosis of an Unreproducible verdict is done, by a check pod
# that ran in the SystemImage's namespace (status.check names it), and it succeeded.
wait_diagnosed() {
  local name="$1" deadline=$((SECONDS + $2)) phase="" pod purpose
  while ((SECONDS < deadline)); do
    phase="$(jp "si/$name" '{.status.check.phase}' 2>/dev/null)"
    [[ "$phase" == Succeeded || "$phase" == Failed ]] && break
    sleep 2
  done
  [[ "$phase" == Succeeded ]] || fail "$name: diagnosis not done within $2s: check phase '${phase:-none}', message '$(jp "si/$name" '{.status.check.message}')'"
  purpose="$(jp "si/$name" '{.status.check.purpose}')"
  [[ "$purpose" == Diagnosis ]] || fail "$name: status.check.purpose is '$purpose', expected Diagnosis"
  pod="$(jp "si/$name" '{.status.check.pod}')"
  [[ "$(kn get pod "$pod" -o jsonpath='{.metadata.labels.twinbuild\.dev/check} {.status.phase}')" == "diagnosis Succeeded" ]] ||
    fail "$name: diagnosis pod $pod did not run to success: $(kn get pod "$pod" -o jsonpath='{.status.phase}' 2>&1)"
  log "  $name: diagnosed by pod $pod (status.check.verified=$(jp "si/$name" '{.status.check.verified}'))"
}

# check_diffoscope NAME OUTPUT — diffoscope's text and HTML reports of OUTPUT are in the store, linked from the status.
check_diffoscope() {
  local name="$1" out="$2" kind loc
  for kind in txt html; do
    loc="$(jp "si/$name" "{.status.mismatch.reports.diffoscope-${out//./\\.}\\.$kind}")"
    [[ "$loc" == s3://* ]] || fail "$name: no diffoscope $kind report of $out in status.mismatch.reports: $(jp "si/$name" '{.status.mismatch.reports}')"
    stored_sha256 "$loc" >/dev/null || fail "$name: diffoscope report $loc is not in the store"
  done
  log "  $name: diffoscope reports of $out stored ($loc)"
}

# The operator image is a JRE only: it has no tool that could unpack an image.
check_operator_has_no_fs_tools() {
  local op found
  op="$(k -n "$OPNS" get pods -l "$OPERATOR_SELECTOR" -o jsonpath='{.items[0].metadata.name}')"
  [[ -n "$op" ]] || fail "no operator pod"
  found="$(k -n "$OPNS" exec "$op" -- sh -c 'for t in unsquashfs debugfs xorriso mksquashfs diffoscope cpio; do command -v "$t"; done; true')" ||
    fail "kubectl exec into $op failed"
  [[ -z "$found" ]] || fail "the operator image has filesystem tools: $found"
  log "  operator pod $op: no unsquashfs, debugfs, xorriso, mksquashfs, diffoscope, cpio"
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

test_image_pull() {
  local name=unpullable created="" created_s deadline status="" reason="" message
  kn apply -f "$EXAMPLES/e2e/$name.yaml" >/dev/null || fail "kubectl apply failed"
  deadline=$((SECONDS + $(t 60)))
  while ((SECONDS < deadline)) && [[ -z "$created" ]]; do
    created="$(kn get pods -l "twinbuild.dev/image=$name" -o jsonpath='{.items[0].metadata.creationTimestamp}' 2>/dev/null)"
    [[ -n "$created" ]] || sleep 1
  done
  [[ -n "$created" ]] || fail "no builder pod for $name"
  created_s="$(date -d "$created" +%s)"
  # The bound is the product's promise (60 s), not scaled.
  while (($(date +%s) <= created_s + 60)); do
    status="$(condition "$name" Stalled status)"; reason="$(condition "$name" Stalled reason)"
    [[ "$status" == True && "$reason" =~ ^(ErrImagePull|ImagePullBackOff)$ ]] && break
    sleep 1
  done
  message="$(condition "$name" Stalled message)"
  [[ "$status" == True && "$reason" =~ ^(ErrImagePull|ImagePullBackOff)$ ]] ||
    fail "not Stalled on the pull within 60 s of the pod's creation: Stalled=$status reason=$reason phase=$(jp "si/$name" '{.status.phase}') message=$message"
  [[ "$message" == *no-such-builder* ]] || fail "the Stalled message does not name the image: $message"
  [[ "$(condition "$name" Reconciling status)" == False ]] || fail "Reconciling is still True while Stalled"
  log "  Stalled=$reason $(( $(date +%s) - created_s ))s after the pod's creation: $(head -c 200 <<<"$message")"
  kn delete si "$name" --wait=false >/dev/null 2>&1 || true
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
  # A namespace of its own (no Secret: only the operator holds the store's credentials).
  fresh_namespace "$dns" || fail "cannot create namespace $dns"
  # the viewer may list SystemImages in this namespace only
  k -n "$dns" create serviceaccount viewer >/dev/null &&
    k -n "$dns" create role si-viewer --verb=get,list,watch --resource=systemimages.twinbuild.dev >/dev/null &&
    k -n "$dns" create rolebinding viewer --role=si-viewer --serviceaccount="$dns:viewer" >/dev/null ||
    fail "cannot create the viewer"
  token="$(k -n "$dns" create token viewer --duration=1h)" || fail "kubectl create token failed"

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

test_policy() {
  local f name reason expect t0 phase msg n=0
  for f in "$EXAMPLES"/e2e/policy/*.yaml; do
    kn apply -f "$f" >/dev/null || fail "kubectl apply -f $f failed"
  done
  for f in "$EXAMPLES"/e2e/policy/*.yaml; do
    name="$(awk '$1 == "name:" {print $2; exit}' "$f")"
    reason="$(sed -n 's/^# expect-reason: //p' "$f")"
    expect="$(sed -n 's/^# expect-message: //p' "$f")"
    [[ -n "$name" && -n "$reason" && -n "$expect" ]] || fail "$f lacks a name or '# expect-reason:'/'# expect-message:' lines"
    t0=$SECONDS
    check "si/$name Stalled" kn wait --for=condition=Stalled "si/$name" --timeout="$(t 60)s"
    [[ "$(condition "$name" Stalled reason)" == "$reason" ]] ||
      fail "si/$name: Stalled reason is '$(condition "$name" Stalled reason)', expected $reason"
    msg="$(condition "$name" Stalled message)"
    grep -Eq -- "$expect" <<<"$msg" || fail "si/$name: message does not match /$expect/: $msg"
    phase="$(jp "si/$name" '{.status.phase}')"
    [[ "$phase" == Failed ]] || fail "si/$name: phase is '$phase', expected Failed"
    [[ -z "$(kn get pods -l "twinbuild.dev/image=$name" -o name)" ]] || fail "si/$name has pods: $(kn get pods -l "twinbuild.dev/image=$name" -o name)"
    [[ -n "$(kn get events --field-selector "involvedObject.name=$name,reason=$reason" -o name)" ]] ||
      fail "si/$name has no $reason event"
    log "  $name: $reason within $((SECONDS - t0))s of the wait: $(head -c 200 <<<"$msg")"
    n=$((n + 1))
  done
  ((n > 0)) || fail "no policy examples"
}

# store_listing — "<sha256>  <path>" of every object in the store, sorted
store_listing() {
  # shellcheck disable=SC2016 # expanded by the pod's shell
  k -n "$OPNS" exec deploy/s3proxy -c s3proxy -- sh -c 'find /data -type f | sort | xargs -r sha256sum'
}

test_store_outage() {
  local names=(outage-a outage-b) name hash before after t_down pods lost retries=0 p
  # Something stored before the outage, to show it survives.
  sed 's/^  name: minimal$/  name: outage-before/' "$EXAMPLES/minimal.yaml" | kn apply -f - >/dev/null || fail "apply outage-before"
  check "si/outage-before Reproducible" kn wait --for=condition=Reproducible si/outage-before --timeout="$(t 300)s"
  before="$(store_listing)" || fail "cannot list the store"
  [[ -n "$before" ]] || fail "the store is empty"
  for name in "${names[@]}"; do
    sed "s/^  name: slow-operator-restart$/  name: $name/" "$EXAMPLES/e2e/slow-operator-restart.yaml" |
      kn apply -f - >/dev/null || fail "apply $name"
  done
  for name in "${names[@]}"; do wait_running "$name" 2 "$(t 180)"; done
  # The builds sleep 40 s, then upload: the store is away from now until 60 s later.
  k -n "$OPNS" scale deployment/s3proxy --replicas=0 >/dev/null || fail "cannot scale the store to zero"
  t_down=$SECONDS
  while [[ -n "$(k -n "$OPNS" get pods -l app.kubernetes.io/name=s3proxy -o name)" ]]; do
    ((SECONDS - t_down < 60)) || fail "the store pod did not go away within 60s"
    sleep 1
  done
  log "  store down (no s3proxy pod) after $((SECONDS - t_down))s; back in 60s"
  sleep $((60 - (SECONDS - t_down)))
  k -n "$OPNS" scale deployment/s3proxy --replicas=1 >/dev/null || fail "cannot scale the store back"
  k -n "$OPNS" rollout status deployment/s3proxy --timeout="$(t 120)s" >/dev/null || fail "the store did not come back"
  log "  store back after $((SECONDS - t_down))s"
  for name in "${names[@]}"; do
    [[ "$(wait_final "$name" "$(t 420)")" == Reproducible ]] || fail "si/$name is not Reproducible: $(jp "si/$name" '{.status.conditions}')"
    hash="$(jp "si/$name" '{.status.specHash}')"
    # Built once: two pods of this generation, each attempt 1, and status records attempt 1.
    pods="$(builder_pods "$name" "$hash")"
    [[ "$(grep -c . <<<"$pods")" -eq 2 ]] || fail "si/$name: expected 2 builder pods, got: $(tr '\n' ';' <<<"$pods")"
    [[ "$(awk '$5 != 1' <<<"$pods" | grep -c .)" -eq 0 ]] || fail "si/$name was rebuilt: $(tr '\n' ';' <<<"$pods")"
    [[ "$(jp "si/$name" '{.status.builds[*].attempts}')" == "1 1" ]] ||
      fail "si/$name: attempts $(jp "si/$name" '{.status.builds[*].attempts}')"
    check_stored_artifacts "$name"
    for p in $(awk '{print $1}' <<<"$pods"); do
      retries=$((retries + $(kn logs "$p" 2>/dev/null | grep -c 'twinbuild: upload of .*retrying')))
    done
  done
  ((retries > 0)) || fail "no upload met the outage (no retry in the builder logs): the test proves nothing"
  log "  $retries upload retries in the builder logs rode out the outage; every build ran once"
  after="$(store_listing)" || fail "cannot list the store"
  lost="$(comm -23 <(sort <<<"$before") <(sort <<<"$after"))"
  [[ -z "$lost" ]] || fail "objects lost or changed by the outage: $lost"
  check_stored_artifacts outage-before
  log "  all $(grep -c . <<<"$before") objects stored before the outage are unchanged"
}

# pod_node NAMESPACE SELECTOR — the node of the first Running pod matching
pod_node() {
  k -n "$1" get pods -l "$2" --field-selector=status.phase=Running -o jsonpath='{.items[0].spec.nodeName}'
}

# stop_node NODE — a worker lost: its kubelet and containerd stop (the containers' shims go on running, as on
# a node cut off from the control plane). Local cluster: e2e/local-cluster.sh (kube-proxy too); Kind: systemd
# in the node's container, whose name is the node's (kube-proxy is a pod there, left to its shim).
stop_node() {
  case "$CLUSTER_KIND" in
    local) "$ROOT/e2e/local-cluster.sh" stop-node "$1" ;;
    kind) docker exec "$1" systemctl stop kubelet.service containerd.service &&
      log "  stopped kubelet and containerd in Kind node container $1" ;;
    *) return 1 ;;
  esac
}
# start_node NODE — back again, until the node is Ready
start_node() {
  case "$CLUSTER_KIND" in
    local) "$ROOT/e2e/local-cluster.sh" start-node "$1" >/dev/null ;;
    kind) docker exec "$1" systemctl start containerd.service kubelet.service &&
      k wait --for=condition=Ready "node/$1" --timeout="$(t 180)s" >/dev/null ;;
    *) return 1 ;;
  esac
}

test_lost_node() {
  local name=lost-node store_node op_node victim="" w t0 named="" msg phase
  [[ "$CLUSTER_KIND" == local || "$CLUSTER_KIND" == kind ]] ||
    fail "lost-node needs the local cluster (e2e/local-cluster.sh) or Kind (TWINBUILD_E2E_CLUSTER=kind)"
  store_node="$(pod_node "$OPNS" app.kubernetes.io/name=s3proxy)"
  # a worker (Kind's control-plane node runs no build) that does not hold the store
  for w in $(k get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort); do
    [[ "$w" != "$store_node" ]] && { victim="$w"; break; }
  done
  [[ -n "$victim" ]] || fail "no worker besides the store's ($store_node)"
  # The operator (like the store) stays on a surviving node: move it off the victim first.
  op_node="$(pod_node "$OPNS" "$OPERATOR_SELECTOR")"
  if [[ "$op_node" == "$victim" ]]; then
    k cordon "$victim" >/dev/null && k -n "$OPNS" delete pod -l "$OPERATOR_SELECTOR" --wait=true >/dev/null
    k uncordon "$victim" >/dev/null
    wait_operator_ready "$(t 180)"
    log "  operator moved off $victim"
  fi
  sed "s/^  name: slow-operator-restart$/  name: $name/" "$EXAMPLES/e2e/slow-operator-restart.yaml" |
    kn apply -f - >/dev/null || fail "apply $name"
  wait_running "$name" 2 "$(t 180)"
  builder_pods "$name" | grep -Eq " $victim (Building|Running) " || fail "no build of $name on $victim: $(builder_pods "$name" | tr '\n' ';')"
  # shellcheck disable=SC2064 # expanded now
  trap "start_node '$victim' >/dev/null 2>&1" EXIT
  stop_node "$victim" || fail "cannot stop $victim"
  t0=$SECONDS
  # Within bounds: the verdict, or the status names the lost node (never Building without a word).
  while ((SECONDS - t0 < $(t 300))); do
    phase="$(jp "si/$name" '{.status.phase}')"
    msg="$(jp "si/$name" '{.status.builds[*].failure.message} {.status.conditions[*].message}')"
    if [[ "$msg" == *"$victim"* ]]; then named="$((SECONDS - t0))"; break; fi
    case "$phase" in Reproducible|Unreproducible|Failed) break ;; esac
    sleep 2
  done
  log "  after $((SECONDS - t0))s: phase $phase; $(kn get events --field-selector "involvedObject.name=$name" -o jsonpath='{range .items[*]}{.reason}{": "}{.message}{"\n"}{end}' | grep -F "$victim" | tail -1)"
  [[ -n "$named" || "$phase" == Reproducible ]] || fail "si/$name neither reached a verdict nor named $victim within $(t 300)s (phase $phase)"
  [[ -n "$named" ]] && log "  the status names the lost node $victim ${named}s after it stopped"
  # The node comes back; the build run again reaches the verdict.
  start_node "$victim" || fail "cannot restart $victim"
  trap - EXIT
  [[ "$(wait_final "$name" "$(t 420)")" == Reproducible ]] || fail "si/$name is not Reproducible: $(jp "si/$name" '{.status.conditions}')"
  log "  Reproducible $((SECONDS - t0))s after $victim stopped; builds: $(jp "si/$name" '{range .status.builds[*]}{.name}{"@"}{.node}{" attempts "}{.attempts}{"; "}{end}')"
}

# builder_pod_yaml IMAGE [VARIANT] — a pod shaped as BuilderPods.java makes them (init container "build"
# without grants, container "upload" of the builder image with them); VARIANT breaks one rule.
builder_pod_yaml() {
  local image="$1" v="${2:-}" token=false nonroot=true uid=1000 priv=false escalation=false caps="" spec="" vol=""
  local build_image="$1" upload_image="$1" build_grants=""
  case "$v" in
    "") ;;
    privileged) priv=true escalation=true ;;
    hostpath) vol='    - {name: host, hostPath: {path: /}}' ;;
    hostnetwork) spec='  hostNetwork: true' ;;
    token) token=true ;;
    serviceaccount) spec="  serviceAccountName: elevated" ;;
    image) build_image=twinbuild/busybox:1 ;;
    capabilities) caps=', add: [SYS_ADMIN]' ;;
    root) nonroot=false uid=0 ;;
    grants-in-build) build_grants='        - {name: grants, mountPath: /etc/twinbuild/grants, readOnly: true}' ;;
    shared-pids) spec='  shareProcessNamespace: true' ;;
    # An image policy.builderImages allows for builds (the suite allows registry.invalid/twinbuild/*), but
    # not for the container that holds the grants.
    tenant-upload) upload_image=registry.invalid/twinbuild/tenant:1 ;;
    *) fail "unknown variant $v" ;;
  esac
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  generateName: admission-probe-
  labels: {app.kubernetes.io/component: builder, app.kubernetes.io/managed-by: twinbuild-operator}
spec:
  restartPolicy: Never
  automountServiceAccountToken: $token
  enableServiceLinks: false
$spec
  securityContext:
    runAsNonRoot: $nonroot
    runAsUser: $uid
    runAsGroup: 1000
    fsGroup: 1000
    seccompProfile: {type: RuntimeDefault}
  initContainers:
    - name: build
      image: $build_image
      imagePullPolicy: IfNotPresent
      command: [twinbuild, --version]
      securityContext:
        privileged: $priv
        allowPrivilegeEscalation: $escalation
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]$caps}
      volumeMounts:
        - {name: work, mountPath: /work}
        - {name: out, mountPath: /out}
        - {name: manifest, mountPath: /etc/twinbuild/manifest, readOnly: true}
$build_grants
  containers:
    - name: upload
      image: $upload_image
      imagePullPolicy: IfNotPresent
      command: [twinbuild, --version]
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
      volumeMounts:
        - {name: out, mountPath: /out, readOnly: true}
        - {name: manifest, mountPath: /etc/twinbuild/manifest, readOnly: true}
        - {name: grants, mountPath: /etc/twinbuild/grants, readOnly: true}
  volumes:
    - {name: work, emptyDir: {sizeLimit: 1Gi}}
    - {name: out, emptyDir: {sizeLimit: 1Gi}}
    - {name: manifest, configMap: {name: admission-probe}}
    - {name: grants, secret: {secretName: admission-probe-grants}}
$vol
YAML
}

test_dns() {
  local image ip name got
  image="$(operator_env TWINBUILD_BUILDER_IMAGE)"
  ip="$(k -n "$OPNS" get service s3proxy -o jsonpath='{.spec.clusterIP}')"
  [[ -n "$image" && -n "$ip" ]] || fail "no builder image ($image) or s3proxy ClusterIP ($ip)"
  for name in "s3proxy.$OPNS" "s3proxy.$OPNS.svc.cluster.local"; do
    kn delete pod dns-check --ignore-not-found --wait=true >/dev/null
    kn apply -f - >/dev/null <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: dns-check}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: getent
      image: $image
      imagePullPolicy: IfNotPresent
      command: [getent, hosts, "$name"]
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
EOF2
    kn wait --for=jsonpath='{.status.phase}'=Succeeded pod/dns-check --timeout="$(t 60)s" >/dev/null ||
      fail "pod dns-check did not resolve $name: phase $(jp pod/dns-check '{.status.phase}'), $(kn logs dns-check 2>&1 | tail -3)"
    got="$(kn logs dns-check | awk '{print $1; exit}')"
    [[ "$got" == "$ip" ]] || fail "$name resolved to '$got', the Service's ClusterIP is $ip"
    log "  $name -> $got (Service s3proxy's ClusterIP)"
  done
  kn delete pod dns-check --wait=false >/dev/null
}

operator_env() { # operator_env NAME — a variable of the operator container, as the chart set it
  k -n "$OPNS" get deploy -l "$OPERATOR_SELECTOR" -o jsonpath="{.items[0].spec.template.spec.containers[0].env[?(@.name==\"$1\")].value}"
}

test_admission() {
  local vap="$RELEASE-operator-builder-pods" sa image probe_ns="$NS-admission" out v want warnings n=0
  OPERATOR_SA="$(k -n "$OPNS" get deploy -l "$OPERATOR_SELECTOR" -o jsonpath='{.items[0].spec.template.spec.serviceAccountName}')"
  sa="system:serviceaccount:$OPNS:$OPERATOR_SA"
  image="$(operator_env TWINBUILD_BUILDER_IMAGE)"
  [[ -n "$OPERATOR_SA" && -n "$image" ]] || fail "cannot read the operator's account and builder image"
  k get validatingadmissionpolicy "$vap" >/dev/null || fail "no ValidatingAdmissionPolicy $vap"
  k get validatingadmissionpolicybinding "$vap" >/dev/null || fail "no ValidatingAdmissionPolicyBinding $vap"
  # The API server type-checks the CEL against the Pod schema; a warning would mean a rule that never holds.
  warnings="$(k get validatingadmissionpolicy "$vap" -o jsonpath='{.status.typeChecking.expressionWarnings}')"
  [[ -z "$warnings" ]] || fail "the policy's expressions have type warnings: $warnings"

  # Pod Security "restricted" would refuse most variants first (it runs before the policy): probe the
  # policy in a namespace without it.
  k delete namespace "$probe_ns" --ignore-not-found --wait=true --timeout="$(t 60)s" >/dev/null
  k create namespace "$probe_ns" >/dev/null || fail "cannot create $probe_ns"
  # shellcheck disable=SC2064 # expanded now: the local is gone when the trap runs
  trap "k delete namespace '$probe_ns' --wait=false >/dev/null 2>&1" EXIT
  k -n "$probe_ns" create serviceaccount elevated >/dev/null || fail "cannot create a ServiceAccount in $probe_ns"
  for _ in $(seq 60); do k -n "$probe_ns" get serviceaccount default >/dev/null 2>&1 && break; sleep 1; done
  out="$(builder_pod_yaml "$image" | k -n "$probe_ns" create --as="$sa" --dry-run=server -f - 2>&1)" ||
    fail "a builder-shaped pod was refused for $sa: $out"
  log "  builder-shaped pod admitted for $sa (dry run)"
  for v in privileged hostpath hostnetwork token serviceaccount image capabilities root grants-in-build shared-pids tenant-upload; do
    case "$v" in
      privileged|capabilities) want="must not be privileged" ;; hostpath) want="no hostPath" ;;
      hostnetwork) want="host's network" ;; token) want="automountServiceAccountToken: false" ;;
      serviceaccount) want="service account" ;; image) want="only run the builder image" ;;
      root) want="non-root" ;; grants-in-build|shared-pids|tenant-upload) want="upload grants" ;;
    esac
    if out="$(builder_pod_yaml "$image" "$v" | k -n "$probe_ns" create --as="$sa" -f - 2>&1)"; then
      fail "the $v pod was admitted for $sa: $out"
    fi
    grep -q "ValidatingAdmissionPolicy '$vap'" <<<"$out" && grep -qF -- "$want" <<<"$out" ||
      fail "the $v pod was refused, but not by the policy with '$want': $out"
    n=$((n + 1))
  done
  log "  $n forbidden pods refused for $sa, e.g. privileged: $(builder_pod_yaml "$image" privileged |
    k -n "$probe_ns" create --as="$sa" -f - 2>&1 | head -c 300)"
  [[ -z "$(k -n "$probe_ns" get pods -o name)" ]] || fail "pods exist in $probe_ns: $(k -n "$probe_ns" get pods -o name)"
  # Anyone else is not bound by it (an admin's privileged pod passes the policy; dry run).
  builder_pod_yaml "$image" privileged | k -n "$probe_ns" create --dry-run=server -f - >/dev/null ||
    fail "the policy also binds others than the operator's account"

  # Pod Security "restricted" in the suite's namespace: builder pods pass it, a privileged pod does not.
  [[ "$(k get namespace "$NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')" == restricted ]] ||
    fail "namespace $NS does not enforce Pod Security restricted"
  out="$(builder_pod_yaml "$image" | kn create --as="$sa" --dry-run=server -f - 2>&1)" ||
    fail "a builder-shaped pod is refused under Pod Security restricted: $out"
  if out="$(builder_pod_yaml "$image" privileged | kn create --dry-run=server -f - 2>&1)"; then
    fail "a privileged pod was admitted in $NS"
  fi
  grep -q 'violates PodSecurity "restricted:latest"' <<<"$out" || fail "not refused by Pod Security: $out"
  log "  $NS enforces restricted: $(kn get pods -l app.kubernetes.io/component=builder -o name | wc -l) builder pods of this suite ran there"
}

# reverify_count FILTER — how many status.verifications match a jsonpath filter (e.g. @.trigger=="Interval")
reverify_count() {
  jp si/reverify "{range .status.verifications[?($1)]}{.round}{\"\n\"}{end}" 2>/dev/null | grep -c .
}

test_reverify() {
  # Not local: the EXIT trap runs after this function has returned.
  HELM="$("$ROOT/helm/helm-binary.sh" | tail -1)" || fail "no helm"
  SAMPLER=""
  local helm="$HELM" t0=$SECONDS samples="$ARTIFACTS/reverify-ready.txt" hash n value msg nodes
  mkdir -p "$ARTIFACTS"; : >"$samples"
  restore_reverify() {
    [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null
    log "  chart back to its defaults for re-verification and the builder's uid"
    "$HELM" upgrade "$RELEASE" "$ROOT/helm/twinbuild" -n "$OPNS" --reuse-values --set verification.minInterval=1h \
      --set builder.runAsUser=1000 --wait --timeout 5m >/dev/null
    k -n "$OPNS" rollout status deployment -l "$OPERATOR_SELECTOR" --timeout="$(t 180)s" >/dev/null
  }
  trap restore_reverify EXIT
  # The chart's minimum interval is 1h; this test asks for 2m, so the admin lowers it (no silent test mode).
  "$helm" upgrade "$RELEASE" "$ROOT/helm/twinbuild" -n "$OPNS" --reuse-values --set verification.minInterval=2m \
    --wait --timeout 5m >/dev/null || fail "helm upgrade verification.minInterval=2m failed"
  k -n "$OPNS" rollout status deployment -l "$OPERATOR_SELECTOR" --timeout="$(t 180)s" >/dev/null || fail "operator not rolled out"
  # Every variation but user_group: both builds run as builder.runAsUser, which the step writes into the image.
  kn apply -f - >/dev/null <<'YAML' || fail "kubectl apply failed"
apiVersion: twinbuild.dev/v1alpha1
kind: SystemImage
metadata:
  name: reverify
spec:
  sourceDateEpoch: 1700000000
  layers:
    - files:
        - {path: /etc/hostname, content: "reverify\n"}
  steps:
    - name: build-user
      run: id -u > "$ROOTFS/etc/build-uid"
  outputs:
    - format: tar
  verification:
    interval: 2m
    variations: [environment, build_path, time, timezone, locales, umask, fileordering, home, exec_path, num_cpus, domain_host]
YAML
  kn wait --for=condition=Reproducible si/reverify --timeout="$(t 300)s" >/dev/null || fail "si/reverify is not Reproducible"
  hash="$(jp si/reverify '{.status.specHash}')"
  log "  verdict Reproducible in $((SECONDS - t0))s (spec hash $hash); next re-verification $(jp si/reverify '{.status.nextVerificationTime}')"
  # Ready, sampled every 5 s from now on.
  ( while :; do printf '%s %s %s\n' "$(date +%T)" "$(jp si/reverify '{.status.conditions[?(@.type=="Ready")].status}')" \
      "$(jp si/reverify '{.status.conditions[?(@.type=="Verifying")].status}')" >>"$samples"; sleep 5; done ) &
  SAMPLER=$!

  # 1: on its own (the interval)
  for _ in $(seq "$(t 60)"); do (($(reverify_count '@.trigger=="Interval"') >= 1)) && break; sleep 5; done
  (($(reverify_count '@.trigger=="Interval"') >= 1)) || fail "no interval re-verification within $(t 300)s"
  log "  round 1 (Interval) at $((SECONDS - t0))s: $(jp si/reverify '{.status.verifications[0].result} on {.status.verifications[0].nodes}')"
  # 2: the annotation, echoed once handled
  value="e2e-$(date +%s)"
  kn annotate si/reverify "twinbuild.dev/reverify-requested-at=$value" --overwrite >/dev/null || fail "annotate failed"
  for _ in $(seq "$(t 60)"); do (($(reverify_count '@.trigger=="Annotation"') >= 1)) && break; sleep 5; done
  (($(reverify_count '@.trigger=="Annotation"') >= 1)) || fail "the annotation started no re-verification"
  [[ "$(jp si/reverify '{.status.lastHandledReverifyAt}')" == "$value" ]] || fail "lastHandledReverifyAt is not $value"
  log "  round 2 (Annotation) at $((SECONDS - t0))s, echoed in lastHandledReverifyAt"
  # 3: on its own again
  for _ in $(seq "$(t 60)"); do (($(reverify_count '@.trigger=="Interval"') >= 2)) && break; sleep 5; done
  (($(reverify_count '@.trigger=="Interval"') >= 2)) || fail "no second interval re-verification"
  n="$(reverify_count '@.round')"
  ((n >= 3 && n <= 10)) || fail "history has $n entries (want 3..10)"
  (($(reverify_count '@.result=="Passed"') == n)) || fail "not every round passed: $(jp si/reverify '{.status.verifications}')"
  [[ "$(jp si/reverify '{.status.specHash}')" == "$hash" ]] || fail "the spec hash moved"
  nodes="$(jp si/reverify '{range .status.reverification.builds[*]}{.name}={.node} {end}')"
  log "  round 3 (Interval) at $((SECONDS - t0))s; history $n entries, all Passed; last round's builds: $nodes"
  kill "$SAMPLER" 2>/dev/null; SAMPLER=""
  grep -q ' True' "$samples" || fail "no Ready sample"
  if awk '$2 != "True"' "$samples" | grep -q .; then fail "Ready was not True throughout: $(awk '$2 != "True"' "$samples" | head -3)"; fi
  log "  Ready: $(wc -l <"$samples") samples over the rounds, all True ($(grep -c ' True True$' "$samples") taken while Verifying)"

  # A regression: the admin changes the builder's uid (a builder setting, no spec change); the step's output moves.
  "$helm" upgrade "$RELEASE" "$ROOT/helm/twinbuild" -n "$OPNS" --reuse-values --set builder.runAsUser=1001 \
    --wait --timeout 5m >/dev/null || fail "helm upgrade builder.runAsUser=1001 failed"
  k -n "$OPNS" rollout status deployment -l "$OPERATOR_SELECTOR" --timeout="$(t 180)s" >/dev/null || fail "operator not rolled out"
  kn annotate si/reverify "twinbuild.dev/reverify-requested-at=$value-2" --overwrite >/dev/null || fail "annotate failed"
  for _ in $(seq "$(t 60)"); do
    [[ "$(jp si/reverify '{.status.conditions[?(@.type=="Reproducible")].reason}')" == RegressionOnReverify ]] && break; sleep 5
  done
  [[ "$(jp si/reverify '{.status.conditions[?(@.type=="Reproducible")].reason}')" == RegressionOnReverify ]] ||
    fail "no RegressionOnReverify: $(jp si/reverify '{.status.conditions}')"
  [[ "$(jp si/reverify '{.status.conditions[?(@.type=="Reproducible")].status}')" == False ]] || fail "Reproducible is not False"
  [[ "$(jp si/reverify '{.status.specHash}')" == "$hash" ]] || fail "the spec hash moved"
  msg="$(jp si/reverify '{.status.conditions[?(@.type=="Reproducible")].message}')"
  [[ "$msg" == *"reverify.tar"*recorded* ]] || fail "the message does not name the output: $msg"
  log "  regression caught at $((SECONDS - t0))s: $msg"
  log "  Ready after the regression: $(jp si/reverify '{.status.conditions[?(@.type=="Ready")].status}/{.status.conditions[?(@.type=="Ready")].reason}')"
}

test_namespaced() {
  # Not local: restore() runs as the test's EXIT trap, after this function has returned.
  SCOPED="$NS-scoped"
  HELM="$("$ROOT/helm/helm-binary.sh" | tail -1)" || fail "no helm"
  local scoped="$SCOPED" helm="$HELM" sa out
  sa="system:serviceaccount:$OPNS:$(k -n "$OPNS" get deploy -l "$OPERATOR_SELECTOR" -o jsonpath='{.items[0].spec.template.spec.serviceAccountName}')"
  k delete namespace "$scoped" --ignore-not-found --wait=true --timeout="$(t 120)s" >/dev/null
  k create namespace "$scoped" >/dev/null && k label namespace "$scoped" "${PSA_LABELS[@]}" >/dev/null ||
    fail "cannot create $scoped"
  restore() {
    log "  back to all namespaces"
    "$HELM" upgrade "$RELEASE" "$ROOT/helm/twinbuild" -n "$OPNS" --reuse-values \
      --set-json operator.watchNamespaces=[] --set-json networkPolicy.extraEgress=[] --wait --timeout 5m >/dev/null
    k -n "$OPNS" rollout status deployment -l "$OPERATOR_SELECTOR" --timeout="$(t 180)s" >/dev/null
    k get clusterrolebinding "$RELEASE-operator" >/dev/null || log "  WARNING: the cluster-wide binding did not come back"
    k delete namespace "$SCOPED" --wait=false >/dev/null 2>&1
  }
  trap restore EXIT
  local t0=$SECONDS
  # The store runs in the cluster: the builder NetworkPolicy must let builds reach it.
  "$helm" upgrade "$RELEASE" "$ROOT/helm/twinbuild" -n "$OPNS" --reuse-values \
    --set "operator.watchNamespaces={$scoped}" \
    --set-json "networkPolicy.extraEgress=[{\"to\":[{\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"$OPNS\"}},\"podSelector\":{\"matchLabels\":{\"app.kubernetes.io/name\":\"s3proxy\"}}}],\"ports\":[{\"port\":8080,\"protocol\":\"TCP\"}]}]" \
    --wait --timeout 5m >/dev/null || fail "helm upgrade to watchNamespaces=[$scoped] failed"
  k -n "$OPNS" rollout status deployment -l "$OPERATOR_SELECTOR" --timeout="$(t 180)s" >/dev/null || fail "operator not rolled out"
  [[ "$(operator_env QUARKUS_OPERATOR_SDK_CONTROLLERS_SYSTEMIMAGE_NAMESPACES)" == "$scoped" ]] || fail "the operator does not watch only $scoped"
  log "  namespaced mode in $((SECONDS - t0))s"
  # Least privilege: the reconciler's rights are a Role in $scoped, nothing cluster-wide but the CRD read.
  if k get clusterrolebinding "$RELEASE-operator" >/dev/null 2>&1; then fail "the cluster-wide binding is still there"; fi
  k -n "$scoped" get role "$RELEASE-operator" >/dev/null || fail "no Role in $scoped"
  [[ "$(k auth can-i create pods --as="$sa" -n "$scoped")" == yes ]] || fail "$sa cannot create pods in $scoped"
  out="$(k auth can-i create pods --as="$sa" -n "$NS" 2>/dev/null)"
  [[ "$out" == no ]] || fail "$sa can still create pods in $NS ($out)"
  out="$(k auth can-i get secrets --as="$sa" -n kube-system 2>/dev/null)"
  [[ "$out" == no ]] || fail "$sa can read secrets in kube-system ($out)"
  k -n "$scoped" get networkpolicy "$RELEASE-builder" >/dev/null || fail "no builder NetworkPolicy in $scoped"

  # The suite's basic case, in the watched namespace.
  (
    NS="$scoped"
    kn apply -f "$EXAMPLES/minimal.yaml" >/dev/null || fail "kubectl apply failed"
    check "kubectl wait --for=condition=Reproducible si/minimal -n $NS" \
      kn wait --for=condition=Reproducible si/minimal --timeout="$(t 300)s"
    check_distinct_nodes minimal
    check_stored_artifacts minimal
  ) || fail "the basic case in $scoped"
  # A SystemImage outside the watched namespaces is left alone.
  sed 's/^  name: minimal$/  name: unwatched/' "$EXAMPLES/minimal.yaml" | kn apply -f - >/dev/null || fail "apply unwatched"
  sleep 10
  [[ -z "$(jp si/unwatched '{.status.phase}')" && -z "$(kn get pods -l twinbuild.dev/image=unwatched -o name)" ]] ||
    fail "si/unwatched in $NS was reconciled by an operator watching only $scoped"
  kn delete si unwatched --wait=true >/dev/null
  log "  $scoped: minimal Reproducible; si/unwatched in $NS untouched after 10s"
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

# The operator's packages.mirrorOverride (the chart's TWINBUILD_PACKAGES_MIRROR_OVERRIDE), "" when unset
package_mirror() {
  k -n "$OPNS" get deploy -l "$OPERATOR_SELECTOR" \
    -o jsonpath='{.items[0].spec.template.spec.containers[0].env[?(@.name=="TWINBUILD_PACKAGES_MIRROR_OVERRIDE")].value}'
}

# serve_debs LOCK — when the operator's package mirror is an address of this machine (the local
# cluster, whose pods cannot reach deb.debian.org), serves the lock's .debs there from the CLI's cache
# (suite/deb-mirror.py); prints the server's pid ("" when there is nothing to serve)
serve_debs() {
  local mirror hostport host port pid
  mirror="$(package_mirror)"
  [[ -n "$mirror" ]] || return 0
  hostport="${mirror#http://}"; hostport="${hostport%%/*}"; host="${hostport%:*}"; port="${hostport##*:}"
  # (not grep -q: with pipefail, ip's SIGPIPE after an early match would read as "not found")
  ip -o addr show | grep -F " $host/" >/dev/null || { log "  package mirror $mirror is not on this machine: not serving it"; return 0; }
  mkdir -p "$ARTIFACTS/deb-mirror"
  python3 "$SUITE/deb-mirror.py" "$1" "${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}" "$ARTIFACTS/deb-mirror/root" \
    "$host" "$port" >"$ARTIFACTS/deb-mirror/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    grep -q '^deb-mirror: .* serving' "$ARTIFACTS/deb-mirror/server.log" && { echo "$pid"; return 0; }
    kill -0 "$pid" 2>/dev/null || { log "  deb-mirror: $(tail -3 "$ARTIFACTS/deb-mirror/server.log")"; return 1; }
    sleep 1
  done
  kill "$pid"; return 1
}

# boot_iso ISO SERIAL_LOG SECONDS — boots it in QEMU (TCG, BIOS, El Torito) until the image's own init
# prints the marker on ttyS0; prints the seconds it took
boot_iso() {
  local iso="$1" serial="$2" limit="$3" pid t0=$SECONDS
  rm -f "$serial"
  qemu-system-x86_64 -machine pc -accel tcg -m 1024 -smp 1 -no-reboot -nographic -monitor none -display none \
    -serial "file:$serial" -cdrom "$iso" >"${serial%.log}-qemu.log" 2>&1 &
  pid=$!
  while ((SECONDS - t0 < limit)); do
    if grep -qF 'TWINBUILD-BOOT-OK debian-live' "$serial" 2>/dev/null; then
      kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
      echo $((SECONDS - t0)); return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return 1
}

# examples/debian-live.yaml in the cluster: its lock as a ConfigMap, pinned in the spec by sha256 (the
# lines `twinbuild lock` prints); Stalled while the ConfigMap is missing, then Reproducible on two
# nodes with the CLI's golden digests, and the stored ISO boots.
test_debian_live() {
  local ns="$NS-live" lock="$EXAMPLES/debian-live.lock.json" golden="$EXAMPLES/golden/debian-live.sha256"
  local sha pid="" t0 line file want got loc iso secs reason
  command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is not installed (.ci/setup.sh)"
  mkdir -p "$ARTIFACTS/debian-live"
  fresh_namespace "$ns" || fail "cannot create namespace $ns"
  pid="$(serve_debs "$lock")" || fail "cannot serve the locked .debs"
  # shellcheck disable=SC2064 # the pid now
  [[ -n "$pid" ]] && trap "kill $pid 2>/dev/null" EXIT
  sha="$(sha256sum "$lock" | cut -c1-64)"
  sed "/^spec:/a\\  packageLock: {configMapRef: {name: debian-live-lock, key: lock.json}, sha256: $sha}" \
    "$EXAMPLES/debian-live.yaml" >"$ARTIFACTS/debian-live/debian-live.yaml"
  t0=$SECONDS
  k -n "$ns" apply -f "$ARTIFACTS/debian-live/debian-live.yaml" >/dev/null || fail "kubectl apply failed"
  # No ConfigMap yet: Stalled, with the reason, within a minute, and no pod.
  while ((SECONDS - t0 < $(t 60))); do
    reason="$(NS="$ns" condition debian-live Stalled reason)"
    [[ "$reason" == PackageLockNotFound ]] && break
    sleep 1
  done
  [[ "$reason" == PackageLockNotFound ]] || fail "not Stalled with PackageLockNotFound within 60s (reason '$reason')"
  log "  Stalled (PackageLockNotFound) after $((SECONDS - t0))s: $(NS="$ns" condition debian-live Stalled message)"
  [[ -z "$(NS="$ns" builder_pods debian-live)" ]] || fail "builder pods without their lock"
  k -n "$ns" create configmap debian-live-lock --from-file=lock.json="$lock" >/dev/null || fail "kubectl create configmap failed"
  t0=$SECONDS
  NS="$ns" kn wait --for=condition=Reproducible si/debian-live --timeout="$(t 1500)s" >/dev/null ||
    fail "si/debian-live not Reproducible: $(NS="$ns" condition debian-live Stalled message) $(NS="$ns" jp si/debian-live '{.status.builds[*].failure.message}')"
  log "  Reproducible $((SECONDS - t0))s after the ConfigMap; builds: $(NS="$ns" jp si/debian-live '{range .status.builds[*]}{.name}{" "}{.node}{" "}{.startTime}{" → "}{.completionTime}{"; "}{end}')"
  (NS="$ns"; check_distinct_nodes debian-live) || fail "nodes"
  (NS="$ns"; check_stored_artifacts debian-live) || fail "stored artifacts"
  # Every output has the digest the CLI's golden file pins (as the CLI built it, on this machine).
  while read -r want file; do
    [[ -n "$file" ]] || continue
    got="$(NS="$ns" jp si/debian-live "{.status.artifacts[?(@.file==\"$file\")].sha256}")"
    [[ "$got" == "$want" ]] || fail "$file: the cluster built sha256 '$got', the CLI's golden digest is $want"
    log "  $file: $want (= golden) $(NS="$ns" jp si/debian-live "{.status.artifacts[?(@.file==\"$file\")].size}") bytes"
  done <"$golden"
  # The artifact in the store is the one that boots.
  loc="$(NS="$ns" jp si/debian-live '{.status.artifacts[?(@.file=="debian-live.iso")].location}')"
  [[ "$loc" == s3://* ]] || fail "no stored ISO in status.artifacts"
  iso="$ARTIFACTS/debian-live/debian-live.iso"
  k -n "$OPNS" exec deploy/s3proxy -c s3proxy -- cat "/data/${loc#s3://}" >"$iso" || fail "cannot download $loc"
  want="$(awk '$2 == "debian-live.iso" {print $1}' "$golden")"
  [[ "$(sha256sum "$iso" | cut -c1-64)" == "$want" ]] || fail "the downloaded ISO is not the golden one"
  secs="$(boot_iso "$iso" "$ARTIFACTS/debian-live/serial-iso.log" "$(t 360)")" ||
    fail "the stored ISO did not print the boot marker within $(t 360)s (serial log $ARTIFACTS/debian-live/serial-iso.log)"
  log "  the stored ISO booted: marker on ttyS0 after ${secs}s (serial log $ARTIFACTS/debian-live/serial-iso.log)"
  rm -f "$iso"
  [[ "${TWINBUILD_E2E_KEEP:-}" == 1 ]] || k delete namespace "$ns" --wait=false >/dev/null 2>&1
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
  k label namespace "$NS" "${PSA_LABELS[@]}" >/dev/null || return 1
  # No Secret: only the operator holds the store's credentials.
  for _ in $(seq 60); do kn get serviceaccount default >/dev/null 2>&1 && break; sleep 1; done
}

main() {
  local tests=("$@") passed=0 failed=0 failed_names=() start=$SECONDS t0 name fn
  # Cluster DNS is a test where the cluster has it (Kind; the local cluster runs no CoreDNS).
  k -n kube-system get service kube-dns >/dev/null 2>&1 && ALL_TESTS=(dns "${ALL_TESTS[@]}")
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
        reproducible | attestation) dump minimal ;; formats) dump formats ;; unreproducible) dump unreproducible ;;
        isolation) NS="$NS-a" dump no-secrets; NS="$NS-b" dump cross-namespace ;;
        image-pull) dump unpullable ;; store-outage) dump outage-a; dump outage-b ;; lost-node) dump lost-node ;; operator-restart) dump slow-operator-restart ;; builder-restart) dump slow-builder-restart ;;
        namespaced) NS="$NS-scoped" dump minimal ;; debian-live) NS="$NS-live" dump debian-live ;; reverify) dump reverify ;;
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
