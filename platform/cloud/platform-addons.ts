import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import * as tls from '@pulumi/tls';
import type { Addon } from '../contract';
import { ADDON_NAMESPACES, PLATFORM_GATEWAY, TEMPO_OTLP } from '../contract';
import { addonPrerequisites, planAddons } from './addon-plan';
import type { ClusterFlavor, IngressServiceType } from './cluster';
import {
  ALLOY_CHART,
  CONTOUR_CHART,
  GATEWAY_API,
  INGRESS_NGINX_CHART,
  KUBE_PROMETHEUS_STACK_CHART,
  LINKERD_CONTROL_PLANE_CHART,
  LINKERD_CRDS_CHART,
  LINKERD_VIZ_CHART,
  LOKI_CHART,
  METRICS_SERVER_CHART,
  PROMETHEUS_ADAPTER_CHART,
  TEMPO_CHART,
  VPA_CHART,
} from './versions';
import type { ChartRef } from './versions';

/** Whether and how to install metrics-server (the resource metrics API behind CPU/memory HPAs). */
export type MetricsServerMode = 'none' | 'install' | 'install-insecure-kubelet-tls';

/** Namespaces and in-cluster names the add-ons are installed under; apps and docs refer to them. */
export const RELEASE_NAMESPACES = {
  ingressNginx: ADDON_NAMESPACES['ingress-nginx'],
  contour: ADDON_NAMESPACES.contour,
  linkerd: ADDON_NAMESPACES.linkerd,
  linkerdViz: ADDON_NAMESPACES['linkerd-viz'],
  monitoring: ADDON_NAMESPACES.prometheus,
  vpa: ADDON_NAMESPACES.vpa,
  metricsServer: 'kube-system',
} as const;

/** Helm release names (fixed, so that Service names are predictable). */
export const RELEASE_NAMES = {
  ingressNginx: 'ingress-nginx',
  contour: 'contour',
  linkerdCrds: 'linkerd-crds',
  linkerdControlPlane: 'linkerd-control-plane',
  linkerdViz: 'linkerd-viz',
  prometheus: 'kube-prometheus-stack',
  prometheusAdapter: 'prometheus-adapter',
  vpa: 'vertical-pod-autoscaler',
  loki: 'loki',
  alloy: 'alloy',
  tempo: TEMPO_OTLP.service,
  metricsServer: 'metrics-server',
} as const;

/** In-cluster URL of the kube-prometheus-stack Prometheus. */
export const PROMETHEUS_URL = `http://${RELEASE_NAMES.prometheus}-prometheus.${RELEASE_NAMESPACES.monitoring}.svc.cluster.local:9090`;

/** Defaults of {@link PlatformAddonsArgs}. */
export const PLATFORM_ADDONS_DEFAULTS = {
  ingressServiceType: 'LoadBalancer' as IngressServiceType,
  timeoutSeconds: 900,
  prometheusRetention: '7d',
  /** Trust anchor: long-lived root of the mesh identity; rotating it means re-issuing every proxy certificate. */
  trustAnchorValidityHours: 87600,
  /** Issuer: intermediate CA the control plane signs proxy certificates with; renewed by `pulumi up` before expiry. */
  issuerValidityHours: 8760,
  issuerEarlyRenewalHours: 720,
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
}

/** One installed add-on: the resource to depend on once it is ready. */
export type AddonReadiness = Readonly<Partial<Record<Addon, pulumi.Resource>>>;

