/**
 * The base of every workload construct: one pod template with secure defaults, a ServiceAccount, environment
 * (literals, ConfigMaps, Secret references and the connection variables of its dependencies) and its place in
 * the app graph.
 */
import { Lazy } from 'cdk8s';
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { PlatformChart } from '../chart';
import type { QueueRef } from './message-broker';
import type { DatabaseEngine, EndpointPort, GraphNode, SecretKeyRef } from '../core/graph';
import type { Component } from '../core/names';
import type { BackupSignal, BrokerSignal } from '../core/graph';
import { envPrefix, selectorLabels, workloadLabels } from '../core/names';
import type { HealthCheck } from '../core/probes';
import type { ProbeTiming } from '../core/probes';
import { LIVENESS_TIMING, READINESS_TIMING, STARTUP_TIMING, renderProbe, validateHealthCheck } from '../core/probes';
import type { RequestLimit, Resources } from '../core/resources';
import { renderResources, resolveResources } from '../core/resources';
import type { RunAs } from '../core/security';
import { DEFAULT_RUN_AS_USER, containerSecurityContext, podSecurityContext } from '../core/security';
import type { PropKeys } from '../core/known-props';
import { isPlainObject } from '../core/known-props';
import { peerAnnotationsForPodExceptions } from '../core/exceptions';
import { PropValidator } from '../core/validate';
import type { MeshOptions } from '../mesh/linkerd';
import {
  LINKERD_MANAGED_ANNOTATIONS,
  MESH_OPTIONS_KEYS,
  linkerdPodAnnotations,
  opaquePorts,
  resolveProxyResources,
} from '../mesh/linkerd';
import type { EgressRule } from '../networking/egress';
import { validateEgressRule } from '../networking/egress';
import type { ResolvedTracing, TracingOptions } from '../observability/tracing';
import { resolveTracing, tempoEgress, tracingEnv } from '../observability/tracing';

/** Writable paths every container gets by default (the root filesystem is read-only). */
export const DEFAULT_WRITABLE_PATHS: readonly string[] = ['/tmp'];
/** Size cap of each writable `emptyDir`, so a runaway log or cache cannot fill the node's disk. */
export const WRITABLE_DIR_SIZE_LIMIT = '256Mi';

/** Props shared by every workload that runs the user's own image. */
export interface WorkloadProps {
  /** Container image, pinned by tag (not `latest`) or digest: `ghcr.io/stefanprodan/podinfo:6.7.1`. */
  readonly image: string;
  /**
   * Entrypoint override.
   * @default the image's ENTRYPOINT
   */
  readonly command?: readonly string[];
  /**
   * Arguments.
   * @default the image's CMD
   */
  readonly args?: readonly string[];
  /**
   * Plain environment variables (never secrets: use `secretEnv`). Values may reference other variables as
   * `$(NAME)`, including the connection variables of dependencies.
   * @default none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Environment variables read from Secrets created at deploy time (see `PlatformChart.requireSecret`).
   * @default none
   */
  readonly secretEnv?: Readonly<Record<string, SecretKeyRef>>;
  /**
   * ConfigMaps whose keys all become environment variables.
   * @default none
   */
  readonly configMaps?: readonly string[];
  /**
   * CPU and memory requests and limits; what is left out keeps the construct's default.
   * @default each construct documents its own (e.g. `Service`: cpu 100m/500m, memory 128Mi/256Mi)
   */
  readonly resources?: { readonly cpu?: Partial<RequestLimit>; readonly memory?: Partial<RequestLimit> };
  /**
   * uid (and gid) the container runs as. Any non-zero id; images that run as a named user need a number here
   * for `runAsNonRoot` to be verifiable.
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Paths the container may write to; each gets an `emptyDir` (the root filesystem is read-only).
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly string[];
  /**
   * Linkerd proxy for this workload when the app is meshed: `false` opts this workload out, options (only in a
   * meshed app) size its proxy.
   * @default true, with the app's `meshProxy` resources
   */
  readonly mesh?: boolean | MeshOptions;
  /**
   * Extra pod annotations.
   * @default none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Export OpenTelemetry traces to the platform's Tempo: `true`, or options. Sets the standard `OTEL_*` SDK
   * variables (a variable also given in `env` keeps the `env` value), allows egress to Tempo's OTLP port and
   * records the `tempo` add-on.
   * @default false
   */
  readonly tracing?: boolean | TracingOptions;
  /**
   * A cloud identity for the workload's ServiceAccount, by name (a DNS label): the stack's `identities` config
   * maps it to an IAM role's policies on EKS (IRSA) or to a Google service account on GKE (Workload Identity).
   * @default none (no cloud permissions)
   */
  readonly cloudIdentity?: string;
}

