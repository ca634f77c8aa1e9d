import { installMocks, named, ofType, settle } from '../cloud/harness';
import { writeChartsOut } from '../cloud/fixtures';

jest.mock('@pulumi/gcp', () => {
  throw new Error('@pulumi/gcp was loaded by an EKS stack');
});

const recorded = installMocks((args) =>
  args.type === 'aws:eks/cluster:Cluster'
    ? {
        endpoint: 'https://x.eks.amazonaws.com',
        certificateAuthority: { data: 'Q0E=' },
        identities: [{ oidcs: [{ issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X' }] }],
      }
    : { arn: `arn:aws:mock:::${args.name}`, name: args.inputs.name ?? args.name },
);

import { parseStackConfig } from '../../platform/cloud/stack/config';
import { deployPlatform } from '../../platform/cloud/stack/platform-program';

const { dir } = writeChartsOut({ chat: { identities: [{ serviceAccount: 'backend', identity: 'uploads' }] } });
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
deployPlatform(
  parseStackConfig({
    cloud: 'eks',
    region: 'eu-west-1',
    zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    nodes: { machineType: 'm6i.large', min: 3, max: 9, spot: true },
    eks: { natGateways: 'perZone', publicAccessCidrs: ['203.0.113.7/32'] },
    apps: ['chat'],
    identities: { uploads: { policyArns: [S3_READ] } },
  }),
  { chartsDir: dir, name: 'eks-dev' },
);

beforeAll(() => settle(recorded));

describe('an EKS stack', () => {
  test('spreads subnets over the three configured zones', () => {
    const zones = ofType(recorded, 'aws:ec2/subnet:Subnet').map((s) => s.inputs.availabilityZone);
    expect(new Set(zones)).toEqual(new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']));
  });

  test('creates one NAT gateway per zone when asked', () => {
    expect(ofType(recorded, 'aws:ec2/natGateway:NatGateway')).toHaveLength(3);
  });

  test('sizes the spot node group from the config', () => {
    expect(named(recorded, 'eks-dev-nodes', 'aws:eks/nodeGroup:NodeGroup').inputs).toMatchObject({
      instanceTypes: ['m6i.large'],
      capacityType: 'SPOT',
      scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 9 },
    });
  });

  test('installs metrics-server, which EKS lacks, for CPU HPAs', () => {
    expect(named(recorded, 'eks-dev-addons-metrics-server').inputs.values).toEqual({ args: [] });
  });

  test('binds the app’s cloud identity to an IRSA role for its ServiceAccount', () => {
    const role = named(recorded, 'eks-dev-chat-backend-identity', 'aws:iam/role:Role');
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals).toMatchObject({
      'oidc.eks.eu-west-1.amazonaws.com/id/X:sub': 'system:serviceaccount:chat:backend',
    });
    expect(named(recorded, 'eks-dev-chat-backend-identity-0').inputs.policyArn).toBe(S3_READ);
  });

  test('installs only the add-ons the selected app needs', () => {
    const charts = ofType(recorded, 'kubernetes:helm.sh/v3:Release').map((r) => r.inputs.chart);
    expect(charts).not.toContain('contour');
  });
});
