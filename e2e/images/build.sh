#!/usr/bin/env bash
# Builds Twinbuild's container images without Docker, deterministically, cached by content:
#
#   builder   docker.io/twinbuild/builder:<version>-<key>   JRE + twinbuild CLI + native tools; entrypoint twinbuild
#   operator  docker.io/twinbuild/operator:<version>-<key>  JRE + the operator uber-jar (no filesystem tools)
#   s3proxy   docker.io/twinbuild/s3proxy:4.1.0-<key>       JRE + s3proxy (the e2e artifact store)
#
# Two base root filesystems: Debian bookworm's Essential set plus packages.txt (the builder: the native
# tools builds and check pods drive) or plus packages-jre.txt (the operator and s3proxy: a JRE only —
# the control plane never unpacks an image, so it carries no unsquashfs, debugfs or xorriso). Each is
# made by mmdebstrap with SOURCE_DATE_EPOCH, cached under $TWINBUILD_CACHE/images keyed by its
# package list. Each image is its base as one layer plus a layer of its own files, packed by
# e2e/images/oci-pack.sh (sorted, clamped mtimes) into an OCI + docker-archive tarball, cached keyed
# by the base, the files and the packer; nodes store and unpack the shared base layer once. <key> in the tag is that content key, so a changed jar gives a
# new tag and `helm upgrade` rolls the operator.
#
# Output (e2e/target/images/ unless TWINBUILD_IMAGES_OUT is set):
#   builder.tar operator.tar s3proxy.tar   image tarballs (`local-cluster.sh load-image`, `ctr import`, `docker load`)
#   images.env                             BUILDER_IMAGE=… OPERATOR_IMAGE=… S3PROXY_IMAGE=… (+ *_TAR)
#
# Jars: builder-image/target/twinbuild.jar and operator/target/twinbuild-operator-*-runner.jar of
# the repository (or of $TWINBUILD_E2E_SRC, a copy of it); built with Maven when missing, never
# rebuilt when present (CI builds them right before). s3proxy comes from Maven Central.
#
#   e2e/images/build.sh              # build the three images (root)
#   e2e/images/build.sh context DIR  # only gather the inputs into DIR (a Docker build context for
#                                    # e2e/kind/Dockerfile); prints VERSION=… S3PROXY_VERSION=…
#
# Environment: TWINBUILD_CACHE, TWINBUILD_IMAGES_OUT, TWINBUILD_E2E_SRC,
#   TWINBUILD_DEBIAN_MIRROR (default http://deb.debian.org/debian),
#   TWINBUILD_DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security).
# Needs root (mmdebstrap's root mode, numeric owners in the rootfs).
set -euo pipefail

IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E="$(dirname "$IMAGES_DIR")"
ROOT="$(dirname "$E2E")"
LIB="$E2E/lib"
# shellcheck source=/dev/null
. "$LIB/common.sh"

CACHE="${TWINBUILD_CACHE:-$HOME/.cache/twinbuild}/images"
OUT="${TWINBUILD_IMAGES_OUT:-$E2E/target/images}"
SRC="${TWINBUILD_E2E_SRC:-$ROOT}"
MIRROR="${TWINBUILD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${TWINBUILD_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
# The time of every file and config in the images: the pom's project.build.outputTimestamp
# (2026-01-01T00:00:00Z), the same instant the jars carry.
EPOCH=1767225600
S3PROXY_VERSION=4.1.0
S3PROXY_SHA256=a4d025969aaf796616ed4b1e2491d87d455ce84bb28cb9db086b2e6aaa68b48d
# Bump to rebuild cached bases when the recipe below changes in a way the key does not see.
BASE_RECIPE=2

KEEP=()
sha() { sha256sum "$@" | cut -d' ' -f1; }

# The package list of the base being built: packages.txt (builder) or packages-jre.txt (operator, s3proxy).
BASE_LIST=packages.txt
packages() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$IMAGES_DIR/$BASE_LIST" | awk NF | LC_ALL=C sort -u; }

# ---- base root filesystem -------------------------------------------------------------------