/** The props every workload running the user's image has (`Service`, `Worker`). */
export const WORKLOAD_PROP_KEYS: PropKeys<WorkloadProps> = {
  image: true,
  command: true,
  args: true,
  env: true,
  secretEnv: true,
  configMaps: true,
  resources: true,
  runAsUser: true,
  writablePaths: true,
  mesh: true,
  podAnnotations: true,
  tracing: true,
  cloudIdentity: true,
};

const SECRET_KEY_REF_KEYS: PropKeys<SecretKeyRef> = { secret: true, key: true };

const CONNECT_OPTIONS_KEYS: PropKeys<ConnectOptions> = { envPrefix: true, ports: true };

const QUEUE_LINK_OPTIONS_KEYS: PropKeys<QueueLinkOptions> = { envPrefix: true };

/** Workload props after validation and defaulting. */
export interface ResolvedWorkload {
  readonly name: string;
  readonly component: Component;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: Readonly<Record<string, SecretKeyRef>>;
  readonly configMaps: readonly string[];
  readonly resources: Resources;
  readonly runAs: RunAs;
  readonly writablePaths: readonly string[];
  /** ConfigMaps mounted read-only as directories of files. */
  readonly configFiles?: readonly ConfigMapMount[];
  readonly mesh: boolean;
  /** Linkerd proxy requests and limits, when the workload is meshed. */
  readonly proxy?: Resources;
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** Trace export, when enabled. */
  readonly tracing?: ResolvedTracing;
  /** The cloud identity the ServiceAccount acts as. */
  readonly cloudIdentity?: string;
  /** Every port the container listens on, with the Service's `appProtocol` (none for database wire protocols). */
  readonly ports: readonly (EndpointPort & { readonly appProtocol?: string })[];
  /** The ports clients connect to (the ports minus a dedicated metrics port). */
  readonly clientPorts: readonly EndpointPort[];
  /** The ports Prometheus scrapes. */
  readonly metricsPorts: readonly EndpointPort[];
  /** HTTP path of the metrics endpoint. */
  readonly metricsPath?: string;
  /** Domain metrics served on the metrics endpoint, charted on the app dashboard. */
  readonly customMetrics?: GraphNode['customMetrics'];
  /** Names of the service's HTTP metrics that differ from the app's. */
  readonly httpMetrics?: GraphNode['httpMetrics'];
  /** The engine, for a database. */
  readonly engine?: DatabaseEngine;
  /** A database's scheduled backup. */
  readonly backup?: BackupSignal;
  /** A message broker's engine and queues. */
  readonly broker?: BrokerSignal;
  readonly liveness?: HealthCheck;
  readonly readiness?: HealthCheck;
  readonly startup?: HealthCheck;
  /** Port used by network health checks that name none. */
  readonly healthPort?: number;
  /** Every probe's timeout, when the check's program needs longer than the defaults (a database's own client). */
  readonly probeTimeoutSeconds?: number;
}

/** Validates the props common to all workloads. */
export function resolveWorkloadProps(
  scope: Construct,
  v: PropValidator,
  id: string,
  component: Component,
  props: WorkloadProps,
  defaults: {
    resources: Resources;
    writablePaths?: readonly string[];
    runAs?: RunAs;
    /** Secrets the construct declares itself once created (a Database's credentials). */
    ownSecrets?: readonly string[];
  },
): Omit<
  ResolvedWorkload,
  'ports' | 'clientPorts' | 'metricsPorts' | 'metricsPath' | 'liveness' | 'readiness' | 'startup' | 'healthPort'
