/**
 * The edge matrix of an app, planned from its app graph (not from its NetworkPolicies: those are what is tested):
 * which connections must succeed (every declared edge, with a real login for databases; the ingress controller on
 * the routed port; Prometheus on the metrics ports) and which must be refused (a database the workload does not use,
 * a port its callee does not expose to it, another namespace, the node, the cloud metadata address, the Internet
 * unless `allowEgress` opened it). A refusal only proves the policy when something else reached the same target in
 * the same run (its control): a closed port refuses too.
 */
import { App } from 'cdk8s';
import { REFERENCE_APPS } from '../../apps';
import type { AppBuilder } from '../../apps';
import { ADDON_NAMESPACES, PROMETHEUS_POD_LABELS } from '../../platform/contract';
import type { GraphNode } from '../../platform/core/graph';
import type { PlatformChart } from '../../platform';
import type { ManifestObject } from '../../scripts/lib/manifests';

/** Where a probe connects: a Service by DNS name, the first Ready pod of a workload, or a fixed address. */
export type ProbeAddress =
  | { readonly kind: 'service'; readonly host: string }
  | { readonly kind: 'pod'; readonly workload: string }
  | { readonly kind: 'ip'; readonly ip: string };

/** A database login through the env the client's container names (its `<PREFIX>_*` variables). */
export interface Login {
  readonly engine: 'postgres' | 'redis' | 'mongodb';
  readonly prefix: string;
}

/** A connection from a source to an address, and what must happen. */
export interface Probe {
  /** A workload of the app, an identity pod ({@link identities}), or {@link NODE_SOURCE}. */
  readonly source: string;
  /** What is reached, for the report: `db:5432`, `metadata:80`. */
  readonly target: string;
  readonly address: ProbeAddress;
  readonly port: number;
  readonly expect: 'connect' | 'refused';
  /** Why, in words. */
  readonly why: string;
  readonly login?: Login;
}

