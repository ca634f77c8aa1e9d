/**
 * Runs an edge matrix (edge-matrix.ts) on the real nodes: each probe of an app workload from an ephemeral container
 * in one of its pods (the pod's own network identity: its labels, namespace and ServiceAccount, under the restricted
 * profile), with the workload container's env (the deploy-time Secrets it names) for the logins; each probe of an
 * identity from the prober container of its pod. The "outside" addresses are listeners of this process in the
 * cluster's network namespace.
 */
import { containerSecurityContext } from '../../platform/core/security';
import { spawnSync } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { kubectl } from '../../scripts/cluster/local-cluster';
import type { KubeClient } from '../../scripts/cluster/kube-client';
import type { KubeObject } from '../../scripts/lib/manifests';
import { kubectlAsync, pollUntil } from './support';
import type { PlatformChart } from '../../platform';
import {
  identities,
  NODE_SOURCE,
  OUTSIDE,
  planEdgeMatrix,
  type Env,
  type Identity,
  type Observed,
  type Probe,
  withControls,
} from './edge-matrix';

/**
 * The image of every prober: Debian's bash, coreutils' timeout, psql and python3 with pika (built by scripts/images).
 */
export const PROBER_IMAGE = 'postgres:16.4';
/** mongosh, for the MongoDB logins. */
const MONGO_IMAGE = 'mongo:7.0.14';
/** What each identity pod serves, so that it can be a target too. */
const LISTENER_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const PROBE_SECONDS = 3;
/** A mongosh login's bound. */
const MONGOSH_SECONDS = 90;

/** The probes' containers: the restricted profile (writable root: psql and mongosh write their history). */
const RESTRICTED = containerSecurityContext(false);

/** Listens on the outside addresses (added to the namespace's loopback); returns how to stop. */
export async function startOutsideListeners(): Promise<() => void> {
  const servers: Server[] = [];
  for (const o of Object.values(OUTSIDE)) {
    spawnSync('ip', ['addr', 'add', `${o.ip}/32`, 'dev', 'lo']);
    for (const port of o.ports) {
      const server = createServer((socket) => socket.end());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, o.ip, resolve);
      });
      servers.push(server);
    }
  }
  return () => {
    for (const s of servers) s.close();
    for (const o of Object.values(OUTSIDE)) spawnSync('ip', ['addr', 'del', `${o.ip}/32`, 'dev', 'lo']);
  };
}

const identityPod = (id: Identity) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `edge-${id.name}`, namespace: id.namespace, labels: { ...id.labels, 'edge-matrix': id.name } },
  spec: {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
    terminationGracePeriodSeconds: 1,
    containers: [
      { name: 'prober', image: PROBER_IMAGE, command: ['sleep', 'infinity'] },
      { name: 'listener', image: LISTENER_IMAGE, command: ['/home/app/podinfo', '--port=9898'] },
    ].map((c) => ({
      ...c,
      securityContext: RESTRICTED,
      resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    })),
  },
});

/** Creates the identity pods (and their namespaces); returns once all are Ready. */
export function createIdentities(kubeconfig: string): void {
  const objects = identities().flatMap((id) => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: id.namespace } },
    identityPod(id),
  ]);
  kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  for (const id of identities()) {
    kubectl(kubeconfig, ['-n', id.namespace, 'wait', '--for=condition=Ready', `pod/edge-${id.name}`, '--timeout=120s']);
  }
}

export interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { name: string; env?: unknown[] }[] };
  status?: {
    podIP?: string;
    conditions?: { type: string; status: string }[];
    ephemeralContainerStatuses?: { name: string; state?: { terminated?: { exitCode?: number } } }[];
  };
}

/** The Ready pods that `selector` selects in `namespace`. */
export const readyPods = async (client: KubeClient, namespace: string, selector: Record<string, string>) =>
  (
    await client.list<Pod>(
      'v1',
      'Pod',
      namespace,
      `labelSelector=${encodeURIComponent(
        Object.entries(selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      )}`,
    )
  ).filter(
    (p) =>
      !p.metadata.deletionTimestamp &&
      p.status?.podIP &&
      p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );

