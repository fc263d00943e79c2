#!/usr/bin/env bash
# Regenerates crds/ from the Java types (operator/ and builder-image/.../api/v1alpha1) and copies the
# result here. The operator's CrdDriftIT fails `mvn verify` whenever crds/ and the types disagree.
#
#   crds/update.sh        # then review `git diff crds/` and commit
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./mvnw -B -q -pl api,builder-image,operator -am package -DskipTests "$@"
cp operator/target/kubernetes/systemimages.twinbuild.dev-v1.yml crds/
# The chart carries the same file (e2e/suite/helm-template.sh fails when they differ).
cp crds/systemimages.twinbuild.dev-v1.yml helm/twinbuild/crds/
echo "crds/ and helm/twinbuild/crds/ updated" >&2
