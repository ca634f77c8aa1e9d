/**
 * The Amazon VPC CNI as an EKS managed add-on with its network policy agent on. EKS installs the CNI itself, as a
 * self-managed DaemonSet with policy enforcement off: every NetworkPolicy the platform writes would then be
 * accepted by the API server and silently ignored.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { VPC_CNI_ADDON } from './versions';

/** The first VPC CNI release with the network policy agent (aws-network-policy-agent). */
export const VPC_CNI_MINIMUM_VERSION = [1, 14, 0] as const;

/**
 * The add-on's configuration values (the schema of `aws eks describe-addon-configuration --addon-name vpc-cni`):
 * `enableNetworkPolicy` is a string there, not a boolean.
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: 'true' } as const;

const ADDON_VERSION = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.\d+$/;

/**
 * Checks that a VPC CNI add-on version is an exact EKS build that can enforce NetworkPolicies.
 * @param owner the component's description for the message, e.g. `EksCluster dev`
 */
export function checkVpcCniVersion(owner: string, version: string): string {
  const match = ADDON_VERSION.exec(version);
  if (!match) {
    throw new Error(
      `${owner}: vpcCniVersion "${version}" is not an EKS add-on version such as "${VPC_CNI_ADDON.version}"`,
    );
  }
  const parts = match.slice(1, 4).map(Number);
  const index = parts.findIndex((n, i) => n !== VPC_CNI_MINIMUM_VERSION[i]);
  if (index >= 0 && parts[index] < VPC_CNI_MINIMUM_VERSION[index]) {
    throw new Error(
      `${owner}: vpcCniVersion "${version}" has no network policy agent; ` +
        `use v${VPC_CNI_MINIMUM_VERSION.join('.')} or later (pinned: "${VPC_CNI_ADDON.version}")`,
    );
  }
  return version;
}

/**
 * Creates the `vpc-cni` add-on with policy enforcement on. `OVERWRITE` on create adopts the DaemonSet EKS
 * installed; `OVERWRITE` on update puts the configuration back if someone edited the DaemonSet, since a
 * `PRESERVE`d edit could switch enforcement off unnoticed.
 */
export function vpcCniAddon(
  name: string,
  args: {
    clusterName: pulumi.Input<string>;
    version: string;
    /** The CNI's own IRSA role (`kube-system/aws-node`), instead of the node role. */
    serviceAccountRoleArn: pulumi.Input<string>;
    tags: Record<string, string>;
  },
  opts: pulumi.CustomResourceOptions,
): aws.eks.Addon {
  return new aws.eks.Addon(
    name,
    {
      clusterName: args.clusterName,
      addonName: VPC_CNI_ADDON.name,
      addonVersion: args.version,
      configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
      serviceAccountRoleArn: args.serviceAccountRoleArn,
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      tags: args.tags,
    },
    opts,
  );
}
