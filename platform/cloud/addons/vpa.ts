import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { VPA_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/**
 * The vertical-pod-autoscaler chart values the platform sets: the security contexts of its three components, so
 * that they satisfy the `restricted` Pod Security profile their namespace enforces (the chart's defaults set only
 * a non-root user; the certgen jobs already comply).
 */
export const VPA_VALUES = {
  podSecurityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
  containerSecurityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  },
} as const;

/** The vertical-pod-autoscaler chart values the platform sets. */
export type VpaValues = typeof VPA_VALUES;

/** Installs the Vertical Pod Autoscaler; its recommender reads usage from the resource metrics API. */
export function installVpa(installer: AddonInstaller, dependsOn: readonly pulumi.Resource[]): k8s.helm.v3.Release {
  return installer.release<VpaValues>(
    { name: RELEASE_NAMES.vpa, chart: VPA_CHART, namespace: RELEASE_NAMESPACES.vpa, values: VPA_VALUES },
    dependsOn,
  );
}
