/**
 * The databases' backups on EKS: one S3 bucket, private (public access blocked, owner-enforced), encrypted with
 * SSE-KMS (the account's S3 key), refusing plain HTTP, versioned (a job that overwrites or deletes a backup leaves
 * the old version), with a lifecycle rule per database prefix that expires backups (and old versions) after the
 * retention; and per backup ServiceAccount an IAM role (IRSA) that may list, read and write its own prefix only.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { BackupRequest, BackupStore, BackupTarget } from './backup-store';
import { backupEnv, backupPath } from './backup-store';
import type { IrsaIssuer } from './eks-irsa';
import { irsaTrustPolicy, serviceAccountSubject } from './eks-irsa';

/** What the EKS cluster gives its backup store. */
export interface S3BackupStoreArgs {
  /** The cluster's OIDC identity, which the backup roles trust. */
  readonly issuer: IrsaIssuer;
  /** The bucket's region (rclone's `region`). */
  readonly region: pulumi.Input<string>;
  /** Tags of the bucket and the roles. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The policy of one backup role: its own prefix, nothing else of the bucket. */
export function backupRolePolicy(bucketArn: string, prefix: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `${bucketArn}/${prefix}/*` },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': [`${prefix}/*`, prefix] } },
      },
    ],
  });
}

/** The EKS cluster's {@link BackupStore}. */
export function s3BackupStore(args: S3BackupStoreArgs): BackupStore {
  return {
    provision(name: string, requests: readonly BackupRequest[], parent: pulumi.Resource): BackupTarget[] {
      const opts = { parent };
      const bucket = new aws.s3.Bucket(`${name}-backups`, { forceDestroy: false, tags: { ...args.tags } }, opts);
      new aws.s3.BucketPublicAccessBlock(
        `${name}-backups`,
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        opts,
      );
      new aws.s3.BucketOwnershipControls(
        `${name}-backups`,
        { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
        opts,
      );
      new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-backups`,
        {
          bucket: bucket.id,
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }],
        },
        opts,
      );
      const versioning = new aws.s3.BucketVersioning(
        `${name}-backups`,
        { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } },
        opts,
      );
      new aws.s3.BucketPolicy(
        `${name}-backups`,
        {
          bucket: bucket.id,
          policy: pulumi.jsonStringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyPlainHttp',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          }),
        },
        opts,
      );
      if (requests.length > 0) {
        new aws.s3.BucketLifecycleConfiguration(
          `${name}-backups`,
          {
            bucket: bucket.id,
            rules: requests.map((r) => ({
              id: backupPath(r).replace('/', '-'),
              status: 'Enabled',
              filter: { prefix: `${backupPath(r)}/` },
              expiration: { days: r.retentionDays },
              noncurrentVersionExpiration: { noncurrentDays: r.retentionDays },
              abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            })),
          },
          { parent, dependsOn: [versioning] },
        );
      }
      return requests.map((r) => {
        const roleName = `${name}-${r.namespace}-${r.serviceAccount}`;
        const role = new aws.iam.Role(
          roleName,
          {
            assumeRolePolicy: irsaTrustPolicy(args.issuer, serviceAccountSubject(r.namespace, r.serviceAccount)),
            tags: { ...args.tags },
          },
          opts,
        );
        new aws.iam.RolePolicy(
          roleName,
          { role: role.id, policy: bucket.arn.apply((arn) => backupRolePolicy(arn, backupPath(r))) },
          opts,
        );
        return {
          annotations: { 'eks.amazonaws.com/role-arn': role.arn },
          env: backupEnv(bucket.bucket, r, {
            TYPE: 's3',
            PROVIDER: 'AWS',
            ENV_AUTH: 'true',
            REGION: args.region,
            SERVER_SIDE_ENCRYPTION: 'aws:kms',
            // The role may not create or inspect the bucket, only its objects.
            NO_CHECK_BUCKET: 'true',
          }),
        };
      });
    },
  };
}
