/**
 * What the runtime suites need on top of support.ts: an app deployed as the program deploys it (its Secrets with
 * generated passwords first), the live state of its pods' containers, and, when something is not Ready, the
 * kubelet's and the program's own words: the pod's events and the last lines of each container's log.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { ChartsIndex } from '../../platform/contract';
import type { KubeClient } from '../../scripts/cluster/kube-client';
import { kubectl } from '../../scripts/cluster/local-cluster';
import type { KubeObject, ManifestObject } from '../../scripts/lib/manifests';
import { loadManifestDir } from '../../scripts/lib/manifests';
import { applyAll, ROOT } from './support';
import { readChartsIndex } from '../../platform/cloud/charts-index';

export const CHARTS_DIR = join(ROOT, 'charts-out');
export type AppEntry = ChartsIndex['apps'][number];

/** charts-out/index.json and every object of charts-out/. */
export function chartsOut(): { index: ChartsIndex; manifests: ManifestObject[] } {
  return {
    index: readChartsIndex(CHARTS_DIR),
    manifests: loadManifestDir(CHARTS_DIR).objects,
  };
}

/** Every image reference of charts-out/ (containers and init containers), sorted. */
export function imageReferences(manifests: readonly ManifestObject[]): string[] {
  const refs = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'image' && typeof x === 'string') refs.add(x);
        else visit(x);
      }
    }
  };
  manifests.forEach((m) => visit(m.object));
  return [...refs].sort();
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Length and alphabet of the program's generated passwords (platform/cloud/app-deployment.ts: no specials). */
const PASSWORD_LENGTH = 32;

/** The Secrets an app expects, as `pulumi up` makes them: a generated password for every generated key. */
export function appSecrets(app: AppEntry): KubeObject[] {
  const password = (): string => Array.from({ length: PASSWORD_LENGTH }, () => ALPHANUMERIC[randomInt(62)]).join('');
  return app.secrets.map((s) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: s.name, namespace: app.namespace },
    type: 'Opaque',
    stringData: Object.fromEntries(s.keys.map((k) => [k, password()])),
  }));
}

/** Applies one app as the program does: its Namespace, its Secrets, then the rest of its objects. */
export async function deployApp(client: KubeClient, app: AppEntry, manifests: readonly ManifestObject[]) {
  const objects = manifests
    .filter(
      (m) =>
        m.object.metadata.namespace === app.namespace ||
        (m.object.metadata.name === app.namespace && m.object.kind === 'Namespace'),
    )
    .map((m) => m.object);
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  const rest = objects.filter((o) => o.kind !== 'Namespace');
  return applyAll(client, [...namespaces, ...appSecrets(app), ...rest]);
}

/** One container of a live pod. */
export interface LiveContainer {
  readonly pod: string;
  readonly container: string;
  readonly node: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly image: string;
  /** Why its last run ended, in the runtime's words (empty when it never ended). */
  readonly lastMessage: string;
  /** Its state in the kubelet's words (`running`, `waiting: CrashLoopBackOff ...`, `terminated: Error (exit 1)`). */
  readonly state: string;
}

interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: {
    running?: object;
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number; message?: string };
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number; message?: string } };
}

export interface LivePod {
  metadata: { name: string; namespace: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: Array<{ name: string; image: string }> };
  status?: { phase?: string; containerStatuses?: ContainerStatus[] };
}

function stateOf(s: ContainerStatus | undefined): string {
  if (!s?.state) return 'no status';
  if (s.state.running) return 'running';
  if (s.state.waiting) return `waiting: ${s.state.waiting.reason ?? ''} ${s.state.waiting.message ?? ''}`.trim();
  const t = s.state.terminated;
  return `terminated: ${t?.reason ?? ''} (exit ${t?.exitCode ?? '?'}) ${t?.message ?? ''}`.trim();
}

/** Every container the namespace's pods ask for, with its live state (pods being deleted are left out). */
export async function liveContainers(client: KubeClient, namespace: string): Promise<LiveContainer[]> {
  const pods = await client.list<LivePod>('v1', 'Pod', namespace);
  return pods
    .filter((p) => !p.metadata.deletionTimestamp)
    .flatMap((p) =>
      p.spec.containers.map((c) => {
        const s = p.status?.containerStatuses?.find((x) => x.name === c.name);
        return {
          pod: p.metadata.name,
          container: c.name,
          node: p.spec.nodeName ?? '',
          ready: s?.ready ?? false,
          restarts: s?.restartCount ?? 0,
          image: c.image,
          lastMessage: s?.lastState?.terminated?.message ?? '',
          state: stateOf(s),
        };
      }),
    );
}

/**
 * For each container given: pod and container, its state, the pod's events (scheduling, probes, kills) and the
 * last log lines of the container (and of its previous run, when it restarted).
 */
export function explain(kubeconfig: string, namespace: string, containers: readonly LiveContainer[]): string {
  const quiet = (args: string[]): string => {
    try {
      return kubectl(kubeconfig, args).trim();
    } catch (error) {
      return `(${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    }
  };
  const indent = (s: string): string =>
    s
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n');
  return containers
    .map((c) => {
      const events = quiet([
        '-n',
        namespace,
        'get',
        'events',
        '--field-selector',
        `involvedObject.name=${c.pod}`,
        '-o',
        'custom-columns=TYPE:.type,REASON:.reason,COUNT:.count,MESSAGE:.message',
        '--no-headers',
      ]);
      const logs = quiet(['-n', namespace, 'logs', c.pod, '-c', c.container, '--tail=15']);
      const previous =
        c.restarts > 0 ? quiet(['-n', namespace, 'logs', c.pod, '-c', c.container, '--previous', '--tail=15']) : '';
      return [
        `${namespace}/${c.pod} container ${c.container} on ${c.node || '(unscheduled)'}: ${c.ready ? 'Ready' : 'not Ready'}, ${c.restarts} restarts, ${c.state}`,
        `    events:\n${indent(events || '(none)')}`,
        `    last log lines:\n${indent(logs || '(empty)')}`,
        ...(previous ? [`    previous run's last log lines:\n${indent(previous)}`] : []),
      ].join('\n');
    })
    .join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `expected` containers are listed in the namespace and all are Ready (or `excused`: a stand-in limit
 * shows); returns the last state seen
 * (the caller asserts on it, with {@link explain} for the ones that are not).
 */
export async function waitAllReady(
  client: KubeClient,
  namespace: string,
  expected: number,
  timeoutMs: number,
  excused: (c: LiveContainer) => boolean = () => false,
): Promise<LiveContainer[]> {
  const deadline = Date.now() + timeoutMs;
  let last: LiveContainer[] = [];
  while (Date.now() < deadline) {
    last = await liveContainers(client, namespace);
    if (last.length === expected && last.every((c) => c.ready || excused(c))) return last;
    await sleep(2000);
  }
  return last;
}

/** Removes an app's namespace, its pods at once (their real containers are stopped by the kubelets). */
export async function removeApp(kubeconfig: string, client: KubeClient, namespace: string, timeoutMs = 120_000) {
  kubectl(kubeconfig, ['-n', namespace, 'delete', 'pods', '--all', '--grace-period=0', '--force', '--wait=false']);
  kubectl(kubeconfig, ['delete', 'namespace', namespace, '--wait=false']);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await client.list<LivePod>('v1', 'Pod', namespace)).length === 0) return;
    await sleep(1000);
  }
  throw new Error(`namespace ${namespace}: pods still there after ${timeoutMs / 1000} s`);
}
