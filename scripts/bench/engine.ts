/**
 * The real engine's benchmark (`npm run bench -- --cases engine`, issues #12 and #20): on one local cluster, in
 * one run, in the shape users deploy (one platform stack, one app stack per app, one file backend):
 *
 * 1. `pulumi up` of the platform stack: the add-ons the five reference apps need;
 * 2. the floor, `--floor-runs` times (at least 3): `kubectl apply --server-side` of every object of
 *    `charts-out/`, then until they rolled out, then every object removed again, checked one by one;
 * 3. `pulumi up` of the five app stacks at once, add-ons in place;
 * 4. a no-op `pulumi up --expect-no-changes` of every app stack at once;
 * 5. `pulumi preview --diff` of chat's stack after a one-service change (chat's backend image);
 * 6. the state size of every stack (`pulumi stack export`);
 * 7. with `--generated-apps N` (and `--services M` each): N generated apps of M services, one app stack each,
 *    `--parallel` stacks at once, against the floor of the same objects;
 * 8. with `--single S`: one generated app of S services in one app stack, with `PULUMI_SKIP_CHECKPOINTS`, then
 *    without (whose checkpoints cost grows with the square of the stack: `--timeout-minutes` caps each update,
 *    recorded as failed with how far it got).
 *
 * Every phase starts from a verified clean state (no object of the apps it deploys exists) and fails fast with
 * the reason. Each phase records its wall time, the CPU time of every component (engine, language host, program,
 * providers, API server, etcd...) from `/proc`, and, for updates, the engines' event logs; the Node programs' peak
 * RSS comes from the probe of `runner.ts`. Runs inside `scripts/cluster/netns.sh` with the tools on PATH
 * (`engine.sh`).
 *
 * Usage: `ts-node --swc scripts/bench/engine.ts [--floor-runs 3] [--generated-apps 100 --services 10]
 * [--single 1000] [--parallel 4] [--timeout-minutes 40] [--out bench/results.md]`
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { readChartsIndex } from '../../platform/cloud/charts-index';
import { KubeClient, targetFromKubeconfig } from '../cluster/kube-client';
import { startLocalCluster, stopLocalCluster } from '../cluster/local-cluster';
import type { ClusterState } from '../cluster/local-cluster';
import { appStackSettings, LOCAL_CLUSTER_SETTINGS, LocalBackend, LocalStack } from '../cluster/pulumi-stack';
import type { PulumiRun } from '../cluster/pulumi-stack';
import { waitForWorkloads, workloadTargets } from '../cluster/rollout';
import { parseCliArgs, runCli, UsageError } from '../lib/cli';
import { loadManifestDir } from '../lib/manifests';
import { assertClean, kubectl, removeFloor } from './engine-cluster';
import type { EnginePhase, EngineRun } from './engine-results';
import { ENGINE_MARKERS, renderEngineResults } from './engine-results';
import { MIN_REPLICAS_PER_SERVICE, SERVICES_PER_DATABASE } from './case-platform-app';
import { updateTiming } from './event-log';
import { ProcSampler } from './proc-sampler';
import type { ComponentUsage } from './proc-sampler';
import { spliceResults } from './results';
import { Scratch } from './runner';

const ROOT = join(__dirname, '..', '..');
const CHARTS = join(ROOT, 'charts-out');
const RESULTS = join(ROOT, 'bench', 'results.md');
const USAGE =
  'usage: ts-node --swc scripts/bench/engine.ts [--floor-runs 3] [--generated-apps 100 --services 10] ' +
  '[--single 1000] [--parallel 4] [--timeout-minutes 40] [--out bench/results.md]';
/** The one-service change of phase 5 (scenario e of the e2e suite makes the same one). */
const CHANGE = 'chat/backend/image=ghcr.io/stefanprodan/podinfo:6.7.0';
/** The secret the meetings app asks its stack for. */
const SECRETS: Record<string, Record<string, string>> = { meetings: { 'meetings/bot-telegram/token': 'bench-token' } };
const ROLLOUT_TIMEOUT_MS = 900_000;

/** Runs a TypeScript script of the repository the way `npm run synth` does. */
function tsNode(script: string, ...args: string[]): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--swc', script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** A charts directory of `apps` generated apps of `services` services each (one app `name` when `apps` is 0). */
function generatedCharts(apps: number, services: number, scratch: Scratch, name = 'bench'): string {
  const dir = scratch.runDir();
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'),
      '--swc',
      'scripts/bench/case-platform-app.ts',
      String(services),
      dir,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, BENCH_APPS: String(apps), BENCH_APP_NAME: name },
    },
  );
  return dir;
}

