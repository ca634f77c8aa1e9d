/**
 * Resource references off in this package's whole programs. A `yaml.v2.ConfigGroup` or `helm.v4.Chart` is built by
 * the Kubernetes provider, which answers with a reference to every child; the Node SDK turns each one back into a
 * resource object, which costs a stack trace, a `getResource` call to the engine and the decoding of the whole
 * object, in the first deploy and in every no-op alike. Nothing in these programs reads those objects (dependencies
 * on a ConfigGroup are the engine's business), so they ask for URNs instead, as the documented
 * `PULUMI_DISABLE_RESOURCE_REFERENCES=true` does: the engine bench measured the five app programs' CPU in a no-op go
 * from 13.3 to 10.7 CPU-seconds and the first deploy from 26.5 to 22.2 s.
 */
import * as pulumi from '@pulumi/pulumi';

/** The Node SDK's environment variable for it; the SDK reads it once, when it loads, before any program runs. */
export const RESOURCE_REFERENCES_ENV = 'PULUMI_DISABLE_RESOURCE_REFERENCES';

/** The SDK's own flag (`@pulumi/pulumi/utils`), set from {@link RESOURCE_REFERENCES_ENV} when the SDK loads. */
interface SdkFlags {
  disableResourceReferences?: unknown;
}

/**
 * Turns resource references off for the rest of the program, unless {@link RESOURCE_REFERENCES_ENV} is set (to any
 * value: the user's choice, which the SDK already applied, wins; `false` keeps them on). Called first by
 * `platformProgram` and `appProgram`, never by the components a user composes into a program of their own.
 * @param env the environment to read; default: `process.env`
 * @param sdk the SDK's `utils` module; default: the loaded `@pulumi/pulumi`'s
 * @returns whether resource references are off; `false` with a warning if this SDK has no such flag
 */
export function disableResourceReferences(
  env: Readonly<Record<string, string | undefined>> = process.env,
  sdk: object = pulumi.utils,
): boolean {
  const flags = sdk as SdkFlags;
  if (env[RESOURCE_REFERENCES_ENV] !== undefined) return flags.disableResourceReferences === true;
  if (typeof flags.disableResourceReferences !== 'boolean') {
    void pulumi.log.warn(
      `this @pulumi/pulumi has no resource-references flag: set ${RESOURCE_REFERENCES_ENV}=true in the ` +
        `environment of pulumi for the speed of the pinned SDK`,
    );
    return false;
  }
  flags.disableResourceReferences = true;
  return true;
}
