/**
 * Prop validation shared by every construct. Constructs call these before creating any child, so a construct
 * that throws leaves nothing behind in its chart.
 */
import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../contract';
import { PlatformValidationError } from './errors';
import { isPlainObject, nearestName } from './known-props';
import { isQuantity, parseQuantity } from './quantity';
import type { CpuQuantity, DurationUnit, SizeQuantity } from './units';
import {
  DURATION_UNITS,
  describeTyped,
  durationMillis,
  formatDuration,
  typedExample,
  typedQuantityText,
} from './units';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The name part of a label or annotation key, and a label value (when not empty): Kubernetes' qualified name. */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** `[registry[:port]/]repository[:tag][@sha256:digest]`, lower-case repository as the distribution spec requires. */
const IMAGE_REF =
  /^(?:(?<registry>[a-zA-Z0-9.-]+(?::\d+)?)\/)?(?<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** The path a construct will have once created: used in errors raised before `super()` is called. */
export function constructPath(scope: Construct, id: string): string {
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}

/** Renders a bad value for an error message (typed units as written, other objects as JSON, cut at 80 characters). */
function show(value: unknown): string {
  const typed = describeTyped(value);
  if (typed !== undefined) return typed;
  if (typeof value !== 'object' || value === null)
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** A number written as a string (`'8080'`): the fix is to drop the quotes, not to change the value. */
function quotedNumber(v: PropValidator, prop: string, value: unknown): void {
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    v.fail(prop, `${show(value)} is a string, not a number`, `write the number without quotes: ${value.trim()}`);
  }
}

/**
 * Checks the props of one construct; every method throws a {@link PlatformValidationError} naming the
 * construct path, the prop, the value and the fix.
 */
export class PropValidator {
  /** @param path the construct path, see {@link constructPath} */
  constructor(public readonly path: string) {}

  /** Throws the project's error for `prop`. */
  fail(prop: string, problem: string, fix: string): never {
    throw new PlatformValidationError(this.path, prop, problem, fix);
  }

  /**
   * Refuses the keys of a plain-object prop that its type does not have (a typo would otherwise silently become the
   * default), naming the nearest known one. A value that is not a plain object is left to the prop's own check.
   * @param prop the prop holding the object, `''` for the construct's own props
   * @param value the object
   * @param keys every key its type has, as a `PropKeys` of the type (which the compiler checks is complete)
   * @param what what the object is, for the message (`Service`, `health check`)
   * @param hints a fix of its own for keys users are known to try (a Worker's `port`)
   */
  knownProps(
    prop: string,
    value: unknown,
    keys: Readonly<Record<string, true>>,
    what: string,
    hints: Readonly<Record<string, string>> = {},
  ): void {
    if (!isPlainObject(value)) return;
    const known = Object.keys(keys);
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const near = nearestName(key, known);
      const fix =
        (Object.hasOwn(hints, key) ? hints[key] : undefined) ??
        (near
          ? `did you mean ${JSON.stringify(near)}?`
          : `use one of ${known.map((k) => JSON.stringify(k)).join(', ')}`);
      this.fail(prop ? `${prop}.${key}` : key, `${show(value[key])} is not a ${what} prop`, fix);
    }
  }

  /** A DNS-1123 label (object names, namespaces, port names' big sister): lower-case, digits, `-`, max 63. */
  dnsLabel(prop: string, value: string, maxLength = 63): string {
    if (typeof value !== 'string' || !DNS_LABEL.test(value) || value.length > maxLength) {
      this.fail(
        prop,
        `${show(value)} is not a valid DNS-1123 label`,
        `use at most ${maxLength} lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. "order-service")`,
      );
    }
    return value;
  }

  /** A DNS-1123 subdomain (Secret, ConfigMap and StorageClass names): dot-separated labels, max 253. */
  dnsSubdomain(prop: string, value: string): string {
    if (typeof value !== 'string' || !DNS_SUBDOMAIN.test(value) || value.length > 253) {
      this.fail(
        prop,
        `${show(value)} is not a valid DNS-1123 subdomain`,
        'use at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (e.g. "api-token")',
      );
    }
    return value;
  }

  /**
   * A construct id that names objects: a DNS label, and not a name the constructs library cannot hold as a child
   * (`constructor`, a property of every JavaScript object).
   */
  id(value: string, maxLength = 63): string {
    this.dnsLabel('id', value, maxLength);
    if (value === 'constructor') this.fail('id', '"constructor" is reserved', 'choose another name');
    return value;
  }

  /** A DNS host name as used by ingress rules; `*.` is allowed as the first label when `wildcard` is set. */
  hostname(prop: string, value: string, wildcard = false): string {
    const bare = wildcard && value.startsWith('*.') ? value.slice(2) : value;
    if (!DNS_SUBDOMAIN.test(bare) || value.length > 253 || !bare.includes('.')) {
      this.fail(
        prop,
        `${show(value)} is not a valid host name`,
        'use a fully qualified lower-case DNS name such as "chat.example.com" (no scheme, port or path)',
      );
    }
    return value;
  }

  /** A TCP/UDP port number. */
  port(prop: string, value: number): number {
    quotedNumber(this, prop, value);
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      this.fail(prop, `${show(value)} is out of range`, 'use an integer port between 1 and 65535');
    }
    return value;
  }

  /** An integer within bounds. */
  integer(prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    quotedNumber(this, prop, value);
    if (!Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
      this.fail(prop, `${show(value)} is not allowed`, `use an integer ${range}`);
    }
    return value;
  }

  /** `min <= max` for a pair of props. */
  ordered(minProp: string, min: number, maxProp: string, max: number): void {
    if (min > max) {
      this.fail(
        minProp,
        `${min} is greater than ${maxProp} ${max}`,
        `make ${minProp} less than or equal to ${maxProp}`,
      );
    }
  }

  /** A Kubernetes quantity (`250m`, `1.5`, `512Mi`, `10Gi`); `positive` rejects zero and negatives. */
  quantity(prop: string, value: string, example: string, positive = true): string {
    if (typeof value !== 'string' || !isQuantity(value) || (positive && parseQuantity(value) <= 0)) {
      this.fail(prop, `${show(value)} is not a valid Kubernetes quantity`, `write it like "${example}"`);
    }
    return value;
  }

  /** CPU: a quantity string, checked as by {@link quantity}, or a positive `Cpu`; returns the quantity text. */
  cpu(prop: string, value: CpuQuantity, example: string): string {
    return this.typedQuantity(prop, value, Cpu, 'CPU', example, typedExample('cpu', example));
  }

  /** Memory or storage: a quantity string, checked as by {@link quantity}, or a positive `Size`; returns the text. */
  size(prop: string, value: SizeQuantity, example: string): string {
    return this.typedQuantity(prop, value, Size, 'memory or storage', example, typedExample('size', example));
  }

  private typedQuantity(
    prop: string,
    value: unknown,
    type: typeof Cpu | typeof Size,
    what: string,
    example: string,
    typed: string,
  ): string {
    if (describeTyped(value) === undefined) return this.quantity(prop, value as string, example);
    const text = typedQuantityText(value);
    if (!(value instanceof type) || text === undefined) {
      this.fail(prop, `${show(value)} is not a ${what} amount`, `write it like "${example}" or ${typed}`);
    }
    if (!isQuantity(text) || parseQuantity(text) <= 0) {
      this.fail(prop, `${show(value)} is not a positive, finite amount`, `write it like ${typed} or "${example}"`);
    }
    return text;
  }

  /**
   * A whole number of `unit`s (seconds, days) between `min` and `max`: a number, checked as by {@link integer}, or a
   * `Duration` (`Duration.minutes(2)` is 120 seconds).
   */
  whole(
    prop: string,
    value: number | Duration,
    unit: DurationUnit,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number {
    if (!(value instanceof Duration)) return this.integer(prop, value, min, max);
    const { ms: unitMs, name, factory } = DURATION_UNITS[unit];
    const ms = durationMillis(value);
    if (!Number.isFinite(ms)) this.fail(prop, `${show(value)} is not a finite duration`, `give a number of ${name}`);
    if (ms % unitMs !== 0) {
      const near = Math.min(max, Math.max(min, Math.round(ms / unitMs)));
      this.fail(prop, `${show(value)} is not a whole number of ${name}`, `round it, e.g. Duration.${factory}(${near})`);
    }
    const count = ms / unitMs;
    if (count < min || count > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
      this.fail(prop, `${show(value)} is not allowed`, `use ${range} ${name}`);
    }
    return count;
  }

  /**
   * A `Duration` written in `units`, largest first (`Duration.minutes(90)` in h, m, s is `1h30m`); strings stay
   * with each prop's own grammar. `positive` rejects zero.
   */
  duration(prop: string, value: Duration, units: readonly DurationUnit[], positive: boolean, example: string): string {
    const text = formatDuration(value, units);
    const ms = durationMillis(value);
    if (!Number.isFinite(ms)) this.fail(prop, `${show(value)} is not a finite duration`, `write it like ${example}`);
    if (text === undefined) {
      const smallest = DURATION_UNITS[units[units.length - 1]];
      const near = `Duration.${smallest.factory}(${Math.max(1, Math.round(ms / smallest.ms))})`;
      this.fail(prop, `${show(value)} is not a whole number of ${smallest.name}`, `round it, e.g. ${near}`);
    }
    if (positive && ms === 0) {
      this.fail(prop, `${show(value)} is zero`, `give a positive duration, e.g. ${example}`);
    }
    return text;
  }

  /** A request that must not exceed its limit. */
  requestWithinLimit(requestProp: string, request: string, limitProp: string, limit: string): void {
    if (parseQuantity(request) > parseQuantity(limit)) {
      this.fail(
        requestProp,
        `${show(request)} is more than ${limitProp} ${show(limit)}`,
        `lower the request or raise the limit`,
      );
    }
  }

  /** A pinned container image: a tag other than `latest`, or a digest. */
  image(prop: string, value: string): string {
    if (value === undefined || value === null || value === '') {
      this.fail(
        prop,
        'is missing',
        'give a pinned image as "registry/repository:tag", e.g. "ghcr.io/stefanprodan/podinfo:6.7.1"',
      );
    }
    const match = typeof value === 'string' ? IMAGE_REF.exec(value) : null;
    if (!match?.groups) {
      this.fail(
        prop,
        `${show(value)} is not a valid image reference`,
        'write it as "registry/repository:tag", e.g. "ghcr.io/stefanprodan/podinfo:6.7.1"',
      );
    }
    const { tag, digest } = match.groups;
    if (!digest && (!tag || tag === 'latest')) {
      this.fail(
        prop,
        `${show(value)} is not pinned to a version`,
        'add an explicit version tag other than "latest" (e.g. ":1.27.3") or a digest ("@sha256:..."), so every rollout runs the image that was reviewed',
      );
    }
    return value;
  }

  /** An environment variable name. */
  envName(prop: string, value: string): string {
    if (!ENV_NAME.test(value)) {
      this.fail(
        prop,
        `${show(value)} is not a valid environment variable name`,
        'use letters, digits and "_", not starting with a digit (e.g. "LOG_LEVEL")',
      );
    }
    return value;
  }

  /** A container port name (IANA_SVC_NAME): at most 15 characters. */
  portName(prop: string, value: string): string {
    if (!PORT_NAME.test(value) || value.length > 15 || !/[a-z]/.test(value)) {
      this.fail(
        prop,
        `${show(value)} is not a valid port name`,
        'use at most 15 lower-case letters, digits and "-", with at least one letter (e.g. "http", "grpc")',
      );
    }
    return value;
  }

  /** A percentage between 1 and 100. */
  percent(prop: string, value: number): number {
    if (!Number.isInteger(value) || value < 1 || value > 100) {
      this.fail(prop, `${show(value)} is not a percentage`, 'use an integer between 1 and 100');
    }
    return value;
  }

  /** No value appears twice. */
  unique(prop: string, values: readonly (string | number)[]): void {
    const seen = new Set<string | number>();
    for (const value of values) {
      if (seen.has(value)) this.fail(prop, `has ${show(value)} twice`, 'give each entry a distinct value');
      seen.add(value);
    }
  }

  /**
   * A label or annotation key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 letters,
   * digits, `-`, `_` and `.`, starting and ending with a letter or digit.
   */
  metadataKey(prop: string, key: string, what: 'label' | 'annotation'): string {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = key.slice(slash + 1);
    const prefixOk = prefix === undefined || (DNS_SUBDOMAIN.test(prefix) && prefix.length <= 253);
    if (!prefixOk || !QUALIFIED_NAME.test(name) || name.length > 63) {
      this.fail(
        prop,
        `is not a valid ${what} key`,
        'write it as prefix/name or name: an optional lower-case DNS prefix, then at most 63 letters, digits, "-", "_" and "." (e.g. "example.com/team")',
      );
    }
    return key;
  }

  /** A label value: empty, or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit. */
  labelValue(prop: string, value: string): string {
    if (typeof value !== 'string' || (value !== '' && !QUALIFIED_NAME.test(value)) || value.length > 63) {
      this.fail(
        prop,
        `${show(value)} is not a valid label value`,
        'use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
      );
    }
    return value;
  }

  /** A list (a plain JavaScript caller may pass anything). */
  list<T>(prop: string, value: readonly T[], example: string): readonly T[] {
    if (!Array.isArray(value)) this.fail(prop, `${show(value)} is not a list`, `write it like ${example}`);
    return value;
  }

  /** A list of non-empty strings (a command, arguments). */
  nonEmptyStrings(prop: string, values: readonly string[], fix: string): readonly string[] {
    this.list(prop, values, '["/app/server", "--port=8080"]');
    values.forEach((value, i) => {
      if (typeof value !== 'string' || value === '') this.fail(`${prop}[${i}]`, 'is empty', fix);
    });
    return values;
  }

  /** An absolute path inside a container. */
  absolutePath(prop: string, value: string): string {
    if (typeof value !== 'string' || !value.startsWith('/') || value.includes('..')) {
      this.fail(prop, `${show(value)} is not an absolute path`, 'use an absolute path such as "/tmp" (no "..")');
    }
    return value;
  }
}
