/**
 * The props every workload running the user's image shares (`WorkloadProps`), their validation and defaults
 * (`resolveWorkloadProps`, `resolveHealthChecks`), and the validated form the `Workload` base builds from.
 */
import type { Construct } from 'constructs';
import { PlatformChart } from '../chart';
import type { DatabaseEngine, EndpointPort, GraphNode, SecretKeyRef } from '../core/graph';
import type { Component } from '../core/names';
import type { BackupSignal, BrokerSignal } from '../core/graph';
import type { HealthCheck } from '../core/probes';
import { validateHealthCheck } from '../core/probes';
import type { Resources, ResourcesProps } from '../core/resources';
import { resolveResources } from '../core/resources';
import type { RunAs } from '../core/security';
import { DEFAULT_RUN_AS_USER } from '../core/security';
import type { PropKeys } from '../core/known-props';
import { isPlainObject } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type { MeshOptions } from '../mesh/linkerd';
import { LINKERD_MANAGED_ANNOTATIONS, MESH_OPTIONS_KEYS, resolveProxyResources } from '../mesh/linkerd';
import type { ResolvedTracing, TracingOptions } from '../observability/tracing';
import { resolveTracing } from '../observability/tracing';
import type { ConfigMapMount } from './pod-volumes';
import { pathVolumeName } from './pod-volumes';

/** Writable paths every container gets by default (the root filesystem is read-only). */
export const DEFAULT_WRITABLE_PATHS: readonly string[] = ['/tmp'];

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
  readonly resources?: ResourcesProps;
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
  /** Ports its own pods reach each other on (a Kafka quorum's). */
  readonly peerPorts?: readonly EndpointPort[];
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
