/**
 * A seed's load experiment on the real nodes: an app's own `LoadGenerator` (Locust master and workers, as deployed)
 * started through the master's web API for a bounded time, its target's CPU HPA watched through the resource
 * metrics API (metrics-server), a pod of the target evicted twice while the load runs (its PDB must refuse the
 * second), then the load stopped and the replicas watched back down. Every figure comes from the live objects and
 * from Locust's own statistics.
 */
import { KubeApiError, type KubeClient } from '../../scripts/cluster/kube-client';
import { pollUntil } from './support';

/** One HPA's state. */
export interface HpaState {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly current: number;
  readonly desired: number;
  /** Average CPU utilization it last read (% of requests), when it could read one. */
  readonly cpu?: number;
  /** `ScalingActive` condition: `True`, or the reason it is not. */
  readonly active: string;
}

interface Hpa {
  metadata: { name: string };
  spec: { minReplicas?: number; maxReplicas: number };
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: { resource?: { name: string; current?: { averageUtilization?: number } } }[];
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

/** The namespace's HPAs, by name. */
export async function hpaStates(client: KubeClient, namespace: string): Promise<Map<string, HpaState>> {
  const hpas = await client.list<Hpa>('autoscaling/v2', 'HorizontalPodAutoscaler', namespace);
  return new Map(
    hpas.map((h) => {
      const active = h.status?.conditions?.find((c) => c.type === 'ScalingActive');
      const cpu = h.status?.currentMetrics?.find((m) => m.resource?.name === 'cpu')?.resource?.current
        ?.averageUtilization;
      return [
        h.metadata.name,
        {
          name: h.metadata.name,
          min: h.spec.minReplicas ?? 1,
          max: h.spec.maxReplicas,
          current: h.status?.currentReplicas ?? 0,
          desired: h.status?.desiredReplicas ?? 0,
          ...(cpu !== undefined ? { cpu } : {}),
          active: active?.status === 'True' ? 'True' : `${active?.status ?? 'no condition'} ${active?.reason ?? ''}`,
        },
      ];
    }),
  );
}

/** Waits until the resource metrics API reports every pod of `namespace` (metrics-server has scraped them). */
export async function waitForPodMetrics(client: KubeClient, namespace: string, pods: number, timeoutMs = 120_000) {
  let seen = 0;
  await pollUntil(
    async () => {
      try {
        const r = await client.call<{ items: unknown[] }>(
          'GET',
          `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods`,
        );
        seen = r.body.items.length;
        return seen >= pods ? true : undefined;
      } catch (error) {
        if (error instanceof KubeApiError) return undefined;
        throw error;
      }
    },
    () => `the resource metrics API reports ${seen} of ${pods} pods of ${namespace} after ${timeoutMs / 1000} s`,
    timeoutMs,
  );
}

/** Locust's aggregated statistics (its web API, `/stats/requests`). */
export interface LocustStats {
  readonly state: string;
  readonly users: number;
  readonly workers: number;
  readonly requests: number;
  readonly failures: number;
  readonly rps: number;
}

/** Calls the Locust master's web API at `base` (`http://<pod IP>:8089`). */
export async function locust(base: string, path: string, form?: Record<string, string>): Promise<unknown> {
  const r = await fetch(`${base}${path}`, {
    method: form ? 'POST' : 'GET',
    signal: AbortSignal.timeout(10_000),
    ...(form ? { body: new URLSearchParams(form) } : {}),
  });
  if (!r.ok) throw new Error(`locust ${path}: HTTP ${r.status}`);
  return r.json();
}

/** The master's aggregated statistics. */
export async function locustStats(base: string): Promise<LocustStats> {
  const s = (await locust(base, '/stats/requests')) as {
    state: string;
    user_count: number;
    worker_count?: number;
    total_rps: number;
    stats: { name: string; num_requests: number; num_failures: number }[];
  };
  const total = s.stats.find((x) => x.name === 'Aggregated');
  return {
    state: s.state,
    users: s.user_count,
    workers: s.worker_count ?? 0,
    requests: total?.num_requests ?? 0,
    failures: total?.num_failures ?? 0,
    rps: s.total_rps,
  };
}

/** Asks the API to evict a pod (as a drain does); resolves with whether it was allowed and the server's words. */
export async function evict(
  client: KubeClient,
  namespace: string,
  pod: string,
): Promise<{ allowed: boolean; message: string }> {
  try {
    await client.call(
      'POST',
      `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`,
      JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace } }),
      'application/json',
    );
    return { allowed: true, message: 'evicted' };
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 429) return { allowed: false, message: error.message };
    throw error;
  }
}

/** One line of the timeline: seconds since the start, every HPA's replicas and CPU, Locust's figures. */
export function sampleLine(t0: number, hpas: ReadonlyMap<string, HpaState>, stats: LocustStats): string {
  const replicas = [...hpas.values()]
    .map((h) => `${h.name} ${h.current}${h.desired !== h.current ? `->${h.desired}` : ''} (${h.cpu ?? '?'}%)`)
    .join(', ');
  return (
    `t=${String(Math.round((Date.now() - t0) / 1000)).padStart(4)} s  users ${stats.users}  rps ` +
    `${stats.rps.toFixed(1)}  requests ${stats.requests}  failures ${stats.failures}  replicas: ${replicas}`
  );
}
