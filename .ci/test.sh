#!/usr/bin/env bash
# The project's test command (README): set-up, unit and API-server tests, then the end-to-end suite
# on a local two-worker cluster (needs root: network namespaces, containerd; always torn down).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
./mvnw -B -ntp verify
# kstatus (what Flux waits on) over the same status fixtures as the Argo CD health check
(cd e2e/kstatus && GOFLAGS=-mod=readonly "$(command -v go || echo /usr/local/go/bin/go)" test ./...)
bash e2e/run.sh
