/**
 * The network of an EKS cluster: a VPC over two or three zones with a public `/20` and a private `/18` subnet per
 * zone (tagged for internet-facing and internal load balancers), an internet gateway, and one NAT gateway or one per
 * zone for the private subnets' egress.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { subnetLayout } from './network';

/** What {@link eksNetwork} builds. */
export interface EksNetwork {
  readonly vpc: aws.ec2.Vpc;
  readonly publicSubnets: readonly aws.ec2.Subnet[];
  readonly privateSubnets: readonly aws.ec2.Subnet[];
}

/** Creates the VPC, subnets, gateways and routes of cluster `clusterName`, parented to `parent`. */
export function eksNetwork(
  name: string,
  args: {
    readonly clusterName: string;
    readonly vpcCidr: string;
    readonly availabilityZones: readonly string[];
    readonly natGateways: 'single' | 'perZone';
    readonly tags: Record<string, string>;
  },
  parent: pulumi.Resource,
): EksNetwork {
  const { clusterName, tags } = args;
  const layout = subnetLayout(args.vpcCidr, args.availabilityZones.length);
  const clusterTag = `kubernetes.io/cluster/${clusterName}`;
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    {
      cidrBlock: args.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { ...tags, Name: `${clusterName}-vpc` },
    },
    { parent },
  );
  const igw = new aws.ec2.InternetGateway(
    `${name}-igw`,
    { vpcId: vpc.id, tags: { ...tags, Name: `${clusterName}-igw` } },
    { parent },
  );
  const publicRoutes = new aws.ec2.RouteTable(
    `${name}-public-rt`,
    {
      vpcId: vpc.id,
      routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
      tags: { ...tags, Name: `${clusterName}-public` },
    },
    { parent },
  );
  // Internet-facing load balancers (ingress controllers) go to subnets tagged `elb`, internal ones to `internal-elb`.
  const subnetOf = (tier: 'public' | 'private', zone: string, cidrBlock: string): aws.ec2.Subnet =>
    new aws.ec2.Subnet(
      `${name}-${tier}-${zone}`,
      {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock,
        mapPublicIpOnLaunch: tier === 'public',
        tags: {
          ...tags,
          Name: `${clusterName}-${tier}-${zone}`,
          [tier === 'public' ? 'kubernetes.io/role/elb' : 'kubernetes.io/role/internal-elb']: '1',
          [clusterTag]: 'shared',
        },
      },
      { parent },
    );
  const publicSubnets = args.availabilityZones.map((zone, i) => {
    const subnet = subnetOf('public', zone, layout.public[i]);
    new aws.ec2.RouteTableAssociation(
      `${name}-public-${zone}`,
      { subnetId: subnet.id, routeTableId: publicRoutes.id },
      { parent },
    );
    return subnet;
  });
  const natCount = args.natGateways === 'perZone' ? args.availabilityZones.length : 1;
  const natGateways = [...Array(natCount).keys()].map((i) => {
    const zone = args.availabilityZones[i];
    const eip = new aws.ec2.Eip(
      `${name}-nat-${zone}`,
      { domain: 'vpc', tags: { ...tags, Name: `${clusterName}-nat-${zone}` } },
      { parent },
    );
    return new aws.ec2.NatGateway(
      `${name}-nat-${zone}`,
      {
        allocationId: eip.id,
        subnetId: publicSubnets[i].id,
        tags: { ...tags, Name: `${clusterName}-nat-${zone}` },
      },
      { parent, dependsOn: [igw] },
    );
  });
  const privateSubnets = args.availabilityZones.map((zone, i) => {
    const subnet = subnetOf('private', zone, layout.private[i]);
    const routes = new aws.ec2.RouteTable(
      `${name}-private-${zone}`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: natGateways[Math.min(i, natCount - 1)].id }],
        tags: { ...tags, Name: `${clusterName}-private-${zone}` },
      },
      { parent },
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-private-${zone}`,
      { subnetId: subnet.id, routeTableId: routes.id },
      { parent },
    );
    return subnet;
  });
  return { vpc, publicSubnets, privateSubnets };
}
