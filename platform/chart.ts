/**
 * `PlatformChart`: one app, in one namespace, and the registry its constructs report to (workloads, dependency
 * edges, Secrets, add-ons, volumes, hosts), from which NetworkPolicies and `charts-out/index.json` are derived.
 */
import { Chart, JsonPatch } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import type {
  Addon,
  AppEntry,
  BackupRequirement,
  SecretRequirement,
  StatefulObject,
  WorkloadIdentityRequirement,
} from './contract';
import { ACME_SOLVER_PORT } from './contract';
import { ADDON_NAMESPACES, LINKERD_INJECT_ANNOTATION } from './contract';
import type { GraphEdge, GraphNode, SecretKeyRef } from './core/graph';
import { LABEL, MANAGED_BY } from './core/names';
import type { Resources } from './core/resources';
import { assertUniqueObjectNames } from './core/unique-names';
import type { PropKeys } from './core/known-props';
import { PropValidator, constructPath } from './core/validate';
import { podSecurityLabels } from './core/security';
import type { MeshInjection, ProxyResources } from './mesh/linkerd';
import { resolveAppMesh } from './mesh/linkerd';
import type { MeshCaller } from './mesh/policy';
import {
  DEFAULT_INBOUND_POLICY,
  LINKERD_DEFAULT_INBOUND_POLICY_ANNOTATION,
  addMeshNamespacePolicy,
  addWorkloadAuthorization,
} from './mesh/policy';
import type { EgressRule } from './networking/egress';
import type { IngressSource } from './networking/network-policies';
import { addAcmeSolverPolicy, addNamespacePolicies, addWorkloadPolicy } from './networking/network-policies';
import type { AlertThresholds, ResolvedAlertThresholds } from './observability/alerts';
import { addAppAlerts, resolveAlertThresholds } from './observability/alerts';
import { addAppDashboard } from './observability/dashboards';
import { addMonitor } from './observability/monitors';
import type { HttpMetricNames, ResolvedHttpMetrics } from './observability/signals';
import { resolveHttpMetrics } from './observability/signals';

/**
 * Workloads per PrometheusRule and per dashboard ConfigMap: a larger app gets several of each (`<app>-alerts-2`,
 * `<app>-dashboard-2`, ...), each well under the API server's object size limit.
 */
export const OBSERVED_WORKLOADS_PER_OBJECT = 40;

/**
 * Namespaces an app may not use: the cluster's own and the add-ons'. An app namespace gets `enforce: restricted`
 * and a default-deny NetworkPolicy, which would break what already runs there.
 */
export const RESERVED_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  ...new Set(Object.values(ADDON_NAMESPACES)),
];

/** App namespaces already taken, per cdk8s app (the root construct): one namespace per app. */
const takenNamespaces = new WeakMap<IConstruct, Map<string, string>>();

