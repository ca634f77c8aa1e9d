/** Container requests and limits: typed props, validation, and rendering. */
import type * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Quantity } from 'cdk8s-plus-27/lib/imports/k8s';
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

/** Validates `resources`, filling what the user left out from `defaults`, and returns the full set. */
export function resolveResources(
  v: PropValidator,
  prop: string,
  given: Partial<{ cpu: Partial<RequestLimit>; memory: Partial<RequestLimit> }> | undefined,
  defaults: Resources,
): Resources {
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

/** The `resources` field of a container. */
export function renderResources(r: Resources): k8s.ResourceRequirements {
  return {
    requests: { cpu: Quantity.fromString(r.cpu.request), memory: Quantity.fromString(r.memory.request) },
    limits: { cpu: Quantity.fromString(r.cpu.limit), memory: Quantity.fromString(r.memory.limit) },
  };
}
