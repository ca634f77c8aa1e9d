/**
 * The databases' backups on GKE: one GCS bucket in the cluster's region, uniform bucket-level access, public
 * access prevented, Google-managed encryption, object versioning, and a lifecycle rule per database prefix that
 * deletes backups (and old versions) after the retention; per backup ServiceAccount a Google service account it
 * acts as (Workload Identity) that may read and write objects under its own prefix only (and list the bucket's
 * names: GCS lists at the bucket, which an IAM condition on object names cannot narrow).
 */
import { createHash } from 'node:crypto';
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { BackupRequest, BackupStore, BackupTarget } from './backup-store';
import { backupEnv, backupPath } from './backup-store';

/** What the GKE cluster gives its backup store. */
export interface GcsBackupStoreArgs {
  /** The project of the bucket and the service accounts (and of the cluster's Workload Identity pool). */
  readonly project: pulumi.Input<string>;
  /** The bucket's location: the cluster's region. */
  readonly region: pulumi.Input<string>;
}

/** A Google service account id (6-30 characters): `bk-` and a digest of the ServiceAccount's namespace and name. */
export function backupAccountId(r: Pick<BackupRequest, 'namespace' | 'serviceAccount'>): string {
  return `bk-${createHash('sha256').update(`${r.namespace}/${r.serviceAccount}`).digest('hex').slice(0, 20)}`;
}

/** The IAM condition of one backup account: objects under its prefix, and the bucket itself (for listing). */
export function backupCondition(bucket: string, prefix: string): string {
  return (
    `resource.name.startsWith("projects/_/buckets/${bucket}/objects/${prefix}/") || ` +
    `resource.name == "projects/_/buckets/${bucket}"`
  );
}

/** The GKE cluster's {@link BackupStore}. */
export function gcsBackupStore(args: GcsBackupStoreArgs): BackupStore {
  return {
    provision(name: string, requests: readonly BackupRequest[], parent: pulumi.Resource): BackupTarget[] {
      const opts = { parent };
      const bucket = new gcp.storage.Bucket(
        `${name}-backups`,
        {
          location: args.region,
          project: args.project,
          uniformBucketLevelAccess: true,
          publicAccessPrevention: 'enforced',
          forceDestroy: false,
          versioning: { enabled: true },
          lifecycleRules: requests.flatMap((r) => [
            { action: { type: 'Delete' }, condition: { age: r.retentionDays, matchesPrefixes: [`${backupPath(r)}/`] } },
            {
              action: { type: 'Delete' },
              condition: { daysSinceNoncurrentTime: r.retentionDays, matchesPrefixes: [`${backupPath(r)}/`] },
            },
          ]),
        },
        opts,
      );
      return requests.map((r) => {
        const id = backupAccountId(r);
        const account = new gcp.serviceaccount.Account(
          `${name}-${id}`,
          {
            accountId: id,
            project: args.project,
            displayName: `backups of ${r.namespace}/${r.database}`,
          },
          opts,
        );
        new gcp.storage.BucketIAMMember(
          `${name}-${id}`,
          {
            bucket: bucket.name,
            role: 'roles/storage.objectUser',
            member: pulumi.interpolate`serviceAccount:${account.email}`,
            condition: {
              title: `backups of ${backupPath(r)}`,
              expression: bucket.name.apply((b) => backupCondition(b, backupPath(r))),
            },
          },
          opts,
        );
        new gcp.serviceaccount.IAMMember(
          `${name}-${id}-workload-identity`,
          {
            serviceAccountId: account.name,
            role: 'roles/iam.workloadIdentityUser',
            member: pulumi.interpolate`serviceAccount:${args.project}.svc.id.goog[${r.namespace}/${r.serviceAccount}]`,
          },
          opts,
        );
        return {
          annotations: { 'iam.gke.io/gcp-service-account': account.email },
          env: backupEnv(bucket.name, r, {
            TYPE: 'google cloud storage',
            ENV_AUTH: 'true',
            BUCKET_POLICY_ONLY: 'true',
          }),
        };
      });
    },
  };
}
