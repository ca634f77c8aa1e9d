import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Addon } from '../contract';
import type { BackupStore } from './backup-store';
import type { WorkloadIdentityBinder } from './workload-identity';

/**
 * What kind of cluster the add-ons are installed on. It changes a few chart values: managed control planes do not
 * expose etcd, the scheduler or the controller manager to Prometheus, and GKE Autopilot refuses host-level pods.
 */
export type ClusterFlavor = 'gke' | 'gke-autopilot' | 'eks' | 'generic';

/** How ingress controllers are exposed: a cloud load balancer, or node ports for clusters without one. */
export type IngressServiceType = 'LoadBalancer' | 'NodePort';

/** What every cluster component (`GkeCluster`, `EksCluster`, `ExistingCluster`) hands to the rest of the program. */
export interface PlatformCluster {
  /** Kubeconfig for humans and CI (marked secret); `undefined` when an existing cluster uses the ambient one. */
  readonly kubeconfig: pulumi.Output<string> | undefined;
  /** Kubernetes provider every in-cluster resource must use. */
  readonly provider: k8s.Provider;
  /** Which kind of cluster this is. */
  readonly flavor: ClusterFlavor;
  /** Add-ons the cluster already provides (for example VPA on GKE), which `PlatformAddons` must not install again. */
  readonly builtInAddons: readonly Addon[];
  /** Whether the cluster installs and manages the Gateway API CRDs itself (so they must not be applied again). */
  readonly gatewayApiCrdsProvided: boolean;
  /**
   * Resources that must exist before workloads are applied: node pools, the storage driver, the default
   * StorageClass. Without them pods stay Pending and database volumes never bind.
   */
  readonly readiness: readonly pulumi.Resource[];
  /** How app ServiceAccounts get cloud identities; `undefined` where the cluster has none (an existing cluster). */
  readonly workloadIdentity: WorkloadIdentityBinder | undefined;
  /** Where the databases' `bucket` backups go; `undefined` on an existing cluster without a `backupBucket`. */
  readonly backupStore: BackupStore | undefined;
}
