/**
 * Linkerd wiring: proxy injection (namespace- or workload-level), proxy resources, opaque ports for wire
 * protocols, and per-route golden metrics through a `ServiceProfile`.
 *
 * Nothing here imports the chart: `PlatformChart` and the workloads call these helpers with plain values, so the
 * chart (the composition root) can depend on this module without a cycle.
 */
import type { Construct } from 'constructs';
import { LINKERD_INJECT_ANNOTATION } from '../contract';
import { serviceHost } from '../core/names';
import type { RequestLimit, Resources } from '../core/resources';
import { resolveResources } from '../core/resources';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type * as ServiceProfileCrds from '../crds/serviceprofiles-linkerd.io';
import type { ServiceProfileV1Alpha2, ServiceProfileV1Alpha2SpecRoutes } from '../crds/serviceprofiles-linkerd.io';

/** The generated CRD module, loaded by the first service with route metrics. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profileCrds = (): typeof ServiceProfileCrds => require('../crds/serviceprofiles-linkerd.io');

/** Ports whose protocol the proxy must not sniff: server-speaks-first wire protocols (databases). */
export const LINKERD_OPAQUE_PORTS_ANNOTATION = 'config.linkerd.io/opaque-ports';
/** The pod annotations by which the proxy injector sizes the `linkerd-proxy` container. */
export const LINKERD_PROXY_RESOURCE_ANNOTATIONS = {
  cpu: { request: 'config.linkerd.io/proxy-cpu-request', limit: 'config.linkerd.io/proxy-cpu-limit' },
  memory: { request: 'config.linkerd.io/proxy-memory-request', limit: 'config.linkerd.io/proxy-memory-limit' },
} as const;

/**
 * Proxy requests and limits when none are given. Linkerd's own chart sets none (a BestEffort sidecar, which breaks
 * the every-container-has-limits rule); these are its high-availability values (cpu request 100m, memory 20Mi
 * request and 250Mi limit) plus a one-core CPU limit, which matches the proxy's single runtime worker by default.
 * `npm run report` counts the same numbers for every meshed pod.
 */
export const DEFAULT_PROXY_RESOURCES: Resources = {
  cpu: { request: '100m', limit: '1' },
  memory: { request: '20Mi', limit: '250Mi' },
};

/**
 * Where Linkerd's injection is switched on: `namespace` annotates the app namespace (every pod created there is
 * meshed unless it opts out), `workload` annotates each meshed pod template instead (the namespace stays plain,
 * for namespaces shared with pods that must not be meshed, or to mesh an app gradually).
 */
export type MeshInjection = 'namespace' | 'workload';

/** Every {@link MeshInjection}. */
export const MESH_INJECTIONS: readonly MeshInjection[] = ['namespace', 'workload'];

/** Requests and limits of the Linkerd proxy sidecar; what is left out keeps the default. */
export interface ProxyResources {
  /**
   * CPU request and limit of the proxy (the limit also sets how many worker threads it runs).
   * @default request 100m, limit 1
   */
  readonly cpu?: Partial<RequestLimit>;
  /**
   * Memory request and limit of the proxy.
   * @default request 20Mi, limit 250Mi
   */
  readonly memory?: Partial<RequestLimit>;
}

/** Per-workload mesh settings (the workload is meshed when the app is). */
export interface MeshOptions {
  /**
   * Proxy resources of this workload's pods.
   * @default the app's `meshProxy`, itself defaulting to {@link DEFAULT_PROXY_RESOURCES}
   */
  readonly proxy?: ProxyResources;
}

/** The props of a workload's `mesh` options. */
export const MESH_OPTIONS_KEYS: PropKeys<MeshOptions> = { proxy: true };

/** Validates the injection mode. */
export function resolveMeshInjection(v: PropValidator, prop: string, value: MeshInjection | undefined): MeshInjection {
  const mode = value ?? 'namespace';
  if (!MESH_INJECTIONS.includes(mode)) {
    v.fail(prop, `${JSON.stringify(mode)} is not an injection mode`, `use one of ${MESH_INJECTIONS.join(', ')}`);
  }
  return mode;
}

/** An app's mesh settings after validation. */
export interface AppMesh {
  /** Whether the app is meshed by Linkerd. */
  readonly meshed: boolean;
  /** Where injection is switched on. */
  readonly injection: MeshInjection;
  /** Default proxy resources of its meshed pods. */
  readonly proxy: Resources;
}

