#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine. Idempotent and quick
# when all is there; every install step of the project lives here or in the scripts it calls.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tools the pipeline drives or the tests read our outputs with.
packages=(bubblewrap faketime cpio zstd gzip tar util-linux rsync busybox-static openjdk-17-jdk-headless squashfs-tools e2fsprogs xorriso fakeroot genisoimage skopeo umoci
  lua5.1 chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_=""; [[ $(id -u) -eq 0 ]] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Kubernetes components for the operator's API-server tests and the e2e cluster (cached after the first build).
if [[ "${TWINBUILD_SKIP_K8S:-}" != "1" ]]; then
  e2e/k8s-binaries.sh >/dev/null
fi

# The kstatus checker of the e2e suite (Flux's view of a SystemImage); cached like the Kubernetes binaries.
if [[ "${TWINBUILD_SKIP_K8S:-}" != "1" ]]; then
  e2e/kstatus/build.sh >/dev/null
fi
