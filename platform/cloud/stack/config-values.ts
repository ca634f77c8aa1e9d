/** Validators of single config values: each throws a {@link StackConfigError} naming the key and what is allowed. */
import { ADDONS } from '../../contract';
import type { Addon } from '../../contract';
import { StackConfigError } from './config-keys';

/** A DNS label (app, identity and namespace names). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new StackConfigError(key, value, 'expected a non-empty string');
  return value;
}

export function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new StackConfigError(key, value, `allowed: ${allowed.join(', ')}`);
  }
  return value as T;
}

export function optionalOneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T | undefined {
  return value === undefined ? undefined : oneOf(key, value, allowed);
}

export function bool(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new StackConfigError(key, value, 'expected true or false');
}

export function integer(key: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new StackConfigError(key, value, `expected an integer from ${min} to ${max}`);
  }
  return n;
}

export function stringList(
  key: string,
  value: unknown,
  check?: (item: string) => string | undefined,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new StackConfigError(key, value, 'expected a list of non-empty strings');
  }
  if (new Set(value).size !== value.length) throw new StackConfigError(key, value, 'expected no duplicates');
  for (const item of value as string[]) {
    const problem = check?.(item);
    if (problem) throw new StackConfigError(key, value, `"${item}" ${problem}`);
  }
  return value as string[];
}

export function section(key: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new StackConfigError(key, value, 'expected an object');
  return value;
}

export function rejectUnknownKeys(key: string, value: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new StackConfigError(
      `${key}.${unknown[0]}`,
      value[unknown[0]],
      `unknown setting; known: ${known.join(', ')}`,
    );
  }
}

export function addonList(key: string, value: unknown): Addon[] {
  return (stringList(key, value, (a) =>
    (ADDONS as readonly string[]).includes(a) ? undefined : `is not an add-on; use ${ADDONS.join(', ')}`,
  ) ?? []) as Addon[];
}
