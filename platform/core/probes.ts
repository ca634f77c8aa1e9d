/** Health checks: one small union type for liveness, readiness and startup probes. */
import { k8s } from 'cdk8s-plus-27';
import type { PropKeys } from './known-props';
import type { PropValidator } from './validate';

const HEALTH_CHECK_KEYS: PropKeys<HealthCheck> = { http: true, grpc: true, tcp: true, exec: true, port: true };

/**
 * How to check a container's health:
 * - `{ http: '/healthz' }`: HTTP GET on the path (port: the workload's main port unless `port` is given);
 * - `{ grpc: true }` or `{ grpc: 'service' }`: the gRPC health checking protocol;
 * - `{ tcp: true }`: a TCP connect;
 * - `{ exec: ['cmd', ...] }`: a command in the container (exit 0 is healthy).
 */
export type HealthCheck =
  | { readonly http: string; readonly port?: number }
  | { readonly grpc: true | string; readonly port?: number }
  | { readonly tcp: true; readonly port?: number }
  | { readonly exec: readonly string[] };

/** Timing of one probe. */
export interface ProbeTiming {
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  readonly initialDelaySeconds?: number;
}

/** Liveness restarts a stuck container: checked rarely, tolerant, so load alone never restarts it. */
export const LIVENESS_TIMING: ProbeTiming = { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 };
/** Readiness removes a pod from its Service quickly, so callers do not see errors during a rollout or a drain. */
export const READINESS_TIMING: ProbeTiming = { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 };
/** Startup gives a slow starter up to 2 minutes before liveness takes over, instead of a long initial delay. */
export const STARTUP_TIMING: ProbeTiming = { periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60 };

/** Validates a health check's ports and paths. */
export function validateHealthCheck(v: PropValidator, prop: string, check: HealthCheck): void {
  const shapes = 'give { http: "/healthz" }, { grpc: true }, { tcp: true } or { exec: ["cat", "/tmp/healthy"] }';
  if (typeof check !== 'object' || check === null || Array.isArray(check))
    v.fail(prop, `${JSON.stringify(check)} is not a health check`, shapes);
  v.knownProps(prop, check, HEALTH_CHECK_KEYS, 'health check');
  if ('exec' in check) {
    v.nonEmptyStrings(`${prop}.exec`, check.exec, 'give the command and its arguments, e.g. ["pg_isready"]');
    if (check.exec.length === 0)
      v.fail(`${prop}.exec`, 'is empty', 'give the command and its arguments, e.g. ["pg_isready"]');
    return;
  }
  if (!('http' in check) && !('grpc' in check) && !('tcp' in check))
    v.fail(prop, `${JSON.stringify(check)} is not a health check`, shapes);
  if (check.port !== undefined) v.port(`${prop}.port`, check.port);
  if ('http' in check && (typeof check.http !== 'string' || !check.http.startsWith('/'))) {
    v.fail(
      `${prop}.http`,
      `${JSON.stringify(check.http)} is not a path`,
      'use an absolute URL path such as "/healthz"',
    );
  }
  if ('grpc' in check && check.grpc !== true && (typeof check.grpc !== 'string' || check.grpc === ''))
    v.fail(`${prop}.grpc`, `${JSON.stringify(check.grpc)} is not allowed`, 'use true, or the gRPC service name');
  if ('tcp' in check && check.tcp !== true)
    v.fail(`${prop}.tcp`, `${JSON.stringify(check.tcp)} is not allowed`, 'use true');
}

/** Renders a probe; `defaultPort` is used when the check names none. */
export function renderProbe(check: HealthCheck, defaultPort: number | undefined, timing: ProbeTiming): k8s.Probe {
  const port = ('port' in check ? check.port : undefined) ?? defaultPort;
  const handler = (): Partial<k8s.Probe> => {
    if ('exec' in check) return { exec: { command: [...check.exec] } };
    if (port === undefined) throw new Error('a network health check needs a port');
    if ('http' in check) return { httpGet: { path: check.http, port: k8s.IntOrString.fromNumber(port) } };
    if ('grpc' in check) return { grpc: { port, ...(check.grpc === true ? {} : { service: check.grpc }) } };
    return { tcpSocket: { port: k8s.IntOrString.fromNumber(port) } };
  };
  return { ...handler(), ...timing };
}
