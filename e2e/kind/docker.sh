#!/usr/bin/env bash
# A Docker engine for the Kind e2e: uses the running one, else starts Debian's dockerd (docker.io),
# and stops only an engine it started.
#
#   e2e/kind/docker.sh start   # exit 0 when an engine answers; prints "started" if this script started it
#   e2e/kind/docker.sh stop    # stops the engine `start` started (its pid file), nothing else
#   e2e/kind/docker.sh check   # exit 0 if an engine runs or can be started here, else prints why (exit 3)
#
# dockerd sets the host's iptables FORWARD policy to DROP when it starts; with br_netfilter on, that
# would drop the bridged traffic of the local e2e cluster (e2e/local-cluster.sh) and anything else
# bridged on this host, so the policy it found is put back (Docker's own bridges have explicit
# ACCEPT rules in FORWARD, so Kind does not need DROP).
# Where this machine's capability bounding set is short of the kernel's capabilities (a sandbox may
# withhold CAP_SYS_RESOURCE), privileged containers (Kind nodes) cannot start with plain runc: dockerd
# then runs them with e2e/kind/runc-bounded, which leaves out only the capabilities nobody here holds.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
. "$(dirname "$HERE")/lib/common.sh"
STATE="${TWINBUILD_DOCKER_STATE:-/run/twinbuild-kind-docker}"
PIDFILE="$STATE/dockerd.pid"
LOGFILE="$(dirname "$HERE")/target/kind/dockerd.log"

running() { timeout 10 docker info >/dev/null 2>&1; }

# Is any capability up to the kernel's last one missing from this process's bounding set?
bounding_set_short() {
  local last bnd
  last="$(cat /proc/sys/kernel/cap_last_cap)"
  bnd="$(awk '/^CapBnd:/{print $2}' /proc/self/status)"
  (((16#$bnd) != (1 << (last + 1)) - 1))
}

forward_policy() { iptables -S FORWARD 2>/dev/null | awk '$1=="-P"{print $3; exit}'; }

start() {
  if running; then return 0; fi
  [[ $EUID -eq 0 ]] || die "no Docker engine answers and starting one needs root"
  need_pkg docker.io dockerd
  command -v docker >/dev/null || need_pkg docker.io docker
  mkdir -p "$STATE" "$(dirname "$LOGFILE")"
  local policy
  policy="$(forward_policy)"
  log "starting dockerd (log $LOGFILE)"
  local args=(--pidfile "$STATE/dockerd.self.pid")
  if bounding_set_short; then
    need_pkg libcap2-bin capsh jq jq
    log "capability bounding set $(awk '/^CapBnd:/{print $2}' /proc/self/status) lacks capabilities: runtime runc-bounded"
    args+=(--add-runtime "runc-bounded=$HERE/runc-bounded" --default-runtime runc-bounded)
  fi
  setsid dockerd "${args[@]}" >"$LOGFILE" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local i
  for i in $(seq 1 60); do
    running && break
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -20 "$LOGFILE" >&2; die "dockerd exited"; }
    sleep 1
  done
  running || { tail -20 "$LOGFILE" >&2; die "dockerd did not answer within 60 s"; }
  if [[ -n "$policy" && "$(forward_policy)" != "$policy" ]]; then
    iptables -P FORWARD "$policy"
  fi
  echo started
}

stop() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid policy
  pid="$(cat "$PIDFILE")"
  policy="$(forward_policy)"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    local i
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && { log "dockerd still running after 60 s; killing it"; kill -KILL "$pid"; }
  fi
  rm -f "$PIDFILE"
  if [[ -n "$policy" && "$(forward_policy)" != "$policy" ]]; then iptables -P FORWARD "$policy"; fi
}

check() {
  if running; then return 0; fi
  if [[ $EUID -ne 0 ]]; then echo "no Docker engine answers, and starting one needs root"; exit 3; fi
  if ! command -v dockerd >/dev/null && ! apt-cache show docker.io >/dev/null 2>&1; then
    echo "no Docker engine and no docker.io package"; exit 3
  fi
  # dockerd needs overlay or a usable storage driver, cgroups and iptables; a start is the only real check.
  return 0
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  check) check ;;
  *) echo "usage: $0 start|stop|check" >&2; exit 2 ;;
esac
