/**
 * Workload identity: an app's ServiceAccount acting as a cloud identity. The manifests name the identity only
 * (`index.json`'s `identities`); the stack config maps each name to the cloud's side of it, the cluster component
 * binds the ServiceAccount to it, and `AppDeployment` puts the cloud's annotation on the ServiceAccount it applies.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { ManifestObject } from './charts-index';

/** The cloud side of an identity, as the stack config gives it. */
export type CloudIdentity =
  /** EKS: an IAM role that only the ServiceAccount may assume (IRSA), with these managed or customer policies. */
  | { readonly kind: 'aws-iam-role'; readonly policyArns: readonly string[] }
  /** GKE: an existing Google service account the ServiceAccount may impersonate (Workload Identity). */
  | { readonly kind: 'gcp-service-account'; readonly email: string };

/** The Kubernetes ServiceAccount being bound. */
export interface WorkloadSubject {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** What a cloud cluster offers to bind ServiceAccounts to cloud identities. */
export interface WorkloadIdentityBinder {
  /**
   * Creates the cloud-side binding (parented to `parent`) and returns the annotations the ServiceAccount needs.
   * @param name logical name prefix of the created resources
   */
  bindWorkloadIdentity(
    name: string,
    subject: WorkloadSubject,
    identity: CloudIdentity,
    parent: pulumi.Resource,
  ): Readonly<Record<string, pulumi.Input<string>>>;
}

/** Adds annotations to the named ServiceAccounts of a manifest (other objects are returned unchanged). */
export function annotateServiceAccounts(
  objects: readonly ManifestObject[],
  annotations: ReadonlyMap<string, Readonly<Record<string, pulumi.Input<string>>>>,
): ManifestObject[] {
  return objects.map((o) => {
    const extra = o.kind === 'ServiceAccount' && o.metadata?.name ? annotations.get(o.metadata.name) : undefined;
    if (!extra) return o;
    // The annotation values may be Outputs (a role ARN): ConfigGroup resolves inputs nested in `objs`.
    const merged = { ...(o.metadata?.annotations ?? {}), ...extra } as Record<string, string>;
    return { ...o, metadata: { ...o.metadata, annotations: merged } };
  });
}
