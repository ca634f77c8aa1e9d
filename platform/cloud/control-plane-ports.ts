/**
 * The ports on which the Kubernetes control plane itself calls add-on pods: admission webhooks, and the backends of
 * aggregated APIs (an APIService is called by the API server the same way). On GKE with private nodes the
 * control plane reaches the nodes on 443 and 10250 only, so every other port here needs a firewall rule, or
 * Ingress creation fails, meshed pods start without proxies and custom-metric HPAs see no metrics.
 *
 * Each entry names where the port comes from in the official chart at the version pinned in `versions.ts` (read
 * from `shared/charts/*.tgz`). The webhook Services listen on 443; what crosses the firewall is the pod's port.
 */
import type { Addon } from '../contract';

/** One port the control plane connects to. */
export interface ControlPlanePort {
  /** TCP port on the add-on's pods. */
  readonly port: number;
  /** The webhook or API the control plane calls there. */
  readonly component: string;
}

/** Ports GKE's own firewall rule already opens from the control plane to private nodes. */
export const GKE_CONTROL_PLANE_OPEN_PORTS: readonly number[] = [443, 10250];

/**
 * What the control plane calls, per add-on (and cert-manager, not an add-on yet). Add-ons without webhooks or
 * aggregated APIs (Contour, the Gateway API CRDs, Loki, Tempo) have an empty list.
 */
export const CONTROL_PLANE_CALLED_PORTS: Readonly<Record<Addon | 'cert-manager', readonly ControlPlanePort[]>> = {
  // ingress-nginx 4.15.1 values.yaml `controller.admissionWebhooks.port: 8443`.
  'ingress-nginx': [{ port: 8443, component: 'ingress-nginx admission webhook' }],
  contour: [],
  'gateway-api': [],
  linkerd: [
    // linkerd-control-plane templates/proxy-injector.yaml: container port `proxy-injector` 8443.
    { port: 8443, component: 'Linkerd proxy injector' },
    // templates/destination.yaml: `sp-validator` container port 8443 (ServiceProfile validator).
    { port: 8443, component: 'Linkerd sp-validator' },
    // templates/destination.yaml: `policy` container port `policy-https` 9443 (policy validator).
    { port: 9443, component: 'Linkerd policy validator' },
  ],
  'linkerd-viz': [
    // linkerd-viz templates/tap-injector.yaml: container port `tap-injector` 8443.
    { port: 8443, component: 'linkerd-viz tap injector' },
    // templates/tap.yaml: container port `apiserver` 8089, behind the v1alpha1.tap.linkerd.io APIService.
    { port: 8089, component: 'linkerd-viz tap API' },
  ],
  // kube-prometheus-stack 88.2.0 values.yaml `prometheusOperator.tls.internalPort: 10250` (chosen upstream so that
  // private GKE needs no rule).
  prometheus: [{ port: 10250, component: 'Prometheus Operator admission webhook' }],
  // prometheus-adapter 5.3.0 values.yaml `listenPort: 6443`, behind the custom.metrics.k8s.io APIService.
  'prometheus-adapter': [{ port: 6443, component: 'prometheus-adapter custom metrics API' }],
  // vertical-pod-autoscaler values.yaml `admissionController.service` targetPort 8000.
  vpa: [{ port: 8000, component: 'VPA admission controller' }],
  loki: [],
  tempo: [],
  // cert-manager v1.19.6 values.yaml `webhook.securePort: 10250`.
  'cert-manager': [{ port: 10250, component: 'cert-manager webhook' }],
  keda: [
    // keda 2.20.2 values.yaml `service.portHttpsTarget: 6443`, behind the v1beta1.external.metrics.k8s.io APIService.
    { port: 6443, component: 'KEDA external metrics API' },
    // templates/webhooks/deployment.yaml: container port `http` from `webhooks.port`, 9443 when empty (the default).
    { port: 9443, component: 'KEDA admission webhook' },
  ],
};

/** The ports a private GKE cluster must open to the control plane for these add-ons, sorted, each once. */
export function controlPlanePortsToOpen(addons: readonly (Addon | 'cert-manager')[]): number[] {
  const ports = new Set(addons.flatMap((a) => CONTROL_PLANE_CALLED_PORTS[a].map((p) => p.port)));
  GKE_CONTROL_PLANE_OPEN_PORTS.forEach((p) => ports.delete(p));
  return [...ports].sort((a, b) => a - b);
}
