/**
 * `pulumi up` for real: the engine, the language host and the providers deploy every add-on the apps need and all
 * five apps onto a local control plane; then a no-op update, a construct change, a hand-edited manifest, and a
 * destroy followed by a redeploy that must keep every claim and generated password.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForClaimsBound, waitForWorkloads, workloadTargets } from '../../scripts/cluster/rollout';
import { diffManifests } from '../../scripts/lib/diff';
import { loadManifestDir } from '../../scripts/lib/manifests';
import type { ChartsIndex } from '../../platform/contract';
import { LocalStack } from '../../scripts/cluster/pulumi-stack';
import { ROOT, useLocalCluster } from './support';

const chartsDir = join(ROOT, 'charts-out');
const index = JSON.parse(readFileSync(join(chartsDir, 'index.json'), 'utf8')) as ChartsIndex;
const manifests = loadManifestDir(chartsDir).objects;
const namespaces = index.apps.map((a) => a.namespace);
const cluster = useLocalCluster();
let stack: LocalStack;

interface Meta {
  metadata: { name: string; namespace?: string; uid: string; labels?: Record<string, string> };
}
interface SecretObj extends Meta {
  data?: Record<string, string>;
}

const CHANGED_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.0';

/** Synthesizes the reference apps with context overrides into a temp dir. */
function resynth(...context: string[]): string {
  const out = mkdtempSync(join(tmpdir(), 'charts-out-'));
  execFileSync('npx', ['ts-node', '--swc', 'apps/main.ts', '--out', out, ...context.flatMap((c) => ['--context', c])], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  return out;
}

async function secrets(): Promise<Map<string, SecretObj>> {
  const client = cluster().client;
  const all = new Map<string, SecretObj>();
  for (const app of index.apps) {
    for (const s of app.secrets) {
      const live = await client.get<SecretObj>('v1', 'Secret', app.namespace, s.name);
      if (live) all.set(`${app.namespace}/${s.name}`, live);
    }
  }
  return all;
}

async function claims(): Promise<Map<string, string>> {
  const lists = await Promise.all(
    namespaces.map((ns) => cluster().client.list<Meta>('v1', 'PersistentVolumeClaim', ns)),
  );
  return new Map(lists.flat().map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c.metadata.uid]));
}

async function count(apiVersion: string, kind: string, query = ''): Promise<number> {
  const lists = await Promise.all(namespaces.map((ns) => cluster().client.list(apiVersion, kind, ns, query)));
  return lists.flat().length;
}

const inCharts = (kind: string): number => manifests.filter((m) => m.object.kind === kind).length;

beforeAll(() => {
  stack = new LocalStack(cluster().state.kubeconfig);
  stack.init({ 'meetings/bot-telegram/token': 'e2e-token' });
});
afterAll(() => stack?.remove());

