/**
 * Vertical autoscaling: a `VerticalPodAutoscaler` (autoscaling.k8s.io/v1) that sizes the requests and limits of a
 * workload's main container from its observed usage, kept out of the way of the workload's HPA.
 */
import type { Construct } from 'constructs';
import { parseQuantity } from '../core/quantity';
import type { PropKeys } from '../core/known-props';
import type { CpuQuantity, SizeQuantity } from '../core/units';
import type { PropValidator } from '../core/validate';
import type * as VpaCrds from '../crds/vpa-autoscaling.k8s.io';
import type {
  VerticalPodAutoscaler,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues as ControlledValues,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMode as ContainerMode,
  VerticalPodAutoscalerSpecUpdatePolicyUpdateMode as UpdateMode,
} from '../crds/vpa-autoscaling.k8s.io';
import type { ResolvedScaling } from './scaling';

/**
 * How the VPA applies its recommendations (VPA 1.7 `updatePolicy.updateMode`, without the deprecated `Auto`):
 * - `Off`: only recommends (read them with `kubectl describe vpa`); never touches a pod.
 * - `Initial`: sets requests when a pod is created (rollouts, rescheduling), never evicts.
 * - `Recreate`: also evicts running pods whose requests are far from the recommendation (respecting the PDB; the
 *   updater leaves workloads of a single replica alone).
 * - `InPlaceOrRecreate`: resizes running pods in place, evicting only when that fails (Kubernetes 1.33+).
 */
export type VerticalScalingMode = 'Off' | 'Initial' | 'Recreate' | 'InPlaceOrRecreate';

/** Every {@link VerticalScalingMode}. */
export const VERTICAL_SCALING_MODES: readonly VerticalScalingMode[] = [
  'Off',
  'Initial',
  'Recreate',
  'InPlaceOrRecreate',
];

/** A resource the VPA can size. */
export type ScaledResource = 'cpu' | 'memory';

/** Bounds of the VPA's recommendation for the main container's requests. */
export interface ResourceBounds {
  /**
   * CPU, a quantity (`"100m"`, `"2"`) or a `Cpu` (`Cpu.millis(100)`).
   * @default no bound
   */
  readonly cpu?: CpuQuantity;
  /**
   * Memory, a quantity (`"128Mi"`, `"4Gi"`) or a `Size` (`Size.mebibytes(128)`).
   * @default no bound
   */
  readonly memory?: SizeQuantity;
}

/** {@link ResourceBounds} after validation, as quantity strings. */
export type ResolvedResourceBounds = Readonly<Partial<Record<ScaledResource, string>>>;

/** A `VerticalPodAutoscaler` for a workload's main container. */
export interface VerticalScaling {
  /**
   * How recommendations are applied.
   * @default 'Recreate' (the VPA's own default) for a Service or Worker; a Database allows only 'Off' and 'Initial'
   */
  readonly mode?: VerticalScalingMode;
  /**
   * The resources the VPA sizes. When the workload's HPA scales on CPU (always) or memory utilization, a VPA that
   * also changes that resource's request moves the HPA's target under it and the two fight: so unless `mode` is
   * `'Off'`, those resources are left out by default and rejected when listed.
   * @default ['cpu', 'memory'] minus the resources the HPA scales on (unless `mode` is 'Off')
   */
  readonly resources?: readonly ScaledResource[];
  /**
   * Lowest requests the VPA may set.
   * @default no bound
   */
  readonly minAllowed?: ResourceBounds;
  /**
   * Highest requests the VPA may set (limits grow in proportion, see `VPA_CONTROLLED_VALUES`).
   * @default no bound
   */
  readonly maxAllowed?: ResourceBounds;
}

const VERTICAL_SCALING_KEYS: PropKeys<VerticalScaling> = {
  mode: true,
  resources: true,
  minAllowed: true,
  maxAllowed: true,
};

/** {@link VerticalScaling} after validation. */
export interface ResolvedVerticalScaling {
  readonly mode: VerticalScalingMode;
  readonly resources: readonly ScaledResource[];
  readonly minAllowed: ResolvedResourceBounds;
  readonly maxAllowed: ResolvedResourceBounds;
}

/**
 * The VPA scales requests and limits together, keeping the ratio the workload declares: with requests only, a
 * container that is OOM-killed at its limit would get a larger request but the same limit, and be killed again.
 */
export const VPA_CONTROLLED_VALUES = 'RequestsAndLimits';

/** The generated CRD module, loaded by the first VPA (it is not needed to import the platform). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vpaCrds = (): typeof VpaCrds => require('../crds/vpa-autoscaling.k8s.io');

const RESOURCES: readonly ScaledResource[] = ['cpu', 'memory'];
const EXAMPLE: Readonly<Record<ScaledResource, string>> = { cpu: '250m', memory: '256Mi' };

/** The resources an HPA scales on by utilization (CPU always, memory when it has a memory target). */
export function hpaResources(scaling: ResolvedScaling): ScaledResource[] {
  if (!scaling.autoscaling) return [];
  return scaling.autoscaling.memoryUtilization !== undefined ? ['cpu', 'memory'] : ['cpu'];
}

/**
 * Validates `verticalScaling` against the workload's HPA.
 * @param options.hpa the resources the workload's HPA scales on
 * @param options.modes the modes this workload allows (a Database allows no eviction)
 * @param options.defaultMode the mode when none is given
 * @param options.modesFix the fix shown when a mode is not allowed
 */