/**
 * The platform's third-party control planes, each from its maintainers' Helm chart at a pinned version: ingress
 * controllers (ingress-nginx, Contour), Gateway API CRDs, Linkerd (CRDs, control plane with certificates from
 * `@pulumi/tls`, viz), kube-prometheus-stack, prometheus-adapter, VPA, Loki (with Alloy) and Tempo. Only the
 * requested add-ons and their dependencies are installed, each release waiting for the ones it needs.
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

  private readonly baseName: string;
  private readonly provider: k8s.Provider;
  private readonly timeout: number;
  private readonly clusterReadiness: readonly pulumi.Resource[];
  private readonly readyMap: Partial<Record<Addon, pulumi.Resource>> = {};
  private readonly releaseMap: Record<string, k8s.helm.v3.Release> = {};

  /** Plans and creates the releases. */
  constructor(name: string, args: PlatformAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:cloud:PlatformAddons', name, {}, opts);
    this.baseName = name;
    this.provider = args.provider;
    this.timeout = args.timeoutSeconds ?? PLATFORM_ADDONS_DEFAULTS.timeoutSeconds;
    // A component's own dependsOn does not reach its children: every release waits for the cluster explicitly.
    this.clusterReadiness = args.clusterReadiness ?? [];
    const flavor = args.flavor ?? 'generic';
    const plan = planAddons(args.addons, args.builtInAddons ?? []);
    this.installed = plan.install;
    const gatewayApi = plan.install.includes('gateway-api');
    const has = (addon: Addon): boolean => plan.install.includes(addon) || plan.builtIn.includes(addon);
    const after = (addon: Addon): pulumi.Resource[] =>
      addonPrerequisites(addon, plan.install).flatMap((dep) => (this.readyMap[dep] ? [this.readyMap[dep]] : []));
    const serviceType = args.ingressServiceType ?? PLATFORM_ADDONS_DEFAULTS.ingressServiceType;
    const ingressClass = has('contour') ? 'contour' : has('ingress-nginx') ? 'nginx' : undefined;

    const metricsServer =
      args.metricsServer && args.metricsServer !== 'none'
        ? this.release(RELEASE_NAMES.metricsServer, METRICS_SERVER_CHART, RELEASE_NAMESPACES.metricsServer, [], {
            args: args.metricsServer === 'install-insecure-kubelet-tls' ? ['--kubelet-insecure-tls'] : [],
          })
        : undefined;

    let grafanaUrl: pulumi.Output<string> | undefined;
    let grafanaAdminPassword: pulumi.Output<string> | undefined;
    let trustAnchorPem: pulumi.Output<string> | undefined;
    for (const addon of plan.install) {
      const deps = after(addon);
      switch (addon) {
        case 'gateway-api':
          // Clusters that manage the Gateway API CRDs themselves (GKE) must not get a second owner for them.
          if (!args.gatewayApiCrdsProvided) {
            this.readyMap[addon] = new k8s.yaml.v2.ConfigFile(
              `${name}-gateway-api`,
              { file: GATEWAY_API.url },
              { parent: this, provider: this.provider, dependsOn: [...deps, ...this.clusterReadiness] },
            );
          }
          break;
        case 'ingress-nginx':
          this.readyMap[addon] = this.release(
            RELEASE_NAMES.ingressNginx,
            INGRESS_NGINX_CHART,
            RELEASE_NAMESPACES.ingressNginx,
            deps,
            ingressNginxValues(serviceType, has('prometheus')),
          );
          break;
        case 'contour':
          this.readyMap[addon] = this.release(
            RELEASE_NAMES.contour,
            CONTOUR_CHART,
            RELEASE_NAMESPACES.contour,
            deps,
            contourValues(serviceType, has('prometheus'), plan.install.includes('gateway-api')),
          );
          break;
        case 'linkerd': {
          const certs = linkerdCertificates(name, this);
          trustAnchorPem = certs.trustAnchorPem;
          const crds = this.release(
            RELEASE_NAMES.linkerdCrds,
            LINKERD_CRDS_CHART,
            RELEASE_NAMESPACES.linkerd,
            deps,
            // The Gateway API CRDs come from the `gateway-api` add-on: exactly one owner for cluster-wide CRDs.
            { installGatewayAPI: false },
          );
          this.readyMap[addon] = this.release(
            RELEASE_NAMES.linkerdControlPlane,
            LINKERD_CONTROL_PLANE_CHART,
            RELEASE_NAMESPACES.linkerd,
            [crds, ...deps],
            {
              identityTrustAnchorsPEM: certs.trustAnchorPem,
              identity: { issuer: { tls: { crtPEM: certs.issuerCertPem, keyPEM: certs.issuerKeyPem } } },
            },
          );
          break;
        }
        case 'linkerd-viz':
          this.readyMap[addon] = this.release(
            RELEASE_NAMES.linkerdViz,
            LINKERD_VIZ_CHART,
            RELEASE_NAMESPACES.linkerdViz,
            deps,
            // With kube-prometheus-stack present, viz queries it instead of running a second Prometheus.
            has('prometheus') ? { prometheusUrl: PROMETHEUS_URL, prometheus: { enabled: false } } : {},
          );
          break;
        case 'prometheus': {
          const password = new random.RandomPassword(
            `${name}-grafana-admin`,
            { length: 24, special: false },
            { parent: this },
          );
          grafanaAdminPassword = password.result;
          const host = args.domain && ingressClass ? `grafana.${args.domain}` : undefined;
          grafanaUrl = host
            ? pulumi.output(`http://${host}`)
            : pulumi.output(
                `http://localhost:3000 (run: kubectl -n ${RELEASE_NAMESPACES.monitoring} port-forward ` +
                  `svc/${RELEASE_NAMES.prometheus}-grafana 3000:80)`,
              );
          this.readyMap[addon] = this.release(
            RELEASE_NAMES.prometheus,
            KUBE_PROMETHEUS_STACK_CHART,
            RELEASE_NAMESPACES.monitoring,
            deps,
            kubePrometheusStackValues({
              flavor,
              adminPassword: password.result,
              retention: args.prometheusRetention ?? PLATFORM_ADDONS_DEFAULTS.prometheusRetention,
              grafanaHost: host,
              ingressClass,
              scrapeLinkerd: plan.install.includes('linkerd-viz'),
              loki: plan.install.includes('loki'),
              tempo: plan.install.includes('tempo'),
            }),
          );
          break;
        }
        case 'prometheus-adapter':
          this.readyMap[addon] = this.release(
            RELEASE_NAMES.prometheusAdapter,
            PROMETHEUS_ADAPTER_CHART,
            RELEASE_NAMESPACES.monitoring,
            deps,
            prometheusAdapterValues(),
          );
          break;
        case 'vpa':
          // The VPA recommender reads usage from the resource metrics API.
          this.readyMap[addon] = this.release(
            RELEASE_NAMES.vpa,
            VPA_CHART,
            RELEASE_NAMESPACES.vpa,
            [...deps, ...(metricsServer ? [metricsServer] : [])],
            {},
          );
          break;
        case 'loki': {
          const loki = this.release(RELEASE_NAMES.loki, LOKI_CHART, RELEASE_NAMESPACES.monitoring, deps, lokiValues());
          this.readyMap[addon] = this.release(
            RELEASE_NAMES.alloy,
            ALLOY_CHART,
            RELEASE_NAMESPACES.monitoring,
            [loki],
            alloyValues(),
          );
          break;
        }
        case 'tempo':
          this.readyMap[addon] = this.release(RELEASE_NAMES.tempo, TEMPO_CHART, RELEASE_NAMESPACES.monitoring, deps, {
            tempo: {
              reportingEnabled: false,
              // The receivers traced workloads export to (platform/contract.ts), explicit rather than chart defaults.
              receivers: {
                otlp: {
                  protocols: {
                    grpc: { endpoint: `0.0.0.0:${TEMPO_OTLP.ports.grpc}` },
                    http: { endpoint: `0.0.0.0:${TEMPO_OTLP.ports['http/protobuf']}` },
                  },
                },
              },
            },
          });
          break;
      }
    }

    // With both Contour and the Gateway API installed, Contour serves the platform Gateway that apps' HTTPRoutes
    // attach to; apps that need `gateway-api` then wait for that Gateway rather than for the bare CRDs.
    if (gatewayApi && this.readyMap.contour) {
      const crds = this.readyMap['gateway-api'];
      this.platformGateway = this.createPlatformGateway(name, [...(crds ? [crds] : []), this.readyMap.contour]);
      this.readyMap['gateway-api'] = this.platformGateway;
    }
    // CRDs provided by the cluster and no Gateway of ours: there is nothing to wait for.
    this.builtIn = gatewayApi && !this.readyMap['gateway-api'] ? [...plan.builtIn, 'gateway-api'] : plan.builtIn;
    this.ready = this.readyMap;
    this.releases = this.releaseMap;
    this.grafanaUrl = grafanaUrl;
    this.grafanaAdminPassword = grafanaAdminPassword === undefined ? undefined : pulumi.secret(grafanaAdminPassword);
    this.linkerdTrustAnchorPem = trustAnchorPem;
    this.ingressAddresses = this.lookUpIngressAddresses(name, plan.install);
    this.registerOutputs({
      installed: this.installed,
      ingressAddresses: this.ingressAddresses,
      grafanaUrl: this.grafanaUrl,
    });
  }

  private release(
    releaseName: string,
    chart: ChartRef,
    namespace: string,
    dependsOn: pulumi.Resource[],
    values: pulumi.Inputs,
  ): k8s.helm.v3.Release {
    const release = new k8s.helm.v3.Release(
      `${this.baseName}-${releaseName}`,
      {
        name: releaseName,
        chart: chart.chart,
        version: chart.version,
        repositoryOpts: { repo: chart.repo },
        namespace,
        createNamespace: true,
        values,
        // Roll back a failed install or upgrade instead of leaving a half-installed control plane behind.
        atomic: true,
        cleanupOnFail: true,
        timeout: this.timeout,
        maxHistory: 10,
      },
      { parent: this, provider: this.provider, dependsOn: [...dependsOn, ...this.clusterReadiness] },
    );
    this.releaseMap[releaseName] = release;
    return release;
  }

  private createPlatformGateway(name: string, dependsOn: pulumi.Resource[]): k8s.apiextensions.CustomResource {
    const opts = { parent: this, provider: this.provider, dependsOn: [...dependsOn, ...this.clusterReadiness] };
    const gatewayClass = new k8s.apiextensions.CustomResource(
      `${name}-gatewayclass`,
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: PLATFORM_GATEWAY_CLASS },
        spec: { controllerName: 'projectcontour.io/gateway-controller' },
      },
      opts,
    );
    return new k8s.apiextensions.CustomResource(
      `${name}-gateway`,
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: PLATFORM_GATEWAY.name, namespace: PLATFORM_GATEWAY.namespace },
        spec: {
          gatewayClassName: PLATFORM_GATEWAY_CLASS,
          listeners: [
            // Envoy listens on listener port + 8000 (8080, 8443): the container ports of the chart's Envoy.
            { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } },
            // Contour's own protocol keeps TLS configured on HTTPProxy/Ingress working next to Gateway API routes.
            {
              name: 'https',
              protocol: 'projectcontour.io/https',
              port: 443,
              allowedRoutes: { namespaces: { from: 'All' } },
            },
          ],
        },
      },
      { ...opts, dependsOn: [...opts.dependsOn, gatewayClass] },
    );
  }

  private lookUpIngressAddresses(name: string, installed: readonly Addon[]): pulumi.Output<Record<string, string>> {
    const services: Array<[Addon, string]> = [];
    if (installed.includes('ingress-nginx'))
      services.push(['ingress-nginx', `${RELEASE_NAMES.ingressNginx}-controller`]);
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
        provider: this.provider,
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

/** Name of the Envoy Service of the Contour release (set explicitly in its values). */
export const CONTOUR_ENVOY_SERVICE = 'contour-envoy';

/** Values of the ingress-nginx chart. */
export function ingressNginxValues(serviceType: IngressServiceType, serviceMonitor: boolean): pulumi.Inputs {
  return {
    controller: {
      replicaCount: 2,
      service: { type: serviceType },
      // Contour may be installed too: neither controller claims Ingresses that do not name it.
      ingressClassResource: { name: 'nginx', enabled: true, default: false },
      ingressClass: 'nginx',
      watchIngressWithoutClass: false,
      // Snippet annotations let any namespace inject nginx config (CVE-2021-25742, CVE-2025-1974 class of bugs).
      allowSnippetAnnotations: false,
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
      metrics: { enabled: true, serviceMonitor: { enabled: serviceMonitor } },
    },
  };
}

/** The Gateway that apps' Gateway API routes attach to (same as `PLATFORM_GATEWAY` on the cdk8s side). */
export { PLATFORM_GATEWAY };

/** GatewayClass of the platform Gateway, handled by Contour. */
export const PLATFORM_GATEWAY_CLASS = 'contour';

/**
 * Values of the Contour chart. With the Gateway API, Contour is statically provisioned for the platform Gateway
 * (`gateway.gatewayRef`) and told not to watch the experimental-channel kinds the standard CRDs do not include.
 */
export function contourValues(
  serviceType: IngressServiceType,
  serviceMonitor: boolean,
  gatewayApi = false,
): pulumi.Inputs {
  return {
    contour: {
      replicaCount: 2,
      ingressClass: { name: 'contour', create: true, default: false },
      ...(gatewayApi ? { extraArgs: ['--disable-feature=tlsroutes', '--disable-feature=tcproutes'] } : {}),
    },
    ...(gatewayApi ? { configInline: { gateway: { gatewayRef: { ...PLATFORM_GATEWAY } } } } : {}),
    envoy: { service: { type: serviceType, name: CONTOUR_ENVOY_SERVICE } },
    gatewayAPI: { manageCRDs: false },
    metrics: { serviceMonitor: { enabled: serviceMonitor } },
  };
}

/** Inputs of {@link kubePrometheusStackValues}. */
export interface KubePrometheusStackOptions {
  /** Kind of cluster (decides which control-plane components are scraped). */
  readonly flavor: ClusterFlavor;
  /** Grafana `admin` password. */
  readonly adminPassword: pulumi.Input<string>;
  /** Prometheus retention, e.g. `7d`. */
  readonly retention: pulumi.Input<string>;
  /** Host to serve Grafana on through an Ingress. */
  readonly grafanaHost?: string;
  /** IngressClass of that Ingress. */
  readonly ingressClass?: string;
  /** Add the Linkerd proxy scrape job (for linkerd-viz). */
  readonly scrapeLinkerd: boolean;
  /** Add a Loki data source. */
  readonly loki: boolean;
  /** Add a Tempo data source. */
  readonly tempo: boolean;
}

/** Scrape job for Linkerd proxies, used by linkerd-viz when it queries the stack's Prometheus. */
const LINKERD_PROXY_SCRAPE = {
  job_name: 'linkerd-proxy',
  kubernetes_sd_configs: [{ role: 'pod' }],
  relabel_configs: [
    {
      source_labels: [
        '__meta_kubernetes_pod_container_name',
        '__meta_kubernetes_pod_container_port_name',
        '__meta_kubernetes_pod_label_linkerd_io_control_plane_ns',
      ],
      action: 'keep',
      regex: `^linkerd-proxy;linkerd-admin;${RELEASE_NAMESPACES.linkerd}$`,
    },
    { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], action: 'replace', target_label: 'pod' },
    { action: 'labelmap', regex: '__meta_kubernetes_pod_label_linkerd_io_proxy_(.+)' },
  ],
};

