/**
 * The base of every workload construct: one pod template with secure defaults, a ServiceAccount, environment
 * (literals, ConfigMaps, Secret references and the connection variables of its dependencies) and its place in
 * the app graph.
 */
import { Lazy } from 'cdk8s';
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { PlatformChart } from '../chart';
import type { ResolvedWorkload } from './workload-props';
import { configMapMounts, configMapVolumes, writableMounts, writableVolumes } from './pod-volumes';
import type { QueueRef } from './message-broker';
import type { GraphNode } from '../core/graph';
import { envPrefix, selectorLabels, workloadLabels } from '../core/names';
import type { ProbeTiming } from '../core/probes';
import { LIVENESS_TIMING, READINESS_TIMING, STARTUP_TIMING, renderProbe } from '../core/probes';
import { renderResources } from '../core/resources';
import { containerSecurityContext, podSecurityContext } from '../core/security';
import type { PropKeys } from '../core/known-props';
import { peerAnnotationsForPodExceptions } from '../core/exceptions';
import { PropValidator } from '../core/validate';
import { linkerdPodAnnotations, opaquePorts } from '../mesh/linkerd';
import type { EgressRule } from '../networking/egress';
import { validateEgressRule } from '../networking/egress';
import { tempoEgress, tracingEnv } from '../observability/tracing';

const CONNECT_OPTIONS_KEYS: PropKeys<ConnectOptions> = { envPrefix: true, ports: true };

const QUEUE_LINK_OPTIONS_KEYS: PropKeys<QueueLinkOptions> = { envPrefix: true };

/** Something a workload can depend on: it has an address and ports, and describes itself as env vars. */
export interface Connectable {
  /** Its place in the app graph. */
  readonly graphNode: GraphNode;
  /** The chart it belongs to. */
  readonly app: PlatformChart;
  /**
   * Environment variables that tell a client how to reach it.
   * @param prefix prefix of every variable name (`BACKEND` gives `BACKEND_HOST`, `BACKEND_PORT`, ...)
   */
  connectionEnv(prefix: string): k8s.EnvVar[];
}

/** Options of {@link Workload.publishesTo} and {@link Workload.consumes}. */
export interface QueueLinkOptions {
  /**
   * Prefix of the variables (`<PREFIX>_URL`, `<PREFIX>_QUEUE`, ...).
   * @default the queue's name in upper case, `-` and `.` as `_` (`user-creations` → `USER_CREATIONS`)
   */
  readonly envPrefix?: string;
}

/** Options of {@link Workload.connectTo}. */
export interface ConnectOptions {
  /**
   * Prefix of the injected environment variables.
   * @default the target's name in upper snake case (`user-db` gives `USER_DB_HOST`, ...)
   */
  readonly envPrefix?: string;
  /**
   * Ports of the target the client uses.
   * @default all the target's client ports (not a dedicated metrics port)
   */
  readonly ports?: readonly number[];
}

/** A workload: the common base of `Service`, `Worker`, `Database` and `LoadGenerator`. */
export abstract class Workload extends Construct {
  /** The app. */
  readonly app: PlatformChart;
  /** Workload name: the name of its Deployment or StatefulSet, Service and ServiceAccount. */
  readonly name: string;
  /** Labels that select its pods. */
  readonly selector: Record<string, string>;
  /** Labels on its objects and pods. */
  readonly labels: Record<string, string>;
  /** Its node in the app graph. */
  readonly graphNode: GraphNode;
  /**
   * Ports Linkerd must not sniff (those with no `appProtocol`: database wire protocols), when the app is meshed:
   * the pod and its Services are annotated with them, since its clients' proxies read the Service's annotation.
   */
  readonly opaquePorts: readonly number[];
  /** The validated props. */
  protected readonly spec: ResolvedWorkload;
  /** The variables of each `connectTo`, in order. */
  protected readonly connectionEnvs: k8s.EnvVar[][] = [];
  private readonly envPrefixes = new Set<string>();
  private readonly extraPodAnnotations: Record<string, string> = {};
  private readonly workloadObjects: ApiObject[] = [];
  private readonly meshAnnotations: Readonly<Record<string, string>>;

