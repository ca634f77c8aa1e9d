import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { KEDA_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/**
 * The keda chart values the platform sets. The chart's own security contexts already satisfy the `restricted`
 * profile its namespace enforces (non-root, no privilege escalation, every capability dropped, read-only root,
 * RuntimeDefault seccomp), so they are left as they are.
 *
 * - `crds.install: false`: the CRDs are applied by the platform before the release (`crds.ts`), with one owner.
 * - The operator keeps its default right to read Secrets in every namespace: a consumer's ScaledObject reads the
 *   queue with the consumer's own credentials, which its pod takes from the broker's Secret in the app's namespace
 *   (`usernameFromEnv`/`passwordFromEnv`). `permissions.operator.restrict.secret` would confine it to `keda`.
 */
export const KEDA_VALUES = {
  crds: { install: false },
} as const;

/** The keda chart values the platform sets. */
export type KedaValues = typeof KEDA_VALUES;

/**
 * Installs KEDA (its CRDs first, by the installer): the operator, the external metrics API server and the
 * admission webhook.
 */
export function installKeda(installer: AddonInstaller, dependsOn: readonly pulumi.Resource[]): k8s.helm.v3.Release {
  return installer.release<KedaValues>(
    { name: RELEASE_NAMES.keda, chart: KEDA_CHART, namespace: RELEASE_NAMESPACES.keda, values: KEDA_VALUES },
    dependsOn,
  );
}
