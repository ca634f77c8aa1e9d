#!/bin/sh
# kafka-topics.sh of the Kafka distribution (class org.apache.kafka.tools.TopicCommand).
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties}"
export KAFKA_LOG4J_OPTS
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.TopicCommand "$@"
