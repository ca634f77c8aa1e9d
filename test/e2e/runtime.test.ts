/**
 * charts-out/ running for real: the five apps, one after another, on three real nodes (a kubelet and containerd per
 * zone, scripts/cluster/real-nodes.ts) with images built from the package registries (scripts/images) under the
 * exact references the manifests name. For each app: applied as the program applies it (Secrets with generated
 * passwords first), every pod on a real node, every container started and Ready through its own probes under the
 * namespace's enforced `restricted` profile, and still Ready with no restart after a settle time. A failure names
 * the pod, the container, its events and its last log lines.
 *
 * Apps in turn, not all at once: the five request 11.5 cores at their minimum replicas and a kubelet reports this
 * machine's 2 cores; three nodes (6 cores) hold the largest app, and the zones make the spread constraints real.
 */
import { join } from 'node:path';
import { readImageIndex } from '../../scripts/cluster/real-nodes';
import { toolsBin } from '../../scripts/cluster/local-cluster';
import { REAL_NODE_LABEL } from '../../scripts/cluster/node-config';
import { workloadTargets } from '../../scripts/cluster/rollout';
import { ZONES } from '../../scripts/cluster/topology';
import { applyAll, installCrds, sharedCrds, useLocalCluster } from './support';
import { appChart as builtChart, containerEnv, formatMatrix, planEdgeMatrix } from './edge-matrix';
import { REFERENCE_APPS } from '../../apps';
import { EVENTS_APP, eventsApp, removeFixtures, synthFixtures } from './fixture-apps';
import { NO_SOURCE_HPA, noSourceControl, runLoadExperiment } from './load-experiment';
import { hpaStates } from './load-support';
import { drillDatabase, expectDrillPassed, type DrillTarget } from './backup-drill';
import {
  bucketDrillApp,
  bucketTargetObjects,
  corruptStoredBackup,
  rcloneBinary,
  startS3StandIn,
  storedBackups,
  type S3StandIn,
} from './bucket-drill';
import { RCLONE_IMAGE } from '../../platform/workloads/backup-bucket';
import { LOAD_TEST } from '../../apps/rendezvous';
import { createIdentities, ingressRuleControl, readyPods, runEdgeMatrix, startOutsideListeners } from './edge-probes';
import { drillQueue, queueFlows } from './queue-drill';
import {
  chartsOut,
  deployApp,
  explain,
  imageReferences,
  liveContainers,
  removeApp,
  type LiveContainer,
  waitAllReady,
} from './runtime-support';

const charts = chartsOut();
/** Besides charts-out/, the Kafka fixture app (without its exporter, whose image no registry can rebuild here). */
const FIXTURE_APPS = { [EVENTS_APP]: eventsApp({ metrics: false }) };
const fixtures = synthFixtures(FIXTURE_APPS);
afterAll(() => removeFixtures(fixtures.dir));
const index = { ...charts.index, apps: [...charts.index.apps, ...fixtures.index.apps] };
const manifests = [...charts.manifests, ...fixtures.manifests];
const appChart = (name: string) => builtChart(name, { ...REFERENCE_APPS, ...FIXTURE_APPS });
// Volumes (a local volume is not reused once its claim is gone): one per database, one per drilled database's
// backups and one for its data once destroyed, the bucket drill's (its data twice, a scratch volume per backup or
// restore pod), the Kafka fixture's three brokers, and the negative controls' last one.
const cluster = useLocalCluster({ nodesPerZone: 0, volumes: 27, realNodes: { zones: ZONES } }, 300_000);
/** How long every container must stay Ready without a restart once all are Ready (liveness probes run meanwhile). */
const SETTLE_MS = Number(process.env.E2E_RUNTIME_SETTLE_MS ?? 30_000);
/** The app whose seed experiment runs here (seed 000: fake clients that drive the HPAs), and its bounds. */
const LOAD_APP = 'rendezvous';
/**
 * The app's own LOAD_TEST (300 users) keeps every HPA of rendezvous under its target here: the podinfo stand-ins spend
 * less CPU per request than real services would. Four times the users, from the same locustfile and workers. The
 * locustfile sends two thirds of its requests (talk) to room-client, the HPA this load scales out (room-router, the
 * LOCUST_HOST, reached about 45 % of its CPU request: under its 70 % target).
 */
