/**
 * The `LoadGenerator`'s props, constants and their validation (`resolveLoadGeneratorProps`): the target, the
 * locustfile and its data files, the run time.
 */
import { createHash } from 'node:crypto';
import { Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import { PlatformChart } from '../chart';
import type { EndpointPort } from '../core/graph';
import { serviceHost, workloadLabels } from '../core/names';
import type { Resources, ResourcesProps } from '../core/resources';
import { resolveResources } from '../core/resources';
import type { PropKeys } from '../core/known-props';
import { PropValidator, constructPath } from '../core/validate';
import type { Replicas } from './scaling';
import { resolveScaling } from './scaling';
import type { Service } from './service';
import type { ResolvedWorkload } from './workload-props';
import type { ConfigMapMount } from './pod-volumes';
import { sortKeys } from './workload';
import { resolveHealthChecks, resolveWorkloadProps } from './workload-props';

/** The official Locust image, pinned (Locust 2.46.6). */
export const LOCUST_IMAGE = 'locustio/locust:2.46.6';
/** uid of the `locust` user the official image runs as (created by `useradd`, so the first regular uid). */
export const LOCUST_UID = 1000;
/** Port of the master's web UI (Locust's `--web-port` default). */
export const LOCUST_WEB_PORT = 8089;
/** Port workers connect to on the master (Locust's `--master-bind-port` default, ZeroMQ). */
export const LOCUST_MASTER_PORT = 5557;
/** Directory the locustfile and its data files are mounted in, read-only. */
export const LOCUSTFILE_DIR = '/mnt/locust';
/** File name of the locustfile when none is given. */
export const DEFAULT_LOCUSTFILE_NAME = 'locustfile.py';
/** Peak number of simulated users when none is given. */
export const DEFAULT_USERS = 10;
/** Users started per second when no rate is given. */
export const DEFAULT_SPAWN_RATE = 1;
/** Worker replicas when none are given: a fixed count, so the load a test generates is reproducible. */
export const DEFAULT_LOCUST_WORKERS: Replicas = 2;
/** Master requests and limits: it only aggregates statistics and serves the web UI. */
export const LOCUST_MASTER_RESOURCES: Resources = {
  cpu: { request: '100m', limit: '500m' },
  memory: { request: '256Mi', limit: '512Mi' },
};
/** Worker requests and limits: one Locust worker process uses at most one core. */
export const LOCUST_WORKER_RESOURCES: Resources = {
  cpu: { request: '500m', limit: '1' },
  memory: { request: '256Mi', limit: '512Mi' },
};
/** Pod annotation holding the sha256 of the locustfile ConfigMap's data, so that a new locustfile rolls the pods. */
export const LOCUSTFILE_HASH_ANNOTATION = 'platform.dev/locustfile-sha256';
/** Prefix of the environment variables that tell a worker where its master is (`--master-host`, `--master-port`). */
export const LOCUST_MASTER_ENV_PREFIX = 'LOCUST_MASTER_NODE';
/** Prefix of the environment variables describing a target Service to the locustfile (`TARGET_URL`, ...). */
export const TARGET_ENV_PREFIX = 'TARGET';
/**
 * Locust settings the construct sets itself, or that would break its wiring (a headless or self-quitting master
 * fails its probes and restarts; other ports or bind addresses miss the Service and the NetworkPolicy).
 */
export const MANAGED_LOCUST_ENV: readonly string[] = [
  'LOCUST_LOCUSTFILE',
  'LOCUST_HOST',
  'LOCUST_USERS',
  'LOCUST_SPAWN_RATE',
  'LOCUST_RUN_TIME',
  'LOCUST_AUTOSTART',
  'LOCUST_AUTOQUIT',
  'LOCUST_HEADLESS',
  'LOCUST_EXPECT_WORKERS',
  'LOCUST_MODE_MASTER',
  'LOCUST_MODE_WORKER',
  'LOCUST_MASTER_BIND_HOST',
  'LOCUST_MASTER_BIND_PORT',
  `${LOCUST_MASTER_ENV_PREFIX}_HOST`,
  `${LOCUST_MASTER_ENV_PREFIX}_PORT`,
  'LOCUST_WEB_HOST',
  'LOCUST_WEB_PORT',
  'PYTHONDONTWRITEBYTECODE',
];

/** The API server rejects a ConfigMap whose data exceeds 1 MiB. */
const CONFIGMAP_MAX_BYTES = 1024 * 1024;
/** A ConfigMap key (`IsConfigMapKey` in Kubernetes): letters, digits, `-`, `_`, `.`; at most 253 characters. */
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
/** Locust's run-time format: hours, minutes and seconds, each optional but in that order (`90s`, `1h30m`). */
const RUN_TIME = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** Both pod names add a suffix to the load generator's name, which must stay a 63-character label. */
const ROLE_SUFFIX = { master: '-master', worker: '-worker' } as const;
/** TCP state `01` (ESTABLISHED) in `/proc/net/tcp`, whose remote address ends with the port in upper-case hex. */
const MASTER_PORT_HEX = LOCUST_MASTER_PORT.toString(16).toUpperCase().padStart(4, '0');
/**
 * A worker's health check: it has an established connection to the master port. A worker serves no port, and
 * a worker that lost its master generates no load (the image has Python, not `ss` or `netstat`).
 */
export const LOCUST_WORKER_CHECK: readonly string[] = [
  'python',
  '-c',
  "import glob, sys; sys.exit(0 if any(f[2].endswith(':" +
    MASTER_PORT_HEX +
    "') and f[3] == '01' for p in glob.glob('/proc/net/tcp*') for f in (l.split() for l in open(p).readlines()[1:])) else 1)",
];

/** Properties of a {@link LoadGenerator}. */
export interface LoadGeneratorProps {
  /**
   * What the simulated users call: a `Service` of the same app with an HTTP main port (the workers get a
   * NetworkPolicy edge to exactly that port and `TARGET_*` variables), or an absolute `http(s)://` URL outside the
   * app graph, such as an ingress host (then allow the workers' egress with `loadGenerator.workers.allowEgress`).
   * It becomes Locust's host (`LOCUST_HOST`), the base of the locustfile's relative URLs.
   */
  readonly target: Service | string;
  /** The locustfile: Python source defining the `User` classes (mounted at `/mnt/locust/<locustfileName>`). */
  readonly locustfile: string;
  /**
   * File name of the locustfile, a `.py` file other than `locust.py`.
   * @default 'locustfile.py'
   */
  readonly locustfileName?: string;
  /**
   * Data files and helper modules, by file name (a ConfigMap key), mounted beside the locustfile in `/mnt/locust`
   * (read them relative to `__file__`), e.g. `{ 'traffic.json': JSON.stringify(records) }`. All files together
   * hold at most 1 MiB.
   * @default none
   */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * Peak number of concurrent simulated users (`LOCUST_USERS`): the start form's default in the web UI, or the
   * count a timed run starts.
   * @default 10
   */
  readonly users?: number;
  /**
   * Users started per second until `users` are running (`LOCUST_SPAWN_RATE`); may be fractional.
   * @default 1
   */
  readonly spawnRate?: number;
  /**
   * Run the test at once, for this long (`90s`, `10m`, `1h30m`): the master starts as soon as the minimum number
   * of workers have connected and stops the users after `runTime`, keeping the results in its web UI (Locust's
   * `--autostart`; the master keeps running, so the Deployment does not restart it and repeat the test). A
   * `Duration` of whole seconds is written the same way (`Duration.minutes(90)` is `1h30m`).
   * @default none: the test waits to be started from the web UI
   */
  readonly runTime?: string | Duration;
  /**
   * Worker replicas, a fixed count or autoscaling bounds (Locust rebalances the users when workers join).
   * @default 2
   */
  readonly workers?: Replicas;
  /**
   * Locust image, for instance one with extra Python packages; it must run as uid 1000 like the official one.
   * @default 'locustio/locust:2.46.6' (`LOCUST_IMAGE`)
   */
  readonly image?: string;
  /**
   * Extra environment variables of the master and the workers, read by the locustfile (`os.environ`) or by Locust
   * (`LOCUST_LOGLEVEL`, ...); the settings the construct manages (`MANAGED_LOCUST_ENV`) are rejected.
   * @default none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Requests and limits of the master; what is left out keeps the default.
   * @default cpu 100m/500m, memory 256Mi/512Mi
   */
  readonly masterResources?: ResourcesProps;
  /**
   * Requests and limits of each worker; what is left out keeps the default.
   * @default cpu 500m/1, memory 256Mi/512Mi
   */
  readonly workerResources?: ResourcesProps;
  /**
   * Linkerd proxy for the master and workers when the app is meshed; `false` opts them out (then the load reaches
   * the target without a client-side proxy).
   * @default true
   */
  readonly mesh?: boolean;
}

const LOAD_GENERATOR_PROP_KEYS: PropKeys<LoadGeneratorProps> = {
  target: true,
  locustfile: true,
  locustfileName: true,
  files: true,
  users: true,
  spawnRate: true,
  runTime: true,
  workers: true,
  image: true,
  env: true,
  masterResources: true,
  workerResources: true,
  mesh: true,
};

/** Validates every prop before any child exists, and derives the two workloads' specs. */
export function resolveLoadGeneratorProps(scope: Construct, id: string, props: LoadGeneratorProps) {
  const v = new PropValidator(constructPath(scope, id));
  v.knownProps('', props, LOAD_GENERATOR_PROP_KEYS, 'LoadGenerator');
  const app = PlatformChart.of(scope);
  v.id(id, 63 - Math.max(ROLE_SUFFIX.master.length, ROLE_SUFFIX.worker.length));
  const host = resolveTarget(v, app, props.target);
  const locustfileName = props.locustfileName ?? DEFAULT_LOCUSTFILE_NAME;
  const files = resolveFiles(v, props, locustfileName);
  const users = v.integer('users', props.users ?? DEFAULT_USERS, 1);
  const spawnRate = props.spawnRate ?? DEFAULT_SPAWN_RATE;
  if (typeof spawnRate !== 'number' || !Number.isFinite(spawnRate) || spawnRate <= 0) {
    v.fail('spawnRate', `${spawnRate} is not a positive number`, 'give the users started per second, e.g. 1 or 0.5');
  }
  const runTime = props.runTime === undefined ? undefined : resolveRunTime(v, props.runTime);
  const userEnv = props.env ?? {};
  for (const name of Object.keys(userEnv).filter((k) => MANAGED_LOCUST_ENV.includes(k))) {
    v.fail(
      `env.${name}`,
      'is set by the load generator',
      'use the users, spawnRate, runTime, target and locustfileName props (other LOCUST_* settings are allowed)',
    );
  }
  const workerScaling = resolveScaling(v, props.workers ?? DEFAULT_LOCUST_WORKERS, 'workers');

  const mount: ConfigMapMount = { configMap: `${id}-locustfile`, mountPath: LOCUSTFILE_DIR };
  // Both read the locustfile (the master imports it too); the mount is read-only, so no bytecode cache.
  const common = {
    PYTHONDONTWRITEBYTECODE: '1',
    LOCUST_LOCUSTFILE: `${LOCUSTFILE_DIR}/${locustfileName}`,
    LOCUST_HOST: host,
  };
  const masterEnv = {
    ...common,
    LOCUST_USERS: String(users),
    LOCUST_SPAWN_RATE: String(spawnRate),
    ...(runTime !== undefined
      ? {
          LOCUST_AUTOSTART: 'true',
          LOCUST_RUN_TIME: runTime,
          LOCUST_EXPECT_WORKERS: String(workerScaling.min),
        }
      : {}),
    ...userEnv,
  };
  const workload = (role: keyof typeof ROLE_SUFFIX, env: Record<string, string>, resources: Resources) =>
    resolveWorkloadProps(
      scope,
      v,
      id + ROLE_SUFFIX[role],
      'load-generator',
      { image: props.image ?? LOCUST_IMAGE, args: [`--${role}`], env, resources, mesh: props.mesh },
      { resources, runAs: { user: LOCUST_UID } },
    );
  const masterBase = workload(
    'master',
    masterEnv,
    resolveResources(v, 'masterResources', props.masterResources, LOCUST_MASTER_RESOURCES),
  );
  const workerBase = workload(
    'worker',
    { ...common, ...userEnv },
    resolveResources(v, 'workerResources', props.workerResources, LOCUST_WORKER_RESOURCES),
  );

  // The web UI answers on `/` in both modes (a timed run keeps it); port 5557 is ZeroMQ, so no appProtocol.
  const masterPorts = [
    { name: 'http', port: LOCUST_WEB_PORT, appProtocol: 'http' },
    { name: 'master', port: LOCUST_MASTER_PORT },
  ];
  const master: ResolvedWorkload = {
    ...masterBase,
    configFiles: [mount],
    ports: masterPorts,
    clientPorts: masterPorts.map(({ name, port }): EndpointPort => ({ name, port })),
    metricsPorts: [],
    ...resolveHealthChecks(v, { liveness: { http: '/' } }, LOCUST_WEB_PORT),
    healthPort: LOCUST_WEB_PORT,
  };
  const worker: ResolvedWorkload = {
    ...workerBase,
    configFiles: [mount],
    ports: [],
    clientPorts: [],
    metricsPorts: [],
    ...resolveHealthChecks(v, { liveness: { exec: LOCUST_WORKER_CHECK } }, undefined),
  };
  return {
    host,
    mount,
    files,
    hash: createHash('sha256').update(JSON.stringify(files)).digest('hex'),
    labels: workloadLabels(app.appName, id, 'load-generator'),
    master,
    // One master: workers connect to a single coordinator, so it never scales.
    masterScaling: resolveScaling(v, 1),
    worker,
    workerScaling,
  };
}

/** The base URL of the target: a Service of the app with an HTTP main port, or an absolute HTTP(S) URL. */
function resolveTarget(v: PropValidator, app: PlatformChart, target: Service | string): string {
  if (typeof target === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(target);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      v.fail(
        'target',
        `${JSON.stringify(target)} is not an absolute http(s) URL`,
        'give a Service of the app, or a URL such as "https://shop.example.com"',
      );
    }
    return target.replace(/\/+$/, '');
  }
  if (!target?.graphNode) v.fail('target', 'is not a service', 'give a Service of the app, or an http(s) URL');
  if (target.app !== app) {
    v.fail(
      'target',
      `is ${target.name} of app ${target.app.appName}`,
      "load-test a Service of the same app, or give the other app's ingress URL",
    );
  }
  if (target.protocol !== 'http') {
    v.fail(
      'target',
      `${target.name} serves ${target.protocol} on port ${target.port}`,
      "give a Service whose main port is HTTP (Locust's HttpUser speaks HTTP)",
    );
  }
  return `http://${serviceHost(target.name, app.namespace as string)}:${target.port}`;
}

