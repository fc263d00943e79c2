#!/usr/bin/env bash
# Builds sigstore's cosign (github.com/sigstore/cosign/v2, the version go.mod requires, every module
# hash pinned by go.sum) from the Go module proxy into the cache and prints its path. It is the
# independent verifier of Twinbuild's attestations (AttestationInteropTest, the e2e `attestation` test).
# Cached by the hash of go.mod/go.sum: well under a second afterwards. Run by .ci/setup.sh. Cold, on two
# cores: ~3 min to download the modules and 6.5 min of CPU to compile (34 min wall on a machine loaded ~20).
# TWINBUILD_COSIGN_CACHED_ONLY=1: print the path if built, else exit 3 (tests: never a build on the spot).
#
#   COSIGN=$(e2e/cosign/build.sh | tail -1); "$COSIGN" verify-blob-attestation --key pub.pem ...
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}"
version="$(awk '$1 == "require" && $2 == "github.com/sigstore/cosign/v2" {print $3}' "$HERE/go.mod")"
key="$(cd "$HERE" && cat go.mod go.sum tools.go | sha256sum | cut -c1-16)"
out="$CACHE_ROOT/cosign/$version-$key/cosign"
if [[ ! -x "$out" && -n "${TWINBUILD_COSIGN_CACHED_ONLY:-}" ]]; then
  echo "cosign/build.sh: cosign $version is not built yet (run e2e/cosign/build.sh or .ci/setup.sh)" >&2; exit 3
fi
if [[ ! -x "$out" ]]; then
  for g in "$(command -v go || true)" /usr/local/go/bin/go "$CACHE_ROOT"/go/go*/bin/go; do
    [[ -n "$g" && -x "$g" ]] && { GO="$g"; break; }
  done
  [[ -n "${GO:-}" ]] || { echo "cosign/build.sh: no Go toolchain (run e2e/k8s-binaries.sh first)" >&2; exit 1; }
  mkdir -p "$(dirname "$out")"
  # -p 1: two cores are shared with other builds; the version string as cosign's own release sets it.
  (cd "$HERE" && GOFLAGS=-mod=readonly CGO_ENABLED=0 "$GO" build -p "${TWINBUILD_GO_PARALLEL:-2}" -trimpath \
    -ldflags "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$version" \
    -o "$out.tmp" github.com/sigstore/cosign/v2/cmd/cosign)
  mv "$out.tmp" "$out"
fi
echo "$out"
