/**
 * App-level settings a user overrides without editing an app file: the DNS domain, the storage class, replica
 * bounds and images. They are cdk8s context values, set in one of these ways (the first one found wins):
 *
 * 1. `npm run synth -- --context domain=demo.example.org --context chat/backend/replicas=2..4`, or in code
 *    `app.node.setContext('domain', 'demo.example.org')` before the apps are built (tests do this);
 * 2. the `PLATFORM_CONTEXT` environment variable, a JSON object: `PLATFORM_CONTEXT='{"domain":"demo.example.org"}'`.
 *
 * Keys: `domain`, `storageClass`, `<app>/<workload>/replicas` (`3` or `2..10`), `<app>/<workload>/image`.
 * Committed `charts-out/` is synthesized with none set.
 */
import type { Construct } from 'constructs';
import type { Autoscaling, Replicas } from './workloads/scaling';
import { PlatformChart } from './chart';

/** Domain of every reference app host when `domain` is not set. */
export const DEFAULT_DOMAIN = 'example.com';
/** Environment variable holding context values as a JSON object. */
export const CONTEXT_ENV = 'PLATFORM_CONTEXT';

/** The settings one app reads; every method takes the app's own default. */
export class AppSettings {
  /** The app these settings belong to. */
  readonly app: PlatformChart;

  constructor(scope: Construct) {
    this.app = PlatformChart.of(scope);
  }

  /** The DNS domain under which app hosts are named. */
  get domain(): string {
    return this.string('domain') ?? DEFAULT_DOMAIN;
  }

  /** A host name `<name>.<domain>`. */
  host(name: string): string {
    return `${name}.${this.domain}`;
  }

  /** The storage class of persistent volumes, `undefined` for the cluster default. */
  get storageClass(): string | undefined {
    return this.string('storageClass');
  }

  /** The image of a workload: `<app>/<workload>/image`, else `fallback` (the construct's default if none). */
  image(workload: string, fallback: string): string;
  image(workload: string): string | undefined;
  image(workload: string, fallback?: string): string | undefined {
    return this.string(`${this.app.appName}/${workload}/image`) ?? fallback;
  }

  /**
   * Replicas of a workload: `<app>/<workload>/replicas` as a count (`3`) or autoscaling bounds (`2..10`, keeping
   * the other autoscaling settings of `fallback`), else `fallback`.
   */
  replicas(workload: string, fallback: Replicas): Replicas {
    const key = `${this.app.appName}/${workload}/replicas`;
    const value = this.string(key);
    if (value === undefined) return fallback;
    const fixed = /^\d+$/.exec(value);
    if (fixed) return Number(value);
    const range = /^(\d+)\.\.(\d+)$/.exec(value);
    if (!range) {
      throw new Error(`context ${key}: ${JSON.stringify(value)} is not a replica setting; use "3" or "2..10"`);
    }
    const base: Partial<Autoscaling> = typeof fallback === 'number' ? {} : fallback;
    return { ...base, min: Number(range[1]), max: Number(range[2]) };
  }

  private string(key: string): string | undefined {
    const value: unknown = this.app.node.tryGetContext(key) ?? contextFromEnv()[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`context ${key}: ${JSON.stringify(value)} is not a string`);
    }
    return String(value);
  }
}

/** Context values from `PLATFORM_CONTEXT`. */
export function contextFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const raw = env[CONTEXT_ENV];
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${CONTEXT_ENV} is not JSON; give an object such as {"domain":"demo.example.org"}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${CONTEXT_ENV} is not a JSON object; give an object such as {"domain":"demo.example.org"}`);
  }
  return parsed as Record<string, unknown>;
}

/** Context values from `--context key=value` arguments. */
export function contextFromArgs(args: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  args.forEach((arg, i) => {
    if (arg !== '--context') return;
    const pair = args[i + 1] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--context ${JSON.stringify(pair)}: use --context key=value`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  });
  return context;
}