/** Validates the mesh props of an app; the mesh settings are rejected on an app that is not meshed. */
export function resolveAppMesh(
  v: PropValidator,
  props: { mesh?: string; meshInjection?: MeshInjection; meshProxy?: ProxyResources },
): AppMesh {
  if (props.mesh !== undefined && props.mesh !== 'linkerd' && props.mesh !== 'none') {
    v.fail('mesh', `${JSON.stringify(props.mesh)} is not a supported mesh`, 'use "linkerd" or "none"');
  }
  const meshed = props.mesh === 'linkerd';
  for (const prop of ['meshInjection', 'meshProxy'] as const) {
    if (!meshed && props[prop] !== undefined) {
      v.fail(prop, 'is set but the app is not meshed', `set mesh: "linkerd", or leave ${prop} out`);
    }
  }
  return {
    meshed,
    injection: resolveMeshInjection(v, 'meshInjection', props.meshInjection),
    proxy: resolveProxyResources(v, 'meshProxy', props.meshProxy, DEFAULT_PROXY_RESOURCES),
  };
}

const PROXY_RESOURCES_KEYS: PropKeys<ProxyResources> = { cpu: true, memory: true };

/** Validates proxy resources, filling what is left out from `defaults`. */
export function resolveProxyResources(
  v: PropValidator,
  prop: string,
  given: ProxyResources | undefined,
  defaults: Resources,
): Resources {
  v.knownProps(prop, given, PROXY_RESOURCES_KEYS, 'proxy resources');
  return resolveResources(v, prop, given, defaults);
}

/** The annotation keys the platform sets itself; a workload's `podAnnotations` may not set them. */
export const LINKERD_MANAGED_ANNOTATIONS: readonly string[] = [
  LINKERD_INJECT_ANNOTATION,
  LINKERD_OPAQUE_PORTS_ANNOTATION,
  ...Object.values(LINKERD_PROXY_RESOURCE_ANNOTATIONS).flatMap((a) => [a.request, a.limit]),
];

/**
 * The ports of a workload to mark opaque: those without an `appProtocol`, i.e. the database wire protocols
 * (HTTP and gRPC ports are left to protocol detection, which gives them per-request metrics).
 */
export function opaquePorts(ports: readonly { readonly port: number; readonly appProtocol?: string }[]): number[] {
  return [...new Set(ports.filter((p) => !p.appProtocol).map((p) => p.port))].sort((a, b) => a - b);
}

/** How a meshed app meshes one of its workloads. */
export interface PodMeshSettings {
  /** Where injection is switched on. */
  readonly injection: MeshInjection;
  /** Proxy requests and limits. */
  readonly proxy: Resources;
  /** Ports to mark opaque. */
  readonly opaquePorts: readonly number[];
}

/**
 * Pod annotations of a workload in a meshed app: an opt-out (`linkerd.io/inject: disabled`, in both injection
 * modes, so the choice is visible in the YAML), or the proxy's resources and opaque ports, plus
 * `linkerd.io/inject: enabled` with workload-level injection.
 */
export function linkerdPodAnnotations(settings: PodMeshSettings | undefined): Record<string, string> {
  if (!settings) return { [LINKERD_INJECT_ANNOTATION]: 'disabled' };
  const { cpu, memory } = LINKERD_PROXY_RESOURCE_ANNOTATIONS;
  return {
    ...(settings.injection === 'workload' ? { [LINKERD_INJECT_ANNOTATION]: 'enabled' } : {}),
    [cpu.request]: settings.proxy.cpu.request,
    [cpu.limit]: settings.proxy.cpu.limit,
    [memory.request]: settings.proxy.memory.request,
    [memory.limit]: settings.proxy.memory.limit,
    ...(settings.opaquePorts.length ? { [LINKERD_OPAQUE_PORTS_ANNOTATION]: settings.opaquePorts.join(',') } : {}),
  };
}

/** An HTTP method a route can match. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'TRACE' | 'CONNECT';

/** Every {@link HttpMethod}. */
export const HTTP_METHODS: readonly HttpMethod[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
];

/** Methods whose requests Linkerd may safely retry (RFC 9110 idempotent methods). */
export const IDEMPOTENT_METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'];

