import { parseStackConfig, StackConfigError } from '../../platform/cloud/stack/config';
import type { RawStackConfig } from '../../platform/cloud/stack/config';

const MY_ADDRESS = '203.0.113.7/32';
const gke: RawStackConfig = {
  cloud: 'gke',
  region: 'europe-west1',
  gke: { project: 'my-project', authorizedNetworks: [MY_ADDRESS] },
};
const eks: RawStackConfig = {
  cloud: 'eks',
  region: 'eu-west-1',
  zones: ['eu-west-1a', 'eu-west-1b'],
  eks: { publicAccessCidrs: [MY_ADDRESS] },
};

describe('valid configurations', () => {
  test('an empty config is an existing-cluster stack deploying every app', () => {
    expect(parseStackConfig({})).toMatchObject({
      cloud: 'existing',
      apps: undefined,
      addons: [],
      ingressServiceType: 'LoadBalancer',
      deletionProtection: true,
      existing: { metricsServer: 'none', builtInAddons: [] },
    });
  });

  test('a GKE stack takes its project from gcp:project when gke.project is absent', () => {
    const config = parseStackConfig({ ...gke, gke: { authorizedNetworks: [MY_ADDRESS] }, gcpProject: 'fallback' });
    expect(config.cloud === 'gke' && config.gke.project).toBe('fallback');
  });

  test('a GKE stack with zones, nodes and Autopilot', () => {
    const config = parseStackConfig({
      ...gke,
      zones: ['europe-west1-b'],
      nodes: { machineType: 'e2-standard-2', min: 0, max: 2 },
      gke: { project: 'my-project', autopilot: true, authorizedNetworks: [MY_ADDRESS] },
    });
    expect(config).toMatchObject({ zones: ['europe-west1-b'], nodes: { min: 0, max: 2 }, gke: { autopilot: true } });
  });

  test('an EKS stack with two zones', () => {
    expect(parseStackConfig(eks)).toMatchObject({ cloud: 'eks', zones: ['eu-west-1a', 'eu-west-1b'] });
  });

  test('apps, add-ons, domain and extra Gateway hosts are passed through typed', () => {
    const config = parseStackConfig({
      apps: ['chat'],
      addons: ['loki', 'tempo'],
      domain: 'dev.example.com',
      gatewayHttpsHosts: [{ host: 'shop.example.com', namespace: 'shop' }],
      gatewayHttpHosts: [{ host: 'internal.example.com', namespace: 'shop' }],
    });
    expect(config).toMatchObject({ apps: ['chat'], addons: ['loki', 'tempo'], domain: 'dev.example.com' });
    expect(config.gatewayHosts).toEqual([
      { host: 'shop.example.com', namespace: 'shop' },
      { host: 'internal.example.com', namespace: 'shop', plainHttp: true },
    ]);
  });

  test('EKS identities map to IAM policies, GKE identities to Google service accounts', () => {
    const policyArns = ['arn:aws:iam::123456789012:policy/media-writer'];
    expect(parseStackConfig({ ...eks, identities: { 'media-writer': { policyArns } } }).identities).toEqual({
      'media-writer': { kind: 'aws-iam-role', policyArns },
    });
    const email = 'media-writer@my-project.iam.gserviceaccount.com';
    expect(parseStackConfig({ ...gke, identities: { 'media-writer': { serviceAccount: email } } }).identities).toEqual({
      'media-writer': { kind: 'gcp-service-account', email },
    });
  });

  test('booleans and integers given as strings by the CLI are accepted', () => {
    expect(parseStackConfig({ ...gke, nodes: { min: '1', max: '3', spot: 'true' } })).toMatchObject({
      nodes: { min: 1, max: 3, spot: true },
    });
  });
});