# shellcheck disable=SC2016 # the hook's $1 is mmdebstrap's, not ours
MMDEBSTRAP_OPTS=(
  --mode=root --variant=essential --format=tar
  # What a container never reads: manuals, docs (licences kept), translations.
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias'
  # Merged /usr set up by mmdebstrap itself (usr-is-merged), so that the usrmerge package and the
  # perl it needs (~50 MB) stay out.
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  # update-alternatives (openjdk's postinst) links man pages and fails if man1 is missing.
  --essential-hook='mkdir -p "$1/usr/share/man/man1"'
  --aptopt='Acquire::Retries "5"'
  # ca-certificates-java dates every trust store entry with the install time: fix the dates
  # (NormalizeJks.java, run by the host's JDK) so that two builds give the same bytes.
  --customize-hook="java '$IMAGES_DIR/NormalizeJks.java' \"\$1/etc/ssl/certs/java/cacerts\" $EPOCH"
)

base_key() {
  { printf 'recipe=%s suite=bookworm epoch=%s mirror=%s security=%s\n' "$BASE_RECIPE" "$EPOCH" "$MIRROR" "$SECURITY_MIRROR"
    printf '%s\n' "${MMDEBSTRAP_OPTS[@]//"$IMAGES_DIR"/IMAGES_DIR}"   # not the checkout's path
    sha "$IMAGES_DIR/NormalizeJks.java"
    packages; } | sha256sum | cut -c1-16
}

# Prints the path of the cached base tarball, building it if needed.
ensure_base() {
  local key out tmp
  key="$(base_key)"
  out="$CACHE/base-bookworm-$key.tar"
  if [[ -s "$out" ]]; then echo "$out"; return; fi
  need_pkg mmdebstrap mmdebstrap debian-archive-keyring /usr/share/keyrings/debian-archive-keyring.gpg \
    openjdk-17-jdk-headless javac
  mkdir -p "$CACHE"
  tmp="$(mktemp -d "$CACHE/.base.XXXXXX")"
  log "building the base rootfs (bookworm + $(packages | paste -sd' ')) with mmdebstrap"
  SOURCE_DATE_EPOCH=$EPOCH mmdebstrap "${MMDEBSTRAP_OPTS[@]}" --include="$(packages | paste -sd,)" \
    bookworm "$tmp/base.tar" \
    "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" "deb $SECURITY_MIRROR bookworm-security main" >&2 \
    || { rm -rf "$tmp"; die "mmdebstrap failed"; }
  # What went in, for the record (and for a human wondering which JRE an image has).
  mkdir "$tmp/root"
  tar -C "$tmp/root" -xf "$tmp/base.tar" ./var/lib/dpkg
  dpkg-query --admindir="$tmp/root/var/lib/dpkg" -W -f '${Package} ${Version}\n' >"$CACHE/base-bookworm-$key.packages"
  mv -f "$tmp/base.tar" "$out"
  rm -rf "$tmp"
  log "base rootfs: $out ($(du -h "$out" | cut -f1))"
  echo "$out"
}

# ---- inputs ---------------------------------------------------------------------------------

ensure_jars() {
  BUILDER_JAR="$SRC/builder-image/target/twinbuild.jar"
  OPERATOR_JAR="$(compgen -G "$SRC/operator/target/twinbuild-operator-*-runner.jar" | head -1 || true)"
  if [[ ! -s "$BUILDER_JAR" || -z "$OPERATOR_JAR" ]]; then
    log "building the jars in $SRC (mvnw package -DskipTests)"
    (cd "$SRC" && ./mvnw -B -ntp -q -DskipTests package -pl builder-image,operator -am) >&2
    OPERATOR_JAR="$(compgen -G "$SRC/operator/target/twinbuild-operator-*-runner.jar" | head -1 || true)"
  fi
  [[ -s "$BUILDER_JAR" ]] || die "missing $BUILDER_JAR"
  [[ -s "$OPERATOR_JAR" ]] || die "missing operator/target/twinbuild-operator-*-runner.jar"
  VERSION="$(basename "$OPERATOR_JAR")"; VERSION="${VERSION#twinbuild-operator-}"; VERSION="${VERSION%-runner.jar}"
}

