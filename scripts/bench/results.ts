/**
 * The pure part of the benchmark: statistics over runs, the figures the targets are stated in (growth,
 * per-service and per-object overhead, import ratio), and the Markdown written to `bench/results.md`.
 */

/** Median and spread of a set of measurements. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Half the range, relative to the median: `(max - min) / 2 / median` (0 for one run). */
  readonly spread: number;
}

/** Median (mean of the two middle values for an even count) and spread of `values`. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  return { median, min, max, spread: median > 0 ? (max - min) / 2 / median : 0 };
}

/** The measured runs of one case, as the report needs them. */
export interface CaseSummary {
  /** Case id (`synth`, `app-1000`, ...). */
  readonly id: string;
  /** What it measures. */
  readonly title: string;
  readonly runs: number;
  readonly warmup: number;
  /** Wall time, milliseconds. */
  readonly wallMs: Summary;
  /** Peak RSS of the largest process, megabytes. */
  readonly rssMb: Summary;
  /** Time of the work after module load (the case's own `load` to its last phase), milliseconds. */
  readonly workMs?: Summary;
  /** Time of module load alone (from the case's `start` to its `load` phase), milliseconds. */
  readonly importMs?: Summary;
  /** Objects synthesized or resources registered (the same in every run). */
  readonly objects?: number;
  /** Why the case failed, if it did. */
  readonly error?: string;
}

/**
 * Growth of cost with size: `time(large) / time(small)`. Linear growth gives `large / small`; the fixed cost of
 * starting the process makes the whole-process ratio smaller than that.
 */
export function growth(small: number, large: number): number {
  return large / small;
}

/** Marginal cost of one unit between two sizes: `(t2 - t1) / (n2 - n1)`, which cancels the fixed costs. */
export function marginal(t1: number, n1: number, t2: number, n2: number): number {
  if (n2 === n1) throw new Error('marginal: the two sizes are equal');
  return (t2 - t1) / (n2 - n1);
}

/** One line of the targets table. */
export interface TargetCheck {
  readonly name: string;
  /** The measured figure, formatted. */
  readonly measured: string;
  /** The limit, formatted (`≤ 11`). */
  readonly limit: string;
  /** `undefined` for figures shown for context, without a target. */
  readonly met?: boolean;
}

/** The service counts of the scale cases, smallest first. */
export const SCALE_SIZES = [10, 100, 1000] as const;

/** The targets of issue #7. */
export const TARGETS = {
  /** time(1000) / time(100). */
  growth: 11,
  /** Our synth time per object over bare cdk8s-plus-27's. */
  overheadPerObject: 2,
  /** Platform import over cdk8s-plus-27 import. */
  importRatio: 1.2,
  /** Reference apps synth, seconds. */
  synthSeconds: 1.5,
  /** 1000 services, seconds. */
  scaleSeconds: 6,
  /** 1000 services, megabytes. */
  scaleRssMb: 400,
  /** Whole test suite, seconds. */
  testSeconds: 60,
} as const;

const x = (n: number): string => `${n.toFixed(2)}×`;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const ms = (n: number, digits = 2): string => `${n.toFixed(digits)} ms`;

/** Checks every target whose cases were run; figures without a target are included for context. */
export function checkTargets(cases: readonly CaseSummary[]): TargetCheck[] {
  const ok = new Map(cases.filter((c) => !c.error).map((c) => [c.id, c]));
  const checks: TargetCheck[] = [];
  const [small, mid, large] = SCALE_SIZES;
  const synth = ok.get('synth');
  if (synth) {
    checks.push({
      name: 'Synth of the reference apps, cold process',
      measured: s(synth.wallMs.median),
      limit: `< ${TARGETS.synthSeconds} s`,
      met: synth.wallMs.median < TARGETS.synthSeconds * 1000,
    });
  }
  const app = (n: number) => ok.get(`app-${n}`);
  const bare = (n: number) => ok.get(`bare-${n}`);
  const [appMid, appLarge, appSmall] = [app(mid), app(large), app(small)];
  if (appMid && appLarge) {
    const g = growth(appMid.wallMs.median, appLarge.wallMs.median);
    checks.push({
      name: `Growth: time(${large}) / time(${mid}), whole process`,
      measured: g.toFixed(2),
      limit: `≤ ${TARGETS.growth}`,
      met: g <= TARGETS.growth,
    });
    if (appMid.workMs && appLarge.workMs) {
      checks.push({
        name: `Growth of the work after module load (linear: ${large / mid})`,
        measured: growth(appMid.workMs.median, appLarge.workMs.median).toFixed(2),
        limit: '',
      });
    }
  }
  if (appLarge) {
    checks.push(
      {
        name: `${large} services: wall time`,
        measured: s(appLarge.wallMs.median),
        limit: `< ${TARGETS.scaleSeconds} s`,
        met: appLarge.wallMs.median < TARGETS.scaleSeconds * 1000,
      },
      {
        name: `${large} services: peak RSS`,
        measured: `${appLarge.rssMb.median.toFixed(0)} MB`,
        limit: `< ${TARGETS.scaleRssMb} MB`,
        met: appLarge.rssMb.median < TARGETS.scaleRssMb,
      },
    );
  }
  const [bareSmall, bareLarge] = [bare(small), bare(large)];
  if (appSmall && appLarge && bareSmall && bareLarge) {
    const ours = marginal(appSmall.wallMs.median, small, appLarge.wallMs.median, large);
    const floor = marginal(bareSmall.wallMs.median, small, bareLarge.wallMs.median, large);
    checks.push({
      name: `Per service (marginal, ${small}→${large}): ours ${ms(ours)}, bare cdk8s-plus-27 ${ms(floor)}`,
      measured: x(ours / floor),
      limit: '',
    });
    if (appSmall.objects && appLarge.objects && bareSmall.objects && bareLarge.objects) {
      const oursPerObject = marginal(
        appSmall.wallMs.median,
        appSmall.objects,
        appLarge.wallMs.median,
        appLarge.objects,
      );
      const floorPerObject = marginal(
        bareSmall.wallMs.median,
        bareSmall.objects,
        bareLarge.wallMs.median,
        bareLarge.objects,
      );
      const perService = (c: CaseSummary, n: number) => ((c.objects as number) / n).toFixed(1);
      checks.push({
        name:
          `Per object (ours ${perService(appLarge, large)} objects per service, bare ${perService(bareLarge, large)}): ` +
          `ours ${ms(oursPerObject)}, bare ${ms(floorPerObject)}`,
        measured: x(oursPerObject / floorPerObject),
        limit: `≤ ${TARGETS.overheadPerObject}×`,
        met: oursPerObject / floorPerObject <= TARGETS.overheadPerObject,
      });
    }
  }
  const [ourImport, plusImport] = [ok.get('import-platform'), ok.get('import-cdk8s-plus-27')];
  if (ourImport && plusImport) {
    const ratio = ourImport.wallMs.median / plusImport.wallMs.median;
    checks.push({
      name: `Import, whole process: platform ${s(ourImport.wallMs.median)}, cdk8s-plus-27 ${s(plusImport.wallMs.median)}`,
      measured: x(ratio),
      limit: `≤ ${TARGETS.importRatio}×`,
      met: ratio <= TARGETS.importRatio,
    });
    if (ourImport.importMs && plusImport.importMs) {
      checks.push({
        name: `Import alone (after node and ts-node start): platform ${ms(ourImport.importMs.median, 0)}, cdk8s-plus-27 ${ms(plusImport.importMs.median, 0)}`,
        measured: x(ourImport.importMs.median / plusImport.importMs.median),
        limit: '',
      });
    }
  }
  const tests = ok.get('tests');
  if (tests) {
    checks.push({
      name: 'Whole test suite',
      measured: s(tests.wallMs.median),
      limit: `< ${TARGETS.testSeconds} s`,
      met: tests.wallMs.median < TARGETS.testSeconds * 1000,
    });
  }
  return checks;
}

