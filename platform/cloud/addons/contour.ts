import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { PLATFORM_GATEWAY } from '../../contract';
import type { IngressServiceType } from '../cluster';
import { CONTOUR_CHART } from '../versions';
import { MESHED_INGRESS_POD_ANNOTATIONS } from './ingress-nginx';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** Name of the Envoy Service of the Contour release (set explicitly in its values). */
export const CONTOUR_ENVOY_SERVICE = 'contour-envoy';

/** The Contour chart values the platform sets. */
export interface ContourValues {
  readonly contour: {
    readonly replicaCount: number;
    readonly ingressClass: { readonly name: string; readonly create: boolean; readonly default: boolean };
    readonly extraArgs?: readonly string[];
    /** Off: the platform applies Contour's CRDs itself (addons/crds.ts), one owner that upgrades them. */
    readonly manageCRDs: boolean;
  };
  /** Contour's own configuration file (free-form in the chart: Contour's config schema, not the chart's). */
  readonly configInline?: {
    readonly gateway: { readonly gatewayRef: { readonly name: string; readonly namespace: string } };
  };
  readonly envoy: {
    readonly service: { readonly type: IngressServiceType; readonly name: string };
    /** With Linkerd: Envoy is meshed, so meshed apps authorize it by its identity. */
    readonly podAnnotations?: Readonly<Record<string, string>>;
  };
  readonly gatewayAPI: { readonly manageCRDs: boolean };
  readonly metrics: { readonly serviceMonitor: { readonly enabled: boolean } };
}

/**
 * Values of the Contour chart. With the Gateway API, Contour is statically provisioned for the platform Gateway
 * (`gateway.gatewayRef`) and told not to watch the experimental-channel kinds the standard CRDs do not include.
 */
export function contourValues(
  serviceType: IngressServiceType,
  serviceMonitor: boolean,
  gatewayApi = false,
  meshed = false,
): ContourValues {
  return {
    contour: {
      replicaCount: 2,
      ingressClass: { name: 'contour', create: true, default: false },
      manageCRDs: false,
      ...(gatewayApi ? { extraArgs: ['--disable-feature=tlsroutes', '--disable-feature=tcproutes'] } : {}),
    },
    ...(gatewayApi ? { configInline: { gateway: { gatewayRef: { ...PLATFORM_GATEWAY } } } } : {}),
    envoy: {
      service: { type: serviceType, name: CONTOUR_ENVOY_SERVICE },
      ...(meshed ? { podAnnotations: MESHED_INGRESS_POD_ANNOTATIONS } : {}),
    },
    gatewayAPI: { manageCRDs: false },
    metrics: { serviceMonitor: { enabled: serviceMonitor } },
  };
}

/** Options of {@link installContour}. */
export interface ContourOptions {
  /** How Envoy is exposed. */
  readonly serviceType: IngressServiceType;
  /** Whether the Prometheus Operator is there to read a ServiceMonitor. */
  readonly serviceMonitor: boolean;
  /** Whether Contour serves the platform Gateway. */
  readonly gatewayApi: boolean;
  /** Whether Linkerd is installed: Envoy is then meshed. */
  readonly meshed?: boolean;
}

/** Installs Contour from its pinned chart. */
export function installContour(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
  o: ContourOptions,
): k8s.helm.v3.Release {
  return installer.release(
    {
      name: RELEASE_NAMES.contour,
      chart: CONTOUR_CHART,
      namespace: RELEASE_NAMESPACES.contour,
      values: contourValues(o.serviceType, o.serviceMonitor, o.gatewayApi, o.meshed),
    },
    dependsOn,
  );
}
