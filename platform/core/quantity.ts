/**
 * Kubernetes resource quantities (`100m`, `0.5`, `128Mi`, `1G`, `1e3`), parsed into plain numbers so that
 * constructs can compare requests with limits and tools can add them up.
 */

/** The grammar of `resource.Quantity` in apimachinery, as a regular expression. */
export const QUANTITY_PATTERN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

const SUFFIX_FACTORS: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
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

/** Whether `value` is a well-formed Kubernetes quantity. */
export function isQuantity(value: string): boolean {
  return QUANTITY_PATTERN.test(value);
}

/**
 * The numeric value of a quantity in base units (cores for CPU, bytes for memory and storage).
 * @throws Error when the string is not a quantity
 */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  if (!isQuantity(value)) throw new Error(`"${value}" is not a Kubernetes quantity`);
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$/.exec(value);
  const [, num, suffix] = match as RegExpExecArray;
  if (/^[eE]/.test(suffix)) return Number(num + suffix);
  return Number(num) * SUFFIX_FACTORS[suffix];
}
