import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { PLATFORM_GATEWAY } from '../../contract';
import type { GatewayHttpsHost } from '../cert-issuers';
import { GATEWAY_ISSUER_ANNOTATION, gatewayHttpsListeners } from '../cert-issuers';
import { gatewayApiManifest } from './chart-source';
import { keptCrdOptions } from './crds';
import type { AddonInstaller } from './installer';

/** GatewayClass of the platform Gateway, handled by Contour. */
export const PLATFORM_GATEWAY_CLASS = 'contour';

/** Applies the pinned Gateway API standard-channel CRDs. */
export function installGatewayApiCrds(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
): k8s.yaml.v2.ConfigFile {
  return new k8s.yaml.v2.ConfigFile(
    `${installer.name}-gateway-api`,
    { file: gatewayApiManifest(installer.args.chartSource ?? {}) },
    keptCrdOptions(installer.options(dependsOn)),
  );
}

/**
 * The GatewayClass and Gateway `platform` that Contour serves and apps' HTTPRoutes attach to: an HTTP listener
 * (plain-HTTP redirects and ACME challenges), and an HTTPS listener per host the apps serve through it, whose
 * certificates cert-manager's gateway-shim issues from the platform's gateway issuer.
 */
export function createPlatformGateway(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
  httpsHosts: readonly GatewayHttpsHost[] = [],
): k8s.apiextensions.CustomResource {
  const opts = installer.options(dependsOn);
  const gatewayClass = new k8s.apiextensions.CustomResource(
    `${installer.name}-gatewayclass`,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: PLATFORM_GATEWAY_CLASS },
      spec: { controllerName: 'projectcontour.io/gateway-controller' },
    },
    opts,
  );
  return new k8s.apiextensions.CustomResource(`${installer.name}-gateway`, platformGateway(httpsHosts), {
    ...opts,
    dependsOn: [...(opts.dependsOn as pulumi.Resource[]), gatewayClass],
  });
}

/** The platform Gateway object itself, without the resource around it (the e2e suite applies it as is). */
export function platformGateway(httpsHosts: readonly GatewayHttpsHost[]) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name: PLATFORM_GATEWAY.name,
      namespace: PLATFORM_GATEWAY.namespace,
      ...(httpsHosts.length ? { annotations: { ...GATEWAY_ISSUER_ANNOTATION } } : {}),
    },
    spec: {
      gatewayClassName: PLATFORM_GATEWAY_CLASS,
      listeners: [
        // Envoy listens on listener port + 8000 (8080, 8443): the container ports of the chart's Envoy.
        // Plain HTTP carries the apps' HTTPS redirects and cert-manager's ACME solver routes (in the Gateway's own
        // namespace): only the namespaces that own a host may attach, never every namespace.
        { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: httpNamespaces(httpsHosts) } },
        // Contour's own protocol keeps TLS configured on HTTPProxy/Ingress working next to Gateway API routes; no
        // app route attaches to it.
        {
          name: 'https',
          protocol: 'projectcontour.io/https',
          port: 443,
          allowedRoutes: { namespaces: { from: 'Same' } },
        },
        ...gatewayHttpsListeners(httpsHosts),
      ],
    },
  };
}

/** Namespaces whose routes the plain-HTTP listener admits: the Gateway's own and those owning an HTTPS host. */
function httpNamespaces(httpsHosts: readonly GatewayHttpsHost[]): Record<string, unknown> {
  const owners = [...new Set(httpsHosts.map((h) => h.namespace))].sort();
  if (owners.length === 0) return { from: 'Same' };
  return {
    from: 'Selector',
    selector: {
      matchExpressions: [
        {
          key: 'kubernetes.io/metadata.name',
          operator: 'In',
          values: [...new Set([PLATFORM_GATEWAY.namespace, ...owners])].sort(),
        },
      ],
    },
  };
}
