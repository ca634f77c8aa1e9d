import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { ChartRef } from '../versions';
import { chartOrigin } from './chart-source';
import type { ChartSource } from './chart-source';
import { addonCrdFile, CRD_ANNOTATIONS, keptCrdOptions } from './crds';
import { addonNamespace, addonNetworkPolicies } from './namespaces';

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
  /** Namespace (created by the platform first when it is an add-on namespace, see `namespaces.ts`). */
  readonly namespace: string;
  /** Chart values, typed by the add-on's module. */
  readonly values: V;
}

/**
 * Creates the add-ons' resources the same way for all of them: children of the component, on the cluster's
 * provider, after the cluster is ready, and Helm releases that are atomic and time-limited.
 */
export class AddonInstaller {
  /** Every add-on namespace created, by name. */
  public readonly namespaces: Record<string, k8s.core.v1.Namespace> = {};
  /** Every Helm release created, by release name. */
  public readonly releases: Record<string, k8s.helm.v3.Release> = {};
  /** The CRDs applied for each chart that has them, by chart name. */
  public readonly crdGroups: Record<string, k8s.yaml.v2.ConfigFile> = {};

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

  /**
   * Applies a pinned chart's CRDs (server-side, from `addons/crds/`, see `crds.ts`) after `dependsOn`; undefined when
   * the chart has none.
   */
  public crds(chart: ChartRef, dependsOn: readonly pulumi.Resource[]): k8s.yaml.v2.ConfigFile | undefined {
    const file = addonCrdFile(chart);
    if (file === undefined) return undefined;
    const group = new k8s.yaml.v2.ConfigFile(
      `${this.args.name}-crds-${chart.chart}`,
      { file },
      keptCrdOptions(this.options(dependsOn)),
    );
    this.crdGroups[chart.chart] = group;
    return group;
  }

  /**
   * The add-on namespace `name` with its Pod Security labels (`namespaces.ts`), created once; undefined for a
   * namespace the platform does not own (`kube-system`).
   */
  public namespace(name: string): k8s.core.v1.Namespace | undefined {
    const object = addonNamespace(name);
    if (object === undefined) return undefined;
    if (this.namespaces[name]) return this.namespaces[name];
    const namespace = new k8s.core.v1.Namespace(`${this.args.name}-ns-${name}`, object, this.options());
    for (const policy of addonNetworkPolicies(name)) {
      new k8s.networking.v1.NetworkPolicy(
        `${this.args.name}-ns-${name}-${policy.metadata.name}`,
        policy,
        this.options([namespace]),
      );
    }
    this.namespaces[name] = namespace;
    return namespace;
  }

  /**
   * Installs one release of a pinned chart after `dependsOn`, in its namespace (created first), and after its
   * CRDs, which Helm then skips.
   */
  public release<V extends object>(spec: ReleaseSpec<V>, dependsOn: readonly pulumi.Resource[]): k8s.helm.v3.Release {
    const namespace = this.namespace(spec.namespace);
    const crds = this.crds(spec.chart, dependsOn);
    const release = new k8s.helm.v3.Release(
      `${this.args.name}-${spec.name}`,
      {
        name: spec.name,
        ...chartOrigin(this.args.chartSource ?? {}, spec.chart),
        namespace: spec.namespace,
        // The namespace is the platform's (labelled, with its policies), never Helm's.
        createNamespace: false,
        values: spec.values as pulumi.Inputs,
        // Roll back a failed install or upgrade instead of leaving a half-installed control plane behind.
        atomic: true,
        cleanupOnFail: true,
        timeout: this.args.timeoutSeconds,
        maxHistory: 10,
        // The CRDs are applied (and upgraded) as their own resources above.
        skipCrds: crds !== undefined,
      },
      this.options([...(crds ? [crds] : []), ...(namespace ? [namespace] : []), ...dependsOn]),
    );
    this.releases[spec.name] = release;
    return release;
  }
}

/** Adds {@link CRD_ANNOTATIONS} to each CRD of a CRD group. */
export function annotateCrd(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
  if (args.type !== 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition') return undefined;
  const metadata = (args.props.metadata ?? {}) as { annotations?: Record<string, string> };
  return {
    props: { ...args.props, metadata: { ...metadata, annotations: { ...metadata.annotations, ...CRD_ANNOTATIONS } } },
    opts: args.opts,
  };
}
