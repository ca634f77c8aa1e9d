import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { LINKERD_CNI_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** The linkerd2-cni chart values the platform sets. */
export interface LinkerdCniValues {
  /** The repair controller restarts pods that started before the plugin was ready on their node. */
  readonly repairController: { readonly enabled: boolean };
  /** Requests and limits of the installer container (the chart sets none). */
  readonly resources: {
    readonly cpu: { readonly request: string; readonly limit: string };
    readonly memory: { readonly request: string; readonly limit: string };
  };
}

/** Values of linkerd2-cni. */
export function linkerdCniValues(): LinkerdCniValues {
  return {
    repairController: { enabled: true },
    resources: { cpu: { request: '10m', limit: '100m' }, memory: { request: '20Mi', limit: '100Mi' } },
  };
}

/**
 * Installs the Linkerd CNI plugin (a DaemonSet in its own namespace, which chains itself into each node's CNI
 * configuration and sets up the proxy's iptables rules), so that meshed pods need no `linkerd-init` container with
 * NET_ADMIN and app namespaces enforce the restricted Pod Security profile. The control plane then runs with
 * `cniEnabled: true` and must wait for it.
 */
export function installLinkerdCni(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
): k8s.helm.v3.Release {
  return installer.release(
    {
      name: RELEASE_NAMES.linkerdCni,
      chart: LINKERD_CNI_CHART,
      namespace: RELEASE_NAMESPACES.linkerdCni,
      values: linkerdCniValues(),
    },
    dependsOn,
  );
}
