#!/usr/bin/env bash
# Builds kstatus-check (main.go: the kstatus library Flux and cli-utils use, sigs.k8s.io/cli-utils/pkg/kstatus)
# from the Go module proxy, pinned by go.sum, into the cache; prints its path. Cached by the hash of
# the sources: well under a second when nothing changed. Run by .ci/setup.sh; the e2e suite uses it.
#
#   CHECK=$(e2e/kstatus/build.sh | tail -1); kubectl get si -o json | "$CHECK"
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}"
key="$(cd "$HERE" && cat go.mod go.sum main.go | sha256sum | cut -c1-16)"
out="$CACHE_ROOT/kstatus/$key/kstatus-check"
if [[ ! -x "$out" ]]; then
  # Go: the one on PATH, /usr/local/go, or the toolchain e2e/k8s-binaries.sh caches.
  for g in "$(command -v go || true)" /usr/local/go/bin/go "$CACHE_ROOT"/go/go*/bin/go; do
    [[ -n "$g" && -x "$g" ]] && { GO="$g"; break; }
  done
  [[ -n "${GO:-}" ]] || { echo "kstatus/build.sh: no Go toolchain (run e2e/k8s-binaries.sh first)" >&2; exit 1; }
  mkdir -p "$(dirname "$out")"
  (cd "$HERE" && GOFLAGS=-mod=readonly CGO_ENABLED=0 "$GO" build -trimpath -o "$out.tmp" .)
  mv "$out.tmp" "$out"
fi
echo "$out"
