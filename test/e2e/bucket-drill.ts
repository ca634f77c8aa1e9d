/**
 * The backup drill of a `bucket` target, as on an existing cluster whose platform stack names an S3-compatible
 * bucket (`existing.backupBucket`): the S3 stand-in is rclone's own S3 server (`rclone serve s3`, the same rclone
 * build as the job's image) over HTTPS at an Internet address of the test (203.0.113.20:443, outside every range
 * the platform's egress rules leave out), with access keys; the remote the job reads is the ConfigMap the Pulumi
 * side's `existingBackupStore` computes, and the keys are the Secret the user creates as docs/deploy.md says. What
 * it does not prove: S3 or GCS themselves, their IAM (IRSA, Workload Identity) and lifecycle rules, which need the
 * clouds; the stand-in's certificate is self-signed, so the job is told not to check it
 * (`RCLONE_NO_CHECK_CERTIFICATE`, set by the test only).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { Database, PlatformChart } from '../../platform';
import { existingBackupStore } from '../../platform/cloud/backup-store';
import { backupTargetName } from '../../platform/contract';
import { RCLONE_IMAGE } from '../../platform/workloads/backup-bucket';
import type { ManifestObject } from '../../scripts/lib/manifests';
import type { KubeObject } from '../../scripts/lib/manifests';
import type { AppEntry } from './runtime-support';
import { pollUntil } from './support';

/** The stand-in's address and bucket. */
export const S3_STAND_IN = { ip: '203.0.113.20', port: 443, bucket: 'backups' } as const;

/** The rclone of the job's image, as the images build caches it (scripts/images/images/rclone.sh). */
export function rcloneBinary(toolsBin: string): string {
  return join(toolsBin, '..', `rclone-v${RCLONE_IMAGE.split(':')[1]}`, 'rclone');
}

/** A running S3 stand-in: its data directory, keys, and how to stop it. */
export interface S3StandIn {
  readonly dir: string;
  readonly accessKey: string;
  readonly secretKey: string;
  stop(): void;
}

/** Starts `rclone serve s3` over HTTPS at {@link S3_STAND_IN} (the address added to the namespace's loopback). */
export async function startS3StandIn(rclone: string): Promise<S3StandIn> {
  const dir = mkdtempSync(join(tmpdir(), 's3-stand-in-'));
  mkdirSync(join(dir, 'data', S3_STAND_IN.bucket), { recursive: true });
  const tls = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${S3_STAND_IN.ip}`,
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  if (tls.status !== 0) throw new Error(`S3 stand-in: openssl: ${tls.stderr.toString()}`);
  spawnSync('ip', ['addr', 'add', `${S3_STAND_IN.ip}/32`, 'dev', 'lo']);
  const accessKey = randomBytes(8).toString('hex');
  const secretKey = randomBytes(16).toString('hex');
  const server: ChildProcess = spawn(
    rclone,
    [
      'serve',
      's3',
      join(dir, 'data'),
      '--addr',
      `${S3_STAND_IN.ip}:${S3_STAND_IN.port}`,
      '--cert',
      join(dir, 'cert.pem'),
      '--key',
      join(dir, 'key.pem'),
      '--auth-key',
      `${accessKey},${secretKey}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await pollUntil(
    () =>
      new Promise<true | undefined>((resolve) => {
        const socket = connect(S3_STAND_IN.port, S3_STAND_IN.ip, () => (socket.end(), resolve(true)));
        socket.on('error', () => resolve(undefined));
      }),
    () => `S3 stand-in did not listen on ${S3_STAND_IN.ip}:${S3_STAND_IN.port}:\n${log}`,
    30_000,
  );
  return {
    dir,
    accessKey,
    secretKey,
    stop: () => {
      server.kill();
      spawnSync('ip', ['addr', 'del', `${S3_STAND_IN.ip}/32`, 'dev', 'lo']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The drill's own app: one PostgreSQL whose backups go to the bucket, synthesized as a user's app would be. */
export function bucketDrillApp(): { app: AppEntry; manifests: ManifestObject[] } {
  const chart = new PlatformChart(new App(), 'bucket-drill');
  new Database(chart, 'db', {
    engine: 'postgres',
    storage: '1Gi',
    resources: { cpu: { request: '100m' }, memory: { request: '128Mi' } },
    backup: { target: { kind: 'bucket', scratch: '1Gi' } },
  });
  const file = 'bucket-drill.k8s.yaml';
  const manifests = chart
    .toJson()
    .map((object, index) => ({ file, index, object: object as KubeObject }) as ManifestObject);
  return { app: chart.indexEntry(file, ''), manifests };
}

/**
 * What the deploy writes for an existing cluster's bucket (the app stack's ConfigMap from `existingBackupStore`)
 * and what the user creates (the keys' Secret), for each bucket backup of the app.
 */
export function bucketTargetObjects(app: AppEntry, s3: S3StandIn): KubeObject[] {
  const store = existingBackupStore({
    bucket: S3_STAND_IN.bucket,
    provider: 'Other',
    endpoint: `https://${S3_STAND_IN.ip}`,
  });
  const backups = (app.backups ?? []).filter((b) => b.target === 'bucket');
  const targets = store.provision(
    'drill',
    backups.map((b) => ({ ...b, namespace: app.namespace })),
    undefined as never,
  );
  return backups.flatMap((b, i) => [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: backupTargetName(b.database), namespace: app.namespace },
      data: { ...(targets[i]?.env as Record<string, string>), RCLONE_NO_CHECK_CERTIFICATE: 'true' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: backupTargetName(b.database), namespace: app.namespace },
      type: 'Opaque',
      stringData: {
        RCLONE_CONFIG_TARGET_ACCESS_KEY_ID: s3.accessKey,
        RCLONE_CONFIG_TARGET_SECRET_ACCESS_KEY: s3.secretKey,
      },
    },
  ]);
}

/** The backups of one database in the stand-in's bucket, newest last. */
export function storedBackups(s3: S3StandIn, namespace: string, database: string): string[] {
  try {
    return readdirSync(join(s3.dir, 'data', S3_STAND_IN.bucket, namespace, database)).sort();
  } catch {
    return [];
  }
}

/** Flips four bytes in the middle of the newest backup in the bucket; returns its name. */
export function corruptStoredBackup(s3: S3StandIn, namespace: string, database: string): string {
  const name = storedBackups(s3, namespace, database)
    .filter((f) => f.endsWith('.dump'))
    .pop();
  if (!name) throw new Error(`S3 stand-in: no backup of ${namespace}/${database} in the bucket`);
  const path = join(s3.dir, 'data', S3_STAND_IN.bucket, namespace, database, name);
  const bytes = readFileSync(path);
  bytes.write('XXXX', Math.floor(bytes.length / 2));
  writeFileSync(path, bytes);
  return name;
}