describe('rejected configurations', () => {
  const rejects = (raw: RawStackConfig, message: string) => () => {
    expect(() => parseStackConfig(raw)).toThrow(StackConfigError);
    expect(() => parseStackConfig(raw)).toThrow(message);
  };

  test('an unknown cloud', rejects({ cloud: 'azure' }, 'k8s-platform:cloud is "azure"; allowed: gke, eks, existing'));

  test(
    'a GKE stack without region',
    rejects(
      { cloud: 'gke', gke: { project: 'my-project' } },
      'k8s-platform:region is undefined; required when cloud is gke',
    ),
  );

  test(
    'a region of the wrong cloud',
    rejects({ ...gke, region: 'eu-west-1' }, 'k8s-platform:region is "eu-west-1"; is not a GCP region name'),
  );

  test(
    'a GKE stack without project',
    rejects(
      { cloud: 'gke', region: 'europe-west1' },
      'k8s-platform:gke.project is undefined; required (or set gcp:project)',
    ),
  );

  test(
    'a zone outside the region',
    rejects({ ...gke, zones: ['us-central1-a'] }, '"us-central1-a" is not a zone of region europe-west1'),
  );

  test(
    'an EKS stack with one zone',
    rejects(
      { ...eks, zones: ['eu-west-1a'] },
      'k8s-platform:zones is ["eu-west-1a"]; EKS needs 2 or 3 availability zones of eu-west-1',
    ),
  );

  test(
    'an EKS region different from aws:region',
    rejects({ ...eks, awsRegion: 'us-east-1' }, 'must equal aws:region (us-east-1)'),
  );

  test(
    'max nodes below min nodes',
    rejects({ ...gke, nodes: { min: 3, max: 2 } }, 'k8s-platform:nodes.max is 2; must be at least nodes.min (3)'),
  );

  test(
    'a fractional node count',
    rejects({ ...gke, nodes: { min: 1.5 } }, 'k8s-platform:nodes.min is 1.5; expected an integer from 0 to 100'),
  );

  test(
    'an EKS node group that can scale to zero',
    rejects({ ...eks, nodes: { min: 0 } }, 'k8s-platform:nodes.min is 0; expected an integer from 1 to 100'),
  );

  test('an unknown add-on', rejects({ addons: ['istio'] }, '"istio" is not an add-on; use ingress-nginx, contour'));

  test(
    'an invalid domain',
    rejects({ domain: 'Not A Domain' }, 'k8s-platform:domain is "Not A Domain"; expected a lowercase DNS name'),
  );

  test(
    'an unknown ingress service type',
    rejects({ ingressServiceType: 'ClusterIP' }, 'allowed: LoadBalancer, NodePort'),
  );

  test(
    'settings of another cloud',
    rejects(
      { ...gke, eks: { natGateways: 'single' } },
      'k8s-platform:eks is {"natGateways":"single"}; only applies when k8s-platform:cloud is eks (it is gke)',
    ),
  );

  test(
    'a misspelled setting',
    rejects(
      { ...eks, eks: { natGateway: 'single' } },
      'k8s-platform:eks.natGateway is "single"; unknown setting; known: kubernetesVersion',
    ),
  );

  test(
    'an invalid Kubernetes version',
    rejects({ ...eks, eks: { kubernetesVersion: 'latest' } }, 'expected a minor version such as "1.34"'),
  );

  test(
    'an extra Gateway host that is not a DNS name',
    rejects(
      { gatewayHttpsHosts: [{ host: 'Shop', namespace: 'shop' }] },
      'k8s-platform:gatewayHttpsHosts[0].host is "Shop"; expected a lowercase DNS name',
    ),
  );

  test(
    'duplicate apps',
    rejects({ apps: ['chat', 'chat'] }, 'k8s-platform:apps is ["chat","chat"]; expected no duplicates'),
  );

  test(
    'a GKE stack without authorized networks, saying how to find your address',
    rejects(
      { ...gke, gke: { project: 'my-project' } },
      'k8s-platform:gke.authorizedNetworks is undefined; required: the CIDRs that may reach the Kubernetes API ' +
        'endpoint (it is never left open to the internet). Find your public address with ' +
        '`curl -s https://checkip.amazonaws.com` and allow it as x.y.z.w/32: ' +
        `pulumi config set --path 'k8s-platform:gke.authorizedNetworks[0]' "$(curl -s https://checkip.amazonaws.com)/32"`,
    ),
  );

  test(
    'a GKE stack with an empty list of authorized networks',
    rejects(
      { ...gke, gke: { project: 'my-project', authorizedNetworks: [] } },
      'k8s-platform:gke.authorizedNetworks is []; required',
    ),
  );

  test(
    'an EKS stack without public access CIDRs, saying how to find your address',
    rejects(
      { ...eks, eks: {} },
      'k8s-platform:eks.publicAccessCidrs is undefined; required: the CIDRs that may reach the Kubernetes API ' +
        'endpoint (it is never left open to the internet). Find your public address with ' +
        '`curl -s https://checkip.amazonaws.com` and allow it as x.y.z.w/32: ' +
        `pulumi config set --path 'k8s-platform:eks.publicAccessCidrs[0]' "$(curl -s https://checkip.amazonaws.com)/32"`,
    ),
  );

  test(
    'an authorized network that is not a CIDR',
    rejects(
      { ...eks, eks: { publicAccessCidrs: ['203.0.113.7'] } },
      'k8s-platform:eks.publicAccessCidrs is ["203.0.113.7"]; "203.0.113.7" is not an IPv4 CIDR',
    ),
  );

  test(
    'an EKS identity without policies',
    rejects(
      { ...eks, identities: { 'media-writer': { serviceAccount: 'a@p.iam.gserviceaccount.com' } } },
      'k8s-platform:identities.media-writer.serviceAccount is "a@p.iam.gserviceaccount.com"; unknown setting; known: policyArns',
    ),
  );

  test(
    'an EKS policy that is not an IAM policy ARN',
    rejects(
      { ...eks, identities: { 'media-writer': { policyArns: ['AmazonS3ReadOnlyAccess'] } } },
      '"AmazonS3ReadOnlyAccess" is not an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    ),
  );

  test(
    'a GKE identity that is not a Google service account email',
    rejects(
      { ...gke, identities: { 'media-writer': { serviceAccount: 'media-writer' } } },
      'k8s-platform:identities.media-writer.serviceAccount is "media-writer"; expected a Google service account email',
    ),
  );

  test(
    'identities on an existing cluster',
    rejects({ identities: {} }, 'k8s-platform:identities is {}; only applies when k8s-platform:cloud is gke or eks'),
  );

  test(
    'an unknown metrics-server mode',
    rejects({ existing: { metricsServer: 'yes' } }, 'allowed: none, install, install-insecure-kubelet-tls'),
  );

  test('a backup bucket without a name, over plain HTTP, or with a misspelt key', () => {
    rejects({ existing: { backupBucket: { provider: 'Minio' } } }, 'k8s-platform:existing.backupBucket.bucket')();
    rejects(
      { existing: { backupBucket: { bucket: 'team-backups', endpoint: 'http://minio:9000' } } },
      'must be an https:// URL',
    )();
    rejects({ existing: { backupBucket: { bucket: 'team-backups', regoin: 'x' } } }, 'regoin')();
  });
});

test('an existing cluster’s backup bucket: S3 on AWS by default, "Other" for an endpoint of its own', () => {
  const bucket = (backupBucket: Record<string, string>) => {
    const config = parseStackConfig({ existing: { backupBucket } });
    return config.cloud === 'existing' ? config.existing.backupBucket : undefined;
  };
  expect(bucket({ bucket: 'team-backups', region: 'eu-west-1' })).toEqual({
    bucket: 'team-backups',
    provider: 'AWS',
    region: 'eu-west-1',
  });
  expect(bucket({ bucket: 'team-backups', endpoint: 'https://minio.example.org' })).toEqual({
    bucket: 'team-backups',
    provider: 'Other',
    endpoint: 'https://minio.example.org',
  });
});
