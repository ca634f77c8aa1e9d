import * as pulumi from '@pulumi/pulumi';
import { named, installMocks, isSecretOutput, ofType, settle, valueOf } from './harness';

const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC123';
const AMI_RELEASE = '1.34.2-20261120';
const recorded = installMocks(
  (args) => {
    const arn = `arn:aws:mock:::${args.name}`;
    if (args.type === 'aws:eks/cluster:Cluster') {
      return {
        arn,
        endpoint: 'https://abc.gr7.eu-west-1.eks.amazonaws.com',
        certificateAuthority: { data: 'Q0E=' },
        identities: [{ oidcs: [{ issuer: ISSUER }] }],
        version: args.inputs.version ?? '1.33',
      };
    }
    if (args.type === 'aws:ec2/launchTemplate:LaunchTemplate') return { arn, latestVersion: 1 };
    return { arn, name: args.inputs.name ?? args.name };
  },
  { 'aws:ssm/getParameter:getParameter': { value: AMI_RELEASE } },
);

import { EBS_CSI_POLICY, EKS_CLUSTER_POLICIES, EKS_NODE_POLICIES, EksCluster } from '../../platform/cloud/eks-cluster';
import { VPC_CNI_ADDON } from '../../platform/cloud/versions';

const eks = new EksCluster('dev', {
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  kubernetesVersion: '1.34',
  minNodes: 2,
  desiredNodes: 3,
  maxNodes: 6,
});
const ADMIN_ROLE = 'arn:aws:iam::123456789012:role/platform-admins';
const VIEWER_ROLE = 'arn:aws:iam::123456789012:role/auditors';
const fixed = new EksCluster('fixed', {
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  clusterAutoscaler: false,
  publicAccessCidrs: ['203.0.113.7/32'],
  accessEntries: [
    { principalArn: ADMIN_ROLE, access: 'admin' },
    { principalArn: VIEWER_ROLE, access: 'view' },
  ],
});

const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const annotations = eks.bindWorkloadIdentity(
  'media-uploads',
  { namespace: 'media', serviceAccount: 'uploads' },
  { kind: 'aws-iam-role', policyArns: [S3_READ] },
  eks,
);

beforeAll(() => settle(recorded));

const subnets = (kind: 'public' | 'private') =>
  ofType(recorded, 'aws:ec2/subnet:Subnet').filter((s) => s.name.startsWith(`dev-${kind}-`));
