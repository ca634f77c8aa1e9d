/**
 * The app graph: what an app's constructs record as they are built (workloads, dependency edges, ingress sources,
 * egress, Secrets, add-ons, stateful objects, hosts, identities, backups). Plain data, no cdk8s object: every
 * object that depends on the whole graph (NetworkPolicies, monitors, Linkerd authorizations, alerts, dashboard,
 * the `index.json` entry) is derived from it once, at synth, by its area (see `PlatformChart.toJson`).
 */
import type { Addon, BackupRequirement, MeshIdentity, StatefulObject, WorkloadIdentityRequirement } from '../contract';
import type { EgressRule, GraphEdge, GraphNode } from './graph';

/** An ingress controller admitted to a workload's port. */
export interface IngressSource {
  /** Namespace of the controller's pods. */
  readonly namespace: string;
  /** The workload port it forwards to. */
  readonly port: number;
  /** The controller's Linkerd identity, by which meshed workloads authorize it. */
  readonly identity?: MeshIdentity;
}

/** A Secret the app reads, created at deploy time: its keys so far, and how it is made. */
export interface SecretDeclaration {
  /** Keys the app reads, in the order declared. */
  readonly keys: ReadonlySet<string>;
  /** Whether the deploy generates it (else config supplies it). */
  readonly generate: boolean;
  /** What it holds, for whoever supplies it. */
  readonly description: string;
}

/** What the NetworkPolicy derivation reads of the graph (one node's edges and admitted sources). */
export interface PolicyGraph {
  /** Edges into `node` (its clients), in declaration order. */
  edgesTo(node: GraphNode): readonly GraphEdge[];
  /** Edges out of `node` (its dependencies), in declaration order. */
  edgesFrom(node: GraphNode): readonly GraphEdge[];
  /** The ingress controllers admitted to `node`'s ports. */
  ingressSourcesOf(node: GraphNode): readonly IngressSource[];
  /** `node`'s egress outside the app graph. */
  egressRulesOf(node: GraphNode): readonly EgressRule[];
}

/** Appends `value` to the list at `key`. */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * One app's graph. Constructs only record into it (`record*`); the derivations read it when the app is rendered,
 * and again at every later render (a record between two renders reaches the second).
 */
export class AppGraph implements PolicyGraph {
  private readonly nodeList: GraphNode[] = [];
  private readonly jobList: GraphNode[] = [];
  private readonly edgeList: GraphEdge[] = [];
  private edgeIndex?: { from: Map<GraphNode, GraphEdge[]>; to: Map<GraphNode, GraphEdge[]> };
  private readonly ingress = new Map<GraphNode, IngressSource[]>();
  private readonly egress = new Map<GraphNode, Map<string, EgressRule>>();
  private readonly secretMap = new Map<string, { keys: Set<string>; generate: boolean; description: string }>();
  private readonly addonSet = new Set<Addon>();
  private readonly statefulList: StatefulObject[] = [];
  private readonly hostSet = new Set<string>();
  private readonly identityList: WorkloadIdentityRequirement[] = [];
  private readonly backupList: BackupRequirement[] = [];
  private readonly gatewayHttpsHostSet = new Set<string>();
  private readonly gatewayHttpHostSet = new Set<string>();
  private readonly acmeSolverSet = new Set<string>();

  /** Records a workload (a node of the graph, with its own NetworkPolicy, monitor, alerts and dashboard row). */
  recordNode(node: GraphNode): void {
    this.nodeList.push(node);
  }

  /** Records pods that are not a workload (a database's backup CronJob): they get a NetworkPolicy only. */
  recordJob(node: GraphNode): void {
    this.jobList.push(node);
  }

  /** Records a dependency edge. */
  recordEdge(edge: GraphEdge): void {
    this.edgeList.push(edge);
    this.edgeIndex = undefined;
  }

  /** Admits an ingress controller to a workload's port; the same namespace and port twice is recorded once. */
  recordIngress(node: GraphNode, source: IngressSource): void {
    const sources = this.ingress.get(node) ?? [];
    if (!sources.some((s) => s.namespace === source.namespace && s.port === source.port)) sources.push(source);
    this.ingress.set(node, sources);
  }

  /** Records egress outside the app graph; the same rule twice is recorded once. */
  recordEgress(node: GraphNode, rule: EgressRule): void {
    const rules = this.egress.get(node) ?? new Map<string, EgressRule>();
    rules.set(JSON.stringify(rule), rule);
    this.egress.set(node, rules);
  }

