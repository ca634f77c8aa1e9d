import { named, installMocks, isSecretOutput, ofType, settle, unsecret, valueOf } from './harness';

const recorded = installMocks(
  (args) =>
    args.type === 'gcp:container/cluster:Cluster'
      ? { endpoint: '34.1.2.3', masterAuth: { clusterCaCertificate: 'Q0E=' } }
      : args.type === 'gcp:serviceaccount/account:Account'
        ? { email: `${args.inputs.accountId}@p.iam.gserviceaccount.com` }
        : undefined,
  { 'gcp:organizations/getProject:getProject': { number: '123456789012' } },
);

import { GKE_DEFAULTS, GKE_NODE_ROLES, GkeCluster } from '../../platform/cloud/gke-cluster';

const standard = new GkeCluster('std', {
  project: 'p',
  region: 'europe-west1',
  zones: ['europe-west1-b', 'europe-west1-c'],
  minNodes: 1,
  maxNodes: 4,
  machineType: 'e2-standard-8',
  authorizedNetworks: ['203.0.113.7/32'],
  addons: ['ingress-nginx', 'linkerd', 'prometheus', 'vpa'],
});
const autopilot = new GkeCluster('auto', {
  project: 'p',
  region: 'europe-west1',
  autopilot: true,
  addons: ['prometheus', 'contour'],
});
new GkeCluster('apm', {
  project: 'p',
  region: 'europe-west1',
  autopilot: true,
  addons: ['linkerd'],
});

const annotations = standard.bindWorkloadIdentity(
  'media-uploads',
  { namespace: 'media', serviceAccount: 'uploads' },
  { kind: 'gcp-service-account', email: 'media-writer@other.iam.gserviceaccount.com' },
  standard,
);

beforeAll(() => settle(recorded));

describe('GkeCluster (Standard)', () => {
  const cluster = () => named(recorded, 'std-cluster').inputs;
  const pool = () => named(recorded, 'std-pool').inputs;

  test('the cluster is VPC-native on the subnet secondary ranges', () => {
    expect(cluster().networkingMode).toBe('VPC_NATIVE');
    expect(cluster().ipAllocationPolicy).toEqual({
      clusterSecondaryRangeName: 'pods',
      servicesSecondaryRangeName: 'services',
    });
  });

  test('the subnet has the pods and services secondary ranges and Private Google Access', () => {
    const subnet = named(recorded, 'std-subnet').inputs;
    expect(subnet.secondaryIpRanges.map((r: { rangeName: string }) => r.rangeName)).toEqual(['pods', 'services']);
    expect(subnet.privateIpGoogleAccess).toBe(true);
  });

  test('the network is custom-mode (no auto subnets)', () => {
    expect(named(recorded, 'std-vpc').inputs.autoCreateSubnetworks).toBe(false);
  });

  test('nodes are private, with Cloud NAT for egress', () => {
    expect(cluster().privateClusterConfig).toMatchObject({ enablePrivateNodes: true, enablePrivateEndpoint: false });
    expect(named(recorded, 'std-nat').inputs.sourceSubnetworkIpRangesToNat).toBe('ALL_SUBNETWORKS_ALL_IP_RANGES');
  });

  test('Workload Identity uses the project pool and nodes expose only the GKE metadata server', () => {
    expect(cluster().workloadIdentityConfig).toEqual({ workloadPool: 'p.svc.id.goog' });
    expect(pool().nodeConfig.workloadMetadataConfig).toEqual({ mode: 'GKE_METADATA' });
  });

  test('shielded nodes with secure boot and integrity monitoring', () => {
    expect(cluster().enableShieldedNodes).toBe(true);
    expect(pool().nodeConfig.shieldedInstanceConfig).toEqual({
      enableSecureBoot: true,
      enableIntegrityMonitoring: true,
    });
  });

  test('the cluster follows a release channel', () => {
    expect(cluster().releaseChannel).toEqual({ channel: 'REGULAR' });
  });

  test('Dataplane V2 enforces NetworkPolicies', () => {
    expect(cluster().datapathProvider).toBe('ADVANCED_DATAPATH');
  });

  test('the default node pool is removed', () => {
    expect(cluster()).toMatchObject({ removeDefaultNodePool: true, initialNodeCount: 1 });
  });

  test('the separate pool autoscales between the given bounds in the given zones', () => {
    expect(pool().autoscaling).toMatchObject({ minNodeCount: 1, maxNodeCount: 4 });
    expect(pool().nodeLocations).toEqual(['europe-west1-b', 'europe-west1-c']);
    expect(pool().nodeConfig.machineType).toBe('e2-standard-8');
  });

  test('nodes run as a dedicated service account with only the node roles', () => {
    expect(pool().nodeConfig.serviceAccount).toBe('std-nodes@p.iam.gserviceaccount.com');
    const roles = ofType(recorded, 'gcp:projects/iAMMember:IAMMember')
      .filter((r) => r.parent === 'std')
      .map((r) => r.inputs.role);
    expect(roles.sort()).toEqual([...GKE_NODE_ROLES].sort());
  });

  test('the pool waits for its IAM bindings', () => {
    expect(named(recorded, 'std-pool').dependsOn).toEqual(expect.arrayContaining(['std-nodes-logging-logWriter']));
  });

  test('deletion protection is on by default', () => {
    expect(cluster().deletionProtection).toBe(true);
  });

  test('the kubeconfig uses gke-gcloud-auth-plugin and is secret', async () => {
    expect(await valueOf(standard.kubeconfig)).toContain('command: gke-gcloud-auth-plugin');
    expect(await isSecretOutput(standard.kubeconfig)).toBe(true);
  });

  test('the Kubernetes provider uses the secret kubeconfig and waits for the node pool', () => {
    const provider = named(recorded, 'std-k8s');
    expect(provider.type).toBe('pulumi:providers:kubernetes');
    expect(String(unsecret(provider.inputs.kubeconfig))).toContain('gke-gcloud-auth-plugin');
    expect(provider.dependsOn).toContain('std-pool');
  });

  test('every child is parented to the component', () => {
    const children = recorded.filter((r) => r.name.startsWith('std-'));
    expect(children.every((r) => r.parent === 'std')).toBe(true);
  });

  test('GKE installs and manages the standard Gateway API CRDs', () => {
    expect(cluster().gatewayApiConfig).toEqual({ channel: 'CHANNEL_STANDARD' });
    expect(standard.gatewayApiCrdsProvided).toBe(true);
  });

  test('GKE provides VPA itself', () => {
    expect(standard.builtInAddons).toEqual(['vpa']);
    expect(cluster().verticalPodAutoscaling).toEqual({ enabled: true });
  });
});

