/**
 * The Pulumi side of the library (`k8s-platform/cloud`): the programs of the two kinds of stack for a consumer's own
 * `Pulumi.yaml`, and the components they are made of. A platform stack owns the cluster and the add-ons; an app
 * stack owns one app of `charts-out/` and reads the platform stack through a `StackReference`. Settings are read
 * under `k8s-platform:` whatever the project is called. Loads `@pulumi/pulumi` and `@pulumi/kubernetes`;
 * `@pulumi/aws` and `@pulumi/gcp` only when a platform stack uses that cloud.
 */
import * as pulumi from '@pulumi/pulumi';
import { parseAppStackConfig, readRawAppConfig } from './app-config';
import type { AppStackConfig } from './app-config';
import { deployApp } from './app-program';
import { parseStackConfig, readRawConfig } from './config';
import { checkConfigKeys, CONFIG_NAMESPACE, stackRole } from './config-keys';
import type { StackRole } from './config-keys';
import type { Cloud, StackConfig } from './config-types';
import { deployPlatform } from './platform-program';
import type { PlatformExports } from './platform-exports';
import { disableResourceReferences } from './resource-references';

export { AppDeployment } from '../app-deployment';
export type { AppDeploymentArgs } from '../app-deployment';
export { readChartsIndex, selectApps, verifyApp, verifyManifest } from '../charts-index';
export type { VerifiedApp } from '../charts-index';
export { ExistingCluster } from '../existing-cluster';
export { PlatformAddons } from '../platform-addons';
export { parseAppStackConfig } from './app-config';
export type { AppStackConfig } from './app-config';
export { deployApp } from './app-program';
export type { AppStackDeployment } from './app-program';
export { CLOUDS, parseStackConfig, readRawConfig } from './config';
export { APP_KEYS, checkConfigKeys, CONFIG_NAMESPACE, PLATFORM_KEYS, StackConfigError } from './config-keys';
export type { Cloud, StackConfig } from './config-types';
export { checkAppAgainstPlatform, PLATFORM_EXPORTS_VERSION } from './platform-exports';
export type { PlatformExports } from './platform-exports';
export { deployPlatform, preflight, requiredAddons } from './platform-program';
export type { DeployOptions, PlatformDeployment } from './platform-program';
export { disableResourceReferences, RESOURCE_REFERENCES_ENV } from './resource-references';

/** The stack outputs of {@link platformProgram} (`pulumi stack output`). */
export interface PlatformOutputs {
  /** What app stacks read: add-ons and versions, issuers, the Gateway, ingress addresses. */
  readonly platform: pulumi.Output<PlatformExports>;
  /** Kubeconfig of the cluster (secret), when the stack has one. */
  readonly kubeconfig: pulumi.Output<string> | undefined;
  /** External address of each ingress controller (point your DNS records here). */
  readonly ingressAddresses: pulumi.Output<Record<string, string>>;
  /** Where Grafana is served. */
  readonly grafanaUrl: pulumi.Output<string> | undefined;
  /** Grafana `admin` password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string> | undefined;
  /** The apps of `charts-out/` the platform serves. */
  readonly apps: readonly string[];
  /** The add-ons installed, in dependency order. */
  readonly addons: readonly string[];
  /** Which cloud the stack runs on. */
  readonly cloud: Cloud;
}

/** The stack outputs of {@link appProgram}. */
export interface AppOutputs {
  /** The app deployed. */
  readonly app: string;
  /** Its namespace. */
  readonly namespace: string;
  /** The hosts it serves (point their DNS at the platform's ingress addresses). */
  readonly hosts: readonly string[];
  /** The platform stack it runs on. */
  readonly platformStack: string;
}

/** All `k8s-platform:*` settings of the current stack, checked: a key this kind of stack does not read is an error. */
function checkedRole(expected?: StackRole): StackRole {
  const all = pulumi.runtime.allConfig();
  const prefix = `${CONFIG_NAMESPACE}:`;
  const role =
    expected ??
    stackRole(
      Object.keys(all)
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length)),
    );
  checkConfigKeys(all, role);
  return role;
}

/** The current platform stack's config (`k8s-platform:*`, `aws:region`, `gcp:*`), validated. */
export function readStackConfig(): StackConfig {
  checkedRole('platform');
  return parseStackConfig(
    readRawConfig(new pulumi.Config(CONFIG_NAMESPACE), new pulumi.Config('aws'), new pulumi.Config('gcp')),
  );
}

/** The current app stack's config (`k8s-platform:platformStack`, `app`, `secrets`), validated. */
export function readAppStackConfig(): AppStackConfig {
  checkedRole('app');
  return parseAppStackConfig(readRawAppConfig(new pulumi.Config(CONFIG_NAMESPACE)));
}

/**
 * The platform stack: the cluster, the add-ons the served apps need, the issuers and the shared Gateway. A whole
 * program: it turns the SDK's resource references off ({@link disableResourceReferences}).
 * @param chartsDir folder holding `index.json` of the apps the platform serves
 * @param config the stack config; default: {@link readStackConfig}
 */
export function platformProgram(chartsDir: string, config: StackConfig = readStackConfig()): PlatformOutputs {
  disableResourceReferences();
  const platform = deployPlatform(config, { chartsDir });
  return {
    platform: platform.exports,
    kubeconfig: platform.kubeconfig,
    ingressAddresses: platform.ingressAddresses,
    grafanaUrl: platform.grafanaUrl,
    grafanaAdminPassword: platform.grafanaAdminPassword,
    apps: platform.apps,
    addons: platform.installedAddons,
    cloud: config.cloud,
  };
}

/**
 * An app stack: one app of `chartsDir` onto the platform stack named by `k8s-platform:platformStack`. A consumer's
 * Pulumi entry point is one line: `export = appProgram(join(__dirname, '..', 'charts-out'));`. A whole program: it
 * turns the SDK's resource references off ({@link disableResourceReferences}).
 * @param chartsDir folder holding `index.json` and the apps' manifests (refused when stale)
 * @param config the stack config; default: {@link readAppStackConfig}
 */
export async function appProgram(
  chartsDir: string,
  config: AppStackConfig = readAppStackConfig(),
): Promise<AppOutputs> {
  disableResourceReferences();
  const { app } = await deployApp(config, chartsDir);
  return { app: app.name, namespace: app.namespace, hosts: app.hosts, platformStack: config.platformStack };
}

/**
 * The program of this repository's stacks: an app stack when the stack sets `k8s-platform:platformStack`, the
 * platform stack otherwise.
 */
export function stackProgram(chartsDir: string): PlatformOutputs | Promise<AppOutputs> {
  return checkedRole() === 'app' ? appProgram(chartsDir) : platformProgram(chartsDir);
}