/** One bash line per probe: prints `RESULT <index> connect|refused [detail]`. */
export function probeScript(probes: readonly { index: number; host: string; probe: Probe }[]): string {
  const lines = probes.map(({ index, host, probe }) => {
    const tcp = `timeout ${PROBE_SECONDS} bash -c 'exec 3<>/dev/tcp/${host}/${probe.port}' 2>/dev/null`;
    const login = probe.login;
    if (!login) return `if ${tcp}; then echo "RESULT ${index} connect"; else echo "RESULT ${index} refused"; fi`;
    const v = (suffix: string) => `"\${${login.prefix}_${suffix}}"`;
    const check =
      login.engine === 'postgres'
        ? `out=$(PGCONNECT_TIMEOUT=${PROBE_SECONDS} PGPASSWORD=${v('PASSWORD')} psql -h ${host} -p ${probe.port} ` +
          `-U ${v('USER')} -d ${v('DB')} -tAc 'select 1' 2>&1); rc=$?; [ "$out" = 1 ]`
        : login.engine === 'redis'
          ? `out=$(timeout ${PROBE_SECONDS} bash -c 'exec 3<>/dev/tcp/${host}/${probe.port}; ` +
            `printf "AUTH %s\\r\\nPING\\r\\n" "$1" >&3; head -c 12 <&3' _ ${v('PASSWORD')} 2>&1 | tr -d '\\r' | tr '\\n' ' '); rc=$?; ` +
            `[ "$out" = "+OK +PONG " ]`
          : // mongosh (Node.js) takes seconds to start, many on a loaded machine with several starting at once.
            `out=$(timeout ${MONGOSH_SECONDS} mongosh ${v('URL')} --quiet --eval 'db.runCommand({ ping: 1 }).ok' 2>&1); rc=$?; ` +
            `[ "$out" = 1 ]`;
    // A login that fails where the port connects is reported with its exit status and the engine's words (never
    // the password; 124 is timeout's).
    return (
      `if ${tcp}; then if ${check}; then echo "RESULT ${index} connect"; else ` +
      `echo "RESULT ${index} refused login failed (exit $rc): $(echo "$out" | head -c 200 | tr '\\n' ' ')"; fi; ` +
      `else echo "RESULT ${index} refused"; fi`
    );
  });
  return lines.join('\n');
}

/** Opens a TCP connection from this process (the node's network namespace, as the kubelet's probes do). */
function connectsFromNode(host: string, port: number): Promise<'connect' | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_SECONDS * 1000 });
    const done = (r: 'connect' | 'refused') => {
      socket.destroy();
      resolve(r);
    };
    socket.once('connect', () => done('connect'));
    socket.once('timeout', () => done('refused'));
    socket.once('error', () => done('refused'));
  });
}

/** What one probe saw. */
type Outcome = { readonly observed: 'connect' | 'refused'; readonly detail?: string };

function parseResults(out: string, count: number): Map<number, Outcome> {
  const results = new Map<number, Outcome>();
  for (const m of out.matchAll(/^RESULT (\d+) (connect|refused)(?: (.*))?$/gm)) {
    results.set(Number(m[1]), { observed: m[2] as 'connect' | 'refused', ...(m[3] ? { detail: m[3] } : {}) });
  }
  if (results.size !== count) throw new Error(`edge matrix: ${results.size} of ${count} probes reported:\n${out}`);
  return results;
}

let ephemeralCount = 0;

