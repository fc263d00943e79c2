#!/usr/bin/env bash
# Packs a root filesystem directory into a single-layer container image tarball that both
# `ctr images import` and `docker load` accept (an OCI image layout plus a docker-archive
# manifest.json pointing at the same blobs, as `docker save` >= 25 writes).
#
# Usage: image-tar.sh [options] ROOTFS_DIR NAME:TAG OUT.tar [ENTRYPOINT ARG...]
#   --env K=V        add an environment variable (repeatable; PATH defaults to the usual one)
#   --workdir DIR    working directory (default /)
#   --user USER      user[:group] the container runs as
#   --cmd ARG        append an argument to Cmd (repeatable)
#   --label K=V      add a config label (repeatable)
#   --epoch N        timestamp for every file and the config (default $SOURCE_DATE_EPOCH or 0)
#
# Deterministic: the same tree and arguments give the same bytes (names sorted, mtimes clamped,
# numeric uid/gid 0, fixed created time, uncompressed layer, no JSON whitespace) — so digests
# can be compared across machines and images cached by content.
set -euo pipefail

env_vars=() cmd=() labels=() workdir="/" user="" epoch="${SOURCE_DATE_EPOCH:-0}"
while (($#)); do
  case "$1" in
    --env) env_vars+=("$2"); shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --cmd) cmd+=("$2"); shift 2 ;;
    --label) labels+=("$2"); shift 2 ;;
    --epoch) epoch="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "image-tar.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
(($# >= 3)) || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
rootfs="$1" ref="$2" out="$3"; shift 3
entrypoint=("$@")
[[ -d "$rootfs" ]] || { echo "image-tar.sh: $rootfs is not a directory" >&2; exit 1; }
[[ "$epoch" =~ ^[0-9]+$ ]] || { echo "image-tar.sh: --epoch must be seconds since 1970" >&2; exit 2; }

# JSON string literal (escapes backslash, quote and control characters).
json_str() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      '"') out+='\"' ;;
      '\') out+='\\' ;;
      $'\n') out+='\n' ;;
      $'\t') out+='\t' ;;
      $'\r') out+='\r' ;;
      *)
        if [[ "$c" < $'\x20' ]]; then out+="$(printf '\\u%04x' "'$c")"; else out+="$c"; fi ;;
    esac
  done
  printf '"%s"' "$out"
}
json_array() { # JSON array of strings from the arguments
  local first=1 a
  printf '['
  for a in "$@"; do ((first)) || printf ','; first=0; json_str "$a"; done
  printf ']'
}
json_kv_object() { # JSON object from K=V arguments, keys sorted
  local first=1 kv
  printf '{'
  while IFS= read -r kv; do
    [[ -n "$kv" ]] || continue
    ((first)) || printf ','; first=0
    json_str "${kv%%=*}"; printf ':'; json_str "${kv#*=}"
  done < <(((${#@})) && printf '%s\n' "$@" | LC_ALL=C sort -t= -k1,1 -u)
  printf '}'
}

# Docker's reference normalisation: "pause:1" -> docker.io/library/pause:1,
# "twinbuild/x:1" -> docker.io/twinbuild/x:1; kubelet asks containerd for the normalised name.
normalise_ref() {
  local r="$1" first="${1%%/*}"
  if [[ "$r" != */* ]]; then r="docker.io/library/$r"
  elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then r="docker.io/$r"; fi
  [[ "${r##*/}" == *:* || "$r" == *@* ]] || r="$r:latest"
  printf '%s' "$r"
}
full_ref="$(normalise_ref "$ref")"
tag="${full_ref##*:}"

work="$(mktemp -d "${TMPDIR:-/tmp}/image-tar.XXXXXX")"
trap 'rm -rf "$work"' EXIT
blobs="$work/blobs/sha256"
mkdir -p "$blobs"

# The layer: GNU format (no pax headers carrying atime/ctime), sorted, clamped, numeric root owner.
LC_ALL=C tar -C "$rootfs" --sort=name --format=gnu --numeric-owner --owner=0 --group=0 \
  --mtime="@$epoch" --clamp-mtime -cf "$work/layer.tar" .
layer_sha="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
layer_size="$(stat -c %s "$work/layer.tar")"
mv "$work/layer.tar" "$blobs/$layer_sha"

created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
has_path=0
for e in "${env_vars[@]+"${env_vars[@]}"}"; do [[ "$e" == PATH=* ]] && has_path=1; done
((has_path)) || env_vars=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "${env_vars[@]+"${env_vars[@]}"}")

{
  printf '{"architecture":"amd64","config":{'
  ((${#cmd[@]})) && { printf '"Cmd":'; json_array "${cmd[@]}"; printf ','; }
  ((${#entrypoint[@]})) && { printf '"Entrypoint":'; json_array "${entrypoint[@]}"; printf ','; }
  printf '"Env":'; json_array "${env_vars[@]}"
  ((${#labels[@]})) && { printf ',"Labels":'; json_kv_object "${labels[@]}"; }
  [[ -n "$user" ]] && { printf ',"User":'; json_str "$user"; }
  printf ',"WorkingDir":'; json_str "$workdir"
  printf '},"created":"%s","history":[{"created":"%s","created_by":"twinbuild e2e/lib/image-tar.sh"}],' "$created" "$created"
  printf '"os":"linux","rootfs":{"diff_ids":["sha256:%s"],"type":"layers"}}' "$layer_sha"
} >"$work/config.json"
config_sha="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
config_size="$(stat -c %s "$work/config.json")"
mv "$work/config.json" "$blobs/$config_sha"

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$config_sha" "$config_size" "$layer_sha" "$layer_size" >"$work/manifest"
manifest_sha="$(sha256sum "$work/manifest" | cut -d' ' -f1)"
manifest_size="$(stat -c %s "$work/manifest")"
mv "$work/manifest" "$blobs/$manifest_sha"

# io.containerd.image.name is what `ctr images import` names the image after.
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":%s,"org.opencontainers.image.ref.name":%s}}]}' \
  "$manifest_sha" "$manifest_size" "$(json_str "$full_ref")" "$(json_str "$tag")" >"$work/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
short_ref="${full_ref#docker.io/}"; short_ref="${short_ref#library/}"
printf '[{"Config":"blobs/sha256/%s","RepoTags":[%s],"Layers":["blobs/sha256/%s"]}]' \
  "$config_sha" "$(json_str "$short_ref")" "$layer_sha" >"$work/manifest.json"
chmod -R u=rwX,go=rX "$work"

mkdir -p "$(dirname "$out")"
LC_ALL=C tar -C "$work" --sort=name --format=gnu --numeric-owner --owner=0 --group=0 \
  --mtime="@$epoch" -cf "$out.tmp" blobs index.json manifest.json oci-layout
mv -f "$out.tmp" "$out"
echo "$full_ref sha256:$manifest_sha" >&2
