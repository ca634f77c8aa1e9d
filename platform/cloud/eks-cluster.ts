import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Addon } from '../contract';
import type { ClusterFlavor, PlatformCluster } from './cluster';
import { clusterAutoscaler } from './eks-cluster-autoscaler';
import type { IrsaIssuer } from './eks-irsa';
import type { BackupStore } from './backup-store';
import { s3BackupStore } from './s3-backups';
import { irsaRole, irsaTrustPolicy, serviceAccountSubject } from './eks-irsa';
import {
  accessEntries,
  controlPlaneLogGroup,
  nodeLaunchTemplate,
  recommendedAmiRelease,
  vpcCniRole,
} from './eks-hardening';
import type { EksAccessEntry } from './eks-hardening';
import { checkVpcCniVersion, vpcCniAddon } from './eks-vpc-cni';
import { eksKubeconfig } from './kubeconfig';
import { cloudName } from './naming';
import { eksNetwork } from './eks-network';
import { VPC_CNI_ADDON } from './versions';
import type { CloudIdentity, WorkloadIdentityBinder, WorkloadSubject } from './workload-identity';

/** Defaults of {@link EksClusterArgs}, in one place. */
export const EKS_DEFAULTS = {
  vpcCidr: '10.0.0.0/16',
  instanceTypes: ['t3.large'],
  minNodes: 2,
  desiredNodes: 2,
  maxNodes: 5,
  diskSizeGb: 50,
  natGateways: 'single' as EksNatGateways,
  logTypes: ['api', 'audit', 'authenticator'],
  deletionProtection: true,
} as const;

/** AWS managed policies of the cluster role. */
export const EKS_CLUSTER_POLICIES = ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'] as const;

/** AWS managed policies of the node role: join the cluster, pull from ECR (the VPC CNI has a role of its own). */
export const EKS_NODE_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
] as const;

/** AWS managed policy of the EBS CSI controller (via IRSA, never on the nodes). */
export const EBS_CSI_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';

/** The service account the EBS CSI add-on runs its controller as. */
export const EBS_CSI_SERVICE_ACCOUNT = serviceAccountSubject('kube-system', 'ebs-csi-controller-sa');

/** Name of the default StorageClass the component creates. */
export const EKS_DEFAULT_STORAGE_CLASS = 'gp3';

/** One NAT gateway for the VPC (cheap, one zone is a single point of egress) or one per zone (resilient). */
export type EksNatGateways = 'single' | 'perZone';

/** Arguments of {@link EksCluster}. */
export interface EksClusterArgs {
  /** AWS region (must match the `aws:region` the provider uses); written into the kubeconfig. */
  readonly region: string;
  /** Two or three availability zones of the region; one public and one private subnet are made in each. */
  readonly availabilityZones: readonly string[];
  /** Kubernetes version; omitted to take EKS's current default. */
  readonly kubernetesVersion?: pulumi.Input<string>;
  /** A `/16` for the VPC. @default '10.0.0.0/16' */
  readonly vpcCidr?: string;
  /** Node instance types. @default ['t3.large'] */
  readonly instanceTypes?: pulumi.Input<pulumi.Input<string>[]>;
  /** Node group lower bound (the stack config's `nodes.min`). @default 2 */
  readonly minNodes?: pulumi.Input<number>;
  /** Node group initial size, then owned by the autoscaler (`nodes.desired`). @default 2 */
  readonly desiredNodes?: pulumi.Input<number>;
  /** Node group upper bound (`nodes.max`). @default 5 */
  readonly maxNodes?: pulumi.Input<number>;
  /** Node root volume in GiB (`nodes.diskSizeGb`). @default 50 */
  readonly diskSizeGb?: pulumi.Input<number>;
  /** `ON_DEMAND` or `SPOT` nodes. @default 'ON_DEMAND' */
  readonly capacityType?: pulumi.Input<'ON_DEMAND' | 'SPOT'>;
  /** NAT gateway layout. @default 'single' */
  readonly natGateways?: EksNatGateways;
  /**
   * CIDRs allowed to reach the public API endpoint. Omitted or empty, the endpoint is private only (reachable from
   * the VPC: nodes, a bastion, a CI runner inside it), never open to the whole internet by default.
   * @default [] (no public endpoint)
   */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * Version of the `vpc-cni` add-on, which enforces NetworkPolicies through its network policy agent (1.14+).
   * @default VPC_CNI_ADDON.version
   */
  readonly vpcCniVersion?: string;
  /** Version of the `aws-ebs-csi-driver` add-on; omitted for EKS's default for the cluster version. */
  readonly ebsCsiVersion?: pulumi.Input<string>;
  /** Named AWS CLI profile written into the kubeconfig. */
  readonly awsProfile?: string;
  /**
   * Install the Cluster Autoscaler (with its own IRSA role) so the node group actually grows and shrinks between
   * `minNodes` and `maxNodes`; without it the bounds are never used and pending pods wait forever.
   * @default true
   */
  readonly clusterAutoscaler?: boolean;
  /**
   * Principals given cluster access through access entries, besides whoever creates the cluster.
   * @default [] (only the creator)
   */
  readonly accessEntries?: readonly EksAccessEntry[];
  /** Refuse deletion of the EKS cluster until set to `false` and applied. @default true */
  readonly deletionProtection?: pulumi.Input<boolean>;
  /** Tags on every AWS resource. */
  readonly tags?: Record<string, string>;
}

