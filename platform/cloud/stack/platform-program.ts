/**
 * The platform stack's program, as a function so that tests can run it under mocks for each cloud: the cluster,
 * the add-ons its apps need, the issuers and the shared Gateway, and the `platform` output app stacks read. Only
 * the cloud SDK the stack uses is loaded: an `existing` stack never pays for `@pulumi/aws` or `@pulumi/gcp`.
 */
import * as pulumi from '@pulumi/pulumi';
import { planAddons } from '../addon-plan';
import { readChartsIndex, selectApps } from '../charts-index';
import { checkGatewayHosts } from '../cert-issuers';
import type { GatewayHost } from '../cert-issuers';
import type { PlatformCluster } from '../cluster';
import type * as EksModule from '../eks-cluster';
import { ExistingCluster } from '../existing-cluster';
import { cloudName } from '../naming';
import type * as GkeModule from '../gke-cluster';
import { PlatformAddons } from '../platform-addons';
import { appAddons, PLATFORM_GATEWAY } from '../../contract';
import type { Addon, AppEntry } from '../../contract';
import type { StackConfig } from './config-types';
import { bindIdentities } from './identities';
import { provisionBackups } from './backups';
import { ADDON_VERSIONS, PLATFORM_EXPORTS_VERSION, gatewayExportHosts, platformIssuers } from './platform-exports';
import type { PlatformExports } from './platform-exports';

/** Options of {@link deployPlatform} that are not stack config. */
export interface DeployOptions {
  /** Directory holding `index.json`: the apps the platform serves (their add-ons, their Gateway hosts). */
  readonly chartsDir: string;
  /** Prefix of every resource name. @default `<project>-<stack>` */
  readonly name?: string;
}

/** What the program created, and the values the stack exports. */
export interface PlatformDeployment {
  readonly cluster: PlatformCluster;
  readonly addons: PlatformAddons;
  /** Kubeconfig (secret), when the stack has one. */
  readonly kubeconfig: pulumi.Output<string> | undefined;
  /** Ingress load-balancer addresses by controller. */
  readonly ingressAddresses: pulumi.Output<Record<string, string>>;
  /** Grafana URL, when Prometheus/Grafana is installed. */
  readonly grafanaUrl: pulumi.Output<string> | undefined;
  /** Grafana admin password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string> | undefined;
  /** Names of the apps of `charts-out/` the platform serves. */
  readonly apps: readonly string[];
  /** Add-ons installed (dependency order). */
  readonly installedAddons: readonly Addon[];
  /** What app stacks read (the stack output `platform`). */
  readonly exports: pulumi.Output<PlatformExports>;
}

/**
 * Checks everything that can be checked without a cloud before the first resource is registered: the apps the
 * platform serves, and that the Gateway has room for a listener per host.
 */
export function preflight(config: StackConfig, chartsDir: string): { apps: readonly AppEntry[] } {
  const apps = selectApps(readChartsIndex(chartsDir), config.apps);
  checkGatewayHosts(gatewayHosts(config, apps));
  return { apps };
}

/** The hosts served on the platform Gateway, each with its app's namespace. */
function gatewayHosts(config: StackConfig, apps: readonly AppEntry[]): GatewayHost[] {
  return [
    ...apps.flatMap((app) => [
      ...app.gatewayHttpsHosts.map((host) => ({ host, namespace: app.namespace })),
      ...(app.gatewayHttpHosts ?? []).map((host) => ({ host, namespace: app.namespace, plainHttp: true })),
    ]),
    ...config.gatewayHosts,
  ];
}

/**
 * The add-ons the stack installs: those its apps need plus those it asks for. Meshed apps need Linkerd; apps whose
 * routes attach to the platform Gateway (`gateway-api`) need Contour, which serves that Gateway.
 */
export function requiredAddons(config: Pick<StackConfig, 'addons'>, apps: readonly AppEntry[]): Addon[] {
  const set = new Set<Addon>(config.addons);
  for (const app of apps) {
    appAddons(app).forEach((a) => set.add(a));
    if (app.addons.includes('gateway-api')) set.add('contour');
  }
  return [...set];
}

