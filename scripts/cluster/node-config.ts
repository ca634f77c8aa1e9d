/**
 * The configuration files of one real node of the local cluster: its containerd (own root, state, socket and CNI
 * bridge), its CNI network (a bridge and a pod CIDR of its own) and its kubelet. Pure functions of a
 * {@link RealNodeSpec}: scripts/cluster/real-nodes.ts writes them and starts the processes.
 */
import { join } from 'node:path';

/** Labels of a real node (besides `kubernetes.io/hostname`, which the kubelet sets to its name). */
export const REAL_NODE_LABEL = { key: 'k8s-platform.local/node', value: 'real' } as const;

/** Where a real node lives and how it is addressed. */
export interface RealNodeSpec {
  /** Node name, e.g. `node-zone-a`. */
  readonly name: string;
  /** `topology.kubernetes.io/zone`. */
  readonly zone: string;
  /** The node's InternalIP (an address of the cluster's network namespace, on its loopback). */
  readonly ip: string;
  /** The node's pod CIDR (a /24), whose first address is its bridge's. */
  readonly podCidr: string;
  /** Name of the node's CNI bridge (at most 15 characters). */
  readonly bridge: string;
  /** The node's directory (configs, containerd root and state, kubelet root, logs). */
  readonly dir: string;
}

/** The node's paths, derived from its directory. */
export function nodePaths(spec: RealNodeSpec) {
  const d = (name: string): string => join(spec.dir, name);
  return {
    containerdConfig: d('containerd.toml'),
    containerdRoot: d('containerd-root'),
    containerdState: d('containerd-state'),
    socket: d('containerd.sock'),
    cniConfDir: d('cni'),
    cniDataDir: d('cni-ipam'),
    kubeletRoot: d('kubelet'),
    kubeletConfig: d('kubelet.yaml'),
    kubeletKubeconfig: d('kubelet.kubeconfig'),
    resolvConf: d('resolv.conf'),
  };
}

/**
 * containerd's config: the CRI plugin with runc (crun refuses the machine's hybrid cgroup layout), the cgroupfs
 * driver, `restrict_oom_score_adj` (the machine lacks CAP_SYS_RESOURCE, so a negative score fails), a sandbox image
 * already imported (nothing is pulled), network namespaces under its own state dir, the node's CNI config.
 */
export function containerdToml(spec: RealNodeSpec, sandboxImage: string, cniBinDir: string): string {
  const p = nodePaths(spec);
  return `version = 2
root = "${p.containerdRoot}"
state = "${p.containerdState}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "${p.socket}"
[ttrpc]
  address = "${p.socket}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${cniBinDir}"
    conf_dir = "${p.cniConfDir}"
    max_conf_num = 1
`;
}

/** The node's CNI network: its own bridge with the gateway address, host-local IPAM over its pod CIDR, portmap. */
export function cniConflist(spec: RealNodeSpec): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: `k8s-platform-${spec.name}`,
      plugins: [
        {
          type: 'bridge',
          bridge: spec.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: spec.podCidr }]],
            // The pods' default route, through the bridge's gateway address: Services, DNS and other nodes' pods.
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: nodePaths(spec).cniDataDir,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** What the kubelet config needs from the cluster. */
export interface KubeletClusterSettings {
  /** The cluster CA (the kubelet trusts client certificates it signed: the API server's, for logs and exec). */
  readonly caCert: string;
  /** The Service IP of the cluster DNS. */
  readonly clusterDns: string;
}

/**
 * The kubelet's config: the cgroupfs driver without per-QoS cgroups (the machine's cgroups are shared with other
 * processes), swap tolerated, ephemeral-storage reported (the apps request it), serving on the node's own IP only, x509 + webhook
 * authentication and webhook authorization (as on a cloud node), cluster DNS.
 */
export function kubeletConfig(spec: RealNodeSpec, cluster: KubeletClusterSettings): string {
  const p = nodePaths(spec);
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: spec.ip,
    port: 10250,
    readOnlyPort: 0,
    healthzPort: 0,
    containerRuntimeEndpoint: `unix://${p.socket}`,
    cgroupDriver: 'cgroupfs',
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    failSwapOn: false,
    localStorageCapacityIsolation: true,
    podCIDR: spec.podCidr,
    clusterDNS: [cluster.clusterDns],
    clusterDomain: 'cluster.local',
    resolvConf: p.resolvConf,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: cluster.caCert },
    },
    authorization: { mode: 'Webhook' },
    // Nothing is ever pulled: every image is imported before the pods start, so image GC must not remove one.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi' },
    serializeImagePulls: false,
    registerNode: true,
    nodeStatusReportFrequency: '10s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    protectKernelDefaults: false,
    makeIPTablesUtilChains: false,
    shutdownGracePeriod: '0s',
    volumePluginDir: join(spec.dir, 'volume-plugins'),
    // Each kubelet its own: a kubelet removes the log dirs of pods it does not know (another node's).
    podLogsDir: join(spec.dir, 'pod-logs'),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The kubelet's command line. */
export function kubeletArgs(spec: RealNodeSpec): string[] {
  const p = nodePaths(spec);
  const labels = {
    'topology.kubernetes.io/zone': spec.zone,
    'topology.kubernetes.io/region': 'local',
    'node.kubernetes.io/instance-type': 'local-real',
    [REAL_NODE_LABEL.key]: REAL_NODE_LABEL.value,
  };
  return [
    `--config=${p.kubeletConfig}`,
    `--kubeconfig=${p.kubeletKubeconfig}`,
    `--root-dir=${p.kubeletRoot}`,
    `--cert-dir=${join(spec.dir, 'pki')}`,
    `--hostname-override=${spec.name}`,
    `--node-ip=${spec.ip}`,
    `--node-labels=${Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`,
    '--v=1',
  ];
}
