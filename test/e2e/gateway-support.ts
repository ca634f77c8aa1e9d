/**
 * What the Gateway e2e needs around Contour: the routes' admission as Contour writes it in their status, and
 * throwaway TLS Secrets for the HTTPS listeners (Contour marks a listener without its certificate invalid).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '../../scripts/cluster/kube-client';
import type { KubeObject } from '../../scripts/lib/manifests';
import { pollUntil } from './support';

interface RouteStatus {
  metadata: { generation: number };
  status?: {
    parents?: Array<{
      parentRef: { sectionName?: string };
      conditions: Array<{ type: string; status: string; reason: string; observedGeneration?: number }>;
    }>;
  };
}

/**
 * The reason of a route's `Accepted` condition for each parent listener (`sectionName`, or `*` when the route
 * names none), once Contour has written it for the route's current generation.
 */
export function routeAdmission(
  client: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 30_000,
): Promise<Record<string, string>> {
  let parents: NonNullable<RouteStatus['status']>['parents'] = [];
  return pollUntil(
    async () => {
      const route = await client.get<RouteStatus>('gateway.networking.k8s.io/v1', 'HTTPRoute', namespace, name);
      parents = route?.status?.parents ?? [];
      const accepted = parents.map((p) => ({
        section: p.parentRef.sectionName ?? '*',
        condition: p.conditions.find((c) => c.type === 'Accepted'),
      }));
      const decided =
        route &&
        accepted.length > 0 &&
        accepted.every((a) => a.condition && a.condition.observedGeneration === route.metadata.generation);
      return decided ? Object.fromEntries(accepted.map((a) => [a.section, a.condition!.reason])) : undefined;
    },
    () => `HTTPRoute ${namespace}/${name}: no Accepted condition from Contour: ${JSON.stringify(parents)}`,
    timeoutMs,
  );
}

/** The status of each of the platform Gateway's conditions, once Contour has decided them (none `Unknown`). */
export function gatewayConditions(
  client: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 30_000,
): Promise<Record<string, string>> {
  let conditions: Array<{ type: string; status: string }> = [];
  return pollUntil(
    async () => {
      const live = await client.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
        'gateway.networking.k8s.io/v1',
        'Gateway',
        namespace,
        name,
      );
      conditions = live?.status?.conditions ?? [];
      const decided = conditions.length > 0 && conditions.every((c) => c.status !== 'Unknown');
      return decided ? Object.fromEntries(conditions.map((c) => [c.type, c.status])) : undefined;
    },
    () => `Gateway ${namespace}/${name}: undecided: ${JSON.stringify(conditions)}`,
    timeoutMs,
  );
}

/** A `kubernetes.io/tls` Secret with a self-signed certificate for `host` (openssl, in a temp dir). */
export function selfSignedTlsSecret(namespace: string, name: string, host: string): KubeObject {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${host}`].concat([
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-keyout',
        'tls.key',
        '-out',
        'tls.crt',
      ]),
      { cwd: dir, stdio: 'ignore' },
    );
    const b64 = (f: string) => readFileSync(join(dir, f)).toString('base64');
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64('tls.crt'), 'tls.key': b64('tls.key') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An HTTPRoute of `namespace` for `host` on one listener of the platform Gateway (a backend that need not exist). */
export function routeTo(namespace: string, name: string, host: string, sectionName: string): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ name: 'platform', namespace: 'projectcontour', sectionName }],
      hostnames: [host],
      rules: [{ backendRefs: [{ name: 'web', port: 80 }] }],
    },
  };
}
