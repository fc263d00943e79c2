#!/usr/bin/env bash
# Builds a Kind node image for Kubernetes v1.33.13 without any image registry, and prints its
# reference (last line of stdout):
#
#   NODE_IMAGE=$(e2e/kind/node-image.sh | tail -1)    # twinbuild.local/kind-node:v1.33.13-<key>
#
# What kind's own node image (kind v0.29.0: images/base + `kind build node-image`) holds, from:
# - a root filesystem of Debian bookworm packages made by mmdebstrap (systemd, containerd 1.6, runc,
#   CNI plugins, iptables/nftables, conntrack, ...: node/packages.txt), plus kind's base files
#   (node/files: entrypoint, systemd units, containerd config, from kind v0.29.0 images/base/files,
#   Apache-2.0, node/LICENSE.kind; changes marked "Twinbuild");
# - kubelet, kubeadm, kubectl (e2e/k8s-binaries.sh kubeadm) in /usr/bin;
# - the images kubeadm v1.33.13 and kind v0.29.0 ask for, each built from source via the Go module
#   proxy (pause from Kubernetes' pause.c with gcc) and packed by e2e/images/oci-pack.sh into
#   /kind/images, which node/files/kind/bin/import-images.sh imports into containerd at the node's
#   first boot (kind imports them at build time; the result is the same store):
#     registry.k8s.io/kube-{apiserver,controller-manager,scheduler,proxy}:v1.33.13
#     registry.k8s.io/etcd:3.5.21-0 (the etcd Kubernetes v1.33.13's go.mod pins; kubeadm's default
#       tag 3.5.24-0 is set back to it in e2e/kind/cluster.yaml)
#     registry.k8s.io/pause:3.10, registry.k8s.io/coredns/coredns:v1.12.0,
#     docker.io/kindest/kindnetd:v20250512-df8de77b (kind's CNI, /kind/manifests/default-cni.yaml)
#   No local-path-provisioner: without /kind/manifests/default-storage.yaml kind creates a plain
#   StorageClass; the e2e suite provisions no volumes.
# The root filesystem is `docker import`ed. Cached by a key of all inputs: the rootfs tar in
# $TWINBUILD_CACHE/kind/ and the image in the Docker engine (a warm run only checks both).
# Needs root, a running Docker engine (e2e/kind/docker.sh), mmdebstrap, gcc, jq, ctr (for `ctr oci spec`).
set -euo pipefail
KIND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E="$(dirname "$KIND_DIR")"
# shellcheck source=/dev/null
. "$E2E/lib/common.sh"
CACHE="${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}/kind"
MIRROR="${TWINBUILD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${TWINBUILD_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
K8S_VERSION=1.33.13
EPOCH=1767225600   # as e2e/images/build.sh: 2026-01-01
ETCD_TAG=3.5.21-0
PAUSE_TAG=3.10
COREDNS_TAG=v1.12.0
KINDNETD_IMAGE=docker.io/kindest/kindnetd:v20250512-df8de77b
RECIPE=1
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
sha() { sha256sum "$@" | cut -d' ' -f1; }
list() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | awk NF | LC_ALL=C sort -u | paste -sd,; }

MMDEBSTRAP_OPTS=(
  --mode=root --variant=essential --format=tar --aptopt='Acquire::Retries "5"'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
)

# debootstrap NAME PACKAGES_FILE — a cached mmdebstrap tarball; prints its path.
rootfs() {
  local name="$1" pkgs="$2" key out
  key="$({ printf '%s\n' "$RECIPE" "$EPOCH" "$MIRROR" "$SECURITY_MIRROR" "${MMDEBSTRAP_OPTS[@]}"; list "$pkgs"; } | sha256sum | cut -c1-16)"
  out="$CACHE/$name-bookworm-$key.tar"
  if [[ ! -s "$out" ]]; then
    log "mmdebstrap $name: bookworm + $(list "$pkgs")"
    mkdir -p "$CACHE"
    SOURCE_DATE_EPOCH=$EPOCH mmdebstrap "${MMDEBSTRAP_OPTS[@]}" --include="$(list "$pkgs")" bookworm "$out.tmp" \
      "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" "deb $SECURITY_MIRROR bookworm-security main" >&2
    mv -f "$out.tmp" "$out"
  fi
  echo "$out"
}

# pack_root WORK OUT — WORK/root as one deterministic tar at OUT (sorted, owners and mtimes fixed), then
# removes WORK.
pack_root() {
  LC_ALL=C tar -C "$1/root" --sort=name --format=gnu --numeric-owner --owner=0 --group=0 \
    --mtime="@$EPOCH" --clamp-mtime -cf "$2.tmp" .
  mv -f "$2.tmp" "$2"
  rm -rf "$1"
}

# layer_of ROOTFS_TAR — the same tree as one deterministic image layer (/dev emptied); prints its path.
layer_of() {
  local out="${1%.tar}.layer.tar" work
  if [[ ! -s "$out" ]]; then
    work="$(mktemp -d "$CACHE/.layer.XXXXXX")"
    mkdir "$work/root"
    tar -C "$work/root" --numeric-owner -xpf "$1"
    find "$work/root/dev" -mindepth 1 -delete
    pack_root "$work" "$out"
  fi
  echo "$out"
}

