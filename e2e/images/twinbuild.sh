#!/bin/sh
# The twinbuild CLI in the builder image. JAVA_OPTS replaces the defaults: a serial GC and a heap
# bounded by the container's memory limit suit a short-lived build on few cores; no perf data
# file, since the root filesystem is read-only.
# shellcheck disable=SC2086 # the options are meant to split into words
exec java ${JAVA_OPTS:--XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:-UsePerfData} \
  -jar /opt/twinbuild/twinbuild.jar "$@"
