/**
 * `Route`: one API to expose services on a host, implemented by ingress-nginx (Ingress), Contour (HTTPProxy) or
 * the Gateway API (HTTPRoute/GRPCRoute on the platform Gateway).
 */
import type { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformChart } from '../chart';
import { ADDON_NAMESPACES, GATEWAY_HOST_LISTENERS_MAX, INGRESS_IDENTITIES } from '../contract';
import type { Addon } from '../contract';
import { AppRegistry } from '../core/app-registry';
import type { GraphNode } from '../core/graph';
import type { PropKeys } from '../core/known-props';
import { PropValidator, constructPath } from '../core/validate';
import { RENDERERS } from './route-render';
import type { ResolvedBackend, ResolvedPath } from './route-render';
import type { RouteTls } from './route-tls';
import { resolveTls } from './route-tls';

export { INGRESS_CLASS, NGINX_ANNOTATION } from './route-render';

/**
 * The implementations a route can use:
 * - `nginx`: an `Ingress` of class `nginx` (ingress-nginx). The community controller was retired in March 2026;
 *   it stays supported because existing clusters run it, but new apps should prefer `gateway`.
 * - `contour`: a Contour `HTTPProxy` (per-route WebSockets, timeouts and weights natively).
 * - `gateway`: Gateway API `HTTPRoute`/`GRPCRoute` on the platform Gateway (served by Contour): the portable,
 *   forward path.
 */
export const ROUTE_VIAS = ['nginx', 'contour', 'gateway'] as const;
/** One route implementation (see {@link ROUTE_VIAS}). */
export type RouteVia = (typeof ROUTE_VIAS)[number];

/** Request timeout of a route when none is given, in seconds (ingress-nginx's and Contour's own default is lower). */
export const DEFAULT_ROUTE_TIMEOUT_SECONDS = 60;
/** Idle timeout of a WebSocket connection when no timeout is given, in seconds. */
export const DEFAULT_WEBSOCKET_TIMEOUT_SECONDS = 3600;
/** What a route can send traffic to: a platform `Service` (or anything with the same shape). */
export interface Routable {
  /** Its place in the app graph (for the NetworkPolicy that admits the ingress controller). */
  readonly graphNode: GraphNode;
  /** The app it belongs to. */
  readonly app: PlatformChart;
  /** Service name. */
  readonly name: string;
  /** The main port. */
  readonly port: number;
  /** Protocol of the main port. */
  readonly protocol: 'http' | 'grpc';
  /** The gRPC port, when it has one. */
  readonly grpcPort?: number;
}

/** One backend of a weighted (canary or blue/green) path. */
export interface WeightedBackend {
  /** The service. */
  readonly service: Routable;
  /** Share of the requests, in percent; the weights of a path sum to 100 (0 parks a blue/green standby). */
  readonly weight: number;
  /**
   * Port of the service.
   * @default the path's `port`, else the service's main port
   */
  readonly port?: number;
}

/** One path of a route. */
export interface RoutePath {
  /**
   * URL path prefix. For gRPC backends on `gateway`, `/` or `/<package.Service>`.
   * @default '/'
   */
  readonly path?: string;
  /** The service, or two or more weighted backends (canary, blue/green). */
  readonly to: Routable | readonly WeightedBackend[];
  /**
   * Port of the service; its gRPC port makes this a gRPC (HTTP/2 cleartext) path.
   * @default the service's main port
   */
  readonly port?: number;
  /**
   * Keep WebSocket connections open (Contour `enableWebsockets`; long read/idle timeouts).
   * @default the route's `websockets`
   */
  readonly websockets?: boolean;
  /**
   * Request timeout (for WebSockets: the idle timeout): seconds, or a `Duration` of whole seconds.
   * @default the route's `timeoutSeconds`
   */
  readonly timeoutSeconds?: number | Duration;
}

