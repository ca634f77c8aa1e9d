/** Inline manifests for the scripts' tests: a compliant app, and helpers to break it one field at a time. */
import { join } from 'node:path';
import { CrdCatalog, sharedDir } from '../../scripts/lib/crds';
import type { KubeObject, ManifestObject } from '../../scripts/lib/manifests';
import { ruleById } from '../../scripts/lib/rules';
import { validateObjects } from '../../scripts/lib/validate';

/**
 * One CRD catalog for all tests of a file, with the same on-disk cache as the CLI (entries are keyed by content,
 * and `crds.test.ts` checks that cached validators give the same verdicts as fresh ones).
 */
export function testCatalog(): CrdCatalog {
  return new CrdCatalog(join(sharedDir(), 'crds'));
}

/** Wraps objects as if they came from `test.k8s.yaml`. */
export function manifests(...objects: KubeObject[]): ManifestObject[] {
  return objects.map((object, index) => ({ file: 'test.k8s.yaml', index, object }));
}

/** A deep copy, so that tests can mutate a fixture freely. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

const LABELS = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop' };

/** A container that passes every rule. */
export function goodContainer(name = 'web'): Record<string, unknown> {
  return {
    name,
    image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
    ports: [{ name: 'http', containerPort: 9898 }],
    env: [
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'DATABASE_URL', value: 'postgresql://app:$(DATABASE_PASSWORD)@db.shop.svc:5432/app' },
    ],
    readinessProbe: { httpGet: { path: '/readyz', port: 9898 } },
    livenessProbe: { httpGet: { path: '/healthz', port: 9898 } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** A Deployment of 2 replicas that passes every rule (with {@link goodPdb} and {@link goodNetworkPolicy}). */
export function goodDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: LABELS },
    spec: {
      replicas: 2,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [goodContainer()],
          volumes: [{ name: 'tmp', emptyDir: {} }],
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: LABELS },
            },
          ],
        },
      },
    },
  };
}

/** A PDB selecting {@link goodDeployment}'s pods. */
export function goodPdb(): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } },
  };
}

/** A NetworkPolicy selecting every pod of namespace `shop`. */
export function goodNetworkPolicy(): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** A ClusterIP Service. */
export function goodService(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 9898 }] },
  };
}

/** The compliant app: Deployment, PDB, NetworkPolicy, Service. */
export function goodApp(): KubeObject[] {
  return [goodDeployment(), goodPdb(), goodNetworkPolicy(), goodService()];
}

/** The pod spec of a Deployment fixture, for mutation. */
export function podSpec(deployment: KubeObject): Record<string, unknown> & { containers: Record<string, unknown>[] } {
  const spec = deployment.spec as {
    template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
  };
  return spec.template.spec;
}

/** The first container of a Deployment fixture, for mutation. */
export function firstContainer(deployment: KubeObject): Record<string, unknown> {
  return podSpec(deployment).containers[0];
}

/** A valid ServiceMonitor (Prometheus Operator CRD). */
export function goodServiceMonitor(): KubeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { matchLabels: LABELS }, endpoints: [{ port: 'http', interval: '30s' }] },
  };
}

let catalog: CrdCatalog | undefined;

/** The findings (`object` and `message`) of one rule on some objects, exceptions applied. */
export function checkRule(ruleId: string, ...objects: KubeObject[]): { object: string; message: string }[] {
  const rule = ruleById(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  catalog ??= testCatalog();
  return validateObjects(manifests(...objects), { crds: catalog, rules: [rule] }).findings.map(
    ({ object, message }) => ({ object, message }),
  );
}