const LOAD = {
  scales: 'room-client',
  master: 'load-test-master',
  users: LOAD_TEST.users * 4,
  spawnRate: LOAD_TEST.spawnRate * 4,
  loadSeconds: 240,
  scaleDownSeconds: 240,
  maxFailRatio: 0.01,
};
const READY_TIMEOUT_MS = 300_000;

/** Containers an app asks for at its minimum replicas (HPA minimum, else the declared replicas). */
function containersAsked(namespace: string): number {
  const objects = manifests.filter((m) => m.object.metadata.namespace === namespace);
  return workloadTargets(objects).reduce((n, w) => {
    const spec = objects.find((m) => m.object.kind === w.kind && m.object.metadata.name === w.name)?.object as
      { spec: { template: { spec: { containers: unknown[] } } } } | undefined;
    return n + w.replicas * (spec?.spec.template.spec.containers.length ?? 0);
  }, 0);
}

/**
 * Limits of a stand-in image, not of the app (the real runtime's defects in the apps are fixed, not listed here): a
 * container that shows one, in the runtime's own words, is excused from being Ready and reported; an entry that is
 * `required` must still show (a test fails once it is gone: then remove the entry).
 */
const STAND_IN_LIMITS = [
  {
    what:
      "the mongo stand-in's limit, not the app's: mongosh from npm on Debian's Node 18 starts slower than " +
      "upstream's single binary (7 s seen on a loaded 2-core machine), which can exceed even the 10 s the mongo " +
      'probes allow it. FerretDB itself starts and answers (the exporter beside it is Ready)',
    image: 'mongo:7.0.14',
    namespace: undefined,
    // A matter of load: on a quiet machine mongosh may make it in time, so its still showing is not required.
    required: false,
    container: 'mongodb',
    words: /./,
    evidence: /probe failed: command timed out: "mongosh --quiet --eval/,
  },
];
const knownDefect = (c: LiveContainer, namespace: string) =>
  STAND_IN_LIMITS.find(
    (d) =>
      d.image === c.image &&
      (d.namespace === undefined || d.namespace === namespace) &&
      (d.container === undefined || d.container === c.container) &&
      d.words.test(`${c.state} ${c.lastMessage}`),
  );

/** Smallest app first: a defect common to all shows up soonest. */
const apps = [...index.apps].sort((a, b) => containersAsked(a.namespace) - containersAsked(b.namespace));

/** The backup drill runs once per engine the apps use, on the databases of the first app (in the order above) with it. */
const drills = new Map<string, DrillTarget[]>();
for (const a of apps) {
  for (const node of appChart(a.name).graphNodes) {
    const engine = node.engine;
    if (!engine || !node.backup || [...drills.values()].flat().some((d) => d.engine === engine)) continue;
    drills.set(a.name, [...(drills.get(a.name) ?? []), { namespace: a.namespace, database: node.name, engine }]);
  }
}

let stopListeners: (() => void) | undefined;

beforeAll(async () => {
  const { refused } = await installCrds(cluster().client, sharedCrds());
  expect(refused).toEqual([]);
  stopListeners = await startOutsideListeners();
  createIdentities(cluster().state.kubeconfig);
}, 240_000);

// The identity pods go with the cluster.
afterAll(() => stopListeners?.());

test('every image reference of charts-out/ (and the fixture app) was built and imported under that exact reference', () => {
  const built = readImageIndex(join(toolsBin(), '..', 'images', 'index.tsv'));
  const refs = imageReferences(manifests);
  expect(refs.length).toBeGreaterThanOrEqual(9);
  expect(refs.filter((r) => !built.has(r))).toEqual([]);
});

