/**
 * Typed units at the public API, beside the strings users already write: `Cpu` (cdk8s-plus-27) for CPU, `Size`
 * (cdk8s) for memory and storage, `Duration` (cdk8s) for times. `PropValidator` renders each once, at
 * construction, to the text Kubernetes or the tool reads (`Cpu.millis(250)` is `"250m"`, `Size.gibibytes(10)` is
 * `"10Gi"`, `Duration.minutes(90)` is `"1h30m"`); everything after validation sees that text only.
 */
import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';

/** CPU in cores: a Kubernetes quantity (`"250m"`, `"0.5"`, `"2"`) or a `Cpu` (`Cpu.millis(250)`, `Cpu.units(2)`). */
export type CpuQuantity = string | Cpu;

/** Memory or storage in bytes: a Kubernetes quantity (`"256Mi"`, `"10Gi"`) or a `Size` (`Size.mebibytes(256)`). */
export type SizeQuantity = string | Size;

/** A unit a duration can be written in, largest first in {@link formatDuration}. */
export type DurationUnit = 'd' | 'h' | 'm' | 's' | 'ms';

/** Each {@link DurationUnit}: its milliseconds, its name and the `Duration` factory of that unit. */
export const DURATION_UNITS: Readonly<Record<DurationUnit, { ms: number; name: string; factory: string }>> = {
  d: { ms: 86_400_000, name: 'days', factory: 'days' },
  h: { ms: 3_600_000, name: 'hours', factory: 'hours' },
  m: { ms: 60_000, name: 'minutes', factory: 'minutes' },
  s: { ms: 1000, name: 'seconds', factory: 'seconds' },
  ms: { ms: 1, name: 'milliseconds', factory: 'millis' },
};

/** The `Size` factory of each binary suffix `Size.asString()` writes. */
const SIZE_FACTORIES: Readonly<Record<string, string>> = {
  Ki: 'kibibytes',
  Mi: 'mebibytes',
  Gi: 'gibibytes',
  Ti: 'tebibytes',
  Pi: 'pebibyte',
};

/** The `Duration` getter of each unit `Duration.unitLabel()` names (the labels are also its factories' names). */
const DURATION_GETTERS = {
  millis: 'toMilliseconds',
  seconds: 'toSeconds',
  minutes: 'toMinutes',
  hours: 'toHours',
  days: 'toDays',
} as const;

/** The Kubernetes quantity of a `Cpu` or a `Size`; `undefined` for any other value. */
export function typedQuantityText(value: unknown): string | undefined {
  if (value instanceof Cpu) return value.amount;
  if (value instanceof Size) return value.asString();
  return undefined;
}

/** A duration in milliseconds, without the float noise of `Duration.seconds(1.1)` (1100.0000000000002). */
export function durationMillis(d: Duration): number {
  return Math.round(d.toMilliseconds({ integral: false }) * 1e6) / 1e6;
}

/**
 * A duration written in `units` (largest first), each unit at most once: `Duration.minutes(90)` in `h`, `m`, `s`
 * is `1h30m`; zero is `0s` (or `0` and the smallest unit). `undefined` when the smallest unit does not divide it.
 */
export function formatDuration(d: Duration, units: readonly DurationUnit[]): string | undefined {
  let rest = durationMillis(d);
  const smallest = units[units.length - 1];
  if (!Number.isFinite(rest) || rest % DURATION_UNITS[smallest].ms !== 0) return undefined;
  if (rest === 0) return units.includes('s') ? '0s' : `0${smallest}`;
  let text = '';
  for (const unit of units) {
    const count = Math.floor(rest / DURATION_UNITS[unit].ms);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * DURATION_UNITS[unit].ms;
  }
  return text;
}

/**
 * A typed value as the user wrote it, for an error message: `Cpu.millis(-250)`, `Size.mebibytes(0)`,
 * `Duration.millis(1500)`; `undefined` for any other value.
 */
export function describeTyped(value: unknown): string | undefined {
  if (value instanceof Cpu) {
    return value.amount.endsWith('m') ? `Cpu.millis(${value.amount.slice(0, -1)})` : `Cpu.units(${value.amount})`;
  }
  if (value instanceof Size) {
    const [, amount, suffix] = /^(.*?)([KMGTP]i)$/.exec(value.asString()) ?? [];
    return suffix ? `Size.${SIZE_FACTORIES[suffix]}(${amount})` : `Size (${value.asString()})`;
  }
  if (value instanceof Duration) {
    const label = value.unitLabel() as keyof typeof DURATION_GETTERS;
    const getter = DURATION_GETTERS[label];
    return getter ? `Duration.${label}(${value[getter]({ integral: false })})` : `Duration (${value.toHumanString()})`;
  }
  return undefined;
}

/** The typed form of an example quantity, for a fix: `"250m"` is `Cpu.millis(250)`, `"10Gi"` is `Size.gibibytes(10)`. */
export function typedExample(kind: 'cpu' | 'size', example: string): string {
  if (kind === 'cpu') return example.endsWith('m') ? `Cpu.millis(${example.slice(0, -1)})` : `Cpu.units(${example})`;
  const suffix = example.slice(-2);
  return `Size.${SIZE_FACTORIES[suffix]}(${example.slice(0, -2)})`;
}
