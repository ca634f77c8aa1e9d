// The folder's public names, listed one by one: its internals (resolve*, add*, render* builders and the
// types only they use) are imported by module path inside the package, not re-exported here.
export { PlatformValidationError } from './errors';
export { DEFAULT_METRICS_PATH } from './graph';
export type {
  SecretKeyRef,
  DatabaseEngine,
  BrokerEngine,
  BrokerQueue,
  BrokerSignal,
  EndpointPort,
  CustomMetric,
  BackupSignal,
  GraphNode,
  GraphEdge,
  HttpMetricNames,
  NamespacePeer,
  CidrPeer,
  EgressPeer,
  EgressRule,
} from './graph';
export type { Component } from './names';
export { LIVENESS_TIMING, READINESS_TIMING, STARTUP_TIMING } from './probes';
export type { HealthCheck, ProbeTiming } from './probes';
export { DEFAULT_EPHEMERAL_STORAGE } from './resources';
export type { RequestLimit, Resources, CpuRequestLimit, MemoryRequestLimit, ResourcesProps } from './resources';
export { DEFAULT_RUN_AS_USER, EXCEPTION_ANNOTATION_PREFIX } from './security';
export type { RunAs } from './security';
export type { CpuQuantity, SizeQuantity } from './units';
export { PEER_CHECKS } from './exceptions';
export type { PeerChecks } from './exceptions';
