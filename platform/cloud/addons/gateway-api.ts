import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { PLATFORM_GATEWAY } from '../../contract';
import type { GatewayHost } from '../cert-issuers';
import { GATEWAY_ISSUER_ANNOTATION, gatewayHostListeners, gatewayRedirectRoutes } from '../cert-issuers';
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
 * The GatewayClass and Gateway `platform` that Contour serves and apps' HTTPRoutes attach to, with the listeners of
 * each host the apps serve through it ({@link gatewayHostListeners}: HTTPS, whose certificates cert-manager's
 * gateway-shim issues from the platform's gateway issuer, and port 80, where the platform's own route redirects to
 * HTTPS; or port 80 only for a host with `tls.disabled`), each admitting only the namespaces that own it.
 */
export function createPlatformGateway(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
  hosts: readonly GatewayHost[] = [],
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
  const gateway = new k8s.apiextensions.CustomResource(`${installer.name}-gateway`, platformGateway(hosts), {
    ...opts,
    dependsOn: [...(opts.dependsOn as pulumi.Resource[]), gatewayClass],
  });
  for (const redirect of gatewayRedirectRoutes(hosts)) {
    new k8s.apiextensions.CustomResource(`${installer.name}-${redirect.metadata.name}`, redirect, {
      ...opts,
      dependsOn: [...(opts.dependsOn as pulumi.Resource[]), gateway],
    });
  }
  return gateway;
}

/** The platform Gateway object itself, without the resource around it (the e2e suite applies it as is). */
export function platformGateway(hosts: readonly GatewayHost[]) {
  const https = hosts.some((h) => !h.plainHttp);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name: PLATFORM_GATEWAY.name,
      namespace: PLATFORM_GATEWAY.namespace,
      ...(https ? { annotations: { ...GATEWAY_ISSUER_ANNOTATION } } : {}),
    },
    spec: {
      gatewayClassName: PLATFORM_GATEWAY_CLASS,
      listeners: [
        // Envoy listens on listener port + 8000 (8080, 8443): the container ports of the chart's Envoy.
        // Contour's own protocol keeps TLS configured on HTTPProxy/Ingress working next to Gateway API routes; no
        // app route attaches to it.
        {
          name: 'https',
          protocol: 'projectcontour.io/https',
          port: 443,
          allowedRoutes: { namespaces: { from: 'Same' } },
        },
        ...gatewayHostListeners(hosts),
      ],
    },
  };
}
