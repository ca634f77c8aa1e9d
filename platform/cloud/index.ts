/**
 * The Pulumi side of the platform: cluster components, add-ons and app deployments.
 *
 * Importing this barrel loads `@pulumi/aws` and `@pulumi/gcp` (about a second each); programs that use one cloud
 * should import the component's own module (`./gke-cluster`, `./eks-cluster`, ...) instead.
 */
export { ADDON_AFTER, ADDON_REQUIRES, addonPrerequisites, assertAddon, planAddons } from './addon-plan';
export type { AddonPlan } from './addon-plan';
export { AppDeployment, GENERATED_PASSWORD_LENGTH } from './app-deployment';
export { keepChildren } from './kept-children';
export type { KeptChildren } from './kept-children';
export type { AppDeploymentArgs } from './app-deployment';
export {
  loadAppManifest,
  parseChartsIndex,
  planSecrets,
  readChartsIndex,
  secretConfigCommand,
  secretConfigKey,
  selectApps,
  splitManifest,
  SYNTH_HINT,
  unusedSecretKeys,
  verifyApp,
  verifyManifest,
} from './charts-index';
export type { ManifestObject, SecretPlan, SplitManifest, VerifiedApp } from './charts-index';
export type { ClusterFlavor, IngressServiceType, PlatformCluster } from './cluster';
export { EBS_CSI_POLICY, EKS_CLUSTER_POLICIES, EKS_DEFAULTS, EKS_NODE_POLICIES, EksCluster } from './eks-cluster';
export type { EksClusterArgs, EksNatGateways } from './eks-cluster';
export { ExistingCluster } from './existing-cluster';
export type { ExistingClusterArgs } from './existing-cluster';
export { GKE_DEFAULTS, GKE_NODE_ROLES, GkeCluster } from './gke-cluster';
export type { GkeClusterArgs, GkeReleaseChannel } from './gke-cluster';
export { eksKubeconfig, gkeKubeconfig } from './kubeconfig';
export type { ClusterEndpoint, EksEndpoint } from './kubeconfig';
export { subnetLayout } from './network';
export type { SubnetLayout } from './network';
export * from './addons/chart-source';
export * from './addons/contour';
export * from './addons/gateway-api';
export * from './addons/ingress-nginx';
export * from './addons/installer';
export * from './addons/linkerd';
export * from './addons/loki';
export * from './addons/metrics-server';
export * from './addons/names';
export * from './addons/prometheus';
export * from './addons/prometheus-adapter';
export * from './addons/tempo';
export * from './addons/vpa';
export { PLATFORM_ADDONS_DEFAULTS, PLATFORM_GATEWAY, PlatformAddons } from './platform-addons';
export type { AddonReadiness, PlatformAddonsArgs } from './platform-addons';
export * from './versions';
