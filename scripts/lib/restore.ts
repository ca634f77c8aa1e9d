/**
 * The Jobs of `k8s-platform restore`: made from a database's backup CronJob (the same image, credentials,
 * ServiceAccount, labels and so NetworkPolicy as its backups), with the script's mode switched to `restore` or
 * `list`. Pure functions of the CronJob, so that what a restore runs is testable without a cluster.
 */
import { BACKUP_SUFFIX, BACKUP_VOLUME } from '../../platform/contract';
import { DOWNLOAD_CONTAINER, DUMP_CONTAINER, UPLOAD_CONTAINER } from '../../platform/workloads/backup-bucket';

/** The parts of a backup CronJob the restore reads (the rest is copied as it is). */
export interface BackupCronJob {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly jobTemplate: {
      readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
      readonly spec: {
        readonly template: {
          readonly metadata?: Readonly<Record<string, unknown>>;
          readonly spec: {
            readonly containers: readonly BackupContainer[];
            readonly initContainers?: readonly BackupContainer[];
            readonly volumes?: readonly { readonly name: string; readonly persistentVolumeClaim?: unknown }[];
          } & Readonly<Record<string, unknown>>;
        };
      } & Readonly<Record<string, unknown>>;
    };
  };
}

/** A container of a backup pod (the rest of its fields are copied as they are). */
export interface BackupContainer {
  readonly name: string;
  readonly command?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
}

/** What to run. */
export interface RestoreRequest {
  /** `restore` a backup, or `list` the backups. */
  readonly mode: 'restore' | 'list';
  /** The database restored into (`<database>-backup` is its CronJob). */
  readonly database: string;
  /** The backup's file name, or `latest`. */
  readonly backup: string;
  /** The CronJob of the database whose backups are read, when not the database's own (`--from`). */
  readonly from?: BackupCronJob;
  /** Milliseconds since the epoch, for the Job's name (two restores a second apart get two names). */
  readonly now: number;
}

/** Thrown when the CronJobs do not allow the request (another engine, not a backup CronJob). */
export class RestoreError extends Error {}

/** The CronJob of a database's backups. */
export const backupCronJobName = (database: string): string => `${database}${BACKUP_SUFFIX}`;

/** The engine a backup CronJob's script dumps (its `engine=` line). */
export function engineOf(cronJob: BackupCronJob): string {
  const script = dumpContainer(cronJob)?.command?.join('\n') ?? '';
  const engine = /^engine=([a-z]+)$/m.exec(script)?.[1];
  if (!engine) throw new RestoreError(`CronJob ${cronJob.metadata.name} is not a database backup of k8s-platform`);
  return engine;
}

/** The backup volume's claim of a backup CronJob. */
function backupVolume(cronJob: BackupCronJob): { readonly name: string; readonly persistentVolumeClaim?: unknown } {
  const volume = cronJob.spec.jobTemplate.spec.template.spec.volumes?.find((v) => v.name === BACKUP_VOLUME);
  if (!volume?.persistentVolumeClaim) {
    throw new RestoreError(`CronJob ${cronJob.metadata.name} keeps its backups in no volume this restore can read`);
  }
  return volume;
}

/** The database image's container: the only container, or the init container of a bucket backup. */
function dumpContainer(cronJob: BackupCronJob): BackupContainer | undefined {
  const spec = cronJob.spec.jobTemplate.spec.template.spec;
  return [...(spec.initContainers ?? []), ...spec.containers].find((c) => c.name === DUMP_CONTAINER);
}

/** The container with `BACKUP_MODE` and `BACKUP_NAME` set. */
function inMode(container: BackupContainer, request: RestoreRequest): BackupContainer {
  const env = (container.env ?? []).filter((e) => e.name !== 'BACKUP_MODE' && e.name !== 'BACKUP_NAME');
  return {
    ...container,
    env: [...env, { name: 'BACKUP_MODE', value: request.mode }, { name: 'BACKUP_NAME', value: request.backup }],
  };
}

/**
 * The Job that restores (or lists) backups for `cronJob`'s database: its template with `BACKUP_MODE` and
 * `BACKUP_NAME` set, no retry (a refused restore must not run again), kept an hour after it finishes. A bucket
 * backup's pod is turned around: rclone downloads (an init container), then the database's image restores; a
 * list is rclone's alone.
 */
export function restoreJob(cronJob: BackupCronJob, request: RestoreRequest): Record<string, unknown> {
  const engine = engineOf(cronJob);
  const template = cronJob.spec.jobTemplate.spec.template;
  const dump = dumpContainer(cronJob) as BackupContainer;
  const upload = template.spec.containers.find((c) => c.name === UPLOAD_CONTAINER);
  let pod: Record<string, unknown>;
  if (upload) {
    if (request.from) {
      throw new RestoreError(
        `${cronJob.metadata.name} keeps its backups in a bucket, where ${request.database} may read its own prefix ` +
          'only: copy the backup into that prefix first (docs/deploy.md, "Database backups"), then restore it by name',
      );
    }
    pod =
      request.mode === 'list'
        ? { initContainers: [], containers: [inMode(upload, request)] }
        : {
            initContainers: [{ ...inMode(upload, request), name: DOWNLOAD_CONTAINER }],
            containers: [inMode(dump, request)],
          };
  } else {
    if (request.from && engineOf(request.from) !== engine) {
      throw new RestoreError(
        `${request.from.metadata.name} keeps ${engineOf(request.from)} backups and ${request.database} is ${engine}`,
      );
    }
    const source = backupVolume(request.from ?? cronJob);
    pod = {
      containers: template.spec.containers.map((c) => (c.name === DUMP_CONTAINER ? inMode(c, request) : c)),
      volumes: (template.spec.volumes ?? []).map((v) => (v.name === BACKUP_VOLUME ? source : v)),
    };
  }
  const name = `${request.database}-${request.mode}-${Math.floor(request.now).toString(36)}`.slice(0, 63);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cronJob.metadata.namespace,
      labels: { ...cronJob.spec.jobTemplate.metadata?.labels },
    },
    spec: {
      ...cronJob.spec.jobTemplate.spec,
      backoffLimit: 0,
      ttlSecondsAfterFinished: 3600,
      template: { ...template, spec: { ...template.spec, ...pod } },
    },
  };
}
