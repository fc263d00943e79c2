#!/usr/bin/env bash
# The README's first command, the main job on a fresh machine: installs the CLI's tools, builds the CLI
# (builder-image only: no operator, no Kubernetes) and verifies examples/hello.yaml — two builds under
# reprotest-style variations, compared. Prints each step; exits with twinbuild's code (0 = reproducible).
#
#   bash .ci/verify-example.sh [EXAMPLE.yaml] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
example="${1:-examples/hello.yaml}"
out="${2:-target/$(basename "$example" .yaml)}"
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
start=$SECONDS

say "1/3 tools: bash .ci/setup.sh cli"
bash .ci/setup.sh cli
say "2/3 building the twinbuild CLI: ./mvnw -q -B -DskipTests -pl builder-image -am package"
./mvnw -q -B -ntp -DskipTests -pl builder-image -am package
say "3/3 builder-image/bin/twinbuild verify $example --out $out"
rc=0
builder-image/bin/twinbuild verify "$example" --out "$out" || rc=$?
say "done in $((SECONDS - start)) s, exit $rc"
exit "$rc"
