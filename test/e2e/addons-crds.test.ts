/**
 * Add-on CRDs outlive their add-on, with the real Pulumi engine on the local cluster: a stack installs the VPA
 * add-on (its chart from ../shared/charts, its CRDs as the program's own resources), an object of its kind is
 * created, then the add-on leaves the stack's config and `pulumi up` removes the release: the CRD and the object
 * are still there.
 */
import { LOCAL_CLUSTER_SETTINGS, LocalStack } from '../../scripts/cluster/pulumi-stack';
import type { KubeObject } from '../../scripts/lib/manifests';
import { useLocalCluster } from './support';

const cluster = useLocalCluster();
let stack: LocalStack;

const CRD = 'verticalpodautoscalers.autoscaling.k8s.io';
const VPA: KubeObject = {
  apiVersion: 'autoscaling.k8s.io/v1',
  kind: 'VerticalPodAutoscaler',
  metadata: { name: 'kept', namespace: 'default' },
  spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, updatePolicy: { updateMode: 'Off' } },
};

beforeAll(() => {
  // No app: only the add-on the test adds.
  stack = new LocalStack(cluster().state.kubeconfig, {
    name: 'crds',
    settings: { ...LOCAL_CLUSTER_SETTINGS, apps: [], addons: ['vpa'] },
  });
  stack.init({});
});
afterAll(() => {
  stack?.stack(['destroy', '--yes', '--skip-preview']);
  stack?.remove();
});

describe('an add-on’s CRDs survive its removal', () => {
  test('pulumi up installs the add-on and its CRDs', async () => {
    stack.must(['up', '--yes', '--skip-preview']);
    const client = cluster().client;
    expect(await client.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, CRD)).toBeDefined();
    client.forgetDiscovery();
    expect(await client.apply(VPA)).toEqual([]);
  });

  test('removing the add-on removes its release and namespace, not its CRD nor the objects of its kind', async () => {
    stack.must(['config', 'rm', 'k8s-platform:addons']);
    const up = stack.must(['up', '--yes', '--skip-preview']);
    expect(up.output).toMatch(/deleted|delete/);
    const client = cluster().client;
    expect(await client.get('v1', 'Namespace', undefined, 'vpa')).toBeUndefined();
    expect(await client.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, CRD)).toBeDefined();
    const kept = await client.get<KubeObject>('autoscaling.k8s.io/v1', 'VerticalPodAutoscaler', 'default', 'kept');
    expect(kept?.metadata.name).toBe('kept');
  });
});