/** Properties of a {@link PlatformChart}. */
export interface PlatformChartProps {
  /**
   * Namespace of every object of the app.
   * @default the chart id (the app name)
   */
  readonly namespace?: string;
  /**
   * Service mesh for every workload of the app. `'linkerd'` switches on proxy injection (see `meshInjection`) and
   * records the `linkerd` and `linkerd-viz` add-ons (golden metrics per workload); a workload can still opt out.
   * @default 'none'
   */
  readonly mesh?: 'linkerd' | 'none';
  /**
   * Where Linkerd injection is switched on: `'namespace'` annotates the app namespace, `'workload'` annotates the
   * pod template of each meshed workload instead and leaves the namespace plain. Only with `mesh: 'linkerd'`.
   * @default 'namespace'
   */
  readonly meshInjection?: MeshInjection;
  /**
   * Linkerd proxy requests and limits of every meshed pod; a workload's `mesh.proxy` overrides them. Only with
   * `mesh: 'linkerd'`.
   * @default cpu 100m/1, memory 20Mi/250Mi (`DEFAULT_PROXY_RESOURCES`)
   */
  readonly meshProxy?: ProxyResources;
  /**
   * Where the app's logs go. `'loki'` records the `loki` add-on, whose Alloy DaemonSet tails the stdout and
   * stderr of every container through the Kubernetes API (no network path from the app is opened) and labels
   * each line with its namespace, pod, container and `app` (the workload name), for Grafana.
   * @default 'none' (logs stay in `kubectl logs`)
   */
  readonly logs?: 'loki' | 'none';
  /**
   * Golden-signal alerts: a PrometheusRule `<app>-alerts` with a rule group per workload (error rate and p99
   * latency of services, CPU and memory saturation and restarts of every container, databases down), with these
   * thresholds; `false` for none. Records the `prometheus` add-on.
   * @default DEFAULT_ALERT_THRESHOLDS: 5% errors, p99 500 ms, 90% of the CPU or memory limit, 3 restarts an hour
   */
  readonly alerts?: AlertThresholds | false;
  /**
   * A Grafana dashboard with a row per workload (request rate, success rate, latency percentiles, database
   * panels, saturation): the ConfigMap `<app>-dashboard`, loaded by the Grafana sidecar into the folder `<app>`.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Names of the services' own HTTP metrics, which the alerts and the dashboard read for services that Linkerd
   * does not mesh (meshed ones are measured by their proxies).
   * @default podinfo's: `http_requests_total` by `status`, `http_request_duration_seconds` (DEFAULT_HTTP_METRICS)
   */
  readonly httpMetrics?: HttpMetricNames;
  /**
   * Extra labels on every object.
   * @default none
   */
  readonly labels?: Record<string, string>;
}