/** Pods of the test that carry an identity the app's policies name (or none). */
export interface Identity {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Fixed addresses of the network namespace that stand for what lies outside the cluster (test listeners). */
export const OUTSIDE = {
  metadata: { ip: '169.254.169.254', ports: [80] },
  internet: { ip: '203.0.113.10', ports: [80, 443] },
} as const;

/** The source of the probes made from the node itself (the test process), as the kubelet's probes are. */
export const NODE_SOURCE = 'node';

/** The node's kubelet (a real node's InternalIP, see scripts/cluster/real-nodes.ts). */
export const NODE_KUBELET = { ip: '10.242.0.1', port: 10250 } as const;

/** The identity pods: Prometheus, each ingress controller's namespace, and a bystander in a namespace of its own. */
export function identities(): Identity[] {
  return [
    { name: 'prometheus', namespace: ADDON_NAMESPACES.prometheus, labels: PROMETHEUS_POD_LABELS },
    { name: 'ingress-nginx', namespace: ADDON_NAMESPACES['ingress-nginx'], labels: {} },
    { name: 'contour', namespace: ADDON_NAMESPACES.contour, labels: {} },
    { name: 'bystander', namespace: 'edge-matrix-bystander', labels: {} },
  ];
}

/** Builds one app's chart (its graph): a reference app, or one of `builders`. */
export function appChart(name: string, builders: Readonly<Record<string, AppBuilder>> = REFERENCE_APPS): PlatformChart {
  const build = builders[name];
  if (!build) throw new Error(`edge matrix: no app ${name}`);
  return build(new App());
}

/** A container's env, as a manifest has it. */
export type Env = readonly { readonly name: string; readonly value?: string }[];

/** The env of a workload's first container, as charts-out/ has it. */
export function containerEnv(manifests: readonly ManifestObject[], namespace: string, workload: string): Env {
  const object = manifests.find(
    (m) =>
      (m.object.kind === 'Deployment' || m.object.kind === 'StatefulSet') &&
      m.object.metadata.namespace === namespace &&
      m.object.metadata.name === workload,
  )?.object as { spec?: { template?: { spec?: { containers?: { env?: Env }[] } } } } | undefined;
  return object?.spec?.template?.spec?.containers?.[0]?.env ?? [];
}

/** The env prefix by which `env` names `target` (`DATABASE` when `DATABASE_HOST` is the target's Service name). */
function prefixOf(env: Env, host: string): string | undefined {
  return env.find((e) => e.name.endsWith('_HOST') && e.value === host)?.name.replace(/_HOST$/, '');
}

const serviceHost = (node: GraphNode, namespace: string): string => `${node.name}.${namespace}.svc.cluster.local`;

/**
 * The probes of an app: `envOf` gives a workload's main container env (from the manifests), to find the variables a
 * login uses.
 */
export function planEdgeMatrix(chart: PlatformChart, namespace: string, envOf: (workload: string) => Env): Probe[] {
  const nodes = chart.graphNodes;
  const edges = chart.graphEdges;
  const probes: Probe[] = [];
  const databases = nodes.filter((n) => n.engine !== undefined);
  for (const from of nodes) {
    const out = edges.filter((e) => e.from === from);
    for (const edge of out) {
      const to = edge.to;
      const host = serviceHost(to, namespace);
      for (const port of edge.ports) {
        const prefix = prefixOf(envOf(from.name), host);
        // No reference app uses MySQL and no image here has its client: its edges are probed by TCP only.
        const engine = to.engine === 'mysql' ? undefined : to.engine;
        probes.push({
          source: from.name,
          target: `${to.name}:${port.port}`,
          address: { kind: 'service', host },
          port: port.port,
          expect: 'connect',
          why: 'declared edge',
          ...(engine && prefix ? { login: { engine, prefix } } : {}),
        });
      }
      const open = new Set(edge.ports.map((p) => p.port));
      for (const port of [...to.ports, ...to.metricsPorts].filter((p) => !open.has(p.port))) {
        probes.push(refused(from.name, to, port.port, 'a port its callee does not expose to it'));
      }
      for (const port of to.peerPorts ?? []) {
        probes.push(refused(from.name, to, port.port, "a quorum's peer port, open to its own pods only"));
      }
    }
    for (const db of databases.filter((d) => d !== from && !out.some((e) => e.to === d))) {
      const port = db.ports[0];
      if (port) probes.push(refused(from.name, db, port.port, 'a database it does not use'));
    }
    const egress = chart.egressRulesOf(from);
    const internetPorts = new Set(egress.filter((r) => r.to === 'internet').flatMap((r) => r.ports));
    for (const port of OUTSIDE.internet.ports) {
      const opened = internetPorts.has(port);
      probes.push({
        source: from.name,
        target: `internet:${port}`,
        address: { kind: 'ip', ip: OUTSIDE.internet.ip },
        port,
        expect: opened ? 'connect' : 'refused',
        why: opened ? 'allowEgress to the Internet' : 'the Internet, not opened by allowEgress',
      });
    }
    probes.push(
      outside(from.name, 'metadata', OUTSIDE.metadata.ip, OUTSIDE.metadata.ports[0], 'the cloud metadata address'),
      outside(from.name, 'kubelet', NODE_KUBELET.ip, NODE_KUBELET.port, 'the node (its kubelet)'),
      {
        source: from.name,
        target: 'bystander:9898',
        address: { kind: 'pod', workload: 'bystander' },
        port: 9898,
        expect: 'refused',
        why: 'a pod of another namespace',
      },
    );
  }
  for (const node of nodes) {
    const sources = chart.ingressSourcesOf(node);
    for (const id of ['ingress-nginx', 'contour'] as const) {
      const admitted = new Set(sources.filter((s) => s.namespace === ADDON_NAMESPACES[id]).map((s) => s.port));
      for (const port of node.ports) {
        probes.push({
          source: id,
          target: `${node.name}:${port.port}`,
          address: { kind: 'pod', workload: node.name },
          port: port.port,
          expect: admitted.has(port.port) ? 'connect' : 'refused',
          why: admitted.has(port.port) ? 'its ingress controller on the routed port' : 'not routed through it',
        });
      }
    }
    const metrics = new Set(node.metricsPorts.map((p) => p.port));
    for (const port of [...node.metricsPorts, ...node.ports.filter((p) => !metrics.has(p.port))]) {
      const scraped = metrics.has(port.port);
      probes.push({
        source: 'prometheus',
        target: `${node.name}:${port.port}`,
        address: { kind: 'pod', workload: node.name },
        port: port.port,
        expect: scraped ? 'connect' : 'refused',
        why: scraped ? 'Prometheus on the metrics port' : 'Prometheus on a port that is not for metrics',
      });
    }
    for (const port of [...node.ports, ...node.metricsPorts]) {
      probes.push({
        source: NODE_SOURCE,
        target: `${node.name}:${port.port}`,
        address: { kind: 'pod', workload: node.name },
        port: port.port,
        expect: 'connect',
        why: "the node (the kubelet's probes, port-forward)",
      });
    }
    const first = node.ports[0];
    if (first) {
      probes.push({
        source: 'bystander',
        target: `${node.name}:${first.port}`,
        address: { kind: 'pod', workload: node.name },
        port: first.port,
        expect: 'refused',
        why: 'a pod of another namespace',
      });
    }
  }
  // The controls of the outside addresses: an identity pod (no policy selects it) reaches them.
  for (const [name, o] of Object.entries(OUTSIDE)) {
    for (const port of o.ports) {
      probes.push({
        source: 'contour',
        target: `${name}:${port}`,
        address: { kind: 'ip', ip: o.ip },
        port,
        expect: 'connect',
        why: 'control: a pod no policy selects',
      });
    }
  }
  probes.push(
    { ...outside('contour', 'kubelet', NODE_KUBELET.ip, NODE_KUBELET.port, ''), expect: 'connect', why: 'control' },
    {
      source: 'contour',
      target: 'bystander:9898',
      address: { kind: 'pod', workload: 'bystander' },
      port: 9898,
      expect: 'connect',
      why: 'control: a pod no policy selects',
    },
  );
  return probes;
}

function refused(source: string, to: GraphNode, port: number, why: string): Probe {
  return {
    source,
    target: `${to.name}:${port}`,
    address: { kind: 'pod', workload: to.name },
    port,
    expect: 'refused',
    why,
  };
}

function outside(source: string, name: string, ip: string, port: number, why: string): Probe {
  return { source, target: `${name}:${port}`, address: { kind: 'ip', ip }, port, expect: 'refused', why };
}

/** A probe's outcome. */
export interface Observed extends Probe {
  readonly observed: 'connect' | 'refused';
  /** For a refusal: whether another probe reached the same address and port (else it proves nothing). */
  readonly controlled?: boolean;
  /** The login's output when it failed. */
  readonly detail?: string;
}

/**
 * Marks each expected refusal with whether another probe reached the same target (workload and port; through its
 * Service or at a pod of it: the replicas of a workload are alike).
 */
export function withControls(observed: readonly Omit<Observed, 'controlled'>[]): Observed[] {
  const reached = new Set(observed.filter((o) => o.observed === 'connect').map((o) => o.target));
  return observed.map((o) => (o.expect === 'refused' ? { ...o, controlled: reached.has(o.target) } : o));
}

/** The report: one line per probe, then the counts. */
export function formatMatrix(app: string, observed: readonly Observed[]): string {
  const lines = observed.map(
    (o) =>
      `${o.observed === o.expect ? 'ok  ' : 'FAIL'} ${o.source.padEnd(20)} -> ${o.target.padEnd(24)} expected ` +
      `${o.expect.padEnd(8)} observed ${o.observed.padEnd(8)} (${o.why}${o.login ? `, ${o.login.engine} login` : ''}` +
      `${o.controlled === false ? ', UNCONTROLLED' : ''})${o.detail ? ` ${o.detail}` : ''}`,
  );
  const declared = observed.filter((o) => o.expect === 'connect' && o.why === 'declared edge');
  const refusals = observed.filter((o) => o.expect === 'refused');
  const uncontrolled = refusals.filter((o) => o.controlled === false).length;
  return (
    `${app} edge matrix\n${lines.join('\n')}\n` +
    `${app}: declared edges connected ${declared.filter((o) => o.observed === 'connect').length}/${declared.length}, ` +
    `undeclared refused ${refusals.filter((o) => o.observed === 'refused').length}/${refusals.length} ` +
    `(${uncontrolled} without a control)`
  );
}
