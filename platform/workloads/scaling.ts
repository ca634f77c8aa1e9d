/** Replica counts and autoscaling: the HorizontalPodAutoscaler, PodDisruptionBudget and topology spread. */
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import type { Duration } from 'cdk8s';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type { QueueScaling, ResolvedQueueScaling } from './queue-scaling';
import { isQueueScaling, resolveQueueScaling } from './queue-scaling';

/** A custom per-pod metric served by prometheus-adapter (`custom.metrics.k8s.io`). */
export interface PodsMetric {
  /** Metric name as the adapter exposes it, e.g. `http_requests_per_second`. */
  readonly name: string;
  /** Target average value per pod: a number (`10`, `0.5`) or a quantity (`"10"`, `"500m"`). */
  readonly averageValue: number | string;
}

/** Horizontal autoscaling between `min` and `max` replicas. */
export interface Autoscaling {
  /** Fewest replicas (at least 1; a maximum of 2 or more gets a PodDisruptionBudget and topology spread). */
  readonly min: number;
  /** Most replicas. */
  readonly max: number;
  /**
   * Target average CPU utilization, in percent of the CPU request.
   * @default 70
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory utilization, in percent of the memory request.
   * @default none (memory rarely falls when replicas are added)
   */
  readonly memoryUtilization?: number;
  /**
   * Custom per-pod metrics (needs prometheus-adapter, which the app then records as an add-on).
   * @default none
   */
  readonly podsMetrics?: readonly PodsMetric[];
  /**
   * How long the load must stay low before replicas are removed, to avoid flapping: seconds, or a `Duration` of
   * whole seconds (`Duration.minutes(5)`).
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number | Duration;
}

/** A fixed replica count, autoscaling bounds (CPU, memory, custom metrics), or scaling on a queue's depth. */
export type Replicas = number | Autoscaling | QueueScaling;

/** Replicas after validation. */
export interface ResolvedScaling {
  readonly min: number;
  readonly max: number;
  readonly autoscaling?: {
    readonly min: number;
    readonly max: number;
    readonly cpuUtilization: number;
    readonly memoryUtilization?: number;
    /** The metrics with their targets as quantity strings. */
    readonly podsMetrics: readonly { readonly name: string; readonly averageValue: string }[];
    readonly scaleDownStabilizationSeconds: number;
  };
  /** Scaling on a queue's depth with KEDA (never together with `autoscaling`). */
  readonly queue?: ResolvedQueueScaling;
}

/** The CPU utilization target when none is given: leaves headroom for a burst while new pods start. */
export const DEFAULT_CPU_UTILIZATION = 70;
/** Scale-down stabilization when none is given (the Kubernetes default, made explicit). */
export const DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS = 300;

const AUTOSCALING_KEYS: PropKeys<Autoscaling> = {
  min: true,
  max: true,
  cpuUtilization: true,
  memoryUtilization: true,
  podsMetrics: true,
  scaleDownStabilizationSeconds: true,
};
const PODS_METRIC_KEYS: PropKeys<PodsMetric> = { name: true, averageValue: true };

/** Validates `replicas`. */
export function resolveScaling(v: PropValidator, replicas: Replicas, prop = 'replicas'): ResolvedScaling {
  if (typeof replicas !== 'object' || replicas === null) {
    v.integer(prop, replicas, 1, 1000);
    return { min: replicas, max: replicas };
  }
  if (isQueueScaling(replicas)) {
    const queue = resolveQueueScaling(v, replicas, prop);
    return { min: queue.min, max: queue.max, queue };
  }
  v.knownProps(prop, replicas, AUTOSCALING_KEYS, 'replicas');
  v.integer(`${prop}.min`, replicas.min, 1, 1000);
  v.integer(`${prop}.max`, replicas.max, 1, 1000);
  v.ordered(`${prop}.min`, replicas.min, `${prop}.max`, replicas.max);
  const cpuUtilization = v.percent(`${prop}.cpuUtilization`, replicas.cpuUtilization ?? DEFAULT_CPU_UTILIZATION);
  if (replicas.memoryUtilization !== undefined) v.percent(`${prop}.memoryUtilization`, replicas.memoryUtilization);
  const podsMetrics = (replicas.podsMetrics ?? []).map((m, i) => {
    v.knownProps(`${prop}.podsMetrics[${i}]`, m, PODS_METRIC_KEYS, 'pods metric');
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(m.name)) {
      v.fail(
        `${prop}.podsMetrics[${i}].name`,
        `${JSON.stringify(m.name)} is not a metric name`,
        'use a Prometheus metric name such as "http_requests_per_second"',
      );
    }
    return {
      name: m.name,
      averageValue: averageValueText(v, `${prop}.podsMetrics[${i}].averageValue`, m.averageValue),
    };
  });
  v.unique(
    `${prop}.podsMetrics`,
    podsMetrics.map((m) => m.name),
  );
  const scaleDownStabilizationSeconds = v.whole(
    `${prop}.scaleDownStabilizationSeconds`,
    replicas.scaleDownStabilizationSeconds ?? DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS,
    's',
    0,
    3600,
  );
  return {
    min: replicas.min,
    max: replicas.max,
    autoscaling: {
      min: replicas.min,
      max: replicas.max,
      cpuUtilization,
      memoryUtilization: replicas.memoryUtilization,
      podsMetrics,
      scaleDownStabilizationSeconds,
    },
  };
}

