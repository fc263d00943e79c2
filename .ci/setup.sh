#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine. Idempotent and quick
# when all is there; every install step of the project lives here or in the scripts it calls.
#
#   bash .ci/setup.sh        everything the tests need (the CLI's tools + the Kubernetes components)
#   bash .ci/setup.sh cli    only what the twinbuild CLI needs (the README's first command)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"
case "$mode" in all | cli) ;; *) echo "usage: $0 [all|cli]" >&2; exit 2 ;; esac
say() { printf 'setup: %s\n' "$*" >&2; }

# Tools the pipeline drives or the tests read our outputs with.
packages=(bubblewrap faketime cpio zstd gzip tar util-linux rsync busybox-static openjdk-17-jdk-headless squashfs-tools e2fsprogs xorriso fakeroot genisoimage skopeo umoci)
# The ISO's UEFI boot image (an ESP made from a directory of the tree): mkfs.fat and mtools.
packages+=(dosfstools mtools)
# Packages layers (mmdebstrap in fakechroot mode, apt resolution against the signed mirror).
packages+=(mmdebstrap fakechroot apt dpkg debian-archive-keyring)
if [[ "$mode" == all ]]; then
  # The boot tests (QEMU, isolinux; ovmf: the UEFI firmware); gettext: the .mo normaliser's tests (msgfmt/msgunfmt); docker-registry
  # (+ htpasswd from apache2-utils): the real OCI registry the fetch tests pull from, with Basic and token
  # auth (openssl makes the token key).
  packages+=(qemu-system-x86 ovmf isolinux syslinux-common gettext docker-registry apache2-utils openssl)
  # The Argo CD health check's tests (Lua 5.1) and the dashboard's browser tests.
  packages+=(lua5.1 chromium chromium-driver)
  # The check pod's diagnosis runs diffoscope (the operator's API-server tests run it in-process).
  packages+=(diffoscope-minimal)
  # The Kind e2e (e2e/kind/): Debian's Docker engine, gcc + static libc (the pause image), jq, capsh.
  packages+=(docker.io gcc libc6-dev jq libcap2-bin)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  sudo_=""; [[ $(id -u) -eq 0 ]] || sudo_="sudo"
  $sudo_ apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${missing[@]}" >/dev/null
else
  say "the $mode tools are installed"
fi

# Kubernetes components for the operator's API-server tests and the e2e cluster (cached after the first
# build; ~15 minutes on two cores the first time). Not needed by the CLI.
if [[ "$mode" == all && "${TWINBUILD_SKIP_K8S:-}" != "1" ]]; then
  say "Kubernetes components (e2e/k8s-binaries.sh; cached after the first build)"
  e2e/k8s-binaries.sh >/dev/null
fi

# The kstatus checker of the e2e suite (Flux's view of a SystemImage); cached like the Kubernetes binaries.
if [[ "$mode" == all && "${TWINBUILD_SKIP_K8S:-}" != "1" ]]; then
  e2e/kstatus/build.sh >/dev/null
fi

# cosign (sigstore), the independent verifier of the operator's attestations (builder-image's
# AttestationInteropTest, the e2e `attestation` test); pinned by e2e/cosign/go.sum, cached. Cold: ~3 min of
# module downloads + ~6.5 min of CPU (two cores).
if [[ "$mode" == all ]]; then
  say "cosign (e2e/cosign/build.sh; cached after the first build)"
  e2e/cosign/build.sh >/dev/null
fi
