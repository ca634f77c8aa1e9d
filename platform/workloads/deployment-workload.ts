/** The Deployment-backed part shared by `Service` and `Worker`: replicas, HPA, PDB, spread, rolling updates. */
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { ADDON_NAMESPACES } from '../contract';
import type { Resources } from '../core/resources';
import type { ScaledObject } from '../crds/scaledobjects-keda.sh';
import { addScaledObject } from './queue-scaling';
import type { VerticalPodAutoscaler } from '../crds/vpa-autoscaling.k8s.io';
import type { ResolvedScaling, Replicas } from './scaling';
import { addHorizontalPodAutoscaler, addPodDisruptionBudget, topologySpread } from './scaling';
import type { ResolvedVerticalScaling } from './vertical-scaling';
import { addVerticalPodAutoscaler } from './vertical-scaling';
import type { ResolvedWorkload } from './workload-props';
import { Workload } from './workload';

/** Replicas of a Service or Worker when none are given: two for availability, up to five under load. */
export const DEFAULT_REPLICAS: Replicas = { min: 2, max: 5 };

/** Requests and limits of a Service or Worker container when none are given. */
export const DEFAULT_RESOURCES: Resources = {
  cpu: { request: '100m', limit: '500m' },
  memory: { request: '128Mi', limit: '256Mi' },
};

/** A workload run by a Deployment. */
export abstract class DeploymentWorkload extends Workload {
  /** The Deployment. */
  readonly deployment: k8s.KubeDeployment;
  /** The HPA, when replicas autoscale. */
  readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** KEDA's ScaledObject, when replicas follow a queue's depth. */
  readonly scaledObject?: ScaledObject;
  /** The PodDisruptionBudget, when the workload may run two or more pods. */
  readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The VerticalPodAutoscaler, when the workload has `verticalScaling`. */
  readonly verticalAutoscaler?: VerticalPodAutoscaler;
  /** Replica bounds. */
  readonly scaling: ResolvedScaling;

  protected constructor(
    scope: Construct,
    id: string,
    spec: ResolvedWorkload,
    scaling: ResolvedScaling,
    vertical?: ResolvedVerticalScaling,
  ) {
    super(scope, id, spec);
    this.scaling = scaling;
    // A PDB and spread as soon as two pods may run: maxUnavailable 1 still lets a drain evict a lone pod.
    const spread = scaling.max >= 2;
    const replicated = spread;
    const containerPorts = spec.ports.map(({ name, port }) => ({ name, containerPort: port, protocol: 'TCP' }));
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: spec.name, labels: this.labels },
      spec: {
        // With an HPA (ours or KEDA's) the replica count belongs to it: leaving it out keeps every apply from
        // resetting it.
        replicas: scaling.autoscaling || scaling.queue ? undefined : scaling.min,
        revisionHistoryLimit: 5,
        selector: { matchLabels: this.selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromString('25%') },
        },
        template: {
          metadata: this.podMetadata(),
          spec: this.podSpec([this.mainContainer({ ports: containerPorts.length ? containerPorts : undefined })], {
            terminationGracePeriodSeconds: 30,
            topologySpreadConstraints: spread ? topologySpread(this.selector, ['pod-template-hash']) : undefined,
          }),
        },
      },
    });
    this.exposeExceptions(this.deployment);
    if (scaling.autoscaling) {
      this.autoscaler = addHorizontalPodAutoscaler(
        this,
        { kind: 'Deployment', name: spec.name, labels: this.labels },
        scaling.autoscaling,
      );
      if (scaling.autoscaling.podsMetrics.length) this.app.addons('prometheus', 'prometheus-adapter');
    }
    if (scaling.queue) {
      const envPrefix = this.linkQueue(scaling.queue.queue, 'consumers', {}, 'replicas.queue');
      this.scaledObject = addScaledObject(this, { name: spec.name, labels: this.labels, envPrefix }, scaling.queue);
      // KEDA's operator reads the queue's depth: the broker admits it on its client port.
      const broker = scaling.queue.queue.broker;
      broker.app.admitIngress(broker.graphNode, { namespace: ADDON_NAMESPACES.keda, port: broker.port });
      this.app.addons('keda');
    }
    // maxUnavailable 1, never a minimum: the PDB does not hold replicas the scalers removed.
    if (replicated) this.disruptionBudget = addPodDisruptionBudget(this, spec.name, this.labels, this.selector);
    if (vertical) {
      this.verticalAutoscaler = addVerticalPodAutoscaler(
        this,
        { kind: 'Deployment', name: spec.name, labels: this.labels, container: spec.name },
        vertical,
      );
      this.app.addons('vpa');
    }
  }
}