/** A pods metric's target as a quantity: a positive number as JavaScript writes it, a string as given. */
function averageValueText(v: PropValidator, prop: string, value: number | string): string {
  if (typeof value !== 'number') return v.quantity(prop, value, '10');
  if (!Number.isFinite(value) || value <= 0)
    v.fail(prop, `${value} is not a positive number`, 'write it like 10 or 0.5');
  return String(value);
}

/**
 * How replicas change, for the platform's HPAs and KEDA's alike: up fast (double, or 4 pods, every 30 s,
 * whichever is more) and down slowly (half per minute after the stabilization window), so a load spike is
 * absorbed and a dip does not drop capacity.
 */
export function scalingBehavior(scaleDownStabilizationSeconds: number) {
  return {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 30 },
        { type: 'Pods', value: 4, periodSeconds: 30 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: scaleDownStabilizationSeconds,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
    },
  };
}

/** An autoscaling/v2 HPA for a Deployment or StatefulSet. */
export function addHorizontalPodAutoscaler(
  scope: Construct,
  target: { kind: string; name: string; labels: Record<string, string> },
  scaling: NonNullable<ResolvedScaling['autoscaling']>,
): k8s.KubeHorizontalPodAutoscalerV2 {
  const utilization = (name: string, averageUtilization: number): k8s.MetricSpecV2 => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization } },
  });
  const metrics: k8s.MetricSpecV2[] = [
    utilization('cpu', scaling.cpuUtilization),
    ...(scaling.memoryUtilization !== undefined ? [utilization('memory', scaling.memoryUtilization)] : []),
    ...scaling.podsMetrics.map((m): k8s.MetricSpecV2 => ({
      type: 'Pods',
      pods: {
        metric: { name: m.name },
        target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(m.averageValue) },
      },
    })),
  ];
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'hpa', {
    metadata: { name: target.name, labels: target.labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: target.kind, name: target.name },
      minReplicas: scaling.min,
      maxReplicas: scaling.max,
      metrics,
      behavior: scalingBehavior(scaling.scaleDownStabilizationSeconds),
    },
  });
}

/**
 * A PDB allowing one voluntary disruption at a time, for workloads that may run 2 or more pods: it keeps a drain
 * from evicting two replicas at once, and never blocks one (a lone pod is still evictable).
 */
export function addPodDisruptionBudget(
  scope: Construct,
  name: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, 'pdb', {
    metadata: { name, labels },
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: selector },
      // A crash-looping pod must not block node drains forever.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

/**
 * Spread replicas across zones and nodes. `ScheduleAnyway`: prefer spreading, but still schedule on a single-zone
 * or single-node cluster (kind, minikube) rather than leave pods pending.
 */
export function topologySpread(
  selector: Record<string, string>,
  matchLabelKeys?: string[],
): k8s.TopologySpreadConstraint[] {
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    ...(matchLabelKeys ? { matchLabelKeys } : {}),
  }));
}
