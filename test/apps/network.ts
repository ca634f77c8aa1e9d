/**
 * Reads an app's NetworkPolicies as edges, for the app tests: each peer of a workload's policy as one string with
 * its ports, so a test states who may reach whom in one `toEqual`.
 */
import type { Obj } from '../helpers';
import { find } from '../helpers';

/**
 * A policy peer as a string: a pod of the app by its `app.kubernetes.io/name` (`auth`), pods of another namespace
 * (`monitoring/app.kubernetes.io/name=tempo,...`, or `monitoring/*`), an IP range (`0.0.0.0/0`).
 */
function peer(p: Obj): string {
  if (p.ipBlock) return p.ipBlock.cidr as string;
  const pods = p.podSelector?.matchLabels as Record<string, string> | undefined;
  if (!p.namespaceSelector) return pods?.['app.kubernetes.io/name'] ?? '*';
  const ns = p.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] as string;
  const labels = pods
    ? Object.entries(pods)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : '*';
  return `${ns}/${labels}`;
}

function edges(rules: Obj[] | undefined, side: 'from' | 'to'): string[] {
  return (rules ?? [])
    .flatMap((r) =>
      (r[side] as Obj[]).map((p) => `${peer(p)}:${(r.ports as Obj[]).map((port) => port.port as number).join(',')}`),
    )
    .sort();
}

/** Who may connect to a workload: `<peer>:<ports>`, sorted. */
export function ingressPeers(objects: Obj[], workload: string): string[] {
  return edges(find(objects, 'NetworkPolicy', workload).spec.ingress, 'from');
}

/** Where a workload may connect: `<peer>:<ports>`, sorted. */
export function egressPeers(objects: Obj[], workload: string): string[] {
  return edges(find(objects, 'NetworkPolicy', workload).spec.egress, 'to');
}

/** The main container's env of a Deployment, as name → value (or `valueFrom`). */
export function envOf(objects: Obj[], deployment: string): Record<string, unknown> {
  const container = find(objects, 'Deployment', deployment).spec.template.spec.containers[0];
  return Object.fromEntries(
    ((container.env ?? []) as Obj[]).map((e) => [e.name as string, (e.value as string) ?? e.valueFrom]),
  );
}
