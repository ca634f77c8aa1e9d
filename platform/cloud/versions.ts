/**
 * Every third-party chart and manifest the platform installs, pinned in one place.
 *
 * Bump a version here only after reading the upstream release notes; each entry names the upstream release it
 * was checked against. The CRD files the cdk8s side was generated from (`shared/crds/SOURCES.md`) are the same
 * releases where the two overlap (Contour 1.33.6, Prometheus Operator 0.93.0, Gateway API 1.6.1).
 */

/** A pinned Helm chart: repository URL, chart name and exact chart version. */
export interface ChartRef {
  /** Helm repository URL (`helm repo add <name> <repo>`). */
  readonly repo: string;
  /** Chart name inside the repository. */
  readonly chart: string;
  /** Exact chart version (never a range: what is reviewed is what is installed). */
  readonly version: string;
  /** Version of the application the chart installs, where upstream states it, for humans and the docs. */
  readonly appVersion?: string;
}

/**
 * ingress-nginx chart 4.15.1 = controller v1.15.1, the project's final release (2026-03-19). The Kubernetes
 * project retired ingress-nginx in March 2026 (kubernetes.io/blog/2025/11/11/ingress-nginx-retirement): there will
 * be no more security fixes, so prefer Contour for new apps.
 */
export const INGRESS_NGINX_CHART: ChartRef = {
  repo: 'https://kubernetes.github.io/ingress-nginx',
  chart: 'ingress-nginx',
  version: '4.15.1',
  appVersion: 'v1.15.1',
};

/**
 * Contour chart 0.7.0 = Contour v1.33.6 (released 2026-08-13), from the Contour project's own chart repository
 * (projectcontour/helm-charts), which replaced the Bitnami chart. Same Contour release as the CRDs the cdk8s
 * constructs were generated from.
 */
export const CONTOUR_CHART: ChartRef = {
  repo: 'https://projectcontour.github.io/helm-charts',
  chart: 'contour',
  version: '0.7.0',
  appVersion: 'v1.33.6',
};

/**
 * Linkerd edge-26.8.3 (charts 2026.8.3, tag edge-26.8.3 of linkerd/linkerd2, 2026-08-21, on
 * https://helm.linkerd.io/edge). The Linkerd project publishes only edge releases since 2.15; edge charts are
 * versioned `YYYY.M.N` after the edge tag. The earlier pin, 2026.9.1, has no edge-26.9.1 tag upstream (checked
 * against linkerd/linkerd2's tags and `../shared/charts/SOURCES.md`), so a first `pulumi up` would have failed there.
 */
const LINKERD_EDGE_REPO = 'https://helm.linkerd.io/edge';
const LINKERD_EDGE_VERSION = '2026.8.3';

/** linkerd-crds chart (Linkerd edge-26.8.3). */
export const LINKERD_CRDS_CHART: ChartRef = {
  repo: LINKERD_EDGE_REPO,
  chart: 'linkerd-crds',
  version: LINKERD_EDGE_VERSION,
  appVersion: 'edge-26.8.3',
};

/** linkerd-control-plane chart (Linkerd edge-26.8.3). */
export const LINKERD_CONTROL_PLANE_CHART: ChartRef = {
  repo: LINKERD_EDGE_REPO,
  chart: 'linkerd-control-plane',
  version: LINKERD_EDGE_VERSION,
  appVersion: 'edge-26.8.3',
};

/** linkerd-viz chart (Linkerd edge-26.8.3); must match the control plane's edge release. */
export const LINKERD_VIZ_CHART: ChartRef = {
  repo: LINKERD_EDGE_REPO,
  chart: 'linkerd-viz',
  version: LINKERD_EDGE_VERSION,
  appVersion: 'edge-26.8.3',
};

/**
 * kube-prometheus-stack 88.2.0: Prometheus Operator v0.93.0 (the operator bump landed in 88.0.0,
 * prometheus-community/helm-charts#7152, 2026-07-31). Same operator release as the ServiceMonitor, PodMonitor and
 * PrometheusRule CRDs the cdk8s constructs were generated from.
 */
export const KUBE_PROMETHEUS_STACK_CHART: ChartRef = {
  repo: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '88.2.0',
  appVersion: 'v0.93.0',
};

/** prometheus-adapter chart 5.3.0 (prometheus-community), serving `custom.metrics.k8s.io` from Prometheus. */
export const PROMETHEUS_ADAPTER_CHART: ChartRef = {
  repo: 'https://prometheus-community.github.io/helm-charts',
  chart: 'prometheus-adapter',
  version: '5.3.0',
};

/**
 * vertical-pod-autoscaler chart 0.11.0 = VPA 1.7.1 (tag vertical-pod-autoscaler-chart-0.11.0 of kubernetes/autoscaler,
 * `vertical-pod-autoscaler/charts`), the Kubernetes autoscaler project's own chart. Its README still calls it "under
 * development"; it is nevertheless the upstream one, and VPA 1.7.1 is the release of the `autoscaling.k8s.io/v1`
 * CRDs the constructs use. The earlier pin, 0.13.0, was never released as a chart (the git tag
 * `vertical-pod-autoscaler-0.13.0` is the 2023 VPA application release; a 0.12.0 chart exists only in an unmerged PR).
 */
