/**
 * Cron schedules as a Kubernetes CronJob reads them (the standard five fields of robfig/cron, which the
 * controller uses: numbers, `*`, `?`, ranges, steps, lists, month and weekday names, and the `@yearly` ...
 * `@hourly` macros), parsed to check them at construction and to know the longest time between two runs, from
 * which an alert on a job that stopped succeeding is derived.
 */

/** A parsed schedule: the values each field matches. */
export interface CronSchedule {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** robfig/cron: when either day field is `*` (or `?`), a day must match both; otherwise either. */
  readonly dayStar: boolean;
}

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Value of the first name (`jan` is 1, `sun` is 0). */
  readonly nameBase?: number;
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 6, names: WEEKDAYS, nameBase: 0 },
];

/** Thrown by {@link parseCron} with what is wrong, for the caller's own error. */
export class CronSyntaxError extends Error {}

function value(field: Field, text: string): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (field.nameBase ?? 0);
  if (!/^\d+$/.test(text)) throw new CronSyntaxError(`${JSON.stringify(text)} is not a ${field.name}`);
  const n = Number(text);
  if (n < field.min || n > field.max) {
    throw new CronSyntaxError(`${field.name} ${n} is outside ${field.min}-${field.max}`);
  }
  return n;
}

function parseField(field: Field, text: string): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined) throw new CronSyntaxError(`${JSON.stringify(part)} has two steps`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw new CronSyntaxError(`step ${JSON.stringify(stepText)} of the ${field.name} is not a positive number`);
      }
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      [low, high] = [field.min, field.max];
      if (step === 1) star = true;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [low, high] = [value(field, a), value(field, b)];
      if (low > high) throw new CronSyntaxError(`${field.name} range ${JSON.stringify(range)} runs backwards`);
    } else {
      low = value(field, range);
      // robfig/cron: `N/step` runs from N to the field's end.
      high = stepText === undefined ? low : field.max;
    }
    for (let n = low; n <= high; n += step) values.add(n);
  }
  return { values, star };
}

/** Parses a CronJob schedule; throws a {@link CronSyntaxError} saying what is wrong. */
export function parseCron(expression: string): CronSchedule {
  if (typeof expression !== 'string') throw new CronSyntaxError('is not a string');
  const trimmed = expression.trim();
  if (/^(TZ|CRON_TZ)=/.test(trimmed)) {
    throw new CronSyntaxError(
      'names a time zone, which Kubernetes refuses in the schedule (it has a field of its own)',
    );
  }
  if (trimmed.startsWith('@every')) throw new CronSyntaxError('uses @every, which a CronJob schedule does not take');
  const text = MACROS[trimmed.toLowerCase()] ?? trimmed;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    throw new CronSyntaxError(
      `has ${parts.length} field${parts.length === 1 ? '' : 's'}, not the 5 of minute hour day-of-month month day-of-week`,
    );
  }
  type Parsed = ReturnType<typeof parseField>;
  const [minute, hour, dom, month, dow] = FIELDS.map((field, i) => parseField(field, parts[i] as string)) as [
    Parsed,
    Parsed,
    Parsed,
    Parsed,
    Parsed,
  ];
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return {
    minutes: sorted(minute.values),
    hours: sorted(hour.values),
    daysOfMonth: dom.values,
    months: month.values,
    daysOfWeek: dow.values,
    dayStar: dom.star || dow.star,
  };
}

/** Days looked at: eight years cover every calendar a schedule can depend on, February 29 included. */
const HORIZON_DAYS = 8 * 366;

/**
 * The longest time between two consecutive runs of a schedule, in seconds (in UTC, the CronJobs' time zone here).
 * Throws a {@link CronSyntaxError} for a schedule that never runs (`0 0 31 2 *`).
 */
export function maxIntervalSeconds(schedule: CronSchedule): number {
  const inDay = schedule.hours.flatMap((h) => schedule.minutes.map((m) => h * 60 + m));
  const first = inDay[0];
  const last = inDay[inDay.length - 1];
  let longest = 0;
  for (let i = 1; i < inDay.length; i++) longest = Math.max(longest, (inDay[i] as number) - (inDay[i - 1] as number));
  const start = Date.UTC(2024, 0, 1);
  let previousDay: number | undefined;
  for (let d = 0; d < HORIZON_DAYS; d++) {
    const date = new Date(start + d * 86_400_000);
    if (!schedule.months.has(date.getUTCMonth() + 1)) continue;
    const dom = schedule.daysOfMonth.has(date.getUTCDate());
    const dow = schedule.daysOfWeek.has(date.getUTCDay());
    if (!(schedule.dayStar ? dom && dow : dom || dow)) continue;
    if (previousDay !== undefined) {
      longest = Math.max(longest, (d - previousDay) * 1440 + (first as number) - (last as number));
    }
    previousDay = d;
  }
  if (previousDay === undefined || first === undefined) throw new CronSyntaxError('never runs');
  if (longest === 0) throw new CronSyntaxError('runs once in eight years');
  return longest * 60;
}
