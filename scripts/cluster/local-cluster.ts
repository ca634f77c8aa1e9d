/**
 * A throwaway Kubernetes cluster on loopback: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
 * kwok (nodes and the pod lifecycle without a kubelet), with nodes over three zones, a default StorageClass and a
 * pool of volumes. It runs only the processes it starts, stops only those, and refuses to start outside an
 * isolated network namespace (`scripts/cluster/netns.sh`), so that nothing it does can reach another host:
 * Service and pod IPs there are unroutable and every connection to them fails at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { COREDNS_ADDRESS } from './cluster-dns';
import { aggregationLayerArgs, METRICS_SERVER_ADDRESS } from './metrics-server';
import { NODE_TOOLS, startNodeServices } from './node-services';
import { mountsUnder } from './node-cleanup';
import type { RealNodeSpec } from './node-config';
import { kubeconfigYaml, makePki } from './pki';
import {
  readImageIndex,
  realNodeSpecs,
  removeNodeLeftovers,
  startRealNodes,
  stopRealNodeContainers,
} from './real-nodes';
import { ZONES, clusterObjects, realVolumeDir } from './topology';
import type { TopologyOptions } from './topology';

/** Where the tools are: `build-tools.sh` links them into `<cache>/bin`. */
export function toolsBin(): string {
  const cache =
    process.env.K8S_PLATFORM_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? '/root', '.cache'), 'k8s-platform');
  return join(cache, 'bin');
}

/** What a running cluster is: enough to use it, and to stop exactly its processes. */
export interface ClusterState {
  /** The cluster's temp dir (certificates, data, logs). */
  readonly dir: string;
  /** Path of an admin kubeconfig. */
  readonly kubeconfig: string;
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** Process ids of the components, by name. */
  readonly pids: Readonly<Record<string, number>>;
  /** The real nodes, when the cluster has some. */
  readonly realNodes?: readonly RealNodeSpec[];
}

/** Real nodes of a local cluster: kubelets with containerd running real containers (scripts/cluster/real-nodes.ts). */
export interface RealNodesStartOptions {
  /** One real node per zone. @default {@link ZONES} */
  readonly zones?: readonly string[];
  /** The image index of `build-tools.sh images`. @default `<cache>/images/index.tsv` */
  readonly imageIndex?: string;
}

/** Options of {@link startLocalCluster}. */
export interface StartOptions extends Partial<TopologyOptions> {
  /** Parent directory of the cluster's temp dir. @default os temp dir */
  readonly parentDir?: string;
  /** Directory of the binaries. @default {@link toolsBin} */
  readonly bin?: string;
  /** Log progress. @default stderr */
  readonly log?: (line: string) => void;
  /** Real nodes besides the kwok ones, with cluster DNS. @default none */
  readonly realNodes?: RealNodesStartOptions;
}

/** The pod sandbox image of the real nodes (scripts/images/images/pause.sh). */
export const SANDBOX_IMAGE = 'k8s-platform.local/pause:1';

const DEFAULTS: TopologyOptions = { nodesPerZone: 2, volumes: 40, volumeSize: '100Gi', volumeDir: '/var/empty' };
/** Pod IPs kwok hands out and Service IPs: never routed (the namespace has only loopback). */
const POD_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.96.0.0/16';
const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;

/** Throws unless this process sees no network but loopback (run it through `scripts/cluster/netns.sh`). */
export function assertIsolatedNetwork(): void {
  if (process.env.K8S_PLATFORM_NETNS_CHECK === 'off') return;
  const others = Object.keys(networkInterfaces()).filter((name) => name !== 'lo');
  if (others.length > 0) {
    throw new Error(
      `the local cluster runs only in a network namespace with nothing but loopback, and this one has ` +
        `${others.join(', ')}: start it through scripts/cluster/netns.sh (npm run e2e and npm run cluster:up do)`,
    );
  }
}

