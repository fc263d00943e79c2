# shellcheck shell=bash
# Images the cluster itself needs, built locally (nothing can be pulled here) and cached by
# content under $IMAGE_CACHE. Sourced by local-cluster.sh.

PAUSE_IMAGE="docker.io/twinbuild/pause:1"
BUSYBOX_IMAGE="docker.io/twinbuild/busybox:1"

# _image_key FILE... — short content hash of the inputs (and of the packer) naming a cached tar.
_image_key() { cat "$@" "$LIB/image-tar.sh" | sha256sum | cut -c1-16; }

build_pause_image() {
  local key out
  key="$(printf '%s\n' "$(gcc --version | head -1)" | cat - "$LIB/pause.c" | _image_key /dev/stdin)"
  out="$IMAGE_CACHE/pause-$key.tar"
  if [[ ! -s "$out" ]]; then
    local root
    root="$(mktemp -d)"
    gcc -static -Os -s -o "$root/pause" "$LIB/pause.c"
    "$LIB/image-tar.sh" "$root" "$PAUSE_IMAGE" "$out" /pause
    rm -rf "$root"
  fi
  echo "$out"
}

# A busybox-static image for smoke tests (and anything in e2e that needs a shell and wget).
build_busybox_image() {
  local key out
  key="$(_image_key /bin/busybox)"
  out="$IMAGE_CACHE/busybox-$key.tar"
  if [[ ! -s "$out" ]]; then
    local root a
    root="$(mktemp -d)"
    mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
    chmod 1777 "$root/tmp"
    cp /bin/busybox "$root/bin/busybox"
    for a in $(/bin/busybox --list); do
      [[ "$a" == busybox ]] || ln -s busybox "$root/bin/$a"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    "$LIB/image-tar.sh" --env PATH=/bin "$root" "$BUSYBOX_IMAGE" "$out" /bin/sh
    rm -rf "$root"
  fi
  echo "$out"
}
