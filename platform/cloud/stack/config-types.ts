/**
 * The types of the platform stack's config: as read (`RawStackConfig`) and validated (`StackConfig`). The sections
 * read as they are set (`NodeSettings`, `ExistingSettings`) are inferred from their schemas (`config-sections.ts`).
 */
import type { Addon } from '../../contract';
import type { GatewayHost, TlsIssuing } from '../cert-issuers';
import type { CloudIdentity } from '../workload-identity';
import type { EksAccessEntry } from '../eks-hardening';
import type { ExistingSettings, NodeSettings } from './config-sections';

export type { ExistingSettings, NodeSettings } from './config-sections';

/** Where the cluster comes from. */
export const CLOUDS = ['gke', 'eks', 'existing'] as const;
/** One of {@link CLOUDS}. */
export type Cloud = (typeof CLOUDS)[number];

/** Config values as read, before validation. `unknown` on purpose: nothing is trusted yet. */
export interface RawStackConfig {
  /** `k8s-platform:cloud`. */
  readonly cloud?: unknown;
  /** `k8s-platform:region`. */
  readonly region?: unknown;
  /** `k8s-platform:zones` (list). */
  readonly zones?: unknown;
  /** `k8s-platform:nodes` (object). */
  readonly nodes?: unknown;
  /** `k8s-platform:apps` (list). */
  readonly apps?: unknown;
  /** `k8s-platform:addons` (list). */
  readonly addons?: unknown;
  /** `k8s-platform:domain`. */
  readonly domain?: unknown;
  /** `k8s-platform:ingressServiceType`. */
  readonly ingressServiceType?: unknown;
  /** `k8s-platform:deletionProtection`. */
  readonly deletionProtection?: unknown;
  /** `k8s-platform:gke` (object). */
  readonly gke?: unknown;
  /** `k8s-platform:eks` (object). */
  readonly eks?: unknown;
  /** `k8s-platform:existing` (object). */
  readonly existing?: unknown;
  /** `k8s-platform:tls` (object). */
  readonly tls?: unknown;
  /** `k8s-platform:chartSource` (object). */
  readonly chartSource?: unknown;
  /** `k8s-platform:gatewayHttpsHosts` (list of `{ host, namespace }`). */
  readonly gatewayHttpsHosts?: unknown;
  /** `k8s-platform:gatewayHttpHosts` (list of `{ host, namespace }`, hosts served with `tls.disabled`). */
  readonly gatewayHttpHosts?: unknown;
  /** `k8s-platform:identities` (object: identity name to its cloud side). */
  readonly identities?: unknown;
  /** `aws:region`, which must agree with `region` on EKS. */
  readonly awsRegion?: unknown;
  /** `gcp:project`, the fallback for `gke.project`. */
  readonly gcpProject?: unknown;
}

/** GKE-only settings (`k8s-platform:gke`). */
export interface GkeSettings {
  /** GCP project id (`gke.project`, else `gcp:project`). */
  readonly project: string;
  /** Autopilot instead of Standard. */
  readonly autopilot: boolean;
  /** Release channel; GkeCluster's default when absent. */
  readonly releaseChannel?: 'RAPID' | 'REGULAR' | 'STABLE';
  /** CIDRs allowed to reach the control-plane endpoint (required: never open to the internet). */
  readonly authorizedNetworks: readonly string[];
}

/** EKS-only settings (`k8s-platform:eks`). */
export interface EksSettings {
  /** Kubernetes minor version (`1.34`); EKS's default when absent. */
  readonly kubernetesVersion?: string;
  /** One NAT gateway, or one per zone. */
  readonly natGateways?: 'single' | 'perZone';
  /** CIDRs allowed to reach the public API endpoint (required: never open to the internet). */
  readonly publicAccessCidrs: readonly string[];
  /** AWS CLI profile written into the kubeconfig. */
  readonly awsProfile?: string;
  /** Principals with cluster access besides the creator (`eks.accessEntries`). */
  readonly accessEntries: readonly EksAccessEntry[];
}

/** Settings every stack has. */
export interface CommonConfig {
  /**
   * Apps of the platform's `charts-out/index.json` it serves (their add-ons installed, their Gateway hosts given
   * listeners); `undefined` serves every app there. The apps themselves are deployed by app stacks.
   */
  readonly apps: readonly string[] | undefined;
  /** Add-ons to install in addition to those the apps need. */
  readonly addons: readonly Addon[];
  /** Base domain (Grafana at `grafana.<domain>`). */
  readonly domain: string | undefined;
  /** How ingress controllers are exposed. */
  readonly ingressServiceType: 'LoadBalancer' | 'NodePort';
  /** Cloud-side deletion protection of the cluster. */
  readonly deletionProtection: boolean;
  /**
   * Hosts of apps outside the platform's `charts-out/` (a consumer's repository) that need a Gateway listener:
   * `gatewayHttpsHosts`, then `gatewayHttpHosts` (`plainHttp`).
   */
  readonly gatewayHosts: readonly GatewayHost[];
  /** How the platform's certificates are issued (a local CA unless the stack sets `tls`). */
  readonly tls: TlsIssuing;
  /** Where the add-ons' charts come from: `localDir` (absolute) or, when empty, the upstream repositories. */
  readonly chartSource: { readonly localDir?: string };
  /** The cloud side of each workload identity the apps name (`cloudIdentity`); empty on existing clusters. */
  readonly identities: Readonly<Record<string, CloudIdentity>>;
}

/** A GKE stack. */
export interface GkeStackConfig extends CommonConfig {
  /** Discriminant. */
  readonly cloud: 'gke';
  /** GCP region. */
  readonly region: string;
  /** Node pool zones; the region's defaults when absent. */
  readonly zones: readonly string[] | undefined;
  /** Node pool sizing. */
  readonly nodes: NodeSettings;
  /** GKE settings. */
  readonly gke: GkeSettings;
}

/** An EKS stack. */
export interface EksStackConfig extends CommonConfig {
  /** Discriminant. */
  readonly cloud: 'eks';
  /** AWS region (equal to `aws:region`). */
  readonly region: string;
  /** Two or three availability zones. */
  readonly zones: readonly string[];
  /** Node group sizing. */
  readonly nodes: NodeSettings;
  /** EKS settings. */
  readonly eks: EksSettings;
}

/** A stack on an existing cluster. */
export interface ExistingStackConfig extends CommonConfig {
  /** Discriminant. */
  readonly cloud: 'existing';
  /** How to reach the cluster. */
  readonly existing: ExistingSettings;
}

/** The validated configuration of one stack. */
export type StackConfig = GkeStackConfig | EksStackConfig | ExistingStackConfig;
