/**
 * How a validated `Route` becomes objects, per implementation: ingress-nginx `Ingress`es, a Contour `HTTPProxy`, or
 * Gateway API `HTTPRoute`/`GRPCRoute` on the platform Gateway.
 */
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { PLATFORM_GATEWAY, gatewayHttpListener, gatewayHttpsListener } from '../contract';
import type * as ContourCrds from '../crds/contour-projectcontour.io';
import type * as GrpcRouteCrds from '../crds/grpcroutes-gateway.networking.k8s.io';
import type * as HttpRouteCrds from '../crds/httproutes-gateway.networking.k8s.io';
import type { ResolvedTls } from './route-tls';
import { addCertificate, issuerAnnotation, tlsAnnotations } from './route-tls';
import type { Routable, RouteVia } from './routes';

/** The IngressClass / HTTPProxy class the platform's controllers are installed with (`platform/cloud`). */
export const INGRESS_CLASS: Readonly<Record<Exclude<RouteVia, 'gateway'>, string>> = {
  nginx: 'nginx',
  contour: 'contour',
};

/** The ingress-nginx annotation prefix. */
export const NGINX_ANNOTATION = 'nginx.ingress.kubernetes.io/';

/** A route backend after validation. */
export interface ResolvedBackend {
  readonly service: Routable;
  readonly port: number;
  readonly weight?: number;
}

/** A route path after validation. */
export interface ResolvedPath {
  readonly path: string;
  readonly grpc: boolean;
  readonly backends: readonly ResolvedBackend[];
  readonly websockets: boolean;
  readonly timeoutSeconds: number;
}

/*
 * The generated CRD modules are large (Contour's alone is 18k lines) and were most of the platform's import time:
 * each is loaded by the first route that uses it.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const contourCrds = (): typeof ContourCrds => require('../crds/contour-projectcontour.io');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpRouteCrds = (): typeof HttpRouteCrds => require('../crds/httproutes-gateway.networking.k8s.io');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpcRouteCrds = (): typeof GrpcRouteCrds => require('../crds/grpcroutes-gateway.networking.k8s.io');

/** Renders one validated route into its objects, under `scope`. */
export type Renderer = (
  scope: Construct,
  name: string,
  host: string,
  paths: readonly ResolvedPath[],
  tls: ResolvedTls,
) => Construct[];

/**
 * ingress-nginx: annotations hold the timeouts, protocol and canary settings and apply to a whole Ingress, so
 * paths are grouped into one Ingress per distinct set of annotations, and each weighted path gets a canary
 * Ingress for its second backend.
 */
const renderNginx: Renderer = (scope, name, host, paths, tls) => {
  const groups = new Map<string, { annotations: Record<string, string>; paths: k8s.HttpIngressPath[] }>();
  const canaries: { path: ResolvedPath; backend: ResolvedBackend }[] = [];
  for (const p of paths) {
    const annotations: Record<string, string> = {
      [`${NGINX_ANNOTATION}proxy-read-timeout`]: String(p.timeoutSeconds),
      [`${NGINX_ANNOTATION}proxy-send-timeout`]: String(p.timeoutSeconds),
      ...(p.grpc ? { [`${NGINX_ANNOTATION}backend-protocol`]: 'GRPC' } : {}),
    };
    const key = JSON.stringify(annotations);
    const group = groups.get(key) ?? { annotations, paths: [] };
    groups.set(key, group);
    group.paths.push(ingressPath(p.path, p.backends[0]));
    if (p.backends.length === 2) canaries.push({ path: p, backend: p.backends[1] });
  }
  const tlsSpec = tls.disabled === undefined ? [{ hosts: [host], secretName: tls.secretName }] : undefined;
  // ingress-nginx redirects to HTTPS by itself once TLS is set; the annotation makes it visible in review.
  const common = { ...tlsAnnotations(tls), ...(tlsSpec ? { [`${NGINX_ANNOTATION}ssl-redirect`]: 'true' } : {}) };
  const certificate = tls.disabled === undefined && tls.issuer ? issuerAnnotation(tls.issuer) : {};
  const ingress = (id: string, annotations: Record<string, string>, httpPaths: k8s.HttpIngressPath[]) =>
    new k8s.KubeIngress(scope, id, {
      metadata: { name: id, annotations },
      spec: {
        ingressClassName: INGRESS_CLASS.nginx,
        tls: tlsSpec,
        rules: [{ host, http: { paths: httpPaths } }],
      },
    });
  // cert-manager creates one Certificate per annotated Ingress: only the first one asks for it.
  const objects = [...groups.values()].map((g, i) =>
    ingress(
      i === 0 ? name : `${name}-${i + 1}`,
      { ...(i === 0 ? certificate : {}), ...common, ...g.annotations },
      g.paths,
    ),
  );
  canaries.forEach(({ path, backend }, i) => {
    const annotations = {
      ...common,
      ...[...groups.values()].find((g) => g.paths.some((hp) => hp.path === path.path))?.annotations,
      [`${NGINX_ANNOTATION}canary`]: 'true',
      [`${NGINX_ANNOTATION}canary-weight`]: String(backend.weight),
      [`${NGINX_ANNOTATION}canary-weight-total`]: '100',
    };
    objects.push(
      ingress(`${name}-canary${canaries.length > 1 ? `-${i + 1}` : ''}`, annotations, [
        ingressPath(path.path, backend),
      ]),
    );
  });
  return objects;
};

