import { ENGINE_MARKERS, checkEngineTargets, renderEngineResults } from '../../scripts/bench/engine-results';
import type { EnginePhase, EngineRun } from '../../scripts/bench/engine-results';
import { updateTiming } from '../../scripts/bench/event-log';
import { componentOf, parseReading, usageBetween } from '../../scripts/bench/proc-sampler';
import type { ProcReading } from '../../scripts/bench/proc-sampler';
import { spliceResults } from '../../scripts/bench/results';

const event = (timestamp: number, body: Record<string, unknown>) => JSON.stringify({ timestamp, ...body });
const step = (op: string, urn: string, type: string) => ({ metadata: { op, urn, type } });

describe('updateTiming (engine event log)', () => {
  const log = [
    event(100, { preludeEvent: {} }),
    event(103, { resourcePreEvent: step('create', 'urn:a', 'kubernetes:apps/v1:Deployment') }),
    event(104, { resourcePreEvent: step('same', 'urn:s', 'pulumi:pulumi:Stack') }),
    event(104, { resOutputsEvent: step('same', 'urn:s', 'pulumi:pulumi:Stack') }),
    event(105, { resourcePreEvent: step('create', 'urn:b', 'kubernetes:apps/v1:Deployment') }),
    event(106, { resourcePreEvent: step('create', 'urn:c', 'kubernetes:core/v1:Service') }),
    event(107, { resOutputsEvent: step('create', 'urn:c', 'kubernetes:core/v1:Service') }),
    event(113, { resOutputsEvent: step('create', 'urn:a', 'kubernetes:apps/v1:Deployment') }),
    event(125, { resOutputsEvent: step('create', 'urn:b', 'kubernetes:apps/v1:Deployment') }),
    event(126, { summaryEvent: {} }),
  ].join('\n');

  test('the first step starts after the engine and the program started; the last one ends the update', () => {
    const t = updateTiming(log);
    expect([t.firstStepAt, t.lastStepAt]).toEqual([3, 25]);
    expect(t.ops).toEqual({ create: 3, same: 1 });
  });

  test('step times are summed per type, the largest first; same steps are not timed', () => {
    expect(updateTiming(log).types).toEqual([
      { type: 'kubernetes:apps/v1:Deployment', steps: 2, totalSeconds: 30, maxSeconds: 20 },
      { type: 'kubernetes:core/v1:Service', steps: 1, totalSeconds: 1, maxSeconds: 1 },
    ]);
  });

  test('planning events (a preview) are not steps', () => {
    const preview = [
      event(1, { preludeEvent: {} }),
      event(2, { resourcePreEvent: { ...step('update', 'urn:a', 'T'), planning: true } }),
      event(3, { resOutputsEvent: { ...step('update', 'urn:a', 'T'), planning: true } }),
    ].join('\n');
    expect(updateTiming(preview)).toEqual({ firstStepAt: 0, lastStepAt: 0, ops: {}, types: [] });
  });

  test('an empty log is an error, not an update that took no time', () => {
    expect(() => updateTiming('\n')).toThrow('no events');
  });
});