/** Properties of a {@link Route}. */
export interface RouteProps {
  /** Fully qualified host name: `chat.example.com`. */
  readonly host: string;
  /** The implementation: `nginx`, `contour` or `gateway`. */
  readonly via: RouteVia;
  /** Paths on the host and where each goes (at least one). */
  readonly paths: readonly RoutePath[];
  /**
   * TLS termination. `nginx` and `contour` terminate with a Secret in the app namespace; `gateway` routes attach
   * to the platform Gateway's HTTPS listener for the host, whose certificate Pulumi provisions.
   * @default TLS with a certificate from the platform issuer of the implementation, HTTP redirected to HTTPS
   */
  readonly tls?: RouteTls;
  /**
   * Keep WebSocket connections open on every path.
   * @default false
   */
  readonly websockets?: boolean;
  /**
   * Request timeout of every path (for WebSockets: the idle timeout): seconds, or a `Duration` of whole seconds
   * (`Duration.minutes(2)`).
   * @default 60 (3600 for WebSockets)
   */
  readonly timeoutSeconds?: number | Duration;
}

/** A URL path prefix: absolute, without query, fragment, spaces or regex characters. */
const URL_PATH = /^\/[A-Za-z0-9\-._~/%]*$/;
/** A fully qualified gRPC service name. */
const GRPC_SERVICE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const MAX_TIMEOUT_SECONDS = 86400;

/**
 * Exposes services of the app on a host, through ingress-nginx, Contour or the Gateway API, with TLS,
 * WebSockets, timeouts, gRPC backends and weighted canary or blue/green paths. The ingress controller is
 * admitted to the backends by their NetworkPolicies, and the host and add-on are recorded in `index.json`.
 *
 * ```ts
 * new Route(app, 'web', {
 *   host: 'chat.example.com',
 *   via: 'gateway',
 *   paths: [
 *     { path: '/', to: frontend },
 *     { path: '/api', to: [{ service: backend, weight: 90 }, { service: backendCanary, weight: 10 }] },
 *   ],
 * });
 * ```
 */
export class Route extends Construct {
  /** The host. */
  readonly host: string;
  /** The implementation. */
  readonly via: RouteVia;
  /** The objects created (Ingresses, HTTPProxy, HTTPRoute, GRPCRoute). */
  readonly objects: readonly Construct[];

  constructor(scope: Construct, id: string, props: RouteProps) {
    const { paths, tls, app } = resolveRouteProps(scope, id, props);
    super(scope, id);
    this.host = props.host;
    this.via = props.via;
    claimPaths(scope, constructPath(scope, id), props, paths);
    this.objects = RENDERERS[props.via](this, id, props.host, paths, tls);

    app.addHost(props.host);
    app.addons(...ROUTE_ADDONS[props.via]);
    const proxy = ROUTE_ADDONS[props.via][0];
    const namespace = ADDON_NAMESPACES[proxy];
    const identity = INGRESS_IDENTITIES[proxy];
    for (const p of paths) {
      for (const b of p.backends) app.admitIngress(b.service.graphNode, { namespace, port: b.port, identity });
    }
    if (props.via === 'gateway') {
      // The platform Gateway gets a listener per host, admitting only this namespace; plain HTTP to an HTTPS host
      // is redirected by the platform's own route in the Gateway's namespace, not by one of the app's.
      if (tls.disabled === undefined) app.addGatewayHttpsHost(props.host);
      else app.addGatewayHttpHost(props.host);
    } else if (tls.disabled === undefined && tls.issuer) {
      app.admitAcmeSolver(namespace);
    }
  }
}

/** Add-ons each implementation needs; the first one runs the proxy pods that connect to the backends. */
const ROUTE_ADDONS: Readonly<Record<RouteVia, readonly ['ingress-nginx' | 'contour', ...Addon[]]>> = {
  nginx: ['ingress-nginx'],
  contour: ['contour'],
  gateway: ['contour', 'gateway-api'],
};

const ROUTE_PROP_KEYS: PropKeys<RouteProps> = {
  host: true,
  via: true,
  paths: true,
  tls: true,
  websockets: true,
  timeoutSeconds: true,
};
const ROUTE_PATH_KEYS: PropKeys<RoutePath> = {
  path: true,
  to: true,
  port: true,
  websockets: true,
  timeoutSeconds: true,
};
const WEIGHTED_BACKEND_KEYS: PropKeys<WeightedBackend> = { service: true, weight: true, port: true };