ensure_s3proxy_jar() {
  S3PROXY_JAR="$CACHE/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
  if [[ ! -s "$S3PROXY_JAR" ]] || [[ "$(sha "$S3PROXY_JAR")" != "$S3PROXY_SHA256" ]]; then
    local tmp
    mkdir -p "$CACHE"
    tmp="$(mktemp -d "$CACHE/.s3proxy.XXXXXX")"
    log "fetching org.gaul:s3proxy:$S3PROXY_VERSION:jar-with-dependencies from Maven Central"
    (cd "$ROOT" && ./mvnw -B -ntp -q -N dependency:copy \
      -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" -DoutputDirectory="$tmp") >&2
    [[ "$(sha "$tmp"/s3proxy-*.jar)" == "$S3PROXY_SHA256" ]] || { rm -rf "$tmp"; die "s3proxy jar sha256 mismatch"; }
    mv -f "$tmp"/s3proxy-*.jar "$S3PROXY_JAR"
    rm -rf "$tmp"
  fi
}

# ---- images ---------------------------------------------------------------------------------

# The base root filesystem as an image layer (shared by all three images): /dev emptied (runc
# mounts its own), packed deterministically. Prints its path.
ensure_base_layer() {
  local base out work
  base="$(ensure_base)"
  out="${base%.tar}.layer.tar"
  if [[ ! -s "$out" ]]; then
    work="$(mktemp -d "$CACHE/.layer.XXXXXX")"
    mkdir "$work/root"
    tar -C "$work/root" --numeric-owner -xpf "$base"
    find "$work/root/dev" -mindepth 1 -delete
    LC_ALL=C tar -C "$work/root" --sort=name --format=gnu --numeric-owner --owner=0 --group=0 \
      --mtime="@$EPOCH" --clamp-mtime -cf "$work/layer.tar" .
    mv -f "$work/layer.tar" "$out"
    rm -rf "$work"
  fi
  echo "$out"
}

# make_image NAME REPO VERSION [oci-pack options] -- [FILE_SPEC...] -- ENTRYPOINT...
#   FILE_SPEC is SRC:DEST:MODE (a file of the image's own layer).
# Sets IMAGE_REF and IMAGE_TAR.
make_image() {
  local name="$1" repo="$2" version="$3"; shift 3
  local opts=() files=() entry=()
  while (($#)) && [[ "$1" != -- ]]; do opts+=("$1"); shift; done; shift
  while (($#)) && [[ "$1" != -- ]]; do files+=("$1"); shift; done; shift
  entry=("$@")
  local layer key spec src dest mode
  # The layer's name is its content key: a cached image needs neither the base nor the layer on disk
  # (another checkout's build.sh may have pruned them).
  layer="$CACHE/base-bookworm-$(base_key).layer.tar"
  key="$({ printf 'base=%s\nrepo=%s\nversion=%s\nepoch=%s\n' "$(basename "$layer")" "$repo" "$version" "$EPOCH"
           printf 'opt=%s\n' "${opts[@]+"${opts[@]}"}"; printf 'entry=%s\n' "${entry[@]}"
           for spec in "${files[@]}"; do
             IFS=: read -r src dest mode <<<"$spec"
             printf 'file=%s:%s:%s\n' "$(sha "$src")" "$dest" "$mode"
           done
           sha "$IMAGES_DIR/oci-pack.sh"; } | sha256sum | cut -c1-12)"
  IMAGE_REF="docker.io/$repo:$version-$key"
  IMAGE_TAR="$CACHE/$name-$version-$key.tar"
  KEEP+=("${layer%.layer.tar}.tar" "$layer" "$IMAGE_TAR")
  if [[ ! -s "$IMAGE_TAR" ]]; then
    local work
    layer="$(ensure_base_layer)"
    work="$(mktemp -d "$CACHE/.$name.XXXXXX")"
    mkdir "$work/top"
    for spec in "${files[@]}"; do
      IFS=: read -r src dest mode <<<"$spec"
      install -D -m "$mode" -o 0 -g 0 "$src" "$work/top$dest"
    done
    "$IMAGES_DIR/oci-pack.sh" --epoch "$EPOCH" "${opts[@]+"${opts[@]}"}" "$layer" "$work/top" "$IMAGE_REF" \
      "$work/image.tar" "${entry[@]}" 2>/dev/null
    mv -f "$work/image.tar" "$IMAGE_TAR"
    rm -rf "$work"
    log "built $IMAGE_REF ($(du -h "$IMAGE_TAR" | cut -f1))"
  else
    log "cached $IMAGE_REF"
  fi
}

# Keeps the cache to the current base and images (the previous ones are rebuilt in seconds from
# the bases, which change only with packages.txt / packages-jre.txt).
prune() {
  local f
  for f in "$CACHE"/base-bookworm-*.tar "$CACHE"/builder-*.tar "$CACHE"/operator-*.tar "$CACHE"/s3proxy-[0-9]*.tar; do
    [[ -e "$f" ]] || continue
    case " ${KEEP[*]} " in *" $f "*) continue ;; esac
    rm -f "$f" "${f%.tar}.packages"
  done
}

# The same inputs as a Docker build context (e2e/kind/Dockerfile): jars, launchers, packages.txt.
context() {
  local dir="$1"
  ensure_jars
  ensure_s3proxy_jar
  mkdir -p "$dir"
  cp -f "$BUILDER_JAR" "$dir/twinbuild.jar"
  cp -f "$OPERATOR_JAR" "$dir/twinbuild-operator.jar"
  cp -f "$S3PROXY_JAR" "$dir/s3proxy.jar"
  cp -f "$IMAGES_DIR"/twinbuild.sh "$IMAGES_DIR"/operator.sh "$IMAGES_DIR"/s3proxy.sh "$IMAGES_DIR/packages.txt" \
    "$IMAGES_DIR/packages-jre.txt" "$dir/"
  printf 'VERSION=%s\nS3PROXY_VERSION=%s\n' "$VERSION" "$S3PROXY_VERSION"
}

main() {
  if [[ "${1:-}" == context ]]; then
    [[ -n "${2:-}" ]] || die "usage: $0 context DIR"
    context "$2"
    return
  fi
  [[ $EUID -eq 0 ]] || die "must run as root (mmdebstrap --mode=root)"
  local start=$SECONDS
  ensure_jars
  ensure_s3proxy_jar
  mkdir -p "$OUT"
  local env="$OUT/images.env.tmp"
  : >"$env"

  # HOME=/tmp: the pods run as arbitrary uids without a passwd entry and with a read-only root.
  BASE_LIST=packages.txt make_image builder twinbuild/builder "$VERSION" \
    --env TWINBUILD_SANDBOX=container --env HOME=/tmp --env LANG=C.UTF-8 --workdir /tmp \
    --label org.opencontainers.image.title=twinbuild-builder --label "org.opencontainers.image.version=$VERSION" -- \
    "$BUILDER_JAR:/opt/twinbuild/twinbuild.jar:0644" "$IMAGES_DIR/twinbuild.sh:/usr/local/bin/twinbuild:0755" -- \
    /usr/local/bin/twinbuild
  ln -f "$IMAGE_TAR" "$OUT/builder.tar" 2>/dev/null || cp -f "$IMAGE_TAR" "$OUT/builder.tar"
  printf 'BUILDER_IMAGE=%s\nBUILDER_TAR=%s\n' "$IMAGE_REF" "$OUT/builder.tar" >>"$env"

  BASE_LIST=packages-jre.txt make_image operator twinbuild/operator "$VERSION" \
    --env HOME=/tmp --env LANG=C.UTF-8 --workdir /tmp --user 65532:65532 \
    --label org.opencontainers.image.title=twinbuild-operator --label "org.opencontainers.image.version=$VERSION" -- \
    "$OPERATOR_JAR:/opt/twinbuild/twinbuild-operator.jar:0644" "$IMAGES_DIR/operator.sh:/usr/local/bin/twinbuild-operator:0755" -- \
    /usr/local/bin/twinbuild-operator
  ln -f "$IMAGE_TAR" "$OUT/operator.tar" 2>/dev/null || cp -f "$IMAGE_TAR" "$OUT/operator.tar"
  printf 'OPERATOR_IMAGE=%s\nOPERATOR_TAR=%s\n' "$IMAGE_REF" "$OUT/operator.tar" >>"$env"

  BASE_LIST=packages-jre.txt make_image s3proxy twinbuild/s3proxy "$S3PROXY_VERSION" \
    --env HOME=/tmp --env LANG=C.UTF-8 --workdir /tmp --user 65532:65532 \
    --label org.opencontainers.image.title=twinbuild-s3proxy --label "org.opencontainers.image.version=$S3PROXY_VERSION" -- \
    "$S3PROXY_JAR:/opt/s3proxy/s3proxy.jar:0644" "$IMAGES_DIR/s3proxy.sh:/usr/local/bin/s3proxy:0755" -- \
    /usr/local/bin/s3proxy
  ln -f "$IMAGE_TAR" "$OUT/s3proxy.tar" 2>/dev/null || cp -f "$IMAGE_TAR" "$OUT/s3proxy.tar"
  printf 'S3PROXY_IMAGE=%s\nS3PROXY_TAR=%s\n' "$IMAGE_REF" "$OUT/s3proxy.tar" >>"$env"

  mv -f "$env" "$OUT/images.env"
  prune
  log "images ready in $OUT ($((SECONDS - start))s)"
  cat "$OUT/images.env"
}

main "$@"
