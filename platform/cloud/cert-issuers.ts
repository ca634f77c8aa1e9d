/**
 * What the `cert-manager` add-on creates besides its chart, as plain objects: the platform's ClusterIssuers (one
 * per route implementation, `CLUSTER_ISSUERS`), chosen by stack config, and the platform Gateway's host listeners
 * and HTTPS redirect for the hosts the apps record in `index.json`.
 */
import {
  ACME_SOLVER_POD_LABELS,
  ADDON_NAMESPACES,
  CLUSTER_ISSUERS,
  GATEWAY_HOST_LISTENERS_MAX,
  LINKERD_INJECT_ANNOTATION,
  NAMESPACE_NAME_LABEL,
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
  metadata: { annotations: { [LINKERD_INJECT_ANNOTATION]: 'disabled' }, labels: { ...ACME_SOLVER_POD_LABELS } },
};

/**
 * The parents of the routes cert-manager makes for the gateway issuer's HTTP-01 challenges: the platform Gateway
 * with no `sectionName`, so each route attaches to the port-80 listener of the host it solves for, the only listener
 * with that hostname that admits the Gateway's own namespace.
 */
export function gatewayIssuerSolverParents(): Record<string, string>[] {
  return [{ ...PLATFORM_GATEWAY, kind: 'Gateway' }];
}

/** The HTTP-01 solver of each implementation: served by the controller that serves the host. */
function http01Solver(via: keyof typeof CLUSTER_ISSUERS): Record<string, unknown> {
  if (via === 'gateway') {
    return { gatewayHTTPRoute: { parentRefs: gatewayIssuerSolverParents(), podTemplate: SOLVER_POD } };
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
 * Throws unless the platform Gateway has the listeners of every host, before any resource is registered: the API
 * server would refuse the Gateway only once the add-ons before it are installed.
 */
export function checkGatewayHosts(hosts: readonly GatewayHost[]): void {
  const listeners = gatewayHostListeners(hosts).length;
  if (listeners > GATEWAY_HOST_LISTENERS_MAX) {
    const apps = new Set(hosts.map((h) => h.namespace));
    throw new Error(
      `gateway routes: the hosts of apps in ${[...apps].sort().join(', ')} need ${listeners} listeners on the ` +
        `platform Gateway (two per HTTPS host, one per plain-HTTP host), which has room for ` +
        `${GATEWAY_HOST_LISTENERS_MAX} (the Gateway API allows 64 per Gateway); serve some of them via "contour" or ` +
        `"nginx" routes, or deploy fewer apps to this cluster.`,
    );
  }
}

/**
 * The platform Gateway's listeners of the hosts (sorted by name). An HTTPS host has two: `https-<host>`, TLS
 * terminated with the certificate cert-manager's gateway-shim issues into {@link gatewayCertificateSecret}, taking
 * routes only from the apps that serve the host; and port 80 `http-<host>`, taking routes only from the Gateway's
 * own namespace (the platform's redirect to HTTPS, the ACME solvers). A plain-HTTP host has `http-<host>`, taking
 * routes only from its apps. A listener per host and port, not a shared one without a hostname: Contour gives a
 * listener without a hostname no host that another listener names, on any port, so a redirect or solver route on a
 * shared port-80 listener would never be served.
 */
export function gatewayHostListeners(hosts: readonly GatewayHost[]): Record<string, unknown>[] {
  const listeners = new Map<string, { host: string; tls: boolean; namespaces: Set<string> }>();
  const admit = (name: string, host: string, tls: boolean, namespace: string) => {
    const entry = listeners.get(name) ?? { host, tls, namespaces: new Set<string>() };
    entry.namespaces.add(namespace);
    listeners.set(name, entry);
  };
  for (const h of hosts) {
    if (h.plainHttp) {
      admit(gatewayHttpListener(h.host), h.host, false, h.namespace);
    } else {
      admit(gatewayHttpsListener(h.host), h.host, true, h.namespace);
      admit(gatewayHttpListener(h.host), h.host, false, PLATFORM_GATEWAY.namespace);
    }
  }
  return [...listeners.keys()].sort().map((name) => {
    const { host, tls, namespaces } = listeners.get(name)!;
    return {
      name,
      ...(tls
        ? {
            protocol: 'HTTPS',
            port: 443,
            hostname: host,
            tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: gatewayCertificateSecret(host) }] },
          }
        : { protocol: 'HTTP', port: 80, hostname: host }),
      allowedRoutes: {
        namespaces: {
          from: 'Selector',
          selector: {
            matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...namespaces].sort() }],
          },
        },
      },
    };
  });
}

/** A Gateway API object as the platform creates it. */
export interface GatewayApiObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: Record<string, unknown>;
  readonly [field: string]: unknown;
}

/**
 * The platform's HTTPRoutes, in the Gateway's own namespace, that redirect plain HTTP to HTTPS: one per HTTPS host,
 * on its port-80 listener. Apps attach nothing to those listeners; cert-manager's ACME HTTP-01 solver routes (exact
 * path matches, in the same namespace) are more specific, so challenges still reach the solver.
 */
export function gatewayRedirectRoutes(hosts: readonly GatewayHost[]): GatewayApiObject[] {
  const https = [...new Set(hosts.filter((h) => !h.plainHttp).map((h) => h.host.toLowerCase()))].sort();
  return https.map((host) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `https-redirect-${host}`, namespace: PLATFORM_GATEWAY.namespace },
    spec: {
      parentRefs: [{ name: PLATFORM_GATEWAY.name, sectionName: gatewayHttpListener(host) }],
      hostnames: [host],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    },
  }));
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
