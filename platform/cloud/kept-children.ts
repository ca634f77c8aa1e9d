import type * as pulumi from '@pulumi/pulumi';

/** What {@link keepChildren} sets on every child of a group. */
export interface KeptChildren {
  /** The group's provider: the cluster's. */
  readonly provider: pulumi.ProviderResource | undefined;
  /** Protect each child too (objects holding data). @default false */
  readonly protect?: boolean;
}

/**
 * The transform of a `yaml.v2` group whose children must outlive it: `retainOnDelete` (and `protect` when asked)
 * on each child, which the Node SDK does not pass from a component to its children (pulumi-kubernetes#3065).
 *
 * It names the group's provider again on each child: a transform's result replaces the options the child would
 * have inherited, and without it the children of such a group were created by the stack's *default* Kubernetes
 * provider, the ambient kubeconfig's current context, not the cluster's provider (on GKE or EKS another cluster,
 * or none). Every CRD of the platform stack and every StatefulSet and claim of an app stack was applied that way.
 */
export function keepChildren(kept: KeptChildren): pulumi.ResourceTransform {
  return (args) => ({
    props: args.props,
    opts: {
      ...args.opts,
      ...(kept.provider ? { provider: kept.provider } : {}),
      ...(kept.protect ? { protect: true } : {}),
      retainOnDelete: true,
    },
  });
}
