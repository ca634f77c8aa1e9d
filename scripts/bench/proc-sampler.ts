/**
 * Where the CPU goes during a phase of the engine benchmark: samples `/proc` (inside the benchmark's PID
 * namespace it lists only the processes of the run) and adds up, per component, the CPU time each process used
 * and the peak resident memory it reached. A process that ends between two samples loses at most one interval of
 * CPU time; the interval is short against the phases measured (minutes).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';

/** What one sample read of one process. */
export interface ProcReading {
  readonly pid: number;
  /** Basename of the executable (`argv[0]`), e.g. `pulumi-resource-kubernetes`. */
  readonly exe: string;
  /** User plus system CPU time, in clock ticks. */
  readonly ticks: number;
  /** Peak resident set size (`VmHWM`), in kilobytes. */
  readonly hwmKb: number;
}

/** CPU time and peak memory of one component over a phase. */
export interface ComponentUsage {
  readonly component: string;
  /** CPU seconds, user plus system, of all its processes. */
  readonly cpuSeconds: number;
  /** Largest peak RSS of any of its processes, in megabytes. */
  readonly peakRssMb: number;
  readonly processes: number;
}

/** Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`, 100 on every Linux this runs on). */
const CLOCK_TICKS = 100;

/** The component a process belongs to, from its executable's name. */
export function componentOf(exe: string): string {
  if (exe === 'node') return 'program (node)';
  if (exe === 'pulumi') return 'engine (pulumi CLI)';
  if (exe === 'pulumi-language-nodejs') return 'language host';
  if (exe.startsWith('pulumi-resource-')) return `provider ${exe.slice('pulumi-resource-'.length)}`;
  if (['kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kubectl'].includes(exe))
    return exe;
  return 'other';
}

/** Parses `/proc/<pid>/stat` and the `VmHWM` line of `/proc/<pid>/status`; fields after the `)` of the name. */
export function parseReading(pid: number, exe: string, stat: string, status: string): ProcReading {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12 here.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return { pid, exe, ticks, hwmKb: hwm ? Number(hwm[1]) : 0 };
}

/**
 * Usage per component between two moments: for each process of `end` (the last reading of every process seen),
 * the CPU it used since `start` (0 for a process that did not exist then). Largest CPU first.
 */
export function usageBetween(
  start: ReadonlyMap<number, ProcReading>,
  end: ReadonlyMap<number, ProcReading>,
): ComponentUsage[] {
  const byComponent = new Map<string, { ticks: number; hwmKb: number; processes: number }>();
  for (const reading of end.values()) {
    const before = start.get(reading.pid);
    const used = reading.ticks - (before && before.exe === reading.exe ? before.ticks : 0);
    const name = componentOf(reading.exe);
    const acc = byComponent.get(name) ?? { ticks: 0, hwmKb: 0, processes: 0 };
    byComponent.set(name, {
      ticks: acc.ticks + Math.max(0, used),
      hwmKb: Math.max(acc.hwmKb, reading.hwmKb),
      processes: acc.processes + 1,
    });
  }
  return [...byComponent]
    .map(([component, u]) => ({
      component,
      cpuSeconds: u.ticks / CLOCK_TICKS,
      peakRssMb: u.hwmKb / 1024,
      processes: u.processes,
    }))
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds || a.component.localeCompare(b.component));
}

/** Reads every process of `/proc` except `self` (a process that ends while being read is skipped). */
export function readProcs(self = process.pid): Map<number, ProcReading> {
  const out = new Map<number, ProcReading>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === self) continue;
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      if (!argv0) continue; // a kernel thread or a zombie
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      out.set(pid, parseReading(pid, basename(argv0), stat, readFileSync(`/proc/${pid}/status`, 'utf8')));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Samples `/proc` every `intervalMs` from {@link ProcSampler.start} to {@link ProcSampler.stop}. */
export class ProcSampler {
  private start = new Map<number, ProcReading>();
  private last = new Map<number, ProcReading>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 250) {}

  /** Starts a phase: remembers what every running process has used so far. */
  begin(): void {
    this.start = readProcs();
    this.last = new Map(this.start);
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Ends the phase; returns the usage per component. */
  end(): ComponentUsage[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return usageBetween(this.start, this.last);
  }

  private sample(): void {
    for (const [pid, reading] of readProcs()) this.last.set(pid, reading);
  }
}
