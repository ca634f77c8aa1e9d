import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { CLUSTER_ISSUERS } from '../contract';
import type { Addon } from '../contract';
import { addonPrerequisites } from './addon-plan';
import { PLATFORM_AFTER, planWithPlatformNeeds } from './addons/platform-needs';
import { CONTOUR_ENVOY_SERVICE, installContour } from './addons/contour';
import { createPlatformGateway, installGatewayApiCrds } from './addons/gateway-api';
import { INGRESS_NGINX_SERVICE, installIngressNginx } from './addons/ingress-nginx';
import type { ChartSource } from './addons/chart-source';
import { AddonInstaller } from './addons/installer';
import { installLinkerd, installLinkerdViz, LINKERD_CERTIFICATE_DEFAULTS } from './addons/linkerd';
import { installLoki } from './addons/loki';
import { installMetricsServer } from './addons/metrics-server';
import type { MetricsServerMode } from './addons/metrics-server';
import { installPrometheus } from './addons/prometheus';
import { installPrometheusAdapter } from './addons/prometheus-adapter';
import { installTempo } from './addons/tempo';
import { installVpa } from './addons/vpa';
import { installKeda } from './addons/keda';
import { installCertManager } from './addons/cert-manager';
import { checkGatewayHosts } from './cert-issuers';
import type { GatewayHost, TlsIssuing } from './cert-issuers';
import type { ClusterFlavor, IngressServiceType } from './cluster';

export { CONTOUR_ENVOY_SERVICE, contourValues } from './addons/contour';
export type { ContourValues } from './addons/contour';
export { PLATFORM_GATEWAY_CLASS } from './addons/gateway-api';
export { ingressNginxValues } from './addons/ingress-nginx';
export type { IngressNginxValues } from './addons/ingress-nginx';
export { alloyValues, lokiValues } from './addons/loki';
export type { AlloyValues, LokiValues } from './addons/loki';
export type { MetricsServerMode } from './addons/metrics-server';
export { PROMETHEUS_URL, RELEASE_NAMES, RELEASE_NAMESPACES } from './addons/names';
export { kubePrometheusStackValues } from './addons/prometheus';
export type { KubePrometheusStackOptions, KubePrometheusStackValues } from './addons/prometheus';
export { prometheusAdapterValues } from './addons/prometheus-adapter';
/** The Gateway that apps' Gateway API routes attach to (same as `PLATFORM_GATEWAY` on the cdk8s side). */
export { PLATFORM_GATEWAY } from '../contract';

/** Defaults of {@link PlatformAddonsArgs}. */
export const PLATFORM_ADDONS_DEFAULTS = {
  ingressServiceType: 'LoadBalancer' as IngressServiceType,
  timeoutSeconds: 900,
  prometheusRetention: '7d',
  tls: { mode: 'local-ca' } as TlsIssuing,
  ...LINKERD_CERTIFICATE_DEFAULTS,
} as const;

/** Arguments of {@link PlatformAddons}. */
export interface PlatformAddonsArgs {
  /** Provider of the target cluster. */
  readonly provider: k8s.Provider;
  /** Add-ons to install (the apps' needs plus the stack's choices); dependencies are added automatically. */
  readonly addons: readonly Addon[];
  /** Kind of cluster, which tunes a few chart values. @default 'generic' */
  readonly flavor?: ClusterFlavor;
  /** Add-ons the cluster already provides (skipped). */
  readonly builtInAddons?: readonly Addon[];
  /** Whether to install metrics-server. @default 'none' */
  readonly metricsServer?: MetricsServerMode;
  /** How ingress controllers are exposed. @default 'LoadBalancer' */
  readonly ingressServiceType?: IngressServiceType;
  /** Base domain: when set and an ingress controller is installed, Grafana is served at `grafana.<domain>`. */
  readonly domain?: string;
  /** Helm timeout per release in seconds. @default 900 */
  readonly timeoutSeconds?: number;
  /** The cluster already installs and manages the Gateway API CRDs (GKE); only the platform Gateway is added. */
  readonly gatewayApiCrdsProvided?: boolean;
  /** Cluster resources every release waits for (node pool, storage driver, default StorageClass). */
  readonly clusterReadiness?: readonly pulumi.Resource[];
  /** How long Prometheus keeps samples. @default '7d' */
  readonly prometheusRetention?: pulumi.Input<string>;
  /** How the platform's certificates are issued (the `cert-manager` add-on). @default { mode: 'local-ca' } */
  readonly tls?: TlsIssuing;
  /**
   * Hosts the apps serve through the platform Gateway (`index.json`): one listener each, HTTPS unless `plainHttp`.
   * @default []
   */
  readonly gatewayHosts?: readonly GatewayHost[];
  /** Where charts come from (a local directory of pinned archives, for offline installs). @default upstream */
  readonly chartSource?: ChartSource;
}

/** One installed add-on: the resource to depend on once it is ready. */
export type AddonReadiness = Readonly<Partial<Record<Addon, pulumi.Resource>>>;

