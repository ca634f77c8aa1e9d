/**
 * The real engine's benchmark (`npm run bench -- --cases engine`, issue #12): on one local cluster, in one run,
 *
 * 1. `pulumi up` of the add-ons the five reference apps need (the stack's `apps` set to none);
 * 2. the floor: `kubectl apply --server-side` of every object of `charts-out/`, then until they rolled out; the
 *    namespaces are then deleted again;
 * 3. `pulumi up` of the five apps, add-ons in place;
 * 4. a no-op `pulumi up --expect-no-changes`;
 * 5. `pulumi preview --diff` after a one-service change (chat's backend image);
 * 6. `pulumi up` of a generated app of N services (`case-platform-app.ts`) next to the five apps.
 *
 * Each phase records its wall time, the CPU time of every component (engine, language host, program, providers,
 * API server, etcd...) from `/proc`, and, for updates, the engine's event log; the Node program's peak RSS comes
 * from the probe of `runner.ts`. Runs inside `scripts/cluster/netns.sh` with the tools on PATH (`engine.sh`).
 *
 * Usage: `ts-node --swc scripts/bench/engine.ts [--services 1000] [--out bench/results.md]`
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { ChartsIndex } from '../../platform/contract';
import { KubeClient, targetFromKubeconfig } from '../cluster/kube-client';
import { startLocalCluster, stopLocalCluster } from '../cluster/local-cluster';
import type { ClusterState } from '../cluster/local-cluster';
import { LOCAL_CLUSTER_SETTINGS, LocalStack } from '../cluster/pulumi-stack';
import type { PulumiRun } from '../cluster/pulumi-stack';
import { waitForWorkloads, workloadTargets } from '../cluster/rollout';
import { parseCliArgs, runCli, UsageError } from '../lib/cli';
import { loadManifestDir } from '../lib/manifests';
import { requiredAddons } from '../../stacks/program';
import type { EnginePhase, EngineRun } from './engine-results';
import { ENGINE_MARKERS, renderEngineResults } from './engine-results';
import { updateTiming } from './event-log';
import { ProcSampler } from './proc-sampler';
import type { ComponentUsage } from './proc-sampler';
import { spliceResults } from './results';
import { Scratch } from './runner';

const ROOT = join(__dirname, '..', '..');
const CHARTS = join(ROOT, 'charts-out');
const RESULTS = join(ROOT, 'bench', 'results.md');
const USAGE = 'usage: ts-node --swc scripts/bench/engine.ts [--services 1000] [--out bench/results.md]';
/** The one-service change of phase 5 (scenario c of the e2e suite makes the same one). */
const CHANGE = 'chat/backend/image=ghcr.io/stefanprodan/podinfo:6.7.0';
/** The secret the meetings app asks the stack for. */
const SECRETS = { 'meetings/bot-telegram/token': 'bench-token' };
const ROLLOUT_TIMEOUT_MS = 900_000;
/** The generated app's update is cancelled after this long, and recorded as failed. */
const GENERATED_TIMEOUT_MS = 2_400_000;

/** Runs a TypeScript script of the repository the way `npm run synth` does. */
function tsNode(script: string, ...args: string[]): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--swc', script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** `charts-out/` plus the generated app of `services` services, as one charts directory with one index. */
function chartsWithGeneratedApp(services: number, scratch: Scratch): string {
  const generated = scratch.runDir();
  tsNode(join(ROOT, 'scripts', 'bench', 'case-platform-app.ts'), String(services), generated);
  const dir = scratch.runDir();
  cpSync(CHARTS, dir, { recursive: true });
  const ours = JSON.parse(readFileSync(join(CHARTS, 'index.json'), 'utf8')) as ChartsIndex;
  const theirs = JSON.parse(readFileSync(join(generated, 'index.json'), 'utf8')) as ChartsIndex;
  for (const app of theirs.apps) cpSync(join(generated, app.file), join(dir, app.file));
  writeFileSync(
    join(dir, 'index.json'),
    `${JSON.stringify({ ...ours, apps: [...ours.apps, ...theirs.apps] }, null, 2)}\n`,
  );
  return dir;
}