function ingressPath(path: string, backend: ResolvedBackend): k8s.HttpIngressPath {
  return {
    path,
    pathType: 'Prefix',
    backend: { service: { name: backend.service.name, port: { number: backend.port } } },
  };
}

/** Contour: one root HTTPProxy per host, a route per path with its own weights, timeouts and WebSockets. */
const renderContour: Renderer = (scope, name, host, paths, tls) => [
  ...(tls.disabled === undefined && tls.issuer
    ? [addCertificate(scope, name, host, { secretName: tls.secretName, issuer: tls.issuer })]
    : []),
  // With `virtualhost.tls`, Envoy answers plain HTTP with a redirect to HTTPS (no route sets permitInsecure).
  new (contourCrds().HttpProxy)(scope, 'http-proxy', {
    metadata: { name, annotations: tlsAnnotations(tls) },
    spec: {
      ingressClassName: INGRESS_CLASS.contour,
      virtualhost: { fqdn: host, ...(tls.disabled === undefined ? { tls: { secretName: tls.secretName } } : {}) },
      routes: paths.map((p) => ({
        conditions: [{ prefix: p.path }],
        services: p.backends.map((b) => ({
          name: b.service.name,
          port: b.port,
          ...(b.weight !== undefined ? { weight: b.weight } : {}),
          ...(p.grpc ? { protocol: contourCrds().HttpProxySpecRoutesServicesProtocol.H2C } : {}),
        })),
        ...(p.websockets ? { enableWebsockets: true } : {}),
        // A WebSocket outlives any response timeout: Envoy needs it disabled and an idle timeout instead.
        timeoutPolicy: p.websockets
          ? { response: 'infinity', idle: `${p.timeoutSeconds}s` }
          : { response: `${p.timeoutSeconds}s` },
      })),
    },
  }),
];

/** Gateway API: an HTTPRoute for the HTTP paths and a GRPCRoute for the gRPC ones, on the platform Gateway. */
const renderGateway: Renderer = (scope, name, host, paths, tls) => {
  const sectionName = tls.disabled === undefined ? gatewayHttpsListener(host) : gatewayHttpListener(host);
  const parentRefs = [{ name: PLATFORM_GATEWAY.name, namespace: PLATFORM_GATEWAY.namespace, sectionName }];
  const metadata = (n: string) => ({ name: n, annotations: tlsAnnotations(tls) });
  const backendRefs = (p: ResolvedPath) =>
    p.backends.map((b) => ({
      name: b.service.name,
      port: b.port,
      ...(b.weight !== undefined ? { weight: b.weight } : {}),
    }));
  const objects: Construct[] = [];
  const http = paths.filter((p) => !p.grpc);
  const grpc = paths.filter((p) => p.grpc);
  if (http.length) {
    objects.push(
      new (httpRouteCrds().HttpRoute)(scope, 'http-route', {
        metadata: metadata(name),
        spec: {
          parentRefs,
          hostnames: [host],
          rules: http.map((p) => ({
            matches: [{ path: { type: httpRouteCrds().HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: p.path } }],
            backendRefs: backendRefs(p),
            // "0s" disables the timeout: a WebSocket stays open as long as both ends want it.
            timeouts: { request: p.websockets ? '0s' : `${p.timeoutSeconds}s` },
          })),
        },
      }),
    );
  }
  if (grpc.length) {
    objects.push(
      new (grpcRouteCrds().GrpcRoute)(scope, 'grpc-route', {
        metadata: metadata(http.length ? `${name}-grpc` : name),
        spec: {
          parentRefs,
          hostnames: [host],
          rules: grpc.map((p) => ({
            ...(p.path === '/' ? {} : { matches: [{ method: { service: p.path.slice(1) } }] }),
            backendRefs: backendRefs(p),
          })),
        },
      }),
    );
  }
  return objects;
};

/** The renderer of each implementation. */
export const RENDERERS: Readonly<Record<RouteVia, Renderer>> = {
  nginx: renderNginx,
  contour: renderContour,
  gateway: renderGateway,
};
