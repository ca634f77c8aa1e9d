/**
 * A database's scheduled backup: a CronJob that runs the engine's own consistent logical dump (see
 * `backup-scripts.ts`) in the database's own image, into a retained volume of its own or, through scratch space,
 * to the platform's bucket (`backup-bucket.ts`), and the same job's template for `k8s-platform restore`. The job is a node of the app graph with one edge, to its database: its NetworkPolicy
 * and the database's are derived like every other edge (it reaches its database and DNS, nothing else), and in a
 * meshed app it is meshed too (as a native sidecar, so that the job completes), authorized by its own identity.
 */
import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import type { PlatformChart } from '../chart';
import { BACKUP_SUFFIX, BACKUP_VOLUME, backupTargetName } from '../contract';
import { CronSyntaxError, maxIntervalSeconds, parseCron } from '../core/cron';
import type { DatabaseEngine, GraphNode } from '../core/graph';
import type { PropKeys } from '../core/known-props';
import { selectorLabels, serviceHost, workloadLabels } from '../core/names';
import { parseQuantity } from '../core/quantity';
import type { Resources } from '../core/resources';
import { renderResources } from '../core/resources';
import type { RunAs } from '../core/security';
import { containerSecurityContext, podSecurityContext } from '../core/security';
import type { Duration } from 'cdk8s';
import type { SizeQuantity } from '../core/units';
import type { PropValidator } from '../core/validate';
import { linkerdPodAnnotations } from '../mesh/linkerd';
import { BACKUP_DIR, backupScript } from './backup-scripts';
import { bucketEnvFrom, bucketScript, DUMP_CONTAINER, RCLONE_IMAGE, UPLOAD_CONTAINER } from './backup-bucket';

/**
 * When a database's backups run unless a schedule is given: daily between 02:00 and 02:59 UTC, at a minute taken
 * from the database's namespace and name, so that a cluster's databases do not all dump at the same moment (and a
 * synth gives the same minute every time).
 */
export function defaultBackupSchedule(namespace: string, database: string): string {
  const minute = createHash('sha256').update(`${namespace}/${database}`).digest().readUInt32BE(0) % 60;
  return `${minute} 2 * * *`;
}
/** Days a backup is kept unless a retention is given. */
export const DEFAULT_BACKUP_RETENTION_DAYS = 7;
/** The backup job's container resources. */
export const BACKUP_RESOURCES: Resources = {
  cpu: { request: '100m', limit: '1' },
  memory: { request: '128Mi', limit: '512Mi' },
};
/** Longest CronJob name: the controller appends `-<minutes since the epoch>` (11 characters) to its Jobs' names. */
export const MAX_CRONJOB_NAME = 52;
/** Linkerd's switch that runs the proxy as a native sidecar, which stops with the job's container. */
const LINKERD_NATIVE_SIDECAR_ANNOTATION = 'config.alpha.linkerd.io/proxy-enable-native-sidecar';
/** A reason to opt out must say something (`'n/a'` says nothing). */
const MIN_REASON_LENGTH = 10;

