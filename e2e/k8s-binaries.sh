#!/usr/bin/env bash
# Builds (once per machine) the upstream Kubernetes components the local e2e cluster and
# kube-api-test need, and prints the directory holding them on the last line of stdout:
#
#   BIN=$(e2e/k8s-binaries.sh | tail -1)
#   BIN=$(e2e/k8s-binaries.sh kubeadm | tail -1)   # also build extra components (Kind: kubeadm)
#
# Extra components (EXTRA_COMPONENTS) are built on demand, each with its own stamp, so that asking for
# one never invalidates the cached set every caller needs.
#
# Why build: kube-apiserver & co. are not packaged by Debian, npm or Maven, and this machine
# reaches only package registries, so they come from the Go module proxy at a pinned version.
# Output goes to stderr except the final path, so callers can capture it.
#
# Environment:
#   K8S_VERSION      Kubernetes version to build (default: the pinned one below)
#   TWINBUILD_CACHE  cache root (default ~/.cache/twinbuild)
#   KUBE_API_TEST_DIR where Fabric8 kube-api-test looks for binaries (default ~/.kubeapitest)
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.33.13}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"

CACHE_ROOT="${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}"
K8S_DIR="$CACHE_ROOT/k8s/v$K8S_VERSION"
BIN="$K8S_DIR/bin"
KAT_DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/$K8S_VERSION-linux-amd64"
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl kube-proxy)
EXTRA_COMPONENTS=(kubeadm)

minor="${K8S_VERSION#*.}"; minor="${minor%%.*}"
staging_version="v0.$minor.${K8S_VERSION##*.}"

# What the binaries depend on; a change here invalidates the cache. (Not the Go version: any
# Go >= 1.24 builds working binaries, and a Go update should not cost a 15-minute rebuild.)
stamp_content() {
  printf 'kubernetes=v%s\ncomponents=%s etcd\nrecipe=%s\n' \
    "$K8S_VERSION" "${COMPONENTS[*]}" "$BUILD_RECIPE_VERSION"
}
# Bump when the build recipe changes in a way that should rebuild existing caches.
BUILD_RECIPE_VERSION=1

