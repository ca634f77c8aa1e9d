/**
 * Waiting for what a deploy asked for, on a real control plane: every Deployment and StatefulSet at the replicas
 * it asked for (an HPA's minimum where one scales it) with all pods Ready, every claim Bound. When something does
 * not get there, the failure says why in the cluster's own words: the scheduler's reason for a Pending pod, the
 * controller's FailedCreate event (PodSecurity refusals land there), a claim's binding events.
 */
import { declaredReplicas, hpaFor, hpas } from '../lib/pods';
import type { ManifestObject } from '../lib/manifests';
import type { KubeClient } from './kube-client';

/** A workload and the ready replicas it must reach. */
export interface WorkloadTarget {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
}

/** The Deployments and StatefulSets among `objects` with the replicas each asked for. */
export function workloadTargets(objects: readonly ManifestObject[]): WorkloadTarget[] {
  const scalers = hpas(objects);
  return objects.flatMap(({ object }) => {
    if (object.kind !== 'Deployment' && object.kind !== 'StatefulSet') return [];
    const hpa = hpaFor(object, scalers);
    return [
      {
        kind: object.kind,
        namespace: object.metadata.namespace ?? 'default',
        name: object.metadata.name ?? '',
        replicas: hpa ? hpa.minReplicas : (declaredReplicas(object) ?? 1),
      },
    ];
  });
}

interface WorkloadStatus {
  metadata: { generation?: number };
  spec: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: { observedGeneration?: number; readyReplicas?: number; updatedReplicas?: number; replicas?: number };
}

interface PodStatus {
  metadata: { name: string; namespace: string };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

interface EventItem {
  involvedObject: { kind: string; name: string };
  reason?: string;
  message?: string;
  type?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether a workload has reached its target: spec, updated and ready replicas all at the count asked for. */
function done(w: WorkloadTarget, s: WorkloadStatus | undefined): boolean {
  if (!s?.status) return false;
  const st = s.status;
  return (
    (st.observedGeneration ?? 0) >= (s.metadata.generation ?? 0) &&
    s.spec.replicas === w.replicas &&
    st.readyReplicas === w.replicas &&
    st.updatedReplicas === w.replicas &&
    st.replicas === w.replicas
  );
}

async function workloadStatus(client: KubeClient, w: WorkloadTarget): Promise<WorkloadStatus | undefined> {
  return client.get<WorkloadStatus>('apps/v1', w.kind, w.namespace, w.name);
}

/** Why a workload is not there yet: its status, unready pods with the scheduler's words, and warning events. */
export async function explainWorkload(client: KubeClient, w: WorkloadTarget): Promise<string> {
  const s = await workloadStatus(client, w);
  if (!s) return `${w.kind} ${w.namespace}/${w.name} does not exist`;
  const st = s.status ?? {};
  const lines = [
    `${w.kind} ${w.namespace}/${w.name}: ${st.readyReplicas ?? 0}/${w.replicas} ready ` +
      `(spec ${s.spec.replicas ?? '?'}, updated ${st.updatedReplicas ?? 0}, current ${st.replicas ?? 0})`,
  ];
  const selector = Object.entries(s.spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await client.list<PodStatus>('v1', 'Pod', w.namespace, `labelSelector=${encodeURIComponent(selector)}`);
  for (const pod of pods) {
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (ready) continue;
    const blocking = pod.status?.conditions?.find((c) => c.status !== 'True' && c.message);
    lines.push(
      `  pod ${pod.metadata.name}: ${pod.status?.phase ?? 'unknown'}` +
        (blocking ? `, ${blocking.type}=False ${blocking.reason ?? ''}: ${blocking.message}` : ''),
    );
  }
  const events = await client.list<EventItem>('v1', 'Event', w.namespace);
  const owners = new Set([w.name, ...pods.map((p) => p.metadata.name)]);
  for (const e of events) {
    const ownedRs = e.involvedObject.kind === 'ReplicaSet' && e.involvedObject.name.startsWith(`${w.name}-`);
    if (e.type === 'Warning' && (owners.has(e.involvedObject.name) || ownedRs)) {
      lines.push(`  event ${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message}`);
    }
  }
  return lines.join('\n');
}

/**
 * Waits until every workload has reached its target; throws after `timeoutMs` with an explanation of each one
 * that has not.
 */
export async function waitForWorkloads(
  client: KubeClient,
  targets: readonly WorkloadTarget[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...targets];
  while (pending.length > 0) {
    const statuses = await Promise.all(pending.map((w) => workloadStatus(client, w)));
    pending = pending.filter((w, i) => !done(w, statuses[i]));
    if (pending.length === 0) return;
    if (Date.now() > deadline) break;
    await sleep(1000);
  }
  const explanations = await Promise.all(pending.map((w) => explainWorkload(client, w)));
  throw new Error(
    `${pending.length} workload(s) not rolled out after ${timeoutMs / 1000} s:\n${explanations.join('\n')}`,
  );
}

interface ClaimStatus {
  metadata: { name: string; namespace: string };
  status?: { phase?: string };
}

/** Waits until every claim in `namespaces` is Bound; throws naming each one that is not. */
export async function waitForClaimsBound(
  client: KubeClient,
  namespaces: readonly string[],
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const claims = (
      await Promise.all(namespaces.map((ns) => client.list<ClaimStatus>('v1', 'PersistentVolumeClaim', ns)))
    ).flat();
    const unbound = claims.filter((c) => c.status?.phase !== 'Bound');
    if (unbound.length === 0) return claims.length;
    if (Date.now() > deadline) {
      throw new Error(
        `claims not Bound after ${timeoutMs / 1000} s: ${unbound.map((c) => `${c.metadata.namespace}/${c.metadata.name} (${c.status?.phase ?? 'unknown'})`).join(', ')}`,
      );
    }
    await sleep(1000);
  }
}
