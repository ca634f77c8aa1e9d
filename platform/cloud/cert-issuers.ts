/**
 * What the `cert-manager` add-on creates besides its chart, as plain objects: the platform's ClusterIssuers (one
 * per route implementation, `CLUSTER_ISSUERS`), chosen by stack config, and the platform Gateway's host listeners
 * and HTTPS redirect for the hosts the apps record in `index.json`.
 */
import {
  ACME_SOLVER_POD_LABELS,
  ADDON_NAMESPACES,
  CLUSTER_ISSUERS,
  GATEWAY_HTTPS_HOSTS_MAX,
  GATEWAY_HTTP_LISTENER,
  PLATFORM_GATEWAY,
  gatewayCertificateSecret,
  gatewayHttpListener,
  gatewayHttpsListener,
} from '../contract';

/** Let's Encrypt's production ACME directory, the default ACME server. */
export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';

/**
 * How the platform's certificates are issued (stack config `k8s-platform:tls`):
 * - `acme-http01`: an ACME CA (Let's Encrypt by default) that checks a token served over plain HTTP through the
 *   route's own implementation (the host must be reachable from the internet);
 * - `acme-dns01`: the same CA checking a DNS TXT record, for private clusters, with a cert-manager `dns01` solver
 *   (`cloudDNS`, `route53`, `cloudflare`, ...) as the stack gives it;
 * - `local-ca`: a CA of the cluster's own, made by a self-signed issuer (the `local` stack; browsers warn unless
 *   its certificate, the Secret `platform-local-ca` in `cert-manager`, is trusted).
 */
export type TlsIssuing =
  | { readonly mode: 'acme-http01'; readonly email: string; readonly server?: string }
  | {
      readonly mode: 'acme-dns01';
      readonly email: string;
      readonly server?: string;
      readonly dns01: Readonly<Record<string, unknown>>;
    }
  | { readonly mode: 'local-ca' };

/** Every {@link TlsIssuing} mode. */
export const TLS_ISSUING_MODES = ['acme-http01', 'acme-dns01', 'local-ca'] as const;

/** A cluster-scoped or namespaced cert-manager object to create. */
export interface CertManagerObject {
  readonly kind: 'ClusterIssuer' | 'Certificate';
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: Record<string, unknown>;
}

/** Name of the self-signed issuer that signs the local CA, and of the CA's Secret (in cert-manager's namespace). */
export const LOCAL_CA = { selfSigned: 'platform-selfsigned', certificate: 'platform-local-ca' } as const;

/**
 * The local CA's lifetime. Users install its certificate in their browsers and tools, so a renewal that changed it
 * would break that trust every 60 days (cert-manager's default is 90 days, renewed at 2/3, with a new key): it
 * lives ten years, is renewed 30 days before expiry, and keeps its key across renewals (`rotationPolicy: Never`),
 * so a renewed certificate still matches the trust users installed (same key, same subject). The trade-off: a
 * key that never rotates is a key whose compromise lasts; it never leaves the cluster (the Secret
 * `platform-local-ca` in `cert-manager`), and this CA is for the `local` stack, not for public hosts (use ACME).
 */
export const LOCAL_CA_LIFETIME = {
  duration: '87600h',
  renewBefore: '720h',
  privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
} as const;

/** Solver pods are not meshed: the challenge comes from the (meshed or not) ingress proxy in plain HTTP. */
const SOLVER_POD = {
  metadata: { annotations: { 'linkerd.io/inject': 'disabled' }, labels: { ...ACME_SOLVER_POD_LABELS } },
};

/** The HTTP-01 solver of each implementation: served by the controller that serves the host. */
function http01Solver(via: keyof typeof CLUSTER_ISSUERS): Record<string, unknown> {
  if (via === 'gateway') {
    return {
      gatewayHTTPRoute: {
        parentRefs: [{ ...PLATFORM_GATEWAY, kind: 'Gateway', sectionName: GATEWAY_HTTP_LISTENER }],
        podTemplate: SOLVER_POD,
      },
    };
  }
  return { ingress: { ingressClassName: via, podTemplate: SOLVER_POD } };
}

/** The objects issuing the platform's certificates, in creation order (the local CA before its issuers). */
export function certManagerObjects(issuing: TlsIssuing): CertManagerObject[] {
  const vias = Object.keys(CLUSTER_ISSUERS) as (keyof typeof CLUSTER_ISSUERS)[];
  if (issuing.mode === 'local-ca') {
    return [
      { kind: 'ClusterIssuer', metadata: { name: LOCAL_CA.selfSigned }, spec: { selfSigned: {} } },
      {
        kind: 'Certificate',
        metadata: { name: LOCAL_CA.certificate, namespace: ADDON_NAMESPACES['cert-manager'] },
        spec: {
          isCA: true,
          commonName: 'k8s-platform local CA',
          secretName: LOCAL_CA.certificate,
          ...LOCAL_CA_LIFETIME,
          issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: LOCAL_CA.selfSigned },
        },
      },
      ...vias.map((via): CertManagerObject => ({
        kind: 'ClusterIssuer',
        metadata: { name: CLUSTER_ISSUERS[via] },
        spec: { ca: { secretName: LOCAL_CA.certificate } },
      })),
    ];
  }
  return vias.map((via) => ({
    kind: 'ClusterIssuer',
    metadata: { name: CLUSTER_ISSUERS[via] },
    spec: {
      acme: {
        server: issuing.server ?? LETS_ENCRYPT_PRODUCTION,
        email: issuing.email,
        privateKeySecretRef: { name: `${CLUSTER_ISSUERS[via]}-account-key` },
        solvers: [issuing.mode === 'acme-dns01' ? { dns01: issuing.dns01 } : { http01: http01Solver(via) }],
      },
    },
  }));
}