/** Values of kube-prometheus-stack: cluster-wide discovery of monitors, rules and dashboards. */
export function kubePrometheusStackValues(o: KubePrometheusStackOptions): pulumi.Inputs {
  const managed = o.flavor !== 'generic';
  const datasources = [
    ...(o.loki
      ? [{ name: 'Loki', type: 'loki', url: `http://${RELEASE_NAMES.loki}.${RELEASE_NAMESPACES.monitoring}:3100` }]
      : []),
    ...(o.tempo
      ? [{ name: 'Tempo', type: 'tempo', url: `http://${RELEASE_NAMES.tempo}.${RELEASE_NAMESPACES.monitoring}:3200` }]
      : []),
  ];
  return {
    crds: { enabled: true },
    prometheus: {
      prometheusSpec: {
        // Without these, Prometheus only selects objects labelled with this Helm release: the apps' monitors
        // and rules in their own namespaces would be ignored.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        retention: o.retention,
        resources: { requests: { cpu: '200m', memory: '1Gi' } },
        ...(o.scrapeLinkerd ? { additionalScrapeConfigs: [LINKERD_PROXY_SCRAPE] } : {}),
      },
    },
    grafana: {
      adminPassword: o.adminPassword,
      sidecar: {
        // Dashboards ship as ConfigMaps labelled grafana_dashboard: "1" in each app's namespace.
        dashboards: {
          enabled: true,
          label: 'grafana_dashboard',
          labelValue: '1',
          searchNamespace: 'ALL',
          folderAnnotation: 'grafana_folder',
          provider: { foldersFromFilesStructure: true },
        },
        datasources: { enabled: true },
      },
      ...(datasources.length > 0 ? { additionalDataSources: datasources } : {}),
      ...(o.grafanaHost && o.ingressClass
        ? { ingress: { enabled: true, ingressClassName: o.ingressClass, hosts: [o.grafanaHost] } }
        : {}),
    },
    // Managed control planes (GKE, EKS) do not expose these components: scraping them only raises alerts.
    kubeControllerManager: { enabled: !managed },
    kubeScheduler: { enabled: !managed },
    kubeEtcd: { enabled: !managed },
    kubeProxy: { enabled: !managed },
    // Autopilot refuses host-network/host-PID DaemonSets such as node-exporter.
    nodeExporter: { enabled: o.flavor !== 'gke-autopilot' },
  };
}

