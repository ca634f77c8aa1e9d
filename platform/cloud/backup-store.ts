/**
 * Object storage for the databases' `bucket` backups (see `platform/workloads/backup-bucket.ts`). The platform
 * stack, which owns the cloud account, creates one bucket for the apps it serves and gives each backup
 * ServiceAccount access to its own prefix `<namespace>/<database>/` only; it exports, per ServiceAccount, the
 * annotations that bind it to its cloud identity and the rclone remote its upload reads. The app stack writes that
 * remote as the ConfigMap `<database>-backup-target`. No credential is involved on the clouds (IRSA, Workload
 * Identity); on an existing cluster the bucket is the user's and its keys a Secret the user creates.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { BackupRequirement } from '../contract';

/** One database's backups in the bucket. */
export interface BackupRequest extends Pick<BackupRequirement, 'database' | 'serviceAccount' | 'retentionDays'> {
  /** The app namespace. */
  readonly namespace: string;
}

/** What the app stack needs for one backup ServiceAccount. */
export interface BackupTarget {
  /** Annotations of the ServiceAccount (its cloud identity). */
  readonly annotations: Readonly<Record<string, pulumi.Input<string>>>;
  /** The upload's environment: rclone's remote `target` (`RCLONE_CONFIG_TARGET_*`), `BACKUP_BUCKET`, `BACKUP_PATH`. */
  readonly env: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Creates the buckets and the access of each backup ServiceAccount. */
export interface BackupStore {
  /**
   * Creates the bucket (named after `name`) with a lifecycle rule per request, and each request's access;
   * resources are parented to `parent`.
   * @returns the target of each request, in order
   */
  provision(name: string, requests: readonly BackupRequest[], parent: pulumi.Resource): BackupTarget[];
}

/** The prefix of one database's backups in the bucket. */
export const backupPath = (r: Pick<BackupRequest, 'namespace' | 'database'>): string => `${r.namespace}/${r.database}`;

/** The environment common to every remote. */
export function backupEnv(
  bucket: pulumi.Input<string>,
  r: BackupRequest,
  remote: Readonly<Record<string, pulumi.Input<string>>>,
): Record<string, pulumi.Input<string>> {
  const env: Record<string, pulumi.Input<string>> = { BACKUP_BUCKET: bucket, BACKUP_PATH: backupPath(r) };
  for (const [key, value] of Object.entries(remote)) env[`RCLONE_CONFIG_TARGET_${key}`] = value;
  return env;
}

/** A bucket of the user's on an existing cluster (`k8s-platform:backupBucket`). */
export interface ExistingBucket {
  /** Bucket name. */
  readonly bucket: string;
  /** rclone's S3 provider (`AWS`, `Minio`, `Ceph`, `Other`, ...). */
  readonly provider: string;
  /** Endpoint URL, for a store other than AWS's. */
  readonly endpoint?: string;
  /** Region. */
  readonly region?: string;
}

/**
 * The user's S3-compatible bucket: nothing is created (its lifecycle is the user's), and the keys come from the
 * Secret `<database>-backup-target` the user creates in the app namespace (`RCLONE_CONFIG_TARGET_ACCESS_KEY_ID`,
 * `RCLONE_CONFIG_TARGET_SECRET_ACCESS_KEY`).
 */
export function existingBackupStore(bucket: ExistingBucket): BackupStore {
  return {
    provision: (_name, requests) =>
      requests.map((r) => ({
        annotations: {},
        env: backupEnv(bucket.bucket, r, {
          TYPE: 's3',
          PROVIDER: bucket.provider,
          ...(bucket.endpoint ? { ENDPOINT: bucket.endpoint } : {}),
          ...(bucket.region ? { REGION: bucket.region } : {}),
          NO_CHECK_BUCKET: 'true',
        }),
      })),
  };
}
