/**
 * `npm run bench [-- --runs 5 --warmup 1 --cases synth,scale,floor,import,pulumi,tests,engine --quick --out <file>]`
 *
 * Runs each case as a separate process, a warm-up and then several measured runs, and prints the median and
 * spread of wall time and peak RSS as Markdown, with the figures of issue #7's targets. A full run (no `--cases`,
 * no `--quick`) also writes them into `bench/results.md`, between its markers.
 * Exit 0: every case ran; 1: a case failed; 2: usage error.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { parseCliArgs, runCli, UsageError } from './lib/cli';
import type { CaseSummary, Machine, Summary } from './bench/results';
import { SCALE_SIZES, renderResults, spliceResults, summarize } from './bench/results';
import type { Command, Sample } from './bench/runner';
import { Scratch, runOnce } from './bench/runner';

const ROOT = join(__dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results.md');
const GROUPS = ['synth', 'scale', 'floor', 'import', 'pulumi', 'tests', 'engine'] as const;
type Group = (typeof GROUPS)[number];
/** What a run without `--cases` measures: everything but the engine, which needs the local tools and ~1 hour. */
const DEFAULT_GROUPS: readonly Group[] = GROUPS.filter((g) => g !== 'engine');

const USAGE = `usage: npm run bench -- [--runs 5] [--warmup 1] [--cases ${GROUPS.join(',')}] [--quick] [--out <file.md>]
                       [--services 1000]

  --runs <n>     measured runs of each case (default 5; the test suite runs once)
  --warmup <n>   unmeasured runs before them (default 1; none for the test suite)
  --cases <list> groups to run (default all but engine):
                   synth   npm run synth of the reference apps (ts-node --swc apps/main.ts), cold process
                   scale   a generated app of ${SCALE_SIZES.join(', ')} services written with the platform
                   floor   the same services with bare cdk8s-plus-27 (Deployment, Service, HPA)
                   import  importing the platform vs importing cdk8s-plus-27
                   pulumi  the Pulumi program (EKS, every add-on, every app) under mocks
                   tests   the whole jest suite
                   engine  the real Pulumi engine on a local cluster: a platform stack and an app stack per
                           app against kubectl apply --server-side (3 floor runs), a no-op up, a preview, 100
                           generated apps of 10 services, one generated app of --services services (default
                           1000) with and without PULUMI_SKIP_CHECKPOINTS; once, hours on 2 cores
  --quick        one run, no warm-up, no test suite
  --out <file>   write the results there (default: bench/results.md, on a full run only)
Exit codes: 0 every case ran, 1 a case failed, 2 usage error.`;

/** One benchmark case: a node command line. */
interface Case {
  readonly id: string;
  readonly group: Group;
  readonly title: string;
  /** Node arguments; `out` is a fresh empty folder for the run's output. */
  readonly args: (out: string) => string[];
  /** Run once without warm-up whatever `--runs` says (too long to repeat). */
  readonly once?: boolean;
}

// The scripts npm runs for `ts-node` and `jest` (their packages do not export these paths).
const TS_NODE = join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
/** The runner `npm run synth` uses; every TypeScript case runs with it, so they compare fairly. */
const tsNode = (file: string, ...args: string[]): string[] => [TS_NODE, '--swc', join(ROOT, file), ...args];

const CASES: readonly Case[] = [
  {
    id: 'synth',
    group: 'synth',
    title: 'npm run synth: every reference app',
    args: (out) => tsNode('apps/main.ts', '--out', out),
  },
  ...SCALE_SIZES.map((n): Case => ({
    id: `app-${n}`,
    group: 'scale',
    title: `platform app, ${n} services`,
    args: (out) => tsNode('scripts/bench/case-platform-app.ts', String(n), out),
  })),
  ...SCALE_SIZES.map((n): Case => ({
    id: `bare-${n}`,
    group: 'floor',
    title: `bare cdk8s-plus-27, ${n} services`,
    args: (out) => tsNode('scripts/bench/case-bare-app.ts', String(n), out),
  })),
  {
    id: 'import-platform',
    group: 'import',
    title: 'import the platform',
    args: () => tsNode('scripts/bench/case-import.ts', 'platform'),
  },
  {
    id: 'import-cdk8s-plus-27',
    group: 'import',
    title: 'import cdk8s-plus-27',
    args: () => tsNode('scripts/bench/case-import.ts', 'cdk8s-plus-27'),
  },
  {
    id: 'pulumi',
    group: 'pulumi',
    title: 'Pulumi program under mocks: EKS, every add-on, every app',
    args: () => tsNode('scripts/bench/case-pulumi-stack.ts'),
  },
  { id: 'tests', group: 'tests', title: 'the whole test suite (jest)', args: () => [JEST, '--silent'], once: true },
];

