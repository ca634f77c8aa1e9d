/**
 * The `k8s-platform:` config namespace: which keys exist, which kind of stack reads each, and the error every bad
 * setting raises. Settings are read under this namespace whatever the project is called (a consumer's project
 * `my-app` reads `k8s-platform:cloud`, not `my-app:cloud`), and a key nobody reads is an error, never ignored.
 */

/** Namespace of the platform's config keys (`pulumi config set k8s-platform:<key>`). */
export const CONFIG_NAMESPACE = 'k8s-platform';

/** Stands for a value that an error must not echo (it may be a secret): the message says only that it is set. */
export const VALUE_NOT_SHOWN: unique symbol = Symbol('value not shown');

/** A configuration value that is not allowed; the message names key, value and what is allowed. */
export class StackConfigError extends Error {
  /** @param key config key without namespace, e.g. `nodes.min` */
  constructor(
    public readonly key: string,
    value: unknown,
    allowed: string,
  ) {
    super(
      `${CONFIG_NAMESPACE}:${key} ${value === VALUE_NOT_SHOWN ? 'is set' : `is ${JSON.stringify(value)}`}; ${allowed}`,
    );
    this.name = 'StackConfigError';
  }
}

/** Keys of the platform stack (cluster, add-ons, the apps it serves). */
export const PLATFORM_KEYS = [
  'cloud',
  'region',
  'zones',
  'nodes',
  'apps',
  'addons',
  'domain',
  'ingressServiceType',
  'deletionProtection',
  'gke',
  'eks',
  'existing',
  'tls',
  'chartSource',
  'identities',
  'gatewayHttpsHosts',
  'gatewayHttpHosts',
] as const;

/** Keys of an app stack (one app of `charts-out/`, deployed onto a platform stack). */
export const APP_KEYS = ['platformStack', 'app', 'secrets'] as const;

/** Which kind of stack a config describes: an app stack is one that names its platform stack. */
export type StackRole = 'platform' | 'app';

/** The role of a stack from its settings: `app` when `k8s-platform:platformStack` is set. */
export function stackRole(keys: Iterable<string>): StackRole {
  return [...keys].includes('platformStack') ? 'app' : 'platform';
}

/** Levenshtein distance (small strings: config keys). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The candidate closest to `word` (case-insensitive edit distance; ties: the first in list order). */
export function nearestKey(word: string, candidates: readonly string[]): string {
  let best = candidates[0];
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/**
 * Throws on the first `k8s-platform:*` key (of all the stack's config, as `pulumi.runtime.allConfig()` gives it)
 * that this kind of stack does not read: a typo names the nearest known key, a key of the other kind of stack
 * says where it belongs. Keys of other namespaces (`aws:`, `gcp:`, the project's own) are left alone.
 */
export function checkConfigKeys(all: Readonly<Record<string, unknown>>, role: StackRole): void {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const own: readonly string[] = role === 'app' ? APP_KEYS : PLATFORM_KEYS;
  const other: readonly string[] = role === 'app' ? PLATFORM_KEYS : APP_KEYS;
  for (const full of Object.keys(all).sort()) {
    if (!full.startsWith(prefix)) continue;
    const key = full.slice(prefix.length);
    if (own.includes(key)) continue;
    if (other.includes(key)) {
      throw new StackConfigError(
        key,
        VALUE_NOT_SHOWN,
        role === 'app'
          ? `belongs to the platform stack, not to an app stack (this stack sets ${prefix}platformStack); ` +
              `set it there and remove it here`
          : `belongs to an app stack (the stack that sets ${prefix}platformStack and ${prefix}app); ` +
              `move it there and remove it here`,
      );
    }
    const nearest = nearestKey(key, [...own, ...other]);
    throw new StackConfigError(key, VALUE_NOT_SHOWN, `unknown setting; did you mean ${prefix}${nearest}?`);
  }
}
