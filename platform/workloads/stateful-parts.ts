/**
 * What the platform's StatefulSets (`Database`, `MessageBroker`) have alike: an id short enough for its headless
 * Service and revision label, a headless and a client Service, a retained data claim, and a metrics exporter
 * sidecar.
 */
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import type { EndpointPort } from '../core/graph';
import type { Resources } from '../core/resources';
import { renderResources } from '../core/resources';
import { containerSecurityContext } from '../core/security';
import type { PropValidator } from '../core/validate';
import { METRICS_PORT_NAME } from './service';
import { sortKeys } from './workload';

/** Exporter sidecar resources. */
export const EXPORTER_RESOURCES: Resources = {
  cpu: { request: '25m', limit: '200m' },
  memory: { request: '32Mi', limit: '128Mi' },
};
/** uid of the exporter sidecar (`nobody`). */
export const EXPORTER_UID = 65534;

/**
 * A metrics exporter sidecar: its port named for the monitor, the restricted profile as `nobody`, small fixed
 * resources, and its landing page as liveness and readiness check.
 */
export function exporterContainer(e: {
  image: string;
  port: number;
  args?: string[];
  env?: k8s.EnvVar[];
}): k8s.Container {
  const probe = (periodSeconds: number): k8s.Probe => ({
    httpGet: { path: '/', port: k8s.IntOrString.fromString(METRICS_PORT_NAME) },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  return {
    name: 'exporter',
    image: e.image,
    imagePullPolicy: 'IfNotPresent',
    args: e.args,
    env: e.env,
    ports: [{ name: METRICS_PORT_NAME, containerPort: e.port, protocol: 'TCP' }],
    resources: renderResources(EXPORTER_RESOURCES),
    securityContext: containerSecurityContext(true, { user: EXPORTER_UID }),
    livenessProbe: probe(20),
    readinessProbe: probe(10),
  };
}

/**
 * Longest id of such a StatefulSet: its headless Service `<id>-headless` and the `controller-revision-hash` pod
 * label (`<id>-` and a 10-character hash) must both stay 63-character labels.
 */
export const MAX_STATEFUL_ID_LENGTH = 52;
/** The volume claim template's name (PVCs are `data-<name>-0`). */
export const DATA_VOLUME = 'data';

/** Refuses an id longer than {@link MAX_STATEFUL_ID_LENGTH}. */
export function checkStatefulId(v: PropValidator, id: string): void {
  if (typeof id === 'string' && id.length > MAX_STATEFUL_ID_LENGTH) {
    v.fail(
      'id',
      `${JSON.stringify(id)} is ${id.length} characters: the headless Service "${id}-headless" and the pod label "${id}-<revision hash>" would be longer than 63`,
      `use an id of at most ${MAX_STATEFUL_ID_LENGTH} characters`,
    );
  }
}

/** A Service port that targets the container port of the same name. */
function servicePort(p: EndpointPort, appProtocol?: string): k8s.ServicePort {
  return { name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP', appProtocol };
}

/**
 * The headless Service `<id>-headless` (the pod's stable DNS name, published before it is ready) on the client
 * port, and the client Service `<id>` on the client port and, when given, the metrics port (`appProtocol: http`).
 */
export function addStatefulServices(
  scope: Construct,
  s: {
    id: string;
    labels: Record<string, string>;
    selector: Record<string, string>;
    annotations: Record<string, string> | undefined;
    clientPort: EndpointPort;
    metricsPort?: EndpointPort;
  },
): { headless: k8s.KubeService; service: k8s.KubeService } {
  const headless = new k8s.KubeService(scope, 'headless', {
    metadata: { name: `${s.id}-headless`, labels: s.labels, annotations: s.annotations },
    spec: {
      clusterIp: 'None',
      // The StatefulSet's DNS records must exist while the pod starts (before it is ready).
      publishNotReadyAddresses: true,
      selector: s.selector,
      ports: [servicePort(s.clientPort)],
    },
  });
  const service = new k8s.KubeService(scope, 'service', {
    metadata: { name: s.id, labels: s.labels, annotations: s.annotations },
    spec: {
      type: 'ClusterIP',
      selector: s.selector,
      ports: [servicePort(s.clientPort), ...(s.metricsPort ? [servicePort(s.metricsPort, 'http')] : [])],
    },
  });
  return { headless, service };
}

/** The data volume's claim template: `storage` of `storageClass` (the cluster's default when undefined). */
export function dataClaimTemplate(
  labels: Record<string, string>,
  storage: string,
  storageClass: string | undefined,
): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name: DATA_VOLUME, labels: sortKeys(labels) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: storageClass,
      resources: { requests: { storage: k8s.Quantity.fromString(storage) } },
    },
  };
}
