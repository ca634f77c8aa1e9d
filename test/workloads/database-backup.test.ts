/** A Database's scheduled backup: on by default, restricted, its own edge and policy, watched, validated. */
import { Database, Service } from '../../platform';
import type { DatabaseEngine } from '../../platform';
import { ALERT_NAMES } from '../../platform/observability/alerts';
import { find, findings, newChart, platformError, synth } from '../helpers';
import type { Obj } from '../helpers';
import { defaultBackupSchedule } from '../../platform/workloads/database-backup';
import { ENGINES } from '../../platform/workloads/database-engines';

const PODINFO = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const DAY = 86_400;

describe.each(Object.keys(ENGINES) as DatabaseEngine[])('Database %s backup, by default', (engine) => {
  const chart = newChart();
  new Database(chart, 'db', { engine, storage: '5Gi' });
  const objects = synth(chart);
  const cron = find(objects, 'CronJob', 'db-backup');
  const pod = cron.spec.jobTemplate.spec.template.spec;
  const container = pod.containers[0];

  test('a daily CronJob in UTC, one run at a time, that runs the engine dump in the database image', () => {
    expect(cron.spec).toMatchObject({
      schedule: defaultBackupSchedule('shop', 'db'),
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
    });
    expect(cron.spec.schedule).toMatch(/^\d{1,2} 2 \* \* \*$/);
    expect(container.image).toBe(ENGINES[engine].image);
    const script = container.command.join(' ');
    const tool = { postgres: 'pg_dump', mysql: 'mysqldump', mongodb: 'mongodump', redis: '--rdb' };
    expect(script).toContain(tool[engine]);
    expect(container.env).toContainEqual({ name: 'BACKUP_RETENTION_DAYS', value: '7' });
  });

  test('credentials only from the database Secret; nothing secret in the manifests', () => {
    expect(container.env).toContainEqual({
      name: 'DB_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } },
    });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('its own ServiceAccount without a token, the restricted profile, a retained volume the size of the data', () => {
    expect(pod.serviceAccountName).toBe('db-backup');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount', 'db-backup').automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.limits).toMatchObject({ cpu: '1', memory: '512Mi' });
    expect(find(objects, 'PersistentVolumeClaim', 'db-backup').spec.resources.requests.storage).toBe('5Gi');
    expect(chart.indexEntry('x', 'y').stateful).toContainEqual({ kind: 'PersistentVolumeClaim', name: 'db-backup' });
    expect(findings(objects)).toEqual([]);
  });

  test('its policy admits nothing in and lets it reach only its database, on the server port', () => {
    const policy = find(objects, 'NetworkPolicy', 'db-backup').spec;
    expect(policy.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'db-backup',
      'app.kubernetes.io/part-of': 'shop',
    });
    expect(cron.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(policy.podSelector.matchLabels);
    expect(policy.ingress).toEqual([]);
    expect(policy.egress).toEqual([
      {
        to: [{ podSelector: { matchLabels: find(objects, 'StatefulSet', 'db').spec.selector.matchLabels } }],
        ports: [{ protocol: 'TCP', port: ENGINES[engine].port }],
      },
    ]);
  });

  test('an alert when the last good backup is older than twice the schedule, and a dashboard panel', () => {
    const rules = find(objects, 'PrometheusRule', 'shop-alerts').spec.groups.flatMap((g: Obj) => g.rules);
    const alert = rules.find((r: Obj) => r.alert === ALERT_NAMES.backupOverdue);
    expect(alert.expr).toContain('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="db-backup"}');
    expect(alert.expr).toContain(`> ${2 * DAY}`);
    const dashboard = JSON.parse(Object.values(find(objects, 'ConfigMap', 'shop-dashboard').data)[0] as string);
    const panel = dashboard.panels.find((p: Obj) => p.title === 'Last good backup');
    expect(panel.targets[0].expr).toContain('cronjob="db-backup"');
    expect(panel.fieldConfig.defaults.thresholds.steps[1]).toEqual({ color: 'red', value: 2 * DAY });
  });
});

test('by default a cluster’s databases back up at minutes of their own between 02:00 and 02:59, the same at every synth', () => {
  const names = Array.from({ length: 20 }, (_, i) => `db${i}`);
  const minutes = names.map((n) => Number(defaultBackupSchedule('shop', n).split(' ')[0]));
  expect(minutes.every((m) => Number.isInteger(m) && m >= 0 && m < 60)).toBe(true);
  expect(new Set(minutes).size).toBeGreaterThanOrEqual(10);
  expect(defaultBackupSchedule('shop', 'db0')).toBe(defaultBackupSchedule('shop', 'db0'));
  expect(defaultBackupSchedule('shop', 'db')).not.toBe(defaultBackupSchedule('other', 'db'));
});

test('a schedule sets the alert: hourly backups are overdue after two hours', () => {
  const chart = newChart();
  new Database(chart, 'db', { engine: 'postgres', backup: { schedule: '@hourly', retentionDays: 2 } });
  const objects = synth(chart);
  expect(find(objects, 'CronJob', 'db-backup').spec.schedule).toBe('@hourly');
  const rules = find(objects, 'PrometheusRule', 'shop-alerts').spec.groups.flatMap((g: Obj) => g.rules);
  expect(rules.find((r: Obj) => r.alert === ALERT_NAMES.backupOverdue).expr).toContain('> 7200');
});

test('opting out takes a reason, and leaves no backup object, alert or edge', () => {
  const chart = newChart();
  const db = new Database(chart, 'cache', { engine: 'redis', backup: { disabled: 'a cache, rebuilt from postgres' } });
  const objects = synth(chart);
  expect(db.backup).toBeUndefined();
  expect(objects.filter((o) => o.metadata.name === 'cache-backup')).toEqual([]);
  expect(JSON.stringify(objects)).not.toContain(ALERT_NAMES.backupOverdue);
  expect(chart.graphEdges).toEqual([]);
});

test('in a meshed app the job is meshed as a native sidecar, and the database authorizes its identity', () => {
  const chart = newChart({ mesh: 'linkerd' });
  const db = new Database(chart, 'db', { engine: 'postgres' });
  new Service(chart, 'api', { image: PODINFO, port: 9898 }).connectTo(db);
  const objects = synth(chart);
  const annotations = find(objects, 'CronJob', 'db-backup').spec.jobTemplate.spec.template.metadata.annotations;
  expect(annotations['config.alpha.linkerd.io/proxy-enable-native-sidecar']).toBe('true');
  const authorized = objects.filter((o) => o.kind === 'MeshTLSAuthentication').flatMap((o) => o.spec.identities ?? []);
  expect(authorized).toContain('db-backup.shop.serviceaccount.identity.linkerd.cluster.local');
});

test('a database meshed out of a meshed app keeps its backup job out of the mesh too', () => {
  const chart = newChart({ mesh: 'linkerd' });
  new Database(chart, 'db', { engine: 'postgres', mesh: false });
  const annotations = find(synth(chart), 'CronJob', 'db-backup').spec.jobTemplate.spec.template.metadata.annotations;
  expect(annotations).toEqual({ 'linkerd.io/inject': 'disabled' });
});

describe('bad backup props fail at construction, naming the path, the prop, the value and the fix', () => {
  const build =
    (backup: unknown, id = 'db') =>
    () =>
      new Database(newChart(), id, { engine: 'postgres', backup: backup as never });

  test.each([
    ['every day', 'backup.schedule', '"every day" has 2 fields'],
    ['61 * * * *', 'backup.schedule', 'minute 61 is outside 0-59'],
    ['0 0 31 2 *', 'backup.schedule', 'never runs'],
    ['@every 1h', 'backup.schedule', 'uses @every'],
    ['TZ=Europe/Paris 0 2 * * *', 'backup.schedule', 'names a time zone'],
  ])('schedule %j', (schedule, prop, problem) => {
    const e = platformError(build({ schedule }));
    expect([e.constructPath, e.prop]).toEqual(['shop/db', prop]);
    expect(e.problem).toContain(problem);
    expect(e.fix).toContain("'30 2 * * *'");
  });

  test('retention 0', () => {
    const e = platformError(build({ retentionDays: 0 }));
    expect(e.prop).toBe('backup.retentionDays');
    expect(e.message).toContain('0');
  });

  test('a target of the wrong kind', () => {
    const e = platformError(build({ target: { kind: 's3', bucket: 'b' } }));
    expect(e.prop).toBe('backup.target');
    expect(e.problem).toContain('"s3"');
    expect(e.fix).toContain("{ kind: 'volume' }");
    expect(e.fix).toContain("{ kind: 'bucket' }");
    expect(platformError(build({ target: { kind: 'bucket', storage: '5Gi' } })).message).toContain('scratch');
  });

  test('a bucket whose lifecycle would expire the last backup before the alert on a missed one fires', () => {
    const e = platformError(build({ schedule: '@weekly', retentionDays: 7, target: { kind: 'bucket' } }));
    expect(e.prop).toBe('backup.retentionDays');
    expect(e.fix).toBe('keep them at least 14 days');
  });

  test('a misspelt key, a size without a unit, false instead of a reason, a reason that says nothing', () => {
    expect(platformError(build({ schedul: '@daily' })).message).toContain('schedule');
    expect(platformError(build({ target: { kind: 'volume', storage: '100' } })).prop).toBe('backup.target.storage');
    expect(platformError(build(false)).fix).toContain('disabled');
    expect(platformError(build({ disabled: 'no' })).prop).toBe('backup.disabled');
    expect(platformError(build({ disabled: 'rebuilt at every start', schedule: '@daily' })).problem).toContain(
      'schedule',
    );
  });

  test('an id too long for its backup CronJob', () => {
    const e = platformError(build(undefined, 'd'.repeat(46)));
    expect(e.prop).toBe('id');
    expect(e.fix).toContain('at most 45');
  });

  test('nothing is half-written: a failed Database leaves the chart empty', () => {
    const chart = newChart();
    expect(() => new Database(chart, 'db', { engine: 'postgres', backup: { retentionDays: -1 } })).toThrow();
    expect(synth(chart)).toEqual(synth(newChart()));
    expect(chart.graphEdges).toEqual([]);
  });
});

describe('a bucket target', () => {
  const chart = newChart();
  new Database(chart, 'db', { engine: 'postgres', storage: '20Gi', backup: { target: { kind: 'bucket' } } });
  const objects = synth(chart);
  const pod = find(objects, 'CronJob', 'db-backup').spec.jobTemplate.spec.template.spec;

  test('dumps first (an init container of the database image), then uploads with rclone', () => {
    expect(pod.initContainers.map((c: Obj) => [c.name, c.image])).toEqual([['backup', ENGINES.postgres.image]]);
    expect(pod.containers.map((c: Obj) => c.name)).toEqual(['upload']);
    const upload = pod.containers[0];
    expect(upload.image).toMatch(/^rclone\/rclone:\d+\.\d+\.\d+$/);
    expect(upload.envFrom).toEqual([
      { configMapRef: { name: 'db-backup-target' } },
      { secretRef: { name: 'db-backup-target', optional: true } },
    ]);
    expect(upload.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  test('into scratch space deleted with the pod, not a retained volume', () => {
    const volume = pod.volumes.find((v: Obj) => v.name === 'backups');
    expect(volume.ephemeral.volumeClaimTemplate.spec.resources.requests.storage).toBe('20Gi');
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(chart.indexEntry('x', 'y').stateful).toEqual([{ kind: 'StatefulSet', name: 'db' }]);
  });

  test('its policy adds the Internet on 443 (the object store), still nothing in', () => {
    const policy = find(objects, 'NetworkPolicy', 'db-backup').spec;
    expect(policy.ingress).toEqual([]);
    expect(policy.egress).toHaveLength(2);
    expect(policy.egress[1].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(policy.egress[1].to[0].ipBlock.except).toContain('169.254.0.0/16');
  });

  test('index.json asks the platform for the bucket; no bucket name or key is in the manifests', () => {
    expect(chart.indexEntry('x', 'y').backups).toEqual([
      { database: 'db', engine: 'postgres', serviceAccount: 'db-backup', retentionDays: 7, target: 'bucket' },
    ]);
    expect(JSON.stringify(objects)).not.toMatch(/RCLONE_CONFIG_TARGET_|BACKUP_BUCKET=/);
  });
});
