/**
 * Pulumi mocks that record every registered resource with its inputs and the options the mocks API does not
 * expose (dependencies, protect, retainOnDelete, additional secret outputs), by wrapping the mock monitor.
 */
import * as pulumi from '@pulumi/pulumi';
import type { MockCallArgs, MockResourceArgs } from '@pulumi/pulumi/runtime/mocks';

/** One registered resource as the tests see it. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource inputs are arbitrary JSON
  readonly inputs: Record<string, any>;
  /** Logical names of explicit dependencies (`dependsOn`). */
  readonly dependsOn: string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly additionalSecretOutputs: string[];
  /** Logical name of the parent resource. */
  readonly parent: string | undefined;
  /** Whether the resource was read (`Resource.get`) rather than created. */
  readonly read: boolean;
  /** Number of `transforms` attached. */
  readonly transforms: number;
}

/** Extra state a mock returns for a resource type, merged over the echoed inputs. */
export type StateFor = (args: MockResourceArgs) => Record<string, unknown> | undefined;

const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf('::') + 2);

/** Registered transforms, so tests can call them. */
export const recordedTransforms: pulumi.ResourceTransform[] = [];

/**
 * Outputs a provider computes that the program reads, as the provider computes them: a `@pulumi/tls` certificate's
 * `validityEndTime` is its creation time plus `validityPeriodHours`.
 */
function computedByProvider(args: MockResourceArgs): Record<string, unknown> {
  if (args.type === 'tls:index/selfSignedCert:SelfSignedCert' && typeof args.inputs.validityPeriodHours === 'number') {
    return { validityEndTime: new Date(Date.now() + args.inputs.validityPeriodHours * 3600_000).toISOString() };
  }
  return {};
}

/**
 * Installs recording mocks; returns the live list of recorded resources.
 * @param project the Pulumi project the program runs in (a consumer's project has its own name)
 */
export function installMocks(
  stateFor: StateFor = () => undefined,
  calls: Record<string, unknown> = {},
  project = 'k8s-platform',
): Recorded[] {
  const recorded: Recorded[] = [];
  const pending = new Map<string, Omit<Recorded, 'inputs' | 'read'>>();
  pulumi.runtime.setMocks(
    {
      newResource(args: MockResourceArgs) {
        const extra = stateFor(args) ?? {};
        const meta = [...pending.values()].find((p) => p.name === args.name && p.type === args.type);
        recorded.push({
          type: args.type,
          name: args.name,
          urn: meta?.urn ?? '',
          inputs: args.inputs,
          dependsOn: meta?.dependsOn ?? [],
          protect: meta?.protect ?? false,
          retainOnDelete: meta?.retainOnDelete ?? false,
          additionalSecretOutputs: meta?.additionalSecretOutputs ?? [],
          parent: meta?.parent,
          read: Boolean(args.id),
          transforms: meta?.transforms ?? 0,
        });
        return { id: args.id || `${args.name}-id`, state: { ...computedByProvider(args), ...args.inputs, ...extra } };
      },
      call(args: MockCallArgs) {
        return (calls[args.token] as Record<string, unknown>) ?? {};
      },
    },
    project,
    'test',
    false,
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal module, no public accessor
  const settings = require('@pulumi/pulumi/runtime/settings');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const state = require('@pulumi/pulumi/runtime/state');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Callback } = require('@pulumi/pulumi/proto/callback_pb');
  const store = state.getStore();
  // The mock monitor does not run a callback server; record transforms instead of serving them.
  store.supportsTransforms = true;
  store.callbacks = {
    awaitStackRegistrations: async () => undefined,
    registerTransform: async (t: pulumi.ResourceTransform) => {
      recordedTransforms.push(t);
      return new Callback();
    },
  };
  const monitor = settings.getMonitor();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- protobuf request objects
  const remember = (req: any, read: boolean): void => {
    const urn = `urn:pulumi:test::${project}::${req.getType()}::${req.getName()}`;
    pending.set(urn + ':' + pending.size, {
      type: req.getType(),
      name: req.getName(),
      urn,
      dependsOn: req.getDependenciesList().map(nameOf),
      protect: !read && req.getProtect() === true,
      retainOnDelete: !read && req.getRetainondelete() === true,
      additionalSecretOutputs: read ? [] : req.getAdditionalsecretoutputsList(),
      parent: req.getParent() ? nameOf(req.getParent()) : undefined,
      transforms: read ? 0 : req.getTransformsList().length,
    });
  };
  for (const [method, read] of [
    ['registerResource', false],
    ['readResource', true],
  ] as const) {
    const original = monitor[method].bind(monitor);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- protobuf request object
    monitor[method] = (req: any, callback: (...a: unknown[]) => void) => {
      remember(req, read);
      return original(req, callback);
    };
  }
  return recorded;
}

/** Resolves an Output's value (the mocks resolve everything). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** The value inside a secret as the mocks see it (a secret sentinel object), or the value itself. */
export function unsecret(value: unknown): unknown {
  return isSecretValue(value) ? (value as { value: unknown }).value : value;
}

/** Whether a mock input is a secret (serialized with the secret signature). */
export function isSecretValue(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)['4dabf18193072939515e22adb298388d'] === '1b47061264138c4ac30d75fd1eb44270'
  );
}

/** Whether an Output is marked secret. */
export function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(output);
}

/** Waits until registrations stop arriving (the recorded list is stable for a few ticks). */
export async function settle(recorded: readonly Recorded[]): Promise<void> {
  let last = -1;
  let stable = 0;
  while (stable < 3) {
    await new Promise((r) => setTimeout(r, 15));
    stable = recorded.length === last ? stable + 1 : 0;
    last = recorded.length;
  }
}

/** Recorded resources of one type. */
export function ofType(recorded: readonly Recorded[], type: string): Recorded[] {
  return recorded.filter((r) => r.type === type);
}

/** The single recorded resource with this logical name (and type, if given); fails loudly otherwise. */
export function named(recorded: readonly Recorded[], name: string, type?: string): Recorded {
  const matches = recorded.filter((r) => r.name === name && (type === undefined || r.type === type));
  if (matches.length !== 1) {
    throw new Error(
      `expected one resource named ${name}, found ${matches.length}: ${recorded.map((r) => r.name).join(', ')}`,
    );
  }
  return matches[0];
}

/** A recorded input as the receiving side gets it: every secret wrapper unwrapped, at any depth. */
export function plainValue(value: unknown): unknown {
  if (isSecretValue(value)) return plainValue((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  }
  return value;
}
