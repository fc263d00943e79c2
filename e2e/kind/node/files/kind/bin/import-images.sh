#!/bin/sh
# Twinbuild: imports every image tarball of /kind/images into containerd's k8s.io namespace (where
# kubelet looks), as `kind build node-image` would have at build time. Retries until containerd answers.
set -eu
for i in $(seq 1 60); do ctr version >/dev/null 2>&1 && break; sleep 0.5; done
# the snapshotter the entrypoint chose (overlayfs, or native/fuse-overlayfs where overlay cannot nest)
snapshotter="$(sed -n 's/^ *snapshotter = "\(.*\)"/\1/p' /etc/containerd/config.toml | head -1)"
for f in /kind/images/*.tar; do
  [ -f "$f" ] || continue
  ctr --namespace=k8s.io images import --all-platforms --snapshotter="${snapshotter:-overlayfs}" "$f" >/dev/null
done
touch /var/lib/kind-images-imported
