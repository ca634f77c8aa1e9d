/**
 * What a case program reports to `scripts/bench.ts`: one line on stdout, `BENCH <json>`, with the moments it
 * timed itself and what it produced. Wall time and peak memory are measured from outside (see `runner.ts`).
 */

/** Prefix of the report line. */
export const REPORT_PREFIX = 'BENCH ';

/** The report of one run of a case program. */
export interface CaseReport {
  /** Milliseconds since the process started at the end of each phase, in order (`load`, `build`, `synth`...). */
  readonly phases: Readonly<Record<string, number>>;
  /** Kubernetes objects synthesized, or Pulumi resources registered. */
  readonly objects?: number;
}

/** Milliseconds since the process started (node start-up and transpiling included). */
export function sinceStart(): number {
  return Math.round(process.uptime() * 1000);
}

/** Prints the report line. */
export function report(result: CaseReport): void {
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(result)}\n`);
}
