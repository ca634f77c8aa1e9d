/** The `charts-out/index.json` entry of an app, derived from its finished graph. */
import type { Addon, AppEntry, SecretRequirement } from '../contract';
import type { AppGraph } from './app-graph';

/** What the entry needs beyond the graph. */
export interface AppIndexFacts {
  /** App name. */
  readonly name: string;
  /** App namespace. */
  readonly namespace: string;
  /** Whether Linkerd injection is switched on for the whole namespace. */
  readonly meshed: boolean;
  /** Add-ons the other derivations need (monitors, alerts, dashboard), beside those the constructs recorded. */
  readonly derivedAddons: readonly Addon[];
}

/** The app's entry: every list sorted, so that the entry does not depend on declaration order. */
export function deriveIndexEntry(graph: AppGraph, app: AppIndexFacts, file: string, digest: string): AppEntry {
  const secrets: SecretRequirement[] = [...graph.secrets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => ({ name, keys: [...s.keys].sort(), generate: s.generate, description: s.description }));
  return {
    name: app.name,
    file,
    namespace: app.namespace,
    digest,
    secrets,
    addons: [...new Set([...graph.addons, ...app.derivedAddons])].sort(),
    stateful: [...graph.stateful].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`)),
    hosts: [...graph.hosts].sort(),
    meshed: app.meshed,
    ...(graph.identities.length > 0
      ? { identities: [...graph.identities].sort((a, b) => a.serviceAccount.localeCompare(b.serviceAccount)) }
      : {}),
    ...(graph.backups.length > 0
      ? { backups: [...graph.backups].sort((a, b) => a.database.localeCompare(b.database)) }
      : {}),
    gatewayHttpsHosts: [...graph.gatewayHttpsHosts].sort(),
    ...(graph.gatewayHttpHosts.length > 0 ? { gatewayHttpHosts: [...graph.gatewayHttpHosts].sort() } : {}),
  };
}