> {
  v.id(id);
  const app = PlatformChart.of(scope);
  if (app.graphNodes.some((n) => n.name === id)) {
    v.fail(
      'id',
      `${JSON.stringify(id)} is already a workload of app ${app.appName}`,
      'give each workload a unique name',
    );
  }
  v.image('image', props?.image);
  if (props.command !== undefined)
    v.nonEmptyStrings(
      'command',
      props.command,
      'give the executable and its arguments, e.g. ["/app/server", "--port=8080"]',
    );
  if (props.args !== undefined && (!Array.isArray(props.args) || props.args.some((a) => typeof a !== 'string')))
    v.fail('args', `${JSON.stringify(props.args)} is not a list of strings`, 'write it like ["--port=8080"]');
  const env = props.env ?? {};
  for (const [k, value] of Object.entries(env)) {
    v.envName(`env.${k}`, k);
    if (typeof value !== 'string')
      v.fail(`env.${k}`, `${JSON.stringify(value)} is not a string`, 'quote the value, e.g. "8080"');
  }
  const secretEnv = props.secretEnv ?? {};
  for (const [k, ref] of Object.entries(secretEnv)) {
    v.envName(`secretEnv.${k}`, k);
    const given: unknown = ref;
    if (!isPlainObject(given))
      v.fail(
        `secretEnv.${k}`,
        // The value is not shown: a string here is likely the secret itself, which must not reach a CI log.
        `is a ${typeof given === 'string' ? `plain string (${given.length} characters)` : typeof given}, not a Secret reference`,
        `declare the Secret and pass the reference it returns: secretEnv: { ${k}: app.requireSecret("api-token", ["token"], { generate: false, description: "..." }).token } (plain values go in env)`,
      );
    v.knownProps(`secretEnv.${k}`, ref, SECRET_KEY_REF_KEYS, 'Secret reference');
    v.dnsSubdomain(`secretEnv.${k}.secret`, ref?.secret);
    if (typeof ref.key !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(ref.key))
      v.fail(
        `secretEnv.${k}.key`,
        `${JSON.stringify(ref.key)} is not a Secret key`,
        'use letters, digits, "-", "_" and "."',
      );
    if (!defaults.ownSecrets?.includes(ref.secret) && !app.declaresSecret(ref.secret, ref.key)) {
      v.fail(
        `secretEnv.${k}`,
        `reads Secret ${JSON.stringify(ref.secret)} key ${JSON.stringify(ref.key)}, which the app does not declare`,
        `declare it with app.requireSecret(${JSON.stringify(ref.secret)}, [${JSON.stringify(ref.key)}], { generate, description }) and pass the reference it returns, so that it is listed in index.json and created at deploy time`,
      );
    }
  }
  v.unique('env and secretEnv', [...Object.keys(env), ...Object.keys(secretEnv)]);
  v.list('configMaps', props.configMaps ?? [], '["settings"]').forEach((c, i) => v.dnsSubdomain(`configMaps[${i}]`, c));
  const runAs: RunAs =
    props.runAsUser !== undefined
      ? { user: v.integer('runAsUser', props.runAsUser, 1, 2 ** 31 - 1) }
      : (defaults.runAs ?? { user: DEFAULT_RUN_AS_USER });
  const writablePaths = v.list(
    'writablePaths',
    props.writablePaths ?? defaults.writablePaths ?? DEFAULT_WRITABLE_PATHS,
    '["/tmp", "/var/cache/app"]',
  );
  writablePaths.forEach((p, i) => {
    v.absolutePath(`writablePaths[${i}]`, p);
    if (p.replace(/\/+$/, '') === '')
      v.fail(
        `writablePaths[${i}]`,
        `${JSON.stringify(p)} is the root filesystem`,
        'name the directories the process writes, e.g. ["/tmp", "/var/cache/app"]: the root stays read-only',
      );
  });
  v.unique('writablePaths', writablePaths);
  v.unique(
    'writablePaths (as volume names)',
    writablePaths.map((p) => pathVolumeName('rw-', p)),
  );
  v.knownProps('mesh', props.mesh, MESH_OPTIONS_KEYS, 'mesh');
  const mesh = props.mesh !== false;
  const meshOptions = typeof props.mesh === 'object' ? props.mesh : undefined;
  if (meshOptions?.proxy && !app.meshed) {
    v.fail('mesh.proxy', `is set but app ${app.appName} is not meshed`, 'set mesh: "linkerd" on its PlatformChart');
  }
  const podAnnotations = props.podAnnotations ?? {};
  for (const [key, value] of Object.entries(podAnnotations)) {
    v.metadataKey(`podAnnotations.${key}`, key, 'annotation');
    if (typeof value !== 'string')
      v.fail(`podAnnotations.${key}`, `${JSON.stringify(value)} is not a string`, 'quote the value');
  }
  for (const key of Object.keys(podAnnotations).filter((k) => LINKERD_MANAGED_ANNOTATIONS.includes(k))) {
    v.fail(
      `podAnnotations.${key}`,
      'is managed by the platform',
      "use mesh: false to opt out, mesh.proxy for proxy resources, or the app's meshInjection",
    );
  }
  return {
    name: id,
    component,
    image: props.image,
    command: props.command,
    args: props.args,
    env,
    secretEnv,
    configMaps: props.configMaps ?? [],
    resources: resolveResources(v, 'resources', props.resources, defaults.resources),
    runAs,
    writablePaths,
    mesh,
    proxy: app.meshed && mesh ? resolveProxyResources(v, 'mesh.proxy', meshOptions?.proxy, app.meshProxy) : undefined,
    podAnnotations,
    tracing: resolveTracing(v, id, props.tracing),
    cloudIdentity: props.cloudIdentity === undefined ? undefined : v.dnsLabel('cloudIdentity', props.cloudIdentity),
  };
}