function assumeRole(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
  });
}

/**
 * An EKS cluster with the plumbing it needs to run stateful apps: a VPC with public and private subnets in two or
 * three zones (tagged for load balancers), NAT for private egress, the VPC CNI add-on with its network policy agent
 * on (so NetworkPolicies are enforced), IAM roles with the AWS managed policies, secrets
 * envelope-encrypted with a dedicated KMS key, a managed node group in the private subnets, an OIDC provider for
 * IAM roles for service accounts, the EBS CSI driver add-on with its own IRSA role, and a default encrypted `gp3`
 * StorageClass (without it PersistentVolumeClaims never bind). Exposes a kubeconfig that uses `aws eks get-token`.
 */
export class EksCluster extends pulumi.ComponentResource implements PlatformCluster, WorkloadIdentityBinder {
  /** The VPC. */
  public readonly vpc: aws.ec2.Vpc;
  /** Public subnets, one per zone. */
  public readonly publicSubnets: readonly aws.ec2.Subnet[];
  /** Private subnets, one per zone (nodes live here). */
  public readonly privateSubnets: readonly aws.ec2.Subnet[];
  /** KMS key encrypting Kubernetes Secrets. */
  public readonly secretsKey: aws.kms.Key;
  /** The EKS cluster. */
  public readonly cluster: aws.eks.Cluster;
  /** The managed node group. */
  public readonly nodeGroup: aws.eks.NodeGroup;
  /** IAM OIDC provider for IRSA. */
  public readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  /** IRSA role of the EBS CSI controller. */
  public readonly ebsCsiRole: aws.iam.Role;
  /** The EBS CSI driver add-on. */
  public readonly ebsCsiAddon: aws.eks.Addon;
  /** The VPC CNI add-on, with NetworkPolicy enforcement on. */
  public readonly vpcCniAddon: aws.eks.Addon;
  /** The default `gp3` StorageClass. */
  public readonly storageClass: k8s.storage.v1.StorageClass;
  /** The Cluster Autoscaler release, unless disabled. */
  public readonly clusterAutoscaler: k8s.helm.v3.Release | undefined;
  /** Kubeconfig using `aws eks get-token` (secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** Kubernetes provider for this cluster. */
  public readonly provider: k8s.Provider;
  /** Always `eks`. */
  public readonly flavor: ClusterFlavor = 'eks';
  /** EKS provides none of the platform add-ons. */
  public readonly builtInAddons: readonly Addon[] = [];
  /** The Gateway API CRDs come from the `gateway-api` add-on. */
  public readonly gatewayApiCrdsProvided = false;
  /** Node group, VPC CNI, EBS CSI driver and default StorageClass. */
  public readonly readiness: readonly pulumi.Resource[];
  /** The cluster's OIDC identity, which IRSA roles trust. */
  public readonly irsaIssuer: IrsaIssuer;
  /** App ServiceAccounts get IAM roles through IRSA. */
  public readonly workloadIdentity: WorkloadIdentityBinder = this;
  /** The databases' `bucket` backups: an S3 bucket, an IRSA role per backup ServiceAccount. */
  public readonly backupStore: BackupStore;
  private readonly tags: Record<string, string>;
  private readonly componentName: string;

