/**
 * Unknown props: a typo (`replica: 6`, `livenes`, `storge: '50Gi'`) in plain JavaScript or transpile-only
 * TypeScript would otherwise silently become the default. Each construct lists its props once, as a
 * {@link PropKeys} object the compiler checks against the props interface (a key missing from the list or not in
 * the interface fails the type check), and refuses any other key with the nearest known name.
 */

/** Every key of any member of a union (`keyof` of a union gives only the common ones). */
export type UnionKeys<T> = T extends unknown ? keyof T : never;

/**
 * The props of `T`, each listed once with `true`: written as an object literal typed `PropKeys<XxxProps>`, so
 * that adding a prop to the interface without listing it (or listing one that is not there) fails to compile.
 */
export type PropKeys<T> = { readonly [K in UnionKeys<NonNullable<T>>]-?: true };

/** Whether `value` is a plain object literal (not a construct, an array or a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Levenshtein distance, case-insensitive (a `Replicas` is as near to `replicas` as can be). */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[t.length];
}

/**
 * The known name nearest to `name`, when near enough to be a typo: at most a third of its letters differ (at
 * least 2), or one is the other with a prefix or suffix (`livenessProbe` for `liveness`).
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    const d = distance(name, key);
    if (!best || d < best.d) best = { key, d };
  }
  if (best && best.d <= Math.max(2, Math.floor(name.length / 3))) return best.key;
  const lower = name.toLowerCase();
  return known.find((k) => k.length >= 3 && (lower.startsWith(k.toLowerCase()) || lower.endsWith(k.toLowerCase())));
}