describe.each(apps.map((a) => [a.name, a] as const))('%s running on real nodes', (_name, app) => {
  const ns = app.namespace;
  const asked = containersAsked(ns);
  /** When every container was Ready (the settle time counts from then). */
  let readyAt = 0;

  afterAll(async () => {
    await removeApp(cluster().state.kubeconfig, cluster().client, ns);
  }, 180_000);

  test('applied as the program applies it; its namespace enforces the restricted profile', async () => {
    const { refused } = await deployApp(cluster().client, app, manifests);
    expect(refused).toEqual([]);
    const live = await cluster().client.get<{ metadata: { labels?: Record<string, string> } }>(
      'v1',
      'Namespace',
      undefined,
      ns,
    );
    expect(live?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test(
    `every container it asks for starts on a real node and becomes Ready by its own probes`,
    async () => {
      const t0 = Date.now();
      const excused = (c: LiveContainer): boolean => knownDefect(c, ns) !== undefined;
      const containers = await waitAllReady(cluster().client, ns, asked, READY_TIMEOUT_MS, excused);
      const notReady = containers.filter((c) => !c.ready && !excused(c));
      if (notReady.length > 0 || containers.length !== asked) {
        throw new Error(
          `${ns}: ${containers.length - notReady.length} of ${asked} containers Ready after ${READY_TIMEOUT_MS / 1000} s\n` +
            explain(cluster().state.kubeconfig, ns, notReady),
        );
      }
      const nodes = await cluster().client.list<{ metadata: { name: string; labels?: Record<string, string> } }>(
        'v1',
        'Node',
      );
      const real = new Set(
        nodes
          .filter((n) => n.metadata.labels?.[REAL_NODE_LABEL.key] === REAL_NODE_LABEL.value)
          .map((n) => n.metadata.name),
      );
      expect(containers.filter((c) => !real.has(c.node)).map((c) => `${c.pod}/${c.container} on ${c.node}`)).toEqual(
        [],
      );
      readyAt = Date.now();
      const ready = containers.filter((c) => c.ready).length;
      process.stderr.write(
        `${ns}: ${ready}/${asked} containers Ready${ready < asked ? ' (the rest show a stand-in limit)' : ''} in ` +
          `${((Date.now() - t0) / 1000).toFixed(0)} s on ` +
          `${new Set(containers.map((c) => c.node)).size} real nodes\n`,
      );
    },
    READY_TIMEOUT_MS + 60_000,
  );

  test('the edge matrix under enforced NetworkPolicies: every declared edge connects, every undeclared one is refused', async () => {
    const chart = appChart(app.name);
    const probes = planEdgeMatrix(chart, ns, (w) => containerEnv(manifests, ns, w));
    const selectors = Object.fromEntries(chart.graphNodes.map((n) => [n.name, n.selector]));
    const t0 = Date.now();
    const observed = await runEdgeMatrix(cluster().client, cluster().state.kubeconfig, ns, selectors, probes);
    process.stderr.write(`${formatMatrix(app.name, observed)}, in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    expect(
      observed.filter((o) => o.observed !== o.expect).map((o) => `${o.source} -> ${o.target}: ${o.observed}`),
    ).toEqual([]);
  }, 600_000);

  for (const flow of queueFlows(appChart(app.name))) {
    test(`a message published from ${flow.producer}'s pod reaches ${flow.consumer}'s pod through ${flow.broker}'s queue ${flow.queue}`, async () => {
      const t0 = Date.now();
      const r = await drillQueue(cluster().client, cluster().state.kubeconfig, ns, appChart(app.name), flow);
      process.stderr.write(
        `${ns}: ${flow.producer} -> ${flow.broker}/${flow.queue} -> ${flow.consumer}: ${r.consumed} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
      );
      expect([r.published, r.consumed]).toEqual([`PUBLISHED ${r.message}`, `CONSUMED ${r.message}`]);
    }, 420_000);
  }

  test('negative control: without the ingress rule derived for its first declared edge, that edge is refused', async () => {
    const objects = manifests.filter((m) => m.object.metadata.namespace === ns).map((m) => m.object);
    const seen = await ingressRuleControl(cluster().client, cluster().state.kubeconfig, ns, appChart(app.name), {
      objects,
      envOf: (w) => containerEnv(manifests, ns, w),
    });
    process.stderr.write(`${ns}: ${seen.edge} without its ingress rule: ${seen.without}; restored: ${seen.restored}\n`);
    expect([seen.without, seen.restored]).toEqual(['refused', 'connect']);
  }, 300_000);

  test(
    `still all Ready with no restart ${SETTLE_MS / 1000} s after all were Ready (the edge matrix ran meanwhile)`,
    async () => {
      await new Promise((r) => setTimeout(r, Math.max(0, readyAt + SETTLE_MS - Date.now())));
      const containers = await liveContainers(cluster().client, ns);
      const bad = containers.filter((c) => (!c.ready || c.restarts > 0) && !knownDefect(c, ns));
      if (bad.length > 0) throw new Error(`${ns}: after settling\n${explain(cluster().state.kubeconfig, ns, bad)}`);
      expect(containers).toHaveLength(asked);
      const ready = containers.filter((c) => c.ready && c.restarts === 0).length;
      process.stderr.write(`${ns}: ${ready}/${asked} Ready with 0 restarts after ${SETTLE_MS / 1000} s\n`);
    },
    SETTLE_MS + 60_000,
  );

  if (app.name === LOAD_APP) {
    test(
      'its LoadGenerator drives a CPU HPA above its minimum, the PDB holds against a drain, and it scales back',
      async () => {
        const podinfo = imageReferences(manifests).find((r) => r.includes('podinfo'))!;
        const { refused } = await applyAll(cluster().client, noSourceControl(ns, podinfo));
        expect(refused).toEqual([]);
        const master = (await readyPods(cluster().client, ns, { 'app.kubernetes.io/name': LOAD.master }))[0];
        const selector = appChart(app.name).graphNodes.find((n) => n.name === LOAD.scales)!.selector;
        const result = await runLoadExperiment(cluster().client, {
          namespace: ns,
          scales: LOAD.scales,
          selector,
          ignore: [NO_SOURCE_HPA],
          master: `http://${master?.status?.podIP}:8089`,
          workers: 2,
          users: LOAD.users,
          spawnRate: LOAD.spawnRate,
          loadSeconds: LOAD.loadSeconds,
          scaleDownSeconds: LOAD.scaleDownSeconds,
          log: (line) => process.stderr.write(`${ns} ${line}\n`),
        });
        const ratio = result.stats.failures / Math.max(1, result.stats.requests);
        const control = (await hpaStates(cluster().client, ns)).get(NO_SOURCE_HPA);
        process.stderr.write(
          `${ns} load: replicas ${result.min} -> ${result.peak} -> ${result.after}; ${result.stats.requests} requests, ` +
            `${result.stats.failures} failures (${(ratio * 100).toFixed(2)} %, bound ${LOAD.maxFailRatio * 100} %); ` +
            `HPA without a metrics source: ${control?.current} replica(s), ScalingActive ${control?.active}\n`,
        );
        expect(result.peak).toBeGreaterThan(result.min);
        expect(result.evictions.map((e) => e.allowed)).toEqual([true, false]);
        expect(result.stats.requests).toBeGreaterThan(0);
        expect(ratio).toBeLessThan(LOAD.maxFailRatio);
        expect(result.after).toBe(result.min);
        expect(control?.current).toBe(1);
        expect(control?.active).toMatch(/^False FailedGetPodsMetric/);
      },
      (LOAD.loadSeconds + LOAD.scaleDownSeconds + 300) * 1000,
    );
  }

  const drilled = drills.get(app.name) ?? [];
  if (drilled.length > 0) {
    test(`backup drill of ${drilled.map((d) => `${d.database} (${d.engine})`).join(', ')}: backed up, destroyed, restored exactly; a missing or corrupt backup is refused`, async () => {
      const token = `drill-${Date.now().toString(36)}`;
      const results = await Promise.all(drilled.map((d) => drillDatabase(cluster().state.kubeconfig, d, token)));
      for (const r of results) expectDrillPassed(r, token);
    }, 900_000);
  }

  test('the stand-in limits marked required still show (remove an entry once it is gone)', async () => {
    const containers = await liveContainers(cluster().client, ns);
    for (const defect of STAND_IN_LIMITS) {
      const affected = containers.filter((c) => c.image === defect.image);
      const showing = affected.filter((c) => knownDefect(c, ns) === defect && !c.ready);
      if (showing.length > 0) process.stderr.write(`${ns}: ${showing.length} containers show: ${defect.what}\n`);
      if ((defect.namespace !== undefined && defect.namespace !== ns) || defect.required === false) continue;
      expect(showing).toHaveLength(
        affected.filter((c) => !defect.container || c.container === defect.container).length,
      );
      if (defect.evidence && showing.length > 0) {
        expect(explain(cluster().state.kubeconfig, ns, showing)).toMatch(defect.evidence);
      }
    }
  });
});

describe('a bucket backup, as on an existing cluster with an S3-compatible bucket', () => {
  const { app, manifests: objects } = bucketDrillApp();
  let s3: S3StandIn | undefined;

  beforeAll(async () => {
    s3 = await startS3StandIn(rcloneBinary(toolsBin()));
  }, 60_000);
  afterAll(async () => {
    await removeApp(cluster().state.kubeconfig, cluster().client, app.namespace);
    s3?.stop();
  }, 180_000);

  test('backed up through the rclone image to the S3 stand-in, destroyed, restored exactly; a missing or corrupt backup is refused', async () => {
    expect(readImageIndex(join(toolsBin(), '..', 'images', 'index.tsv')).has(RCLONE_IMAGE)).toBe(true);
    const stand = s3 as S3StandIn;
    const deployed = await deployApp(cluster().client, app, objects);
    expect(deployed.refused).toEqual([]);
    expect((await applyAll(cluster().client, bucketTargetObjects(app, stand))).refused).toEqual([]);
    const token = `bucket-${Date.now().toString(36)}`;
    const target = { namespace: app.namespace, database: 'db', engine: 'postgres' as const };
    const result = await drillDatabase(cluster().state.kubeconfig, target, token, async () =>
      corruptStoredBackup(stand, app.namespace, 'db'),
    );
    expectDrillPassed(result, token);
    const stored = storedBackups(stand, app.namespace, 'db');
    expect(stored.filter((f) => f.endsWith('.dump'))).toHaveLength(1);
    expect(stored.filter((f) => f.endsWith('.dump.sha256'))).toHaveLength(1);
  }, 600_000);
});

/** A pod made from an app's pod template (as charts-out/ has it) with one change, in the controls' namespace. */
function podFrom(namespace: string, kind: string, name: string, podName: string, change: (spec: PodSpec) => void) {
  const source = manifests.find(
    (m) => m.object.kind === kind && m.object.metadata.namespace === namespace && m.object.metadata.name === name,
  );
  if (!source) throw new Error(`no ${kind} ${namespace}/${name} in charts-out/`);
  const template = structuredClone(
    (source.object as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec,
  );
  delete template.serviceAccountName;
  template.restartPolicy = 'Never';
  change(template);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace: CONTROLS }, spec: template };
}

interface PodSpec {
  serviceAccountName?: string;
  restartPolicy?: string;
  securityContext?: Record<string, unknown>;
  containers: Array<{
    name: string;
    readinessProbe?: { httpGet?: { port: number | string } };
    volumeMounts?: Array<{ name: string; mountPath: string }>;
  }>;
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
}

const CONTROLS = 'runtime-controls';

/** Waits until `pred` holds for the pod's containers, or `ms` passes; returns the containers last seen. */
async function watchPod(pod: string, ms: number, pred: (c: Awaited<ReturnType<typeof liveContainers>>) => boolean) {
  const deadline = Date.now() + ms;
  let last = await liveContainers(cluster().client, CONTROLS);
  while (Date.now() < deadline) {
    last = (await liveContainers(cluster().client, CONTROLS)).filter((c) => c.pod === pod);
    if (pred(last)) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return last.filter((c) => c.pod === pod);
}

describe('negative controls: the same runtime fails what is broken', () => {
  const rendezvous = index.apps.find((a) => a.name === 'rendezvous');

  beforeAll(async () => {
    const namespace = manifests.find((m) => m.object.kind === 'Namespace' && m.object.metadata.name === 'rendezvous');
    const labels = namespace?.object.metadata.labels ?? {};
    const { refused } = await deployApp(
      cluster().client,
      { ...(rendezvous as NonNullable<typeof rendezvous>), namespace: CONTROLS },
      [{ ...namespace!, object: { ...namespace!.object, metadata: { name: CONTROLS, labels } } }],
    );
    expect(refused).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await removeApp(cluster().state.kubeconfig, cluster().client, CONTROLS);
  }, 180_000);

  test('a readiness probe on a port nothing listens on never becomes Ready', async () => {
    const pod = podFrom('rendezvous', 'Deployment', 'ui', 'dead-port', (spec) => {
      const c = spec.containers[0]!;
      c.readinessProbe = {
        ...c.readinessProbe,
        httpGet: { ...c.readinessProbe?.httpGet, port: 9 },
      } as typeof c.readinessProbe;
    });
    await cluster().client.apply(pod);
    const seen = await watchPod('dead-port', 45_000, (cs) => cs.some((c) => c.ready));
    expect(seen.map((c) => [c.state, c.ready])).toEqual([['running', false]]);
    expect(explain(cluster().state.kubeconfig, CONTROLS, seen)).toMatch(/Readiness probe failed:.*connection refused/);
  }, 90_000);

  test('a program that writes to its root filesystem crashes without the emptyDir the platform adds', async () => {
    const pod = podFrom('rendezvous', 'Deployment', 'ui', 'no-tmp', (spec) => {
      for (const c of spec.containers) c.volumeMounts = (c.volumeMounts ?? []).filter((m) => m.mountPath !== '/tmp');
    });
    await cluster().client.apply(pod);
    const seen = await watchPod('no-tmp', 60_000, (cs) => cs.some((c) => c.state.startsWith('terminated')));
    expect(seen.map((c) => c.state)).toEqual([expect.stringMatching(/^terminated: Error \(exit [1-9]/)]);
    expect(explain(cluster().state.kubeconfig, CONTROLS, seen)).toMatch(/Read-only file system/);
  }, 90_000);

  test('postgres as another uid, without the fsGroup that makes its volume writable, cannot initialise it', async () => {
    await cluster().client.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'wrong-uid-data', namespace: CONTROLS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const pod = podFrom('rendezvous', 'StatefulSet', 'db', 'wrong-uid', (spec) => {
      // 70: the uid of the Alpine variant of the postgres image, a plausible mix-up.
      spec.securityContext = { ...spec.securityContext, runAsUser: 70, runAsGroup: 70 };
      delete spec.securityContext.fsGroup;
      delete spec.securityContext.fsGroupChangePolicy;
      spec.volumes = [
        ...(spec.volumes ?? []),
        { name: 'data', persistentVolumeClaim: { claimName: 'wrong-uid-data' } },
      ];
    });
    await cluster().client.apply(pod);
    const seen = await watchPod('wrong-uid', 90_000, (cs) =>
      cs.some((c) => c.container === 'db' && c.state.startsWith('terminated')),
    );
    const db = seen.filter((c) => c.container === 'db');
    expect(db.map((c) => c.state)).toEqual([expect.stringMatching(/^terminated: Error \(exit [1-9]/)]);
    expect(explain(cluster().state.kubeconfig, CONTROLS, db)).toMatch(/Permission denied/);
  }, 120_000);
});
