/** Rules on API usage: deprecated or removed API versions, NodePort Services. */
import { isBuiltinApiVersion } from '../k8s-schema';
import { isRecord, splitApiVersion } from '../manifests';
import type { Rule, Violation } from './types';

/** A built-in apiVersion (optionally for one kind only) that is deprecated or removed, and its replacement. */
export interface DeprecatedApi {
  readonly apiVersion: string;
  /** Kinds concerned; absent means every kind of that apiVersion. */
  readonly kinds?: readonly string[];
  /** Kubernetes release that removed (or will remove) it. */
  readonly removedIn: string;
  readonly replacement: string;
}

/** Deprecated and removed built-in API versions (Kubernetes deprecation guide, up to 1.33). */
export const DEPRECATED_APIS: readonly DeprecatedApi[] = [
  { apiVersion: 'extensions/v1beta1', removedIn: '1.22', replacement: 'apps/v1, networking.k8s.io/v1 or policy/v1' },
  { apiVersion: 'apps/v1beta1', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], removedIn: '1.25', replacement: 'policy/v1' },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodSecurityPolicy'],
    removedIn: '1.25',
    replacement: 'Pod Security Admission labels',
  },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], removedIn: '1.25', replacement: 'batch/v1' },
  { apiVersion: 'autoscaling/v2beta1', removedIn: '1.25', replacement: 'autoscaling/v2' },
  { apiVersion: 'autoscaling/v2beta2', removedIn: '1.26', replacement: 'autoscaling/v2' },
  { apiVersion: 'discovery.k8s.io/v1beta1', removedIn: '1.25', replacement: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', removedIn: '1.25', replacement: 'events.k8s.io/v1' },
  { apiVersion: 'node.k8s.io/v1beta1', removedIn: '1.25', replacement: 'node.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    removedIn: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', removedIn: '1.22', replacement: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', removedIn: '1.22', replacement: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', removedIn: '1.22', replacement: 'certificates.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', removedIn: '1.22', replacement: 'coordination.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', removedIn: '1.22', replacement: 'scheduling.k8s.io/v1' },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIStorageCapacity'],
    removedIn: '1.27',
    replacement: 'storage.k8s.io/v1',
  },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    removedIn: '1.22',
    replacement: 'storage.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1',
    removedIn: '1.26',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
    removedIn: '1.29',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
    removedIn: '1.32',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
];

/** The deprecation entry for a built-in apiVersion and kind, if any. */
export function findDeprecatedApi(apiVersion: string, kind: string): DeprecatedApi | undefined {
  return DEPRECATED_APIS.find((d) => d.apiVersion === apiVersion && (!d.kinds || d.kinds.includes(kind)));
}

/** `deprecated-api`: no removed or deprecated built-in apiVersion, and no deprecated or unserved CRD version. */
export const deprecatedApiRule: Rule = {
  id: 'deprecated-api',
  summary: 'No deprecated or removed apiVersion: the built-in table, and CRD versions marked deprecated or not served.',
  why: 'Removed versions fail to apply on current clusters; deprecated ones break at the next upgrade.',
  fix: 'Use the replacement apiVersion named in the message (for CRDs, the storage version).',
  check({ objects, crds }) {
    const out: Violation[] = [];
    for (const target of objects) {
      const { apiVersion, kind } = target.object;
      if (isBuiltinApiVersion(apiVersion)) {
        const d = findDeprecatedApi(apiVersion, kind);
        if (d) {
          out.push({
            target,
            message: `${apiVersion} ${kind} was removed in Kubernetes ${d.removedIn}; use ${d.replacement}`,
          });
        }
        continue;
      }
      const { group, version } = splitApiVersion(apiVersion);
      const def = crds.definition(group, kind);
      const v = def?.versions.find((x) => x.name === version);
      if (!def || !v) continue;
      const current = def.versions.find((x) => x.storage) ?? def.versions.find((x) => x.served && !x.deprecated);
      const use = current ? `use ${group}/${current.name}` : 'no current version exists';
      if (!v.served) out.push({ target, message: `${apiVersion} ${kind} is not served by its CRD; ${use}` });
      else if (v.deprecated) {
        out.push({ target, message: `${apiVersion} ${kind} is deprecated; ${use}` });
      }
    }
    return out;
  },
};

/** `no-nodeport`: no Service of type NodePort. */
export const noNodePortRule: Rule = {
  id: 'no-nodeport',
  summary: 'No Service of type NodePort.',
  why: 'A NodePort opens the port on every node, bypassing the ingress controller, TLS and NetworkPolicy-aware routing.',
  fix: 'Use a ClusterIP Service and expose it through an ingress route (nginx, Contour or Gateway API).',
  check({ objects }) {
    const out: Violation[] = [];
    for (const target of objects) {
      const o = target.object;
      if (o.kind === 'Service' && isRecord(o.spec) && o.spec.type === 'NodePort') {
        out.push({ target, message: 'spec.type is NodePort; use ClusterIP and expose it through an ingress route' });
      }
    }
    return out;
  },
};
