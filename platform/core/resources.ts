/** Container requests and limits: typed props, validation, and rendering. */
import { k8s } from 'cdk8s-plus-27';
import type { PropKeys } from './known-props';
import type { CpuQuantity, SizeQuantity } from './units';
import type { PropValidator } from './validate';

/** A request and a limit of one resource, as Kubernetes quantities (the validated form every prop renders to). */
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

/** CPU request and limit as given: quantity strings or `Cpu` values (`Cpu.millis(250)`). */
export interface CpuRequestLimit {
  /**
   * Guaranteed CPU, used by the scheduler and by HPA utilization targets: `"250m"` or `Cpu.millis(250)`.
   * @default the construct's
   */
  readonly request?: CpuQuantity;
  /**
   * CPU cap, above which the container is throttled: `"1"` or `Cpu.units(1)`.
   * @default the construct's
   */
  readonly limit?: CpuQuantity;
}

/** Memory request and limit as given: quantity strings or `Size` values (`Size.mebibytes(256)`). */
export interface MemoryRequestLimit {
  /**
   * Guaranteed memory, used by the scheduler: `"256Mi"` or `Size.mebibytes(256)`.
   * @default the construct's
   */
  readonly request?: SizeQuantity;
  /**
   * Memory cap, above which the container is OOM-killed: `"512Mi"` or `Size.mebibytes(512)`.
   * @default the construct's
   */
  readonly limit?: SizeQuantity;
}

/** The `resources` prop of a construct: what is left out keeps the construct's default. */
export interface ResourcesProps {
  /**
   * CPU request and limit.
   * @default the construct's
   */
  readonly cpu?: CpuRequestLimit;
  /**
   * Memory request and limit.
   * @default the construct's
   */
  readonly memory?: MemoryRequestLimit;
}

const RESOURCES_KEYS: PropKeys<ResourcesProps> = { cpu: true, memory: true };
const REQUEST_LIMIT_KEYS: PropKeys<CpuRequestLimit> = { request: true, limit: true };

/**
 * Validates `resources`, filling what the user left out from `defaults`, and returns the full set as quantity
 * strings (a `Cpu` or a `Size` rendered once, here).
 */
export function resolveResources(
  v: PropValidator,
  prop: string,
  given: ResourcesProps | undefined,
  defaults: Resources,
): Resources {
  v.knownProps(prop, given, RESOURCES_KEYS, 'resources');
  v.knownProps(`${prop}.cpu`, given?.cpu, REQUEST_LIMIT_KEYS, 'resources.cpu');
  v.knownProps(`${prop}.memory`, given?.memory, REQUEST_LIMIT_KEYS, 'resources.memory');
  const givenCpu = { ...defaults.cpu, ...given?.cpu };
  const givenMemory = { ...defaults.memory, ...given?.memory };
  const cpu: RequestLimit = {
    request: v.cpu(`${prop}.cpu.request`, givenCpu.request, '250m'),
    limit: v.cpu(`${prop}.cpu.limit`, givenCpu.limit, '1'),
  };
  const memory: RequestLimit = {
    request: v.size(`${prop}.memory.request`, givenMemory.request, '256Mi'),
    limit: v.size(`${prop}.memory.limit`, givenMemory.limit, '512Mi'),
  };
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
