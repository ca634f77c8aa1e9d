// The folder's public names, listed one by one: its internals (resolve*, add*, render* builders and the
// types only they use) are imported by module path inside the package, not re-exported here.
export {
  DEFAULT_STORAGE,
  DEFAULT_DATABASE_NAME,
  DEFAULT_DATABASE_RESOURCES,
  MAX_DATABASE_ID_LENGTH,
  DATABASE_VERTICAL_SCALING_MODES,
  Database,
} from './database';
export type { DatabaseProps } from './database';
export type { DatabaseEngine } from './database-engines';
export { DEFAULT_REPLICAS, DEFAULT_RESOURCES, DeploymentWorkload } from './deployment-workload';
export { LoadGeneratorMaster, LoadGeneratorWorkers, LoadGenerator } from './load-generator';
export { DEFAULT_CPU_UTILIZATION, DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS } from './scaling';
export type { PodsMetric, Autoscaling, Replicas, ResolvedScaling } from './scaling';
export { METRICS_PORT_NAME, Service } from './service';
export type { MetricsEndpoint, ServiceProps } from './service';
export { VERTICAL_SCALING_MODES } from './vertical-scaling';
export type {
  VerticalScalingMode,
  ScaledResource,
  ResourceBounds,
  ResolvedResourceBounds,
  VerticalScaling,
  ResolvedVerticalScaling,
} from './vertical-scaling';
export { Worker } from './worker';
export type { WorkerProps } from './worker';
export { Workload } from './workload';
export type { Connectable, QueueLinkOptions, ConnectOptions } from './workload';
export { DEFAULT_WRITABLE_PATHS } from './workload-props';
export type { WorkloadProps, ResolvedWorkload } from './workload-props';
export { WRITABLE_DIR_SIZE_LIMIT } from './pod-volumes';
export type { ConfigMapMount } from './pod-volumes';
export { DEFAULT_BACKUP_RETENTION_DAYS } from './database-backup';
export type {
  VolumeBackupTarget,
  BucketBackupTarget,
  BackupTarget,
  DatabaseBackup,
  DatabaseBackupObjects,
} from './database-backup';
export type { BrokerEngine } from './broker-engines';
export {
  DEFAULT_BROKER_RESOURCES,
  DEFAULT_BROKER_STORAGE,
  DEFAULT_KAFKA_RESOURCES,
  DEFAULT_TOPIC_PARTITIONS,
  MessageBroker,
} from './message-broker';
export type { MessageBrokerProps, TopicSpec, QueueRef } from './message-broker';
export { KAFKA_SASL_MECHANISM } from './kafka-preset';
export { DEFAULT_MESSAGES_PER_REPLICA } from './queue-scaling';
export type { QueueScaling, ResolvedQueueScaling } from './queue-scaling';
export {
  LOCUST_IMAGE,
  LOCUST_WEB_PORT,
  LOCUSTFILE_DIR,
  DEFAULT_LOCUSTFILE_NAME,
  DEFAULT_USERS,
  DEFAULT_SPAWN_RATE,
  DEFAULT_LOCUST_WORKERS,
  LOCUST_MASTER_RESOURCES,
  LOCUST_WORKER_RESOURCES,
  TARGET_ENV_PREFIX,
  MANAGED_LOCUST_ENV,
} from './load-generator-props';
export type { LoadGeneratorProps } from './load-generator-props';
