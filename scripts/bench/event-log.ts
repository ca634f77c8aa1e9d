/**
 * What a `pulumi up --event-log <file>` says about where an update's wall time went: when the first resource
 * step began (engine start, plugins, the program until its first registration), how long each step took from its
 * `resourcePreEvent` to its `resOutputsEvent` (the provider's work plus its await), per resource type, and when
 * the last one ended. The engine stamps events in whole seconds, so durations are ±1 s each.
 */

/** The fields of an engine event this reads (`apitype.EngineEvent`). */
interface EngineEvent {
  readonly timestamp: number;
  readonly preludeEvent?: unknown;
  readonly resourcePreEvent?: { readonly metadata: StepMetadata; readonly planning?: boolean };
  readonly resOutputsEvent?: { readonly metadata: StepMetadata; readonly planning?: boolean };
}

interface StepMetadata {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
}

/** Steps of one resource type. */
export interface TypeTiming {
  readonly type: string;
  /** Steps that did something (not `same`). */
  readonly steps: number;
  /** Sum of their durations, seconds (they overlap: the engine runs steps in parallel). */
  readonly totalSeconds: number;
  /** The longest one, seconds. */
  readonly maxSeconds: number;
}

/** The timing of one update. */
export interface UpdateTiming {
  /** Seconds from the first event to the first resource step. */
  readonly firstStepAt: number;
  /** Seconds from the first event to the end of the last resource step. */
  readonly lastStepAt: number;
  /** Steps by operation (`create`, `update`, `same`, `read`...). */
  readonly ops: Readonly<Record<string, number>>;
  /** Resource types whose steps did something, the largest total first. */
  readonly types: readonly TypeTiming[];
}

/** Parses the event log (one JSON event per line) of one update. */
export function updateTiming(log: string): UpdateTiming {
  const events = log
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as EngineEvent);
  if (events.length === 0) throw new Error('event log: no events');
  const t0 = events[0].timestamp;
  const started = new Map<string, number>();
  const ops: Record<string, number> = {};
  const types = new Map<string, { steps: number; total: number; max: number }>();
  let firstStep: number | undefined;
  let lastStep = 0;
  for (const e of events) {
    const pre = e.resourcePreEvent;
    if (pre && !pre.planning) {
      firstStep ??= e.timestamp - t0;
      started.set(`${pre.metadata.op} ${pre.metadata.urn}`, e.timestamp);
    }
    const out = e.resOutputsEvent;
    if (out && !out.planning) {
      const { op, urn, type } = out.metadata;
      ops[op] = (ops[op] ?? 0) + 1;
      lastStep = Math.max(lastStep, e.timestamp - t0);
      const begin = started.get(`${op} ${urn}`);
      if (op === 'same' || begin === undefined) continue;
      const seconds = e.timestamp - begin;
      const acc = types.get(type) ?? { steps: 0, total: 0, max: 0 };
      types.set(type, { steps: acc.steps + 1, total: acc.total + seconds, max: Math.max(acc.max, seconds) });
    }
  }
  return {
    firstStepAt: firstStep ?? 0,
    lastStepAt: lastStep,
    ops,
    types: [...types]
      .map(([type, t]) => ({ type, steps: t.steps, totalSeconds: t.total, maxSeconds: t.max }))
      .sort((a, b) => b.totalSeconds - a.totalSeconds || a.type.localeCompare(b.type)),
  };
}