/** A host some app serves through the platform Gateway, and that app's namespace. */
export interface GatewayHost {
  readonly host: string;
  readonly namespace: string;
  /**
   * Served over plain HTTP (the routes' `tls.disabled`): an HTTP listener of its own instead of an HTTPS one.
   * @default false
   */
  readonly plainHttp?: boolean;
}

/**
 * Throws unless the platform Gateway has a listener for every host, before any resource is registered: the API
 * server would refuse the Gateway only once the add-ons before it are installed.
 */
export function checkGatewayHosts(hosts: readonly GatewayHost[]): void {
  const listeners = new Set(hosts.map(listenerOf));
  if (listeners.size > GATEWAY_HTTPS_HOSTS_MAX) {
    const apps = new Set(hosts.map((h) => h.namespace));
    throw new Error(
      `gateway routes: ${listeners.size} hosts (apps in ${[...apps].sort().join(', ')}) need a listener each on ` +
        `the platform Gateway, which has room for ${GATEWAY_HTTPS_HOSTS_MAX} (the Gateway API allows 64 listeners ` +
        `per Gateway); serve some of them via "contour" or "nginx" routes, or deploy fewer apps to this cluster.`,
    );
  }
}

const listenerOf = (h: GatewayHost): string =>
  h.plainHttp ? gatewayHttpListener(h.host) : gatewayHttpsListener(h.host);

/**
 * The platform Gateway's listener of each host (sorted by name): for an HTTPS host, TLS terminated with the
 * certificate cert-manager's gateway-shim issues into {@link gatewayCertificateSecret}; for a plain-HTTP host, port
 * 80 with the host's name. Either way only routes of the apps that serve the host may attach to it.
 */
export function gatewayHostListeners(hosts: readonly GatewayHost[]): Record<string, unknown>[] {
  const byListener = new Map<string, { host: GatewayHost; namespaces: Set<string> }>();
  for (const h of hosts) {
    const entry = byListener.get(listenerOf(h)) ?? { host: h, namespaces: new Set<string>() };
    entry.namespaces.add(h.namespace);
    byListener.set(listenerOf(h), entry);
  }
  return [...byListener.keys()].sort().map((name) => {
    const { host, namespaces } = byListener.get(name)!;
    return {
      name,
      ...(host.plainHttp
        ? { protocol: 'HTTP', port: 80, hostname: host.host }
        : {
            protocol: 'HTTPS',
            port: 443,
            hostname: host.host,
            tls: {
              mode: 'Terminate',
              certificateRefs: [{ kind: 'Secret', name: gatewayCertificateSecret(host.host) }],
            },
          }),
      allowedRoutes: {
        namespaces: {
          from: 'Selector',
          selector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces].sort() }],
          },
        },
      },
    };
  });
}

/**
 * The platform's HTTPRoute, in the Gateway's own namespace, that redirects plain HTTP for every HTTPS host to
 * HTTPS (none when there is no HTTPS host). Apps attach nothing to the shared HTTP listener; cert-manager's ACME
 * HTTP-01 solver routes (exact path matches, in the same namespace) are more specific, so challenges still reach
 * the solver.
 */
export function gatewayRedirectRoute(
  hosts: readonly GatewayHost[],
): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> } | undefined {
  const https = [...new Set(hosts.filter((h) => !h.plainHttp).map((h) => h.host))].sort();
  if (https.length === 0) return undefined;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'https-redirect', namespace: PLATFORM_GATEWAY.namespace },
    spec: {
      parentRefs: [{ name: PLATFORM_GATEWAY.name, sectionName: GATEWAY_HTTP_LISTENER }],
      hostnames: https,
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    },
  };
}

/** The annotation by which cert-manager's gateway-shim issues the certificates of a Gateway's HTTPS listeners. */
export const GATEWAY_ISSUER_ANNOTATION = { 'cert-manager.io/cluster-issuer': CLUSTER_ISSUERS.gateway } as const;

/**
 * Values of the cert-manager chart: its CRDs left to the platform, which applies and upgrades them itself
 * (`addons/crds.ts`; they are kept on uninstall, so certificates survive a reinstall),
 * the Gateway API support switched on when the Gateway API is installed, a ServiceMonitor with Prometheus.
 */
export function certManagerValues(options: { gatewayApi: boolean; prometheus: boolean }): Record<string, unknown> {
  return {
    crds: { enabled: false },
    ...(options.gatewayApi
      ? {
          config: {
            apiVersion: 'controller.config.cert-manager.io/v1alpha1',
            kind: 'ControllerConfiguration',
            enableGatewayAPI: true,
          },
        }
      : {}),
    prometheus: { enabled: options.prometheus, servicemonitor: { enabled: options.prometheus } },
  };
}