  /**
   * Records a Secret's keys; declaring it again merges the keys.
   * @returns false, recording nothing, when it was declared before with another `generate`
   */
  recordSecret(name: string, keys: readonly string[], options: { generate: boolean; description: string }): boolean {
    const existing = this.secretMap.get(name);
    if (existing && existing.generate !== options.generate) return false;
    const entry = existing ?? { keys: new Set<string>(), ...options };
    keys.forEach((k) => entry.keys.add(k));
    this.secretMap.set(name, entry);
    return true;
  }

  /** Records add-ons the app needs installed. */
  recordAddons(...addons: Addon[]): void {
    addons.forEach((a) => this.addonSet.add(a));
  }

  /** Records an object that owns persistent data. */
  recordStateful(object: StatefulObject): void {
    this.statefulList.push(object);
  }

  /** Records a host the app serves through an ingress. */
  recordHost(host: string): void {
    this.hostSet.add(host);
  }

  /** Records a host of a `gateway` route, served over HTTPS (`tls`) or plain HTTP. */
  recordGatewayHost(host: string, tls: boolean): void {
    (tls ? this.gatewayHttpsHostSet : this.gatewayHttpHostSet).add(host);
  }

  /** Records an ingress controller's namespace, admitted to the namespace's ACME HTTP-01 solver pods. */
  recordAcmeSolverSource(controllerNamespace: string): void {
    this.acmeSolverSet.add(controllerNamespace);
  }

  /** Records a ServiceAccount that acts as a cloud identity. */
  recordIdentity(requirement: WorkloadIdentityRequirement): void {
    this.identityList.push(requirement);
  }

  /** Records a database's scheduled backup. */
  recordBackup(requirement: BackupRequirement): void {
    this.backupList.push(requirement);
  }

  /** Workloads in the order recorded. */
  get nodes(): readonly GraphNode[] {
    return this.nodeList;
  }

  /** Pods that are not workloads (backups), in the order recorded. */
  get jobs(): readonly GraphNode[] {
    return this.jobList;
  }

  /** Dependency edges in declaration order. */
  get edges(): readonly GraphEdge[] {
    return this.edgeList;
  }

  /** Edges grouped by both ends, built once per set of edges (a synth stays linear in the number of workloads). */
  private index(): NonNullable<AppGraph['edgeIndex']> {
    if (!this.edgeIndex) {
      const index = { from: new Map<GraphNode, GraphEdge[]>(), to: new Map<GraphNode, GraphEdge[]>() };
      for (const edge of this.edgeList) {
        push(index.from, edge.from, edge);
        push(index.to, edge.to, edge);
      }
      this.edgeIndex = index;
    }
    return this.edgeIndex;
  }

  edgesTo(node: GraphNode): readonly GraphEdge[] {
    return this.index().to.get(node) ?? [];
  }

  edgesFrom(node: GraphNode): readonly GraphEdge[] {
    return this.index().from.get(node) ?? [];
  }

  ingressSourcesOf(node: GraphNode): readonly IngressSource[] {
    return this.ingress.get(node) ?? [];
  }

  egressRulesOf(node: GraphNode): readonly EgressRule[] {
    return [...(this.egress.get(node)?.values() ?? [])];
  }

  /** Secrets by name, in the order first declared. */
  get secrets(): ReadonlyMap<string, SecretDeclaration> {
    return this.secretMap;
  }

  /** Add-ons recorded by the constructs (the derivations add their own). */
  get addons(): ReadonlySet<Addon> {
    return this.addonSet;
  }

  /** Objects that own persistent data, in the order recorded. */
  get stateful(): readonly StatefulObject[] {
    return this.statefulList;
  }

  /** Hosts served through an ingress, in the order recorded. */
  get hosts(): readonly string[] {
    return [...this.hostSet];
  }

  /** Hosts of `gateway` routes served over HTTPS, in the order recorded. */
  get gatewayHttpsHosts(): readonly string[] {
    return [...this.gatewayHttpsHostSet];
  }

  /** Hosts of `gateway` routes served over plain HTTP, in the order recorded. */
  get gatewayHttpHosts(): readonly string[] {
    return [...this.gatewayHttpHostSet];
  }

  /** Namespaces of the ingress controllers admitted to the ACME HTTP-01 solver pods, in the order recorded. */
  get acmeSolverSources(): readonly string[] {
    return [...this.acmeSolverSet];
  }

  /** ServiceAccounts that act as cloud identities, in the order recorded. */
  get identities(): readonly WorkloadIdentityRequirement[] {
    return this.identityList;
  }

  /** Scheduled database backups, in the order recorded. */
  get backups(): readonly BackupRequirement[] {
    return this.backupList;
  }
}
