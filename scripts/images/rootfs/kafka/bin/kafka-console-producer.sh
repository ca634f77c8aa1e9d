#!/bin/sh
# kafka-console-producer.sh of the Kafka distribution (class org.apache.kafka.tools.ConsoleProducer).
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.ConsoleProducer "$@"
