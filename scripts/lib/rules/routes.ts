/**
 * Rules on ingress objects of every implementation the platform emits: Ingress (ingress-nginx), HTTPProxy
 * (Contour), HTTPRoute and GRPCRoute (Gateway API).
 */
import { isRecord, namespaceOf } from '../manifests';
import type { ManifestObject } from '../manifests';
import type { Rule, Violation } from './types';

/** One backend an ingress object sends traffic to. */
interface Backend {
  /** Where in the object it is declared, for the message. */
  readonly at: string;
  readonly service: string;
  readonly port: number | string | undefined;
}

/** One host and path an ingress object claims. */
interface Claim {
  readonly host: string;
  readonly path: string;
}

const CANARY_ANNOTATION = 'nginx.ingress.kubernetes.io/canary';

const records = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** The backends of an Ingress, HTTPProxy, HTTPRoute or GRPCRoute (other kinds have none). */
function backendsOf(o: ManifestObject['object']): Backend[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  switch (o.kind) {
    case 'Ingress':
      return records(spec.rules).flatMap((rule, i) =>
        records(isRecord(rule.http) ? rule.http.paths : []).flatMap((p, j) => {
          const service = isRecord(p.backend) && isRecord(p.backend.service) ? p.backend.service : undefined;
          if (!service) return [];
          const port = isRecord(service.port) ? (service.port.number ?? service.port.name) : undefined;
          return [{ at: `spec.rules[${i}].http.paths[${j}]`, service: String(service.name), port } as Backend];
        }),
      );
    case 'HTTPProxy':
      return records(spec.routes).flatMap((route, i) =>
        records(route.services).map((s, j) => ({
          at: `spec.routes[${i}].services[${j}]`,
          service: String(s.name),
          port: s.port as number,
        })),
      );
    case 'HTTPRoute':
    case 'GRPCRoute':
      return records(spec.rules).flatMap((rule, i) =>
        records(rule.backendRefs)
          .filter((b) => (b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '' && b.namespace === undefined)
          .map((b, j) => ({
            at: `spec.rules[${i}].backendRefs[${j}]`,
            service: String(b.name),
            port: b.port as number,
          })),
      );
    default:
      return [];
  }
}

/** The host/path pairs an object claims; canary Ingresses share their main Ingress's claim. */
function claimsOf(o: ManifestObject['object']): Claim[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  switch (o.kind) {
    case 'Ingress':
      if (o.metadata.annotations?.[CANARY_ANNOTATION] === 'true') return [];
      return records(spec.rules).flatMap((rule) =>
        records(isRecord(rule.http) ? rule.http.paths : []).map((p) => ({
          host: String(rule.host ?? '*'),
          path: String(p.path ?? '/'),
        })),
      );
    case 'HTTPProxy': {
      const host = isRecord(spec.virtualhost) ? spec.virtualhost.fqdn : undefined;
      if (typeof host !== 'string') return [];
      return records(spec.routes).map((route) => ({
        host,
        path: String(records(route.conditions).find((c) => c.prefix !== undefined)?.prefix ?? '/'),
      }));
    }
    case 'HTTPRoute': {
      const hosts = Array.isArray(spec.hostnames) ? spec.hostnames.map(String) : ['*'];
      // Rules without backends (an HTTP-to-HTTPS redirect on the HTTP listener) serve nothing of their own.
      return hosts.flatMap((host) =>
        records(spec.rules)
          .filter((rule) => records(rule.backendRefs).length > 0)
          .flatMap((rule) =>
            (records(rule.matches).length ? records(rule.matches) : [{}]).map((m) => ({
              host,
              path: String(isRecord(m.path) ? (m.path.value ?? '/') : '/'),
            })),
          ),
      );
    }
    default:
      return [];
  }
}

/** `route-backend`: every backend of an ingress object is a Service port in its namespace. */
export const routeBackendRule: Rule = {
  id: 'route-backend',
  summary:
    'Every backend of an Ingress, HTTPProxy, HTTPRoute or GRPCRoute is a Service in the same namespace, on a port that Service declares.',
  why: 'A route to a missing Service or port applies cleanly but answers 503 (nginx, Envoy) or is marked invalid in its status, which nobody reads until users complain.',
  fix: 'Route to the platform Service construct (the Route construct checks the port), or fix the service name and port.',
  check({ objects }) {
    const out: Violation[] = [];
    const services = new Map<string, Record<string, unknown>[]>();
    for (const { object } of objects) {
      if (object.kind === 'Service' && object.apiVersion === 'v1' && isRecord(object.spec)) {
        services.set(`${namespaceOf(object)}/${object.metadata.name}`, records(object.spec.ports));
      }
    }
    for (const target of objects) {
      for (const b of backendsOf(target.object)) {
        const ports = services.get(`${namespaceOf(target.object)}/${b.service}`);
        if (!ports) {
          out.push({
            target,
            message: `${b.at}: Service ${b.service} does not exist in namespace ${namespaceOf(target.object)}; route to an existing Service`,
          });
        } else if (!ports.some((p) => p.port === b.port || (typeof b.port === 'string' && p.name === b.port))) {
          out.push({
            target,
            message: `${b.at}: port ${String(b.port)} is not a port of Service ${b.service}; use one of ${ports.map((p) => p.port).join(', ')}`,
          });
        }
      }
    }
    return out;
  },
};

/** `unique-route`: no host and path is claimed by two ingress objects, in any namespace. */
export const uniqueRouteRule: Rule = {
  id: 'unique-route',
  summary:
    'No host and path is claimed by two Ingresses, HTTPProxies or HTTPRoutes, across every app (canary Ingresses excepted).',
  why: 'Two claims on one host and path are not an error to Kubernetes: each controller silently picks one (oldest object, alphabetical order), so traffic goes to whichever app happens to win.',
  fix: 'Serve each host and path from one route; split traffic between versions with weighted backends (a canary).',
  waivable: false,
  check({ objects }) {
    const out: Violation[] = [];
    const seen = new Map<string, ManifestObject>();
    for (const target of objects) {
      for (const claim of claimsOf(target.object)) {
        const key = `${claim.host}${claim.path}`;
        const first = seen.get(key);
        if (first && first !== target) {
          const o = first.object;
          out.push({
            target,
            message: `host ${claim.host} path ${claim.path} is already claimed by ${o.kind}/${namespaceOf(o)}/${o.metadata.name} (${first.file}); give each host and path one route`,
          });
        } else {
          seen.set(key, target);
        }
      }
    }
    return out;
  },
};
