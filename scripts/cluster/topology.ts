/**
 * What the simulated cluster has besides its control plane: kwok nodes spread over three zones, sized like a
 * common 4-vCPU/16 GiB cloud node, a default StorageClass and a pool of volumes for claims to bind to.
 */

/** The annotation kwok's `--manage-nodes-with-annotation-selector` picks nodes by. */
export const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

/** Zones the nodes are spread over (the labels GKE and EKS set, so topology spread behaves as there). */
export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;

/**
 * Allocatable resources of one node: a GKE e2-standard-4 (4 vCPU, 16 GiB) after the kubelet's and system
 * reservations, as GKE documents them (3920m CPU, about 13 GiB); an EKS m5.xlarge is within a few percent.
 */
export const NODE_ALLOCATABLE = { cpu: '3920m', memory: '13Gi', pods: '110', 'ephemeral-storage': '90Gi' } as const;

/** Name of the default StorageClass; claims that name no class get it. */
export const STORAGE_CLASS = 'standard';

/** Options of {@link clusterObjects}. */
export interface TopologyOptions {
  /** Nodes per zone. */
  readonly nodesPerZone: number;
  /** Volumes in the pool (each of {@link TopologyOptions.volumeSize}). */
  readonly volumes: number;
  /** Capacity of each pooled volume: a claim binds to any volume at least its size. */
  readonly volumeSize: string;
  /** Directory the hostPath volumes point at (never written: no kubelet mounts them). */
  readonly volumeDir: string;
}

type Obj = Record<string, unknown>;

function node(name: string, zone: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value, 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'node.kubernetes.io/instance-type': 'e2-standard-4',
        'topology.kubernetes.io/region': 'local',
        'topology.kubernetes.io/zone': zone,
        type: 'kwok',
      },
    },
    // No taint: the apps carry no toleration, as on a cloud node pool.
    spec: {},
    status: {
      allocatable: NODE_ALLOCATABLE,
      capacity: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        kubeletVersion: 'kwok',
        kubeProxyVersion: 'kwok',
        machineID: name,
        systemUUID: name,
        bootID: name,
        kernelVersion: 'kwok',
        osImage: 'kwok',
        containerRuntimeVersion: 'kwok',
      },
      phase: 'Running',
    },
  };
}

/** A real node's name and zone (scripts/cluster/real-nodes.ts), for the volumes it holds. */
export interface VolumeHost {
  readonly name: string;
}

/** Where the pooled volume `i` (from 1) lives when the cluster has real nodes. */
export const realVolumeDir = (clusterDir: string, i: number): string => `${clusterDir}/volumes/pool-${i}`;

/**
 * The kwok nodes, the default StorageClass and the volume pool, as objects for `kubectl create`. With real nodes
 * (`hosts`), the pool is of `local` volumes, each a directory of the cluster's on one real node (round robin), and
 * claims bind when their pod is scheduled (a local volume ties the pod to its node); the kubelet applies a pod's
 * fsGroup to a local volume, as a cloud disk's driver does (a hostPath volume would not).
 */
export function clusterObjects(o: TopologyOptions, clusterDir = '', hosts: readonly VolumeHost[] = []): Obj[] {
  const nodes = ZONES.flatMap((zone) =>
    Array.from({ length: o.nodesPerZone }, (_, i) => node(`kwok-${zone}-${i + 1}`, zone)),
  );
  const storageClass: Obj = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'kubernetes.io/no-provisioner',
    // Retain, like the platform's claims: a volume keeps its data (and its claim) until someone deletes it.
    reclaimPolicy: 'Retain',
    volumeBindingMode: hosts.length > 0 ? 'WaitForFirstConsumer' : 'Immediate',
  };
  const source = (i: number): Obj => {
    const host = hosts[(i - 1) % hosts.length];
    if (!host) return { hostPath: { path: `${o.volumeDir}/pool-${i}`, type: 'DirectoryOrCreate' } };
    return {
      local: { path: realVolumeDir(clusterDir, i) },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host.name] }] },
          ],
        },
      },
    };
  };
  const volumes = Array.from({ length: o.volumes }, (_, i): Obj => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pool-${String(i + 1).padStart(3, '0')}`, labels: { 'k8s-platform.local/pool': 'true' } },
    spec: {
      capacity: { storage: o.volumeSize },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: STORAGE_CLASS,
      ...source(i + 1),
    },
  }));
  return [...nodes, storageClass, ...volumes];
}
