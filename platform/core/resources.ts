/** Container requests and limits: typed props, validation, and rendering. */
import { k8s } from 'cdk8s-plus-27';
import type { PropKeys } from './known-props';
import type { PropValidator } from './validate';

/** A request and a limit of one resource, as Kubernetes quantities. */
export interface RequestLimit {
  /** Guaranteed amount, used by the scheduler and by HPA utilization targets. */
  readonly request: string;
  /** Hard cap: CPU is throttled above it, memory use above it gets the container OOM-killed. */
  readonly limit: string;
}

/** CPU and memory for one container; both are always set (policy `resources`). */
export interface Resources {
  /** CPU in cores (`"250m"`, `"1"`). */
  readonly cpu: RequestLimit;
  /** Memory in bytes (`"256Mi"`, `"1Gi"`). */
  readonly memory: RequestLimit;
}

/**
 * Ephemeral storage of every container (its logs, and the `emptyDir`s of the pod, each capped at 256Mi): with a
 * request the scheduler places pods where there is disk; with a limit a runaway writer is evicted alone instead
 * of filling the node's disk for its neighbours.
 */
export const DEFAULT_EPHEMERAL_STORAGE: RequestLimit = { request: '64Mi', limit: '1Gi' };

const RESOURCES_KEYS: PropKeys<Resources> = { cpu: true, memory: true };
const REQUEST_LIMIT_KEYS: PropKeys<RequestLimit> = { request: true, limit: true };

/** Validates `resources`, filling what the user left out from `defaults`, and returns the full set. */
export function resolveResources(
  v: PropValidator,
  prop: string,
  given: Partial<{ cpu: Partial<RequestLimit>; memory: Partial<RequestLimit> }> | undefined,
  defaults: Resources,
): Resources {
  v.knownProps(prop, given, RESOURCES_KEYS, 'resources');
  v.knownProps(`${prop}.cpu`, given?.cpu, REQUEST_LIMIT_KEYS, 'resources.cpu');
  v.knownProps(`${prop}.memory`, given?.memory, REQUEST_LIMIT_KEYS, 'resources.memory');
  const cpu = { ...defaults.cpu, ...given?.cpu };
  const memory = { ...defaults.memory, ...given?.memory };
  v.quantity(`${prop}.cpu.request`, cpu.request, '250m');
  v.quantity(`${prop}.cpu.limit`, cpu.limit, '1');
  v.quantity(`${prop}.memory.request`, memory.request, '256Mi');
  v.quantity(`${prop}.memory.limit`, memory.limit, '512Mi');
  v.requestWithinLimit(`${prop}.cpu.request`, cpu.request, `${prop}.cpu.limit`, cpu.limit);
  v.requestWithinLimit(`${prop}.memory.request`, memory.request, `${prop}.memory.limit`, memory.limit);
  return { cpu, memory };
}

/** The `resources` field of a container: CPU and memory, and {@link DEFAULT_EPHEMERAL_STORAGE}. */
export function renderResources(r: Resources): k8s.ResourceRequirements {
  const disk = DEFAULT_EPHEMERAL_STORAGE;
  return {
    requests: {
      cpu: k8s.Quantity.fromString(r.cpu.request),
      memory: k8s.Quantity.fromString(r.memory.request),
      'ephemeral-storage': k8s.Quantity.fromString(disk.request),
    },
    limits: {
      cpu: k8s.Quantity.fromString(r.cpu.limit),
      memory: k8s.Quantity.fromString(r.memory.limit),
      'ephemeral-storage': k8s.Quantity.fromString(disk.limit),
    },
  };
}