/** Runs `script` in a new ephemeral container of `pod` (its env too); resolves with its log. */
export async function ephemeral(client: KubeClient, kubeconfig: string, pod: Pod, image: string, script: string) {
  const name = `edge-probe-${Date.now().toString(36)}-${(ephemeralCount += 1)}`;
  // mongosh writes its history under HOME: a writable one.
  const env = [...(pod.spec.containers[0]?.env ?? []), { name: 'HOME', value: '/tmp' }];
  const patch = {
    spec: {
      ephemeralContainers: [
        { name, image, command: ['bash', '-c', script], env, securityContext: RESTRICTED, stdin: false, tty: false },
      ],
    },
  };
  const ns = pod.metadata.namespace;
  await kubectlAsync(kubeconfig, [
    '-n',
    ns,
    'patch',
    'pod',
    pod.metadata.name,
    '--subresource=ephemeralcontainers',
    '--type=strategic',
    '-p',
    JSON.stringify(patch),
  ]);
  let last: unknown;
  await pollUntil(
    async () => {
      const live = await client.get<Pod>('v1', 'Pod', ns, pod.metadata.name);
      last = live?.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state;
      return (last as { terminated?: object } | undefined)?.terminated;
    },
    () =>
      `edge matrix: the ephemeral container ${name} of ${ns}/${pod.metadata.name} did not end: ${JSON.stringify(last)}`,
    180_000,
  );
  return kubectlAsync(kubeconfig, ['-n', ns, 'logs', pod.metadata.name, '-c', name]);
}

/**
 * Runs the probes of an app in `namespace` whose workloads' pods `selectors` select: the probes of each source
 * together, every source at once. Resolves with every probe's outcome (in the probes' order), controls marked.
 */
export async function runEdgeMatrix(
  client: KubeClient,
  kubeconfig: string,
  namespace: string,
  selectors: Readonly<Record<string, Readonly<Record<string, string>>>>,
  probes: readonly Probe[],
): Promise<Observed[]> {
  const ids = new Map(identities().map((i) => [i.name, i]));
  const podIp = new Map<string, string>();
  for (const [name, selector] of Object.entries(selectors)) {
    const ip = (await readyPods(client, namespace, selector))[0]?.status?.podIP;
    if (ip) podIp.set(name, ip);
  }
  const bystander = ids.get('bystander');
  if (bystander) {
    const ip = (await readyPods(client, bystander.namespace, { 'edge-matrix': 'bystander' }))[0]?.status?.podIP;
    if (ip) podIp.set('bystander', ip);
  }
  const hostOf = (p: Probe): string => {
    const a = p.address;
    if (a.kind === 'service') return a.host;
    if (a.kind === 'ip') return a.ip;
    const ip = podIp.get(a.workload);
    if (!ip) throw new Error(`edge matrix: no Ready pod of ${a.workload} to probe`);
    return ip;
  };
  const indexed = probes.map((probe, index) => ({ index, probe, host: hostOf(probe) }));
  const sources = [...new Set(probes.map((p) => p.source))];
  // Every source at once: each in its own pod (or this process), so they do not disturb one another.
  const results = await Promise.all(
    sources.map(async (source) => {
      const mine = indexed.filter((p) => p.probe.source === source);
      const id = ids.get(source);
      if (source === NODE_SOURCE) {
        return Promise.all(
          mine.map(async (p) => [p.index, { observed: await connectsFromNode(p.host, p.probe.port) }] as const),
        );
      }
      if (id) {
        const args = ['-n', id.namespace, 'exec', `edge-${id.name}`, '-c', 'prober', '--', 'bash', '-c'];
        return [...parseResults(await kubectlAsync(kubeconfig, [...args, probeScript(mine)]), mine.length)];
      }
      const selector = selectors[source];
      const pod = selector ? (await readyPods(client, namespace, selector))[0] : undefined;
      if (!pod) throw new Error(`edge matrix: no Ready pod of ${source} to probe from`);
      const mongo = mine.filter((p) => p.probe.login?.engine === 'mongodb');
      const rest = mine.filter((p) => p.probe.login?.engine !== 'mongodb');
      // One ephemeral container per image, one after another: a pod's ephemeral containers are added by patches
      // of one list.
      const out: (readonly [number, Outcome])[] = [];
      for (const [image, group] of [
        [PROBER_IMAGE, rest],
        [MONGO_IMAGE, mongo],
      ] as const) {
        if (group.length === 0) continue;
        out.push(...parseResults(await ephemeral(client, kubeconfig, pod, image, probeScript(group)), group.length));
      }
      return out;
    }),
  );
  const byIndex = new Map<number, Outcome>(results.flat());
  const observed = indexed.flatMap((p) => {
    const r = byIndex.get(p.index);
    return r ? [{ ...p.probe, ...r }] : [];
  });
  return withControls(observed);
}

