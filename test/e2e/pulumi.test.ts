/**
 * `pulumi up` for real, in the shape users run: one platform stack (cluster, add-ons, issuers, Gateway) and one
 * app stack per app, on one file backend and one local control plane, the platform deployed once for every
 * scenario. In order: a user of the one-stack program moves to this shape without recreating anything stateful;
 * an app needing an add-on the platform lacks is refused before any change; the apps deploy as app stacks, several
 * at once; a no-op; two app stacks updated at the same time; a hand-edited manifest refused; one app stack
 * destroyed, keeping its data and leaving the other apps and every add-on CRD alone, then redeployed adopting its
 * data; a starter-style consumer project deploys its own app stack onto the platform stack.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForClaimsBound, waitForWorkloads, workloadTargets } from '../../scripts/cluster/rollout';
import { diffManifests } from '../../scripts/lib/diff';
import { loadManifestDir } from '../../scripts/lib/manifests';
import { INDEX_FILE } from '../../platform/contract';
import type { AppEntry, ChartsIndex } from '../../platform/contract';
import { LOCAL_CLUSTER_SETTINGS, LocalBackend, LocalStack } from '../../scripts/cluster/pulumi-stack';
import { sharedDir } from '../../scripts/lib/crds';
import { ROOT, useLocalCluster } from './support';
import type { Meta } from './pulumi-support';
import {
  appStack,
  changes,
  consumerProject,
  destructive,
  expectSameSecrets,
  mustAsync,
  removeTempDirs,
  secrets,
  singleStackProgram,
  statefulUids,
  tempDir,
  uidsOf,
  onDefaultProvider,
  upAll,
} from './pulumi-support';
import { readChartsIndex } from '../../platform/cloud/charts-index';

const chartsDir = join(ROOT, 'charts-out');
const index = readChartsIndex(chartsDir);
const manifests = loadManifestDir(chartsDir).objects;
const appNamed = (name: string): AppEntry => index.apps.find((a) => a.name === name)!;
const cluster = useLocalCluster();
const CHANGED_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.0';
const SECRETS: Record<string, Record<string, string>> = { meetings: { 'meetings/bot-telegram/token': 'e2e-token' } };
// meetings needs loki and tempo, which no other app does: the platform serves the others first.
const FIRST_APPS = index.apps.map((a) => a.name).filter((n) => n !== 'meetings');

let backend: LocalBackend;
let platform: LocalStack;
const apps = new Map<string, LocalStack>();
const kubeconfig = () => cluster().state.kubeconfig;
const client = () => cluster().client;

/** A copy of charts-out/ whose index lists only `names` (their files are unchanged, so their digests hold). */
function chartsOnly(names: readonly string[]): string {
  const out = tempDir('charts-out-only-');
  cpSync(chartsDir, out, { recursive: true });
  const only: ChartsIndex = { ...index, apps: index.apps.filter((a) => names.includes(a.name)) };
  writeFileSync(join(out, INDEX_FILE), `${JSON.stringify(only, null, 2)}\n`);
  return out;
}

