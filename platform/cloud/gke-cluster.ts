import * as gcp from '@pulumi/gcp';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { BackupStore } from './backup-store';
import { gcsBackupStore } from './gcs-backups';
import type { Addon } from '../contract';
import type { ClusterFlavor, PlatformCluster } from './cluster';
import { controlPlanePortsToOpen } from './control-plane-ports';
import { GKE_MAINTENANCE_WINDOW, gkeRetainStorageClass, gkeSecretsKey } from './gke-hardening';
import type { GkeMaintenanceWindow } from './gke-hardening';
import { gkeKubeconfig } from './kubeconfig';
import { cloudName, serviceAccountId } from './naming';
import type { CloudIdentity, WorkloadIdentityBinder, WorkloadSubject } from './workload-identity';

/** GKE release channels: how fast the control plane and nodes follow new Kubernetes versions. */
export type GkeReleaseChannel = 'RAPID' | 'REGULAR' | 'STABLE';

/** Defaults of {@link GkeClusterArgs}, in one place. */
export const GKE_DEFAULTS = {
  releaseChannel: 'REGULAR' as GkeReleaseChannel,
  machineType: 'e2-standard-4',
  minNodes: 1,
  maxNodes: 3,
  diskSizeGb: 50,
  subnetCidr: '10.10.0.0/20',
  podsCidr: '10.20.0.0/14',
  servicesCidr: '10.24.0.0/20',
  /** The control plane's private range (a /28 outside the VPC's ranges), the source of its calls to the nodes. */
  masterCidr: '172.16.0.0/28',
  deletionProtection: true,
} as const;

/** Name of the subnet's secondary range for pod IPs. */
export const GKE_PODS_RANGE = 'pods';
/** Name of the subnet's secondary range for Service IPs. */
export const GKE_SERVICES_RANGE = 'services';

/**
 * IAM roles of the node service account: the minimum GKE documents for nodes (logs, metrics, metadata) plus pulling
 * images from Artifact Registry. Nodes never run as the Compute Engine default account (Editor on the project).
 */
export const GKE_NODE_ROLES = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/stackdriver.resourceMetadata.writer',
  'roles/autoscaling.metricsWriter',
  'roles/artifactregistry.reader',
] as const;