/** The ConfigMap data: the locustfile and the data files, checked as file names and for size. */
function resolveFiles(v: PropValidator, props: LoadGeneratorProps, locustfileName: string): Record<string, string> {
  const keyFix = 'use a file name of letters, digits, "-", "_" and "." (no "/"), at most 253 characters';
  const checkKey = (prop: string, key: string) => {
    if (!CONFIGMAP_KEY.test(key) || key.startsWith('..') || key === '.')
      v.fail(prop, `${JSON.stringify(key)} is not a valid file name`, keyFix);
  };
  checkKey('locustfileName', locustfileName);
  if (!locustfileName.endsWith('.py') || locustfileName === 'locust.py') {
    v.fail(
      'locustfileName',
      `${JSON.stringify(locustfileName)} is not a locustfile name`,
      'use a ".py" file name other than "locust.py" (which would shadow the locust package), e.g. "locustfile.py"',
    );
  }
  if (typeof props.locustfile !== 'string' || props.locustfile.trim() === '') {
    v.fail('locustfile', 'is empty', 'give the Python source of the test, defining at least one User class');
  }
  const files = props.files ?? {};
  for (const key of Object.keys(files)) {
    checkKey(`files.${key}`, key);
    if (key === locustfileName)
      v.fail(`files.${key}`, 'has the name of the locustfile', 'rename the data file or set locustfileName');
  }
  const data = sortKeys({ ...files, [locustfileName]: props.locustfile });
  const bytes = Object.values(data).reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
  if (bytes > CONFIGMAP_MAX_BYTES) {
    v.fail(
      'files',
      `hold ${bytes} bytes with the locustfile, more than the 1 MiB a ConfigMap holds`,
      'trim the data, or build an image with the data in it (image prop)',
    );
  }
  return data;
}

/** Locust's `--run-time`: `90s`, `10m`, `1h30m`, or a `Duration` written so; zero is rejected. */
function resolveRunTime(v: PropValidator, given: string | Duration): string {
  const runTime =
    given instanceof Duration ? v.duration('runTime', given, ['h', 'm', 's'], true, 'Duration.minutes(10)') : given;
  const match = typeof runTime === 'string' ? RUN_TIME.exec(runTime) : null;
  const seconds = match ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) : 0;
  if (seconds <= 0) {
    v.fail(
      'runTime',
      `${JSON.stringify(runTime)} is not a duration`,
      'write hours, minutes and seconds in that order, e.g. "90s", "10m" or "1h30m"',
    );
  }
  return runTime;
}