function createCluster(name: string, config: StackConfig, addons: readonly Addon[]): PlatformCluster {
  switch (config.cloud) {
    case 'gke': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- load @pulumi/gcp only for GKE stacks
      const { GkeCluster } = require('../gke-cluster') as typeof GkeModule;
      return new GkeCluster(name, {
        project: config.gke.project,
        region: config.region,
        zones: config.zones ? [...config.zones] : undefined,
        autopilot: config.gke.autopilot,
        releaseChannel: config.gke.releaseChannel,
        authorizedNetworks: config.gke.authorizedNetworks,
        machineType: config.nodes.machineType,
        minNodes: config.nodes.min,
        maxNodes: config.nodes.max,
        diskSizeGb: config.nodes.diskSizeGb,
        spot: config.nodes.spot,
        // The control plane calls their webhooks on the private nodes: the cluster opens exactly those ports.
        addons,
        deletionProtection: config.deletionProtection,
        labels: { 'managed-by': 'pulumi', stack: cloudName(pulumi.getStack(), 63) },
      });
    }
    case 'eks': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- load @pulumi/aws only for EKS stacks
      const { EksCluster } = require('../eks-cluster') as typeof EksModule;
      return new EksCluster(name, {
        region: config.region,
        availabilityZones: config.zones,
        kubernetesVersion: config.eks.kubernetesVersion,
        instanceTypes: config.nodes.machineType ? [config.nodes.machineType] : undefined,
        minNodes: config.nodes.min,
        maxNodes: config.nodes.max,
        desiredNodes: config.nodes.desired ?? config.nodes.min,
        diskSizeGb: config.nodes.diskSizeGb,
        capacityType: config.nodes.spot ? 'SPOT' : 'ON_DEMAND',
        natGateways: config.eks.natGateways,
        publicAccessCidrs: config.eks.publicAccessCidrs,
        awsProfile: config.eks.awsProfile,
        accessEntries: config.eks.accessEntries,
        deletionProtection: config.deletionProtection,
        tags: { stack: pulumi.getStack() },
      });
    }
    case 'existing':
      return new ExistingCluster(name, {
        kubeconfig: config.existing.kubeconfig,
        context: config.existing.context,
        builtInAddons: config.existing.builtInAddons,
        backupBucket: config.existing.backupBucket,
      });
  }
}

/** Provisions (or adopts) the cluster and installs the add-ons the served apps need (apps: their own stacks). */
export function deployPlatform(config: StackConfig, options: DeployOptions): PlatformDeployment {
  const name = options.name ?? `${pulumi.getProject()}-${pulumi.getStack()}`;
  const { apps } = preflight(config, options.chartsDir);
  const wanted = requiredAddons(config, apps);
  const cluster = createCluster(name, config, planAddons(wanted).install);
  const hosts = gatewayHosts(config, apps);
  const identities = bindIdentities(name, config, cluster, apps);
  const backups = provisionBackups(name, cluster, apps);

  const addons = new PlatformAddons(`${name}-addons`, {
    provider: cluster.provider,
    addons: wanted,
    flavor: cluster.flavor,
    builtInAddons: cluster.builtInAddons,
    metricsServer:
      config.cloud === 'existing' ? config.existing.metricsServer : config.cloud === 'eks' ? 'install' : 'none',
    ingressServiceType: config.ingressServiceType,
    domain: config.domain,
    clusterReadiness: cluster.readiness,
    gatewayApiCrdsProvided: cluster.gatewayApiCrdsProvided,
    tls: config.tls,
    gatewayHosts: hosts,
    chartSource: config.chartSource,
  });

  const usable: Partial<Record<Addon, string>> = {};
  for (const addon of addons.installed) usable[addon] = ADDON_VERSIONS[addon];
  for (const addon of [...cluster.builtInAddons, ...addons.builtIn]) usable[addon] = 'built-in';
  const exports = pulumi
    .all([addons.ingressAddresses, identities, backups])
    .apply(([ingressAddresses, identityAnnotations, backupTargets]): PlatformExports => ({
      version: PLATFORM_EXPORTS_VERSION,
      cloud: config.cloud,
      ...(config.cloud === 'existing' && config.existing.context ? { kubeContext: config.existing.context } : {}),
      addons: usable,
      issuers: platformIssuers(addons.installed),
      ...(addons.platformGateway ? { gateway: { ...PLATFORM_GATEWAY, ...gatewayExportHosts(hosts) } } : {}),
      ingressAddresses,
      identities: identityAnnotations,
      ...(Object.keys(backupTargets).length > 0 ? { backupTargets } : {}),
    }));

  return {
    cluster,
    addons,
    kubeconfig: cluster.kubeconfig,
    ingressAddresses: addons.ingressAddresses,
    grafanaUrl: addons.grafanaUrl,
    grafanaAdminPassword: addons.grafanaAdminPassword,
    apps: apps.map((a) => a.name),
    installedAddons: addons.installed,
    exports,
  };
}