/**
 * The platform's third-party control planes, each from its maintainers' Helm chart at a pinned version: ingress
 * controllers (ingress-nginx, Contour), Gateway API CRDs, cert-manager, Linkerd (CRDs, CNI plugin, control plane
 * with a `@pulumi/tls` trust anchor and an identity issuer cert-manager renews, viz), kube-prometheus-stack,
 * prometheus-adapter, VPA, Loki (with Alloy) and Tempo, each in a namespace of the platform's (Pod Security labels,
 * default-deny NetworkPolicies), CRDs kept on delete. Only the requested add-ons and their dependencies are
 * installed, each release waiting for the ones it needs.
 */
export class PlatformAddons extends pulumi.ComponentResource {
  /** Installed add-ons, in installation order. */
  public readonly installed: readonly Addon[];
  /** Add-ons skipped because the cluster provides them. */
  public readonly builtIn: readonly Addon[];
  /** For each installed add-on, the resource whose readiness means the add-on is usable. */
  public readonly ready: AddonReadiness;
  /** Every Helm release, by release name (for tests and advanced wiring). */
  public readonly releases: Readonly<Record<string, k8s.helm.v3.Release>>;
  /** External address (IP or host name) of each ingress controller's load balancer, by add-on. */
  public readonly ingressAddresses: pulumi.Output<Record<string, string>>;
  /** Where Grafana is reachable, when the stack installs it. */
  public readonly grafanaUrl: pulumi.Output<string> | undefined;
  /** Grafana `admin` password (secret), when the stack installs Grafana. */
  public readonly grafanaAdminPassword: pulumi.Output<string> | undefined;
  /** The Gateway served by Contour (`platform` in `projectcontour`), when both Contour and Gateway API are installed. */
  public readonly platformGateway: k8s.apiextensions.CustomResource | undefined;
  /** PEM of the Linkerd trust anchor (public), when Linkerd is installed. */
  public readonly linkerdTrustAnchorPem: pulumi.Output<string> | undefined;

  private readonly readyMap: Partial<Record<Addon, pulumi.Resource>> = {};

