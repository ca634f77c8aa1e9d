/**
 * The Pulumi program's body, as a function so that tests can run it under mocks for each cloud. Only the cloud SDK
 * the stack uses is loaded: an `existing` stack never pays for `@pulumi/aws` or `@pulumi/gcp`.
 */
import * as pulumi from '@pulumi/pulumi';
import { planAddons } from '../platform/cloud/addon-plan';
import { AppDeployment } from '../platform/cloud/app-deployment';
import {
  loadAppManifest,
  planSecrets,
  readChartsIndex,
  selectApps,
  splitManifest,
  unusedSecretKeys,
} from '../platform/cloud/charts-index';
import { checkGatewayHttpsHosts } from '../platform/cloud/cert-issuers';
import type { GatewayHttpsHost } from '../platform/cloud/cert-issuers';
import type { PlatformCluster } from '../platform/cloud/cluster';
import type * as EksModule from '../platform/cloud/eks-cluster';
import { ExistingCluster } from '../platform/cloud/existing-cluster';
import { cloudName } from '../platform/cloud/naming';
import type * as GkeModule from '../platform/cloud/gke-cluster';
import { PlatformAddons } from '../platform/cloud/platform-addons';
import type { Addon, AppEntry, ChartsIndex } from '../platform/contract';
import type { StackConfig } from './config';

/** Options of {@link deployPlatform} that are not stack config. */
export interface DeployOptions {
  /** Directory holding `index.json` and the apps' YAML. */
  readonly chartsDir: string;
  /** Prefix of every resource name. @default `<project>-<stack>` */
  readonly name?: string;
}

/** What the program created, and the values the stack exports. */
export interface PlatformDeployment {
  readonly cluster: PlatformCluster;
  readonly addons: PlatformAddons;
  readonly deployments: readonly AppDeployment[];
  /** Kubeconfig (secret), when the stack has one. */
  readonly kubeconfig: pulumi.Output<string> | undefined;
  /** Ingress load-balancer addresses by controller. */
  readonly ingressAddresses: pulumi.Output<Record<string, string>>;
  /** Grafana URL, when Prometheus/Grafana is installed. */
  readonly grafanaUrl: pulumi.Output<string> | undefined;
  /** Grafana admin password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string> | undefined;
  /** Names of the deployed apps. */
  readonly apps: readonly string[];
  /** For each deployed app, its namespace and the hosts it serves. */
  readonly appEndpoints: Readonly<Record<string, { readonly namespace: string; readonly hosts: readonly string[] }>>;
  /** Add-ons installed (dependency order). */
  readonly installedAddons: readonly Addon[];
}

/**
 * Checks everything that can be checked without a cloud before the first resource is registered: the app
 * selection, every app's digest and YAML, the secret values, and config secret keys that match nothing.
 */
export function preflight(config: StackConfig, chartsDir: string): { index: ChartsIndex; apps: readonly AppEntry[] } {
  const index = readChartsIndex(chartsDir);
  const apps = selectApps(index, config.apps);
  const unused = unusedSecretKeys(index.apps, Object.keys(config.secrets));
  if (unused.length > 0) {
    throw new Error(
      `k8s-platform:secrets has values no app in charts-out/index.json expects: ${unused.join(', ')}. ` +
        `Keys are "<app>/<secret>/<key>"; check for typos.`,
    );
  }
  const provided = new Set(Object.keys(config.secrets));
  for (const app of apps) {
    splitManifest(app, loadAppManifest(chartsDir, app));
    planSecrets(app, provided);
  }
  checkGatewayHttpsHosts(gatewayHttpsHosts(apps));
  return { index, apps };
}

/** The hosts the apps serve over HTTPS on the platform Gateway, each with the app's namespace. */
function gatewayHttpsHosts(apps: readonly AppEntry[]): GatewayHttpsHost[] {
  return apps.flatMap((app) => app.gatewayHttpsHosts.map((host) => ({ host, namespace: app.namespace })));
}

/**
 * The add-ons the stack installs: those its apps need plus those it asks for. Meshed apps need Linkerd; apps whose
 * routes attach to the platform Gateway (`gateway-api`) need Contour, which serves that Gateway.
 */
export function requiredAddons(config: Pick<StackConfig, 'addons'>, apps: readonly AppEntry[]): Addon[] {
  const set = new Set<Addon>(config.addons);
  for (const app of apps) {
    app.addons.forEach((a) => set.add(a));
    if (app.meshed) set.add('linkerd');
    if (app.addons.includes('gateway-api')) set.add('contour');
  }
  return [...set];
}

function createCluster(name: string, config: StackConfig, addons: readonly Addon[]): PlatformCluster {
  switch (config.cloud) {
    case 'gke': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- load @pulumi/gcp only for GKE stacks
      const { GkeCluster } = require('../platform/cloud/gke-cluster') as typeof GkeModule;
      return new GkeCluster(name, {
        project: config.gke.project,
        region: config.region,
        zones: config.zones ? [...config.zones] : undefined,
        autopilot: config.gke.autopilot,
        releaseChannel: config.gke.releaseChannel,
        authorizedNetworks: config.gke.authorizedNetworks,
        machineType: config.nodes.machineType,
        minNodesPerZone: config.nodes.min,
        maxNodesPerZone: config.nodes.max,
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
      const { EksCluster } = require('../platform/cloud/eks-cluster') as typeof EksModule;
      return new EksCluster(name, {
        region: config.region,
        availabilityZones: config.zones,
        kubernetesVersion: config.eks.kubernetesVersion,
        instanceTypes: config.nodes.machineType ? [config.nodes.machineType] : undefined,
        minSize: config.nodes.min,
        maxSize: config.nodes.max,
        desiredSize: config.nodes.desired ?? config.nodes.min,
        diskSize: config.nodes.diskSizeGb,
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
      });
  }
}

/** Provisions (or adopts) the cluster, installs the add-ons and deploys the selected apps from `chartsDir`. */
export function deployPlatform(config: StackConfig, options: DeployOptions): PlatformDeployment {
  const name = options.name ?? `${pulumi.getProject()}-${pulumi.getStack()}`;
  const { index, apps } = preflight(config, options.chartsDir);
  const wanted = requiredAddons(config, apps);
  const cluster = createCluster(name, config, planAddons(wanted).install);

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
    gatewayHttpsHosts: gatewayHttpsHosts(apps),
    chartSource: config.chartSource,
  });

  const secretValues: Record<string, pulumi.Output<string>> = {};
  for (const [key, value] of Object.entries(config.secrets)) secretValues[key] = pulumi.secret(value);
  const deployments = apps.map(
    (app) =>
      new AppDeployment(`${name}-${app.name}`, {
        provider: cluster.provider,
        chartsDir: options.chartsDir,
        index,
        app: app.name,
        secretValues: Object.fromEntries(
          Object.entries(secretValues).filter(([key]) => key.startsWith(`${app.name}/`)),
        ),
        addons: addons.ready,
        builtInAddons: [...cluster.builtInAddons, ...addons.builtIn],
        clusterReadiness: cluster.readiness,
        identities: config.identities,
        workloadIdentity: cluster.workloadIdentity,
      }),
  );

  return {
    cluster,
    addons,
    deployments,
    kubeconfig: cluster.kubeconfig,
    ingressAddresses: addons.ingressAddresses,
    grafanaUrl: addons.grafanaUrl,
    grafanaAdminPassword: addons.grafanaAdminPassword,
    apps: apps.map((a) => a.name),
    appEndpoints: Object.fromEntries(apps.map((a) => [a.name, { namespace: a.namespace, hosts: a.hosts }])),
    installedAddons: addons.installed,
  };
}
