/** Rules on workloads: resources, probes, image tags, disruption budgets, network policies. */
import type { IPodDisruptionBudgetSpec } from 'kubernetes-models/policy/v1/PodDisruptionBudgetSpec';
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { isRecord, namespaceOf } from '../manifests';
import type { ManifestObject } from '../manifests';
import { containersOf, declaredReplicas, hpaFor, hpas, podTemplates, selectorMatches, stringMap } from '../pods';
import { tryParseQuantity } from '../quantity';
import type { Rule, Violation } from './types';

/** `resources`: requests and limits for CPU and memory on every container, init containers included. */
export const resourcesRule: Rule = {
  id: 'resources',
  summary: 'Every container (init containers included) requests and limits CPU and memory, with requests <= limits.',
  why: 'Requests let the scheduler place pods and the report size the cluster; limits stop one pod from starving its node.',
  fix: 'Set resources.requests and resources.limits for cpu and memory (the platform sizes presets for this).',
  check({ objects }) {
    const out: Violation[] = [];
    for (const t of podTemplates(objects)) {
      for (const ref of containersOf(t.spec, ['initContainers', 'containers'])) {
        const res = ref.container.resources ?? {};
        const missing: string[] = [];
        for (const kind of ['requests', 'limits'] as const) {
          for (const resource of ['cpu', 'memory']) {
            if (res[kind]?.[resource] === undefined) missing.push(`${kind}.${resource}`);
          }
        }
        const at = `${t.specPath}.${ref.label}`;
        if (missing.length > 0) {
          out.push({ target: t.owner, message: `${at}: set resources.${missing.join(', resources.')}` });
        }
        for (const resource of ['cpu', 'memory']) {
          const request = tryParseQuantity(res.requests?.[resource]);
          const limit = tryParseQuantity(res.limits?.[resource]);
          if (request !== undefined && limit !== undefined && request > limit) {
            out.push({
              target: t.owner,
              message: `${at}: resources.requests.${resource} is above resources.limits.${resource}; lower the request or raise the limit`,
            });
          }
        }
      }
    }
    return out;
  },
};

/** `probes`: readiness and liveness probes on every container of a long-running workload. */
export const probesRule: Rule = {
  id: 'probes',
  summary: 'Every container of a Deployment, StatefulSet or DaemonSet has a readiness and a liveness probe.',
  why: 'Without readiness, traffic reaches pods that cannot serve it (every rollout drops requests); without liveness, a hung process is never restarted.',
  fix: 'Give the workload a health check (HTTP path, gRPC, TCP or exec); the platform renders both probes from it.',
  check({ objects }) {
    const out: Violation[] = [];
    for (const t of podTemplates(objects)) {
      if (!t.longRunning) continue;
      for (const ref of containersOf(t.spec, ['containers'])) {
        const missing = (['readinessProbe', 'livenessProbe'] as const).filter((p) => !ref.container[p]);
        if (missing.length > 0) {
          out.push({ target: t.owner, message: `${t.specPath}.${ref.label}: add ${missing.join(' and ')}` });
        }
      }
    }
    return out;
  },
};

