#!/usr/bin/env bash
# Builds one of the Go programs the Kind e2e needs from the Go module proxy, every module hash pinned
# by the go.sum next to it, into the cache, and prints the binary's path (last line of stdout):
#
#   KIND=$(e2e/kind/go-build.sh kind | tail -1)
#
#   kind      sigs.k8s.io/kind v0.29.0 (go/kind/go.mod)
#   coredns   github.com/coredns/coredns v1.12.0, the CoreDNS kubeadm v1.33 deploys (go/coredns/go.mod)
#   kindnetd  kind's CNI daemon at df8de77b, the commit of kind v0.29.0's kindnetd image. Its source is
#             copied in go/kindnetd/ (Apache-2.0, LICENSE there): it is a nested module of the kind
#             repository that the Go module proxy does not serve ("This module version is not
#             available"); its dependencies come from the proxy, pinned by its own go.sum.
#
# Cached by the hash of the module's files: well under a second afterwards.
# TWINBUILD_GO_PARALLEL (default 2) is `go build -p`.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}"
name="${1:?usage: go-build.sh kind|coredns|kindnetd}"
dir="$HERE/go/$name"
case "$name" in
  kind) pkg=sigs.k8s.io/kind; ld="" ;;
  coredns) pkg=github.com/coredns/coredns
    ld="-X github.com/coredns/coredns/coremain.GitCommit=v1.12.0" ;;
  kindnetd) pkg=./cmd/kindnetd; ld="" ;;
  *) echo "go-build.sh: unknown program $name" >&2; exit 2 ;;
esac
key="$(cd "$dir" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
out="$CACHE_ROOT/kind/go/$name-$key/$name"
if [[ ! -x "$out" ]]; then
  for g in "$(command -v go || true)" /usr/local/go/bin/go "$CACHE_ROOT"/go/go*/bin/go; do
    [[ -n "$g" && -x "$g" ]] && { GO="$g"; break; }
  done
  [[ -n "${GO:-}" ]] || { echo "go-build.sh: no Go toolchain (run e2e/k8s-binaries.sh first)" >&2; exit 1; }
  mkdir -p "$(dirname "$out")"
  echo "[$(date +%H:%M:%S)] go-build: building $name ($pkg)" >&2
  # sum.golang.org is not reachable here: go.sum is the pin. Static binaries (the images have no libc).
  (cd "$dir" && GOSUMDB=off GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
    "$GO" build -p "${TWINBUILD_GO_PARALLEL:-2}" -trimpath -ldflags "-s -w $ld" -o "$out.tmp" "$pkg")
  mv "$out.tmp" "$out"
fi
echo "$out"
