/**
 * The building blocks of the stack config's schemas (valibot), and {@link read}, which parses one key with one and
 * turns its first problem into a {@link StackConfigError} naming the key (`nodes.min`), the bad value and what is
 * allowed. Pulumi gives config values as set: numbers and booleans may arrive as strings (`"3"`, `"true"`).
 */
import * as v from 'valibot';
import { ADDONS } from '../../contract';
import type { Addon } from '../../contract';
import { StackConfigError } from './config-keys';

const NON_EMPTY = 'expected a non-empty string';

/** An optional non-empty string (`null` reads as absent). */
export const text = v.pipe(
  v.nullish(
    v.pipe(
      v.string(NON_EMPTY),
      v.check((s) => s.trim() !== '', NON_EMPTY),
    ),
  ),
  v.transform((s) => s ?? undefined),
);

/** One of `allowed`; `fallback` when absent (required when there is none). */
export function oneOf<const T extends readonly [string, ...string[]]>(allowed: T, fallback?: T[number]) {
  const choice = v.picklist(allowed, `allowed: ${allowed.join(', ')}`);
  return fallback === undefined ? choice : v.optional(choice, fallback);
}

/** One of `allowed`, or undefined when absent. */
export function optionalOneOf<const T extends readonly [string, ...string[]]>(allowed: T) {
  return v.optional(v.picklist(allowed, `allowed: ${allowed.join(', ')}`));
}

/** `true` or `false` (or their strings). */
export const boolish = v.pipe(
  v.custom<boolean | 'true' | 'false'>(
    (x) => typeof x === 'boolean' || x === 'true' || x === 'false',
    'expected true or false',
  ),
  v.transform((x) => x === true || x === 'true'),
);

/** `true` or `false` (or their strings); `fallback` when absent. */
export function flag(fallback: boolean) {
  return v.optional(boolish, fallback);
}

/** An optional integer from `min` to `max` (or its digits). */
export function integer(min: number, max: number) {
  const toNumber = (x: unknown): unknown => (typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x);
  return v.optional(
    v.pipe(
      v.custom<number | string>((x) => {
        const n = toNumber(x);
        return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
      }, `expected an integer from ${min} to ${max}`),
      v.transform((x) => Number(x)),
    ),
  );
}

/** A list of distinct non-empty strings; `problem` says what is wrong with one item (named in the message). */
export function list(problem: (item: string) => string | undefined) {
  return v.pipe(
    v.custom<string[]>(
      (x) => Array.isArray(x) && x.every((s) => typeof s === 'string' && s !== ''),
      'expected a list of non-empty strings',
    ),
    v.check((items) => new Set(items).size === items.length, 'expected no duplicates'),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      for (const item of dataset.value) {
        const found = problem(item);
        if (found) return addIssue({ message: `"${item}" ${found}` });
      }
    }),
  );
}

/**
 * An optional list of distinct non-empty strings; `problem` says what is wrong with one item. Every message is
 * about the whole list (its key and value), naming the bad item.
 */
export function stringList(problem: (item: string) => string | undefined = () => undefined) {
  return v.optional(list(problem));
}

const isAddon = (a: string): a is Addon => (ADDONS as readonly string[]).includes(a);

/** A list of add-ons; empty when absent. */
export const addonList = v.optional(
  v.pipe(
    list((a) => (isAddon(a) ? undefined : `is not an add-on; use ${ADDONS.join(', ')}`)),
    v.transform((items) => items.filter(isAddon)),
  ),
  [],
);

/**
 * A config object of known keys (`notObject`: the message for anything else): an unknown key is named with the
 * known ones, a missing required key gets its own schema's message.
 */
export function fields<E extends v.ObjectEntries>(entries: E, notObject = 'expected an object') {
  const known = Object.keys(entries).join(', ');
  return v.pipe(
    v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), notObject),
    v.strictObject(entries, (issue) => {
      if (issue.expected === 'never') return `unknown setting; known: ${known}`;
      const key = issue.path?.[issue.path.length - 1]?.key;
      const message =
        typeof key === 'string' ? (entries[key] as { message?: unknown } | undefined)?.message : undefined;
      if (typeof message === 'function') return String(message(issue));
      return typeof message === 'string' ? message : 'required';
    }),
  );
}

/** A config section: {@link fields}, absent read as `{}` so that its keys' own defaults and requirements apply. */
export function section<E extends v.ObjectEntries>(entries: E) {
  return v.optional(fields(entries), {});
}

/** Whether an issue is an unknown key of a section (reported before the section's values, as a typo explains them). */
const unknownKey = (issue: v.BaseIssue<unknown>): boolean =>
  issue.type === 'strict_object' && issue.expected === 'never';

/**
 * Parses the value of config key `key` with `schema`, or throws the {@link StackConfigError} of its first problem
 * (an unknown key first): the key path of the bad value (`nodes.min`, `gatewayHttpsHosts[0].host`), the value, and
 * the schema's message.
 */
export function read<S extends v.GenericSchema>(key: string, schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues.find(unknownKey) ?? result.issues[0];
  const path = issue.path ?? [];
  const where = path.map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`));
  // The value as set (`"2"`, not the 2 it reads as), or undefined for a missing key.
  const bad = path.reduce<unknown>(
    (at, item) =>
      typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[item.key as PropertyKey] : undefined,
    value,
  );
  throw new StackConfigError(`${key}${where.join('')}`, bad, issue.message);
}
