/**
 * Real nodes for the local cluster: per zone a kubelet with its own containerd (root, state, socket), its own pod
 * CIDR and CNI bridge, and its own InternalIP (on loopback), all inside the cluster's network namespace; one
 * kube-proxy for that namespace (its iptables are shared by the nodes); the images of `build-tools.sh images`
 * imported into every node's containerd under their exact references (nothing is pulled).
 *
 * Every container, mount, network device and cgroup the nodes make is removed when the cluster stops
 * ({@link stopRealNodeContainers}, then {@link removeNodeLeftovers}); when the run is killed instead, the PID, mount
 * and network namespaces of scripts/cluster/netns.sh take the processes, mounts and devices with them. What that
 * leaves is the containers' empty cgroups (containerd puts each at `/k8s.io/<container id>` in every hierarchy).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cniConflist, containerdToml, kubeletArgs, kubeletConfig, nodePaths, type RealNodeSpec } from './node-config';
import { CLUSTER_DNS_IP } from './cluster-dns';
import { kubeconfigYaml } from './pki';
import { removeNodeLeftovers } from './node-cleanup';
import { runAsync } from './run-async';

/** What {@link startRealNodes} needs from the control plane it joins. */
export interface JoinTarget {
  /** The cluster's directory (the nodes live in `<dir>/nodes/<name>`). */
  readonly dir: string;
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  readonly caCert: string;
  readonly nodeTokens: Readonly<Record<string, string>>;
  readonly proxyToken: string;
  /** Starts a process and records its pid as the cluster's (so stopLocalCluster stops it). */
  readonly run: (key: string, binary: string, args: readonly string[]) => number;
  readonly log: (line: string) => void;
}

/** Options of {@link startRealNodes}. */
export interface RealNodesOptions {
  /** One node per zone. */
  readonly zones: readonly string[];
  /** `reference<TAB>tar` lines of the images to import (build-tools.sh images writes `<cache>/images/index.tsv`). */
  readonly imageIndex: string;
  /** The image containerd starts as each pod's sandbox. */
  readonly sandboxImage: string;
  /** Directory of the CNI plugins. @default /usr/lib/cni (Debian's containernetworking-plugins) */
  readonly cniBinDir?: string;
}

/** Pod CIDRs of the real nodes: `10.244.<100 + i>.0/24`, beside the kwok nodes' (which kwok takes from 10.244.0.0/16 low). */
const podCidr = (i: number): string => `10.244.${100 + i}.0/24`;
const nodeIp = (i: number): string => `10.242.0.${i + 1}`;

/** The specs of the real nodes of a cluster in `dir`. */
export function realNodeSpecs(dir: string, zones: readonly string[]): RealNodeSpec[] {
  return zones.map((zone, i) => ({
    name: `node-${zone}`,
    zone,
    ip: nodeIp(i),
    podCidr: podCidr(i),
    bridge: `k8sp-br${i}`,
    dir: join(dir, 'nodes', `node-${zone}`),
  }));
}

