/** Rules on references between objects: Services to pods, HPAs to workloads. */
import { isRecord, namespaceOf } from '../manifests';
import { containersOf, hpas, podTemplates, stringMap } from '../pods';
import type { Rule, Violation } from './types';

/** `service-targets-pod`: a Service's selector matches pods, and its named target ports exist on them. */
export const serviceTargetsPodRule: Rule = {
  id: 'service-targets-pod',
  summary:
    'Every Service with a selector selects a pod template in its namespace, and every named targetPort is a container port of those pods.',
  why: 'A Service that selects nothing, or points at a port name no container declares, has no endpoints: callers get connection errors although every object applied fine.',
  fix: 'Make the Service selector equal to the workload pod labels and use the container port names (connectTo and the platform Service do this).',
  check({ objects }) {
    const out: Violation[] = [];
    const templates = podTemplates(objects);
    for (const target of objects) {
      const o = target.object;
      if (o.kind !== 'Service' || o.apiVersion !== 'v1' || !isRecord(o.spec)) continue;
      const selector = stringMap(o.spec.selector);
      if (Object.keys(selector).length === 0 || o.spec.type === 'ExternalName') continue;
      const ns = namespaceOf(o);
      const selected = templates.filter((t) => {
        const labels = stringMap(t.metadata.labels);
        return namespaceOf(t.owner.object) === ns && Object.entries(selector).every(([k, v]) => labels[k] === v);
      });
      if (selected.length === 0) {
        out.push({
          target,
          message: `spec.selector ${JSON.stringify(selector)} matches no pod template in namespace ${ns}; fix the selector`,
        });
        continue;
      }
      const portNames = new Set(
        selected.flatMap((t) =>
          containersOf(t.spec, ['containers', 'initContainers']).flatMap((c) =>
            (c.container.ports ?? []).map((p) => p.name),
          ),
        ),
      );
      (Array.isArray(o.spec.ports) ? o.spec.ports : []).filter(isRecord).forEach((p, i) => {
        if (typeof p.targetPort === 'string' && !portNames.has(p.targetPort)) {
          out.push({
            target,
            message: `spec.ports[${i}].targetPort "${p.targetPort}" is not a container port name of the selected pods; use one of ${[...portNames].filter(Boolean).join(', ') || '(none)'}`,
          });
        }
      });
    }
    return out;
  },
};

/** `hpa-target`: an HPA scales a workload that exists, and that workload leaves `spec.replicas` to it. */
export const hpaTargetRule: Rule = {
  id: 'hpa-target',
  summary:
    'Every HorizontalPodAutoscaler targets a workload in its namespace, and that workload does not set spec.replicas.',
  why: 'An HPA with a dangling target scales nothing; a workload that also sets spec.replicas is scaled back to that number on every apply, fighting the HPA.',
  fix: 'Point scaleTargetRef at the workload (kind and name) and remove spec.replicas from it.',
  check({ objects }) {
    const out: Violation[] = [];
    for (const h of hpas(objects)) {
      const workload = objects.find(
        (o) =>
          o.object.kind === h.targetKind &&
          o.object.metadata.name === h.targetName &&
          namespaceOf(o.object) === h.namespace,
      );
      if (!workload) {
        out.push({
          target: h.hpa,
          message: `spec.scaleTargetRef ${h.targetKind}/${h.targetName} does not exist in namespace ${h.namespace}; fix the reference`,
        });
      } else if (isRecord(workload.object.spec) && workload.object.spec.replicas !== undefined) {
        out.push({
          target: workload,
          message: `spec.replicas is set while HorizontalPodAutoscaler ${h.hpa.object.metadata.name} scales it; remove spec.replicas`,
        });
      }
    }
    return out;
  },
};