/** Validates the health checks of a workload, defaulting each from the one before it. */
export function resolveHealthChecks(
  v: PropValidator,
  checks: { liveness?: HealthCheck; readiness?: HealthCheck; startup?: HealthCheck },
  healthPort: number | undefined,
): { liveness: HealthCheck; readiness: HealthCheck; startup: HealthCheck } {
  const liveness = checks.liveness;
  if (!liveness)
    v.fail(
      'liveness',
      'is missing',
      'give a health check, e.g. { http: "/healthz", port: 8080 } or { exec: ["cat", "/tmp/healthy"] }',
    );
  const readiness = checks.readiness ?? liveness;
  const startup = checks.startup ?? liveness;
  for (const [prop, check] of [
    ['liveness', liveness],
    ['readiness', readiness],
    ['startup', startup],
  ] as const) {
    validateHealthCheck(v, prop, check);
    if (!('exec' in check) && check.port === undefined && healthPort === undefined) {
      v.fail(`${prop}.port`, 'is missing and the workload has no port', 'give the port the check connects to');
    }
  }
  return { liveness, readiness, startup };
}

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
   * address, credentials and the queue's name (`<PREFIX>_URL`, `<PREFIX>_QUEUE`, ...; the prefix defaults to the
   * queue's name) and records the edge to the broker's client port, from which the NetworkPolicies are derived.
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
    const declared = broker?.graphNode?.broker?.queues.find((q) => q.name === queue.name);
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
      connectionEnv: (p) => [...broker.connectionEnv(p), { name: `${p}_QUEUE`, value: queue.name }],
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

/** Volume name for a mounted path: `rw-` and `/var/run/postgresql` give `rw-var-run-postgresql`. */
function pathVolumeName(prefix: 'rw-' | 'cm-', path: string): string {
  return (
    prefix +
    path
      .replace(/^\/+|\/+$/g, '')
      .replace(/[^a-z0-9]+/gi, '-')
      .toLowerCase()
  )
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** `emptyDir` volumes for writable paths. */
export function writableVolumes(paths: readonly string[]): k8s.Volume[] {
  return paths.map((path) => ({
    name: pathVolumeName('rw-', path),
    emptyDir: { sizeLimit: k8s.Quantity.fromString(WRITABLE_DIR_SIZE_LIMIT) },
  }));
}

/** Mounts of the `emptyDir` volumes for writable paths. */
export function writableMounts(paths: readonly string[]): k8s.VolumeMount[] {
  return paths.map((path) => ({ name: pathVolumeName('rw-', path), mountPath: path }));
}

/** A ConfigMap mounted read-only as a directory, one file per key. */
export interface ConfigMapMount {
  /** Name of the ConfigMap. */
  readonly configMap: string;
  /** Absolute path of the directory. */
  readonly mountPath: string;
}

/** Read-only (mode 0444) `configMap` volumes. */
export function configMapVolumes(mounts: readonly ConfigMapMount[]): k8s.Volume[] {
  return mounts.map((m) => ({
    name: pathVolumeName('cm-', m.mountPath),
    configMap: { name: m.configMap, defaultMode: 0o444 },
  }));
}

/** Read-only mounts of the `configMap` volumes. */
export function configMapMounts(mounts: readonly ConfigMapMount[]): k8s.VolumeMount[] {
  return mounts.map((m) => ({ name: pathVolumeName('cm-', m.mountPath), mountPath: m.mountPath, readOnly: true }));
}

/** A copy of a record with its keys sorted (stable YAML). */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The annotations sorted by key, or undefined when there are none (no empty `annotations: {}` in the YAML). */
function nonEmpty(annotations: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(annotations).length ? sortKeys(annotations) : undefined;
}