export const VPA_CHART: ChartRef = {
  repo: 'https://kubernetes.github.io/autoscaler',
  chart: 'vertical-pod-autoscaler',
  version: '0.11.0',
  appVersion: '1.7.1',
};

/**
 * KEDA chart 2.20.2 = KEDA 2.20.2 (kedacore/charts, the upstream package of its Helm repository, byte for byte;
 * `../shared/charts/SOURCES-keda.md`): the operator that scales consumers on their queues' depth, and the external
 * metrics API its HPAs read.
 */
export const KEDA_CHART: ChartRef = {
  repo: 'https://kedacore.github.io/charts',
  chart: 'keda',
  version: '2.20.2',
  appVersion: '2.20.2',
};

/** Grafana Loki chart 6.55.0 (grafana/helm-charts), deployed as a single binary with filesystem storage. */
export const LOKI_CHART: ChartRef = {
  repo: 'https://grafana.github.io/helm-charts',
  chart: 'loki',
  version: '6.55.0',
};

/**
 * Grafana Tempo chart 1.24.4 (grafana/helm-charts, single binary). Grafana marks this chart deprecated in favour
 * of `tempo-distributed`; it stays the smallest way to get traces into Grafana on a dev cluster.
 */
export const TEMPO_CHART: ChartRef = {
  repo: 'https://grafana.github.io/helm-charts',
  chart: 'tempo',
  version: '1.24.4',
  appVersion: '2.9.0',
};

/**
 * Gateway API standard channel v1.6.1 (kubernetes-sigs/gateway-api, 2026-07-16), the same release as the CRDs the
 * cdk8s constructs were generated from. Installed from the release asset rather than from a controller's chart so
 * that exactly one owner manages these cluster-wide CRDs (Linkerd no longer installs them; Contour's chart leaves
 * them off by default).
 */
export const GATEWAY_API = {
  version: 'v1.6.1',
  url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml',
} as const;

/**
 * Grafana Alloy chart 1.11.1 = Alloy v1.18.1 (tag helm-chart/1.11.1 of grafana/alloy, published to
 * grafana/helm-charts): the log shipper that tails pod logs into Loki (Promtail, its predecessor, reached end of
 * life in 2026). Installed together with the `loki` add-on. The earlier pin, 1.13.0, was Alloy's application
 * version (grafana/alloy#5464 "Update Helm chart to Alloy v1.13.0"), not a chart version.
 */
export const ALLOY_CHART: ChartRef = {
  repo: 'https://grafana.github.io/helm-charts',
  chart: 'alloy',
  version: '1.11.1',
  appVersion: 'v1.18.1',
};

/**
 * metrics-server chart 3.13.1 (kubernetes-sigs/metrics-server): the resource metrics API that CPU and memory HPAs
 * read. GKE runs its own; EKS, kind and minikube do not.
 */
export const METRICS_SERVER_CHART: ChartRef = {
  repo: 'https://kubernetes-sigs.github.io/metrics-server/',
  chart: 'metrics-server',
  version: '3.13.1',
};

/**
 * Cluster Autoscaler chart 9.59.0 (kubernetes/autoscaler, https://kubernetes.github.io/autoscaler): scales EKS
 * managed node groups between their bounds. Its image should match the cluster's Kubernetes minor version; the
 * EKS component pins the tag when the stack pins the version.
 */
export const CLUSTER_AUTOSCALER_CHART: ChartRef = {
  repo: 'https://kubernetes.github.io/autoscaler',
  chart: 'cluster-autoscaler',
  version: '9.59.0',
};

/** An EKS managed add-on pinned to an exact add-on build. */
export interface EksAddonRef {
  /** Add-on name (`aws eks describe-addon-versions --addon-name <name>`). */
  readonly name: string;
  /** Exact add-on version, `v<major>.<minor>.<patch>-eksbuild.<n>`. */
  readonly version: string;
}

/**
 * Amazon VPC CNI add-on v1.20.1-eksbuild.3 (aws/amazon-vpc-cni-k8s v1.20.1, listed in the EKS user guide's "Update
 * the Amazon VPC CNI"): the network policy agent that enforces NetworkPolicies ships with VPC CNI 1.14.0 and later.
 * Check `aws eks describe-addon-versions --addon-name vpc-cni --kubernetes-version <minor>` before bumping.
 */
export const VPC_CNI_ADDON: EksAddonRef = { name: 'vpc-cni', version: 'v1.20.1-eksbuild.3' };
/**
 * cert-manager chart v1.19.6 (cert-manager/cert-manager, 2026-06-25; charts.jetstack.io, whose chart versions
 * carry the `v`): issues the platform's certificates; its chart carries the CRDs (`crds.enabled`).
 */
export const CERT_MANAGER_CHART: ChartRef = {
  repo: 'https://charts.jetstack.io',
  chart: 'cert-manager',
  version: 'v1.19.6',
  appVersion: 'v1.19.6',
};

/**
 * linkerd2-cni chart (Linkerd edge-26.8.3, 2026-08-21, the same edge release as the control plane): the CNI plugin
 * that sets up the proxies' traffic redirection, so that no meshed pod needs NET_ADMIN.
 */
export const LINKERD_CNI_CHART: ChartRef = {
  repo: LINKERD_EDGE_REPO,
  chart: 'linkerd2-cni',
  version: LINKERD_EDGE_VERSION,
  appVersion: 'edge-26.8.3',
};