describe('proc sampler', () => {
  test('CPU ticks and peak memory come from stat and status, whatever the process name holds', () => {
    // A name with a space and a parenthesis: fields are counted after the last ')'.
    const stat = '42 (node (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 123 456 789';
    const r = parseReading(42, 'node', stat, 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t 1000 kB\n');
    expect(r).toEqual({ pid: 42, exe: 'node', ticks: 300, hwmKb: 204800 });
  });

  test('executables map to the components the results name', () => {
    expect(
      ['node', 'pulumi', 'pulumi-language-nodejs', 'pulumi-resource-kubernetes', 'etcd', 'bash'].map(componentOf),
    ).toEqual(['program (node)', 'engine (pulumi CLI)', 'language host', 'provider kubernetes', 'etcd', 'other']);
  });

  test('usage counts what each process used since the start, new processes from zero', () => {
    const reading = (pid: number, exe: string, ticks: number, hwmKb = 0): [number, ProcReading] => [
      pid,
      { pid, exe, ticks, hwmKb },
    ];
    const start = new Map([reading(1, 'kube-apiserver', 1000), reading(7, 'bash', 5)]);
    const end = new Map([
      reading(1, 'kube-apiserver', 1600, 500 * 1024),
      reading(7, 'bash', 5),
      reading(20, 'pulumi-resource-kubernetes', 150, 100 * 1024),
      reading(21, 'pulumi-resource-kubernetes', 50, 300 * 1024),
    ]);
    expect(usageBetween(start, end)).toEqual([
      { component: 'kube-apiserver', cpuSeconds: 6, peakRssMb: 500, processes: 1 },
      { component: 'provider kubernetes', cpuSeconds: 2, peakRssMb: 300, processes: 2 },
      { component: 'other', cpuSeconds: 0, peakRssMb: 0, processes: 1 },
    ]);
  });

  test('a reused pid (another executable) counts from zero', () => {
    const start = new Map([[9, { pid: 9, exe: 'kubectl', ticks: 400, hwmKb: 0 }]]);
    const end = new Map([[9, { pid: 9, exe: 'node', ticks: 100, hwmKb: 0 }]]);
    expect(usageBetween(start, end)[0]).toMatchObject({ component: 'program (node)', cpuSeconds: 1 });
  });
});

describe('engine results', () => {
  const phase = (id: string, seconds: number, extra: Partial<EnginePhase> = {}): EnginePhase => ({
    id,
    title: id,
    seconds,
    usage: [],
    ...extra,
  });
  const run = (phases: EnginePhase[]): EngineRun => ({
    date: '2026-12-02',
    commit: 'abc1234',
    machine: '2 cores',
    load: [1, 2],
    nodes: 42,
    services: 1000,
    phases,
  });

  test('the first deploy, the no-op up and the preview are measured against the median floor, with its spread', () => {
    const checks = checkEngineTargets(
      run([
        phase('floor-apply-1', 12),
        phase('floor-rollout-1', 20),
        phase('floor-apply-2', 10),
        phase('floor-rollout-2', 22),
        phase('floor-apply-3', 8),
        phase('floor-rollout-3', 18),
        phase('apps', 31),
        phase('noop', 9),
        phase('preview', 11),
      ]),
    );
    expect(checks.map((c) => [c.measured, c.met])).toEqual([
      ['3.10× (31.0 s / 10.0 s) median floor; 2.58×–3.88× over 3 floor runs', false],
      ['1.03× (31.0 s / 30.0 s)', undefined],
      ['0.90× (9.0 s / 10.0 s) median floor; 0.75×–1.13× over 3 floor runs', true],
      ['1.10× (11.0 s / 10.0 s) median floor; 0.92×–1.38× over 3 floor runs', false],
    ]);
  });

  test('every program but the single app is held to the peak RSS target, the worst one named', () => {
    const checks = checkEngineTargets(
      run([
        phase('apps', 60, { programRssMb: 320 }),
        phase('generated-gen100x10', 600, { programRssMb: 510 }),
        phase('single', 900, { programRssMb: 2900 }),
      ]),
    );
    expect(checks.at(-1)).toMatchObject({ measured: '510 MB (generated-gen100x10)', limit: '< 500 MB', met: false });
    expect(checks.find((c) => c.name === 'single')).toMatchObject({
      measured: '900.0 s, Node program peak 2900 MB',
      limit: '(completes)',
    });
  });

  test('a generated run is measured against the floor of its own objects; a failed single app does not complete', () => {
    const checks = checkEngineTargets(
      run([
        phase('floor-apply-gen100x10-1', 50),
        phase('generated-gen100x10', 125),
        phase('single', 2400, { error: 'pulumi exited 1' }),
      ]),
    );
    expect(checks.map((c) => [c.measured, c.met])).toEqual([
      ['2.50× (125.0 s / 50.0 s) median floor', undefined],
      ['2400.0 s', false],
    ]);
    expect(renderEngineResults(run([phase('single', 2400, { error: 'pulumi exited 1' })]))).toContain(
      '| single | single | 2400.0 | **failed: pulumi exited 1** |',
    );
  });

  test('the state size of each stack is listed', () => {
    const md = renderEngineResults({ ...run([phase('apps', 1)]), states: { bench: 123, 'bench-chat': 45 } });
    expect(md).toContain('| bench-chat | 45 |');
  });

  test('the rendering names every phase, the CPU of every component and the slowest types', () => {
    const md = renderEngineResults(
      run([
        phase('floor-apply-1', 10, {
          usage: [{ component: 'kube-apiserver', cpuSeconds: 4, peakRssMb: 300, processes: 1 }],
        }),
        phase('apps', 40, {
          usage: [
            { component: 'engine (pulumi CLI)', cpuSeconds: 12, peakRssMb: 200, processes: 1 },
            { component: 'kube-apiserver', cpuSeconds: 6, peakRssMb: 320, processes: 1 },
          ],
          timing: {
            firstStepAt: 5,
            lastStepAt: 38,
            ops: { create: 3 },
            types: [{ type: 'kubernetes:apps/v1:Deployment', steps: 3, totalSeconds: 60, maxSeconds: 30 }],
          },
          programRssMb: 250,
        }),
      ]),
    );
    expect(md).toContain('| kube-apiserver | 4.0 (300 MB) | 6.0 (320 MB) |');
    expect(md).toContain('| engine (pulumi CLI) |  | 12.0 (200 MB) |');
    expect(md).toContain('| apps | apps | 40.0 | create 3 | 5 | 38 | 250 |');
    expect(md).toContain('| `kubernetes:apps/v1:Deployment` | 3 | 60 | 30 |');
    expect(md).toContain('4.00× (40.0 s / 10.0 s)');
  });

  test('the engine part of the results file is replaced between its own markers, the rest kept', () => {
    const doc = `# R\n\n<!-- bench:begin x -->\nA\n<!-- bench:end -->\n\n${ENGINE_MARKERS.begin}\nold\n${ENGINE_MARKERS.end}\nnotes\n`;
    expect(spliceResults(doc, 'new', ENGINE_MARKERS)).toBe(
      `# R\n\n<!-- bench:begin x -->\nA\n<!-- bench:end -->\n\n${ENGINE_MARKERS.begin}\n\nnew\n\n${ENGINE_MARKERS.end}\nnotes\n`,
    );
  });
});
