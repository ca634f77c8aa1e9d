/**
 * Kubernetes resource quantities (`100m`, `0.5`, `128Mi`, `1G`, `1e3`) as numbers in base units (cores for CPU,
 * bytes for memory and storage), and back to short human-readable strings.
 */

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))((?:[KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

const FACTORS: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * Parses a quantity into base units.
 * @throws Error naming the value when it is not a Kubernetes quantity
 */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = QUANTITY.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a Kubernetes quantity (e.g. 100m, 0.5, 128Mi, 1G)`);
  const [, num, suffix = ''] = match;
  if (/^[eE]/.test(suffix)) return Number(num + suffix);
  return Number(num) * (suffix ? FACTORS[suffix] : 1);
}

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
