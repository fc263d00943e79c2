#!/usr/bin/env bash
# The whole end-to-end run on this machine: the local cluster up (which installs Twinbuild with the
# chart: e2e/install-operator.sh), the chart's template checks, the e2e suite, and the cluster down
# again — always, also on failure or Ctrl-C. Prints the time of each phase.
#
#   e2e/run.sh [SUITE_TEST...]
#
# Environment: TWINBUILD_E2E_KEEP_CLUSTER=1 leaves the cluster up afterwards (for debugging);
# everything e2e/local-cluster.sh, e2e/install-operator.sh and e2e/suite/run.sh read.
set -uo pipefail

E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
start=$SECONDS
timings=()
phase_start=$SECONDS
mark() { timings+=("$(printf '%-14s %5ss' "$1" "$((SECONDS - phase_start))")"); phase_start=$SECONDS; }
log() { printf '[%s] e2e: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

summary() {
  local rc=$?
  if [[ "${TWINBUILD_E2E_KEEP_CLUSTER:-}" == 1 ]]; then
    log "leaving the cluster up (TWINBUILD_E2E_KEEP_CLUSTER=1); stop it with e2e/local-cluster.sh down"
  else
    phase_start=$SECONDS
    "$E2E/local-cluster.sh" down || rc=1
    mark "down"
  fi
  log "timings:"
  printf '  %s\n' "${timings[@]}" >&2
  log "total $((SECONDS - start))s, exit $rc"
  # One closing count for CI, summed over the chart checks and the suite (a suite that never ran
  # counts as one failure).
  local p=0 f=0 line
  for line in "${RESULTS[@]+"${RESULTS[@]}"}"; do
    p=$((p + $(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line"))); f=$((f + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
  done
  ((${#RESULTS[@]} >= 2)) || f=$((f + 1))
  ((rc == 0 || f > 0)) || f=1
  echo "e2e: $p passed, $f failed"
  exit "$rc"
}
trap summary EXIT
trap 'exit 130' INT TERM

RESULTS=()
OUT_DIR="$E2E/target"
mkdir -p "$OUT_DIR"
# run_counted LOG COMMAND... — runs it, output through, and keeps its "N passed, M failed" line.
run_counted() {
  local logf="$1" r line; shift
  "$@" 2>&1 | tee "$logf"
  r=${PIPESTATUS[0]}
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logf" | tail -1)"
  [[ -n "$line" ]] && RESULTS+=("$line")
  return "$r"
}

rc=0
log "chart checks (helm lint/template)"
run_counted "$OUT_DIR/helm-template.log" "$E2E/suite/helm-template.sh" || rc=1
mark "helm-template"

log "cluster up (with Twinbuild installed from the chart)"
if ! "$E2E/local-cluster.sh" up; then
  mark "up+install"
  log "the cluster did not come up"
  "$E2E/local-cluster.sh" status >&2 || true
  exit 1
fi
mark "up+install"

eval "$("$E2E/local-cluster.sh" env)"
log "suite"
run_counted "$OUT_DIR/suite.log" "$E2E/suite/run.sh" "$@" || rc=1
mark "suite"
exit "$rc"