export function resolveVerticalScaling(
  v: PropValidator,
  prop: string,
  given: VerticalScaling,
  options: {
    hpa: readonly ScaledResource[];
    modes?: readonly VerticalScalingMode[];
    defaultMode?: VerticalScalingMode;
    modesFix?: string;
  },
): ResolvedVerticalScaling {
  v.knownProps(prop, given, VERTICAL_SCALING_KEYS, 'verticalScaling');
  const modes = options.modes ?? VERTICAL_SCALING_MODES;
  const mode = given.mode ?? options.defaultMode ?? 'Recreate';
  if (!modes.includes(mode)) {
    v.fail(
      `${prop}.mode`,
      `${JSON.stringify(mode)} is not allowed`,
      options.modesFix ?? `use one of ${modes.map((m) => JSON.stringify(m)).join(', ')}`,
    );
  }
  const fights = mode === 'Off' ? [] : options.hpa;
  let resources: readonly ScaledResource[];
  if (given.resources) {
    given.resources.forEach((r, i) => {
      if (!RESOURCES.includes(r))
        v.fail(`${prop}.resources[${i}]`, `${JSON.stringify(r)} is not a resource`, 'use "cpu" or "memory"');
      if (fights.includes(r)) {
        v.fail(
          `${prop}.resources[${i}]`,
          `${JSON.stringify(r)} is also scaled by the HPA (${r} utilization), and the two would fight`,
          `leave ${r} to the HPA (remove it here), or use mode "Off" for recommendations only`,
        );
      }
    });
    v.unique(`${prop}.resources`, given.resources);
    if (given.resources.length === 0) v.fail(`${prop}.resources`, 'is empty', 'list "cpu", "memory" or both');
    resources = RESOURCES.filter((r) => given.resources?.includes(r));
  } else {
    resources = RESOURCES.filter((r) => !fights.includes(r));
    if (resources.length === 0) {
      v.fail(
        prop,
        `has no resource left to size: the HPA scales on both CPU and memory utilization`,
        'drop replicas.memoryUtilization (the VPA then sizes memory), or use mode "Off" for recommendations only',
      );
    }
  }
  const bounds = (which: 'minAllowed' | 'maxAllowed'): ResolvedResourceBounds => {
    const b = given[which] ?? {};
    const resolved: Partial<Record<ScaledResource, string>> = {};
    for (const key of Object.keys(b)) {
      if (!RESOURCES.includes(key as ScaledResource)) {
        v.fail(`${prop}.${which}.${key}`, 'is not a resource', 'bound "cpu" and "memory" only');
      }
    }
    for (const r of RESOURCES) {
      if (b[r] === undefined) continue;
      const at = `${prop}.${which}.${r}`;
      resolved[r] =
        r === 'cpu'
          ? v.cpu(at, b.cpu as CpuQuantity, EXAMPLE.cpu)
          : v.size(at, b.memory as SizeQuantity, EXAMPLE.memory);
      if (!resources.includes(r)) {
        v.fail(at, `is set but the VPA does not size ${r}`, `remove it, or add "${r}" to ${prop}.resources`);
      }
    }
    return resolved;
  };
  const minAllowed = bounds('minAllowed');
  const maxAllowed = bounds('maxAllowed');
  for (const r of RESOURCES) {
    const [min, max] = [minAllowed[r], maxAllowed[r]];
    if (min !== undefined && max !== undefined && parseQuantity(min) > parseQuantity(max)) {
      v.fail(
        `${prop}.minAllowed.${r}`,
        `${JSON.stringify(min)} is more than ${prop}.maxAllowed.${r} ${JSON.stringify(max)}`,
        'lower minAllowed or raise maxAllowed',
      );
    }
  }
  return { mode, resources, minAllowed, maxAllowed };
}

/**
 * A VPA for one workload. Only the main container is sized: every other container (the Linkerd proxy, whose
 * resources come from its annotations, and sidecars such as a database exporter) is excluded explicitly, since a
 * VPA otherwise sizes every container of the pod.
 */
export function addVerticalPodAutoscaler(
  scope: Construct,
  target: { kind: 'Deployment' | 'StatefulSet'; name: string; labels: Record<string, string>; container: string },
  scaling: ResolvedVerticalScaling,
): VerticalPodAutoscaler {
  const bound = <T>(b: ResolvedResourceBounds, make: (q: string) => T): Record<string, T> | undefined => {
    const entries = RESOURCES.filter((r) => b[r] !== undefined).map((r) => [r, make(b[r] as string)] as const);
    return entries.length ? Object.fromEntries(entries) : undefined;
  };
  const crds = vpaCrds();
  return new crds.VerticalPodAutoscaler(scope, 'vpa', {
    metadata: { name: target.name, labels: target.labels },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: target.kind, name: target.name },
      // The mode names are the CRD's enum values.
      updatePolicy: { updateMode: scaling.mode as UpdateMode },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: target.container,
            controlledResources: [...scaling.resources],
            controlledValues: VPA_CONTROLLED_VALUES as ControlledValues,
            minAllowed: bound(scaling.minAllowed, (q) =>
              crds.VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMinAllowed.fromString(q),
            ),
            maxAllowed: bound(scaling.maxAllowed, (q) =>
              crds.VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMaxAllowed.fromString(q),
            ),
          },
          { containerName: '*', mode: 'Off' as ContainerMode },
        ],
      },
    },
  });
}
