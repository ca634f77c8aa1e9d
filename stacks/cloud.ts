/**
 * The Pulumi side of the library (`k8s-platform/cloud`): the platform program for a consumer's own `Pulumi.yaml`,
 * and the components it is made of. Loads `@pulumi/pulumi` and `@pulumi/kubernetes`; `@pulumi/aws` and
 * `@pulumi/gcp` only when a stack uses that cloud.
 */
import * as pulumi from '@pulumi/pulumi';
import { parseStackConfig, readRawConfig } from './config';
import type { Cloud, StackConfig } from './config';
import { deployPlatform } from './program';
import type { PlatformDeployment } from './program';

export { AppDeployment } from '../platform/cloud/app-deployment';
export type { AppDeploymentArgs } from '../platform/cloud/app-deployment';
export { readChartsIndex, selectApps, verifyManifest } from '../platform/cloud/charts-index';
export { ExistingCluster } from '../platform/cloud/existing-cluster';
export { PlatformAddons } from '../platform/cloud/platform-addons';
export { CLOUDS, CONFIG_NAMESPACE, parseStackConfig, readRawConfig, StackConfigError } from './config';
export type { Cloud, StackConfig } from './config';
export { deployPlatform, preflight, requiredAddons } from './program';
export type { DeployOptions, PlatformDeployment } from './program';

/** The stack outputs of {@link platformProgram} (`pulumi stack output`): see {@link PlatformDeployment}. */
export type PlatformOutputs = Pick<
  PlatformDeployment,
  'kubeconfig' | 'ingressAddresses' | 'grafanaUrl' | 'grafanaAdminPassword' | 'apps' | 'appEndpoints'
> & {
  /** The add-ons installed, in dependency order. */
  readonly addons: PlatformDeployment['installedAddons'];
  /** Which cloud the stack runs on. */
  readonly cloud: Cloud;
};

/** The current stack's config (`k8s-platform:*`, `aws:region`, `gcp:*`), validated. */
export function readStackConfig(): StackConfig {
  return parseStackConfig(readRawConfig(new pulumi.Config(), new pulumi.Config('aws'), new pulumi.Config('gcp')));
}

/**
 * The whole platform program: the cluster, the add-ons the apps need, and the apps of `chartsDir` (refused when
 * stale). A consumer's Pulumi entry point is one line: `export = platformProgram(join(__dirname, 'charts-out'));`
 * @param chartsDir folder holding `index.json` and the apps' manifests
 * @param config the stack config; default: {@link readStackConfig}
 */
export function platformProgram(chartsDir: string, config: StackConfig = readStackConfig()): PlatformOutputs {
  const platform = deployPlatform(config, { chartsDir });
  return {
    kubeconfig: platform.kubeconfig,
    ingressAddresses: platform.ingressAddresses,
    grafanaUrl: platform.grafanaUrl,
    grafanaAdminPassword: platform.grafanaAdminPassword,
    apps: platform.apps,
    appEndpoints: platform.appEndpoints,
    addons: platform.installedAddons,
    cloud: config.cloud,
  };
}