/** Splits an image reference into its tag and digest (either may be absent). */
export function parseImageRef(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  // A colon before the last slash is a registry port (`registry:5000/app`), not a tag.
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  return { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `image-pinned`: every image names a tag other than `latest`, or a digest. */
export const imagePinnedRule: Rule = {
  id: 'image-pinned',
  summary: 'Every container image has a tag other than "latest", or a digest.',
  why: 'A floating tag deploys whatever was pushed last: rollouts and rollbacks stop being reproducible, and the diff reviewers saw is not what runs.',
  fix: 'Pin the image to a release tag (podinfo:6.7.1) or a digest (@sha256:...).',
  check({ objects }) {
    const out: Violation[] = [];
    for (const t of podTemplates(objects)) {
      for (const ref of containersOf(t.spec)) {
        const image = ref.container.image ?? '';
        const { tag, digest } = parseImageRef(image);
        if (digest) continue;
        if (!tag || tag === 'latest') {
          out.push({
            target: t.owner,
            message: `${t.specPath}.${ref.label}: image "${image}" is not pinned; use a release tag or a digest`,
          });
        }
      }
    }
    return out;
  },
};

function pdbBlocksDrain(spec: IPodDisruptionBudgetSpec, minReplicas: number): string | undefined {
  const { maxUnavailable, minAvailable } = spec;
  if (maxUnavailable === 0 || maxUnavailable === '0%') return 'maxUnavailable is 0';
  if (minAvailable === '100%') return 'minAvailable is 100%';
  if (typeof minAvailable === 'number' && minAvailable >= minReplicas) {
    return `minAvailable ${minAvailable} is not below the ${minReplicas} replicas`;
  }
  return undefined;
}

/** `pdb`: every replicated Deployment or StatefulSet has a PodDisruptionBudget that lets nodes drain. */
export const pdbRule: Rule = {
  id: 'pdb',
  summary:
    'Every Deployment/StatefulSet with more than one replica (or an HPA with minReplicas > 1) has a matching PodDisruptionBudget that still allows one eviction.',
  why: 'Without a PDB a node drain or upgrade can evict every replica at once; a PDB that allows no eviction blocks drains forever.',
  fix: 'Add a PodDisruptionBudget in the same namespace selecting the pod labels, with maxUnavailable: 1 (the platform Service does this).',
  check({ objects }) {
    const out: Violation[] = [];
    const allHpas = hpas(objects);
    const pdbs = objects.filter((o) => o.object.kind === 'PodDisruptionBudget');
    for (const t of podTemplates(objects)) {
      const o = t.owner.object;
      if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
      const hpa = hpaFor(o, allHpas);
      const minReplicas = hpa ? hpa.minReplicas : (declaredReplicas(o) ?? 1);
      if (minReplicas <= 1) continue;
      const labels = stringMap(t.metadata.labels);
      const matching = pdbs.filter((p) => {
        const spec = p.object.spec;
        return (
          namespaceOf(p.object) === namespaceOf(o) &&
          isRecord(spec) &&
          selectorMatches(spec.selector as ILabelSelector | undefined, labels)
        );
      });
      if (matching.length === 0) {
        out.push({
          target: t.owner,
          message: `${minReplicas} replicas but no PodDisruptionBudget selects its pods; add one with maxUnavailable: 1`,
        });
        continue;
      }
      for (const p of matching) {
        const reason = pdbBlocksDrain(p.object.spec as IPodDisruptionBudgetSpec, minReplicas);
        if (reason) {
          out.push({
            target: t.owner,
            message: `PodDisruptionBudget ${p.object.metadata.name}: ${reason}, so nodes can never be drained; use maxUnavailable: 1`,
          });
        }
      }
    }
    return out;
  },
};

function policySelects(policy: ManifestObject, namespace: string, labels: Record<string, string>): boolean {
  const spec = policy.object.spec;
  if (namespaceOf(policy.object) !== namespace || !isRecord(spec)) return false;
  return selectorMatches((spec.podSelector ?? {}) as ILabelSelector, labels);
}

/** `network-policy`: every pod is selected by at least one NetworkPolicy in its namespace. */
export const networkPolicyRule: Rule = {
  id: 'network-policy',
  summary: 'Every pod template is selected by at least one NetworkPolicy in its namespace.',
  why: 'A pod no policy selects accepts traffic from anywhere in the cluster; with a policy, only the declared dependencies reach it.',
  fix: "Declare the workload's dependencies (connectTo) so the platform renders its NetworkPolicy, or add a default-deny policy to the namespace.",
  check({ objects }) {
    const out: Violation[] = [];
    const policies = objects.filter(
      (o) => o.object.kind === 'NetworkPolicy' && o.object.apiVersion === 'networking.k8s.io/v1',
    );
    for (const t of podTemplates(objects)) {
      const ns = namespaceOf(t.owner.object);
      const labels = stringMap(t.metadata.labels);
      if (!policies.some((p) => policySelects(p, ns, labels))) {
        out.push({
          target: t.owner,
          message: `no NetworkPolicy in namespace ${ns} selects its pods; declare its dependencies (the platform renders a policy) or add one`,
        });
      }
    }
    return out;
  },
};

const HOSTNAME = 'kubernetes.io/hostname';

/** `pod-spread`: replicas of a workload are spread across nodes. */
export const podSpreadRule: Rule = {
  id: 'pod-spread',
  summary:
    'Every Deployment/StatefulSet with more than one replica spreads its pods across nodes (topologySpreadConstraints or pod anti-affinity on kubernetes.io/hostname).',
  why: 'Without it the scheduler may put every replica on one node, and losing that node takes the service down despite the replicas and the PDB.',
  fix: 'Add a topologySpreadConstraint with topologyKey kubernetes.io/hostname selecting the pod labels (the platform Service does this).',
  check({ objects }) {
    const out: Violation[] = [];
    const allHpas = hpas(objects);
    for (const t of podTemplates(objects)) {
      const o = t.owner.object;
      if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
      const hpa = hpaFor(o, allHpas);
      const replicas = hpa ? Math.max(hpa.maxReplicas, hpa.minReplicas) : (declaredReplicas(o) ?? 1);
      if (replicas <= 1) continue;
      const spread = (t.spec.topologySpreadConstraints ?? []).some((c) => c.topologyKey === HOSTNAME);
      const anti = t.spec.affinity?.podAntiAffinity;
      const antiAffinity =
        (anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some((term) => term.topologyKey === HOSTNAME) ||
        (anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some(
          (w) => w.podAffinityTerm.topologyKey === HOSTNAME,
        );
      if (!spread && !antiAffinity) {
        out.push({
          target: t.owner,
          message: `up to ${replicas} replicas may land on one node; add a topologySpreadConstraint on ${HOSTNAME}`,
        });
      }
    }
    return out;
  },
};