describe('GkeCluster API endpoint', () => {
  test('with authorizedNetworks the public endpoint admits only those CIDRs, not every Google Cloud address', () => {
    const cluster = named(recorded, 'std-cluster').inputs;
    expect(cluster.privateClusterConfig.enablePrivateEndpoint).toBe(false);
    expect(cluster.masterAuthorizedNetworksConfig).toEqual({
      cidrBlocks: [{ cidrBlock: '203.0.113.7/32', displayName: '203.0.113.7/32' }],
      gcpPublicCidrsAccessEnabled: false,
    });
  });

  test('without authorizedNetworks the endpoint is private only', () => {
    const cluster = named(recorded, 'auto-cluster').inputs;
    expect(cluster.privateClusterConfig.enablePrivateEndpoint).toBe(true);
    expect(cluster.masterAuthorizedNetworksConfig).toEqual({ cidrBlocks: [], gcpPublicCidrsAccessEnabled: false });
  });
});

describe('GkeCluster admission webhooks behind private nodes', () => {
  const firewall = (name: string) => named(recorded, `${name}-webhooks`, 'gcp:compute/firewall:Firewall').inputs;

  test('the control plane gets a fixed private range', () => {
    expect(named(recorded, 'std-cluster').inputs.privateClusterConfig.masterIpv4CidrBlock).toBe(
      GKE_DEFAULTS.masterCidr,
    );
  });

  test('the control plane may reach the nodes on the webhook ports of the installed add-ons only', () => {
    expect(firewall('std')).toMatchObject({
      network: 'std-vpc-id',
      direction: 'INGRESS',
      sourceRanges: [GKE_DEFAULTS.masterCidr],
      allows: [{ protocol: 'tcp', ports: ['8443', '9443'] }],
    });
  });

  test('the rule targets only the nodes of this cluster (their service account)', () => {
    expect(firewall('std').targetServiceAccounts).toEqual(['std-nodes@p.iam.gserviceaccount.com']);
    expect(firewall('std').targetTags).toBeUndefined();
  });

  test('a built-in add-on (VPA on GKE) opens nothing', () => {
    expect(firewall('std').allows[0].ports).not.toContain('8000');
  });

  test('on Autopilot the rule targets the network tag given to the cluster’s nodes', () => {
    const tags = named(recorded, 'apm-cluster').inputs.nodePoolAutoConfig.networkTags.tags;
    expect(tags).toEqual(['apm-nodes']);
    expect(firewall('apm')).toMatchObject({ targetTags: tags, allows: [{ protocol: 'tcp', ports: ['8443', '9443'] }] });
  });

  test('no rule when no installed add-on has a webhook beyond the ports GKE opens', () => {
    expect(recorded.some((r) => r.name === 'auto-webhooks')).toBe(false);
  });
});