/**
 * One route of a service whose golden metrics (request rate, success rate, latency) Linkerd reports separately.
 * Give `path` or `pathRegex`. Routes are tried in order and the first match counts the request.
 */
export interface RouteMetric {
  /**
   * A path prefix: matches the path itself and everything below it. A `{name}` segment matches any one segment:
   * `/api/users/{id}` matches `/api/users/42` and `/api/users/42/avatar`; `/` matches every path.
   * @default none (give `pathRegex` instead)
   */
  readonly path?: string;
  /**
   * A regular expression (RE2 syntax, anchored by this construct) the whole request path must match.
   * @default none (give `path` instead)
   */
  readonly pathRegex?: string;
  /**
   * HTTP method.
   * @default any method
   */
  readonly method?: HttpMethod;
  /**
   * The route's name, its `rt_route` label in the metrics.
   * @default the method and the path, e.g. `GET /api/users/{id}`
   */
  readonly name?: string;
  /**
   * Timeout of a request on this route, retries included, as a duration (`"500ms"`, `"5s"`, `"1m30s"`).
   * @default none (Linkerd's default: no route timeout)
   */
  readonly timeout?: string;
  /**
   * Let Linkerd retry failed requests on this route (within its retry budget). Only for an idempotent `method`.
   * @default false
   */
  readonly retryable?: boolean;
}

const ROUTE_METRIC_KEYS: PropKeys<RouteMetric> = {
  path: true,
  pathRegex: true,
  method: true,
  name: true,
  timeout: true,
  retryable: true,
};

/** A route after validation. */
export interface ResolvedRouteMetric {
  readonly name: string;
  readonly pathRegex: string;
  readonly method?: HttpMethod;
  readonly timeout?: string;
  readonly retryable: boolean;
}