function resolveRouteProps(scope: Construct, id: string, props: RouteProps) {
  const v = new PropValidator(constructPath(scope, id));
  v.knownProps('', props, ROUTE_PROP_KEYS, 'Route');
  v.id(id);
  const app = PlatformChart.of(scope);
  if (!ROUTE_VIAS.includes(props.via)) {
    v.fail('via', `${JSON.stringify(props.via)} is not a known ingress`, `use one of ${ROUTE_VIAS.join(', ')}`);
  }
  v.hostname('host', props.host);
  const routeTimeout = optionalTimeout(v, 'timeoutSeconds', props.timeoutSeconds);
  if (!props.paths?.length) v.fail('paths', 'is empty', 'give at least one path, e.g. [{ path: "/", to: web }]');
  const paths = props.paths.map((p, i) => resolvePath(v, `paths[${i}]`, app, props, p, routeTimeout));
  v.unique(
    'paths[].path',
    paths.map((p) => p.path),
  );
  const tls = resolveTls(v, id, props.via, props.tls);
  const hosts = tls.disabled === undefined ? app.gatewayHttpsHosts : app.gatewayHttpHosts;
  // An HTTPS host takes two listeners (HTTPS and its port-80 redirect), a plain-HTTP host one.
  const listeners = 2 * app.gatewayHttpsHosts.length + app.gatewayHttpHosts.length;
  const needed = listeners + (tls.disabled === undefined ? 2 : 1);
  if (props.via === 'gateway' && !hosts.includes(props.host) && needed > GATEWAY_HOST_LISTENERS_MAX) {
    v.fail(
      'host',
      `"${props.host}" would bring the platform Gateway to ${needed} host listeners (two per HTTPS host, one per plain-HTTP host), over its ${GATEWAY_HOST_LISTENERS_MAX} (the Gateway API allows 64 per Gateway)`,
      'serve the other hosts via "contour" or "nginx", which have no such limit, or put paths on fewer hosts',
    );
  }
  return { paths, tls, app };
}

function optionalTimeout(v: PropValidator, prop: string, value: number | Duration | undefined): number | undefined {
  return value === undefined ? undefined : v.whole(prop, value, 's', 1, MAX_TIMEOUT_SECONDS);
}

function resolvePath(
  v: PropValidator,
  prop: string,
  app: PlatformChart,
  props: RouteProps,
  p: RoutePath,
  routeTimeout: number | undefined,
): ResolvedPath {
  v.knownProps(prop, p, ROUTE_PATH_KEYS, 'route path');
  const path = p.path ?? '/';
  if (!URL_PATH.test(path)) {
    v.fail(`${prop}.path`, `${JSON.stringify(path)} is not a URL path prefix`, 'use an absolute path such as "/api"');
  }
  const weighted = isWeighted(p.to);
  const backends: ResolvedBackend[] = weighted
    ? (p.to as readonly WeightedBackend[]).map((b, j) => {
        v.knownProps(`${prop}.to[${j}]`, b, WEIGHTED_BACKEND_KEYS, 'weighted backend');
        return resolveBackend(v, `${prop}.to[${j}]`, app, b.service, b.port ?? p.port, b.weight);
      })
    : [resolveBackend(v, `${prop}.to`, app, p.to as Routable, p.port)];
  if (weighted) validateWeights(v, `${prop}.to`, props.via, backends);
  const grpc = backends.map((b) => isGrpcPort(b.service, b.port));
  if (grpc.some((g) => g !== grpc[0])) {
    v.fail(`${prop}.to`, 'mixes gRPC and HTTP backends', 'give every backend of a path the same protocol');
  }
  if (grpc[0] && props.via === 'gateway' && path !== '/' && !GRPC_SERVICE.test(path.slice(1))) {
    v.fail(
      `${prop}.path`,
      `${JSON.stringify(path)} cannot select a gRPC service`,
      'use "/" or "/<package.Service>" (a GRPCRoute matches on the gRPC service name)',
    );
  }
  const websockets = p.websockets ?? props.websockets ?? false;
  const timeout = optionalTimeout(v, `${prop}.timeoutSeconds`, p.timeoutSeconds) ?? routeTimeout;
  return {
    path,
    grpc: grpc[0],
    backends,
    websockets,
    timeoutSeconds: timeout ?? (websockets ? DEFAULT_WEBSOCKET_TIMEOUT_SECONDS : DEFAULT_ROUTE_TIMEOUT_SECONDS),
  };
}