  protected constructor(scope: Construct, id: string, spec: ResolvedWorkload) {
    super(scope, id);
    this.app = PlatformChart.of(this);
    this.spec = spec;
    this.name = spec.name;
    this.selector = selectorLabels(this.app.appName, spec.name);
    this.labels = workloadLabels(this.app.appName, spec.name, spec.component);
    this.graphNode = {
      name: spec.name,
      selector: this.selector,
      ports: spec.clientPorts.map(({ name, port }) => ({ name, port })),
      metricsPorts: spec.metricsPorts,
      ...(spec.peerPorts?.length ? { peerPorts: spec.peerPorts } : {}),
      metricsPath: spec.metricsPath,
      customMetrics: spec.customMetrics,
      httpMetrics: spec.httpMetrics,
      meshed: this.app.meshed && spec.mesh,
      opaquePorts: this.app.meshed ? opaquePorts(spec.ports) : [],
      component: spec.component,
      kind: spec.component === 'database' || spec.component === 'broker' ? 'StatefulSet' : 'Deployment',
      hasService: spec.clientPorts.length > 0,
      engine: spec.engine,
      ...(spec.backup ? { backup: spec.backup } : {}),
      ...(spec.broker ? { broker: spec.broker } : {}),
    };
    this.app.addNode(this.graphNode, this);
    this.opaquePorts = this.graphNode.opaquePorts ?? [];
    this.meshAnnotations = this.app.meshed
      ? linkerdPodAnnotations(
          spec.proxy && { injection: this.app.meshInjection, proxy: spec.proxy, opaquePorts: this.opaquePorts },
        )
      : {};
    if (spec.tracing) {
      this.app.allowEgress(this.graphNode, tempoEgress(spec.tracing));
      this.app.addons('tempo');
    }
    if (spec.cloudIdentity) this.app.addIdentity({ serviceAccount: spec.name, identity: spec.cloudIdentity });
    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: spec.name, labels: this.labels },
      automountServiceAccountToken: false,
    });
  }

  /**
   * Declares that this workload calls `target`: injects its address as environment variables
   * (`<PREFIX>_HOST`, `<PREFIX>_PORT`, ...) and records the edge, from which the NetworkPolicies are derived.
   */
  connectTo(target: Connectable, options: ConnectOptions = {}): this {
    this.link(target, options, 'connectTo', false);
    return this;
  }

  /**
   * Declares that this workload publishes to a broker's queue (`broker.queue('orders')`): injects the broker's
   * address, credentials and the queue's name (RabbitMQ: `<PREFIX>_URL`, `<PREFIX>_QUEUE`, ...; Kafka:
   * `<PREFIX>_BOOTSTRAP_SERVERS`, `<PREFIX>_TOPIC`, the SASL settings, and a consumer's `<PREFIX>_GROUP`; the prefix
   * defaults to the queue's name) and records the edge to the broker's client port, from which the NetworkPolicies
   * are derived.
   */
  publishesTo(queue: QueueRef, options: QueueLinkOptions = {}): this {
    this.linkQueue(queue, 'producers', options, 'publishesTo');
    return this;
  }

  /**
   * Declares that this workload consumes a broker's queue: the same variables and edge as
   * {@link Workload.publishesTo}; the queue's alerts and dashboard row name it as a consumer. To scale on the
   * queue's depth, give `replicas: { queue, ... }` instead (which consumes it).
   */
  consumes(queue: QueueRef, options: QueueLinkOptions = {}): this {
    this.linkQueue(queue, 'consumers', options, 'consumes');
    return this;
  }

  /** Links this workload to a queue as producer or consumer; returns the variables' prefix. */
  protected linkQueue(
    queue: QueueRef,
    role: 'producers' | 'consumers',
    options: QueueLinkOptions,
    prop: string,
  ): string {
    const v: PropValidator = new PropValidator(this.node.path);
    const broker = queue?.broker;
    const declared = broker?.graphNode?.broker?.queues.find((q) => q.name === queue?.name);
    if (!declared)
      v.fail(prop, `${String(queue)} is not a queue of a MessageBroker`, 'pass broker.queue("<declared queue>")');
    if (declared[role].includes(this.name))
      v.fail(
        prop,
        `already ${role === 'producers' ? 'publishes to' : 'consumes'} ${JSON.stringify(queue.name)}`,
        `${prop} once per queue`,
      );
    if (typeof options !== 'object' || options === null)
      v.fail(prop, `options ${JSON.stringify(options)} are not an object`, 'pass { envPrefix? }');
    v.knownProps(prop, options, QUEUE_LINK_OPTIONS_KEYS, `${prop} option`);
    const prefix = v.envName(`${prop}.envPrefix`, options.envPrefix ?? envPrefix(queue.name));
    const target: Connectable = {
      app: broker.app,
      graphNode: broker.graphNode,
      connectionEnv: (p) => broker.connectionEnv(p, queue.name, role === 'consumers' ? this.name : undefined),
    };
    this.link(target, { envPrefix: prefix }, prop, true);
    broker.recordClient(queue.name, role, this.name);
    return prefix;
  }

  /** `connectTo` and the queue links: validation, variables and the edge (once per target when `shared`). */
  private link(target: Connectable, options: ConnectOptions, prop: string, shared: boolean): void {
    const v = new PropValidator(this.node.path);
    if (!target?.graphNode || !target.app)
      v.fail(prop, `${String(target)} is not a workload`, 'pass a Service, Database or LoadGenerator of the same app');
    if (target.app !== this.app) {
      v.fail(
        prop,
        `targets ${target.graphNode.name} in app ${target.app.appName}`,
        'connect workloads of the same app; reach other apps through their ingress host',
      );
    }
    if (target.graphNode === this.graphNode) v.fail(prop, 'targets the workload itself', 'connect to another workload');
    if (target.graphNode.meshed && !this.graphNode.meshed) {
      v.fail(
        prop,
        `targets meshed ${target.graphNode.name} from outside the mesh, which Linkerd would refuse`,
        `mesh the caller, or opt ${target.graphNode.name} out of the mesh too (mesh: false)`,
      );
    }
    const connected = this.app.graphEdges.some((e) => e.from === this.graphNode && e.to === target.graphNode);
    if (connected && !shared)
      v.fail(
        prop,
        `already connects to ${target.graphNode.name}`,
        'connect once; to use more of its ports, list them all in that one call (ports: [...])',
      );
    const usable = target.graphNode.ports;
    if (typeof options !== 'object' || options === null)
      v.fail(prop, `options ${JSON.stringify(options)} are not an object`, 'pass { envPrefix?, ports? }');
    v.knownProps(prop, options, CONNECT_OPTIONS_KEYS, `${prop} option`);
    if (options.ports !== undefined && !Array.isArray(options.ports))
      v.fail(`${prop}.ports`, `${JSON.stringify(options.ports)} is not a list`, 'list the ports, e.g. [9898]');
    const ports = options.ports
      ? options.ports.map(
          (port) =>
            usable.find((p) => p.port === port) ??
            v.fail(
              `${prop}.ports`,
              `${port} is not a port of ${target.graphNode.name}`,
              `use one of ${usable.map((p) => p.port).join(', ')}`,
            ),
        )
      : usable;
    if (ports.length === 0)
      v.fail(prop, `target ${target.graphNode.name} has no port`, 'connect to a Service or Database');
    const prefix = v.envName(`${prop}.envPrefix`, options.envPrefix ?? envPrefix(target.graphNode.name));
    if (this.envPrefixes.has(prefix))
      v.fail(
        `${prop}.envPrefix`,
        `${JSON.stringify(prefix)} is already used by another dependency`,
        'give this connection a distinct envPrefix',
      );
    const connectionEnv = target.connectionEnv(prefix);
    const taken = new Set(this.connectionEnvs.flat().map((e) => e.name));
    for (const { name } of connectionEnv) {
      const own = Object.hasOwn(this.spec.env, name)
        ? `env.${name}`
        : Object.hasOwn(this.spec.secretEnv, name)
          ? `secretEnv.${name}`
          : undefined;
      if (own)
        v.fail(
          own,
          `is also set by ${prop}(${target.graphNode.name})`,
          `remove it from ${own.split('.')[0]}, or give ${prop} another envPrefix`,
        );
      if (taken.has(name))
        v.fail(
          `${prop}.envPrefix`,
          `gives ${name}, which another dependency sets`,
          'give this connection a distinct envPrefix',
        );
    }
    this.envPrefixes.add(prefix);
    this.connectionEnvs.push(connectionEnv);
    if (!connected) this.app.addEdge({ from: this.graphNode, to: target.graphNode, ports });
  }

  /**
   * Gives this workload the variables of a connection it does not open itself (no edge, so no NetworkPolicy
   * rule): a program that reads them at import, such as the Locust master's locustfile.
   */
  addConnectionEnv(env: readonly k8s.EnvVar[]): void {
    this.connectionEnvs.push([...env]);
  }

  /**
   * Allows this workload to open connections outside its app, which its NetworkPolicy otherwise denies: a public
   * API (`{ to: 'internet', ports: [443] }`), an add-on or shared service in another namespace
   * (`{ to: { namespace: 'monitoring', podLabels: {...} }, ports: [4317] }`), or an IP range
   * (`{ to: { cidr: '203.0.113.0/24' }, ports: [5432] }`). Workloads of the same app use `connectTo` instead.
   */
  allowEgress(rule: EgressRule): this {
    this.app.allowEgress(this.graphNode, validateEgressRule(new PropValidator(this.node.path), 'allowEgress', rule));
    return this;
  }

  /** Adds an annotation to the pod template (used by mesh and observability wiring). */
  addPodAnnotation(key: string, value: string): void {
    this.extraPodAnnotations[key] = value;
    this.syncPeerAnnotations();
  }

  /** Pod template metadata: labels and annotations (resolved at synth, after every `connectTo` and annotation). */
  protected podMetadata(): k8s.ObjectMeta {
    return { labels: this.labels, annotations: Lazy.any({ produce: () => nonEmpty(this.podAnnotations()) }) };
  }

  /**
   * Writes the peer checkers' annotations of the exceptions declared on the pod template onto the workload object
   * (kube-linter, Polaris, kube-score and Checkov read only the object's own annotations), now and whenever
   * {@link addPodAnnotation} declares another one.
   */
  protected exposeExceptions(object: ApiObject): void {
    this.workloadObjects.push(object);
    this.syncPeerAnnotations();
  }

  private syncPeerAnnotations(): void {
    const annotations = peerAnnotationsForPodExceptions(this.podAnnotations());
    for (const object of this.workloadObjects) {
      for (const [key, value] of Object.entries(annotations)) object.metadata.addAnnotation(key, value);
    }
  }

  private podAnnotations(): Record<string, string> {
    return { ...this.spec.podAnnotations, ...this.extraPodAnnotations, ...this.meshAnnotations };
  }

  /** The main container, with the restricted security context, probes, resources and environment. */
  protected mainContainer(
    extra: { ports?: k8s.ContainerPort[]; volumeMounts?: k8s.VolumeMount[] } = {},
  ): k8s.Container {
    const s = this.spec;
    const secretEnv: k8s.EnvVar[] = Object.entries(s.secretEnv).map(([name, ref]) => ({
      name,
      valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } },
    }));
    const literalEnv: k8s.EnvVar[] = Object.entries(s.env).map(([name, value]) => ({ name, value }));
    const telemetryEnv: k8s.EnvVar[] = s.tracing
      ? tracingEnv(s.tracing, { name: this.app.appName, namespace: this.app.namespace as string }).filter(
          (e) => !(e.name in s.env),
        )
      : [];
    const timing = (defaults: ProbeTiming): ProbeTiming =>
      s.probeTimeoutSeconds === undefined ? defaults : { ...defaults, timeoutSeconds: s.probeTimeoutSeconds };
    return {
      name: s.name,
      image: s.image,
      imagePullPolicy: 'IfNotPresent',
      ...(s.command ? { command: [...s.command] } : {}),
      ...(s.args ? { args: [...s.args] } : {}),
      ports: extra.ports,
      // Secrets and dependencies first, so that literal values can reference them as $(NAME).
      env: Lazy.any({
        produce: () => {
          const env = [...secretEnv, ...this.connectionEnvs.flat(), ...telemetryEnv, ...literalEnv];
          return env.length ? env : undefined;
        },
      }),
      envFrom: s.configMaps.length ? s.configMaps.map((name) => ({ configMapRef: { name } })) : undefined,
      resources: renderResources(s.resources),
      securityContext: containerSecurityContext(true),
      livenessProbe: s.liveness && renderProbe(s.liveness, s.healthPort, timing(LIVENESS_TIMING)),
      readinessProbe: s.readiness && renderProbe(s.readiness, s.healthPort, timing(READINESS_TIMING)),
      startupProbe: s.startup && renderProbe(s.startup, s.healthPort, timing(STARTUP_TIMING)),
      volumeMounts: [
        ...writableMounts(s.writablePaths),
        ...configMapMounts(s.configFiles ?? []),
        ...(extra.volumeMounts ?? []),
      ],
    };
  }

  /** Pod spec around the given containers: identity, security context, writable dirs, no token automount. */
  protected podSpec(containers: k8s.Container[], extra: Partial<k8s.PodSpec> = {}): k8s.PodSpec {
    return {
      serviceAccountName: this.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: podSecurityContext(this.spec.runAs),
      containers,
      ...extra,
      volumes: [
        ...writableVolumes(this.spec.writablePaths),
        ...configMapVolumes(this.spec.configFiles ?? []),
        ...(extra.volumes ?? []),
      ],
    };
  }
}

/** A copy of a record with its keys sorted (stable YAML). */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The annotations sorted by key, or undefined when there are none (no empty `annotations: {}` in the YAML). */
function nonEmpty(annotations: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(annotations).length ? sortKeys(annotations) : undefined;
}