# The base of the images that only hold one static binary: users, /tmp, nsswitch, CA certificates.
static_layer() {
  local out="$CACHE/static-base-$RECIPE.layer.tar" work
  if [[ ! -s "$out" ]]; then
    work="$(mktemp -d "$CACHE/.static.XXXXXX")"
    mkdir -p "$work/root/etc/ssl/certs" "$work/root/tmp" "$work/root/var/run"
    chmod 1777 "$work/root/tmp"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$work/root/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$work/root/etc/group"
    echo 'hosts: files dns' >"$work/root/etc/nsswitch.conf"
    cp /etc/ssl/certs/ca-certificates.crt "$work/root/etc/ssl/certs/"
    pack_root "$work" "$out"
  fi
  echo "$out"
}

# image OUT_DIR NAME REF BASE_LAYER BINARY DEST [ENTRYPOINT...] — packs one image into OUT_DIR/NAME.tar.
image() {
  local dir="$1" name="$2" ref="$3" base="$4" bin="$5" dest="$6"; shift 6
  local top
  top="$(mktemp -d "$CACHE/.top.XXXXXX")"
  install -D -m 0755 -o 0 -g 0 "$bin" "$top$dest"
  if [[ -n "${IPTABLES_WRAPPER:-}" ]]; then   # kube-proxy, kindnetd: the node's iptables backend
    install -D -m 0755 -o 0 -g 0 "$KIND_DIR/node/iptables-wrapper" "$top/usr/sbin/iptables-wrapper"
    local l
    for l in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
      ln -s iptables-wrapper "$top/usr/sbin/$l"
    done
  fi
  "$E2E/images/oci-pack.sh" --epoch "$EPOCH" --env "$PATH_ENV" "$base" "$top" "$ref" "$dir/$name.tar" "$@" 2>/dev/null
  rm -rf "$top"
}

# pause from the Kubernetes module's own source (build/pause/linux/pause.c), as its Makefile does.
build_pause() {
  local src out="$CACHE/pause-$PAUSE_TAG-$K8S_VERSION"
  if [[ ! -x "$out" ]]; then
    src="$(cd / && GOFLAGS= GOSUMDB=off go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | jq -r .Dir)"
    gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_TAG" -o "$out.tmp" "$src/build/pause/linux/pause.c"
    strip "$out.tmp"
    mv -f "$out.tmp" "$out"
  fi
  echo "$out"
}

