/**
 * The load experiment of load-support.ts, step by step, and its negative control: an HPA whose metric has no source
 * here (a per-pod custom metric, with no custom metrics adapter) never scales, and says why in its conditions.
 */
import { containerSecurityContext, podSecurityContext } from '../../platform/core/security';
import type { KubeClient } from '../../scripts/cluster/kube-client';
import type { KubeObject } from '../../scripts/lib/manifests';
import { readyPods } from './edge-probes';
import { pollUntil } from './support';
import { evict, hpaStates, locust, locustStats, sampleLine, type HpaState, type LocustStats } from './load-support';

/** What the experiment is given. */
export interface LoadPlan {
  readonly namespace: string;
  /** The workload whose CPU HPA the load must scale out (its Deployment, HPA and PDB share its name). */
  readonly scales: string;
  readonly selector: Readonly<Record<string, string>>;
  /** HPAs left out of the timeline (the negative control's). */
  readonly ignore: readonly string[];
  /** `http://<master pod IP>:8089`. */
  readonly master: string;
  readonly workers: number;
  readonly users: number;
  readonly spawnRate: number;
  /** Longest time under load. */
  readonly loadSeconds: number;
  /** Longest wait for the replicas to come back to the minimum once the load stops. */
  readonly scaleDownSeconds: number;
  readonly log: (line: string) => void;
}

/** What was seen. */
export interface LoadResult {
  readonly min: number;
  readonly peak: number;
  /** Replicas when the scale-down wait ended. */
  readonly after: number;
  readonly stats: LocustStats;
  /** The two evictions asked while the load ran: the first allowed, the second refused by the PDB (expected). */
  readonly evictions: readonly { pod: string; allowed: boolean; message: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the experiment; the caller asserts on the result (the timeline goes to `plan.log` as it happens). */
export async function runLoadExperiment(client: KubeClient, plan: LoadPlan): Promise<LoadResult> {
  const all = async (): Promise<Map<string, HpaState>> => {
    const states = await hpaStates(client, plan.namespace);
    for (const name of plan.ignore) states.delete(name);
    return states;
  };
  const hpa = async (): Promise<HpaState | undefined> => (await all()).get(plan.scales);
  // The HPA has read the target's CPU through metrics-server before any load.
  const before = await pollUntil(
    async () => {
      const h = await hpa();
      return h?.cpu !== undefined ? h : undefined;
    },
    () => `the HPA ${plan.scales} read no CPU utilization (is metrics-server serving metrics.k8s.io?)`,
    180_000,
  );
  await pollUntil(
    async () => ((await locustStats(plan.master)).workers >= plan.workers ? true : undefined),
    () => `fewer than ${plan.workers} Locust workers connected to the master`,
    60_000,
  );
  const started = (await locust(plan.master, '/swarm', {
    user_count: String(plan.users),
    spawn_rate: String(plan.spawnRate),
  })) as { success?: boolean; message?: string };
  if (!started.success) throw new Error(`locust did not start: ${started.message ?? ''}`);
  const t0 = Date.now();
  plan.log(`load: ${plan.users} users at ${plan.spawnRate}/s; ${plan.scales}: min ${before.min}, max ${before.max}`);
  let peak = before.current;
  const evictions: { pod: string; allowed: boolean; message: string }[] = [];
  let evictedAt: number | undefined;
  while (Date.now() - t0 < plan.loadSeconds * 1000) {
    await sleep(5000);
    const [states, stats] = await Promise.all([all(), locustStats(plan.master)]);
    plan.log(sampleLine(t0, states, stats));
    peak = Math.max(peak, states.get(plan.scales)?.current ?? 0);
    if (evictedAt === undefined && peak > before.min) {
      // Scaled out: once the new replicas are Ready (until then the PDB rightly admits no eviction at all), a
      // drain's evictions, two in a row; maxUnavailable 1 admits one.
      await pollUntil(
        async () => {
          const pdb = await client.get<{ status?: { disruptionsAllowed?: number } }>(
            'policy/v1',
            'PodDisruptionBudget',
            plan.namespace,
            plan.scales,
          );
          return (pdb?.status?.disruptionsAllowed ?? 0) >= 1 ? true : undefined;
        },
        () => `the PDB ${plan.scales} allowed no disruption within 120 s of the scale-out`,
        120_000,
      );
      const pods = (await readyPods(client, plan.namespace, plan.selector)).map((p) => p.metadata.name);
      for (const pod of pods.slice(0, 2)) evictions.push({ pod, ...(await evict(client, plan.namespace, pod)) });
      evictions.forEach((e) => plan.log(`evict ${e.pod}: ${e.allowed ? 'allowed' : `refused: ${e.message}`}`));
      evictedAt = Date.now();
    }
    if (evictedAt !== undefined && Date.now() - evictedAt > 30_000) break;
  }
  await locust(plan.master, '/stop');
  const stats = await locustStats(plan.master);
  plan.log(`stopped: ${sampleLine(t0, await all(), stats)}`);
  // The platform's scale-down stabilization window is 5 minutes (upstream's default); the test shortens it on
  // the live HPA so that the way back down fits CI's time. Its 50 %-per-minute policy stays.
  await client.call(
    'PATCH',
    `/apis/autoscaling/v2/namespaces/${plan.namespace}/horizontalpodautoscalers/${plan.scales}`,
    JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 15 } } } }),
    'application/merge-patch+json',
  );
  const down = Date.now();
  let after = peak;
  while (Date.now() - down < plan.scaleDownSeconds * 1000) {
    await sleep(10_000);
    const h = await hpa();
    after = h?.current ?? after;
    plan.log(`scale-down t=${Math.round((Date.now() - down) / 1000)} s: replicas ${after} (cpu ${h?.cpu ?? '?'}%)`);
    if (after <= before.min) break;
  }
  return { min: before.min, peak, after, stats, evictions };
}

/** The negative control's Deployment and HPA. */
export const NO_SOURCE_HPA = 'hpa-no-metrics-source';

/** A Deployment and an HPA on a per-pod custom metric that nothing serves here (no custom metrics adapter). */
export function noSourceControl(namespace: string, image: string): KubeObject[] {
  const labels = { 'app.kubernetes.io/name': NO_SOURCE_HPA };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NO_SOURCE_HPA, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurityContext({ user: 10001 }),
            containers: [
              {
                name: 'app',
                image,
                command: ['/home/app/podinfo', '--port=9898'],
                resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { memory: '64Mi' } },
                securityContext: containerSecurityContext(false),
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: NO_SOURCE_HPA, namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NO_SOURCE_HPA },
        minReplicas: 1,
        maxReplicas: 4,
        // A thousandth of a request per second per pod: it would scale out at once if anything served the metric.
        metrics: [
          {
            type: 'Pods',
            pods: {
              metric: { name: 'http_requests_per_second' },
              target: { type: 'AverageValue', averageValue: '1m' },
            },
          },
        ],
      },
    },
  ];
}
