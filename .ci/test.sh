#!/usr/bin/env bash
# The project's test command (README): set-up, unit and API-server tests, then the end-to-end suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
./mvnw -B -ntp verify
