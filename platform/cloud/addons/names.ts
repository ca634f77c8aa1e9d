import { ADDON_NAMESPACES, TEMPO_OTLP } from '../../contract';

/** Namespaces and in-cluster names the add-ons are installed under; apps and docs refer to them. */
export const RELEASE_NAMESPACES = {
  ingressNginx: ADDON_NAMESPACES['ingress-nginx'],
  contour: ADDON_NAMESPACES.contour,
  linkerd: ADDON_NAMESPACES.linkerd,
  linkerdViz: ADDON_NAMESPACES['linkerd-viz'],
  monitoring: ADDON_NAMESPACES.prometheus,
  vpa: ADDON_NAMESPACES.vpa,
  metricsServer: 'kube-system',
  certManager: ADDON_NAMESPACES['cert-manager'],
  linkerdCni: 'linkerd-cni',
  keda: ADDON_NAMESPACES.keda,
} as const;

/** Helm release names (fixed, so that Service names are predictable). */
export const RELEASE_NAMES = {
  ingressNginx: 'ingress-nginx',
  contour: 'contour',
  linkerdControlPlane: 'linkerd-control-plane',
  linkerdViz: 'linkerd-viz',
  prometheus: 'kube-prometheus-stack',
  prometheusAdapter: 'prometheus-adapter',
  vpa: 'vertical-pod-autoscaler',
  loki: 'loki',
  alloy: 'alloy',
  tempo: TEMPO_OTLP.service,
  metricsServer: 'metrics-server',
  certManager: 'cert-manager',
  linkerdCni: 'linkerd2-cni',
  keda: 'keda',
} as const;

/** In-cluster URL of the kube-prometheus-stack Prometheus. */
export const PROMETHEUS_URL = `http://${RELEASE_NAMES.prometheus}-prometheus.${RELEASE_NAMESPACES.monitoring}.svc.cluster.local:9090`;