const PLATFORM_CHART_PROP_KEYS: PropKeys<PlatformChartProps> = {
  namespace: true,
  mesh: true,
  meshInjection: true,
  meshProxy: true,
  logs: true,
  alerts: true,
  dashboard: true,
  httpMetrics: true,
  labels: true,
};

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

  private readonly secretRequirements = new Map<
    string,
    { keys: Set<string>; generate: boolean; description: string }
  >();
  private readonly addonSet = new Set<Addon>();
  private readonly statefulObjects: StatefulObject[] = [];
  private readonly hostSet = new Set<string>();
  private readonly identities: WorkloadIdentityRequirement[] = [];
  private readonly backups: BackupRequirement[] = [];
  private readonly gatewayHttpsHostSet = new Set<string>();
  private readonly gatewayHttpHostSet = new Set<string>();
  private readonly acmeSolverSources = new Set<string>();
  private readonly nodes: GraphNode[] = [];
  private readonly nodeScopes = new Map<GraphNode, Construct>();
  private finalized = false;
  private readonly edgeList: GraphEdge[] = [];
  private readonly ingressSources = new Map<GraphNode, IngressSource[]>();
  private readonly externalEgress = new Map<GraphNode, Map<string, EgressRule>>();
  private readonly observability: {
    alerts?: ResolvedAlertThresholds;
    dashboard: boolean;
    httpMetrics: ResolvedHttpMetrics;
  };

  constructor(scope: Construct, id: string, props: PlatformChartProps = {}) {
    const v = new PropValidator(constructPath(scope, id));
    v.knownProps('', props, PLATFORM_CHART_PROP_KEYS, 'PlatformChart');
    v.id(id);
    const namespace = v.dnsLabel('namespace', props.namespace ?? id);
    if (RESERVED_NAMESPACES.includes(namespace)) {
      v.fail(
        'namespace',
        `${JSON.stringify(namespace)} is reserved for the cluster or a platform add-on`,
        'give the app a namespace of its own (the default is the app name)',
      );
    }
    const taken = takenNamespaces.get(scope.node.root) ?? new Map<string, string>();
    const owner = taken.get(namespace);
    if (owner !== undefined) {
      v.fail(
        'namespace',
        `${JSON.stringify(namespace)} is already the namespace of app ${owner}`,
        'give each app its own namespace (one namespace per app: each gets its own Namespace and default-deny policy)',
      );
    }
    for (const [key, value] of Object.entries(props.labels ?? {})) {
      v.metadataKey(`labels.${key}`, key, 'label');
      v.labelValue(`labels.${key}`, value);
    }
    if (props.logs !== undefined && props.logs !== 'loki' && props.logs !== 'none')
      v.fail('logs', `${JSON.stringify(props.logs)} is not a log backend`, 'use "loki" or "none"');
    const mesh = resolveAppMesh(v, props);
    if (props.dashboard !== undefined && typeof props.dashboard !== 'boolean')
      v.fail('dashboard', `${JSON.stringify(props.dashboard)} is not a boolean`, 'use true or false');
    const observability = {
      alerts: resolveAlertThresholds(v, props.alerts),
      dashboard: props.dashboard ?? true,
      httpMetrics: resolveHttpMetrics(v, props.httpMetrics),
    };
    const labels = { [LABEL.partOf]: id, [LABEL.managedBy]: MANAGED_BY, ...props.labels };
    super(scope, id, { namespace, labels, disableResourceNameHashes: true });
    taken.set(namespace, id);
    takenNamespaces.set(scope.node.root, taken);
    this.appName = id;
    this.observability = observability;
    this.meshed = mesh.meshed;
    this.meshInjection = mesh.injection;
    this.meshProxy = mesh.proxy;
    if (this.meshed) this.addons('linkerd', 'linkerd-viz');
    if (props.logs === 'loki') this.addons('loki');

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
  }

  /**
   * Renders the chart, after checking that no two objects share kind, namespace and name. The first call first
   * adds the objects that depend on the whole graph and that cdk8s cannot leave to a lazy value because their
   * number depends on it: the Linkerd authorizations of meshed workloads (one per called port).
   */
  override toJson(): ReturnType<Chart['toJson']> {
    if (!this.finalized) {
      this.finalized = true;
      // Edges grouped by server once, so that a large meshed app synthesizes in linear time.
      const callers = new Map<GraphNode, GraphEdge[]>();
      for (const e of this.edgeList) {
        const list = callers.get(e.to);
        if (list) list.push(e);
        else callers.set(e.to, [e]);
      }
      for (const node of this.nodes.filter((n) => n.meshed)) {
        const scope = this.nodeScopes.get(node) as Construct;
        const unmeshed = this.ingressSourcesOf(node).flatMap((s) => (s.identity ? [] : [s.port]));
        addWorkloadAuthorization(scope, node, this.meshCallers(node, callers.get(node) ?? []), unmeshed);
      }
    }
    assertUniqueObjectNames(this);
    return super.toJson();
  }

  /** Who calls a meshed workload, by identity: its meshed clients in the graph and the routes' ingress proxies. */
  private meshCallers(node: GraphNode, edges: readonly GraphEdge[]): MeshCaller[] {
    const namespace = this.namespace as string;
    const fromGraph = edges
      .filter((e) => e.from.meshed)
      .flatMap((e) => e.ports.map((p) => ({ identity: { serviceAccount: e.from.name, namespace }, port: p.port })));
    const fromIngress = (this.ingressSources.get(node) ?? []).flatMap((s) =>
      s.identity ? [{ identity: s.identity, port: s.port }] : [],
    );
    // A quorum's pods call each other on its peer ports, as their own identity.
    const fromPeers = (node.peerPorts ?? []).map((p) => ({
      identity: { serviceAccount: node.name, namespace },
      port: p.port,
    }));
    return [...fromGraph, ...fromIngress, ...fromPeers];
  }

  /** Whether the app declares Secret `name` with `key` (see {@link PlatformChart.requireSecret}). */
  declaresSecret(name: string, key: string): boolean {
    return this.secretRequirements.get(name)?.keys.has(key) ?? false;
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
    const existing = this.secretRequirements.get(name);
    if (existing && existing.generate !== options.generate) {
      new PropValidator(this.node.path).fail(
        `requireSecret(${JSON.stringify(name)})`,
        'is declared both as generated and as supplied by config',
        'give the generated and the supplied keys two Secrets of their own',
      );
    }
    const entry = existing ?? { keys: new Set<string>(), ...options };
    keys.forEach((k) => entry.keys.add(k));
    this.secretRequirements.set(name, entry);
    return Object.fromEntries(keys.map((key) => [key, { secret: name, key }]));
  }

  /** Whether Linkerd injection is switched on for the whole namespace (`index.json`'s `meshed`). */
  get namespaceInjected(): boolean {
    return this.meshed && this.meshInjection === 'namespace';
  }

  /** Records add-ons the app needs installed (CRDs, controllers). */
  addons(...addons: Addon[]): void {
    addons.forEach((a) => this.addonSet.add(a));
  }

  /** Records an object that owns persistent data, for deletion protection at deploy time. */
  addStateful(object: StatefulObject): void {
    this.statefulObjects.push(object);
  }

  /** Records a ServiceAccount that acts as a cloud identity (bound at deploy time). */
  addIdentity(requirement: WorkloadIdentityRequirement): void {
    this.identities.push(requirement);
  }

  /** Records a database's scheduled backup (in `index.json`, for the Pulumi side's bucket and identity). */
  addBackup(requirement: BackupRequirement): void {
    this.backups.push(requirement);
  }

  /** Records a host the app serves through an ingress. */
  addHost(host: string): void {
    this.hostSet.add(host);
  }

  /** Hosts served over HTTPS by the app's `gateway` routes, in the order recorded. */
  get gatewayHttpsHosts(): readonly string[] {
    return [...this.gatewayHttpsHostSet];
  }

  /** Records a host served over HTTPS by a `gateway` route (the platform Gateway needs a listener for it). */
  addGatewayHttpsHost(host: string): void {
    this.gatewayHttpsHostSet.add(host);
    this.addons('cert-manager');
  }

  /** Hosts served over plain HTTP (`tls.disabled`) by the app's `gateway` routes, in the order recorded. */
  get gatewayHttpHosts(): readonly string[] {
    return [...this.gatewayHttpHostSet];
  }

  /** Records a host served over plain HTTP by a `gateway` route (the platform Gateway needs a listener for it). */
  addGatewayHttpHost(host: string): void {
    this.gatewayHttpHostSet.add(host);
  }

  /**
   * Admits an ingress controller to the namespace's ACME HTTP-01 solver pods, which cert-manager starts there for
   * the certificates of the app's Ingresses and HTTPProxies; the NetworkPolicy is created with the first call.
   */
  admitAcmeSolver(controllerNamespace: string): void {
    if (this.acmeSolverSources.size === 0) {
      addAcmeSolverPolicy(this, () => [...this.acmeSolverSources].sort(), ACME_SOLVER_PORT);
    }
    this.acmeSolverSources.add(controllerNamespace);
    this.addons('cert-manager');
  }

  /**
   * Registers a workload in the app graph.
   * @param scope the workload construct, under which per-workload policies and monitors are created
   */
  addNode(node: GraphNode, scope: Construct): void {
    this.nodes.push(node);
    this.nodeScopes.set(node, scope);
    addWorkloadPolicy(scope, node, {
      edges: () => this.edgeList,
      ingressSources: (n) => this.ingressSourcesOf(n),
      externalEgress: (n) => this.egressRulesOf(n),
    });
    if (addMonitor(scope, node, { ...this.labels, [LABEL.name]: node.name })) this.addons('prometheus');
    this.observe();
  }

  /**
   * Records the add-on the alerts and dashboard need, and creates both objects with the app's first workload (an
   * app without workloads gets neither); their content is computed from all workloads at synth time.
   */
  private observe(): void {
    const { alerts, dashboard, httpMetrics } = this.observability;
    if (!alerts && !dashboard) return;
    // A meshed app also records linkerd-viz, which brings the proxies' scrape job the request signals read.
    this.addons('prometheus');
    // Every OBSERVED_WORKLOADS_PER_OBJECT workloads start a new PrometheusRule and dashboard, so that neither
    // outgrows what the API server stores in one object (about 10 kB of dashboard per workload; 1 MiB at most).
    const first = this.nodes.length - 1;
    if (first % OBSERVED_WORKLOADS_PER_OBJECT !== 0) return;
    const part = first / OBSERVED_WORKLOADS_PER_OBJECT + 1;
    const nodes = () => this.nodes.slice(first, first + OBSERVED_WORKLOADS_PER_OBJECT);
    // Upper-case ids: workload ids are DNS labels, so these never collide with one.
    const suffix = part === 1 ? '' : String(part);
    const app = { app: this.appName, namespace: this.namespace as string, httpMetrics, nodes, part };
    if (alerts) addAppAlerts(this, `Alerts${suffix}`, { ...app, thresholds: alerts });
    if (dashboard) addAppDashboard(this, `Dashboard${suffix}`, app);
  }

  /** Admits an ingress controller to a workload's port (recorded by routes; read by its NetworkPolicy). */
  admitIngress(node: GraphNode, source: IngressSource): void {
    const sources = this.ingressSources.get(node) ?? [];
    if (!sources.some((s) => s.namespace === source.namespace && s.port === source.port)) sources.push(source);
    this.ingressSources.set(node, sources);
  }

  /**
   * Allows a workload egress outside the app graph (recorded by `Workload.allowEgress`; read by its
   * NetworkPolicy). The same rule twice is recorded once.
   */
  allowEgress(node: GraphNode, rule: EgressRule): void {
    const rules = this.externalEgress.get(node) ?? new Map<string, EgressRule>();
    rules.set(JSON.stringify(rule), rule);
    this.externalEgress.set(node, rules);
  }

  /** Records a dependency edge. */
  addEdge(edge: GraphEdge): void {
    this.edgeList.push(edge);
  }

  /** Workloads in creation order. */
  get graphNodes(): readonly GraphNode[] {
    return this.nodes;
  }

  /** Dependency edges in declaration order. */
  get graphEdges(): readonly GraphEdge[] {
    return this.edgeList;
  }

  /** The ingress controllers admitted to a workload's ports (recorded by its routes). */
  ingressSourcesOf(node: GraphNode): readonly IngressSource[] {
    return this.ingressSources.get(node) ?? [];
  }

  /** A workload's egress outside the app graph (recorded by `Workload.allowEgress`). */
  egressRulesOf(node: GraphNode): readonly EgressRule[] {
    return [...(this.externalEgress.get(node)?.values() ?? [])];
  }

  /** The app's `charts-out/index.json` entry. */
  indexEntry(file: string, digest: string): AppEntry {
    const secrets: SecretRequirement[] = [...this.secretRequirements.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, s]) => ({ name, keys: [...s.keys].sort(), generate: s.generate, description: s.description }));
    return {
      name: this.appName,
      file,
      namespace: this.namespace as string,
      digest,
      secrets,
      addons: [...this.addonSet].sort(),
      stateful: [...this.statefulObjects].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`)),
      hosts: [...this.hostSet].sort(),
      meshed: this.namespaceInjected,
      ...(this.identities.length > 0
        ? { identities: [...this.identities].sort((a, b) => a.serviceAccount.localeCompare(b.serviceAccount)) }
        : {}),
      ...(this.backups.length > 0
        ? { backups: [...this.backups].sort((a, b) => a.database.localeCompare(b.database)) }
        : {}),
      gatewayHttpsHosts: [...this.gatewayHttpsHostSet].sort(),
      ...(this.gatewayHttpHostSet.size > 0 ? { gatewayHttpHosts: [...this.gatewayHttpHostSet].sort() } : {}),
    };
  }
}