const policiesOf = (role: string) =>
  ofType(recorded, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment')
    .filter((a) => a.inputs.role === role)
    .map((a) => a.inputs.policyArn);

describe('EksCluster network', () => {
  test('public and private subnets span two availability zones', () => {
    expect(subnets('public').map((s) => s.inputs.availabilityZone)).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(subnets('private').map((s) => s.inputs.availabilityZone)).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  test('public subnets are tagged for internet-facing load balancers', () => {
    subnets('public').forEach((s) => expect(s.inputs.tags['kubernetes.io/role/elb']).toBe('1'));
  });

  test('private subnets are tagged for internal load balancers and give no public IPs', () => {
    subnets('private').forEach((s) => {
      expect(s.inputs.tags['kubernetes.io/role/internal-elb']).toBe('1');
      expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
    });
  });

  test('private subnets route to the internet through a NAT gateway', () => {
    const routes = ofType(recorded, 'aws:ec2/routeTable:RouteTable').filter((r) => r.name.startsWith('dev-private-'));
    routes.forEach((r) => expect(r.inputs.routes[0].natGatewayId).toBeDefined());
    expect(ofType(recorded, 'aws:ec2/natGateway:NatGateway').filter((n) => n.parent === 'dev')).toHaveLength(1);
  });

  test('a cluster with one zone is refused', () => {
    expect(() => new EksCluster('one', { region: 'eu-west-1', availabilityZones: ['eu-west-1a'] })).toThrow(
      'EksCluster one: availabilityZones has 1 zone(s); EKS needs at least 2',
    );
  });
});

describe('EksCluster IAM and encryption', () => {
  test('the cluster role has the EKS cluster policy', () => {
    expect(policiesOf('dev-cluster-role')).toEqual([...EKS_CLUSTER_POLICIES]);
  });

  test('the node role has the worker and ECR read-only policies, not the CNI’s', () => {
    expect(policiesOf('dev-node-role').sort()).toEqual([...EKS_NODE_POLICIES].sort());
    expect(policiesOf('dev-node-role')).not.toContain('arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy');
  });

  test('Kubernetes Secrets are envelope-encrypted with a rotating KMS key', () => {
    const cluster = named(recorded, 'dev-cluster').inputs;
    expect(cluster.encryptionConfig).toEqual({
      provider: { keyArn: 'arn:aws:mock:::dev-secrets' },
      resources: ['secrets'],
    });
    expect(named(recorded, 'dev-secrets', 'aws:kms/key:Key').inputs.enableKeyRotation).toBe(true);
  });

  test('the cluster uses access entries and deletion protection', () => {
    const cluster = named(recorded, 'dev-cluster').inputs;
    expect(cluster.accessConfig.authenticationMode).toBe('API');
    expect(cluster.deletionProtection).toBe(true);
  });

  test('the control plane logs API, audit and authenticator events', () => {
    expect(named(recorded, 'dev-cluster').inputs.enabledClusterLogTypes).toEqual(['api', 'audit', 'authenticator']);
  });
});

describe('EksCluster API endpoint', () => {
  const vpcConfig = (name: string) => named(recorded, `${name}-cluster`, 'aws:eks/cluster:Cluster').inputs.vpcConfig;

  test('without publicAccessCidrs the endpoint is private only', () => {
    expect(vpcConfig('dev')).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(vpcConfig('dev').publicAccessCidrs).toBeUndefined();
  });

  test('with publicAccessCidrs the public endpoint admits only those CIDRs', () => {
    expect(vpcConfig('fixed')).toMatchObject({
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ['203.0.113.7/32'],
    });
  });
});

describe('EksCluster NetworkPolicy enforcement', () => {
  const withVpcCni = (name: string, vpcCniVersion: string) =>
    new EksCluster(name, { region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'], vpcCniVersion });
  const cni = () => named(recorded, 'dev-vpc-cni', 'aws:eks/addon:Addon');

  test('the vpc-cni add-on is managed at a pinned version', () => {
    expect(cni().inputs).toMatchObject({ addonName: 'vpc-cni', addonVersion: VPC_CNI_ADDON.version });
  });

  test('its network policy agent is on', () => {
    expect(JSON.parse(cni().inputs.configurationValues)).toEqual({ enableNetworkPolicy: 'true' });
  });

  test('it takes over the self-managed CNI EKS installs and keeps its configuration on updates', () => {
    expect(cni().inputs).toMatchObject({
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
    });
  });

  test('nodes join only once policy enforcement is configured', () => {
    expect(named(recorded, 'dev-nodes', 'aws:eks/nodeGroup:NodeGroup').dependsOn).toContain('dev-vpc-cni');
  });

  test('workloads wait for the CNI', () => {
    expect(eks.readiness).toContain(eks.vpcCniAddon);
  });

  test('a VPC CNI older than 1.14 (no network policy agent) is refused', () => {
    expect(() => withVpcCni('old', 'v1.13.4-eksbuild.1')).toThrow(
      `EksCluster old: vpcCniVersion "v1.13.4-eksbuild.1" has no network policy agent; use v1.14.0 or later ` +
        `(pinned: "${VPC_CNI_ADDON.version}")`,
    );
  });

  test('a VPC CNI version that is not an EKS add-on version is refused', () => {
    expect(() => withVpcCni('bad', 'latest')).toThrow(
      `EksCluster bad: vpcCniVersion "latest" is not an EKS add-on version such as "${VPC_CNI_ADDON.version}"`,
    );
  });
});

describe('EksCluster nodes', () => {
  const group = () => named(recorded, 'dev-nodes', 'aws:eks/nodeGroup:NodeGroup');

  test('the managed node group runs in the private subnets only', () => {
    expect(group().inputs.subnetIds).toEqual(subnets('private').map((s) => `${s.name}-id`));
  });

  test('the node group has the given scaling bounds', () => {
    expect(group().inputs.scalingConfig).toEqual({ minSize: 2, desiredSize: 3, maxSize: 6 });
  });

  test('the node group waits for its IAM policies', () => {
    expect(group().dependsOn).toEqual(expect.arrayContaining(['dev-node-policy-0', 'dev-node-policy-1']));
  });
});

describe('EksCluster hardening', () => {
  const group = () => named(recorded, 'dev-nodes', 'aws:eks/nodeGroup:NodeGroup');

  test('nodes boot from a launch template that requires IMDSv2 with a hop limit of 1', () => {
    const template = named(recorded, 'dev-node-template', 'aws:ec2/launchTemplate:LaunchTemplate').inputs;
    expect(template.metadataOptions).toEqual({
      httpEndpoint: 'enabled',
      httpTokens: 'required',
      httpPutResponseHopLimit: 1,
    });
    expect(template.blockDeviceMappings).toEqual([
      {
        deviceName: '/dev/xvda',
        ebs: { volumeSize: 50, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
      },
    ]);
    expect(group().inputs.launchTemplate).toEqual({ id: 'dev-node-template-id', version: '1' });
    // The disk size moves into the template: EKS refuses both.
    expect(group().inputs.diskSize).toBeUndefined();
  });

  test('the VPC CNI runs with its own IRSA role (aws-node), created with the OIDC provider before the add-on', () => {
    const role = named(recorded, 'dev-vpc-cni', 'aws:iam/role:Role').inputs;
    const trust = JSON.parse(role.assumeRolePolicy);
    expect(trust.Statement[0].Condition.StringEquals['oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub']).toBe(
      'system:serviceaccount:kube-system:aws-node',
    );
    expect(policiesOf('dev-vpc-cni')).toEqual(['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy']);
    const cni = named(recorded, 'dev-vpc-cni', 'aws:eks/addon:Addon');
    expect(cni.inputs.serviceAccountRoleArn).toBe('arn:aws:mock:::dev-vpc-cni');
    expect(cni.dependsOn).toContain('dev-vpc-cni');
  });

  test('access entries give the configured principals cluster access besides the creator', () => {
    const entries = ofType(recorded, 'aws:eks/accessEntry:AccessEntry').filter((e) => e.name.startsWith('fixed-'));
    expect(entries.map((e) => e.inputs.principalArn)).toEqual([ADMIN_ROLE, VIEWER_ROLE]);
    const policies = ofType(recorded, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation')
      .filter((e) => e.name.startsWith('fixed-'))
      .map((e) => [e.inputs.principalArn, e.inputs.policyArn, e.inputs.accessScope]);
    expect(policies).toEqual([
      [ADMIN_ROLE, 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', { type: 'cluster' }],
      [VIEWER_ROLE, 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', { type: 'cluster' }],
    ]);
  });

  test('the control-plane log group exists before the cluster, with a retention', () => {
    const logs = named(recorded, 'dev-control-plane-logs', 'aws:cloudwatch/logGroup:LogGroup');
    expect(logs.inputs).toMatchObject({ name: '/aws/eks/dev/cluster', retentionInDays: 90 });
    expect(named(recorded, 'dev-cluster').dependsOn).toContain('dev-control-plane-logs');
  });

  test('nodes follow the control plane version and the latest recommended AMI release on every pulumi up', () => {
    expect(group().inputs.version).toBe('1.34');
    expect(group().inputs.releaseVersion).toBe(AMI_RELEASE);
  });
});

describe('EksCluster node autoscaling', () => {
  const release = () => named(recorded, 'dev-cluster-autoscaler', 'kubernetes:helm.sh/v3:Release');

  test('the Cluster Autoscaler discovers this cluster’s node groups, pinned to the cluster’s minor version', () => {
    expect(release().inputs).toMatchObject({
      chart: 'cluster-autoscaler',
      version: '9.59.0',
      namespace: 'kube-system',
      values: {
        cloudProvider: 'aws',
        awsRegion: 'eu-west-1',
        autoDiscovery: { clusterName: 'dev' },
        image: { tag: 'v1.34.0' },
      },
    });
  });

  test('the Cluster Autoscaler runs with its own IRSA role', () => {
    expect(release().inputs.values.rbac.serviceAccount.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:mock:::dev-cluster-autoscaler',
    });
    const trust = JSON.parse(named(recorded, 'dev-cluster-autoscaler', 'aws:iam/role:Role').inputs.assumeRolePolicy);
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain(
      'system:serviceaccount:kube-system:cluster-autoscaler',
    );
  });

  test('it may change capacity only of this cluster’s auto-scaling groups', () => {
    const policy = JSON.parse(named(recorded, 'dev-cluster-autoscaler', 'aws:iam/rolePolicy:RolePolicy').inputs.policy);
    expect(policy.Statement[1]).toMatchObject({
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Condition: { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/dev': 'owned' } },
    });
  });

  test('it waits for the node group and its permissions', () => {
    expect(release().dependsOn).toEqual(expect.arrayContaining(['dev-nodes', 'dev-cluster-autoscaler']));
  });

  test('it can be turned off', () => {
    expect(fixed.clusterAutoscaler).toBeUndefined();
    expect(recorded.some((r) => r.name === 'fixed-cluster-autoscaler')).toBe(false);
  });
});

describe('EksCluster workload identity (IRSA)', () => {
  test('an app ServiceAccount gets a role only it may assume through the cluster’s OIDC provider', () => {
    const trust = JSON.parse(named(recorded, 'media-uploads', 'aws:iam/role:Role').inputs.assumeRolePolicy);
    expect(trust.Statement[0].Principal.Federated).toBe('arn:aws:mock:::dev-oidc');
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      'oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub': 'system:serviceaccount:media:uploads',
      'oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud': 'sts.amazonaws.com',
    });
  });

  test('the role has the policies the stack maps the identity to', () => {
    expect(policiesOf('media-uploads')).toEqual([S3_READ]);
  });

  test('the ServiceAccount is annotated with the role’s ARN', async () => {
    expect(await valueOf(pulumi.output(annotations['eks.amazonaws.com/role-arn']))).toBe(
      'arn:aws:mock:::media-uploads',
    );
  });

  test('a Google service account cannot be bound on EKS', () => {
    expect(() =>
      eks.bindWorkloadIdentity(
        'x',
        { namespace: 'media', serviceAccount: 'uploads' },
        { kind: 'gcp-service-account', email: 'a@p.iam.gserviceaccount.com' },
        eks,
      ),
    ).toThrow('EksCluster dev: media/uploads is mapped to a gcp-service-account; on EKS map it to policyArns');
  });
});

describe('EksCluster IRSA and storage', () => {
  test('an OIDC provider trusts the cluster issuer for STS', () => {
    expect(named(recorded, 'dev-oidc').inputs).toMatchObject({ url: ISSUER, clientIdLists: ['sts.amazonaws.com'] });
  });

  test('the EBS CSI role can only be assumed by the controller service account via the OIDC provider', () => {
    const policy = JSON.parse(named(recorded, 'dev-ebs-csi', 'aws:iam/role:Role').inputs.assumeRolePolicy);
    const statement = policy.Statement[0];
    expect(statement.Principal.Federated).toBe('arn:aws:mock:::dev-oidc');
    expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement.Condition.StringEquals).toEqual({
      'oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub': 'system:serviceaccount:kube-system:ebs-csi-controller-sa',
      'oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud': 'sts.amazonaws.com',
    });
  });

  test('the EBS CSI role has the AWS managed EBS CSI policy', () => {
    expect(policiesOf('dev-ebs-csi')).toEqual([EBS_CSI_POLICY]);
  });

  test('the EBS CSI add-on uses its IRSA role and waits for the nodes', () => {
    const addon = named(recorded, 'dev-ebs-csi', 'aws:eks/addon:Addon');
    expect(addon.inputs).toMatchObject({
      addonName: 'aws-ebs-csi-driver',
      serviceAccountRoleArn: 'arn:aws:mock:::dev-ebs-csi',
    });
    expect(addon.dependsOn).toContain('dev-nodes');
  });

  test('gp3 is the default StorageClass, encrypted, retained and bound on first consumer', () => {
    const sc = named(recorded, 'dev-gp3').inputs;
    expect(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(sc).toMatchObject({
      provisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      parameters: { type: 'gp3', encrypted: 'true' },
    });
  });

  test('the StorageClass waits for the EBS CSI driver', () => {
    expect(named(recorded, 'dev-gp3').dependsOn).toContain('dev-ebs-csi');
  });

  test('workloads wait for nodes, the driver and the StorageClass', () => {
    expect(eks.readiness).toEqual(expect.arrayContaining([eks.nodeGroup, eks.ebsCsiAddon, eks.storageClass]));
  });

  test('the kubeconfig uses aws eks get-token and is secret', async () => {
    const kubeconfig = await valueOf(eks.kubeconfig);
    expect(kubeconfig).toContain('command: aws');
    expect(kubeconfig).toContain('get-token');
    expect(await isSecretOutput(eks.kubeconfig)).toBe(true);
  });
});