/** Arguments of {@link GkeCluster}. */
export interface GkeClusterArgs {
  /** GCP project id. */
  readonly project: pulumi.Input<string>;
  /** Region of the (regional) cluster, e.g. `europe-west1`. */
  readonly region: pulumi.Input<string>;
  /** Zones of the node pool, inside `region`. @default the region's default zones */
  readonly zones?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Autopilot mode: Google manages nodes (no node pool, billed per pod). Workload Identity, shielded nodes and
   * Dataplane V2 are always on. Not a `pulumi.Input` because it changes which resources exist.
   * @default false
   */
  readonly autopilot?: boolean;
  /** Release channel. @default 'REGULAR' */
  readonly releaseChannel?: pulumi.Input<GkeReleaseChannel>;
  /** Node machine type (Standard mode). @default 'e2-standard-4' */
  readonly machineType?: pulumi.Input<string>;
  /** Autoscaler lower bound per zone, Standard mode (the stack config's `nodes.min`). @default 1 */
  readonly minNodes?: pulumi.Input<number>;
  /** Autoscaler upper bound per zone, Standard mode (`nodes.max`). @default 3 */
  readonly maxNodes?: pulumi.Input<number>;
  /** Node boot disk size in GB (`nodes.diskSizeGb`). @default 50 */
  readonly diskSizeGb?: pulumi.Input<number>;
  /** Use Spot VMs for the node pool (cheaper, can be reclaimed). @default false */
  readonly spot?: pulumi.Input<boolean>;
  /** Primary range of the subnet (node IPs). @default '10.10.0.0/20' */
  readonly subnetCidr?: pulumi.Input<string>;
  /** Secondary range for pod IPs. @default '10.20.0.0/14' */
  readonly podsCidr?: pulumi.Input<string>;
  /** Secondary range for Service IPs. @default '10.24.0.0/20' */
  readonly servicesCidr?: pulumi.Input<string>;
  /**
   * CIDRs allowed to reach the control plane's public endpoint (your address as `x.y.z.w/32`, CI ranges). Omitted
   * or empty, the endpoint is private only: reachable from inside the VPC, never from the whole internet.
   * Addresses of other Google Cloud customers are never admitted (`gcpPublicCidrsAccessEnabled: false`).
   * @default [] (private endpoint only)
   */
  readonly authorizedNetworks?: readonly string[];
  /** The control plane's private `/28` range. @default '172.16.0.0/28' */
  readonly masterCidr?: string;
  /**
   * The add-ons that will be installed on the cluster. The control plane is allowed to reach the nodes on exactly
   * the webhook and aggregated-API ports they need beyond 443 and 10250 (see `control-plane-ports.ts`); built-in
   * add-ons (VPA) are not installed and open nothing.
   * @default [] (no rule)
   */
  readonly addons?: readonly Addon[];
  /** When GKE may upgrade the control plane and nodes. @default Saturday and Sunday 02:00-08:00 UTC */
  readonly maintenanceWindow?: GkeMaintenanceWindow;
  /** Refuse `pulumi destroy` of the cluster until this is set to `false` and applied. @default true */
  readonly deletionProtection?: pulumi.Input<boolean>;
  /** Labels on every GCP resource that takes them. */
  readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A GKE cluster in its own VPC: VPC-native (alias IPs from the subnet's secondary ranges), private nodes with
 * Cloud NAT for egress, a release channel, Workload Identity, shielded nodes, Dataplane V2 (so the platform's
 * NetworkPolicies are enforced), and a separate autoscaling node pool running as a least-privilege service account.
 * Optionally Autopilot. Exposes a kubeconfig that uses `gke-gcloud-auth-plugin` and a Kubernetes provider.
 */
export class GkeCluster extends pulumi.ComponentResource implements PlatformCluster, WorkloadIdentityBinder {
  /** The VPC network. */
  public readonly network: gcp.compute.Network;
  /** The cluster subnet, with the `pods` and `services` secondary ranges. */
  public readonly subnet: gcp.compute.Subnetwork;
  /** The GKE cluster. */
  public readonly cluster: gcp.container.Cluster;
  /** The autoscaling node pool (Standard mode only). */
  public readonly nodePool: gcp.container.NodePool | undefined;
  /** The node service account (Standard mode only). */
  public readonly nodeServiceAccount: gcp.serviceaccount.Account | undefined;
  /** Kubeconfig using `gke-gcloud-auth-plugin` (secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** Kubernetes provider for this cluster. */
  public readonly provider: k8s.Provider;
  /** `gke` or `gke-autopilot`. */
  public readonly flavor: ClusterFlavor;
  /** GKE runs the VPA itself (`verticalPodAutoscaling`), so the chart is not installed. */
  public readonly builtInAddons: readonly Addon[] = ['vpa'];
  /** GKE installs the standard-channel Gateway API CRDs (`gatewayApiConfig`) and manages their upgrades. */
  public readonly gatewayApiCrdsProvided = true;
  /** The node pool (or the Autopilot cluster) and the default Retain StorageClass, once created. */
  public readonly readiness: readonly pulumi.Resource[];
  /** App ServiceAccounts impersonate Google service accounts through Workload Identity. */
  public readonly workloadIdentity: WorkloadIdentityBinder = this;
  /** The databases' `bucket` backups: a GCS bucket, a Google service account per backup ServiceAccount. */
  public readonly backupStore: BackupStore;
  private readonly project: pulumi.Input<string>;
  private readonly componentName: string;

  /** Creates the network, the cluster and (Standard mode) its node pool. */
  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:cloud:GkeCluster', name, {}, opts);
    const autopilot = args.autopilot ?? false;
    this.flavor = autopilot ? 'gke-autopilot' : 'gke';
    const child = { parent: this };
    this.project = args.project;
    this.componentName = name;
    this.backupStore = gcsBackupStore({ project: args.project, region: args.region });
    const gcpName = cloudName(name, 40);
    const labels = args.labels ?? {};
    const authorizedNetworks = args.authorizedNetworks ?? [];
    const masterCidr = args.masterCidr ?? GKE_DEFAULTS.masterCidr;
    const nodeTag = `${gcpName}-nodes`;

    this.network = new gcp.compute.Network(
      `${name}-vpc`,
      { project: args.project, name: `${gcpName}-vpc`, autoCreateSubnetworks: false, routingMode: 'REGIONAL' },
      child,
    );
    this.subnet = new gcp.compute.Subnetwork(
      `${name}-subnet`,
      {
        project: args.project,
        name: `${gcpName}-nodes`,
        region: args.region,
        network: this.network.id,
        ipCidrRange: args.subnetCidr ?? GKE_DEFAULTS.subnetCidr,
        // Private nodes have no public IP: Google APIs are reached through Private Google Access.
        privateIpGoogleAccess: true,
        secondaryIpRanges: [
          { rangeName: GKE_PODS_RANGE, ipCidrRange: args.podsCidr ?? GKE_DEFAULTS.podsCidr },
          { rangeName: GKE_SERVICES_RANGE, ipCidrRange: args.servicesCidr ?? GKE_DEFAULTS.servicesCidr },
        ],
      },
      child,
    );
    // Private nodes still pull public images (Docker Hub, ghcr.io): Cloud NAT gives them egress without public IPs.
    const router = new gcp.compute.Router(
      `${name}-router`,
      { project: args.project, name: `${gcpName}-router`, region: args.region, network: this.network.id },
      child,
    );
    new gcp.compute.RouterNat(
      `${name}-nat`,
      {
        project: args.project,
        name: `${gcpName}-nat`,
        region: args.region,
        router: router.name,
        natIpAllocateOption: 'AUTO_ONLY',
        sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
        logConfig: { enable: true, filter: 'ERRORS_ONLY' },
      },
      child,
    );

    const secretsKey = gkeSecretsKey(name, gcpName, args.project, args.region, this);
    const common: gcp.container.ClusterArgs = {
      project: args.project,
      name: gcpName,
      location: args.region,
      network: this.network.id,
      subnetwork: this.subnet.id,
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: {
        clusterSecondaryRangeName: GKE_PODS_RANGE,
        servicesSecondaryRangeName: GKE_SERVICES_RANGE,
      },
      // Nodes get internal IPs only. The control plane has a public endpoint only for the authorized networks
      // (so that `pulumi up` works from a laptop or CI), guarded by Google IAM as well.
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: authorizedNetworks.length === 0,
        masterIpv4CidrBlock: masterCidr,
        masterGlobalAccessConfig: { enabled: true },
      },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: authorizedNetworks.map((cidrBlock) => ({ cidrBlock, displayName: cidrBlock })),
        gcpPublicCidrsAccessEnabled: false,
      },
      releaseChannel: { channel: args.releaseChannel ?? GKE_DEFAULTS.releaseChannel },
      // GKE owns the Gateway API CRDs (recent versions install them anyway): say so explicitly, standard channel.
      gatewayApiConfig: { channel: 'CHANNEL_STANDARD' },
      deletionProtection: args.deletionProtection ?? GKE_DEFAULTS.deletionProtection,
      resourceLabels: labels,
      // Secrets are encrypted in etcd with a key of this cluster's own, besides Google's default encryption.
      databaseEncryption: { state: 'ENCRYPTED', keyName: secretsKey.key.id },
      maintenancePolicy: { recurringWindow: { ...(args.maintenanceWindow ?? GKE_MAINTENANCE_WINDOW) } },
    };
    const clusterOpts = { parent: this, dependsOn: [secretsKey.grant] };

