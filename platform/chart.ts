/**
 * `PlatformChart`: one app, in one namespace. Its constructs record into its app graph (`core/app-graph.ts`);
 * each area derives its objects from the finished graph when the chart renders, and `index.json`'s entry too.
 */
import { Chart, JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import type { PlatformChartProps } from './chart-props';
import { resolveChartProps } from './chart-props';
import type { Addon, AppEntry, BackupRequirement, StatefulObject, WorkloadIdentityRequirement } from './contract';
import { ACME_SOLVER_PORT, LINKERD_INJECT_ANNOTATION } from './contract';
import type { IngressSource } from './core/app-graph';
import { AppGraph } from './core/app-graph';
import { AppRegistry } from './core/app-registry';
import { deriveIndexEntry } from './core/app-index';
import type { EgressRule, GraphEdge, GraphNode, SecretKeyRef } from './core/graph';
import { LABEL } from './core/names';
import type { Resources } from './core/resources';
import { assertUniqueObjectNames } from './core/unique-names';
import { PropValidator } from './core/validate';
import { podSecurityLabels } from './core/security';
import { meshCallers, unmeshedPorts } from './mesh/authorization-derivation';
import type { MeshInjection } from './mesh/linkerd';
import {
  DEFAULT_INBOUND_POLICY,
  LINKERD_DEFAULT_INBOUND_POLICY_ANNOTATION,
  addMeshNamespacePolicy,
  addWorkloadAuthorization,
} from './mesh/policy';
import { addAcmeSolverPolicy, addNamespacePolicies, addWorkloadPolicy } from './networking/network-policies';
import type { AppObservability } from './observability/app-observability';
import { addAppObservability, observabilityAddons } from './observability/app-observability';
import { addMonitor } from './observability/monitors';

export { OBSERVED_WORKLOADS_PER_OBJECT } from './observability/app-observability';
export { RESERVED_NAMESPACES } from './chart-props';
export type { PlatformChartProps } from './chart-props';

/**
 * A fresh construct for the objects derived for `parent`, after its own children (the previous render's, if any,
 * removed). Upper-case id: the ids of an app's own constructs are DNS labels, so it never collides with one.
 */
function derivedScope(parent: Construct): Construct {
  parent.node.tryRemoveChild('Derived');
  return new Construct(parent, 'Derived');
}

/**
 * One app: a cdk8s chart whose objects all live in one namespace (created here too, so the YAML applies alone),
 * with Pod Security Standards enforced on that namespace.
 */
export class PlatformChart extends Chart {
  /** Find the {@link PlatformChart} a construct belongs to. */
  static override of(construct: IConstruct): PlatformChart {
    const chart: Chart = Chart.of(construct);
    if (!(chart instanceof PlatformChart)) {
      throw new Error(`${construct.node.path}: platform constructs must be created inside a PlatformChart`);
    }
    return chart as PlatformChart;
  }

  /** App name (the chart id). */
  readonly appName: string;
  /** Whether the app is meshed by Linkerd. */
  readonly meshed: boolean;
  /** Where Linkerd injection is switched on (when meshed). */
  readonly meshInjection: MeshInjection;
  /** Proxy resources of the app's meshed pods, unless a workload overrides them. */
  readonly meshProxy: Resources;

  /** What the app's constructs record; every derived object is rendered from it at each `toJson`. */
  private readonly graph = new AppGraph();
  /** The construct of each recorded workload or job, under which its derived objects are created. */
  private readonly scopes = new Map<GraphNode, Construct>();
  /** Where the namespace-level derived objects go: after the Namespace and its default policies. */
  private readonly namespaceScope: Construct;
  private readonly observability: AppObservability;

  constructor(scope: Construct, id: string, props: PlatformChartProps = {}) {
    const { namespace, labels, mesh, observability, logs } = resolveChartProps(scope, id, props);
    super(scope, id, { namespace, labels, disableResourceNameHashes: true });
    // One namespace per app, across the charts of one cdk8s app (checked by resolveChartProps).
    AppRegistry.of(scope).namespaces.set(namespace, id);
    this.appName = id;
    this.observability = observability;
    this.meshed = mesh.meshed;
    this.meshInjection = mesh.injection;
    this.meshProxy = mesh.proxy;
    if (this.meshed) this.addons('linkerd', 'linkerd-viz');
    if (logs === 'loki') this.addons('loki');

    const ns = new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: namespace,
        // Meshed pods too: the platform installs the Linkerd CNI plugin, so no proxy-init needs NET_ADMIN.
        labels: podSecurityLabels('restricted'),
        ...(this.meshed
          ? {
              annotations: {
                ...(this.namespaceInjected ? { [LINKERD_INJECT_ANNOTATION]: 'enabled' } : {}),
                // Only what the AuthorizationPolicies derived from the graph admit reaches a meshed pod.
                [LINKERD_DEFAULT_INBOUND_POLICY_ANNOTATION]: DEFAULT_INBOUND_POLICY,
              },
            }
          : {}),
      },
    });
    ns.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    addNamespacePolicies(this, this.meshed);
    if (this.meshed) addMeshNamespacePolicy(this);
    // Upper-case id, like derivedScope's.
    this.namespaceScope = new Construct(this, 'NamespaceDerived');
  }

  /**
   * Renders the chart, after deriving from the app graph every object that depends on the whole graph, and
   * checking that no two objects share kind, namespace and name. Each derived object follows the objects it
   * belongs to: the ACME solver policy the namespace's own objects; a workload's NetworkPolicy, monitor and Linkerd
   * Servers and authorizations the workload's own objects; the app's alerts and dashboards everything else. A
   * later render derives them again, from the graph as it is then.
   */
  override toJson(): ReturnType<Chart['toJson']> {
    this.derive();
    assertUniqueObjectNames(this);
    return super.toJson();
  }

  private derive(): void {
    const graph = this.graph;
    const namespace = this.namespace as string;
    for (const child of this.namespaceScope.node.children) this.namespaceScope.node.tryRemoveChild(child.node.id);
    if (graph.acmeSolverSources.length > 0) {
      addAcmeSolverPolicy(this.namespaceScope, graph.acmeSolverSources, ACME_SOLVER_PORT);
    }
    for (const node of graph.nodes) {
      const scope = derivedScope(this.scopes.get(node) as Construct);
      addWorkloadPolicy(scope, node, graph);
      addMonitor(scope, node, { ...this.labels, [LABEL.name]: node.name });
      if (node.meshed) {
        addWorkloadAuthorization(scope, node, meshCallers(graph, node, namespace), unmeshedPorts(graph, node));
      }
    }
    for (const job of graph.jobs) addWorkloadPolicy(derivedScope(this.scopes.get(job) as Construct), job, graph);
    addAppObservability(derivedScope(this), { name: this.appName, namespace }, graph.nodes, this.observability);
  }

  /** Whether the app declares Secret `name` with `key` (see {@link PlatformChart.requireSecret}). */
  declaresSecret(name: string, key: string): boolean {
    return this.graph.secrets.get(name)?.keys.has(key) ?? false;
  }

  /**
   * Declares a Secret the app's manifests read, to be created at deploy time (never synthesized). Declaring the
   * same Secret twice merges the keys.
   * @returns one reference per key, for `secretKeyRef` env vars
   */
  requireSecret(
    name: string,
    keys: readonly string[],
    options: { generate: boolean; description: string },
  ): Record<string, SecretKeyRef> {
    if (!this.graph.recordSecret(name, keys, options)) {
      new PropValidator(this.node.path).fail(
        `requireSecret(${JSON.stringify(name)})`,
        'is declared both as generated and as supplied by config',
        'give the generated and the supplied keys two Secrets of their own',
      );
    }
    return Object.fromEntries(keys.map((key) => [key, { secret: name, key }]));
  }

  /** Whether Linkerd injection is switched on for the whole namespace (`index.json`'s `meshed`). */
  get namespaceInjected(): boolean {
    return this.meshed && this.meshInjection === 'namespace';
  }

  /** Records add-ons the app needs installed (CRDs, controllers). */
  addons(...addons: Addon[]): void {
    this.graph.recordAddons(...addons);
  }

  /** Records an object that owns persistent data, for deletion protection at deploy time. */
  addStateful(object: StatefulObject): void {
    this.graph.recordStateful(object);
  }

  /** Records a ServiceAccount that acts as a cloud identity (bound at deploy time). */
  addIdentity(requirement: WorkloadIdentityRequirement): void {
    this.graph.recordIdentity(requirement);
  }

  /** Records a database's scheduled backup (in `index.json`, for the Pulumi side's bucket and identity). */
  addBackup(requirement: BackupRequirement): void {
    this.graph.recordBackup(requirement);
  }

  /** Records a host the app serves through an ingress. */
  addHost(host: string): void {
    this.graph.recordHost(host);
  }

  /** Hosts served over HTTPS by the app's `gateway` routes, in the order recorded. */
  get gatewayHttpsHosts(): readonly string[] {
    return this.graph.gatewayHttpsHosts;
  }

  /** Records a host served over HTTPS by a `gateway` route (the platform Gateway needs a listener for it). */
  addGatewayHttpsHost(host: string): void {
    this.graph.recordGatewayHost(host, true);
    this.addons('cert-manager');
  }

  /** Hosts served over plain HTTP (`tls.disabled`) by the app's `gateway` routes, in the order recorded. */
  get gatewayHttpHosts(): readonly string[] {
    return this.graph.gatewayHttpHosts;
  }

  /** Records a host served over plain HTTP by a `gateway` route (the platform Gateway needs a listener for it). */
  addGatewayHttpHost(host: string): void {
    this.graph.recordGatewayHost(host, false);
  }

  /**
   * Admits an ingress controller to the namespace's ACME HTTP-01 solver pods, which cert-manager starts there for
   * the certificates of the app's Ingresses and HTTPProxies (one NetworkPolicy, derived at synth).
   */
  admitAcmeSolver(controllerNamespace: string): void {
    this.graph.recordAcmeSolverSource(controllerNamespace);
    this.addons('cert-manager');
  }

  /**
   * Records a workload in the app graph; its NetworkPolicy, monitor, Linkerd authorizations, alerts and dashboard
   * row are derived at synth.
   * @param scope the workload construct, under which its derived objects are created
   */
  addNode(node: GraphNode, scope: Construct): void {
    this.graph.recordNode(node);
    this.scopes.set(node, scope);
  }

  /**
   * Records pods that are not a workload of the graph (a database's backup CronJob): only their NetworkPolicy is
   * derived, at synth.
   * @param scope the construct under which the NetworkPolicy is created
   */
  addJob(node: GraphNode, scope: Construct): void {
    this.graph.recordJob(node);
    this.scopes.set(node, scope);
  }

  /** Admits an ingress controller to a workload's port (recorded by routes; read by its NetworkPolicy). */
  admitIngress(node: GraphNode, source: IngressSource): void {
    this.graph.recordIngress(node, source);
  }

  /**
   * Allows a workload egress outside the app graph (recorded by `Workload.allowEgress`; read by its
   * NetworkPolicy). The same rule twice is recorded once.
   */
  allowEgress(node: GraphNode, rule: EgressRule): void {
    this.graph.recordEgress(node, rule);
  }

  /** Records a dependency edge. */
  addEdge(edge: GraphEdge): void {
    this.graph.recordEdge(edge);
  }

  /** Workloads in creation order. */
  get graphNodes(): readonly GraphNode[] {
    return this.graph.nodes;
  }

  /** Dependency edges in declaration order. */
  get graphEdges(): readonly GraphEdge[] {
    return this.graph.edges;
  }

  /** The ingress controllers admitted to a workload's ports (recorded by its routes). */
  ingressSourcesOf(node: GraphNode): readonly IngressSource[] {
    return this.graph.ingressSourcesOf(node);
  }

  /** A workload's egress outside the app graph (recorded by `Workload.allowEgress`). */
  egressRulesOf(node: GraphNode): readonly EgressRule[] {
    return this.graph.egressRulesOf(node);
  }

  /** The app's `charts-out/index.json` entry, derived from the graph. */
  indexEntry(file: string, digest: string): AppEntry {
    return deriveIndexEntry(
      this.graph,
      {
        name: this.appName,
        namespace: this.namespace as string,
        meshed: this.namespaceInjected,
        derivedAddons: observabilityAddons(this.graph.nodes, this.observability),
      },
      file,
      digest,
    );
  }
}
