import { clusterDnsObjects, COREDNS_ADDRESS, relayCorefile } from '../../scripts/cluster/cluster-dns';
import { metricsServerArgs, metricsServerObjects, METRICS_SERVER_ADDRESS } from '../../scripts/cluster/metrics-server';
import { FIREWALL_NODE, kubeRouterArgs, networkPolicyObjects } from '../../scripts/cluster/network-policy';
import { realNodeSpecs } from '../../scripts/cluster/real-nodes';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Obj = {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};
const byKind = (objects: readonly Record<string, unknown>[], kind: string) =>
  (objects as unknown as Obj[]).filter((o) => o.kind === kind);

describe('NetworkPolicy enforcement (kube-router)', () => {
  const specs = realNodeSpecs('/c', ['zone-a', 'zone-b', 'zone-c']);

  test("one kube-router for the shared netfilter: its Node's addresses are every real node's, and nothing lands on it", () => {
    const [node] = byKind(networkPolicyObjects(specs), 'Node');
    expect(node?.metadata.name).toBe(FIREWALL_NODE);
    expect(node?.status?.addresses).toEqual(specs.map((s) => ({ type: 'InternalIP', address: s.ip })));
    expect(node?.spec?.unschedulable).toBe(true);
    // No zone or hostname label: no topology spread constraint counts it as a domain.
    expect((node as unknown as { metadata: { labels?: object } }).metadata.labels).toBeUndefined();
  });

  test('read-only access, to exactly what its informers watch', () => {
    const [role] = byKind(networkPolicyObjects(specs), 'ClusterRole') as unknown as {
      rules: { resources: string[]; verbs: string[] }[];
    }[];
    expect(role?.rules.flatMap((r) => r.verbs)).not.toContain('create');
    expect(role?.rules.flatMap((r) => r.resources).sort()).toEqual(
      ['endpointslices', 'namespaces', 'networkpolicies', 'nodes', 'pods', 'services'].sort(),
    );
  });

  test('the firewall alone, as that node, health on loopback, for the real Service range', () => {
    const args = kubeRouterArgs('/k', '10.96.0.0/16');
    expect(args).toEqual(
      expect.arrayContaining([
        '--run-firewall=true',
        '--run-router=false',
        '--run-service-proxy=false',
        `--hostname-override=${FIREWALL_NODE}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--health-addr=127.0.0.1',
      ]),
    );
  });
});

describe('the cluster DNS relay', () => {
  const objects = clusterDnsObjects('k8s-platform.local/coredns:v1');

  test('a pod labelled as the clouds label their DNS pods, which the kube-dns Service selects', () => {
    const [deployment] = byKind(objects, 'Deployment') as unknown as {
      metadata: { namespace: string };
      spec: { template: { metadata: { labels: Record<string, string> } } };
    }[];
    const [service] = byKind(objects, 'Service') as unknown as { spec: { selector: Record<string, string> } }[];
    expect(deployment?.metadata.namespace).toBe('kube-system');
    expect(deployment?.spec.template.metadata.labels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(service?.spec.selector).toEqual({ 'k8s-app': 'kube-dns' });
    expect(byKind(objects, 'EndpointSlice')).toEqual([]);
  });

  test('it forwards to the CoreDNS of the namespace, and runs as the restricted profile asks', () => {
    expect(relayCorefile()).toContain(`forward . ${COREDNS_ADDRESS}`);
    const [deployment] = byKind(objects, 'Deployment') as unknown as {
      spec: {
        template: { spec: { securityContext: Record<string, unknown>; containers: { securityContext: object }[] } };
      };
    }[];
    const pod = deployment!.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });
});

describe('the resource metrics API (metrics-server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-'));
  writeFileSync(join(dir, 'ca.crt'), 'CA');
  const objects = metricsServerObjects(join(dir, 'ca.crt'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('served through the aggregation layer, verified against the cluster CA (no insecureSkipTLSVerify)', () => {
    const [api] = byKind(objects, 'APIService') as unknown as {
      metadata: { name: string };
      spec: Record<string, unknown>;
    }[];
    expect(api?.metadata.name).toBe('v1beta1.metrics.k8s.io');
    expect(api?.spec.caBundle).toBe(Buffer.from('CA').toString('base64'));
    expect(api?.spec.insecureSkipTLSVerify).toBeUndefined();
    // The aggregator's availability check reads v1 Endpoints only (an EndpointSlice alone: EndpointsNotFound).
    const [endpoints] = byKind(objects, 'Endpoints') as unknown as { subsets: { addresses: { ip: string }[] }[] }[];
    expect(endpoints?.subsets[0]?.addresses).toEqual([{ ip: METRICS_SERVER_ADDRESS }]);
  });

  test('upstream’s access: kubelet metrics and pods/nodes read, delegated authn/authz', () => {
    const bindings = [...byKind(objects, 'ClusterRoleBinding'), ...byKind(objects, 'RoleBinding')] as unknown as {
      roleRef: { name: string };
    }[];
    expect(bindings.map((b) => b.roleRef.name).sort()).toEqual(
      ['extension-apiserver-authentication-reader', 'k8s-platform:metrics-server', 'system:auth-delegator'].sort(),
    );
  });

  test('it scrapes only the real nodes, on their InternalIP', () => {
    const args = metricsServerArgs('/k', {
      dir: '/d',
      server: 's',
      caCert: 'c',
      token: 't',
      servingCert: '/m.crt',
      servingKey: '/m.key',
      nodeSelector: 'k8s-platform.local/node=real',
      run: () => 0,
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--node-selector=k8s-platform.local/node=real',
        '--kubelet-preferred-address-types=InternalIP',
        `--bind-address=${METRICS_SERVER_ADDRESS}`,
        '--tls-cert-file=/m.crt',
      ]),
    );
  });
});