    if (autopilot) {
      this.cluster = new gcp.container.Cluster(
        `${name}-cluster`,
        {
          ...common,
          enableAutopilot: true,
          // No allowNetAdmin: the Linkerd CNI plugin sets up the proxies' redirection, no pod needs NET_ADMIN.
          // Autopilot nodes are not ours: a network tag is how a firewall rule can target them.
          nodePoolAutoConfig: { networkTags: { tags: [nodeTag] } },
        },
        clusterOpts,
      );
      this.nodePool = undefined;
      this.nodeServiceAccount = undefined;
    } else {
      this.nodeServiceAccount = new gcp.serviceaccount.Account(
        `${name}-nodes`,
        {
          project: args.project,
          accountId: serviceAccountId(name, 'nodes'),
          displayName: `GKE nodes of ${gcpName}`,
        },
        child,
      );
      const roleBindings = GKE_NODE_ROLES.map(
        (role) =>
          new gcp.projects.IAMMember(
            `${name}-nodes-${role.replace('roles/', '').replace(/\./g, '-')}`,
            {
              project: args.project,
              role,
              member: pulumi.interpolate`serviceAccount:${this.nodeServiceAccount!.email}`,
            },
            child,
          ),
      );
      this.cluster = new gcp.container.Cluster(
        `${name}-cluster`,
        {
          ...common,
          // The default pool cannot be configured well (default service account, no autoscaling): create the
          // cluster with one throwaway node and delete it, then add our own pool.
          removeDefaultNodePool: true,
          initialNodeCount: 1,
          workloadIdentityConfig: { workloadPool: pulumi.interpolate`${args.project}.svc.id.goog` },
          enableShieldedNodes: true,
          // Dataplane V2 (eBPF) enforces NetworkPolicy, which every platform app ships.
          datapathProvider: 'ADVANCED_DATAPATH',
          verticalPodAutoscaling: { enabled: true },
          addonsConfig: {
            httpLoadBalancing: { disabled: false },
            horizontalPodAutoscaling: { disabled: false },
            gcePersistentDiskCsiDriverConfig: { enabled: true },
          },
        },
        clusterOpts,
      );
      const min = args.minNodes ?? GKE_DEFAULTS.minNodes;
      this.nodePool = new gcp.container.NodePool(
        `${name}-pool`,
        {
          project: args.project,
          cluster: this.cluster.id,
          location: args.region,
          nodeLocations: args.zones,
          initialNodeCount: min,
          autoscaling: {
            minNodeCount: min,
            maxNodeCount: args.maxNodes ?? GKE_DEFAULTS.maxNodes,
            locationPolicy: 'BALANCED',
          },
          management: { autoRepair: true, autoUpgrade: true },
          upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
          nodeConfig: {
            machineType: args.machineType ?? GKE_DEFAULTS.machineType,
            diskSizeGb: args.diskSizeGb ?? GKE_DEFAULTS.diskSizeGb,
            diskType: 'pd-balanced',
            imageType: 'COS_CONTAINERD',
            spot: args.spot ?? false,
            serviceAccount: this.nodeServiceAccount.email,
            oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            // Pods see the GKE metadata server (Workload Identity), never the node's credentials.
            workloadMetadataConfig: { mode: 'GKE_METADATA' },
            metadata: { 'disable-legacy-endpoints': 'true' },
            resourceLabels: labels,
          },
        },
        { parent: this, dependsOn: roleBindings, ignoreChanges: ['initialNodeCount'] },
      );
    }

