#!/bin/sh
# The Twinbuild operator (a Quarkus uber-jar). JAVA_OPTS replaces the defaults, JAVA_OPTS_APPEND
# adds to them (the variable Quarkus' generated manifests set).
# shellcheck disable=SC2086 # the options are meant to split into words
exec java ${JAVA_OPTS:--XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:-UsePerfData -Djava.io.tmpdir=/tmp} \
  ${JAVA_OPTS_APPEND:-} -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -jar /opt/twinbuild/twinbuild-operator.jar "$@"
