/** Reads an app's connection graph back from its synthesized NetworkPolicies (for the reference-app tests). */
import type { Obj } from '../helpers';

const NAME_LABEL = 'app.kubernetes.io/name';
const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
}
interface Rule {
  peers: Peer[];
  ports: { port: number }[];
}

function workloadPolicies(objects: Obj[]): { self: string; ingress: Rule[]; egress: Rule[] }[] {
  return objects
    .filter((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector?.matchLabels?.[NAME_LABEL])
    .map((p) => ({
      self: p.spec.podSelector.matchLabels[NAME_LABEL] as string,
      ingress: ((p.spec.ingress ?? []) as Obj[]).map((r) => ({ peers: r.from ?? [], ports: r.ports ?? [] })),
      egress: ((p.spec.egress ?? []) as Obj[]).map((r) => ({ peers: r.to ?? [], ports: r.ports ?? [] })),
    }));
}

const podPeer = (peer: Peer): string | undefined =>
  peer.podSelector && !peer.namespaceSelector ? peer.podSelector.matchLabels?.[NAME_LABEL] : undefined;

/**
 * Every pod-to-pod connection in the namespace as `client -> server:port`, sorted. Throws when the server's
 * policy admits a connection the client's policy does not open, or the reverse: both sides must agree.
 */
export function podEdges(objects: Obj[]): string[] {
  const admitted = new Set<string>();
  const opened = new Set<string>();
  for (const { self, ingress, egress } of workloadPolicies(objects)) {
    for (const rule of ingress) {
      for (const client of rule.peers.map(podPeer).filter(Boolean)) {
        rule.ports.forEach((p) => admitted.add(`${client} -> ${self}:${p.port}`));
      }
    }
    for (const rule of egress) {
      for (const server of rule.peers.map(podPeer).filter(Boolean)) {
        rule.ports.forEach((p) => opened.add(`${self} -> ${server}:${p.port}`));
      }
    }
  }
  const oneSided = [...admitted].filter((e) => !opened.has(e)).concat([...opened].filter((e) => !admitted.has(e)));
  if (oneSided.length) throw new Error(`NetworkPolicies allow one side only of: ${oneSided.join(', ')}`);
  return [...admitted].sort();
}

/** What a workload admits from other namespaces, as `namespace:port`, sorted (`ingress-nginx:8080`, ...). */
export function namespaceSources(objects: Obj[], workload: string): string[] {
  const policy = workloadPolicies(objects).find((p) => p.self === workload);
  if (!policy) throw new Error(`no NetworkPolicy for ${workload}`);
  return policy.ingress
    .flatMap((rule) =>
      rule.peers
        .map((peer) => peer.namespaceSelector?.matchLabels?.[NAMESPACE_LABEL])
        .filter(Boolean)
        .flatMap((ns) => rule.ports.map((p) => `${ns}:${p.port}`)),
    )
    .sort();
}