  /** Creates the VPC, IAM, KMS key, cluster, node group, OIDC provider and storage. */
  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:cloud:EksCluster', name, {}, opts);
    if (args.availabilityZones.length < 2) {
      throw new Error(
        `EksCluster ${name}: availabilityZones has ${args.availabilityZones.length} zone(s); EKS needs at least 2`,
      );
    }
    const vpcCniVersion = checkVpcCniVersion(`EksCluster ${name}`, args.vpcCniVersion ?? VPC_CNI_ADDON.version);
    const child = { parent: this };
    const clusterName = cloudName(name, 100);
    const tags = { ...(args.tags ?? {}), 'managed-by': 'pulumi', 'platform/cluster': clusterName };
    this.tags = tags;
    this.componentName = name;

    // ---- network
    const network = eksNetwork(
      name,
      {
        clusterName,
        vpcCidr: args.vpcCidr ?? EKS_DEFAULTS.vpcCidr,
        availabilityZones: args.availabilityZones,
        natGateways: args.natGateways ?? EKS_DEFAULTS.natGateways,
        tags,
      },
      this,
    );
    this.vpc = network.vpc;
    this.publicSubnets = network.publicSubnets;
    this.privateSubnets = network.privateSubnets;

    // ---- IAM
    const clusterRole = new aws.iam.Role(
      `${name}-cluster-role`,
      { assumeRolePolicy: assumeRole('eks.amazonaws.com'), tags },
      child,
    );
    const clusterPolicies = EKS_CLUSTER_POLICIES.map(
      (policyArn, i) =>
        new aws.iam.RolePolicyAttachment(`${name}-cluster-policy-${i}`, { role: clusterRole.name, policyArn }, child),
    );
    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { assumeRolePolicy: assumeRole('ec2.amazonaws.com'), tags },
      child,
    );
    const nodePolicies = EKS_NODE_POLICIES.map(
      (policyArn, i) =>
        new aws.iam.RolePolicyAttachment(`${name}-node-policy-${i}`, { role: nodeRole.name, policyArn }, child),
    );

    // ---- secrets encryption
    this.secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      child,
    );
    new aws.kms.Alias(
      `${name}-secrets`,
      { name: `alias/${clusterName}-eks-secrets`, targetKeyId: this.secretsKey.keyId },
      child,
    );

    // ---- cluster
    const publicCidrs = [...(args.publicAccessCidrs ?? [])];
    const logGroup = controlPlaneLogGroup(name, clusterName, tags, this);
    this.cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: clusterName,
        roleArn: clusterRole.arn,
        version: args.kubernetesVersion,
        vpcConfig: {
          subnetIds: [...this.privateSubnets, ...this.publicSubnets].map((s) => s.id),
          endpointPrivateAccess: true,
          endpointPublicAccess: publicCidrs.length > 0,
          publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
        },
        encryptionConfig: { provider: { keyArn: this.secretsKey.arn }, resources: ['secrets'] },
        // Access entries (not the aws-auth ConfigMap); whoever runs `pulumi up` becomes cluster admin.
        accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
        enabledClusterLogTypes: [...EKS_DEFAULTS.logTypes],
        deletionProtection: args.deletionProtection ?? EKS_DEFAULTS.deletionProtection,
        tags,
      },
      { parent: this, dependsOn: [...clusterPolicies, logGroup] },
    );
    accessEntries(name, this.cluster.name, args.accessEntries ?? [], this);

    // ---- IRSA (before the VPC CNI, which runs with a role of its own)
    const issuer = this.cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? '');
    this.oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuer, clientIdLists: ['sts.amazonaws.com'], tags },
      child,
    );
    this.irsaIssuer = {
      providerArn: this.oidcProvider.arn,
      host: issuer.apply((url) => url.replace(/^https:\/\//, '')),
    };
    this.backupStore = s3BackupStore({ issuer: this.irsaIssuer, region: args.region, tags });
    const cniRole = vpcCniRole(`${name}-vpc-cni`, this.irsaIssuer, tags, this);
    // Before any node joins, so that no pod ever runs with its NetworkPolicies unenforced.
    this.vpcCniAddon = vpcCniAddon(
      `${name}-vpc-cni`,
      { clusterName: this.cluster.name, version: vpcCniVersion, serviceAccountRoleArn: cniRole.arn, tags },
      { parent: this, dependsOn: [cniRole] },
    );

    const launchTemplate = nodeLaunchTemplate(
      name,
      { diskSizeGb: args.diskSizeGb ?? EKS_DEFAULTS.diskSizeGb, tags },
      this,
    );
    this.nodeGroup = new aws.eks.NodeGroup(
      `${name}-nodes`,
      {
        clusterName: this.cluster.name,
        nodeRoleArn: nodeRole.arn,
        subnetIds: this.privateSubnets.map((s) => s.id),
        instanceTypes: args.instanceTypes ?? [...EKS_DEFAULTS.instanceTypes],
        capacityType: args.capacityType ?? 'ON_DEMAND',
        amiType: 'AL2023_x86_64_STANDARD',
        // Nodes follow the control plane's version, on the AMI release AWS recommends for it (checked at each up).
        version: this.cluster.version,
        releaseVersion: recommendedAmiRelease(this.cluster.version, this),
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
        scalingConfig: {
          minSize: args.minNodes ?? EKS_DEFAULTS.minNodes,
          desiredSize: args.desiredNodes ?? EKS_DEFAULTS.desiredNodes,
          maxSize: args.maxNodes ?? EKS_DEFAULTS.maxNodes,
        },
        updateConfig: { maxUnavailable: 1 },
        tags,
      },
      // The desired size belongs to the autoscaler once the group exists.
      {
        parent: this,
        dependsOn: [...nodePolicies, this.vpcCniAddon],
        ignoreChanges: ['scalingConfig.desiredSize'],
      },
    );

    this.ebsCsiRole = new aws.iam.Role(
      `${name}-ebs-csi`,
      { assumeRolePolicy: irsaTrustPolicy(this.irsaIssuer, EBS_CSI_SERVICE_ACCOUNT), tags },
      child,
    );
    const ebsPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-ebs-csi`,
      { role: this.ebsCsiRole.name, policyArn: EBS_CSI_POLICY },
      child,
    );
    this.ebsCsiAddon = new aws.eks.Addon(
      `${name}-ebs-csi`,
      {
        clusterName: this.cluster.name,
        addonName: 'aws-ebs-csi-driver',
        addonVersion: args.ebsCsiVersion,
        serviceAccountRoleArn: this.ebsCsiRole.arn,
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'PRESERVE',
        tags,
      },
      // The controller pods need nodes to schedule on, and the role before they start.
      { parent: this, dependsOn: [this.nodeGroup, ebsPolicy] },
    );

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority])
        .apply(([cluster, endpoint, ca]) =>
          eksKubeconfig({
            name: cluster,
            endpoint,
            caCertificate: ca?.data ?? '',
            region: args.region,
            profile: args.awsProfile,
          }),
        ),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this, dependsOn: [this.nodeGroup] },
    );
    this.storageClass = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: {
          name: EKS_DEFAULT_STORAGE_CLASS,
          annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
        },
        provisioner: 'ebs.csi.aws.com',
        parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
        // Deleting a PVC (or the whole stack) must not delete the EBS volume holding a database.
        reclaimPolicy: 'Retain',
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
      },
      { parent: this, provider: this.provider, dependsOn: [this.ebsCsiAddon] },
    );
    this.clusterAutoscaler =
      args.clusterAutoscaler === false
        ? undefined
        : clusterAutoscaler(
            name,
            {
              clusterName,
              region: args.region,
              kubernetesVersion: args.kubernetesVersion,
              issuer: this.irsaIssuer,
              nodeGroup: this.nodeGroup,
              provider: this.provider,
              tags,
            },
            this,
          );
    this.readiness = [this.nodeGroup, this.vpcCniAddon, this.ebsCsiAddon, this.storageClass];
    this.registerOutputs({ kubeconfig: this.kubeconfig, clusterName: this.cluster.name });
  }

  /** IRSA: a role only this ServiceAccount may assume, with the identity's policies; annotates it with the ARN. */
  bindWorkloadIdentity(
    name: string,
    subject: WorkloadSubject,
    identity: CloudIdentity,
    parent: pulumi.Resource,
  ): Readonly<Record<string, pulumi.Output<string>>> {
    if (identity.kind !== 'aws-iam-role') {
      throw new Error(
        `EksCluster ${this.componentName}: ${subject.namespace}/${subject.serviceAccount} ` +
          `is mapped to a ${identity.kind}; on EKS map it to policyArns`,
      );
    }
    const role = irsaRole(
      name,
      {
        issuer: this.irsaIssuer,
        subject: serviceAccountSubject(subject.namespace, subject.serviceAccount),
        policyArns: identity.policyArns,
        tags: this.tags,
      },
      parent,
    );
    return { 'eks.amazonaws.com/role-arn': role.arn };
  }
}
