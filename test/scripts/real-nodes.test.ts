/**
 * The real nodes' configuration (scripts/cluster/node-config.ts, real-nodes.ts), the volume pool they hold
 * (topology.ts) and the mount table reading their cleanup relies on (node-cleanup.ts). Starting them is the
 * runtime e2e suite's business (test/e2e/runtime.test.ts).
 */
import { cniConflist, containerdToml, kubeletArgs, kubeletConfig } from '../../scripts/cluster/node-config';
import { mountsUnder } from '../../scripts/cluster/node-cleanup';
import { CLUSTER_DNS_IP } from '../../scripts/cluster/cluster-dns';
import { realNodeSpecs } from '../../scripts/cluster/real-nodes';
import { clusterObjects, ZONES } from '../../scripts/cluster/topology';

const dir = '/tmp/k8s-platform-cluster-1-abc';
const specs = realNodeSpecs(dir, ZONES);

describe('real node specs', () => {
  test('one node per zone, each with its own InternalIP, pod CIDR, bridge (a valid device name) and dir', () => {
    expect(specs.map((s) => s.zone)).toEqual([...ZONES]);
    for (const key of ['name', 'ip', 'podCidr', 'bridge', 'dir'] as const) {
      expect(new Set(specs.map((s) => s[key])).size).toBe(ZONES.length);
    }
    for (const s of specs) {
      expect(s.bridge.length).toBeLessThanOrEqual(15);
    }
  });

  test('the kubelet serves on its node IP only, trusts the cluster CA, authorizes by webhook, uses cluster DNS', () => {
    const s = specs[0]!;
    const config = JSON.parse(kubeletConfig(s, { caCert: '/ca.crt', clusterDns: CLUSTER_DNS_IP })) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      address: s.ip,
      readOnlyPort: 0,
      cgroupDriver: 'cgroupfs',
      clusterDNS: [CLUSTER_DNS_IP],
      authentication: { anonymous: { enabled: false }, x509: { clientCAFile: '/ca.crt' } },
      authorization: { mode: 'Webhook' },
    });
    expect(kubeletArgs(s)).toEqual(
      expect.arrayContaining([
        `--node-ip=${s.ip}`,
        `--hostname-override=${s.name}`,
        expect.stringContaining(`topology.kubernetes.io/zone=${s.zone}`),
      ]),
    );
  });

  test("containerd keeps everything under the node's dir, nothing is pulled, the bridge is the node's", () => {
    const s = specs[1]!;
    const toml = containerdToml(s, 'k8s-platform.local/pause:1', '/usr/lib/cni');
    expect(toml).toContain(`root = "${s.dir}/containerd-root"`);
    expect(toml).toContain('sandbox_image = "k8s-platform.local/pause:1"');
    expect(toml).toContain('restrict_oom_score_adj = true');
    expect(toml).toContain('netns_mounts_under_state_dir = true');
    const cni = JSON.parse(cniConflist(s)) as { plugins: Array<{ bridge?: string; ipam?: { ranges: unknown } }> };
    expect(cni.plugins[0]).toMatchObject({ bridge: s.bridge, ipam: { ranges: [[{ subnet: s.podCidr }]] } });
  });
});

describe('the volume pool', () => {
  const topology = { nodesPerZone: 0, volumes: 6, volumeSize: '100Gi', volumeDir: '/var/empty' };
  type Pv = {
    kind: string;
    spec: { local?: { path: string }; hostPath?: object; nodeAffinity?: unknown };
    volumeBindingMode?: string;
  };

  test('with real nodes: local volumes spread round robin over them, bound when the pod is scheduled', () => {
    const objects = clusterObjects(topology, dir, specs) as Pv[];
    const pvs = objects.filter((o) => o.kind === 'PersistentVolume');
    expect(pvs).toHaveLength(6);
    expect(pvs.every((p) => p.spec.local?.path.startsWith(`${dir}/volumes/`) && !p.spec.hostPath)).toBe(true);
    const hosts = pvs.map((p) => JSON.stringify(p.spec.nodeAffinity).match(/node-zone-[abc]/)?.[0]);
    expect(hosts).toEqual(['node-zone-a', 'node-zone-b', 'node-zone-c', 'node-zone-a', 'node-zone-b', 'node-zone-c']);
    expect(objects.find((o) => o.kind === 'StorageClass')?.volumeBindingMode).toBe('WaitForFirstConsumer');
  });

  test('without real nodes: hostPath volumes bound at once, as before', () => {
    const objects = clusterObjects(topology) as Pv[];
    expect(objects.filter((o) => o.kind === 'PersistentVolume').every((p) => p.spec.hostPath && !p.spec.local)).toBe(
      true,
    );
    expect(objects.find((o) => o.kind === 'StorageClass')?.volumeBindingMode).toBe('Immediate');
  });
});

test('mountsUnder: the mounts under a dir, deepest first, with mountinfo escapes decoded', () => {
  const mountinfo = [
    `30 1 0:26 / /proc rw - proc proc rw`,
    `40 1 0:50 / ${dir}/nodes/node-zone-a/kubelet/pods/x/volumes/kubernetes.io~configmap/cm rw - tmpfs tmpfs rw`,
    `41 1 0:51 / ${dir}/nodes/node-zone-a/containerd-state/a\\040b/rootfs rw - overlay overlay rw`,
    `42 1 0:52 / ${dir}-other/x rw - tmpfs tmpfs rw`,
  ].join('\n');
  expect(mountsUnder(dir, mountinfo)).toEqual([
    `${dir}/nodes/node-zone-a/kubelet/pods/x/volumes/kubernetes.io~configmap/cm`,
    `${dir}/nodes/node-zone-a/containerd-state/a b/rootfs`,
  ]);
});
