import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { ChartRef } from '../versions';
import { chartOrigin } from './chart-source';
import type { ChartSource } from './chart-source';

/** What every add-on module installs with: the component, the cluster and the release defaults. */
export interface AddonInstallerArgs {
  /** Prefix of every resource name (the `PlatformAddons` component's name). */
  readonly name: string;
  /** Parent of every resource (the `PlatformAddons` component). */
  readonly parent: pulumi.Resource;
  /** Provider of the target cluster. */
  readonly provider: k8s.Provider;
  /** Helm timeout per release in seconds. */
  readonly timeoutSeconds: number;
  /** Cluster resources every resource waits for (node pool, storage driver, default StorageClass). */
  readonly clusterReadiness: readonly pulumi.Resource[];
  /** Where charts come from. @default the upstream repositories */
  readonly chartSource?: ChartSource;
}

/** One Helm release of an add-on: its fixed name, pinned chart, namespace and typed values. */
export interface ReleaseSpec<V extends object> {
  /** Helm release name. */
  readonly name: string;
  /** Pinned chart. */
  readonly chart: ChartRef;
  /** Namespace (created if missing). */
  readonly namespace: string;
  /** Chart values, typed by the add-on's module. */
  readonly values: V;
}

/**
 * Creates the add-ons' resources the same way for all of them: children of the component, on the cluster's
 * provider, after the cluster is ready, and Helm releases that are atomic and time-limited.
 */
export class AddonInstaller {
  /** Every Helm release created, by release name. */
  public readonly releases: Record<string, k8s.helm.v3.Release> = {};

  /** Keeps the shared settings. */
  constructor(public readonly args: AddonInstallerArgs) {}

  /** Prefix of every resource name. */
  public get name(): string {
    return this.args.name;
  }

  /** Resource options of a child that waits for `dependsOn` and for the cluster. */
  public options(dependsOn: readonly pulumi.Resource[] = []): pulumi.CustomResourceOptions {
    // A component's own dependsOn does not reach its children: every child waits for the cluster explicitly.
    return {
      parent: this.args.parent,
      provider: this.args.provider,
      dependsOn: [...dependsOn, ...this.args.clusterReadiness],
    };
  }

  /** Installs one release of a pinned chart after `dependsOn`. */
  public release<V extends object>(spec: ReleaseSpec<V>, dependsOn: readonly pulumi.Resource[]): k8s.helm.v3.Release {
    const release = new k8s.helm.v3.Release(
      `${this.args.name}-${spec.name}`,
      {
        name: spec.name,
        ...chartOrigin(this.args.chartSource ?? {}, spec.chart),
        namespace: spec.namespace,
        createNamespace: true,
        values: spec.values as pulumi.Inputs,
        // Roll back a failed install or upgrade instead of leaving a half-installed control plane behind.
        atomic: true,
        cleanupOnFail: true,
        timeout: this.args.timeoutSeconds,
        maxHistory: 10,
      },
      this.options(dependsOn),
    );
    this.releases[spec.name] = release;
    return release;
  }
}
