/**
 * The config of an app stack: which platform stack it deploys onto, which app of `charts-out/` it owns, and the
 * secret values that app's Secrets take from config. Read under `k8s-platform:` whatever the project's name.
 */
import type * as pulumi from '@pulumi/pulumi';
import { StackConfigError, VALUE_NOT_SHOWN } from './config-keys';
import * as v from 'valibot';
import { DNS_LABEL, INDEX_FILE } from '../../contract';
import { read, text } from './config-schema';

/** The validated config of an app stack. */
export interface AppStackConfig {
  /**
   * The platform stack, as `pulumi.StackReference` names it: `<org>/<project>/<stack>` (`organization/...` on a
   * file or object-store backend).
   */
  readonly platformStack: string;
  /** The app of `charts-out/index.json` this stack deploys. */
  readonly app: string;
  /** Secret values keyed `<app>/<secret>/<key>` (plain here; the program wraps them with `pulumi.secret`). */
  readonly secrets: Readonly<Record<string, string>>;
}

/** App stack config values as read, before validation. */
export interface RawAppStackConfig {
  /** `k8s-platform:platformStack`. */
  readonly platformStack?: unknown;
  /** `k8s-platform:app`. */
  readonly app?: unknown;
  /** `k8s-platform:secrets` (object of secret strings). */
  readonly secrets?: unknown;
}

const STACK_REFERENCE = /^([-_.a-zA-Z0-9]+\/){0,2}[-_.a-zA-Z0-9]+$/;
/** `<app>/<secret>/<key>`: an app name (a DNS label), a Secret name, a key of the Secret. */
const SECRET_KEY = new RegExp(`^${DNS_LABEL.source.slice(1, -1)}/[a-z0-9]([-.a-z0-9]*[a-z0-9])?/[-._a-zA-Z0-9]+$`);

function secrets(value: unknown, app: string): Record<string, string> {
  const raw = read('secrets', v.optional(v.record(v.string(), v.unknown(), 'expected an object'), {}), value);
  for (const [key, v] of Object.entries(raw)) {
    if (!SECRET_KEY.test(key)) {
      throw new StackConfigError(
        `secrets["${key}"]`,
        VALUE_NOT_SHOWN,
        'keys must look like "<app>/<secret-name>/<key>"',
      );
    }
    if (!key.startsWith(`${app}/`)) {
      throw new StackConfigError(
        `secrets["${key}"]`,
        VALUE_NOT_SHOWN,
        `this stack deploys app "${app}": set the values of another app in that app's stack`,
      );
    }
    // The value itself is never echoed in the message.
    if (typeof v !== 'string' || v === '') {
      throw new StackConfigError(`secrets["${key}"]`, typeof v, 'expected a non-empty string');
    }
  }
  return raw as Record<string, string>;
}

/** Validates an app stack's config, or throws a {@link StackConfigError} naming the key. */
export function parseAppStackConfig(raw: RawAppStackConfig): AppStackConfig {
  const platformStack = read(
    'platformStack',
    v.pipe(
      text,
      v.guard(
        (s): s is string => s !== undefined && STACK_REFERENCE.test(s),
        'expected the platform stack as <org>/<project>/<stack>, e.g. organization/k8s-platform/local',
      ),
    ),
    raw.platformStack,
  );
  const app = read(
    'app',
    v.pipe(
      text,
      v.guard(
        (s): s is string => s !== undefined && DNS_LABEL.test(s),
        `required in an app stack: the name of one app of charts-out/${INDEX_FILE}`,
      ),
    ),
    raw.app,
  );
  return { platformStack, app, secrets: secrets(raw.secrets, app) };
}

/**
 * Reads the app stack's keys, once, without interpreting them.
 * @param config the `k8s-platform` namespace (`new pulumi.Config('k8s-platform')`)
 */
export function readRawAppConfig(config: pulumi.Config): RawAppStackConfig {
  return {
    platformStack: config.get('platformStack'),
    app: config.get('app'),
    // Read as a plain object so that keys can be validated; the program re-wraps every value with pulumi.secret.
    secrets: config.getObject<unknown>('secrets'),
  };
}
