import { installMocks, isSecretOutput, isSecretValue, named, settle } from './harness';

const recorded = installMocks();

import { ExistingCluster } from '../../platform/cloud/existing-cluster';

const explicit = new ExistingCluster('kind', {
  kubeconfig: 'apiVersion: v1\nkind: Config\n',
  context: 'kind-platform',
  builtInAddons: ['ingress-nginx'],
});
const ambient = new ExistingCluster('ambient', {});

beforeAll(() => settle(recorded));

describe('ExistingCluster', () => {
  test('a given kubeconfig reaches the provider as a secret, with the context', () => {
    const provider = named(recorded, 'kind-k8s').inputs;
    expect(isSecretValue(provider.kubeconfig)).toBe(true);
    expect(provider.context).toBe('kind-platform');
  });

  test('the exported kubeconfig is secret', async () => {
    expect(await isSecretOutput(explicit.kubeconfig!)).toBe(true);
  });

  test('without a kubeconfig the provider falls back to the ambient one and nothing is exported', () => {
    expect(named(recorded, 'ambient-k8s').inputs.kubeconfig).toBeUndefined();
    expect(ambient.kubeconfig).toBeUndefined();
  });

  test('add-ons the cluster already runs are reported, and there is nothing to wait for', () => {
    expect(explicit.builtInAddons).toEqual(['ingress-nginx']);
    expect(explicit.readiness).toEqual([]);
    expect(explicit.flavor).toBe('generic');
  });

  test('the provider is parented to the component', () => {
    expect(named(recorded, 'kind-k8s').parent).toBe('kind');
  });
});
