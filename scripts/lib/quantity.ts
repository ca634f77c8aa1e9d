/**
 * Kubernetes resource quantities (`100m`, `0.5`, `128Mi`, `1G`, `1e3`) as numbers in base units (cores for CPU,
 * bytes for memory and storage), and back to short human-readable strings.
 */

import { parseQuantity } from '../../platform/core/quantity';

// One parser for the constructs and the tools: the platform's own.
export { parseQuantity };

/** Parses a quantity, or returns undefined when it is absent or malformed. */
export function tryParseQuantity(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseQuantity(value);
  } catch {
    return undefined;
  }
}

function trim(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** CPU for humans: `250m` below one core, `1.5` (cores) above. */
export function formatCpu(cores: number): string {
  if (cores === 0) return '0';
  return cores < 1 ? `${trim(cores * 1000, 0)}m` : trim(cores, 2);
}

/** Bytes for humans, in binary units: `512Mi`, `1.5Gi`, `2Ti`. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0';
  const units: [string, number][] = [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) return `${trim(bytes / size, 2)}${unit}`;
  }
  return `${trim(bytes, 0)}`;
}