/** A Markdown table; cells must not contain `|`. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

/** The machine the figures were taken on. */
export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
  /** Commit the working tree was at. */
  readonly commit: string;
  /** One-minute load average before and after the run (other work on the machine adds noise). */
  readonly load: readonly [number, number];
  /** Day of the run (`YYYY-MM-DD`). */
  readonly date: string;
}

const range = (sum: Summary, digits: number, scale = 1): string =>
  `${(sum.min / scale).toFixed(digits)}–${(sum.max / scale).toFixed(digits)} (±${(sum.spread * 100).toFixed(0)}%)`;

/** The generated Markdown: machine, one row per case, and the targets. */
export function renderResults(machine: Machine, cases: readonly CaseSummary[]): string {
  const rows = cases.map((c) =>
    c.error
      ? [c.id, c.title, String(c.runs), `failed: ${c.error.replace(/\|/g, '/')}`, '', '', '', '']
      : [
          c.id,
          c.title,
          `${c.runs} (+${c.warmup})`,
          s(c.wallMs.median),
          range(c.wallMs, 2, 1000),
          c.rssMb.median.toFixed(0),
          range(c.rssMb, 0),
          c.objects === undefined ? '' : String(c.objects),
        ],
  );
  const checks = checkTargets(cases);
  const targetRows = checks.map((t) => [
    t.name,
    t.measured,
    t.limit,
    t.met === undefined ? '' : t.met ? 'yes' : '**no**',
  ]);
  return [
    `Measured on ${machine.date} at \`${machine.commit}\`: ${machine.cores} cores (${machine.cpu}), ` +
      `${machine.memoryGb} GB, Node ${machine.node}, ${machine.os}; load average ` +
      `${machine.load[0].toFixed(1)} before, ${machine.load[1].toFixed(1)} after.`,
    '',
    markdownTable(
      ['Case', 'What', 'Runs (+warm-up)', 'Wall median', 'Wall min–max (s)', 'Peak RSS (MB)', 'RSS min–max', 'Objects'],
      rows,
    ),
    ...(checks.length
      ? ['### Against the targets', '', markdownTable(['Figure', 'Measured', 'Target', 'Met'], targetRows)]
      : []),
  ].join('\n');
}

/** Markers around the generated part of `bench/results.md`; the text outside them is kept. */
export const BEGIN_MARKER = '<!-- bench:begin (generated by npm run bench; edit outside the markers) -->';
export const END_MARKER = '<!-- bench:end -->';

/** The two markers around one generated part. */
export interface Markers {
  readonly begin: string;
  readonly end: string;
}

/**
 * `document` with the part between `markers` replaced by `generated` (a new document if there is none; appended
 * to a document without them).
 */
export function spliceResults(
  document: string | undefined,
  generated: string,
  markers: Markers = { begin: BEGIN_MARKER, end: END_MARKER },
): string {
  const block = `${markers.begin}\n\n${generated.trimEnd()}\n\n${markers.end}`;
  if (document === undefined) return `# Benchmark results\n\nReproduce with \`npm run bench\`.\n\n${block}\n`;
  const begin = document.indexOf(markers.begin);
  const end = document.indexOf(markers.end);
  if (begin < 0 || end < begin) return `${document.trimEnd()}\n\n${block}\n`;
  return document.slice(0, begin) + block + document.slice(end + markers.end.length);
}