/** Runs `kubectl` without blocking the event loop (the sampler runs meanwhile); throws on failure. */
function kubectl(kubeconfig: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim()}`)),
    );
  });
}

interface Namespace {
  metadata: { name: string };
  spec?: { finalizers?: string[] };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/**
 * Deletes the namespaces and waits until they are gone. The namespace controller removes their content but keeps
 * the namespace while an aggregated API (the metrics adapter's, Linkerd's tap) is unreachable, as every one is here
 * without a pod network; once it reports the content and its finalizers gone, the namespace is finalized.
 */
async function deleteNamespaces(client: KubeClient, names: readonly string[]): Promise<void> {
  for (const name of names) await client.call('DELETE', `/api/v1/namespaces/${name}`);
  const deadline = Date.now() + 600_000;
  let left = [...names];
  while (left.length > 0) {
    if (Date.now() > deadline) throw new Error(`namespaces still there after 600 s: ${left.join(', ')}`);
    await new Promise((r) => setTimeout(r, 1000));
    const live = await Promise.all(left.map((n) => client.get<Namespace>('v1', 'Namespace', undefined, n)));
    left = left.filter((_, i) => live[i]);
    for (const ns of live) {
      const emptied = ['NamespaceContentRemaining', 'NamespaceFinalizersRemaining'].every((type) =>
        ns?.status?.conditions?.some((c) => c.type === type && c.status === 'False'),
      );
      if (!ns || !emptied) continue;
      const body = JSON.stringify({ ...ns, spec: { ...ns.spec, finalizers: [] } });
      await client.call('PUT', `/api/v1/namespaces/${ns.metadata.name}/finalize`, body, 'application/json');
    }
  }
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
    work: (eventLog: string) => Promise<PulumiRun | void>,
    { keepGoing = false } = {},
  ): Promise<void> {
    process.stderr.write(`engine bench: ${id}...\n`);
    writeFileSync(this.rssFile, '');
    const eventLog = join(this.scratch.runDir(), 'events.jsonl');
    const t0 = Date.now();
    this.sampler.begin();
    let run: PulumiRun | void;
    let usage: ComponentUsage[];
    try {
      run = await work(eventLog);
    } finally {
      usage = this.sampler.end();
    }
    const seconds = (Date.now() - t0) / 1000;
    const failed = run && run.status !== 0 ? `pulumi exited ${run.status}` : undefined;
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
      timing: existsSync(eventLog) ? updateTiming(readFileSync(eventLog, 'utf8')) : undefined,
      programRssMb: rss.length ? Math.max(...rss) / 1024 : undefined,
      error: failed,
    });
    process.stderr.write(`engine bench: ${id}: ${seconds.toFixed(1)} s\n`);
  }

  dispose(): void {
    this.scratch.dispose();
  }
}

async function bench(services: number, cluster: ClusterState): Promise<EnginePhase[]> {
  const client = new KubeClient(targetFromKubeconfig(cluster.kubeconfig));
  const index = JSON.parse(readFileSync(join(CHARTS, 'index.json'), 'utf8')) as ChartsIndex;
  const manifests = loadManifestDir(CHARTS).objects;
  const files = index.apps.map((a) => join(CHARTS, a.file));
  const phases = new Phases();
  const addons = requiredAddons({ addons: [] }, index.apps);
  const stack = new LocalStack(cluster.kubeconfig, {
    name: 'bench',
    settings: { ...LOCAL_CLUSTER_SETTINGS, apps: [], addons },
    // `--event-log` is a flag of the debug commands.
    env: { ...phases.probeEnv(), PULUMI_DEBUG_COMMANDS: 'true' },
  });
  const up =
    (extra: readonly string[] = []) =>
    (eventLog: string) =>
      stack.stackAsync(['up', '--yes', '--skip-preview', '--event-log', eventLog, ...extra]);
  try {
    stack.init({});
    await phases.measure('addons', `pulumi up: the add-ons of the five apps (${addons.join(', ')})`, up());

    await phases.measure('floor-apply', 'kubectl apply --server-side: every object of charts-out/', () =>
      kubectl(cluster.kubeconfig, [
        'apply',
        '--server-side',
        '--field-manager',
        'bench-floor',
        ...files.flatMap((f) => ['-f', f]),
      ]),
    );
    await phases.measure('floor-rollout', 'then until every workload rolled out', () =>
      waitForWorkloads(client, workloadTargets(manifests), ROLLOUT_TIMEOUT_MS),
    );
    await deleteNamespaces(
      client,
      index.apps.map((a) => a.namespace),
    );

    stack.must(['config', 'rm', 'k8s-platform:apps']);
    stack.setSecrets(SECRETS);
    // The engine's own CPU profile of this update (pprof), kept where BENCH_ENGINE_PROFILE says.
    const profile = process.env.BENCH_ENGINE_PROFILE;
    await phases.measure(
      'apps',
      'pulumi up: the five apps, add-ons in place',
      up(profile ? ['--profiling', profile] : []),
    );
    await phases.measure('noop', 'pulumi up --expect-no-changes', up(['--expect-no-changes']));

    const changed = phases.scratch.runDir();
    tsNode(join(ROOT, 'apps', 'main.ts'), '--out', changed, '--context', CHANGE);
    stack.useCharts(changed);
    await phases.measure('preview', `pulumi preview --diff after one change (${CHANGE})`, () =>
      stack.stackAsync(['preview', '--diff']),
    );

    stack.useCharts(chartsWithGeneratedApp(services, phases.scratch));
    // The file backend writes the whole state after every step: 65% of the engine's CPU in the apps phase already
    // (its profile, see bench/results.md), quadratic in the stack's resources. Users of large stacks skip the
    // intermediate checkpoints, as here. 64 parallel steps, not the default 8 on 2 cores: most steps of this app
    // only wait on the API server (before AppDeployment.podPrerequisites, 8 awaiting StatefulSets stalled it).
    stack.setEnv('PULUMI_SKIP_CHECKPOINTS', 'true');
    stack.setEnv('PULUMI_PARALLEL', '64');
    await phases.measure(
      'generated',
      `pulumi up: a generated app of ${services} services next to the five (PULUMI_SKIP_CHECKPOINTS, PULUMI_PARALLEL=64)`,
      (eventLog) => stack.stackAsync(['up', '--yes', '--skip-preview', '--event-log', eventLog], GENERATED_TIMEOUT_MS),
      { keepGoing: true },
    );
    return phases.done;
  } finally {
    stack.remove();
    phases.dispose();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCliArgs(argv, { services: { type: 'string' }, out: { type: 'string' } });
  const services = Number(values.services ?? '1000');
  if (!Number.isInteger(services) || services < 1) throw new UsageError(`--services ${values.services}: a count`);
  const load = loadavg()[0];
  // Sized for the generated app (a pod of 100m per service, one of 275m per database) plus the add-ons and the
  // five apps, which fit on the 6 nodes of the e2e cluster.
  const nodesPerZone = Math.ceil((services * 0.13) / 3.9 / 3) + 2;
  const cluster = await startLocalCluster({ nodesPerZone, volumes: 40 + Math.ceil(services / 10) });
  let phases: EnginePhase[];
  try {
    phases = await bench(services, cluster);
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
    phases,
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
