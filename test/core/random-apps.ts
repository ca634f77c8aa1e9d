/**
 * A small seeded generator of app descriptions for property tests: random valid apps (services, workers,
 * databases, their connections and egress), and single-field corruptions of them. A description is plain data,
 * so a failing case prints as JSON and replays from its seed.
 */
import { Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Database, PlatformChart, Service, Worker } from '../../platform';
import type { DatabaseProps, EgressRule, ServiceProps, WorkerProps } from '../../platform';

/** A deterministic pseudo-random source (mulberry32). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One of the values. */
  pick<T>(values: readonly T[]): T {
    return values[this.int(0, values.length - 1)];
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** One workload of a description. */
export type WorkloadSpec =
  | { kind: 'service'; id: string; props: Record<string, unknown> }
  | { kind: 'worker'; id: string; props: Record<string, unknown> }
  | { kind: 'database'; id: string; props: Record<string, unknown> };

/** A whole app as data. */
export interface AppSpec {
  id: string;
  chart: Record<string, unknown>;
  workloads: WorkloadSpec[];
  /** `from` connects to `to` (indexes into `workloads`), with options. */
  connections: { from: number; to: number; options: Record<string, unknown> }[];
  /** Egress rules per workload index. */
  egress: { from: number; rule: Record<string, unknown> }[];
}

const IMAGES = [
  'ghcr.io/stefanprodan/podinfo:6.7.1',
  'nginxinc/nginx-unprivileged:1.27.3',
  'registry.example.com:5000/team/api:2.0.1',
];
const ENGINES = ['postgres', 'mysql', 'mongodb', 'redis'] as const;

/** A random valid app. */
export function randomApp(r: Random): AppSpec {
  const workloads: WorkloadSpec[] = [];
  const count = r.int(1, 5);
  for (let i = 0; i < count; i++) {
    const kind = r.pick(['service', 'service', 'worker', 'database'] as const);
    const id = `${kind === 'database' ? 'db' : kind === 'worker' ? 'job' : 'svc'}-${i}`;
    if (kind === 'service') workloads.push({ kind, id, props: randomService(r) });
    else if (kind === 'worker') workloads.push({ kind, id, props: randomWorker(r) });
    else workloads.push({ kind, id, props: randomDatabase(r) });
  }
  const connections: AppSpec['connections'] = [];
  workloads.forEach((w, from) => {
    if (w.kind === 'database') return;
    workloads.forEach((target, to) => {
      if (to !== from && target.kind !== 'worker' && r.chance(0.4)) {
        connections.push({ from, to, options: r.chance(0.3) ? { envPrefix: `DEP_${to}` } : {} });
      }
    });
  });
  const egress: AppSpec['egress'] = [];
  workloads.forEach((w, from) => {
    if (w.kind !== 'database' && r.chance(0.3)) egress.push({ from, rule: randomEgress(r) });
  });
  const chart: Record<string, unknown> = {};
  if (r.chance(0.3)) chart.mesh = 'linkerd';
  if (r.chance(0.3)) chart.labels = { team: r.pick(['core', 'payments', 'a.b_c-1']) };
  if (r.chance(0.2)) chart.namespace = `ns-${r.int(1, 99)}`;
  return { id: `app-${r.int(1, 999)}`, chart, workloads, connections, egress };
}

function randomResources(r: Random): Record<string, unknown> | undefined {
  if (!r.chance(0.4)) return undefined;
  return {
    cpu: { request: r.pick(['50m', '100m', '250m']), limit: r.pick(['500m', '1', '2']) },
    memory: { request: r.pick(['64Mi', '128Mi']), limit: r.pick(['256Mi', '1Gi']) },
  };
}

function common(r: Random): Record<string, unknown> {
  const props: Record<string, unknown> = { image: r.pick(IMAGES) };
  const resources = randomResources(r);
  if (resources) props.resources = resources;
  if (r.chance(0.3)) props.env = { LOG_LEVEL: r.pick(['info', 'debug']), FEATURE_X: '1' };
  if (r.chance(0.2)) props.writablePaths = ['/tmp', r.pick(['/var/cache/app', '/data/scratch'])];
  if (r.chance(0.2)) props.command = ['/app/server'];
  if (r.chance(0.2)) props.args = ['--verbose', ''];
  if (r.chance(0.2)) props.podAnnotations = { 'example.com/owner': 'team-a' };
  if (r.chance(0.2)) props.runAsUser = r.int(1000, 65000);
  return props;
}

function randomService(r: Random): Record<string, unknown> {
  const props = common(r);
  props.port = r.int(1024, 30000);
  const flavour = r.pick(['http', 'http', 'http', 'grpc', 'both'] as const);
  if (flavour === 'grpc') props.protocol = 'grpc';
  if (flavour === 'both') props.grpcPort = (props.port as number) + 1;
  if (r.chance(0.4)) props.metrics = { port: r.pick([props.port, 9797]), path: '/metrics' };
  props.replicas = r.chance(0.3) ? r.int(1, 3) : { min: r.int(1, 3), max: r.int(3, 8) };
  if (r.chance(0.3)) props.liveness = { http: '/healthz' };
  return props;
}

function randomWorker(r: Random): Record<string, unknown> {
  const props = common(r);
  props.liveness = { exec: ['cat', '/tmp/healthy'] };
  props.replicas = r.chance(0.5) ? 1 : { min: 2, max: 4 };
  return props;
}

function randomDatabase(r: Random): Record<string, unknown> {
  const props: Record<string, unknown> = { engine: r.pick(ENGINES) };
  if (r.chance(0.5)) props.storage = r.pick(['1Gi', '10Gi', '500Mi']);
  if (r.chance(0.3)) props.storageClass = r.pick(['standard', 'ebs.gp3', 'premium-rwo']);
  if (props.engine !== 'redis' && r.chance(0.3)) props.user = r.pick(['orders', 'app_user']);
  if (r.chance(0.2)) props.metrics = false;
  return props;
}

function randomEgress(r: Random): Record<string, unknown> {
  const to = r.pick<unknown>([
    'internet',
    { namespace: 'payments' },
    { namespace: 'monitoring', podLabels: { app: 'collector' } },
    { cidr: '203.0.113.0/24' },
    { cidr: '2001:db8::/32' },
  ]);
  return { to, ports: [r.pick([443, 5432, 8080])] };
}

/** Builds the app described by `spec` in a fresh cdk8s app. */
export function buildApp(spec: AppSpec): PlatformChart {
  const chart = new PlatformChart(Testing.app(), spec.id, spec.chart);
  const built = spec.workloads.map((w) => {
    if (w.kind === 'service') return new Service(chart, w.id, w.props as unknown as ServiceProps);
    if (w.kind === 'worker') return new Worker(chart, w.id, w.props as unknown as WorkerProps);
    return new Database(chart, w.id, w.props as unknown as DatabaseProps);
  });
  for (const c of spec.connections) {
    const from = built[c.from];
    const to = built[c.to];
    if (from instanceof Database || to instanceof Worker) continue;
    from.connectTo(to, c.options);
  }
  for (const e of spec.egress) {
    const from = built[e.from];
    if (!(from instanceof Database)) from.allowEgress(e.rule as unknown as EgressRule);
  }
  return chart;
}

/** Values a careless caller passes: wrong types, out of range, malformed, empty, or missing. */
const BAD_VALUES: readonly unknown[] = [
  undefined,
  null,
  '',
  ' ',
  -1,
  0,
  1.5,
  70000,
  Number.NaN,
  true,
  {},
  [],
  [''],
  'UPPER_case',
  'a'.repeat(300),
  'latest',
  '../etc',
  '/',
  'constructor',
  '0.0.0.0/0',
  'kube-system',
  '10',
  'x:y/z',
  // Typed units, wrong in themselves or in the wrong prop (a Size as a port, an image or a CPU amount).
  Size.mebibytes(0),
  Size.gibibytes(1),
  Cpu.millis(-250),
  Duration.millis(1500),
];

/** A copy of `spec` with one field, chosen at random, replaced by a bad value; and where it was changed. */
export function corrupt(spec: AppSpec, r: Random): { spec: AppSpec; where: string; value: unknown } {
  const copy = structuredClone(spec);
  const targets: { holder: Record<string, unknown>; path: string }[] = [];
  const collect = (holder: Record<string, unknown>, path: string) => {
    for (const [key, value] of Object.entries(holder)) {
      targets.push({ holder, path: `${path}.${key}` });
      if (value && typeof value === 'object') collect(value as Record<string, unknown>, `${path}.${key}`);
    }
  };
  collect(copy.chart, 'chart');
  copy.workloads.forEach((w, i) => {
    targets.push({ holder: w as unknown as Record<string, unknown>, path: `workloads[${i}].id` });
    collect(w.props, `workloads[${i}].props`);
    // Props the generator left out may be given badly too.
    for (const key of ['image', 'port', 'replicas', 'storage', 'engine', 'env', 'secretEnv', 'liveness']) {
      if (!(key in w.props)) targets.push({ holder: w.props, path: `workloads[${i}].props.${key}` });
    }
  });
  copy.connections.forEach((c, i) => collect(c.options, `connections[${i}].options`));
  copy.connections.forEach((c, i) => targets.push({ holder: c.options, path: `connections[${i}].options.ports` }));
  copy.egress.forEach((e, i) => collect(e.rule, `egress[${i}].rule`));
  const target = r.pick(targets);
  const key = target.path.slice(target.path.lastIndexOf('.') + 1);
  const value = r.pick(BAD_VALUES);
  const holder = target.holder as Record<string, unknown> | unknown[];
  const slot = Array.isArray(holder) ? Number(key) : key;
  (holder as Record<string | number, unknown>)[slot] = value;
  return { spec: copy, where: target.path, value };
}
