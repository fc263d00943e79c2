# shellcheck shell=bash
# Shared helpers for the e2e scripts. Sourced, not executed.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Installs Debian packages whose command/file is missing; runs `apt-get update` at most once.
# Usage: need_pkg PACKAGE PATH_OR_COMMAND [PACKAGE PATH_OR_COMMAND ...]
_apt_updated=""
need_pkg() {
  local missing=()
  while (($#)); do
    local pkg="$1" probe="$2"; shift 2
    if [[ "$probe" == /* ]]; then [[ -e "$probe" ]] || missing+=("$pkg")
    else command -v "$probe" >/dev/null 2>&1 || missing+=("$pkg"); fi
  done
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >&2; then
    [[ -n "$_apt_updated" ]] && die "apt-get install ${missing[*]} failed"
    apt-get -o DPkg::Lock::Timeout=600 update >&2; _apt_updated=1
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >&2
  fi
}

# write_file PATH — writes stdin to PATH only if the content differs: kube-proxy exits when its
# config file changes, and a re-run of `up` must not disturb running components.
write_file() {
  local path="$1" tmp
  tmp="$(mktemp "$path.XXXXXX")"
  cat >"$tmp"
  if [[ -f "$path" ]] && cmp -s "$tmp" "$path"; then rm -f "$tmp"; else mv -f "$tmp" "$path"; fi
}