  /** Plans the add-ons and lets each add-on's module install itself. */
  constructor(name: string, args: PlatformAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:cloud:PlatformAddons', name, {}, opts);
    checkGatewayHosts(args.gatewayHosts ?? []);
    const installer = new AddonInstaller({
      name,
      parent: this,
      provider: args.provider,
      timeoutSeconds: args.timeoutSeconds ?? PLATFORM_ADDONS_DEFAULTS.timeoutSeconds,
      clusterReadiness: args.clusterReadiness ?? [],
      chartSource: args.chartSource,
    });
    const flavor = args.flavor ?? 'generic';
    // Grafana over HTTPS and Linkerd's rotating issuer bring cert-manager (platform-needs.ts).
    const plan = planWithPlatformNeeds(args.addons, args.builtInAddons ?? [], args.domain);
    this.installed = plan.install;
    const installs = (addon: Addon): boolean => plan.install.includes(addon);
    const has = (addon: Addon): boolean => installs(addon) || plan.builtIn.includes(addon);
    const readiness = (addons: readonly Addon[]): pulumi.Resource[] =>
      addons.flatMap((dep) => (this.readyMap[dep] ? [this.readyMap[dep]] : []));
    const after = (addon: Addon): pulumi.Resource[] => readiness(addonPrerequisites(addon, plan.install));
    const serviceType = args.ingressServiceType ?? PLATFORM_ADDONS_DEFAULTS.ingressServiceType;
    const ingressClass = has('contour') ? 'contour' : has('ingress-nginx') ? 'nginx' : undefined;
    const metricsServer = installMetricsServer(installer, args.metricsServer ?? 'none');

    let grafanaUrl: pulumi.Output<string> | undefined;
    let grafanaAdminPassword: pulumi.Output<string> | undefined;
    let trustAnchorPem: pulumi.Output<string> | undefined;
    for (const addon of plan.install) {
      const deps = after(addon);
      switch (addon) {
        case 'gateway-api':
          // Clusters that manage the Gateway API CRDs themselves (GKE) must not get a second owner for them.
          if (!args.gatewayApiCrdsProvided) this.readyMap[addon] = installGatewayApiCrds(installer, deps);
          break;
        case 'ingress-nginx':
          this.readyMap[addon] = installIngressNginx(installer, deps, {
            serviceType,
            serviceMonitor: has('prometheus'),
            meshed: installs('linkerd'),
          });
          break;
        case 'contour':
          this.readyMap[addon] = installContour(installer, deps, {
            serviceType,
            serviceMonitor: has('prometheus'),
            gatewayApi: installs('gateway-api'),
            meshed: installs('linkerd'),
          });
          break;
        case 'linkerd': {
          // Its CRDs and CNI plugin wait only for the plan's prerequisites: the provider must learn the CRDs'
          // scope before the meshed apps' groups are built (pulumi-kubernetes#3176). The issuer and the control
          // plane also wait for cert-manager (and the alerts for Prometheus).
          const linkerd = installLinkerd(installer, deps, {
            certManager: readiness([...(PLATFORM_AFTER.linkerd ?? []), 'prometheus']),
            highAvailability: flavor !== 'generic',
            prometheus: has('prometheus'),
          });
          trustAnchorPem = linkerd.trustAnchorPem;
          this.readyMap[addon] = linkerd.ready;
          break;
        }
        case 'linkerd-viz':
          this.readyMap[addon] = installLinkerdViz(installer, deps, has('prometheus'));
          break;
        case 'prometheus': {
          const prometheus = installPrometheus(installer, deps, {
            flavor,
            retention: args.prometheusRetention ?? PLATFORM_ADDONS_DEFAULTS.prometheusRetention,
            grafanaHost: args.domain && ingressClass ? `grafana.${args.domain}` : undefined,
            ingressClass,
            grafanaIssuer: ingressClass && has('cert-manager') ? CLUSTER_ISSUERS[ingressClass] : undefined,
            scrapeLinkerd: installs('linkerd-viz'),
            loki: installs('loki'),
            tempo: installs('tempo'),
          });
          grafanaUrl = prometheus.grafanaUrl;
          grafanaAdminPassword = prometheus.grafanaAdminPassword;
          this.readyMap[addon] = prometheus.ready;
          break;
        }
        case 'prometheus-adapter':
          this.readyMap[addon] = installPrometheusAdapter(installer, deps);
          break;
        case 'vpa':
          // The VPA recommender reads usage from the resource metrics API.
          this.readyMap[addon] = installVpa(installer, [...deps, ...(metricsServer ? [metricsServer] : [])]);
          break;
        case 'loki':
          this.readyMap[addon] = installLoki(installer, deps);
          break;
        case 'tempo':
          this.readyMap[addon] = installTempo(installer, deps);
          break;
        case 'keda':
          this.readyMap[addon] = installKeda(installer, deps);
          break;
        case 'cert-manager':
          this.readyMap[addon] = installCertManager(installer, deps, {
            issuing: args.tls ?? PLATFORM_ADDONS_DEFAULTS.tls,
            gatewayApi: has('gateway-api'),
            prometheus: has('prometheus'),
          });
          break;
      }
    }

    // With both Contour and the Gateway API installed, Contour serves the platform Gateway that apps' HTTPRoutes
    // attach to; apps that need `gateway-api` then wait for that Gateway rather than for the bare CRDs.
    const gatewayApi = installs('gateway-api');
    if (gatewayApi && this.readyMap.contour) {
      const crds = this.readyMap['gateway-api'];
      this.platformGateway = createPlatformGateway(
        installer,
        [...(crds ? [crds] : []), this.readyMap.contour],
        args.gatewayHosts ?? [],
      );
      this.readyMap['gateway-api'] = this.platformGateway;
    }
    // CRDs provided by the cluster and no Gateway of ours: there is nothing to wait for.
    this.builtIn = gatewayApi && !this.readyMap['gateway-api'] ? [...plan.builtIn, 'gateway-api'] : plan.builtIn;
    this.ready = this.readyMap;
    this.releases = installer.releases;
    this.grafanaUrl = grafanaUrl;
    this.grafanaAdminPassword = grafanaAdminPassword;
    this.linkerdTrustAnchorPem = trustAnchorPem;
    this.ingressAddresses = this.lookUpIngressAddresses(name, args.provider, plan.install);
    this.registerOutputs({
      installed: this.installed,
      ingressAddresses: this.ingressAddresses,
      grafanaUrl: this.grafanaUrl,
    });
  }

  private lookUpIngressAddresses(
    name: string,
    provider: k8s.Provider,
    installed: readonly Addon[],
  ): pulumi.Output<Record<string, string>> {
    const services: Array<[Addon, string]> = [];
    if (installed.includes('ingress-nginx')) services.push(['ingress-nginx', INGRESS_NGINX_SERVICE]);
    if (installed.includes('contour')) services.push(['contour', CONTOUR_ENVOY_SERVICE]);
    const addresses = services.map(([addon, service]) => {
      const release = this.readyMap[addon] as k8s.helm.v3.Release;
      // The id comes from the release's computed status: while the release is still to be created (first
      // preview) it is unknown, and the engine skips the read instead of failing on a Service that does not exist.
      const id = pulumi
        .all([release.status, release.namespace])
        .apply(([status, namespace]) => `${status?.namespace ?? namespace}/${service}`);
      const svc = k8s.core.v1.Service.get(`${name}-${addon}-lb`, id, {
        parent: this,
        provider,
        dependsOn: [release],
      });
      return pulumi.all([svc.spec, svc.status]).apply(([spec, status]): [string, string] => {
        const ingress = status?.loadBalancer?.ingress?.[0];
        if (ingress?.ip || ingress?.hostname) return [addon, (ingress.ip || ingress.hostname) as string];
        const nodePorts = (spec?.ports ?? []).map((p) => p.nodePort).filter((p) => p);
        return [
          addon,
          spec?.type === 'NodePort' ? `node ports ${nodePorts.join(', ')}` : 'pending (run pulumi refresh)',
        ];
      });
    });
    return pulumi.all(addresses).apply((pairs) => Object.fromEntries(pairs));
  }
}
