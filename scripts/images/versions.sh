# Versions of what the images are built from (sourced by build.sh). The image references themselves are the
# manifests' (charts-out/); the runtime suite checks that every one of them is built.
PODINFO_VERSION=6.7.1
PODINFO_COMMIT=6b7aab8a10d6ee8b895b0a5048f4ab0966ed29ff
POSTGRES_EXPORTER_VERSION=0.15.0
POSTGRES_EXPORTER_COMMIT=68c176b8833b7580bf847cecf60f8e0ad5923f9a
MONGODB_EXPORTER_VERSION=0.40.0
REDIS_EXPORTER_VERSION=v1.62.0
FERRETDB_VERSION=v1.24.2
MONGOSH_VERSION=2.12.0
EMBEDDED_POSTGRES_VERSION=16.4.0-beta.14
# pg_dump, pg_restore and pg_dumpall 16 (the backup job's tools; Debian bookworm's client is 15, which refuses a 16
# server) from the pgserver wheel on PyPI, a build of PostgreSQL 16.2 with its libpq.
PGSERVER_VERSION=0.1.4
# The bucket backups' uploader (platform/workloads/backup-bucket.ts RCLONE_IMAGE) and the drill's S3 stand-in.
RCLONE_VERSION=v1.71.0
LOCUST_VERSION=2.46.6
DEBIAN_SUITE=bookworm
# Apache Kafka's jars (the broker, its storage tool and the CLI tools) from Maven Central, and the log4j 2 binding
# its distribution ships (slf4j 1.7, hence log4j-slf4j-impl).
KAFKA_VERSION=4.1.1
KAFKA_LOG4J_VERSION=2.24.3
