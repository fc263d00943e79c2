#!/usr/bin/env bash
# Packs a two-layer container image tarball: a shared base layer (already a tar) plus a layer made
# from a directory of the image's own files. The result is an OCI image layout with a docker-archive
# manifest.json beside it, as e2e/lib/image-tar.sh writes, which `ctr images import`, `kind load
# image-archive` and `docker load` accept.
#
# Why two layers: the builder, operator and s3proxy images share the ~280 MB base root filesystem;
# containerd stores and unpacks a layer it already has only once, so importing the three images into
# a node costs one base plus three small layers, and a rebuilt jar re-imports only its own layer.
#
# Usage: oci-pack.sh [options] BASE_LAYER.tar TOP_DIR NAME:TAG OUT.tar [ENTRYPOINT ARG...]
#   --env K=V  --label K=V  --workdir DIR  --user UID[:GID]  --epoch N (default $SOURCE_DATE_EPOCH or 0)
#
# Deterministic: the same base layer, tree and arguments give the same bytes (names sorted, mtimes
# clamped to the epoch, numeric owner 0, directories 0755, fixed created time, sorted JSON keys).
set -euo pipefail

env_vars=() labels=() workdir="/" user="" epoch="${SOURCE_DATE_EPOCH:-0}"
while (($#)); do
  case "$1" in
    --env) env_vars+=("$2"); shift 2 ;;
    --label) labels+=("$2"); shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --epoch) epoch="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "oci-pack.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
(($# >= 4)) || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
base_layer="$1" top="$2" ref="$3" out="$4"; shift 4
entrypoint=("$@")
[[ -s "$base_layer" ]] || { echo "oci-pack.sh: no base layer $base_layer" >&2; exit 1; }
[[ -d "$top" ]] || { echo "oci-pack.sh: $top is not a directory" >&2; exit 1; }

# shellcheck disable=SC1003 # backslashes in single quotes are meant literally
json_str() { # a JSON string literal
  local s="$1" o="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      '"') o+='\"' ;; '\') o+='\\' ;; $'\n') o+='\n' ;; $'\t') o+='\t' ;; $'\r') o+='\r' ;;
      *) if [[ "$c" < $'\x20' ]]; then o+="$(printf '\\u%04x' "'$c")"; else o+="$c"; fi ;;
    esac
  done
  printf '"%s"' "$o"
}
json_array() { local first=1 a; printf '['; for a in "$@"; do ((first)) || printf ','; first=0; json_str "$a"; done; printf ']'; }
json_kv() { # a JSON object from K=V arguments, keys sorted
  local first=1 kv
  printf '{'
  while IFS= read -r kv; do
    [[ -n "$kv" ]] || continue
    ((first)) || printf ','; first=0
    json_str "${kv%%=*}"; printf ':'; json_str "${kv#*=}"
  done < <(((${#@})) && printf '%s\n' "$@" | LC_ALL=C sort -t= -k1,1 -u)
  printf '}'
}
# Docker's reference normalisation, as kubelet asks containerd for it.
normalise_ref() {
  local r="$1" first="${1%%/*}"
  if [[ "$r" != */* ]]; then r="docker.io/library/$r"
  elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then r="docker.io/$r"; fi
  [[ "${r##*/}" == *:* || "$r" == *@* ]] || r="$r:latest"
  printf '%s' "$r"
}
full_ref="$(normalise_ref "$ref")"
tag="${full_ref##*:}"
sha() { sha256sum "$1" | cut -d' ' -f1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/oci-pack.XXXXXX")"
trap 'rm -rf "$work"' EXIT
blobs="$work/blobs/sha256"
mkdir -p "$blobs"

# The top layer: the image's own files. Directories 0755 whatever the umask was.
find "$top" -type d -exec chmod 0755 {} +
LC_ALL=C tar -C "$top" --sort=name --format=gnu --numeric-owner --owner=0 --group=0 \
  --mtime="@$epoch" --clamp-mtime -cf "$work/top.tar" .
base_sha="$(sha "$base_layer")" base_size="$(stat -c %s "$base_layer")"
top_sha="$(sha "$work/top.tar")" top_size="$(stat -c %s "$work/top.tar")"
cp "$base_layer" "$blobs/$base_sha"
mv "$work/top.tar" "$blobs/$top_sha"

created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
has_path=0
for e in "${env_vars[@]+"${env_vars[@]}"}"; do [[ "$e" == PATH=* ]] && has_path=1; done
((has_path)) || env_vars=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "${env_vars[@]+"${env_vars[@]}"}")
{
  printf '{"architecture":"amd64","config":{'
  ((${#entrypoint[@]})) && { printf '"Entrypoint":'; json_array "${entrypoint[@]}"; printf ','; }
  printf '"Env":'; json_array "${env_vars[@]}"
  ((${#labels[@]})) && { printf ',"Labels":'; json_kv "${labels[@]}"; }
  [[ -n "$user" ]] && { printf ',"User":'; json_str "$user"; }
  printf ',"WorkingDir":'; json_str "$workdir"
  printf '},"created":"%s","history":[{"created":"%s","created_by":"mmdebstrap base (e2e/images/build.sh)"},{"created":"%s","created_by":"e2e/images/oci-pack.sh"}],' \
    "$created" "$created" "$created"
  printf '"os":"linux","rootfs":{"diff_ids":["sha256:%s","sha256:%s"],"type":"layers"}}' "$base_sha" "$top_sha"
} >"$work/config.json"
config_sha="$(sha "$work/config.json")" config_size="$(stat -c %s "$work/config.json")"
mv "$work/config.json" "$blobs/$config_sha"

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s},{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$config_sha" "$config_size" "$base_sha" "$base_size" "$top_sha" "$top_size" >"$work/manifest"
manifest_sha="$(sha "$work/manifest")" manifest_size="$(stat -c %s "$work/manifest")"
mv "$work/manifest" "$blobs/$manifest_sha"

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":%s,"org.opencontainers.image.ref.name":%s}}]}' \
  "$manifest_sha" "$manifest_size" "$(json_str "$full_ref")" "$(json_str "$tag")" >"$work/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
short_ref="${full_ref#docker.io/}"; short_ref="${short_ref#library/}"
printf '[{"Config":"blobs/sha256/%s","RepoTags":[%s],"Layers":["blobs/sha256/%s","blobs/sha256/%s"]}]' \
  "$config_sha" "$(json_str "$short_ref")" "$base_sha" "$top_sha" >"$work/manifest.json"
chmod -R u=rwX,go=rX "$work"

mkdir -p "$(dirname "$out")"
LC_ALL=C tar -C "$work" --sort=name --format=gnu --numeric-owner --owner=0 --group=0 \
  --mtime="@$epoch" -cf "$out.tmp" blobs index.json manifest.json oci-layout
mv -f "$out.tmp" "$out"
echo "$full_ref sha256:$manifest_sha" >&2