/**
 * Values of prometheus-adapter: every `<name>_total` counter with pod and namespace labels (podinfo's
 * `http_requests_total` among them) is served as `<name>_per_second` on `custom.metrics.k8s.io`, so an HPA can
 * target `http_requests_per_second`.
 */
export function prometheusAdapterValues(): pulumi.Inputs {
  return {
    prometheus: {
      url: `http://${RELEASE_NAMES.prometheus}-prometheus.${RELEASE_NAMESPACES.monitoring}.svc`,
      port: 9090,
    },
    rules: {
      default: false,
      custom: [
        {
          seriesQuery: '{__name__=~"^.*_total$",namespace!="",pod!=""}',
          resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
          name: { matches: '^(.*)_total$', as: '${1}_per_second' },
          metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
        },
      ],
    },
  };
}

/** Values of Loki: one replica, filesystem storage, for development and small clusters. */
export function lokiValues(): pulumi.Inputs {
  return {
    deploymentMode: 'SingleBinary',
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: 'filesystem' },
      schemaConfig: {
        configs: [
          {
            from: '2024-04-01',
            store: 'tsdb',
            object_store: 'filesystem',
            schema: 'v13',
            index: { prefix: 'loki_index_', period: '24h' },
          },
        ],
      },
    },
    singleBinary: { replicas: 1 },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
  };
}