/** A path-prefix template segment: a literal (RFC 3986 `pchar`s) or a `{param}`. */
const TEMPLATE_SEGMENT = /^(?:[A-Za-z0-9._~!$&'()*+,;=:@%-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$/;
/** Go `time.ParseDuration` units Linkerd accepts for a route timeout. */
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
/** Regex features RE2 (Go, Rust) does not have: lookarounds and backreferences. */
const NON_RE2 = /\(\?<?[=!]|\\[1-9]|\\k</;

/** The segments of a path template (`/` has none). */
function templateSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** The anchored regular expression of a path-prefix template. */
export function pathTemplateRegex(path: string): string {
  const segments = templateSegments(path);
  if (segments.length === 0) return '^/.*$';
  const body = segments
    .map((s) => '/' + (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return `^${body}(/.*)?$`;
}

/** Whether prefix template `a` matches every path template `b` matches. */
function templateCovers(a: string[], b: string[]): boolean {
  return a.length <= b.length && a.every((s, i) => s.startsWith('{') || s === b[i]);
}

/** Validates per-route metrics: syntax, unique names and matches, and no route hidden behind an earlier one. */
export function resolveRouteMetrics(
  v: PropValidator,
  prop: string,
  routes: readonly RouteMetric[],
): ResolvedRouteMetric[] {
  const resolved = routes.map((route, i): ResolvedRouteMetric & { segments?: string[] } => {
    const at = `${prop}[${i}]`;
    v.knownProps(at, route, ROUTE_METRIC_KEYS, 'route metric');
    if ((route.path === undefined) === (route.pathRegex === undefined)) {
      v.fail(at, 'needs exactly one of path and pathRegex', 'give a path prefix such as "/api/users/{id}"');
    }
    if (route.method !== undefined && !HTTP_METHODS.includes(route.method)) {
      v.fail(`${at}.method`, `${JSON.stringify(route.method)} is not an HTTP method`, `use ${HTTP_METHODS.join(', ')}`);
    }
    let pathRegex: string;
    let segments: string[] | undefined;
    if (route.path !== undefined) {
      segments = templateSegments(route.path);
      if (
        !route.path.startsWith('/') ||
        route.path.includes('//') ||
        !segments.every((s) => TEMPLATE_SEGMENT.test(s))
      ) {
        v.fail(
          `${at}.path`,
          `${JSON.stringify(route.path)} is not a path template`,
          'write an absolute path of literal segments and {name} segments, e.g. "/api/users/{id}" (no query string)',
        );
      }
      pathRegex = pathTemplateRegex(route.path);
    } else {
      const regex = route.pathRegex as string;
      let compiles = true;
      try {
        new RegExp(regex);
      } catch {
        compiles = false;
      }
      if (!compiles || regex === '' || NON_RE2.test(regex)) {
        v.fail(
          `${at}.pathRegex`,
          `${JSON.stringify(regex)} is not an RE2 regular expression`,
          'write a regular expression without lookarounds or backreferences, e.g. "/api/users/[0-9]+"',
        );
      }
      // A group keeps an alternation whole under the anchors; anchors the user wrote are harmless inside it.
      pathRegex = `^(?:${regex})$`;
    }
    const name = route.name ?? [route.method, route.path ?? route.pathRegex].filter(Boolean).join(' ');
    if (name.trim() === '') v.fail(`${at}.name`, 'is empty', 'give the route a name, e.g. "GET /api/users"');
    if (route.timeout !== undefined && (!DURATION.test(route.timeout) || !/[1-9]/.test(route.timeout))) {
      v.fail(`${at}.timeout`, `${JSON.stringify(route.timeout)} is not a duration`, 'write it like "5s" or "500ms"');
    }
    const retryable = route.retryable ?? false;
    if (retryable && (route.method === undefined || !IDEMPOTENT_METHODS.includes(route.method))) {
      v.fail(
        `${at}.retryable`,
        `is set on a route matching ${route.method ?? 'any method'}`,
        `retry only idempotent routes: give method ${IDEMPOTENT_METHODS.join(', ')}, or leave retryable out`,
      );
    }
    return { name, pathRegex, method: route.method, timeout: route.timeout, retryable, segments };
  });
  resolved.forEach((later, j) => {
    const sameName = resolved.findIndex((r) => r.name === later.name);
    if (sameName < j) {
      v.fail(
        `${prop}[${j}].name`,
        `${JSON.stringify(later.name)} is also the name of ${prop}[${sameName}]`,
        'give each route a distinct name (it is the rt_route label of its metrics)',
      );
    }
    const sameMatch = resolved.findIndex((r) => r.method === later.method && r.pathRegex === later.pathRegex);
    if (sameMatch < j) {
      v.fail(`${prop}[${j}]`, `matches the same requests as ${prop}[${sameMatch}]`, 'remove one of the two routes');
    }
    const earlier = resolved.findIndex(
      (r, i) =>
        i < j &&
        r.segments &&
        later.segments &&
        (r.method === undefined || r.method === later.method) &&
        templateCovers(r.segments, later.segments),
    );
    if (earlier >= 0) {
      v.fail(
        `${prop}[${j}]`,
        `(${JSON.stringify(later.name)}) is never counted: ${prop}[${earlier}] (${JSON.stringify(resolved[earlier].name)}) matches all its requests first`,
        'list the more specific route first',
      );
    }
  });
  return resolved.map(({ name, pathRegex, method, timeout, retryable }) => ({
    name,
    pathRegex,
    method,
    timeout,
    retryable,
  }));
}

/** The name Linkerd looks a Service's profile up by: its fully qualified DNS name. */
export function serviceProfileName(service: string, namespace: string): string {
  return serviceHost(service, namespace);
}

/**
 * A `ServiceProfile` (`linkerd.io/v1alpha2`, the storage version) naming the routes of a Service, so that the
 * proxies of its clients and its own pods report golden metrics per route (`linkerd viz routes`, the `rt_route`
 * label) and apply per-route timeouts and retries.
 */
export function addServiceProfile(
  scope: Construct,
  target: { service: string; namespace: string; labels: Record<string, string> },
  routes: readonly ResolvedRouteMetric[],
): ServiceProfileV1Alpha2 {
  return new (profileCrds().ServiceProfileV1Alpha2)(scope, 'service-profile', {
    metadata: { name: serviceProfileName(target.service, target.namespace), labels: target.labels },
    spec: {
      routes: routes.map((r): ServiceProfileV1Alpha2SpecRoutes => ({
        name: r.name,
        // Both fields in one condition must both match (the form `linkerd profile --open-api` writes).
        condition: { ...(r.method ? { method: r.method } : {}), pathRegex: r.pathRegex },
        ...(r.retryable ? { isRetryable: true } : {}),
        ...(r.timeout ? { timeout: r.timeout } : {}),
      })),
    },
  });
}
