import { parse } from 'yaml';
import { eksKubeconfig, gkeKubeconfig } from '../../platform/cloud/kubeconfig';
import { cloudName, serviceAccountId } from '../../platform/cloud/naming';
import { subnetLayout } from '../../platform/cloud/network';

describe('subnet layout', () => {
  test('two zones get a /20 public and a /18 private subnet each, without overlap', () => {
    expect(subnetLayout('10.0.0.0/16', 2)).toEqual({
      public: ['10.0.0.0/20', '10.0.16.0/20'],
      private: ['10.0.64.0/18', '10.0.128.0/18'],
    });
  });

  test('three zones use the last quarter for the third private subnet', () => {
    expect(subnetLayout('10.1.0.0/16', 3).private[2]).toBe('10.1.192.0/18');
  });

  test('a VPC that is not a /16 is refused', () => {
    expect(() => subnetLayout('10.0.0.0/20', 2)).toThrow('VPC CIDR "10.0.0.0/20" must be a /16 (got /20)');
  });

  test('fewer than two zones is refused', () => {
    expect(() => subnetLayout('10.0.0.0/16', 1)).toThrow('need 2 or 3 availability zones, got 1');
  });

  test('a VPC CIDR with host bits set is refused', () => {
    expect(() => subnetLayout('10.0.1.0/16', 2)).toThrow(
      'VPC CIDR "10.0.1.0/16" has host bits set; use e.g. 10.0.0.0/16',
    );
  });

  test('an octet above 255 is refused', () => {
    expect(() => subnetLayout('10.300.0.0/16', 2)).toThrow('VPC CIDR "10.300.0.0/16" has an octet above 255');
  });

  test('more than three zones is refused', () => {
    expect(() => subnetLayout('10.0.0.0/16', 4)).toThrow('need 2 or 3 availability zones, got 4');
  });

  test('a malformed CIDR is refused', () => {
    expect(() => subnetLayout('10.0.0/16', 2)).toThrow(/not an IPv4 CIDR/);
  });
});

describe('kubeconfigs', () => {
  const endpoint = { name: 'dev', endpoint: '34.1.2.3', caCertificate: 'Q0E=' };

  test('GKE kubeconfig authenticates with gke-gcloud-auth-plugin and holds no token', () => {
    const config = parse(gkeKubeconfig(endpoint));
    expect(config.users[0].user.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'gke-gcloud-auth-plugin',
      provideClusterInfo: true,
    });
    expect(config.users[0].user.token).toBeUndefined();
  });

  test('the API server URL gets https:// and the CA data', () => {
    const config = parse(gkeKubeconfig(endpoint));
    expect(config.clusters[0].cluster).toEqual({ server: 'https://34.1.2.3', 'certificate-authority-data': 'Q0E=' });
  });

  test('EKS kubeconfig runs aws eks get-token for the cluster and region', () => {
    const config = parse(eksKubeconfig({ ...endpoint, endpoint: 'https://x.eks.amazonaws.com', region: 'eu-west-1' }));
    expect(config.users[0].user.exec.command).toBe('aws');
    expect(config.users[0].user.exec.args).toEqual([
      'eks',
      'get-token',
      '--cluster-name',
      'dev',
      '--region',
      'eu-west-1',
      '--output',
      'json',
    ]);
  });

  test('EKS kubeconfig pins an AWS profile when given', () => {
    const config = parse(eksKubeconfig({ ...endpoint, region: 'eu-west-1', profile: 'dev' }));
    expect(config.users[0].user.exec.env).toEqual([{ name: 'AWS_PROFILE', value: 'dev' }]);
  });
});

describe('cloud names', () => {
  test('names are lowercased, cleaned and trimmed', () => {
    expect(cloudName('K8s_Platform--GKE.dev', 40)).toBe('k8s-platform-gke-dev');
  });

  test('service account ids stay within 30 characters', () => {
    const id = serviceAccountId('k8s-platform-a-very-long-stack-name', 'nodes');
    expect(id.length).toBeLessThanOrEqual(30);
    expect(id).toMatch(/^[a-z][a-z0-9-]*-nodes$/);
  });
});
