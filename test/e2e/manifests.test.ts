/**
 * charts-out/ on a real control plane: every object server-side applied with strict field validation, every pod
 * created by the real controllers, admitted by the real PodSecurity admission under its namespace's labels, placed
 * by the real scheduler (spread, requests, affinity), made Running and Ready by kwok; every claim Bound.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { waitForClaimsBound, waitForWorkloads, workloadTargets } from '../../scripts/cluster/rollout';
import { loadManifestDir } from '../../scripts/lib/manifests';
import type { KubeObject } from '../../scripts/lib/manifests';
import {
  GATEWAY_HOST_LISTENERS_MAX,
  GATEWAY_HTTPS_HOSTS_MAX,
  PLATFORM_GATEWAY,
  gatewayCertificateSecret,
  gatewayHttpListener,
  gatewayHttpsListener,
} from '../../platform/contract';
import { PLATFORM_GATEWAY_CLASS, platformGateway } from '../../platform/cloud/addons/gateway-api';
import { gatewayIssuerSolverParents, gatewayRedirectRoutes } from '../../platform/cloud/cert-issuers';
import type { GatewayHost } from '../../platform/cloud/cert-issuers';
import { startContour } from '../../scripts/cluster/contour';
import type { ContourProcess } from '../../scripts/cluster/contour';
import { gatewayConditions, routeAdmission, routeTo, selfSignedTlsSecret } from './gateway-support';
import { ZONES } from '../../scripts/cluster/topology';
import { applyAll, installCrds, ROOT, sharedCrds, useLocalCluster } from './support';
import { EVENTS_APP, eventsApp, removeFixtures, synthFixtures } from './fixture-apps';
import { appSecrets } from './runtime-support';
import { readChartsIndex } from '../../platform/cloud/charts-index';

const chartsDir = join(ROOT, 'charts-out');
const index = readChartsIndex(chartsDir);
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
  // Every HTTPS host takes two listeners, a plain-HTTP host one: 31 HTTPS hosts and one plain fill the 63.
  const hosts = (https: number, plain: number): GatewayHost[] => [
    ...Array.from({ length: https }, (_, i) => ({ host: `h${i}.example.com`, namespace: 'chat' })),
    ...Array.from({ length: plain }, (_, i) => ({ host: `p${i}.example.com`, namespace: 'chat', plainHttp: true })),
  ];
  const gateway = (h: GatewayHost[]) => platformGateway(h) as KubeObject;

  test(`the API server takes it and its redirects with ${GATEWAY_HOST_LISTENERS_MAX} host listeners and refuses one more`, async () => {
    const client = cluster().client;
    const full = hosts(GATEWAY_HTTPS_HOSTS_MAX, GATEWAY_HOST_LISTENERS_MAX - 2 * GATEWAY_HTTPS_HOSTS_MAX);
    const { refused } = await applyAll(client, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: PLATFORM_GATEWAY.namespace } },
      gateway(full),
      ...gatewayRedirectRoutes(full),
    ]);
    expect(refused).toEqual([]);
    const over = await applyAll(client, [
      gateway([...full, { host: 'one-more.example.com', namespace: 'chat', plainHttp: true }]),
    ]);
    expect(over.refused.map((r) => r.message)).toEqual([expect.stringContaining('must have at most 64 items')]);
  });
});

describe('the platform Gateway as Contour admits routes to it', () => {
  // Two apps of their own (not the reference apps, whose routes also name the Gateway) and three hosts.
  const hosts: GatewayHost[] = [
    { host: 'a.gateway-e2e.example.com', namespace: 'gw-a' },
    { host: 'b.gateway-e2e.example.com', namespace: 'gw-b' },
    { host: 'plain.gateway-e2e.example.com', namespace: 'gw-b', plainHttp: true },
  ];
  const [a, b, plain] = hosts.map((h) => h.host);
  let contour: ContourProcess | undefined;

  beforeAll(async () => {
    const client = cluster().client;
    const { refused } = await applyAll(client, [
      ...['gw-a', 'gw-b', PLATFORM_GATEWAY.namespace].map((name) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      })),
      ...hosts
        .filter((h) => !h.plainHttp)
        .map((h) => selfSignedTlsSecret(PLATFORM_GATEWAY.namespace, gatewayCertificateSecret(h.host), h.host)),
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: PLATFORM_GATEWAY_CLASS },
        spec: { controllerName: 'projectcontour.io/gateway-controller' },
      },
      gateway(),
      ...gatewayRedirectRoutes(hosts),
      // cert-manager's HTTP-01 solver route, with the parentRefs of the platform's gateway issuer.
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'acme-solver', namespace: PLATFORM_GATEWAY.namespace },
        spec: {
          parentRefs: gatewayIssuerSolverParents(),
          hostnames: [a],
          rules: [
            {
              matches: [{ path: { type: 'Exact', value: '/.well-known/acme-challenge/t' } }],
              backendRefs: [{ name: 'solver', port: 8089 }],
            },
          ],
        },
      },
      routeTo('gw-a', 'own', a, gatewayHttpsListener(a)),
      routeTo('gw-b', 'claims-a-443', a, gatewayHttpsListener(a)),
      routeTo('gw-b', 'claims-a-80', a, gatewayHttpListener(a)),
      routeTo('gw-b', 'plain-own', plain, gatewayHttpListener(plain)),
      routeTo('gw-a', 'claims-plain', plain, gatewayHttpListener(plain)),
    ]);
    expect(refused).toEqual([]);
    contour = await startContour(cluster().state);
  }, 120_000);
  afterAll(() => contour?.stop());
  const gateway = () => platformGateway(hosts) as KubeObject;
  const admission = (namespace: string, name: string) => routeAdmission(cluster().client, namespace, name);

  test('the Gateway is accepted and programmed, every listener valid', async () => {
    const conditions = await gatewayConditions(cluster().client, PLATFORM_GATEWAY.namespace, PLATFORM_GATEWAY.name);
    expect(conditions).toMatchObject({ Accepted: 'True', Programmed: 'True' });
  });

  test('an app’s route attaches to its own host’s HTTPS listener', async () => {
    expect(await admission('gw-a', 'own')).toEqual({ [gatewayHttpsListener(a)]: 'Accepted' });
  });

  test('another app cannot claim that host, on port 443 or on port 80', async () => {
    expect(await admission('gw-b', 'claims-a-443')).toEqual({ [gatewayHttpsListener(a)]: 'NotAllowedByListeners' });
    expect(await admission('gw-b', 'claims-a-80')).toEqual({ [gatewayHttpListener(a)]: 'NotAllowedByListeners' });
  });

  test('the platform’s redirect and cert-manager’s solver route are served on the host’s port-80 listener', async () => {
    for (const host of [a, b]) {
      expect(await admission(PLATFORM_GATEWAY.namespace, `https-redirect-${host}`)).toEqual({
        [gatewayHttpListener(host)]: 'Accepted',
      });
    }
    expect(await admission(PLATFORM_GATEWAY.namespace, 'acme-solver')).toEqual({ '*': 'Accepted' });
  });

  test('a plain-HTTP host takes its own app’s route and refuses another’s', async () => {
    expect(await admission('gw-b', 'plain-own')).toEqual({ [gatewayHttpListener(plain)]: 'Accepted' });
    expect(await admission('gw-a', 'claims-plain')).toEqual({ [gatewayHttpListener(plain)]: 'NotAllowedByListeners' });
  });
});

describe('a Kafka quorum and its lag-scaled consumer (the fixture app events, outside charts-out/)', () => {
  const fixtures = synthFixtures({ [EVENTS_APP]: eventsApp({ metrics: true }) });
  const app = fixtures.index.apps[0];
  const objects = fixtures.manifests.map((m) => m.object);
  afterAll(() => removeFixtures(fixtures.dir));

  test('every object is accepted by server-side apply with strict field validation, with no warning', async () => {
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    const rest = objects.filter((o) => o.kind !== 'Namespace');
    const { refused, warnings } = await applyAll(cluster().client, [...namespaces, ...appSecrets(app), ...rest]);
    expect([refused, warnings]).toEqual([[], []]);
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['StatefulSet', 'PodDisruptionBudget', 'ScaledObject', 'TriggerAuthentication']),
    );
  });

  test('the three brokers and both workloads roll out; the claims are Bound; KEDA’s objects are kept as applied', async () => {
    const targets = workloadTargets(fixtures.manifests);
    expect(targets.map((t) => `${t.kind}/${t.name}=${t.replicas}`).sort()).toEqual([
      'Deployment/fulfilment=1',
      'Deployment/orders=1',
      'StatefulSet/kafka=3',
    ]);
    await waitForWorkloads(cluster().client, targets, 120_000);
    expect(await waitForClaimsBound(cluster().client, [app.namespace], 60_000)).toBe(3);
    const scaled = await cluster().client.get<{ spec: { triggers: { type: string; authenticationRef?: object }[] } }>(
      'keda.sh/v1alpha1',
      'ScaledObject',
      app.namespace,
      'fulfilment',
    );
    expect(scaled?.spec.triggers).toEqual([
      expect.objectContaining({ type: 'kafka', authenticationRef: { name: 'fulfilment-queue' } }),
    ]);
    const auth = await cluster().client.get<{ spec: { env: object[] } }>(
      'keda.sh/v1alpha1',
      'TriggerAuthentication',
      app.namespace,
      'fulfilment-queue',
    );
    expect(auth?.spec.env).toHaveLength(2);
  }, 200_000);

  test('the checkers users run (npm run check:peers) find nothing unexplained in it', () => {
    const run = spawnSync('npx', ['ts-node', '--swc', 'scripts/check-peers.ts', '--dir', fixtures.dir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect([run.status, run.stdout.trim().split('\n').pop()]).toEqual([0, expect.stringContaining(', 0 findings')]);
  }, 120_000);
});
