#!/bin/sh
# kafka-server-start.sh of the Kafka distribution (class kafka.Kafka).
exec /opt/kafka/bin/kafka-run-class.sh kafka.Kafka "$@"