/** A free TCP port on 127.0.0.1 (free when asked: the caller binds it right away). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function missingTools(bin: string, real: boolean): string[] {
  return [...COMPONENTS, ...(real ? NODE_TOOLS : [])].filter((c) => !existsSync(join(bin, c)));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(250);
  }
  const tail = logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
  throw new Error(
    `local cluster: ${what} not ready after ${timeoutMs / 1000} s${tail ? `; last log lines:\n${tail}` : ''}`,
  );
}

/** Runs kubectl against the cluster; returns stdout, throws with kubectl's stderr. */
export function kubectl(kubeconfig: string, args: readonly string[], input?: string): string {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.error) throw new Error(`kubectl: ${r.error.message} (is kubectl on PATH?)`);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Starts the cluster and returns once nodes are Ready and the controllers have made the default ServiceAccount. */
export async function startLocalCluster(options: StartOptions = {}): Promise<ClusterState> {
  assertIsolatedNetwork();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bin = options.bin ?? toolsBin();
  const missing = missingTools(bin, options.realNodes !== undefined);
  if (missing.length > 0) {
    const targets = options.realNodes ? ' node images' : '';
    throw new Error(
      `local cluster: ${missing.join(', ')} missing in ${bin}; run: bash scripts/cluster/build-tools.sh${targets}`,
    );
  }
  const topology = { ...DEFAULTS, ...options };
  const parent = options.parentDir ?? process.env.TMPDIR ?? '/tmp';
  const dir = join(parent, `k8s-platform-cluster-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const zones = options.realNodes ? (options.realNodes.zones ?? ZONES) : [];
  const realImageIndex = options.realNodes?.imageIndex ?? join(dirname(bin), 'images', 'index.tsv');
  const specs = realNodeSpecs(dir, zones);
  const pki = makePki(
    dir,
    specs.map((n) => n.name),
  );
  const [etcdPort, etcdPeer, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all(
    Array.from({ length: 6 }, freePort),
  );
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(server, pki.caCert, pki.adminToken), { mode: 0o600 });
  const pids: Record<string, number> = {};
  const state: ClusterState = { dir, kubeconfig, server, pids, ...(specs.length > 0 ? { realNodes: specs } : {}) };
  const saveState = (): void => writeFileSync(join(dir, 'cluster.json'), `${JSON.stringify(state, null, 2)}\n`);

  const start = (key: string, binary: string, args: readonly string[]): number => {
    const out = openSync(join(dir, 'logs', `${key}.log`), 'a');
    const child = spawn(join(bin, binary), args, { cwd: dir, detached: true, stdio: ['ignore', out, out] });
    if (child.pid === undefined) throw new Error(`local cluster: could not start ${key}`);
    child.unref();
    pids[key] = child.pid;
    saveState();
    return child.pid;
  };
  const run = (name: (typeof COMPONENTS)[number], args: readonly string[]): number => start(name, name, args);
  const ok = (args: readonly string[]): boolean =>
    spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args]).status === 0;
  const authKubeconfig = ['--kubeconfig', '--authentication-kubeconfig', '--authorization-kubeconfig'].flatMap((f) => [
    f,
    kubeconfig,
  ]);

  try {
    const t0 = Date.now();
    run('etcd', [
      '--name=local',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=local=http://127.0.0.1:${etcdPeer}`,
      // A throwaway cluster: durability is not the point, speed on a small disk is.
      '--unsafe-no-fsync',
      '--quota-backend-bytes=4294967296',
    ]);
    run('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${pki.tokenFile}`,
      '--authorization-mode=Node,RBAC',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--allow-privileged=true',
      // Webhook servers would run in pods, and no container runs here: calling them could only fail. Their
      // configurations are still created and validated; what they would mutate or refuse is not exercised.
      '--disable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
      '--profiling=false',
      // Logs and exec of pods on real nodes: the kubelets trust this client certificate (system:masters).
      `--kubelet-client-certificate=${pki.kubeletClientCert}`,
      `--kubelet-client-key=${pki.kubeletClientKey}`,
      '--kubelet-preferred-address-types=InternalIP',
      ...aggregationLayerArgs(pki),
    ]);
    await waitFor(
      'kube-apiserver',
      () => ok(['get', '--raw', '/readyz']),
      60_000,
      join(dir, 'logs', 'kube-apiserver.log'),
    );
    run('kube-controller-manager', [
      ...authKubeconfig,
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      '--use-service-account-credentials',
      '--controllers=*',
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
    ]);
    run('kube-scheduler', [
      ...authKubeconfig,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
    ]);
    // kwok's own stages (nodes, pods, from build-tools.sh) and the project's (scripts/cluster/stages).
    const stagesDir = join(__dirname, 'stages');
    const stages = [join(bin, 'stages.yaml'), ...readdirSync(stagesDir).map((f) => join(stagesDir, f))];
    writeFileSync(join(dir, 'stages.yaml'), stages.map((f) => readFileSync(f, 'utf8')).join('\n---\n'));
    run('kwok', [
      `--kubeconfig=${kubeconfig}`,
      `--config=${join(dir, 'stages.yaml')}`,
      // Renew node leases, as a kubelet does: without them the node controller marks the nodes Unknown after
      // its grace period and every pod on them NotReady.
      '--node-lease-duration-seconds=40',
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--cidr=${POD_CIDR}`,
      '--node-ip=10.243.0.1',
      `--server-address=127.0.0.1:${kwokPort}`,
    ]);
    kubectl(
      kubeconfig,
      ['create', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: clusterObjects(topology, dir, specs) }),
    );
    if (specs.length > 0) {
      for (let i = 1; i <= topology.volumes; i++) mkdirSync(realVolumeDir(dir, i), { recursive: true });
      await startRealNodes(
        { dir, server, caCert: pki.caCert, nodeTokens: pki.nodeTokens, proxyToken: pki.proxyToken, run: start, log },
        {
          zones,
          sandboxImage: SANDBOX_IMAGE,
          imageIndex: realImageIndex,
        },
      );
    }
    await waitFor(
      'nodes',
      // One read of every node (`kubectl wait --all --timeout=1s` waits on them one by one: too slow for dozens).
      () => allNodesReady(kubeconfig, topology.nodesPerZone * ZONES.length + specs.length),
      90_000,
      join(dir, 'logs', specs.length > 0 ? `kubelet-${zones[0]}.log` : 'kwok.log'),
    );
    await waitFor(
      'kube-controller-manager (default ServiceAccount)',
      () => ok(['-n', 'default', 'get', 'serviceaccount', 'default']),
      60_000,
      join(dir, 'logs', 'kube-controller-manager.log'),
    );
    if (specs.length > 0) {
      // The namespace has no default route: without one to the Service CIDR, a connection from here (the tests,
      // the DNS check, the aggregation layer) to a Service IP fails before kube-proxy's DNAT sees it. Pods route
      // through their bridge.
      spawnSync('ip', ['route', 'replace', SERVICE_CIDR, 'dev', 'lo']);
      await startNodeServices(
        {
          dir,
          server,
          pki,
          serviceCidr: SERVICE_CIDR,
          run: start,
          apply: (items) =>
            kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items })),
        },
        specs,
        readImageIndex(realImageIndex),
      );
    }
    log(`local cluster ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${server}, kubeconfig ${kubeconfig}`);
    return state;
  } catch (error) {
    // E2E_KEEP_CLUSTER_DIR=1 keeps the logs of a cluster that failed to start, to read them.
    stopLocalCluster(state, process.env.E2E_KEEP_CLUSTER_DIR === '1');
    throw error;
  }
}

/** True when the cluster has `count` nodes and every one is Ready. */
function allNodesReady(kubeconfig: string, count: number): boolean {
  const r = spawnSync(
    'kubectl',
    [
      '--kubeconfig',
      kubeconfig,
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
    ],
    { encoding: 'utf8' },
  );
  const statuses = r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
  return statuses.length === count && statuses.every((s) => s === 'True');
}

/** True when `pid` is still one of this cluster's processes (a pid can be reused once its process is gone). */
function ours(pid: number, dir: string): boolean {
  try {
    // Every component is started with a path inside the cluster's dir on its command line.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
  } catch {
    return false;
  }
}

/** Stops the cluster's processes (and only those), then removes its temp dir unless `keepDir`. */
export function stopLocalCluster(state: ClusterState, keepDir = false): void {
  // Real nodes: their containers first, through containerd, while it still runs.
  const containerIds = state.realNodes ? stopRealNodeContainers(state.realNodes) : [];
  const alive = [...Object.values(state.pids), ...strays(state.dir)].filter((pid) => ours(pid, state.dir));
  for (const pid of alive) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  while (alive.some((pid) => ours(pid, state.dir)) && Date.now() < deadline) spawnSync('sleep', ['0.2']);
  for (const pid of alive.filter((p) => ours(p, state.dir))) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (state.realNodes) {
    const failed = removeNodeLeftovers(
      state.dir,
      containerIds,
      [...state.realNodes.map((n) => n.ip), COREDNS_ADDRESS, METRICS_SERVER_ADDRESS],
      join(toolsBin(), 'kube-proxy'),
    );
    if (failed.length > 0) process.stderr.write(`local cluster: could not unmount ${failed.join('; ')}\n`);
    spawnSync('ip', ['route', 'del', SERVICE_CIDR, 'dev', 'lo']);
  }
  if (!keepDir && mountsUnder(state.dir).length === 0) rmSync(state.dir, { recursive: true, force: true });
}

/** Processes the cluster did not start itself but that belong to it (containerd's shims name its socket). */
function strays(dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid !== process.pid && ours(pid, dir));
}

/** Reads the state a running cluster wrote into its dir. */
export function readClusterState(dir: string): ClusterState {
  return JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterState;
}
