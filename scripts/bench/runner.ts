/**
 * Runs one case program as a child process and measures it: wall time around the spawn, and the peak resident
 * memory each node process of the run reports at exit through a preloaded probe (no external tool needed).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseReport } from './case-output';
import { REPORT_PREFIX } from './case-output';

/** One measured run. */
export interface Sample {
  /** Wall time of the whole process, spawn to exit, in milliseconds. */
  readonly wallMs: number;
  /** Peak resident set size of the largest node process of the run, in kilobytes. */
  readonly maxRssKb: number;
  /** What the case program reported about itself, if it is one of ours. */
  readonly report?: CaseReport;
  /** Exit code. */
  readonly exitCode: number;
  /** The end of the output, for failed runs. */
  readonly outputTail: string;
}

/** What to run: `node <args>`, in `cwd`. */
export interface Command {
  readonly args: readonly string[];
  readonly cwd: string;
}

/**
 * Loaded into every node process of a run (`NODE_OPTIONS=--require`): appends the process's peak RSS to the file
 * named by `BENCH_RSS_FILE` when it exits. Plain JavaScript, so it costs no transpiling.
 */
const PROBE = `process.on('exit', () => {
  try {
    require('node:fs').appendFileSync(process.env.BENCH_RSS_FILE, process.resourceUsage().maxRSS + '\\n');
  } catch {}
});
`;

/** A scratch folder with the probe; remove it with {@link Scratch.dispose}. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'k8s-platform-bench-'));
  readonly probe = join(this.dir, 'rss-probe.cjs');
  private runs = 0;

  constructor() {
    writeFileSync(this.probe, PROBE);
  }

  /** A new empty folder for one run's output. */
  runDir(): string {
    return mkdtempSync(join(this.dir, `run-${this.runs++}-`));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const OUTPUT_TAIL = 4000;

/** Runs `command` once. */
export function runOnce(command: Command, scratch: Scratch): Promise<Sample> {
  const rssFile = join(scratch.runDir(), 'rss');
  appendFileSync(rssFile, '');
  const env = {
    ...process.env,
    BENCH_RSS_FILE: rssFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${scratch.probe}`.trim(),
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-64 * 1024);
    };
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [...command.args], {
      cwd: command.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const rss = readFileSync(rssFile, 'utf8').split('\n').filter(Boolean).map(Number);
      const line = output.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
      resolve({
        wallMs,
        maxRssKb: rss.length ? Math.max(...rss) : 0,
        report: line ? (JSON.parse(line.slice(REPORT_PREFIX.length)) as CaseReport) : undefined,
        exitCode: code ?? 1,
        outputTail: output.slice(-OUTPUT_TAIL),
      });
    });
  });
}