/** Synthesizes the reference apps with context overrides into a temp dir. */
function resynth(...context: string[]): string {
  const out = tempDir('charts-out-');
  execFileSync('npx', ['ts-node', '--swc', 'apps/main.ts', '--out', out, ...context.flatMap((c) => ['--context', c])], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  return out;
}

/** The app stack of an app, created (with its secrets) on first use. */
function stackOf(app: string): LocalStack {
  let stack = apps.get(app);
  if (!stack) {
    stack = appStack(kubeconfig(), backend, platform, app);
    stack.init(SECRETS[app] ?? {});
    apps.set(app, stack);
  }
  return stack;
}

async function podImages(namespace: string, name: string): Promise<string[]> {
  const pods = await client().list<{ spec: { containers: Array<{ image: string }> } }>(
    'v1',
    'Pod',
    namespace,
    `labelSelector=app.kubernetes.io%2Fname%3D${name}`,
  );
  return pods.flatMap((p) => p.spec.containers.map((c) => c.image));
}

beforeAll(() => {
  backend = new LocalBackend(kubeconfig());
});
afterAll(() => {
  backend?.remove();
  removeTempDirs();
});

describe('a platform stack and one stack per app on the local control plane', () => {
  test('a. migration: the one-stack program’s stack becomes the platform stack, chat moves to its own stack; nothing stateful is recreated', async () => {
    const chat = appNamed('chat');
    const single = new LocalStack(kubeconfig(), {
      backend,
      name: 'e2e',
      // The extracted program is not beside ../shared: the charts' directory is given absolute.
      settings: {
        ...LOCAL_CLUSTER_SETTINGS,
        chartSource: { localDir: join(sharedDir(ROOT), 'charts') },
        apps: ['chat'],
      },
      projectDir: singleStackProgram(),
    });
    // The one-stack user's repository has only the apps it deploys: the old program checks every app of the
    // index against the add-ons it knew (a later app needing a newer add-on, such as keda, would be refused).
    single.useCharts(chartsOnly(['chat']));
    single.init({});
    single.must(['up', '--yes', '--skip-preview']);
    expect(await waitForClaimsBound(client(), [chat.namespace], 60_000)).toBeGreaterThan(0);
    const uidsBefore = await statefulUids(client(), [chat]);
    const secretsBefore = await secrets(client(), [chat]);
    expect(secretsBefore.size).toBe(chat.secrets.length);

    // docs/deploy.md, "Moving to a platform stack and app stacks": the same commands.
    platform = new LocalStack(kubeconfig(), { backend, name: 'e2e' });
    const chatStack = stackOf('chat');
    const move = platform.moveTo(chatStack, [
      'urn:pulumi:e2e::k8s-platform::platform:cloud:AppDeployment::k8s-platform-e2e-chat',
    ]);
    expect([move.status, move.output]).toEqual([0, expect.any(String)]);
    // The app stack reads the platform's output, which the platform stack writes on its first update here.
    expect(destructive(platform)).toEqual([]);
    platform.must(['up', '--yes', '--skip-preview']);
    expect(destructive(chatStack)).toEqual([]);
    chatStack.must(['up', '--yes', '--skip-preview']);
    chatStack.must(['up', '--yes', '--skip-preview', '--expect-no-changes']);

    expect(await statefulUids(client(), [chat])).toEqual(uidsBefore);
    expectSameSecrets(secretsBefore, await secrets(client(), [chat]));
  }, 1_500_000);

  test('b. an app needing an add-on the platform does not install is refused before any change', async () => {
    platform.setSetting('apps', FIRST_APPS);
    platform.must(['up', '--yes', '--skip-preview']);
    const meetings = stackOf('meetings');
    const up = meetings.stack(['up', '--yes', '--skip-preview']);
    expect(up.status).not.toBe(0);
    expect(up.output).toMatch(/app "meetings" needs the add-ons "loki", "tempo" \(charts-out\/index\.json\), which/);
    expect(up.output).toContain("pulumi config set --path 'k8s-platform:addons[<next index>]' loki");
    expect(up.output).not.toMatch(/created \(|updated \(|deleted \(/);
    expect(await client().get('v1', 'Namespace', undefined, 'meetings')).toBeUndefined();
  }, 900_000);

  test('c. the apps deploy as app stacks, several at once, once the platform serves them', async () => {
    const first = FIRST_APPS.filter((a) => a !== 'chat').map(stackOf);
    const ups = await upAll(first);
    process.stderr.write(`app stacks at once: ${ups.map((u) => u.seconds.toFixed(0)).join(' s, ')} s\n`);
    platform.setSetting('apps', undefined);
    platform.must(['up', '--yes', '--skip-preview']);
    stackOf('meetings').must(['up', '--yes', '--skip-preview']);

    await waitForWorkloads(client(), workloadTargets(manifests), 120_000);
    const live = await secrets(client(), index.apps);
    for (const app of index.apps) {
      for (const s of app.secrets) {
        const data = live.get(`${app.namespace}/${s.name}`)?.data ?? {};
        for (const key of s.keys)
          expect([`${app.name}/${s.name}/${key}`, (data[key] ?? '') !== '']).toEqual([
            `${app.name}/${s.name}/${key}`,
            true,
          ]);
      }
    }
    const inCharts = (kind: string) => manifests.filter((m) => m.object.kind === kind).length;
    const count = async (apiVersion: string, kind: string) =>
      (await Promise.all(index.apps.map((a) => client().list(apiVersion, kind, a.namespace)))).flat().length;
    expect(await count('monitoring.coreos.com/v1', 'ServiceMonitor')).toBe(inCharts('ServiceMonitor'));
    expect(await count('monitoring.coreos.com/v1', 'PrometheusRule')).toBe(inCharts('PrometheusRule'));
    // Queue scaling: every ScaledObject accepted, and the keda add-on rolled out by the platform stack.
    expect(await count('keda.sh/v1alpha1', 'ScaledObject')).toBe(inCharts('ScaledObject'));
    expect(inCharts('ScaledObject')).toBeGreaterThan(0);
    const keda = await client().list<{ metadata: { name: string }; status?: { availableReplicas?: number } }>(
      'apps/v1',
      'Deployment',
      'keda',
    );
    expect(keda.map((d) => [d.metadata.name, d.status?.availableReplicas ?? 0]).sort()).toEqual([
      ['keda-admission-webhooks', 1],
      ['keda-operator', 1],
      ['keda-operator-metrics-apiserver', 1],
    ]);
  }, 1_500_000);

  test('d. a second pulumi up of every stack changes nothing (--expect-no-changes)', async () => {
    platform.must(['up', '--yes', '--skip-preview', '--expect-no-changes']);
    await upAll([...apps.values()], '--expect-no-changes');
    // Every object went through the cluster's provider: the CRD groups' and the stateful groups' children did not
    // before keepChildren (their transform dropped the provider they inherit).
    for (const stack of [platform, ...apps.values()])
      expect([stack.name, onDefaultProvider(stack)]).toEqual([stack.name, []]);
  }, 900_000);

  test('e. two app stacks updated at the same time: each preview shows exactly its changed object, nothing is replaced', async () => {
    const users = `rendezvous/users/image=${CHANGED_IMAGE}`;
    const changed = resynth(`chat/backend/image=${CHANGED_IMAGE}`, users);
    const diff = diffManifests(
      new Map(
        ['chat', 'rendezvous'].map((a) => [`${a}.k8s.yaml`, readFileSync(join(chartsDir, `${a}.k8s.yaml`), 'utf8')]),
      ),
      new Map(
        ['chat', 'rendezvous'].map((a) => [`${a}.k8s.yaml`, readFileSync(join(changed, `${a}.k8s.yaml`), 'utf8')]),
      ),
    );
    expect(diff.objects.map((o) => `${o.status} ${o.ref}`).sort()).toEqual([
      'changed Deployment/chat/backend',
      'changed Deployment/rendezvous/users',
    ]);
    const [chat, rendezvous] = [stackOf('chat'), stackOf('rendezvous')];
    for (const s of [chat, rendezvous, ...apps.values()]) s.useCharts(changed);
    expect(changes(chat)).toEqual(['update chat:chat/backend']);
    expect(changes(rendezvous)).toEqual(['update rendezvous:rendezvous/users']);
    expect(changes(stackOf('covid-visualizer'))).toEqual([]);
    await upAll([chat, rendezvous]);
    await waitForWorkloads(client(), workloadTargets(loadManifestDir(changed).objects), 120_000);
    expect(new Set(await podImages('chat', 'backend'))).toEqual(new Set([CHANGED_IMAGE]));
    expect(new Set(await podImages('rendezvous', 'users'))).toEqual(new Set([CHANGED_IMAGE]));
  }, 900_000);

  test('f. a hand-edited charts-out/ file is refused before any resource changes', async () => {
    const edited = tempDir('charts-out-edited-');
    cpSync(resynth(`chat/backend/image=${CHANGED_IMAGE}`), edited, { recursive: true });
    const file = join(edited, 'chat.k8s.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(CHANGED_IMAGE, 'ghcr.io/stefanprodan/podinfo:6.6.0'));
    const chat = stackOf('chat');
    chat.useCharts(edited);
    const up = chat.stack(['up', '--yes', '--skip-preview']);
    expect(up.status).not.toBe(0);
    expect(up.output).toMatch(/charts-out\/chat\.k8s\.yaml \(app "chat"\) is stale: index\.json records sha256:/);
    expect(up.output).not.toMatch(/updated \(|created \(|deleted \(/);
    expect(new Set(await podImages('chat', 'backend'))).toEqual(new Set([CHANGED_IMAGE]));
    for (const s of apps.values()) s.useCharts(chartsDir);
    await upAll([stackOf('chat'), stackOf('rendezvous')]);
  }, 900_000);

  test('g. destroying one app stack keeps its data, leaves the other apps and every add-on CRD; the next up adopts the data', async () => {
    const rendezvous = appNamed('rendezvous');
    const others = index.apps.filter((a) => a.name !== 'rendezvous');
    const crdsBefore = await uidsOf(client(), 'apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    const deploymentsBefore = await uidsOf(client(), 'apps/v1', 'Deployment');
    const othersBefore = await statefulUids(client(), others);
    const dataBefore = await statefulUids(client(), [rendezvous]);
    const secretsBefore = await secrets(client(), [rendezvous]);
    expect(crdsBefore.size).toBeGreaterThan(20);

    const stack = stackOf('rendezvous');
    stack.must(['destroy', '--yes', '--skip-preview', '--exclude-protected']);
    const stateless = manifests.find(
      (m) => m.object.kind === 'Deployment' && m.object.metadata.namespace === rendezvous.namespace,
    )!;
    expect(await client().get('apps/v1', 'Deployment', 'rendezvous', stateless.object.metadata.name ?? '')).toBe(
      undefined,
    );
    expect(await uidsOf(client(), 'apiextensions.k8s.io/v1', 'CustomResourceDefinition')).toEqual(crdsBefore);
    const deploymentsAfter = await uidsOf(client(), 'apps/v1', 'Deployment');
    for (const [key, uid] of deploymentsBefore) {
      if (!key.startsWith('rendezvous/')) expect([key, deploymentsAfter.get(key)]).toEqual([key, uid]);
    }
    expect(await statefulUids(client(), others)).toEqual(othersBefore);
    const claims = [...dataBefore].filter(([k]) => !k.startsWith('StatefulSet/'));
    const kept = await statefulUids(client(), [rendezvous]);
    for (const [key, uid] of claims) expect([key, kept.get(key)]).toEqual([key, uid]);

    expect(changes(stack).filter((s) => !s.startsWith('create '))).toEqual([]);
    stack.must(['up', '--yes', '--skip-preview']);
    await waitForWorkloads(client(), workloadTargets(manifests), 120_000);
    const after = await statefulUids(client(), [rendezvous]);
    for (const [key, uid] of claims) expect([key, after.get(key)]).toEqual([key, uid]);
    expectSameSecrets(secretsBefore, await secrets(client(), [rendezvous]));
  }, 1_500_000);

  test('h. a starter-style consumer project deploys its own app stack onto the platform stack', async () => {
    const dir = consumerProject();
    const consumer = new LocalStack(kubeconfig(), {
      backend,
      name: 'dev',
      projectDir: dir,
      stackConfigDir: dir,
      settings: { platformStack: platform.reference, app: 'shop' },
    });
    consumer.init({});
    await mustAsync(consumer, ['up', '--yes', '--skip-preview']);
    const shop = readChartsIndex(join(dir, 'charts-out')).apps[0];
    await waitForWorkloads(client(), workloadTargets(loadManifestDir(join(dir, 'charts-out')).objects), 120_000);
    const ns = await client().get<Meta>('v1', 'Namespace', undefined, shop.namespace);
    expect(ns?.metadata.labels?.['app.kubernetes.io/part-of']).toBe('shop');
    expect((await secrets(client(), [shop])).size).toBe(shop.secrets.length);
    consumer.must(['up', '--yes', '--skip-preview', '--expect-no-changes']);
  }, 900_000);
});