/** Values of Alloy: a DaemonSet tailing every pod's logs into Loki. */
export function alloyValues(): pulumi.Inputs {
  const config = [
    'discovery.kubernetes "pods" {',
    '  role = "pod"',
    '}',
    'discovery.relabel "pods" {',
    '  targets = discovery.kubernetes.pods.targets',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_namespace"]',
    '    target_label  = "namespace"',
    '  }',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_name"]',
    '    target_label  = "pod"',
    '  }',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_container_name"]',
    '    target_label  = "container"',
    '  }',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]',
    '    target_label  = "app"',
    '  }',
    '}',
    'loki.source.kubernetes "pods" {',
    '  targets    = discovery.relabel.pods.output',
    '  forward_to = [loki.write.default.receiver]',
    '}',
    'loki.write "default" {',
    '  endpoint {',
    `    url = "http://${RELEASE_NAMES.loki}.${RELEASE_NAMESPACES.monitoring}:3100/loki/api/v1/push"`,
    '  }',
    '}',
  ].join('\n');
  return { alloy: { configMap: { create: true, content: config } }, controller: { type: 'daemonset' } };
}

interface LinkerdCertificates {
  readonly trustAnchorPem: pulumi.Output<string>;
  readonly issuerCertPem: pulumi.Output<string>;
  readonly issuerKeyPem: pulumi.Output<string>;
}

