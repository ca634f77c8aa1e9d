import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { VPA_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** The vertical-pod-autoscaler chart values the platform sets (none: the chart's defaults). */
export type VpaValues = Readonly<Record<string, never>>;

/** Installs the Vertical Pod Autoscaler; its recommender reads usage from the resource metrics API. */
export function installVpa(installer: AddonInstaller, dependsOn: readonly pulumi.Resource[]): k8s.helm.v3.Release {
  return installer.release<VpaValues>(
    { name: RELEASE_NAMES.vpa, chart: VPA_CHART, namespace: RELEASE_NAMESPACES.vpa, values: {} },
    dependsOn,
  );
}
