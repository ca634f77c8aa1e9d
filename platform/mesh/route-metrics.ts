/**
 * Per-route golden metrics of a meshed service: its routes, validated, become a Linkerd `ServiceProfile`, with
 * per-route timeouts and retries.
 */
import { Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import { serviceHost } from '../core/names';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type * as ServiceProfileCrds from '../crds/serviceprofiles-linkerd.io';
import type { ServiceProfileV1Alpha2, ServiceProfileV1Alpha2SpecRoutes } from '../crds/serviceprofiles-linkerd.io';

/** The generated CRD module, loaded by the first service with route metrics. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profileCrds = (): typeof ServiceProfileCrds => require('../crds/serviceprofiles-linkerd.io');

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
   * Timeout of a request on this route, retries included: a Go duration (`"500ms"`, `"5s"`, `"1m30s"`) or a
   * `Duration` of whole milliseconds (`Duration.millis(500)`).
   * @default none (Linkerd's default: no route timeout)
   */
  readonly timeout?: string | Duration;
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
    const timeout =
      route.timeout instanceof Duration
        ? v.duration(`${at}.timeout`, route.timeout, ['h', 'm', 's', 'ms'], true, 'Duration.millis(500)')
        : route.timeout;
    if (timeout !== undefined && (!DURATION.test(timeout) || !/[1-9]/.test(timeout))) {
      v.fail(`${at}.timeout`, `${JSON.stringify(timeout)} is not a duration`, 'write it like "5s" or "500ms"');
    }
    const retryable = route.retryable ?? false;
    if (retryable && (route.method === undefined || !IDEMPOTENT_METHODS.includes(route.method))) {
      v.fail(
        `${at}.retryable`,
        `is set on a route matching ${route.method ?? 'any method'}`,
        `retry only idempotent routes: give method ${IDEMPOTENT_METHODS.join(', ')}, or leave retryable out`,
      );
    }
    return { name, pathRegex, method: route.method, timeout, retryable, segments };
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
