# shellcheck shell=bash
# Process bookkeeping for the local cluster: every process `up` starts gets a pid file, and
# `down` stops exactly those pids. Sourced by local-cluster.sh; needs PIDS and LOGS set.

# pid_running PID — true unless gone or a zombie (orphans are reaped by PID 1, which may take a
# second or two; waiting for that would only slow `down`).
pid_running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# proc_pid NAME — the recorded pid if that process is still the one we started.
proc_pid() {
  local f="$PIDS/$1.pid" pid exe
  [[ -s "$f" ]] || return 1
  read -r pid exe <"$f"
  [[ -n "$pid" ]] && pid_running "$pid" || return 1
  # Guard against pid reuse: the binary must still be the one recorded (it may have been
  # replaced on disk by a rebuild since: "NAME (deleted)").
  local running
  running="$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")"
  [[ "${running% (deleted)}" == "$exe" ]] || return 1
  echo "$pid"
}

proc_alive() { proc_pid "$1" >/dev/null; }

# start_proc NAME [--netns NS] -- COMMAND ARGS...  (no-op if already running)
# setsid: the cluster outlives the shell that ran `up`, and job-control signals to that shell's
# process group must not reach it. nsenter --net (not `ip netns exec`, which remounts /sys and
# hides the cgroup hierarchy kubelet and runc need) puts node processes in the node's netns.
start_proc() {
  local name="$1" ns=""; shift
  if [[ "$1" == --netns ]]; then ns="$2"; shift 2; fi
  [[ "$1" == -- ]] && shift
  if proc_alive "$name"; then log "$name already running (pid $(proc_pid "$name"))"; return 0; fi
  local pre=()
  [[ -n "$ns" ]] && pre=(nsenter "--net=/var/run/netns/$ns" --)
  mkdir -p "$PIDS" "$LOGS"
  setsid "${pre[@]}" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  local pid=$!
  # setsid and nsenter exec in place, so $! is the component itself.
  printf '%s %s\n' "$pid" "$(basename "$1")" >"$PIDS/$name.pid"
  sleep 0.2
  proc_alive "$name" || { tail -20 "$LOGS/$name.log" >&2; die "$name exited at start (log: $LOGS/$name.log)"; }
  log "started $name (pid $pid)"
}

# stop_procs [--timeout SECONDS] NAME... — SIGTERM to all at once (they shut down in parallel),
# then SIGKILL whatever is left after the timeout (default 20s).
stop_procs() {
  local timeout=20 name pid i alive
  if [[ "${1:-}" == --timeout ]]; then timeout="$2"; shift 2; fi
  local -A pids=()
  for name in "$@"; do
    if pid="$(proc_pid "$name")"; then
      pids[$name]="$pid"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for ((i = 0; i < timeout * 10; i++)); do
    alive=0
    for name in "${!pids[@]}"; do pid_running "${pids[$name]}" && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for name in "${!pids[@]}"; do
    if pid_running "${pids[$name]}"; then
      log "$name (pid ${pids[$name]}) ignored SIGTERM, killing"
      kill -KILL "${pids[$name]}" 2>/dev/null || true
    fi
    log "stopped $name (pid ${pids[$name]})"
  done
  for name in "$@"; do rm -f "$PIDS/$name.pid"; done
}

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND... — polls COMMAND until it succeeds.
wait_for() {
  local what="$1" timeout="$2" start=$SECONDS; shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - start < timeout)) || die "timed out after ${timeout}s waiting for $what"
    sleep 0.5
  done
}
