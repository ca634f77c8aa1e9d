/**
 * Pod templates inside workload objects, and the containers inside pod specs: the shape most rules and the
 * report look at.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEphemeralContainer } from 'kubernetes-models/v1/EphemeralContainer';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { isRecord } from './manifests';
import type { KubeMetadata, KubeObject, ManifestObject } from './manifests';

/** Workload kinds whose pods run until stopped (as opposed to Jobs and CronJobs, which run to completion). */
export const LONG_RUNNING_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
]);

/** A pod template found in an object, with the object that owns it. */
export interface PodTemplate {
  readonly owner: ManifestObject;
  /** Template metadata (labels, annotations); the Pod's own metadata for a bare Pod. */
  readonly metadata: KubeMetadata;
  readonly spec: IPodSpec;
  /** Path of the pod spec inside the owner, for messages (e.g. `spec.template.spec`). */
  readonly specPath: string;
  /** Whether the pods run until stopped (Deployment, StatefulSet, DaemonSet, ReplicaSet, bare Pod excluded). */
  readonly longRunning: boolean;
}

/** Which list of a pod spec a container comes from. */
export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

/** One container of a pod spec and where it sits. */
export interface ContainerRef {
  readonly container: IContainer | IEphemeralContainer;
  readonly list: ContainerList;
  readonly position: number;
  /** `containers[0] "app"` style label for messages. */
  readonly label: string;
}

function asMetadata(value: unknown): KubeMetadata {
  return isRecord(value) ? (value as KubeMetadata) : {};
}

function templateAt(
  owner: ManifestObject,
  template: unknown,
  path: string,
  longRunning: boolean,
): PodTemplate | undefined {
  if (!isRecord(template) || !isRecord(template.spec)) return undefined;
  return {
    owner,
    metadata: asMetadata(template.metadata),
    spec: template.spec as unknown as IPodSpec,
    specPath: `${path}.spec`,
    longRunning,
  };
}

/** The pod template of a workload object (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). */
export function podTemplateOf(owner: ManifestObject): PodTemplate | undefined {
  const object = owner.object;
  const spec = object.spec;
  if (!isRecord(spec)) return undefined;
  switch (object.kind) {
    case 'Pod':
      return {
        owner,
        metadata: object.metadata,
        spec: spec as unknown as IPodSpec,
        specPath: 'spec',
        longRunning: false,
      };
    case 'CronJob': {
      const jobSpec = isRecord(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
      return isRecord(jobSpec)
        ? templateAt(owner, jobSpec.template, 'spec.jobTemplate.spec.template', false)
        : undefined;
    }
    case 'Job':
      return templateAt(owner, spec.template, 'spec.template', false);
    default:
      return LONG_RUNNING_KINDS.has(object.kind) ? templateAt(owner, spec.template, 'spec.template', true) : undefined;
  }
}

/** Every pod template among the objects. */
export function podTemplates(objects: readonly ManifestObject[]): PodTemplate[] {
  return objects.flatMap((o) => {
    const t = podTemplateOf(o);
    return t ? [t] : [];
  });
}

/** The containers of a pod spec, optionally limited to some lists. */
export function containersOf(
  spec: IPodSpec,
  lists: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'],
): ContainerRef[] {
  const refs: ContainerRef[] = [];
  for (const list of lists) {
    const items: unknown = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container: IContainer | IEphemeralContainer, position) => {
      if (!isRecord(container)) return;
      refs.push({ container, list, position, label: `${list}[${position}] "${container.name}"` });
    });
  }
  return refs;
}

/** Whether an init container is a native sidecar (`restartPolicy: Always`), which runs for the pod's lifetime. */
export function isSidecar(container: IContainer | IEphemeralContainer): boolean {
  return (container as IContainer).restartPolicy === 'Always';
}

/**
 * Whether a label selector selects a label set. `matchLabels` and `matchExpressions` are ANDed; an empty selector
 * selects everything (as in NetworkPolicy `podSelector: {}`); a missing selector selects nothing.
 */
export function selectorMatches(
  selector: ILabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (typeof selector !== 'object' || selector === null) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expr of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(labels[expr.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[expr.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A plain `Record<string, string>` from an unknown labels or annotations value. */
export function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The declared replica count of a workload (`spec.replicas`, default 1), or undefined for kinds without one. */
export function declaredReplicas(object: KubeObject): number | undefined {
  if (!['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].includes(object.kind)) return undefined;
  const spec = object.spec;
  const replicas = isRecord(spec) ? spec.replicas : undefined;
  return typeof replicas === 'number' ? replicas : 1;
}

/** An HPA's scale target and bounds. */
export interface HpaInfo {
  readonly hpa: ManifestObject;
  readonly targetKind: string;
  readonly targetName: string;
  readonly namespace: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** The HorizontalPodAutoscalers among the objects, with their targets (`minReplicas` defaults to 1). */
export function hpas(objects: readonly ManifestObject[]): HpaInfo[] {
  return objects.flatMap((hpa) => {
    const o = hpa.object;
    if (o.kind !== 'HorizontalPodAutoscaler' || !isRecord(o.spec) || !isRecord(o.spec.scaleTargetRef)) return [];
    const ref = o.spec.scaleTargetRef;
    const min = typeof o.spec.minReplicas === 'number' ? o.spec.minReplicas : 1;
    const max = typeof o.spec.maxReplicas === 'number' ? o.spec.maxReplicas : min;
    return [
      {
        hpa,
        targetKind: String(ref.kind),
        targetName: String(ref.name),
        namespace: o.metadata.namespace ?? 'default',
        minReplicas: min,
        maxReplicas: max,
      },
    ];
  });
}

/** The HPA that scales a workload, if any. */
export function hpaFor(object: KubeObject, all: readonly HpaInfo[]): HpaInfo | undefined {
  const ns = object.metadata.namespace ?? 'default';
  return all.find((h) => h.targetKind === object.kind && h.targetName === object.metadata.name && h.namespace === ns);
}