describe('GkeCluster workload identity', () => {
  test('the app ServiceAccount may impersonate the mapped Google service account', () => {
    expect(named(recorded, 'media-uploads', 'gcp:serviceaccount/iAMMember:IAMMember').inputs).toEqual({
      serviceAccountId: 'projects/other/serviceAccounts/media-writer@other.iam.gserviceaccount.com',
      role: 'roles/iam.workloadIdentityUser',
      member: 'serviceAccount:p.svc.id.goog[media/uploads]',
    });
  });

  test('the ServiceAccount is annotated with the Google service account', () => {
    expect(annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'media-writer@other.iam.gserviceaccount.com' });
  });

  test('an IAM role cannot be bound on GKE', () => {
    expect(() =>
      standard.bindWorkloadIdentity(
        'x',
        { namespace: 'media', serviceAccount: 'uploads' },
        { kind: 'aws-iam-role', policyArns: [] },
        standard,
      ),
    ).toThrow('GkeCluster std: media/uploads is mapped to a aws-iam-role; on GKE map it to a serviceAccount');
  });
});

describe('GkeCluster (Autopilot)', () => {
  const cluster = () => named(recorded, 'auto-cluster').inputs;

  test('Autopilot has no node pool of ours', () => {
    expect(recorded.some((r) => r.name === 'auto-pool')).toBe(false);
    expect(cluster().enableAutopilot).toBe(true);
  });

  test('Autopilot keeps private nodes and the release channel', () => {
    expect(cluster().privateClusterConfig).toMatchObject({ enablePrivateNodes: true });
    expect(cluster().releaseChannel).toEqual({ channel: 'REGULAR' });
  });

  test('NET_ADMIN is never allowed: the Linkerd CNI plugin needs no proxy-init', () => {
    expect(cluster().allowNetAdmin).toBeUndefined();
    expect(named(recorded, 'apm-cluster').inputs.allowNetAdmin).toBeUndefined();
  });

  test('the flavor tells the add-ons it is Autopilot', () => {
    expect(autopilot.flavor).toBe('gke-autopilot');
  });
});

describe('GKE hardening', () => {
  const KEY = 'gcp:kms/cryptoKey:CryptoKey';
  test.each(['std', 'auto'])(
    '%s: Secrets are encrypted at the application layer with a rotating Cloud KMS key',
    (name) => {
      const key = named(recorded, `${name}-secrets`, KEY);
      expect(key.inputs.rotationPeriod).toBe('7776000s');
      expect(named(recorded, `${name}-secrets`, 'gcp:kms/keyRing:KeyRing').inputs.location).toBe('europe-west1');
      const cluster = named(recorded, `${name}-cluster`);
      expect(cluster.inputs.databaseEncryption).toEqual({ state: 'ENCRYPTED', keyName: `${name}-secrets-id` });
      // GKE's service agent may use the key, before the cluster is created with it.
      const grant = named(recorded, `${name}-secrets-gke`, 'gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember');
      expect(grant.inputs).toMatchObject({
        cryptoKeyId: `${name}-secrets-id`,
        role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
        member: 'serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com',
      });
      expect(cluster.dependsOn).toContain(`${name}-secrets-gke`);
    },
  );

  test.each(['std', 'auto'])('%s: claims get a default StorageClass that keeps the disk', (name) => {
    const sc = named(recorded, `${name}-retain`, 'kubernetes:storage.k8s.io/v1:StorageClass').inputs;
    expect(sc).toMatchObject({
      metadata: { name: 'pd-balanced-retain', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'pd.csi.storage.gke.io',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  });

  test('node upgrades happen only in a weekend maintenance window', () => {
    expect(named(recorded, 'std-cluster').inputs.maintenancePolicy).toEqual({
      recurringWindow: {
        startTime: '2026-01-03T02:00:00Z',
        endTime: '2026-01-03T08:00:00Z',
        recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU',
      },
    });
    expect(named(recorded, 'auto-cluster').inputs.maintenancePolicy).toBeDefined();
  });
});