    const webhookPorts = controlPlanePortsToOpen(
      (args.addons ?? []).filter((addon) => !this.builtInAddons.includes(addon)),
    );
    if (webhookPorts.length > 0) {
      new gcp.compute.Firewall(
        `${name}-webhooks`,
        {
          project: args.project,
          name: `${gcpName}-control-plane-webhooks`,
          description: `Control plane of ${gcpName} to its nodes: admission webhooks and aggregated APIs of the add-ons`,
          network: this.network.id,
          direction: 'INGRESS',
          sourceRanges: [masterCidr],
          allows: [{ protocol: 'tcp', ports: webhookPorts.map(String) }],
          ...(this.nodeServiceAccount
            ? { targetServiceAccounts: [this.nodeServiceAccount.email] }
            : { targetTags: [nodeTag] }),
        },
        child,
      );
    }

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.cluster.name, this.cluster.endpoint, this.cluster.masterAuth])
        .apply(([clusterName, endpoint, masterAuth]) =>
          gkeKubeconfig({ name: clusterName, endpoint, caCertificate: masterAuth?.clusterCaCertificate ?? '' }),
        ),
    );
    const nodes = this.nodePool ?? this.cluster;
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this, dependsOn: [nodes] },
    );
    this.readiness = [nodes, gkeRetainStorageClass(name, this.provider, this)];
    this.registerOutputs({ kubeconfig: this.kubeconfig, clusterName: this.cluster.name });
  }

  /**
   * Workload Identity: lets the ServiceAccount (`<project>.svc.id.goog[<ns>/<sa>]`) impersonate the identity's
   * Google service account (`roles/iam.workloadIdentityUser` on that account), and annotates it with the account.
   */
  bindWorkloadIdentity(
    name: string,
    subject: WorkloadSubject,
    identity: CloudIdentity,
    parent: pulumi.Resource,
  ): Readonly<Record<string, string>> {
    if (identity.kind !== 'gcp-service-account') {
      throw new Error(
        `GkeCluster ${this.componentName}: ${subject.namespace}/${subject.serviceAccount} is mapped to a ` +
          `${identity.kind}; on GKE map it to a serviceAccount`,
      );
    }
    // A service account's email names its project: <id>@<project>.iam.gserviceaccount.com.
    const accountProject = identity.email.split('@')[1].split('.')[0];
    new gcp.serviceaccount.IAMMember(
      name,
      {
        serviceAccountId: `projects/${accountProject}/serviceAccounts/${identity.email}`,
        role: 'roles/iam.workloadIdentityUser',
        member: pulumi.interpolate`serviceAccount:${this.project}.svc.id.goog[${subject.namespace}/${subject.serviceAccount}]`,
      },
      { parent },
    );
    return { 'iam.gke.io/gcp-service-account': identity.email };
  }
}
