/** The databases' `bucket` backups: the buckets and access the platform stack creates, what the app stack writes. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { installMocks, named, settle, valueOf } from './harness';

const recorded = installMocks((args) => {
  if (args.type === 'aws:s3/bucket:Bucket') return { arn: 'arn:aws:s3:::shop-backups', bucket: 'shop-backups' };
  if (args.type === 'aws:iam/role:Role') return { arn: `arn:aws:iam::123456789012:role/${args.name}` };
  if (args.type === 'gcp:storage/bucket:Bucket') return { name: 'shop-backups-gcs' };
  if (args.type === 'gcp:serviceaccount/account:Account') {
    return { email: `${args.inputs.accountId}@proj.iam.gserviceaccount.com`, name: `projects/proj/sa/${args.name}` };
  }
  return undefined;
});

import { AppDeployment } from '../../platform/cloud/app-deployment';
import type { BackupRequest } from '../../platform/cloud/backup-store';
import { existingBackupStore } from '../../platform/cloud/backup-store';
import type { PlatformCluster } from '../../platform/cloud/cluster';
import { backupAccountId, backupCondition, gcsBackupStore } from '../../platform/cloud/gcs-backups';
import { backupRolePolicy, s3BackupStore } from '../../platform/cloud/s3-backups';
import { CHARTS_INDEX_VERSION, manifestDigest } from '../../platform/contract';
import { INDEX_FILE } from '../../platform/contract';
import type { AppEntry, ChartsIndex } from '../../platform/contract';
import { provisionBackups } from '../../platform/cloud/stack/backups';
import { checkAppAgainstPlatform, PLATFORM_EXPORTS_VERSION } from '../../platform/cloud/stack/platform-exports';
import type { PlatformExports } from '../../platform/cloud/stack/platform-exports';
import { toYaml } from './fixtures';

const requests: BackupRequest[] = [
  { namespace: 'shop', database: 'orders', serviceAccount: 'orders-backup', retentionDays: 14 },
  { namespace: 'shop', database: 'users', serviceAccount: 'users-backup', retentionDays: 7 },
];
const parent = new pulumi.ComponentResource('test:Parent', 'backups-parent');
const issuer = { providerArn: 'arn:aws:iam::123456789012:oidc-provider/x', host: pulumi.output('oidc.example/id/1') };
const s3 = s3BackupStore({ issuer, region: 'eu-west-1', tags: { stack: 'eks-dev' } }).provision(
  'eks',
  requests,
  parent,
);
const gcs = gcsBackupStore({ project: 'proj', region: 'europe-west1' }).provision('gke', requests, parent);
const existing = existingBackupStore({
  bucket: 'team-backups',
  provider: 'Minio',
  endpoint: 'https://minio.example.org',
}).provision('local', requests, parent);

const entry = (backups: AppEntry['backups']): AppEntry => ({
  name: 'shop',
  file: 'shop.k8s.yaml',
  namespace: 'shop',
  digest: 'sha256:x',
  secrets: [],
  addons: [],
  stateful: [],
  hosts: [],
  meshed: false,
  gatewayHttpsHosts: [],
  backups,
});
const bucketApp = entry([
  { database: 'orders', engine: 'postgres', serviceAccount: 'orders-backup', retentionDays: 14, target: 'bucket' },
  { database: 'cache', engine: 'redis', serviceAccount: 'cache-backup', retentionDays: 7, target: 'volume' },
]);
const exported = provisionBackups(
  'split',
  { backupStore: s3BackupStore({ issuer, region: 'eu-west-1', tags: {} }) } as unknown as PlatformCluster,
  [bucketApp],
);

// The app stack's side: the ConfigMap of the remote, the annotation on the ServiceAccount.
const yamlText = toYaml([
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'orders-backup', namespace: 'shop' } },
]);
const dir = mkdtempSync(join(tmpdir(), 'charts-out-'));
const index: ChartsIndex = {
  version: CHARTS_INDEX_VERSION,
  apps: [{ ...bucketApp, digest: manifestDigest(yamlText) }],
};
writeFileSync(join(dir, 'shop.k8s.yaml'), yamlText);
writeFileSync(join(dir, INDEX_FILE), JSON.stringify(index));
new AppDeployment('shop', {
  provider: new k8s.Provider('test-k8s', {}),
  chartsDir: dir,
  app: 'shop',
  addons: {},
  serviceAccountAnnotations: { 'orders-backup': { 'eks.amazonaws.com/role-arn': 'arn:role' } },
  backupTargets: {
    orders: { RCLONE_CONFIG_TARGET_TYPE: 's3', BACKUP_BUCKET: 'shop-backups', BACKUP_PATH: 'shop/orders' },
  },
});

beforeAll(() => settle(recorded));
const ofType = (type: string) => recorded.filter((r) => r.type === type);

describe('S3 on EKS', () => {
  test('one private, KMS-encrypted, versioned bucket that refuses plain HTTP', () => {
    const bucket = named(recorded, 'eks-backups', 'aws:s3/bucket:Bucket');
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.parent).toBe('backups-parent');
    expect(
      named(recorded, 'eks-backups', 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const sse = named(
      recorded,
      'eks-backups',
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
    );
    expect(sse.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe('aws:kms');
    expect(
      named(recorded, 'eks-backups', 'aws:s3/bucketVersioning:BucketVersioning').inputs.versioningConfiguration,
    ).toEqual({
      status: 'Enabled',
    });
    const policy = JSON.parse(named(recorded, 'eks-backups', 'aws:s3/bucketPolicy:BucketPolicy').inputs.policy);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test('the retention is a lifecycle rule per database prefix, old versions included', () => {
    const lifecycle = named(
      recorded,
      'eks-backups',
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
    );
    expect(
      lifecycle.inputs.rules.map((r: { filter: { prefix: string }; expiration: { days: number } }) => [
        r.filter.prefix,
        r.expiration.days,
      ]),
    ).toEqual([
      ['shop/orders/', 14],
      ['shop/users/', 7],
    ]);
    expect(lifecycle.inputs.rules[0].noncurrentVersionExpiration).toEqual({ noncurrentDays: 14 });
  });

  test('each backup ServiceAccount assumes a role of its own that reaches its prefix only', async () => {
    const role = named(recorded, 'eks-shop-orders-backup', 'aws:iam/role:Role');
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    expect(trust.Statement[0].Condition.StringEquals['oidc.example/id/1:sub']).toBe(
      'system:serviceaccount:shop:orders-backup',
    );
    const policy = JSON.parse(named(recorded, 'eks-shop-orders-backup', 'aws:iam/rolePolicy:RolePolicy').inputs.policy);
    expect(policy).toEqual(JSON.parse(backupRolePolicy('arn:aws:s3:::shop-backups', 'shop/orders')));
    expect(policy.Statement[0].Resource).toBe('arn:aws:s3:::shop-backups/shop/orders/*');
    expect(policy.Statement[1].Condition.StringLike['s3:prefix']).toEqual(['shop/orders/*', 'shop/orders']);
    expect(await valueOf(pulumi.output(s3[0]!.annotations))).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/eks-shop-orders-backup',
    });
    expect(await valueOf(pulumi.output(s3[0]!.env))).toEqual({
      BACKUP_BUCKET: 'shop-backups',
      BACKUP_PATH: 'shop/orders',
      RCLONE_CONFIG_TARGET_TYPE: 's3',
      RCLONE_CONFIG_TARGET_PROVIDER: 'AWS',
      RCLONE_CONFIG_TARGET_ENV_AUTH: 'true',
      RCLONE_CONFIG_TARGET_REGION: 'eu-west-1',
      RCLONE_CONFIG_TARGET_SERVER_SIDE_ENCRYPTION: 'aws:kms',
      RCLONE_CONFIG_TARGET_NO_CHECK_BUCKET: 'true',
    });
  });
});

describe('GCS on GKE', () => {
  test('one bucket with uniform access, public access prevented, versions, a lifecycle per prefix', () => {
    const bucket = named(recorded, 'gke-backups', 'gcp:storage/bucket:Bucket');
    expect(bucket.inputs).toMatchObject({
      location: 'europe-west1',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      forceDestroy: false,
      versioning: { enabled: true },
    });
    expect(bucket.inputs.lifecycleRules[0]).toEqual({
      action: { type: 'Delete' },
      condition: { age: 14, matchesPrefixes: ['shop/orders/'] },
    });
    expect(bucket.inputs.lifecycleRules).toHaveLength(4);
  });

  test('a Google service account per backup, limited to its prefix by an IAM condition, bound by Workload Identity', async () => {
    const id = backupAccountId(requests[0]!);
    expect(id).toMatch(/^bk-[0-9a-f]{20}$/);
    const member = named(recorded, `gke-${id}`, 'gcp:storage/bucketIAMMember:BucketIAMMember');
    expect(member.inputs.role).toBe('roles/storage.objectUser');
    expect(member.inputs.condition.expression).toBe(backupCondition('shop-backups-gcs', 'shop/orders'));
    expect(member.inputs.condition.expression).toContain('objects/shop/orders/');
    const wi = named(recorded, `gke-${id}-workload-identity`, 'gcp:serviceaccount/iAMMember:IAMMember');
    expect(wi.inputs.member).toBe('serviceAccount:proj.svc.id.goog[shop/orders-backup]');
    expect(await valueOf(pulumi.output(gcs[0]!.annotations))).toEqual({
      'iam.gke.io/gcp-service-account': `${id}@proj.iam.gserviceaccount.com`,
    });
    expect(await valueOf(pulumi.output(gcs[0]!.env))).toMatchObject({
      RCLONE_CONFIG_TARGET_TYPE: 'google cloud storage',
      RCLONE_CONFIG_TARGET_ENV_AUTH: 'true',
    });
  });
});

test('an existing cluster: the user’s bucket, nothing created, keys from the Secret the user makes', () => {
  expect(existing[1]).toEqual({
    annotations: {},
    env: {
      BACKUP_BUCKET: 'team-backups',
      BACKUP_PATH: 'shop/users',
      RCLONE_CONFIG_TARGET_TYPE: 's3',
      RCLONE_CONFIG_TARGET_PROVIDER: 'Minio',
      RCLONE_CONFIG_TARGET_ENDPOINT: 'https://minio.example.org',
      RCLONE_CONFIG_TARGET_NO_CHECK_BUCKET: 'true',
    },
  });
  expect(JSON.stringify(existing)).not.toMatch(/ACCESS_KEY|SECRET/);
});

describe('the platform stack exports, the app stack writes', () => {
  test('only bucket backups are provisioned, exported by namespace/ServiceAccount', async () => {
    const targets = await valueOf(exported);
    expect(Object.keys(targets)).toEqual(['shop/orders-backup']);
    expect(targets['shop/orders-backup']?.env.BACKUP_PATH).toBe('shop/orders');
  });

  test('a cluster without object storage refuses a bucket backup, naming the setting', () => {
    expect(() =>
      provisionBackups('local', { backupStore: undefined } as unknown as PlatformCluster, [bucketApp]),
    ).toThrow(
      'app "shop": database "orders" keeps its backups in a bucket, and this cluster has none; set k8s-platform:existing.backupBucket',
    );
  });

  test('an app stack refuses an app whose bucket the platform did not provide', () => {
    const platform: PlatformExports = {
      version: PLATFORM_EXPORTS_VERSION,
      cloud: 'eks',
      addons: {},
      issuers: {},
      ingressAddresses: {},
      identities: {},
    };
    expect(() => checkAppAgainstPlatform(bucketApp, platform, 'org/k8s-platform/eks-dev')).toThrow(
      'app "shop": the backups of "orders" go to a bucket platform stack org/k8s-platform/eks-dev has not provided',
    );
    const served = { ...platform, backupTargets: { 'shop/orders-backup': { annotations: {}, env: {} } } };
    expect(() => checkAppAgainstPlatform(bucketApp, served, 'org/k8s-platform/eks-dev')).not.toThrow();
  });

  test('the remote is the ConfigMap <database>-backup-target beside the ServiceAccounts', () => {
    const objs: { kind: string; metadata: { name: string; namespace: string }; data?: Record<string, string> }[] =
      named(recorded, 'shop-prerequisites', 'kubernetes:yaml/v2:ConfigGroup').inputs.objs;
    expect(objs.find((o) => o.kind === 'ConfigMap')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'orders-backup-target', namespace: 'shop' },
      data: { RCLONE_CONFIG_TARGET_TYPE: 's3', BACKUP_BUCKET: 'shop-backups', BACKUP_PATH: 'shop/orders' },
    });
  });
});

test('nothing is created for apps whose backups are all in volumes', async () => {
  const before = ofType('platform:cloud:DatabaseBackups').length;
  expect(await valueOf(provisionBackups('vol', {} as PlatformCluster, [entry([])]))).toEqual({});
  expect(ofType('platform:cloud:DatabaseBackups')).toHaveLength(before);
});