function isWeighted(to: RoutePath['to']): to is readonly WeightedBackend[] {
  return Array.isArray(to);
}

function resolveBackend(
  v: PropValidator,
  prop: string,
  app: PlatformChart,
  service: Routable | undefined,
  port: number | undefined,
  weight?: number,
): ResolvedBackend {
  if (!service?.graphNode) v.fail(prop, 'is not a service', 'route to a Service construct');
  if (typeof service.port !== 'number') {
    v.fail(
      prop,
      `is ${service.graphNode.component === 'worker' ? 'Worker' : 'workload'} "${service.graphNode.name}", which serves no port`,
      'route to a Service (a Worker has no Service and admits no traffic); make it a Service with a port if it should be reachable',
    );
  }
  if (service.app !== app) {
    v.fail(
      prop,
      `is ${service.name} of app ${service.app.appName}`,
      'route to services of the route’s own app (an Ingress cannot reach other namespaces)',
    );
  }
  const ports = [service.port, ...(service.grpcPort !== undefined ? [service.grpcPort] : [])];
  const chosen = port ?? service.port;
  if (!ports.includes(chosen)) {
    v.fail(`${prop}.port`, `${chosen} is not a port of ${service.name}`, `use one of ${ports.join(', ')}`);
  }
  if (weight !== undefined) v.integer(`${prop}.weight`, weight, 0, 100);
  return { service, port: chosen, weight };
}

function validateWeights(v: PropValidator, prop: string, via: RouteVia, backends: readonly ResolvedBackend[]): void {
  if (backends.length === 0) {
    v.fail(prop, 'is empty', 'give the service itself as `to`, or two or more weighted backends');
  }
  if (backends.length < 2) {
    v.fail(prop, 'has one weighted backend', 'give the service itself as `to`, or two or more weighted backends');
  }
  if (via === 'nginx' && backends.length > 2) {
    v.fail(
      prop,
      `has ${backends.length} weighted backends`,
      'ingress-nginx splits traffic between a main and one canary backend: use two, or via "contour"/"gateway"',
    );
  }
  v.unique(
    `${prop}[].service`,
    backends.map((b) => `${b.service.name}:${b.port}`),
  );
  const total = backends.reduce((sum, b) => sum + (b.weight ?? 0), 0);
  if (total !== 100) {
    v.fail(
      `${prop}[].weight`,
      `sum to ${total}`,
      `make the weights sum to 100 (e.g. 90 and 10 for a canary, 100 and 0 for blue/green)`,
    );
  }
}

function isGrpcPort(service: Routable, port: number): boolean {
  return port === service.grpcPort || (port === service.port && service.protocol === 'grpc');
}

/**
 * Records the route's host and paths in the cdk8s app; a path another route already serves on the host, or a
 * host served through another implementation, is an error (the controllers would silently pick one).
 */
function claimPaths(scope: Construct, route: string, props: RouteProps, paths: readonly ResolvedPath[]): void {
  const v = new PropValidator(route);
  // Hosts and paths are claimed across the charts of one cdk8s app.
  const hosts = AppRegistry.of(scope).hosts;
  const claim = hosts.get(props.host);
  if (claim) {
    if (claim.via !== props.via) {
      v.fail(
        'host',
        `${props.host} is already served via ${claim.via} by ${claim.route}`,
        'serve each host through one ingress implementation (its DNS name points at one load balancer)',
      );
    }
    if (props.via === 'contour') {
      v.fail(
        'host',
        `${props.host} already has an HTTPProxy (${claim.route})`,
        'Contour accepts one root HTTPProxy per host: put all its paths in one Route',
      );
    }
    const taken = paths.find((p) => claim.paths.has(p.path));
    if (taken) {
      v.fail(
        'paths',
        `${taken.path} on ${props.host} is already routed by ${claim.route}`,
        'give each host and path one route; split traffic with weighted backends instead',
      );
    }
  }
  const entry = claim ?? { via: props.via, route, paths: new Set<string>() };
  paths.forEach((p) => entry.paths.add(p.path));
  hosts.set(props.host, entry);
}