describe('pulumi up on the local control plane', () => {
  test('a. from an empty cluster, one pulumi up installs every add-on and all five apps', async () => {
    const up = stack.must(['up', '--yes', '--skip-preview']);
    process.stderr.write(`first pulumi up: ${up.seconds.toFixed(0)} s\n`);
    await waitForWorkloads(cluster().client, workloadTargets(manifests), 120_000);
    expect(await waitForClaimsBound(cluster().client, namespaces, 60_000)).toBeGreaterThan(0);
    const live = await secrets();
    for (const app of index.apps) {
      for (const s of app.secrets) {
        const data = live.get(`${app.namespace}/${s.name}`)?.data ?? {};
        for (const key of s.keys)
          expect([`${app.namespace}/${s.name}/${key}`, (data[key] ?? '').length > 0]).toEqual([
            `${app.namespace}/${s.name}/${key}`,
            true,
          ]);
      }
    }
    expect(await count('monitoring.coreos.com/v1', 'ServiceMonitor')).toBe(inCharts('ServiceMonitor'));
    expect(await count('monitoring.coreos.com/v1', 'PrometheusRule')).toBe(inCharts('PrometheusRule'));
    const dashboards = manifests.filter(
      (m) => m.object.kind === 'ConfigMap' && m.object.metadata.labels?.grafana_dashboard === '1',
    );
    expect(dashboards.length).toBeGreaterThan(0);
    expect(await count('v1', 'ConfigMap', 'labelSelector=grafana_dashboard%3D1')).toBe(dashboards.length);
  }, 1_500_000);

  test('b. a second pulumi up changes nothing (--expect-no-changes)', () => {
    stack.must(['up', '--yes', '--skip-preview', '--expect-no-changes']);
  }, 600_000);

  test('c. a construct change: the preview shows exactly the changed objects, up rolls the pods, nothing is replaced', async () => {
    const changed = resynth(`chat/backend/image=${CHANGED_IMAGE}`);
    const diff = diffManifests(
      new Map([['chat.k8s.yaml', readFileSync(join(chartsDir, 'chat.k8s.yaml'), 'utf8')]]),
      new Map([['chat.k8s.yaml', readFileSync(join(changed, 'chat.k8s.yaml'), 'utf8')]]),
    );
    // What the re-synth changed, as yaml/v2 names its children: `<app>:<namespace>/<name>`.
    expect(diff.objects.map((o) => `${o.status} ${o.ref}`)).toEqual(['changed Deployment/chat/backend']);
    stack.useCharts(changed);
    // `read`: the ingress controllers' Services, looked up every run for their addresses.
    const steps = stack
      .previewSteps()
      .filter((s) => s.op !== 'same' && s.op !== 'read' && !s.urn.includes('pulumi:pulumi:Stack'));
    expect(steps.filter((s) => s.op !== 'update').map((s) => `${s.op} ${s.urn}`)).toEqual([]);
    const updated = steps.map((s) => s.urn.split('::').pop() ?? '');
    expect(updated).toEqual(['chat:chat/backend']);
    stack.must(['up', '--yes', '--skip-preview']);
    await waitForWorkloads(cluster().client, workloadTargets(loadManifestDir(changed).objects), 120_000);
    const pods = await cluster().client.list<{ spec: { containers: Array<{ image: string }> } }>(
      'v1',
      'Pod',
      'chat',
      'labelSelector=app.kubernetes.io%2Fname%3Dbackend',
    );
    expect(pods.length).toBeGreaterThan(0);
    expect(pods.every((p) => p.spec.containers.some((c) => c.image === CHANGED_IMAGE))).toBe(true);
  }, 900_000);

  test('d. a hand-edited charts-out/ file is refused before any resource changes', async () => {
    const edited = mkdtempSync(join(tmpdir(), 'charts-out-edited-'));
    cpSync(resynth(`chat/backend/image=${CHANGED_IMAGE}`), edited, { recursive: true });
    const file = join(edited, 'chat.k8s.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(CHANGED_IMAGE, 'ghcr.io/stefanprodan/podinfo:6.6.0'));
    stack.useCharts(edited);
    const up = stack.stack(['up', '--yes', '--skip-preview']);
    expect(up.status).not.toBe(0);
    expect(up.output).toMatch(/charts-out\/chat\.k8s\.yaml \(app "chat"\) is stale: index\.json records sha256:/);
    expect(up.output).not.toMatch(/updated \(|created \(|deleted \(/);
    const live = await cluster().client.get<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
      'apps/v1',
      'Deployment',
      'chat',
      'backend',
    );
    expect(live?.spec.template.spec.containers[0].image).toBe(CHANGED_IMAGE);
  }, 600_000);

  test('e. destroy keeps claims, database Secrets and stateful namespaces; the next up adopts them unchanged', async () => {
    stack.useCharts(chartsDir);
    stack.must(['up', '--yes', '--skip-preview']);
    const secretsBefore = await secrets();
    const claimsBefore = await claims();
    const nsBefore = await Promise.all(
      namespaces.map((ns) => cluster().client.get<Meta>('v1', 'Namespace', undefined, ns)),
    );
    expect(claimsBefore.size).toBeGreaterThan(0);

    stack.must(['destroy', '--yes', '--skip-preview', '--exclude-protected']);
    // What is not data is gone: a stateless Deployment of every app.
    for (const app of index.apps) {
      const stateless = manifests.find(
        (m) => m.object.kind === 'Deployment' && m.object.metadata.namespace === app.namespace,
      );
      expect(
        await cluster().client.get('apps/v1', 'Deployment', app.namespace, stateless?.object.metadata.name ?? ''),
      ).toBeUndefined();
    }
    // What is data is still there, read back from the API server.
    expect(await claims()).toEqual(claimsBefore);
    const secretsAfterDestroy = await secrets();
    for (const [key, s] of secretsBefore) expect([key, secretsAfterDestroy.get(key)?.data]).toEqual([key, s.data]);
    for (const ns of nsBefore) {
      const live = await cluster().client.get<Meta>('v1', 'Namespace', undefined, ns?.metadata.name ?? '');
      expect(live?.metadata.uid).toBe(ns?.metadata.uid);
    }

    const redeploy = stack.previewSteps().filter((s) => !['same', 'create', 'read'].includes(s.op));
    expect(redeploy.map((s) => `${s.op} ${s.urn}`)).toEqual([]);
    stack.must(['up', '--yes', '--skip-preview']);
    await waitForWorkloads(cluster().client, workloadTargets(manifests), 120_000);
    expect(await claims()).toEqual(claimsBefore);
    const secretsAfter = await secrets();
    for (const [key, s] of secretsBefore) {
      expect([key, secretsAfter.get(key)?.data]).toEqual([key, s.data]);
      expect(secretsAfter.get(key)?.metadata.uid).toBe(s.metadata.uid);
    }
  }, 2_400_000);
});
