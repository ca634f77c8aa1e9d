/**
 * The Cluster Autoscaler of an EKS cluster: its IRSA role, allowed to change the capacity of this cluster's node
 * groups only, and its Helm release. Without it a managed node group never moves between its bounds.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { IrsaIssuer } from './eks-irsa';
import { irsaTrustPolicy, serviceAccountSubject } from './eks-irsa';
import { CLUSTER_AUTOSCALER_CHART } from './versions';

/** The service account the Cluster Autoscaler runs as. */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = serviceAccountSubject('kube-system', 'cluster-autoscaler');

/** What {@link clusterAutoscaler} needs of its cluster. */
export interface ClusterAutoscalerArgs {
  /** The EKS cluster's name (node groups are discovered by its tag). */
  readonly clusterName: string;
  /** AWS region. */
  readonly region: string;
  /** The cluster's Kubernetes minor version, when pinned: the autoscaler's image follows it. */
  readonly kubernetesVersion?: pulumi.Input<string>;
  /** The cluster's OIDC identity, trusted by the autoscaler's role. */
  readonly issuer: IrsaIssuer;
  /** The node group it scales (the release waits for it). */
  readonly nodeGroup: pulumi.Resource;
  /** Provider of the cluster. */
  readonly provider: k8s.Provider;
  /** Tags of the IAM role. */
  readonly tags: Record<string, string>;
}

/** Creates the autoscaler's IRSA role and policy, and its release in `kube-system`, parented to `parent`. */
export function clusterAutoscaler(
  name: string,
  args: ClusterAutoscalerArgs,
  parent: pulumi.Resource,
): k8s.helm.v3.Release {
  const role = new aws.iam.Role(
    `${name}-cluster-autoscaler`,
    { assumeRolePolicy: irsaTrustPolicy(args.issuer, CLUSTER_AUTOSCALER_SERVICE_ACCOUNT), tags: args.tags },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-cluster-autoscaler`,
    {
      role: role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'autoscaling:DescribeAutoScalingGroups',
              'autoscaling:DescribeAutoScalingInstances',
              'autoscaling:DescribeLaunchConfigurations',
              'autoscaling:DescribeScalingActivities',
              'autoscaling:DescribeTags',
              'ec2:DescribeImages',
              'ec2:DescribeInstanceTypes',
              'ec2:DescribeLaunchTemplateVersions',
              'ec2:GetInstanceTypesFromInstanceRequirements',
              'eks:DescribeNodegroup',
            ],
            Resource: '*',
          },
          {
            // Changing capacity only on this cluster's groups (EKS tags managed node groups' ASGs this way).
            Effect: 'Allow',
            Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
            Resource: '*',
            Condition: {
              StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${args.clusterName}`]: 'owned' },
            },
          },
        ],
      }),
    },
    { parent },
  );
  return new k8s.helm.v3.Release(
    `${name}-cluster-autoscaler`,
    {
      name: 'cluster-autoscaler',
      chart: CLUSTER_AUTOSCALER_CHART.chart,
      version: CLUSTER_AUTOSCALER_CHART.version,
      repositoryOpts: { repo: CLUSTER_AUTOSCALER_CHART.repo },
      namespace: 'kube-system',
      values: {
        // The autoscaler's minor version must match the cluster's.
        ...(args.kubernetesVersion ? { image: { tag: pulumi.interpolate`v${args.kubernetesVersion}.0` } } : {}),
        cloudProvider: 'aws',
        awsRegion: args.region,
        autoDiscovery: { clusterName: args.clusterName },
        rbac: {
          serviceAccount: {
            create: true,
            name: 'cluster-autoscaler',
            annotations: { 'eks.amazonaws.com/role-arn': role.arn },
          },
        },
        extraArgs: {
          'balance-similar-node-groups': true,
          expander: 'least-waste',
          'skip-nodes-with-system-pods': false,
        },
      },
      atomic: true,
      timeout: 600,
    },
    { parent, provider: args.provider, dependsOn: [args.nodeGroup, policy] },
  );
}
