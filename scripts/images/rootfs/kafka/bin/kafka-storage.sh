#!/bin/sh
# kafka-storage.sh of the Kafka distribution (class kafka.tools.StorageTool).
exec /opt/kafka/bin/kafka-run-class.sh kafka.tools.StorageTool "$@"
