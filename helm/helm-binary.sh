#!/usr/bin/env bash
# Builds (once per machine) a pinned Helm 3 from the Go module proxy and prints its path on the
# last line of stdout:
#
#   HELM=$(helm/helm-binary.sh | tail -1)
#
# Why build: Helm is not packaged by Debian bookworm, and this machine reaches only package
# registries. A `helm` already on PATH is NOT used, so every machine lints and renders the chart
# with the same Helm. Logs go to stderr.
#
# Environment: TWINBUILD_CACHE (default ~/.cache/twinbuild) — the binary lands in
# $TWINBUILD_CACHE/helm/v$HELM_VERSION/helm.
set -euo pipefail

HELM_VERSION=3.18.6
# Hash of the helm.sh/helm/v3 module zip (go.sum "h1:" form). sum.golang.org is not reachable here,
# so this pin is what makes the download trustworthy; helm's own go.sum then pins its dependencies.
HELM_MODULE_SUM="h1:S/2CqcYnNfLckkHLI0VgQbxgcDaU3N4A/46E3n9wSNY="
# The Kubernetes version Helm assumes for .Capabilities when not talking to a cluster (helm
# template/lint); Helm's Makefile sets it from its client-go version (v0.33 for Helm 3.18).
K8S_MINOR=33

log() { printf '[%s] helm-binary: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

CACHE_ROOT="${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}"
DIR="$CACHE_ROOT/helm/v$HELM_VERSION"
OUT="$DIR/helm"

go_ok() { # go_ok GO_BINARY — is it Go >= 1.24 (what Helm 3.18 needs)?
  local v
  v="$("$1" env GOVERSION 2>/dev/null)" || return 1
  v="${v#go}"
  [[ "${v%%.*}" -gt 1 ]] || { v="${v#1.}"; [[ "${v%%[.a-z]*}" -ge 24 ]]; }
}
ensure_go() {
  if command -v go >/dev/null && go_ok go; then return; fi
  if go_ok /usr/local/go/bin/go; then PATH="/usr/local/go/bin:$PATH"; return; fi
  # e2e/k8s-binaries.sh fetches a pinned Go toolchain into the same cache when none is installed.
  local g
  for g in "$CACHE_ROOT"/go/go*/bin/go; do
    if [[ -x "$g" ]] && go_ok "$g"; then PATH="$(dirname "$g"):$PATH"; return; fi
  done
  "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/e2e/k8s-binaries.sh" >/dev/null
  for g in "$CACHE_ROOT"/go/go*/bin/go /usr/local/go/bin/go; do
    if [[ -x "$g" ]] && go_ok "$g"; then PATH="$(dirname "$g"):$PATH"; return; fi
  done
  die "no Go >= 1.24 found"
}

mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
if [[ -x "$OUT" && "$("$OUT" version --short 2>/dev/null)" == "v$HELM_VERSION"* ]]; then
  printf '%s\n' "$OUT"
  exit 0
fi

ensure_go
export GOSUMDB=off GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"
log "building Helm v$HELM_VERSION from the Go module proxy (~2-4 min the first time)"
sum="$(go mod download -json "helm.sh/helm/v3@v$HELM_VERSION" | awk -F'"' '$2=="Sum"{print $4}')"
[[ "$sum" == "$HELM_MODULE_SUM" ]] || die "helm.sh/helm/v3@v$HELM_VERSION hash is '$sum', pinned $HELM_MODULE_SUM"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ld="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
ld+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
ld+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$K8S_MINOR"
# `go install pkg@version` builds with the module's own go.mod/go.sum (its dependency pins).
CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags "$ld" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >&2
mv -f "$tmp/helm" "$OUT"
"$OUT" version --short >&2
printf '%s\n' "$OUT"