/** Summary of a case's samples. */
function summarizeCase(c: Case, samples: readonly Sample[], warmup: number): CaseSummary {
  const failed = samples.find((r) => r.exitCode !== 0);
  /** Time from the end of phase `from` to the end of phase `to` (default: the last one), if every run has both. */
  const phaseSpan = (from: string, to?: string): Summary | undefined => {
    const spans = samples.map((r) => {
      const phases = r.report?.phases ?? {};
      const end = phases[to ?? Object.keys(phases).slice(-1)[0]];
      return phases[from] === undefined || end === undefined ? undefined : end - phases[from];
    });
    return spans.length && spans.every((v) => v !== undefined) ? summarize(spans as number[]) : undefined;
  };
  const hasStart = samples[0]?.report?.phases.start !== undefined;
  return {
    id: c.id,
    title: c.title,
    runs: samples.length,
    warmup,
    wallMs: summarize(samples.map((r) => r.wallMs)),
    rssMb: summarize(samples.map((r) => r.maxRssKb / 1024)),
    workMs: hasStart ? undefined : phaseSpan('load'),
    importMs: hasStart ? phaseSpan('start', 'load') : undefined,
    objects: samples[0]?.report?.objects,
    error: failed ? `exit code ${failed.exitCode}` : undefined,
  };
}

function machine(load: readonly [number, number]): Machine {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    os: `${type()} ${release()}`,
    commit,
    load,
    date: new Date().toISOString().slice(0, 10),
  };
}

function positiveInt(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} ${value}: use an integer of at least ${min}`);
  return n;
}

/** What to run, from the command line. */
interface Options {
  readonly runs: number;
  readonly warmup: number;
  readonly cases: readonly Case[];
  readonly out?: string;
  /** Run the engine benchmark, with this many services in its generated app. */
  readonly engine?: { readonly services: number };
}

function parseOptions(argv: readonly string[]): Options | undefined {
  const { values } = parseCliArgs(argv, {
    runs: { type: 'string' },
    warmup: { type: 'string' },
    cases: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    services: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return undefined;
  const runs = positiveInt('runs', values.runs ?? (values.quick ? '1' : '5'), 1);
  const warmup = positiveInt('warmup', values.warmup ?? (values.quick ? '0' : '1'), 0);
  const groups = values.cases ? values.cases.split(',').map((g) => g.trim()) : [...DEFAULT_GROUPS];
  const unknown = groups.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (unknown.length) throw new UsageError(`--cases: unknown ${unknown.join(', ')}; use ${GROUPS.join(', ')}`);
  return {
    runs,
    warmup,
    cases: CASES.filter((c) => groups.includes(c.group) && !(values.quick && c.group === 'tests')),
    out: values.out ?? (values.cases || values.quick ? undefined : RESULTS),
    engine: groups.includes('engine') ? { services: positiveInt('services', values.services ?? '1000', 1) } : undefined,
  };
}

/**
 * Runs the cases in rounds, each case once per round, so that a burst of load from elsewhere on the machine
 * falls on every case alike rather than on one; the first `warmup` rounds are not measured. Cases marked `once`
 * run after the rounds.
 */
async function measure({ runs, warmup, cases }: Options, scratch: Scratch): Promise<Map<Case, Sample[]>> {
  const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
  const failed = new Set<Case>();
  const run = async (c: Case, measured: boolean): Promise<void> => {
    const sample = await runOnce({ args: c.args(scratch.runDir()), cwd: ROOT } satisfies Command, scratch);
    if (measured || sample.exitCode !== 0) samples.get(c)?.push(sample);
    if (sample.exitCode !== 0) {
      failed.add(c);
      process.stderr.write(`\n${c.id} failed (exit code ${sample.exitCode}):\n${sample.outputTail}\n`);
    }
  };
  const repeated = cases.filter((c) => !c.once);
  for (let round = 0; round < warmup + runs; round++) {
    const label = round < warmup ? `warm-up ${round + 1}/${warmup}` : `run ${round - warmup + 1}/${runs}`;
    process.stderr.write(`${label}: `);
    for (const c of repeated.filter((r) => !failed.has(r))) {
      await run(c, round >= warmup);
      process.stderr.write(`${c.id} `);
    }
    process.stderr.write('\n');
  }
  for (const c of cases.filter((r) => r.once)) {
    process.stderr.write(`once: ${c.id}\n`);
    await run(c, true);
  }
  return samples;
}

/** The engine benchmark, in its own process inside the cluster's namespaces; it writes its part of the results. */
function benchEngine({ services }: { services: number }, out: string | undefined): number {
  const r = spawnSync(
    'bash',
    [
      join(ROOT, 'scripts', 'bench', 'engine.sh'),
      ...['--generated-apps', '100', '--services', '10', '--single', String(services)],
      ...(out ? ['--out', out] : []),
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  return r.status ?? 1;
}

async function bench(options: Options): Promise<number> {
  const engine = options.engine ? benchEngine(options.engine, options.out) : 0;
  if (options.cases.length === 0) return engine;
  const loadBefore = loadavg()[0];
  const scratch = new Scratch();
  let samples: Map<Case, Sample[]>;
  try {
    samples = await measure(options, scratch);
  } finally {
    scratch.dispose();
  }
  const summaries = [...samples].map(([c, s]) => summarizeCase(c, s, c.once ? 0 : options.warmup));
  const generated = renderResults(machine([loadBefore, loadavg()[0]]), summaries);
  process.stdout.write(`\n${generated}`);
  if (options.out) {
    const { out } = options;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, spliceResults(existsSync(out) ? readFileSync(out, 'utf8') : undefined, generated));
    process.stderr.write(`\nwritten to ${out}\n`);
  }
  return summaries.some((c) => c.error) || engine !== 0 ? 1 : 0;
}

runCli(USAGE, () => {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  bench(options).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
  return 0;
});
