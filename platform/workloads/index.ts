export * from './database';
export * from './database-engines';
export * from './deployment-workload';
export * from './load-generator';
export * from './scaling';
export * from './service';
export * from './vertical-scaling';
export * from './worker';
export * from './workload';
export * from './workload-props';
// The pod's volume helpers; how a path becomes a volume name stays internal.
export {
  WRITABLE_DIR_SIZE_LIMIT,
  configMapMounts,
  configMapVolumes,
  writableMounts,
  writableVolumes,
} from './pod-volumes';
export type { ConfigMapMount } from './pod-volumes';
export * from './database-backup';
export * from './broker-engines';
export * from './message-broker';
export { KAFKA_SASL_MECHANISM, kafkaClusterId } from './kafka-preset';
export * from './queue-scaling';
// The load generator's props and constants; its validation stays internal.
export {
  LOCUST_IMAGE,
  LOCUST_UID,
  LOCUST_WEB_PORT,
  LOCUST_MASTER_PORT,
  LOCUSTFILE_DIR,
  DEFAULT_LOCUSTFILE_NAME,
  DEFAULT_USERS,
  DEFAULT_SPAWN_RATE,
  DEFAULT_LOCUST_WORKERS,
  LOCUST_MASTER_RESOURCES,
  LOCUST_WORKER_RESOURCES,
  LOCUSTFILE_HASH_ANNOTATION,
  LOCUST_MASTER_ENV_PREFIX,
  TARGET_ENV_PREFIX,
  MANAGED_LOCUST_ENV,
  LOCUST_WORKER_CHECK,
} from './load-generator-props';
export type { LoadGeneratorProps } from './load-generator-props';