/**
 * Linkerd's identity chain, as its Helm install requires: an ECDSA P-256 self-signed trust anchor and an issuer
 * (intermediate CA, path length 0) signed by it. Private keys live only in the (encrypted) Pulumi state.
 */
function linkerdCertificates(name: string, parent: pulumi.Resource): LinkerdCertificates {
  const opts = { parent };
  const caKey = new tls.PrivateKey(`${name}-linkerd-trust-anchor`, { algorithm: 'ECDSA', ecdsaCurve: 'P256' }, opts);
  const ca = new tls.SelfSignedCert(
    `${name}-linkerd-trust-anchor`,
    {
      privateKeyPem: caKey.privateKeyPem,
      subject: { commonName: 'root.linkerd.cluster.local' },
      isCaCertificate: true,
      maxPathLength: 1,
      validityPeriodHours: PLATFORM_ADDONS_DEFAULTS.trustAnchorValidityHours,
      allowedUses: ['cert_signing', 'crl_signing'],
    },
    opts,
  );
  const issuerKey = new tls.PrivateKey(`${name}-linkerd-issuer`, { algorithm: 'ECDSA', ecdsaCurve: 'P256' }, opts);
  const request = new tls.CertRequest(
    `${name}-linkerd-issuer`,
    { privateKeyPem: issuerKey.privateKeyPem, subject: { commonName: 'identity.linkerd.cluster.local' } },
    opts,
  );
  const issuer = new tls.LocallySignedCert(
    `${name}-linkerd-issuer`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      isCaCertificate: true,
      maxPathLength: 0,
      validityPeriodHours: PLATFORM_ADDONS_DEFAULTS.issuerValidityHours,
      earlyRenewalHours: PLATFORM_ADDONS_DEFAULTS.issuerEarlyRenewalHours,
      allowedUses: ['cert_signing', 'crl_signing'],
    },
    opts,
  );
  return {
    trustAnchorPem: ca.certPem,
    issuerCertPem: issuer.certPem,
    issuerKeyPem: pulumi.secret(issuerKey.privateKeyPem),
  };
}
