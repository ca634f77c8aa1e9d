/** The Jobs `k8s-platform restore` creates, made from the synthesized backup CronJobs. */
import { Database } from '../../platform';
import type { DatabaseEngine } from '../../platform';
import type { BackupCronJob } from '../../scripts/lib/restore';
import { engineOf, RestoreError, restoreJob } from '../../scripts/lib/restore';
import { main, USAGE } from '../../scripts/restore';
import { find, newChart, synth } from '../helpers';
import type { Obj } from '../helpers';

function cronJobs(): Record<string, BackupCronJob> {
  const chart = newChart();
  new Database(chart, 'users', { engine: 'postgres' });
  new Database(chart, 'archive', { engine: 'postgres' });
  new Database(chart, 'cache', { engine: 'redis' });
  new Database(chart, 'orders', { engine: 'mongodb', backup: { target: { kind: 'bucket' } } });
  const objects = synth(chart);
  const get = (db: string) => find(objects, 'CronJob', `${db}-backup`) as unknown as BackupCronJob;
  return { users: get('users'), archive: get('archive'), cache: get('cache'), orders: get('orders') };
}
const jobs = cronJobs();
const NOW = Date.UTC(2026, 11, 5);
const container = (job: Obj) => job.spec.template.spec.containers[0];

test('a restore Job is the backup template in restore mode: same image, identity and labels, no retry', () => {
  const job = restoreJob(jobs.users!, { mode: 'restore', database: 'users', backup: 'latest', now: NOW }) as Obj;
  const template = (jobs.users as unknown as Obj).spec.jobTemplate.spec.template;
  expect(job.metadata.name).toBe(`users-restore-${NOW.toString(36)}`);
  expect(job.metadata.namespace).toBe('shop');
  expect(job.spec.backoffLimit).toBe(0);
  expect(job.spec.template.metadata.labels).toEqual(template.metadata.labels);
  expect(job.spec.template.spec.serviceAccountName).toBe('users-backup');
  expect(container(job).image).toBe(template.spec.containers[0].image);
  expect(container(job).env.slice(-2)).toEqual([
    { name: 'BACKUP_MODE', value: 'restore' },
    { name: 'BACKUP_NAME', value: 'latest' },
  ]);
  expect(job.spec.template.spec.volumes).toEqual(template.spec.volumes);
});

test('--from reads another database’s backups of the same engine, and refuses another engine', () => {
  const job = restoreJob(jobs.users!, {
    mode: 'restore',
    database: 'users',
    backup: 'archive-20261205T023000Z.postgres.dump',
    from: jobs.archive,
    now: NOW,
  }) as Obj;
  expect(job.spec.template.spec.volumes).toContainEqual({
    name: 'backups',
    persistentVolumeClaim: { claimName: 'archive-backup' },
  });
  expect(container(job).env).toContainEqual({ name: 'DB_HOST', value: 'users.shop.svc.cluster.local' });
  expect(() =>
    restoreJob(jobs.users!, { mode: 'restore', database: 'users', backup: 'latest', from: jobs.cache, now: NOW }),
  ).toThrow(new RestoreError('cache-backup keeps redis backups and users is postgres'));
});

test('the engine is read from the script; a CronJob that is not a backup is refused', () => {
  expect(Object.values(jobs).map(engineOf)).toEqual([
    'postgres',
    'postgres',
    'redis',
    'mongodb',
  ] satisfies DatabaseEngine[]);
  const other = structuredClone(jobs.users!) as unknown as Obj;
  other.metadata.name = 'report';
  other.spec.jobTemplate.spec.template.spec.containers[0].command = ['sh', '-c', 'echo hi'];
  expect(() => engineOf(other as unknown as BackupCronJob)).toThrow('CronJob report is not a database backup');
});

test('the command refuses missing flags and bad timeouts before it calls kubectl', () => {
  expect(() => main(['--database', 'users'])).toThrow('--namespace and --database are required');
  expect(() => main(['--namespace', 'shop', '--database', 'users', '--timeout', '0'])).toThrow('--timeout 0');
  expect(USAGE).toContain('--list');
});

test('a bucket backup’s pod is turned around: rclone downloads first, then the database image restores', () => {
  const job = restoreJob(jobs.orders!, { mode: 'restore', database: 'orders', backup: 'latest', now: NOW }) as Obj;
  const spec = job.spec.template.spec;
  expect(spec.initContainers.map((c: Obj) => c.name)).toEqual(['download']);
  expect(spec.initContainers[0].image).toMatch(/^rclone\//);
  expect(spec.containers.map((c: Obj) => [c.name, c.image])).toEqual([['backup', 'mongo:7.0.14']]);
  for (const c of [...spec.initContainers, ...spec.containers]) {
    expect(c.env).toContainEqual({ name: 'BACKUP_MODE', value: 'restore' });
  }
  const list = restoreJob(jobs.orders!, { mode: 'list', database: 'orders', backup: 'latest', now: NOW }) as Obj;
  expect(list.spec.template.spec.initContainers).toEqual([]);
  expect(list.spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['upload']);
  expect(() =>
    restoreJob(jobs.orders!, { mode: 'restore', database: 'orders', backup: 'latest', from: jobs.orders, now: NOW }),
  ).toThrow(RestoreError);
});