/** A volume of its own that keeps the backups (a PersistentVolumeClaim `<database>-backup`, retained). */
export interface VolumeBackupTarget {
  /** A volume. */
  readonly kind: 'volume';
  /**
   * Size of the volume: `'20Gi'` or `Size.gibibytes(20)`.
   * @default the database's own `storage`
   */
  readonly storage?: SizeQuantity;
  /**
   * StorageClass of the volume: on a cluster with more than one zone, one whose disks outlive the database's zone
   * (a regional disk) keeps the backups through a zone's loss.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
}

/**
 * The platform's object storage: an S3 bucket on EKS (reached with an IAM role for the job's ServiceAccount), a
 * GCS bucket on GKE (Workload Identity), each created with encryption and a lifecycle rule that expires backups
 * after the retention; on an existing cluster the bucket the platform stack's `backupBucket` names. The job
 * reaches it over the Internet on port 443.
 */
export interface BucketBackupTarget {
  /** Object storage. */
  readonly kind: 'bucket';
  /**
   * Size of the scratch volume one dump is written to before its upload (a generic ephemeral volume): `'20Gi'`
   * or `Size.gibibytes(20)`.
   * @default the database's own `storage`
   */
  readonly scratch?: SizeQuantity;
  /**
   * StorageClass of the scratch volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
}

/** Where a database's backups are kept. */
export type BackupTarget = VolumeBackupTarget | BucketBackupTarget;

/** The `backup` of a {@link DatabaseProps}: on by default; opting out takes a reason. */
export interface DatabaseBackup {
  /**
   * When a backup runs: a CronJob schedule (five fields or a macro such as `@daily`), in UTC.
   * @default daily at 02:MM UTC, MM from the database's namespace and name ({@link defaultBackupSchedule})
   */
  readonly schedule?: string;
  /**
   * Days a backup is kept, or a `Duration` of whole days (`Duration.days(14)`); older ones are removed once a newer
   * one succeeded.
   * @default 7
   */
  readonly retentionDays?: number | Duration;
  /**
   * Where backups are kept.
   * @default { kind: 'volume' } (a retained volume the size of the database's)
   */
  readonly target?: BackupTarget;
  /**
   * No backup, and why (at least ten characters): a cache that is rebuilt from elsewhere, data that is disposable.
   * Nothing else may be set with it.
   * @default undefined (backed up)
   */
  readonly disabled?: string;
}

const BACKUP_KEYS: PropKeys<DatabaseBackup> = { schedule: true, retentionDays: true, target: true, disabled: true };
const VOLUME_TARGET_KEYS: PropKeys<VolumeBackupTarget> = { kind: true, storage: true, storageClass: true };
const BUCKET_TARGET_KEYS: PropKeys<BucketBackupTarget> = { kind: true, scratch: true, storageClass: true };

/** A backup after validation. */
export interface ResolvedBackup {
  /** The CronJob's, ServiceAccount's and volume claim's name: `<database>-backup`. */
  readonly name: string;
  /** The cron schedule, as given or {@link defaultBackupSchedule}. */
  readonly schedule: string;
  /** Days a backup is kept. */
  readonly retentionDays: number;
  /** The longest time between two runs: an alert fires when the last success is older than twice this. */
  readonly intervalSeconds: number;
  /** The volume that keeps the backups, or the scratch volume of a bucket's uploads. */
  readonly target: { readonly kind: 'volume' | 'bucket'; readonly storage: string; readonly storageClass?: string };
}

/** Validates `backup` of Database `id` (in `namespace`); `undefined` when the database opts out. */
export function resolveBackup(
  v: PropValidator,
  id: string,
  backup: DatabaseBackup | undefined,
  databaseStorage: string,
  namespace: string,
): ResolvedBackup | undefined {
  if (backup !== undefined && (typeof backup !== 'object' || backup === null || Array.isArray(backup))) {
    v.fail(
      'backup',
      `${JSON.stringify(backup)} is not a backup`,
      "leave it out for the default daily backup, or opt out with a reason: { disabled: 'rebuilt from ... at start' }",
    );
  }
  v.knownProps('backup', backup, BACKUP_KEYS, 'backup');
  if (backup?.disabled !== undefined) {
    if (typeof backup.disabled !== 'string' || backup.disabled.trim().length < MIN_REASON_LENGTH) {
      v.fail(
        'backup.disabled',
        `${JSON.stringify(backup.disabled)} is not a reason`,
        `say why this data needs no backup, in at least ${MIN_REASON_LENGTH} characters`,
      );
    }
    const others = Object.keys(backup).filter((k) => k !== 'disabled');
    if (others.length > 0) {
      v.fail('backup', `sets ${others.join(', ')} beside disabled`, 'either opt out, or configure the backup');
    }
    return undefined;
  }
  const name = `${id}${BACKUP_SUFFIX}`;
  if (name.length > MAX_CRONJOB_NAME) {
    v.fail(
      'id',
      `${JSON.stringify(id)} is ${id.length} characters: its backup CronJob "${name}" would be longer than ${MAX_CRONJOB_NAME}`,
      `use an id of at most ${MAX_CRONJOB_NAME - BACKUP_SUFFIX.length} characters, or opt out of backups with a reason`,
    );
  }
  const schedule = backup?.schedule ?? defaultBackupSchedule(namespace, id);
  let intervalSeconds: number;
  try {
    intervalSeconds = maxIntervalSeconds(parseCron(schedule));
  } catch (error) {
    if (!(error instanceof CronSyntaxError)) throw error;
    v.fail(
      'backup.schedule',
      `${JSON.stringify(schedule)} ${error.message}`,
      "write a cron schedule of five fields (minute hour day-of-month month day-of-week), e.g. '30 2 * * *' or '@daily'",
    );
  }
  const retentionDays = v.whole('backup.retentionDays', backup?.retentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS, 'd', 1);
  const target: BackupTarget = backup?.target ?? { kind: 'volume' };
  if (typeof target !== 'object' || target === null || (target.kind !== 'volume' && target.kind !== 'bucket')) {
    v.fail(
      'backup.target',
      `${JSON.stringify(target)} is not a backup target`,
      "use { kind: 'volume' } (a retained volume of the database's namespace) or { kind: 'bucket' } (the platform's object storage)",
    );
  }
  const sizeProp = target.kind === 'volume' ? 'storage' : 'scratch';
  v.knownProps(
    'backup.target',
    target,
    target.kind === 'volume' ? VOLUME_TARGET_KEYS : BUCKET_TARGET_KEYS,
    `${target.kind} target`,
  );
  const size = target.kind === 'volume' ? target.storage : target.scratch;
  const storage = v.size(`backup.target.${sizeProp}`, size ?? databaseStorage, '20Gi');
  if (parseQuantity(storage) < 2 ** 20) {
    v.fail(
      `backup.target.${sizeProp}`,
      `${JSON.stringify(storage)} is too small`,
      'give a size with a unit, e.g. "20Gi"',
    );
  }
  if (target.storageClass !== undefined) v.dnsSubdomain('backup.target.storageClass', target.storageClass);
  // A bucket's lifecycle expires backups by age alone: the last good one must outlive the alert on its age.
  if (target.kind === 'bucket' && retentionDays * 86_400 < 2 * intervalSeconds) {
    v.fail(
      'backup.retentionDays',
      `${retentionDays} expires a bucket's backups before the alert on a missed backup (${(2 * intervalSeconds) / 86_400} days) fires`,
      `keep them at least ${Math.ceil((2 * intervalSeconds) / 86_400)} days`,
    );
  }
  return {
    name,
    schedule,
    retentionDays,
    intervalSeconds,
    target: { kind: target.kind, storage, storageClass: target.storageClass },
  };
}

/** What a backup job needs of its database. */
export interface BackupSource {
  /** The database's app. */
  readonly app: PlatformChart;
  /** The database's node, which the job's edge points to. */
  readonly graphNode: GraphNode;
  /** Its engine, which picks the dump and restore commands. */
  readonly engine: DatabaseEngine;
  /** The server image, whose tools the job runs. */
  readonly image: string;
  /** The server's uid/gid, which the job runs as. */
  readonly runAs: RunAs;
  /** The server port. */
  readonly port: number;
  /** The credentials Secret (key `password`). */
  readonly credentialsSecret: string;
  /** Database name (empty for Redis). */
  readonly database: string;
  /** User name (empty for Redis). */
  readonly user: string;
}

/** The objects of a database's backup. */
export interface DatabaseBackupObjects {
  readonly cronJob: k8s.KubeCronJob;
  /** The volume that keeps the backups (a volume target). */
  readonly volumeClaim?: k8s.KubePersistentVolumeClaim;
  /** The job's node in the app graph (its one edge is to the database). */
  readonly graphNode: GraphNode;
}

/**
 * Creates the backup of `db` under `scope`: ServiceAccount, the volume claim of a volume target and CronJob; records
 * the job (whose NetworkPolicy the chart derives), its edge, the egress of a bucket target and the app's backup
 * requirement.
 */
export function addDatabaseBackup(scope: Construct, db: BackupSource, b: ResolvedBackup): DatabaseBackupObjects {
  const app = db.app;
  const bucket = b.target.kind === 'bucket';
  const labels = workloadLabels(app.appName, b.name, 'backup');
  const node: GraphNode = {
    name: b.name,
    selector: selectorLabels(app.appName, b.name),
    ports: [],
    metricsPorts: [],
    meshed: db.graphNode.meshed,
    component: 'backup',
    kind: 'CronJob',
    hasService: false,
  };
  app.addEdge({ from: node, to: db.graphNode, ports: db.graphNode.ports });
  // Object storage APIs (S3, GCS, and the S3-compatible stores) answer HTTPS at public addresses.
  if (bucket) app.allowEgress(node, { to: 'internet', ports: [443] });
  app.addJob(node, scope);
  app.addBackup({
    database: db.graphNode.name,
    engine: db.engine,
    serviceAccount: b.name,
    retentionDays: b.retentionDays,
    target: b.target.kind,
  });
  new k8s.KubeServiceAccount(scope, 'service-account', {
    metadata: { name: b.name, labels },
    automountServiceAccountToken: false,
  });
  const claim = {
    accessModes: ['ReadWriteOnce'],
    storageClassName: b.target.storageClass,
    resources: { requests: { storage: k8s.Quantity.fromString(b.target.storage) } },
  };
  let volumeClaim: k8s.KubePersistentVolumeClaim | undefined;
  if (!bucket) {
    volumeClaim = new k8s.KubePersistentVolumeClaim(scope, 'volume', {
      metadata: { name: b.name, labels },
      spec: claim,
    });
    app.addStateful({ kind: 'PersistentVolumeClaim', name: b.name });
  }
  const env: k8s.EnvVar[] = [
    { name: 'BACKUP_PREFIX', value: db.graphNode.name },
    { name: 'BACKUP_RETENTION_DAYS', value: String(b.retentionDays) },
    { name: 'DB_HOST', value: serviceHost(db.graphNode.name, app.namespace as string) },
    { name: 'DB_PORT', value: String(db.port) },
    { name: 'DB_NAME', value: db.database },
    { name: 'DB_USER', value: db.user },
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: db.credentialsSecret, key: 'password' } } },
    // The root filesystem is read-only: the clients' state (mongosh's history, psql's) goes to the scratch space.
    { name: 'HOME', value: '/tmp' },
  ];
  const mounts = [
    { name: BACKUP_VOLUME, mountPath: BACKUP_DIR },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const dump: k8s.Container = {
    name: DUMP_CONTAINER,
    image: db.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', backupScript(db.engine)],
    env,
    resources: renderResources(BACKUP_RESOURCES),
    securityContext: containerSecurityContext(true, db.runAs),
    volumeMounts: mounts,
  };
  const upload: k8s.Container = {
    name: UPLOAD_CONTAINER,
    image: RCLONE_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', bucketScript()],
    env: [
      { name: 'BACKUP_ENGINE', value: db.engine },
      { name: 'HOME', value: '/tmp' },
    ],
    envFrom: bucketEnvFrom(backupTargetName(db.graphNode.name)),
    resources: renderResources(BACKUP_RESOURCES),
    // As the database's user: the dumps are written private (umask 077), and rclone runs as any uid.
    securityContext: containerSecurityContext(true, db.runAs),
    volumeMounts: mounts,
  };
  const meshed = node.meshed
    ? {
        ...linkerdPodAnnotations({ injection: app.meshInjection, proxy: app.meshProxy, opaquePorts: [] }),
        [LINKERD_NATIVE_SIDECAR_ANNOTATION]: 'true',
      }
    : app.meshed
      ? linkerdPodAnnotations(undefined)
      : {};
  const cronJob = new k8s.KubeCronJob(scope, 'cronjob', {
    metadata: { name: b.name, labels },
    spec: {
      schedule: b.schedule,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      // A run missed by more than an hour (the controller was down) waits for the next one.
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels, ...(Object.keys(meshed).length ? { annotations: meshed } : {}) },
            spec: {
              serviceAccountName: b.name,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              restartPolicy: 'Never',
              securityContext: podSecurityContext(db.runAs),
              // A bucket's dump is uploaded once complete: the dump runs first, as an init container.
              ...(bucket ? { initContainers: [dump], containers: [upload] } : { containers: [dump] }),
              volumes: [
                bucket
                  ? { name: BACKUP_VOLUME, ephemeral: { volumeClaimTemplate: { metadata: { labels }, spec: claim } } }
                  : { name: BACKUP_VOLUME, persistentVolumeClaim: { claimName: b.name } },
                { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
              ],
            },
          },
        },
      },
    },
  });
  return { cronJob, volumeClaim, graphNode: node };
}