function sh(cmd: string, args: readonly string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`real nodes: ${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`real nodes: ${what}: ${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** `reference -> tar` of an image index file; throws naming what is missing. */
export function readImageIndex(file: string): Map<string, string> {
  if (!existsSync(file)) {
    throw new Error(
      `real nodes: no image index at ${file}; build the images: bash scripts/cluster/build-tools.sh images`,
    );
  }
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string]);
  return new Map(entries);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Imports every tar of the index (each once) into the containerd at `socket`, unpacked for overlayfs. */
async function importImages(socket: string, images: Map<string, string>): Promise<void> {
  const tars = new Map([...images].map(([ref, tar]) => [tar, ref]));
  for (const [tar, ref] of tars) {
    // The tar's index names the image by its normalized reference (scripts/images/oci.sh), as the kubelet asks.
    const r = await runAsync('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'import', tar]);
    if (r.code !== 0)
      throw new Error(`real nodes: importing ${ref} from ${tar} into ${socket}: ${(r.stdout + r.stderr).trim()}`);
  }
}

/** Sets up the namespace (forwarding between the bridges), then starts containerd on every node and imports images. */
export async function startRealNodes(target: JoinTarget, options: RealNodesOptions): Promise<RealNodeSpec[]> {
  const specs = realNodeSpecs(target.dir, options.zones);
  const images = readImageIndex(options.imageIndex);
  if (!images.has(options.sandboxImage)) {
    throw new Error(`real nodes: the sandbox image ${options.sandboxImage} is not in ${options.imageIndex}`);
  }
  // Pods on different nodes reach each other through the namespace's routing between the bridges; Services
  // through kube-proxy's DNAT, which must also see traffic between two pods of one bridge.
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  if (existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
    writeFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', '1');
  }
  specs.forEach((spec) => {
    const p = nodePaths(spec);
    for (const d of [spec.dir, p.cniConfDir, p.kubeletRoot]) mkdirSync(d, { recursive: true });
    // On loopback (the kernel here has no dummy devices): a local address of the namespace, as a node's own IP is.
    sh('ip', ['addr', 'add', `${spec.ip}/32`, 'dev', 'lo'], `the InternalIP of ${spec.name}`);
    writeFileSync(p.containerdConfig, containerdToml(spec, options.sandboxImage, options.cniBinDir ?? '/usr/lib/cni'));
    writeFileSync(join(p.cniConfDir, '10-bridge.conflist'), cniConflist(spec));
    // Pods with dnsPolicy Default get this; ClusterFirst pods get the cluster DNS (no upstream resolver here).
    writeFileSync(p.resolvConf, `nameserver ${CLUSTER_DNS_IP}\n`);
    writeFileSync(p.kubeletConfig, kubeletConfig(spec, { caCert: target.caCert, clusterDns: CLUSTER_DNS_IP }));
    const token = target.nodeTokens[spec.name];
    if (!token) throw new Error(`real nodes: no kubelet token for ${spec.name} (makePki was not given its name)`);
    writeFileSync(p.kubeletKubeconfig, kubeconfigYaml(target.server, target.caCert, token), { mode: 0o600 });
    target.run(`containerd-${spec.zone}`, 'containerd', [`--config=${p.containerdConfig}`]);
  });
  const t0 = Date.now();
  await Promise.all(
    specs.map(async (spec) => {
      const socket = nodePaths(spec).socket;
      const deadline = Date.now() + 30_000;
      while ((await runAsync('ctr', ['--address', socket, 'version'])).code !== 0) {
        if (Date.now() > deadline)
          throw new Error(`real nodes: containerd of ${spec.name} did not start (see its log)`);
        await sleep(250);
      }
      await importImages(socket, images);
    }),
  );
  target.log(
    `real nodes: ${images.size} images imported into ${specs.length} containerds in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  for (const spec of specs) target.run(`kubelet-${spec.zone}`, 'kubelet', kubeletArgs(spec));
  const proxyKubeconfig = join(target.dir, 'kube-proxy.kubeconfig');
  writeFileSync(proxyKubeconfig, kubeconfigYaml(target.server, target.caCert, target.proxyToken), { mode: 0o600 });
  target.run('kube-proxy', 'kube-proxy', kubeProxyArgs(proxyKubeconfig, specs[0]));
  return specs;
}

/** kube-proxy in iptables mode for the namespace: Services of every node (they share the namespace's netfilter). */
function kubeProxyArgs(kubeconfig: string, first: RealNodeSpec | undefined): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    '--proxy-mode=iptables',
    `--hostname-override=${first?.name ?? 'none'}`,
    '--cluster-cidr=10.244.0.0/16',
    '--bind-address=127.0.0.1',
    // No health or metrics server: nothing reads them here.
    '--healthz-bind-address=',
    '--metrics-bind-address=',
    // The conntrack table is the machine's: leave its size alone.
    '--conntrack-max-per-core=0',
    '--conntrack-tcp-timeout-close-wait=0s',
    '--conntrack-tcp-timeout-established=0s',
  ];
}

/**
 * Stops the nodes' containers: each task killed and deleted through its containerd, which removes its cgroups and
 * mounts. Call while containerd runs; returns the ids of every container the nodes had, for
 * {@link removeNodeLeftovers} to remove the cgroups of any that could not be deleted.
 */
export function stopRealNodeContainers(specs: readonly RealNodeSpec[]): string[] {
  const ids: string[] = [];
  for (const spec of specs) {
    const socket = nodePaths(spec).socket;
    if (!existsSync(socket)) continue;
    const ctr = (...args: string[]) =>
      spawnSync('ctr', ['--address', socket, '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 30_000 });
    ids.push(...(ctr('containers', 'ls', '-q').stdout?.split('\n').filter(Boolean) ?? []));
    const tasks = ctr('tasks', 'ls', '-q').stdout?.split('\n').filter(Boolean) ?? [];
    for (const id of tasks) ctr('tasks', 'kill', '-s', 'SIGKILL', id);
    for (const id of tasks) ctr('tasks', 'delete', '-f', id);
  }
  return ids;
}

export { removeNodeLeftovers };
