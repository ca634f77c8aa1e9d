import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Addon } from '../contract';
import type { BackupStore, ExistingBucket } from './backup-store';
import { existingBackupStore } from './backup-store';
import type { ClusterFlavor, PlatformCluster } from './cluster';

/** Arguments of {@link ExistingCluster}. */
export interface ExistingClusterArgs {
  /**
   * Kubeconfig contents or path. When omitted the provider loads the ambient configuration exactly like `kubectl`
   * does (`$KUBECONFIG`, then `~/.kube/config`).
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Context to use inside the kubeconfig. @default the kubeconfig's current context */
  readonly context?: pulumi.Input<string>;
  /** Add-ons the cluster already runs (for example an ingress controller from the kind or minikube setup). */
  readonly builtInAddons?: readonly Addon[];
  /** The user's S3-compatible bucket for the databases' `bucket` backups. @default none (such backups are refused) */
  readonly backupBucket?: ExistingBucket;
}

/**
 * A cluster Pulumi did not create: kind, minikube, k3d, a shared company cluster. Only wraps a Kubernetes provider
 * around a kubeconfig, so it is the cheapest stack to try the platform with.
 */
export class ExistingCluster extends pulumi.ComponentResource implements PlatformCluster {
  /** The kubeconfig given in the arguments (secret), if any. */
  public readonly kubeconfig: pulumi.Output<string> | undefined;
  /** Kubernetes provider for the cluster. */
  public readonly provider: k8s.Provider;
  /** Always `generic`. */
  public readonly flavor: ClusterFlavor = 'generic';
  /** What the caller said the cluster already runs. */
  public readonly builtInAddons: readonly Addon[];
  /** The Gateway API CRDs come from the `gateway-api` add-on. */
  public readonly gatewayApiCrdsProvided = false;
  /** Nothing to wait for: the cluster exists. */
  public readonly readiness: readonly pulumi.Resource[] = [];
  /** An existing cluster binds no cloud identities (app ServiceAccounts keep none). */
  public readonly workloadIdentity = undefined;
  /** The user's bucket (`backupBucket`), when given. */
  public readonly backupStore: BackupStore | undefined;

  /** Creates the provider. */
  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:cloud:ExistingCluster', name, {}, opts);
    this.kubeconfig = args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig);
    this.builtInAddons = args.builtInAddons ?? [];
    this.backupStore = args.backupBucket ? existingBackupStore(args.backupBucket) : undefined;
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, context: args.context },
      { parent: this },
    );
    this.registerOutputs({ kubeconfig: this.kubeconfig });
  }
}
