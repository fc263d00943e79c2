#!/bin/sh
# s3proxy (org.gaul:s3proxy) serving a directory as S3, for the e2e artifact store.
#   S3PROXY_IDENTITY, S3PROXY_CREDENTIAL  access key id and secret (required; AWS v2/v4 signatures)
#   S3PROXY_DATA     directory holding one sub-directory per bucket, objects as plain files (default /data)
#   S3PROXY_BUCKETS  buckets to create at start (space-separated)
#   S3PROXY_PORT     HTTP port (default 8080)
set -eu
: "${S3PROXY_IDENTITY:?S3PROXY_IDENTITY is required}" "${S3PROXY_CREDENTIAL:?S3PROXY_CREDENTIAL is required}"
data="${S3PROXY_DATA:-/data}"
for b in ${S3PROXY_BUCKETS:-}; do mkdir -p "$data/$b"; done
conf="$(mktemp "${TMPDIR:-/tmp}/s3proxy.XXXXXX")"
cat >"$conf" <<CONF
s3proxy.endpoint=http://0.0.0.0:${S3PROXY_PORT:-8080}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3PROXY_IDENTITY
s3proxy.credential=$S3PROXY_CREDENTIAL
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$data
CONF
# shellcheck disable=SC2086 # the options are meant to split into words
exec java ${JAVA_OPTS:--XX:+UseSerialGC -XX:MaxRAMPercentage=60 -XX:-UsePerfData} \
  -jar /opt/s3proxy/s3proxy.jar --properties "$conf"