main() {
  [[ $EUID -eq 0 ]] || die "must run as root (mmdebstrap --mode=root, owners in the rootfs)"
  need_pkg mmdebstrap mmdebstrap jq jq gcc gcc libc6-dev /usr/lib/x86_64-linux-gnu/libc.a containerd ctr
  mkdir -p "$CACHE"
  umask 022
  local start=$SECONDS m bin coredns kindnetd pause node_tar iptables_tar static
  bin="$("$E2E/k8s-binaries.sh" kubeadm | tail -1)"
  coredns="$("$KIND_DIR/go-build.sh" coredns | tail -1)"
  kindnetd="$("$KIND_DIR/go-build.sh" kindnetd | tail -1)"
  pause="$(build_pause)"
  node_tar="$(rootfs node "$KIND_DIR/node/packages.txt")"
  iptables_tar="$(rootfs iptables "$KIND_DIR/node/packages-iptables.txt")"
  static="$(static_layer)"

  local key
  key="$({ printf 'recipe=%s k8s=%s etcd=%s pause=%s coredns=%s kindnetd=%s\n' "$RECIPE" "$K8S_VERSION" "$ETCD_TAG" "$PAUSE_TAG" "$COREDNS_TAG" "$KINDNETD_IMAGE"
           basename "$node_tar"; basename "$iptables_tar"; basename "$static"
           sha "$0" "$E2E/images/oci-pack.sh"
           # the binaries by their own cache keys (pinned sources, recipe, Go version), not by hashing
           # ~600 MB on every run: their directories name the key, the k8s stamps hold it
           cat "$(dirname "$bin")"/stamp "$(dirname "$bin")"/stamp.kubeadm "$(dirname "$bin")"/built-with
           basename "$(dirname "$coredns")"; basename "$(dirname "$kindnetd")"; sha "$pause"
           sha "$KIND_DIR/node/iptables-wrapper"
           (cd "$KIND_DIR/node/files" && find . -type f | LC_ALL=C sort | xargs sha256sum)
         } | sha256sum | cut -c1-12)"
  local ref="twinbuild.local/kind-node:v$K8S_VERSION-$key" out="$CACHE/node-v$K8S_VERSION-$key.tar"
  if docker image inspect "$ref" >/dev/null 2>&1; then
    log "node image $ref present ($((SECONDS - start))s)"; echo "$ref"; return
  fi
  if [[ ! -s "$out" ]]; then
    local work root
    work="$(mktemp -d "$CACHE/.node.XXXXXX")"
    root="$work/root"
    mkdir "$root"
    tar -C "$root" --numeric-owner -xpf "$node_tar"
    find "$root/dev" -mindepth 1 -delete
    # kind's base image recipe (images/base/Dockerfile), with Debian's containerd/runc/CNI plugins.
    # Modes as kind's Dockerfile sets them (not the checkout's); parents 0755 (umask 022 above).
    local f
    while IFS= read -r f; do
      case "$f" in ./usr/local/bin/* | ./kind/bin/*) m=0755 ;; *) m=0644 ;; esac
      install -D -m "$m" -o 0 -g 0 "$KIND_DIR/node/files/$f" "$root/$f"
    done < <(cd "$KIND_DIR/node/files" && find . -type f | LC_ALL=C sort)
    ctr oci spec | jq '.hooks.createContainer[.hooks.createContainer|length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
      | jq 'del(.process.rlimits)' >"$root/etc/containerd/cri-base.json"
    mkdir -p "$root/opt/cni/bin"
    local p
    for p in "$root"/usr/lib/cni/*; do ln -sf "/usr/lib/cni/$(basename "$p")" "$root/opt/cni/bin/"; done
    install -m 0755 "$bin/kubelet" "$bin/kubeadm" "$bin/kubectl" "$root/usr/bin/"
    rm -f "$root"/lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service \
      "$root"/lib/systemd/system/multi-user.target.wants/* "$root"/etc/systemd/system/*.wants/* \
      "$root"/lib/systemd/system/local-fs.target.wants/* "$root"/lib/systemd/system/sockets.target.wants/*udev* \
      "$root"/lib/systemd/system/sockets.target.wants/*initctl* "$root"/lib/systemd/system/basic.target.wants/*
    echo "ReadKMsg=no" >>"$root/etc/systemd/journald.conf"
    ln -sf /lib/systemd/systemd "$root/sbin/init"
    # systemctl enable/mask, as symlinks (no systemd on the build host)
    mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
    for p in kubelet containerd undo-mount-hacks kind-preload-images; do
      ln -sf "/etc/systemd/system/$p.service" "$root/etc/systemd/system/multi-user.target.wants/$p.service"
    done
    ln -sf /dev/null "$root/etc/systemd/system/systemd-binfmt.service"
    mkdir -p "$root/etc/kubernetes/manifests" "$root/kind/images"
    echo "v$K8S_VERSION" >"$root/kind/version"
    : >"$root/etc/machine-id"
    local img="$root/kind/images" c
    for c in kube-apiserver kube-controller-manager kube-scheduler; do
      image "$img" "$c" "registry.k8s.io/$c:v$K8S_VERSION" "$static" "$bin/$c" "/usr/local/bin/$c" "/usr/local/bin/$c"
    done
    IPTABLES_WRAPPER=1 image "$img" kube-proxy "registry.k8s.io/kube-proxy:v$K8S_VERSION" "$(layer_of "$iptables_tar")" "$bin/kube-proxy" /usr/local/bin/kube-proxy /usr/local/bin/kube-proxy
    image "$img" etcd "registry.k8s.io/etcd:$ETCD_TAG" "$static" "$bin/etcd" /usr/local/bin/etcd /usr/local/bin/etcd
    image "$img" pause "registry.k8s.io/pause:$PAUSE_TAG" "$static" "$pause" /pause /pause
    image "$img" coredns "registry.k8s.io/coredns/coredns:$COREDNS_TAG" "$static" "$coredns" /coredns /coredns
    # /usr/bin, not /bin: a /bin directory in the top layer would replace the base's merged-usr /bin
    # symlink and hide /bin/sh, the wrapper's interpreter (kindnetd failed: exec /usr/sbin/iptables: ENOENT)
    IPTABLES_WRAPPER=1 image "$img" kindnetd "$KINDNETD_IMAGE" "$(layer_of "$iptables_tar")" "$kindnetd" /usr/bin/kindnetd /bin/kindnetd
    # (no --xattrs: they bring pax headers with atime/ctime; nothing here carries file capabilities)
    chmod 0755 "$root"
    LC_ALL=C tar -C "$root" --sort=name --format=gnu --numeric-owner \
      --mtime="@$EPOCH" -cf "$out.tmp" .
    mv -f "$out.tmp" "$out"
    rm -rf "$work"
    log "node rootfs $out ($(du -h "$out" | cut -f1))"
  fi
  docker import \
    --change 'ENV container=docker' \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
    "$out" "$ref" >&2
  # Earlier node images (other keys) go: each is ~1 GB in the cache and in Docker.
  local f old
  for f in "$CACHE"/node-v*.tar; do [[ "$f" == "$out" ]] || rm -f "$f"; done
  for old in $(docker images twinbuild.local/kind-node --format '{{.Repository}}:{{.Tag}}'); do
    [[ "$old" == "$ref" ]] || docker rmi "$old" >/dev/null 2>&1 || true
  done
  log "node image $ref ($((SECONDS - start))s)"
  echo "$ref"
}

main "$@"
