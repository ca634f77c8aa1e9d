#!/bin/sh
# kafka-console-consumer.sh of the Kafka distribution (class org.apache.kafka.tools.consumer.ConsoleConsumer).
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