/** Runs `work` over `items`, at most `parallel` at a time; rejects on the first failure. */
async function pool<T, R>(items: readonly T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

/** Measures phases: wall time and CPU per component, plus the update's event log and the program's peak RSS. */
class Phases {
  readonly done: EnginePhase[] = [];
  private readonly sampler = new ProcSampler();
  /** Temp files of the run, removed by {@link Phases.dispose}. */
  readonly scratch = new Scratch();
  /** The file the memory probe of every node process the `pulumi` commands start appends its peak RSS to. */
  readonly rssFile = join(this.scratch.runDir(), 'rss');

  /** The environment that loads the probe into the Node program. */
  probeEnv(): Record<string, string> {
    writeFileSync(this.rssFile, '');
    return {
      BENCH_RSS_FILE: this.rssFile,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${this.scratch.probe}`.trim(),
    };
  }

  /** Times `work`; `pulumi` phases pass the run, whose failure fails the benchmark. */
  async measure(
    id: string,
    title: string,
    work: (eventLog: (stack: string) => string) => Promise<PulumiRun | PulumiRun[] | void>,
    { keepGoing = false } = {},
  ): Promise<void> {
    process.stderr.write(`engine bench: ${id}...\n`);
    writeFileSync(this.rssFile, '');
    const logDir = this.scratch.runDir();
    const logs: string[] = [];
    const eventLog = (stack: string): string => {
      logs.push(join(logDir, `${stack}.jsonl`));
      return logs[logs.length - 1];
    };
    const t0 = Date.now();
    this.sampler.begin();
    let runs: PulumiRun[];
    let usage: ComponentUsage[];
    try {
      const result = await work(eventLog);
      runs = Array.isArray(result) ? result : result ? [result] : [];
    } finally {
      usage = this.sampler.end();
    }
    const seconds = (Date.now() - t0) / 1000;
    const run = runs.find((r) => r.status !== 0);
    const failed = run ? `pulumi exited ${run.status}` : undefined;
    if (failed && run) {
      const message = `${id}: ${failed}:\n${run.output.slice(-6000)}`;
      if (!keepGoing) throw new Error(message);
      process.stderr.write(`${message}\n`);
    }
    const rss = readFileSync(this.rssFile, 'utf8').split('\n').filter(Boolean).map(Number);
    this.done.push({
      id,
      title,
      seconds,
      usage,
      timing: logs.some((f) => existsSync(f))
        ? updateTiming(logs.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('\n'))
        : undefined,
      // The probe reports when a program exits: a failed (or cancelled) update's program may never have.
      programRssMb: rss.length && !failed ? Math.max(...rss) / 1024 : undefined,
      error: failed,
    });
    process.stderr.write(`engine bench: ${id}: ${seconds.toFixed(1)} s\n`);
  }

  dispose(): void {
    this.scratch.dispose();
  }
}

/** What a run measures besides the five apps. */
interface BenchOptions {
  readonly floorRuns: number;
  readonly generatedApps: number;
  readonly services: number;
  readonly single: number;
  readonly parallel: number;
  /** A generated app's update is cancelled after this long, and recorded as failed. */
  readonly timeoutMs: number;
}

/** The five apps' floor: apply, roll out, remove, `runs` times, each from a verified clean cluster. */
async function floor(phases: Phases, client: KubeClient, kubeconfig: string, charts: string, runs: number, tag = '') {
  const index = readChartsIndex(charts);
  const files = index.apps.map((a) => join(charts, a.file));
  const objects = loadManifestDir(charts).objects;
  for (let run = 1; run <= runs; run++) {
    await assertClean(
      client,
      objects.map((m) => m.object),
      `floor${tag} run ${run}`,
    );
    const apply = ['apply', '--server-side', '--field-manager', 'bench-floor', ...files.flatMap((f) => ['-f', f])];
    await phases.measure(
      `floor-apply${tag}-${run}`,
      `kubectl apply --server-side: every object of ${tag || 'charts-out/'}`,
      () => kubectl(kubeconfig, apply),
    );
    await phases.measure(`floor-rollout${tag}-${run}`, 'then until every workload rolled out', () =>
      waitForWorkloads(client, workloadTargets(objects), ROLLOUT_TIMEOUT_MS),
    );
    await removeFloor(
      client,
      kubeconfig,
      files,
      objects.map((m) => m.object),
    );
  }
}

/** The state size of each stack, bytes (`pulumi stack export`). */
function stateSizes(stacks: readonly LocalStack[]): Record<string, number> {
  // `stack export` takes no --config-file: the stack alone.
  return Object.fromEntries(
    stacks.map((s) => {
      const r = s.run(['stack', 'export', '--stack', s.name]);
      if (r.status !== 0) throw new Error(`pulumi stack export --stack ${s.name} failed:\n${r.output.slice(-2000)}`);
      return [s.name, Buffer.byteLength(r.output)];
    }),
  );
}

async function bench(
  options: BenchOptions,
  cluster: ClusterState,
): Promise<{ phases: EnginePhase[]; states: Record<string, number> }> {
  const client = new KubeClient(targetFromKubeconfig(cluster.kubeconfig));
  const index = readChartsIndex(CHARTS);
  const manifests = loadManifestDir(CHARTS).objects;
  const phases = new Phases();
  const backend = new LocalBackend(cluster.kubeconfig);
  // `--event-log` is a flag of the debug commands.
  const env = { ...phases.probeEnv(), PULUMI_DEBUG_COMMANDS: 'true' };
  const stack = (name: string, settings: Record<string, unknown>) =>
    new LocalStack(cluster.kubeconfig, { backend, name, settings, env });
  const up = (
    s: LocalStack,
    log: (stack: string) => string,
    extra: readonly string[] = [],
    timeoutMs?: number,
  ): Promise<PulumiRun> =>
    s.stackAsync(['up', '--yes', '--skip-preview', '--event-log', log(s.name), ...extra], timeoutMs);
  try {
    const platform = stack('bench', LOCAL_CLUSTER_SETTINGS);
    platform.init({});
    await phases.measure('platform', 'pulumi up: the platform stack (the add-ons of the five apps)', (log) =>
      up(platform, log),
    );
    await floor(phases, client, cluster.kubeconfig, CHARTS, options.floorRuns);

    const apps = index.apps.map((a) => stack(`bench-${a.name}`, appStackSettings('bench', a.name)));
    apps.forEach((s, i) => s.init(SECRETS[index.apps[i].name] ?? {}));
    await assertClean(
      client,
      manifests.map((m) => m.object),
      'apps',
    );
    // The engine's own CPU profile of chat's update (pprof), kept where BENCH_ENGINE_PROFILE says.
    const profile = process.env.BENCH_ENGINE_PROFILE;
    await phases.measure('apps', 'pulumi up: the five app stacks at once, add-ons in place', (log) =>
      Promise.all(apps.map((s) => up(s, log, profile && s.name === 'bench-chat' ? ['--profiling', profile] : []))),
    );
    await phases.measure('noop', 'pulumi up --expect-no-changes: the five app stacks at once', (log) =>
      Promise.all(apps.map((s) => up(s, log, ['--expect-no-changes']))),
    );
    const changed = phases.scratch.runDir();
    tsNode(join(ROOT, 'apps', 'main.ts'), '--out', changed, '--context', CHANGE);
    const chat = apps[index.apps.findIndex((a) => a.name === 'chat')];
    chat.useCharts(changed);
    await phases.measure('preview', `pulumi preview --diff of chat's stack after one change (${CHANGE})`, () =>
      chat.stackAsync(['preview', '--diff']),
    );
    const states = stateSizes([platform, ...apps]);

    if (options.generatedApps > 0) {
      const charts = generatedCharts(options.generatedApps, options.services, phases.scratch);
      const tag = `-gen${options.generatedApps}x${options.services}`;
      await floor(phases, client, cluster.kubeconfig, charts, 1, tag);
      const generated = readChartsIndex(charts);
      const stacks = generated.apps.map((a) => stack(`bench-${a.name}`, appStackSettings('bench', a.name)));
      stacks.forEach((s) => {
        s.useCharts(charts);
        s.init({});
      });
      await phases.measure(
        `generated${tag}`,
        `pulumi up: ${generated.apps.length} generated apps of ${options.services} services, one app stack each, ` +
          `${options.parallel} at once`,
        (log) => pool(stacks, options.parallel, (s) => up(s, log, [], options.timeoutMs)),
        { keepGoing: true },
      );
      Object.assign(states, stateSizes(stacks.slice(0, 1)));
    }
    // Without checkpoints first: it completes, and the cluster holds both apps at the end either way.
    for (const skip of options.single > 0 ? [true, false] : []) {
      const name = skip ? 'single-skip' : 'single';
      const charts = generatedCharts(0, options.single, phases.scratch, name);
      const s = stack(`bench-${name}`, appStackSettings('bench', name));
      s.useCharts(charts);
      s.init({});
      if (skip) s.setEnv('PULUMI_SKIP_CHECKPOINTS', 'true');
      await phases.measure(
        `single${skip ? '-skip-checkpoints' : ''}`,
        `pulumi up --parallel 64: one app of ${options.single} services${skip ? ' (PULUMI_SKIP_CHECKPOINTS)' : ''}`,
        // docs/deploy.md, "Large stacks": a large app gets more slots than the default 4 per core.
        (log) => up(s, log, ['--parallel', '64'], options.timeoutMs),
        { keepGoing: true },
      );
      Object.assign(states, stateSizes([s]));
    }
    return { phases: phases.done, states };
  } finally {
    backend.remove();
    phases.dispose();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCliArgs(argv, {
    'floor-runs': { type: 'string' },
    'generated-apps': { type: 'string' },
    services: { type: 'string' },
    single: { type: 'string' },
    parallel: { type: 'string' },
    'timeout-minutes': { type: 'string' },
    out: { type: 'string' },
  });
  const count = (flag: string, fallback: string, min: number): number => {
    const raw = (values as Record<string, string | undefined>)[flag] ?? fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} ${raw}: an integer of at least ${min}`);
    return n;
  };
  const options: BenchOptions = {
    floorRuns: count('floor-runs', '3', 1),
    generatedApps: count('generated-apps', '0', 0),
    services: count('services', '10', 1),
    single: count('single', '0', 0),
    parallel: count('parallel', '4', 1),
    timeoutMs: count('timeout-minutes', '40', 1) * 60_000,
  };
  const load = loadavg()[0];
  // Sized for the generated apps (MIN_REPLICAS_PER_SERVICE pods of 100m per service, one of 275m per database;
  // both single-app runs stay deployed) plus the add-ons and the five apps, which fit on the 6 nodes of the e2e
  // cluster. (One pod per service, as before, left the 100 x 10 floor's pods unschedulable: 0/42 nodes.)
  const services = options.generatedApps * options.services + 2 * options.single;
  const coresPerService = MIN_REPLICAS_PER_SERVICE * 0.1 + 0.275 / SERVICES_PER_DATABASE;
  const nodesPerZone = Math.ceil((services * coresPerService) / 3.9 / 3) + 2;
  // Volumes: the pool's are Retain, so every deploy (each floor run, then the app stacks) takes fresh ones for each
  // claim: the five apps' claims at each of their deploys, and two per generated database (its data and its backup
  // volume), the generated apps deployed twice (their floor, then their stacks), each single app once. (Counting
  // one per ten generated services, as before, left the 100 x 10 app stacks from the 57th on without volumes.)
  const index = readChartsIndex(CHARTS);
  const claims = index.apps.reduce((n, a) => n + a.stateful.length, 0);
  const databases = (servicesPerApp: number) => Math.ceil(servicesPerApp / SERVICES_PER_DATABASE);
  const generatedClaims = 2 * (2 * options.generatedApps * databases(options.services) + 2 * databases(options.single));
  const volumes = claims * (options.floorRuns + 1) + 16 + generatedClaims;
  const cluster = await startLocalCluster({ nodesPerZone, volumes });
  let result: Awaited<ReturnType<typeof bench>>;
  try {
    result = await bench(options, cluster);
  } finally {
    stopLocalCluster(cluster, false);
  }
  const run: EngineRun = {
    date: new Date().toISOString().slice(0, 10),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
    machine: `${availableParallelism()} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.versions.node}, ${type()} ${release()}`,
    load: [load, loadavg()[0]],
    nodes: nodesPerZone * 3,
    services,
    phases: result.phases,
    states: result.states,
  };
  const generated = renderEngineResults(run);
  process.stdout.write(`\n${generated}`);
  const out = values.out ?? RESULTS;
  writeFileSync(out, spliceResults(existsSync(out) ? readFileSync(out, 'utf8') : undefined, generated, ENGINE_MARKERS));
  process.stderr.write(`\nwritten to ${out}\n`);
  return 0;
}

runCli(USAGE, () => {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
  return 0;
});
