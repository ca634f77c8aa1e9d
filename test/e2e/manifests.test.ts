/**
 * charts-out/ on a real control plane: every object server-side applied with strict field validation, every pod
 * created by the real controllers, admitted by the real PodSecurity admission under its namespace's labels, placed
 * by the real scheduler (spread, requests, affinity), made Running and Ready by kwok; every claim Bound.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForClaimsBound, waitForWorkloads, workloadTargets } from '../../scripts/cluster/rollout';
import { loadManifestDir } from '../../scripts/lib/manifests';
import type { KubeObject } from '../../scripts/lib/manifests';
import { GATEWAY_HTTPS_HOSTS_MAX, PLATFORM_GATEWAY } from '../../platform/contract';
import type { ChartsIndex } from '../../platform/contract';
import { platformGateway } from '../../platform/cloud/addons/gateway-api';
import { gatewayRedirectRoute } from '../../platform/cloud/cert-issuers';
import { ZONES } from '../../scripts/cluster/topology';
import { applyAll, installCrds, ROOT, sharedCrds, useLocalCluster } from './support';

const chartsDir = join(ROOT, 'charts-out');
const index = JSON.parse(readFileSync(join(chartsDir, 'index.json'), 'utf8')) as ChartsIndex;
const manifests = loadManifestDir(chartsDir).objects;
const cluster = useLocalCluster();

/** The Secrets each app expects at deploy time (Pulumi makes them; here, random values for their keys). */
function expectedSecrets(): KubeObject[] {
  return index.apps.flatMap((app) =>
    app.secrets.map((s) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: s.name, namespace: app.namespace },
      stringData: Object.fromEntries(s.keys.map((k) => [k, randomBytes(12).toString('hex')])),
    })),
  );
}

describe('charts-out/ on the local control plane', () => {
  test('the CRDs of ../shared/crds are accepted and Established', async () => {
    const { refused, warnings } = await installCrds(cluster().client, sharedCrds());
    expect(refused).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('every object is accepted by server-side apply with strict field validation, with no warning', async () => {
    const objects = manifests.map((m) => m.object);
    // Namespaces first, then the Secrets the apps expect, as a deploy does; the rest in file order.
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    const rest = objects.filter((o) => o.kind !== 'Namespace');
    const { refused, warnings } = await applyAll(cluster().client, [...namespaces, ...expectedSecrets(), ...rest]);
    expect(refused).toEqual([]);
    expect(warnings).toEqual([]);
    expect(objects.length).toBeGreaterThan(200);
  });

  test.each(index.apps.map((a) => [a.name, a.namespace]))(
    '%s: every Deployment and StatefulSet rolls out to the replicas it asked for, all pods Ready',
    async (_app, namespace) => {
      const targets = workloadTargets(manifests.filter((m) => m.object.metadata.namespace === namespace));
      expect(targets.length).toBeGreaterThan(0);
      await waitForWorkloads(cluster().client, targets, 120_000);
      const pods = await cluster().client.list<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
        'v1',
        'Pod',
        namespace,
      );
      const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      expect(ready.length).toBe(targets.reduce((n, t) => n + t.replicas, 0));
    },
    180_000,
  );

  test('every PersistentVolumeClaim is Bound', async () => {
    const claims = await waitForClaimsBound(
      cluster().client,
      index.apps.map((a) => a.namespace),
      60_000,
    );
    const stateful = index.apps.reduce((n, a) => n + a.stateful.filter((s) => s.kind === 'StatefulSet').length, 0);
    expect(claims).toBeGreaterThanOrEqual(stateful);
  });

  test('every HPA and PDB exists as applied', async () => {
    const client = cluster().client;
    for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget'] as const) {
      const apiVersion = kind === 'HorizontalPodAutoscaler' ? 'autoscaling/v2' : 'policy/v1';
      const applied = manifests.filter((m) => m.object.kind === kind);
      expect(applied.length).toBeGreaterThan(0);
      for (const { object } of applied) {
        const live = await client.get(apiVersion, kind, object.metadata.namespace, object.metadata.name ?? '');
        expect(live).toBeDefined();
      }
    }
  });
});

interface LivePod {
  metadata: { labels?: Record<string, string> };
  spec: {
    nodeName?: string;
    topologySpreadConstraints?: Array<{ topologyKey: string; maxSkew: number }>;
  };
}

describe('placement by the real scheduler', () => {
  // The platform's spread is ScheduleAnyway (a preference, so a lost zone never blocks a rollout); on an empty,
  // even cluster the scheduler's scoring must still honour it.
  test('pods with a zone spread constraint are spread over the three zones within its maxSkew', async () => {
    const client = cluster().client;
    const nodes = await client.list<{ metadata: { name: string; labels: Record<string, string> } }>('v1', 'Node');
    const zoneOf = new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels['topology.kubernetes.io/zone']]));
    const groups = new Map<string, { maxSkew: number; zones: Map<string, number> }>();
    for (const app of index.apps) {
      for (const pod of await client.list<LivePod>('v1', 'Pod', app.namespace)) {
        const zone = pod.spec.topologySpreadConstraints?.find((c) => c.topologyKey === 'topology.kubernetes.io/zone');
        if (!zone) continue;
        const key = `${app.namespace}/${pod.metadata.labels?.['app.kubernetes.io/name']}`;
        const group = groups.get(key) ?? { maxSkew: zone.maxSkew, zones: new Map(ZONES.map((z) => [z, 0])) };
        const z = zoneOf.get(pod.spec.nodeName ?? '') ?? 'unscheduled';
        group.zones.set(z, (group.zones.get(z) ?? 0) + 1);
        groups.set(key, group);
      }
    }
    expect(groups.size).toBeGreaterThan(0);
    const skewed = [...groups].filter(([, g]) => {
      const counts = [...g.zones.values()];
      return Math.max(...counts) - Math.min(...counts) > g.maxSkew;
    });
    expect(skewed.map(([k, g]) => `${k}: ${JSON.stringify([...g.zones])}`)).toEqual([]);
  });
});

describe('the platform Gateway as the program builds it', () => {
  // The last host is served over plain HTTP: a port-80 listener with a hostname beside the shared one.
  const hosts = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ host: `h${i}.example.com`, namespace: 'chat', plainHttp: i === n - 1 }));
  const gateway = (n: number) => platformGateway(hosts(n)) as KubeObject;

  test(`the API server takes it and its HTTPS redirect with ${GATEWAY_HTTPS_HOSTS_MAX} hosts and refuses one more`, async () => {
    const client = cluster().client;
    const { refused } = await applyAll(client, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: PLATFORM_GATEWAY.namespace } },
      gateway(GATEWAY_HTTPS_HOSTS_MAX),
      gatewayRedirectRoute(hosts(GATEWAY_HTTPS_HOSTS_MAX)) as KubeObject,
    ]);
    expect(refused).toEqual([]);
    const over = await applyAll(client, [gateway(GATEWAY_HTTPS_HOSTS_MAX + 1)]);
    expect(over.refused.map((r) => r.message)).toEqual([expect.stringContaining('must have at most 64 items')]);
  });
});
