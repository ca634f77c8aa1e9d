#!/bin/sh
# kafka-topics.sh of the Kafka distribution (class org.apache.kafka.tools.TopicCommand).
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.TopicCommand "$@"