# Go >= 1.24 (what Kubernetes 1.33 needs): the one on PATH or /usr/local/go if new enough, else
# the official toolchain, which the Go module proxy serves as the module golang.org/toolchain
# (Debian bookworm's golang is 1.19). Pinned by sha256 because sum.golang.org is unreachable here.
GO_TOOLCHAIN_VERSION=1.24.13
GO_TOOLCHAIN_SHA256=d2b048367a3d1a748b87f756fa06df12ce3b419e1d5f2a3612acb8950d615f9f
go_ok() { # go_ok GO_BINARY — is it Go >= 1.24?
  local v
  v="$("$1" env GOVERSION 2>/dev/null)" || return 1
  v="${v#go}"
  [[ "${v%%.*}" -gt 1 ]] || { v="${v#1.}"; [[ "${v%%[.a-z]*}" -ge 24 ]]; }
}
ensure_go() {
  if command -v go >/dev/null && go_ok go; then return; fi
  if go_ok /usr/local/go/bin/go; then PATH="/usr/local/go/bin:$PATH"; return; fi
  local root="$CACHE_ROOT/go/go$GO_TOOLCHAIN_VERSION"
  if [[ ! -x "$root/bin/go" ]]; then
    need_pkg curl curl unzip unzip ca-certificates /etc/ssl/certs/ca-certificates.crt
    local proxy="${GOPROXY:-https://proxy.golang.org}" tmp
    proxy="${proxy%%[,|]*}"
    [[ "$proxy" == http* ]] || proxy=https://proxy.golang.org
    tmp="$(mktemp -d)"
    log "downloading Go $GO_TOOLCHAIN_VERSION from $proxy"
    curl -fsSL -o "$tmp/go.zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$GO_TOOLCHAIN_VERSION.linux-amd64.zip"
    echo "$GO_TOOLCHAIN_SHA256  $tmp/go.zip" | sha256sum -c --quiet - || die "Go toolchain checksum mismatch"
    unzip -q "$tmp/go.zip" -d "$tmp"
    # Module zips carry no file modes.
    chmod +x "$tmp"/golang.org/toolchain@*/bin/* "$tmp"/golang.org/toolchain@*/pkg/tool/*/*
    mkdir -p "$(dirname "$root")"
    rm -rf "$root"
    mv "$tmp"/golang.org/toolchain@* "$root"
    rm -rf "$tmp"
  fi
  PATH="$root/bin:$PATH"
  go_ok go || die "no usable Go toolchain"
}

# Writes the wrapper module: it requires k8s.io/kubernetes and pins every staging module
# (kubernetes' go.mod requires them at v0.0.0 and replaces them with ./staging, which a
# dependency's replace directives cannot do) to the matching published v0.Y.Z.
write_wrapper_module() {
  local dir="$1" kmod
  mkdir -p "$dir"
  go mod download k8s.io/kubernetes@"v$K8S_VERSION" >&2
  kmod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$K8S_VERSION.mod"
  [[ -f "$kmod" ]] || die "cannot find $kmod"
  {
    echo "module twinbuild.dev/e2e/k8s-binaries"
    echo
    echo "go $(awk '$1=="go"{print $2; exit}' "$kmod")"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    echo "replace ("
    # the staging modules are exactly the ./staging/src/k8s.io/* replaces
    awk '$2=="=>" && $3 ~ /^\.\/staging\// {print "\t" $1 " => " $1 " '"$staging_version"'"}' "$kmod" | sort
    echo ")"
  } >"$dir/go.mod"
  # A go.sum committed next to this script pins the dependency hashes (trust on first use:
  # sum.golang.org is not reachable here).
  if [[ -f "$HERE/k8s/go.sum.v$K8S_VERSION" ]]; then
    cp "$HERE/k8s/go.sum.v$K8S_VERSION" "$dir/go.sum"
  fi
}

# The version stamps every component carries (`kubectl version`, kubeadm's own version check).
version_ldflags() {
  local date p
  # Fixed build date (the release's publication time) keeps the binaries reproducible.
  date="$(cd "$1" && go list -m -json "k8s.io/kubernetes@v$K8S_VERSION" | awk -F'"' '$2=="Time"{print $4}')"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf ' -X %s' "$p.gitVersion=v$K8S_VERSION" "$p.gitMajor=1" "$p.gitMinor=$minor" \
      "$p.gitTreeState=clean" "$p.buildDate=$date"
  done
}

build_kubernetes() {
  local src="$K8S_DIR/src" out="$K8S_DIR/bin.tmp" pkgs=() c
  rm -rf "$src" "$out"
  write_wrapper_module "$src"
  local ld
  ld="$(version_ldflags "$src")"
  for c in "${COMPONENTS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  # etcd: the server module at exactly the version this Kubernetes release was tested with
  # (its go.mod requires it), built in the same module graph for a minute more. Debian's 3.4
  # works but makes kube-apiserver 1.33 turn off watch progress requests (consistent reads
  # from its cache), so tests would run a different code path than real clusters.
  pkgs+=(go.etcd.io/etcd/server/v3)
  ld+=" -X go.etcd.io/etcd/api/v3/version.GitSHA=$(etcd_version "$src")"
  log "building Kubernetes v$K8S_VERSION (${COMPONENTS[*]}) — a cold build takes ~15 min on 2 cores"
  mkdir -p "$out"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w$ld" -o "$out/" "${pkgs[@]}") >&2
  mkdir -p "$HERE/k8s"
  # Keep the resolved hashes so the next build (and other machines) verify against them.
  [[ -f "$HERE/k8s/go.sum.v$K8S_VERSION" ]] || cp "$src/go.sum" "$HERE/k8s/go.sum.v$K8S_VERSION" 2>/dev/null || true
  # `go build -o DIR` names go.etcd.io/etcd/server/v3 after "server"
  mv -f "$out/server" "$BIN/etcd"
  for c in "${COMPONENTS[@]}"; do
    mv -f "$out/$c" "$BIN/$c"
  done
  rm -rf "$out"
}

# build_extra COMPONENT — one of EXTRA_COMPONENTS, same module graph and flags as the others.
build_extra() {
  local c="$1" src="$K8S_DIR/src-$1" ld
  rm -rf "$src"
  write_wrapper_module "$src"
  ld="$(version_ldflags "$src")"
  log "building Kubernetes v$K8S_VERSION $c"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w$ld" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c") >&2
  mv -f "$BIN/$c.tmp" "$BIN/$c"
  rm -rf "$src"
}

etcd_version() {
  (cd "$1" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
}

# Fabric8 kube-api-test (offline mode) expects <dir>/k8s/<version>-linux-amd64/{kube-apiserver,etcd,kubectl}.
layout_kube_api_test() {
  mkdir -p "$KAT_DIR"
  local f
  for f in kube-apiserver etcd kubectl; do
    ln -sfn "$BIN/$f" "$KAT_DIR/$f"
  done
}

main() {
  mkdir -p "$BIN"
  # One build at a time per version: other scripts and test runs may call this concurrently.
  exec 9>"$K8S_DIR/.lock"
  flock 9
  local stamp="$K8S_DIR/stamp" want
  want="$(stamp_content)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && all_present; then
    log "Kubernetes v$K8S_VERSION binaries cached in $BIN"
  else
    rm -f "$stamp"
    ensure_go
    # sum.golang.org is not reachable here; hashes are pinned by the go.sum in e2e/k8s/.
    export GOSUMDB="${GOSUMDB:-off}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="-mod=mod -buildvcs=false"
    build_kubernetes
    go version >"$K8S_DIR/built-with"
    all_present || die "build finished but binaries are missing in $BIN"
    printf '%s\n' "$want" >"$stamp"
  fi
  local c
  for c in "$@"; do
    [[ " ${EXTRA_COMPONENTS[*]} " == *" $c "* ]] || die "unknown extra component $c (${EXTRA_COMPONENTS[*]})"
    want="$(stamp_content | sed "s/^components=.*/components=$c/")"
    if [[ -x "$BIN/$c" && -f "$K8S_DIR/stamp.$c" && "$(cat "$K8S_DIR/stamp.$c")" == "$want" ]]; then continue; fi
    ensure_go
    export GOSUMDB="${GOSUMDB:-off}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="-mod=mod -buildvcs=false"
    build_extra "$c"
    printf '%s\n' "$want" >"$K8S_DIR/stamp.$c"
  done
  layout_kube_api_test
  printf '%s\n' "$BIN"
}

all_present() {
  local c
  for c in "${COMPONENTS[@]}" etcd; do [[ -x "$BIN/$c" ]] || return 1; done
}

main "$@"
