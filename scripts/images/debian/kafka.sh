# apache/kafka:4.1.1: Apache Kafka's own jars of that version from Maven Central (the broker, kafka_2.13; the CLI
# tools, kafka-tools; their dependencies, resolved by Maven) on Debian's OpenJDK 17 JRE, laid out as the Apache
# project's image: the distribution in /opt/kafka (libs/, bin/, config/), user appuser 1000:1000, data in
# /var/lib/kafka/data. The bin/ scripts the MessageBroker preset runs (kafka-server-start.sh, kafka-storage.sh,
# kafka-topics.sh, and the console producer and consumer of the e2e) start the same classes as upstream's
# (rootfs/kafka). Upstream's environment-driven launcher (/etc/kafka/docker/run) is not reproduced: the preset
# starts the server with its own script.
kafka_build() {
  local d=$TMP/kafka m2=$TMP/kafka-maven
  mkdir -p "$d/opt/kafka/libs" "$d/var/lib/kafka/data" "$d/home/appuser" "$m2"
  cp -r "$HERE/rootfs/kafka/bin" "$HERE/rootfs/kafka/config" "$d/opt/kafka/"
  cat >"$m2/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>k8s-platform.images</groupId><artifactId>kafka</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  # Maven's own cache (~/.m2) keeps the jars between builds.
  mvn -q -B -f "$m2/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$d/opt/kafka/libs"
  users "$d" appuser:1000:1000:/home/appuser
  chown -R 1000:1000 "$d/var/lib/kafka" "$d/home/appuser"
  debian_image "$1" "$2" "$d" "{\"User\": \"appuser\", \"WorkingDir\": \"/opt/kafka\",
    \"ExposedPorts\": {\"9092/tcp\": {}}, \"Volumes\": {\"/var/lib/kafka/data\": {}},
    \"Env\": [\"PATH=/opt/kafka/bin:$DEBIAN_PATH\", \"LANG=C.UTF-8\"]}"
}
