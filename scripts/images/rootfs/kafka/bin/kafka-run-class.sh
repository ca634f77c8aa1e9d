#!/bin/sh
# Runs a class of the Kafka distribution on Debian's JRE with every jar of /opt/kafka/libs, as upstream's script
# of this name does: the heap from KAFKA_HEAP_OPTS, extra JVM options from KAFKA_JVM_PERFORMANCE_OPTS and
# KAFKA_OPTS, logging to the console through KAFKA_LOG4J_OPTS (default: /opt/kafka/config/log4j2.properties).
set -eu
: "${KAFKA_HEAP_OPTS:=-Xmx256m}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true}"
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties}"
# shellcheck disable=SC2086 # option lists, split on purpose
exec java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_LOG4J_OPTS ${KAFKA_OPTS:-} -cp '/opt/kafka/libs/*' "$@"
