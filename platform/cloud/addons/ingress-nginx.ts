import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { IngressServiceType } from '../cluster';
import { LINKERD_INJECT_ANNOTATION } from '../../contract';
import { INGRESS_NGINX_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** The ingress-nginx chart values the platform sets (a subset of the chart's `values.yaml`). */
export interface IngressNginxValues {
  readonly controller: {
    readonly replicaCount: number;
    readonly service: { readonly type: IngressServiceType };
    readonly ingressClassResource: { readonly name: string; readonly enabled: boolean; readonly default: boolean };
    readonly ingressClass: string;
    readonly watchIngressWithoutClass: boolean;
    readonly allowSnippetAnnotations: boolean;
    readonly resources: { readonly requests: { readonly cpu: string; readonly memory: string } };
    readonly metrics: { readonly enabled: boolean; readonly serviceMonitor: { readonly enabled: boolean } };
    /** With Linkerd: the controller is meshed, so meshed apps authorize it by its identity. */
    readonly podAnnotations?: Readonly<Record<string, string>>;
  };
}

/** The pod annotation that meshes an ingress proxy (meshed apps admit it by identity, `INGRESS_IDENTITIES`). */
export const MESHED_INGRESS_POD_ANNOTATIONS: Readonly<Record<string, string>> = {
  [LINKERD_INJECT_ANNOTATION]: 'enabled',
};

/** Values of the ingress-nginx chart. */
export function ingressNginxValues(
  serviceType: IngressServiceType,
  serviceMonitor: boolean,
  meshed = false,
): IngressNginxValues {
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
      ...(meshed ? { podAnnotations: MESHED_INGRESS_POD_ANNOTATIONS } : {}),
    },
  };
}

/** Options of {@link installIngressNginx}. */
export interface IngressNginxOptions {
  /** How the controller is exposed. */
  readonly serviceType: IngressServiceType;
  /** Whether the Prometheus Operator is there to read a ServiceMonitor. */
  readonly serviceMonitor: boolean;
  /** Whether Linkerd is installed: the controller is then meshed. */
  readonly meshed?: boolean;
}

/** Name of the controller's Service, where its address is read. */
export const INGRESS_NGINX_SERVICE = `${RELEASE_NAMES.ingressNginx}-controller`;

/** Installs ingress-nginx from its pinned chart. */
export function installIngressNginx(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
  o: IngressNginxOptions,
): k8s.helm.v3.Release {
  return installer.release(
    {
      name: RELEASE_NAMES.ingressNginx,
      chart: INGRESS_NGINX_CHART,
      namespace: RELEASE_NAMESPACES.ingressNginx,
      values: ingressNginxValues(o.serviceType, o.serviceMonitor, o.meshed),
    },
    dependsOn,
  );
}
