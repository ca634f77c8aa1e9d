/**
 * What an EKS cluster gets beyond its network and control plane, following the EKS best-practices guide: nodes
 * booted from a launch template that requires IMDSv2 with a hop limit of 1 (pods cannot reach the node's
 * instance credentials), the AMI release EKS recommends for the cluster's version, the VPC CNI with its own IRSA
 * role (not the node role), access entries for the principals the stack names, and a retention on the
 * control-plane log group.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { irsaRole, serviceAccountSubject } from './eks-irsa';
import type { IrsaIssuer } from './eks-irsa';

/** AWS managed policy of the VPC CNI (given to its IRSA role, not to the nodes). */
export const VPC_CNI_POLICY = 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy';

/** The service account the VPC CNI (`aws-node` DaemonSet) runs as. */
export const VPC_CNI_SERVICE_ACCOUNT = serviceAccountSubject('kube-system', 'aws-node');

/** Days the control plane's logs are kept in CloudWatch. */
export const EKS_LOG_RETENTION_DAYS = 90;

/** A principal given access to the cluster through an access entry. */
export interface EksAccessEntry {
  /** IAM role or user ARN. */
  readonly principalArn: string;
  /** `admin`: AmazonEKSClusterAdminPolicy; `view`: AmazonEKSViewPolicy; cluster-wide. */
  readonly access: 'admin' | 'view';
}

/** The EKS access policy of each {@link EksAccessEntry} access level. */
export const EKS_ACCESS_POLICIES: Readonly<Record<EksAccessEntry['access'], string>> = {
  admin: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
  view: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
};

/**
 * The launch template of the managed node group: IMDSv2 only, one network hop (a pod's packets to the metadata
 * service take a second hop and are dropped), the root volume encrypted gp3 of `diskSizeGb` GiB.
 */
export function nodeLaunchTemplate(
  name: string,
  args: { diskSizeGb: pulumi.Input<number>; tags: Record<string, string> },
  parent: pulumi.Resource,
): aws.ec2.LaunchTemplate {
  return new aws.ec2.LaunchTemplate(
    `${name}-node-template`,
    {
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeSize: args.diskSizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      tagSpecifications: [{ resourceType: 'instance', tags: args.tags }],
      tags: args.tags,
    },
    { parent },
  );
}

/**
 * The release of the EKS-optimized Amazon Linux 2023 AMI that AWS recommends for `kubernetesVersion` (its public
 * SSM parameter): given to the node group, every `pulumi up` rolls the nodes onto the newest AMI (security fixes).
 */
export function recommendedAmiRelease(
  kubernetesVersion: pulumi.Input<string>,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const name = pulumi.interpolate`/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/x86_64/standard/recommended/release_version`;
  return aws.ssm.getParameterOutput({ name }, { parent }).value;
}

/** The IRSA role of the VPC CNI: only `kube-system/aws-node` may assume it, with the CNI policy. */
export function vpcCniRole(
  name: string,
  issuer: IrsaIssuer,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): aws.iam.Role {
  return irsaRole(name, { issuer, subject: VPC_CNI_SERVICE_ACCOUNT, policyArns: [VPC_CNI_POLICY], tags }, parent);
}

/** An access entry and its cluster-wide access policy for each principal. */
export function accessEntries(
  name: string,
  clusterName: pulumi.Input<string>,
  entries: readonly EksAccessEntry[],
  parent: pulumi.Resource,
): aws.eks.AccessPolicyAssociation[] {
  return entries.map((entry, i) => {
    const accessEntry = new aws.eks.AccessEntry(
      `${name}-access-${i}`,
      { clusterName, principalArn: entry.principalArn, type: 'STANDARD' },
      { parent },
    );
    return new aws.eks.AccessPolicyAssociation(
      `${name}-access-${i}`,
      {
        clusterName,
        principalArn: entry.principalArn,
        policyArn: EKS_ACCESS_POLICIES[entry.access],
        accessScope: { type: 'cluster' },
      },
      { parent, dependsOn: [accessEntry] },
    );
  });
}

/** The control plane's log group, made before the cluster so that EKS writes into it (with a retention). */
export function controlPlaneLogGroup(
  name: string,
  clusterName: string,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    `${name}-control-plane-logs`,
    { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: EKS_LOG_RETENTION_DAYS, tags },
    { parent },
  );
}