interface Policy {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    ingress?: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[];
  };
}

const selects = (selector: Record<string, string> | undefined, labels: Readonly<Record<string, string>>) =>
  selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * The NetworkPolicy (of `manifests`) that selects the pods of `to`, and the same policy without the ingress rules
 * that admit `from`'s pods: what a mistake in the derivation would produce.
 */
export function withoutIngressRule(
  objects: readonly KubeObject[],
  from: Readonly<Record<string, string>>,
  to: Readonly<Record<string, string>>,
): { original: KubeObject; broken: KubeObject; removed: number } {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as Policy[];
  const original = policies.find((p) => selects(p.spec.podSelector.matchLabels, to));
  if (!original) throw new Error(`edge matrix: no NetworkPolicy selects ${JSON.stringify(to)}`);
  const ingress = original.spec.ingress ?? [];
  const kept = ingress.filter(
    (rule) => !(rule.from ?? []).some((peer) => selects(peer.podSelector?.matchLabels, from)),
  );
  const broken = { ...original, spec: { ...original.spec, ingress: kept } };
  return {
    original: original as unknown as KubeObject,
    broken: broken as unknown as KubeObject,
    removed: ingress.length - kept.length,
  };
}

/** Runs one probe from its workload until it is `expected` (kube-router applies a policy change within seconds). */
async function probeUntil(
  client: KubeClient,
  kubeconfig: string,
  namespace: string,
  selectors: Readonly<Record<string, Readonly<Record<string, string>>>>,
  probe: Probe,
  expected: 'connect' | 'refused',
  attempts = 6,
): Promise<Observed> {
  let last: Observed | undefined;
  for (let i = 0; i < attempts; i++) {
    [last] = await runEdgeMatrix(client, kubeconfig, namespace, selectors, [probe]);
    if (last?.observed === expected) return last;
    await new Promise((r) => setTimeout(r, 2000));
  }
  if (!last) throw new Error('edge matrix: the probe reported nothing');
  return last;
}

/**
 * The negative control of an app's matrix: its first declared edge probed with the ingress rule derived for it
 * removed from the live policy (refused, or the matrix proves nothing), then with the policy restored (connects).
 */
export async function ingressRuleControl(
  client: KubeClient,
  kubeconfig: string,
  namespace: string,
  chart: PlatformChart,
  app: { readonly objects: readonly KubeObject[]; readonly envOf: (workload: string) => Env },
): Promise<{ edge: string; without: Observed['observed']; restored: Observed['observed'] }> {
  // The first edge between workloads (a database backup's edge is its CronJob's, probed by the backup drill).
  const edge = chart.graphEdges.find((e) => chart.graphNodes.includes(e.from));
  if (!edge) throw new Error(`edge matrix: ${chart.appName} declares no edge`);
  const probe = planEdgeMatrix(chart, namespace, app.envOf).find(
    (p) => p.source === edge.from.name && p.expect === 'connect' && p.target.startsWith(`${edge.to.name}:`),
  );
  if (!probe) throw new Error(`edge matrix: no probe of ${edge.from.name} -> ${edge.to.name}`);
  const selectors = Object.fromEntries(chart.graphNodes.map((n) => [n.name, n.selector]));
  const { original, broken, removed } = withoutIngressRule(app.objects, edge.from.selector, edge.to.selector);
  if (removed === 0)
    throw new Error(`edge matrix: no ingress rule of ${original.metadata.name} admits ${edge.from.name}`);
  await client.apply(broken);
  const without = await probeUntil(client, kubeconfig, namespace, selectors, probe, 'refused');
  await client.apply(original);
  const restored = await probeUntil(client, kubeconfig, namespace, selectors, probe, 'connect');
  return { edge: `${probe.source} -> ${probe.target}`, without: without.observed, restored: restored.observed };
}
