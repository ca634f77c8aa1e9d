/**
 * The backup drill of a running Database (issue 24), on real nodes under enforced NetworkPolicies: known rows or
 * keys written with the engine's own client, the backup CronJob run as a Job, the data destroyed (the StatefulSet
 * scaled to zero and its claim deleted, so the database starts again on a new, empty volume), the documented
 * command (`npm run restore`) run, and exactly what was written read back. Then its negative controls: a backup
 * that does not exist and a corrupted one are refused loudly, before the database is touched (what was restored is
 * still there).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DatabaseEngine } from '../../platform';
import { BACKUP_SUFFIX } from '../../platform/contract';
import type { BackupCronJob } from '../../scripts/lib/restore';
import { restoreJob } from '../../scripts/lib/restore';
import { runAsync } from '../../scripts/cluster/run-async';
import { kubectlAsync, pollUntil, ROOT } from './support';

/** One database to drill. */
export interface DrillTarget {
  readonly namespace: string;
  readonly database: string;
  readonly engine: DatabaseEngine;
}

/** How long each step took, in seconds, and what the restore said. */
export interface DrillResult {
  readonly target: DrillTarget;
  readonly seconds: Readonly<Record<'write' | 'backup' | 'destroy' | 'restore' | 'controls', number>>;
  /** What was read back after the data was destroyed (must differ from what was written). */
  readonly afterDestroy: string;
  readonly written: string;
  readonly restored: string;
  /** The refused restores: exit code and the line that says why. */
  readonly refusals: readonly { readonly backup: string; readonly code: number; readonly why: string }[];
  /** What is read after the refused restores (must still be what was written). */
  readonly afterRefusals: string;
}

/** The engine's own client, run in the server container with the env the manifests give it. */
const CLIENT: Readonly<
  Record<Exclude<DatabaseEngine, 'mysql'>, { ping: string; write: (t: string) => string; read: string }>
> = {
  postgres: {
    ping: 'pg_isready -q -h 127.0.0.1',
    write: (t) =>
      `PGPASSWORD="$POSTGRES_PASSWORD" psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "CREATE TABLE drill (id int PRIMARY KEY, v text NOT NULL); INSERT INTO drill VALUES (1, '${t}-one'), (2, 'it''s ${t}'), (3, repeat('${t}', 1000));"`,
    read: `PGPASSWORD="$POSTGRES_PASSWORD" psql -At -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "SELECT id || '=' || md5(v) FROM drill ORDER BY id" 2>&1`,
  },
  mongodb: {
    ping: `mongosh --quiet "mongodb://$MONGO_INITDB_ROOT_USERNAME:$MONGO_INITDB_ROOT_PASSWORD@127.0.0.1:27017/admin" --eval 'db.runCommand({ ping: 1 }).ok' | grep -qx 1`,
    write: (t) =>
      `mongosh --quiet "mongodb://$MONGO_INITDB_ROOT_USERNAME:$MONGO_INITDB_ROOT_PASSWORD@127.0.0.1:27017/$MONGO_INITDB_DATABASE?authSource=admin" --eval 'db.drill.insertMany([{ _id: 1, v: "${t}-one" }, { _id: 2, v: "${t}", n: NumberLong("9007199254740993"), at: new Date(0) }]); db.drill.createIndex({ v: 1 }, { unique: true })' >/dev/null`,
    read: `mongosh --quiet "mongodb://$MONGO_INITDB_ROOT_USERNAME:$MONGO_INITDB_ROOT_PASSWORD@127.0.0.1:27017/$MONGO_INITDB_DATABASE?authSource=admin" --eval 'db.drill.find().sort({ _id: 1 }).forEach((d) => print(EJSON.stringify(d))); print(db.drill.getIndexes().map((i) => i.name).sort().join(","))' 2>&1`,
  },
  redis: {
    ping: 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -qx PONG',
    write: (t) =>
      `r() { redis-cli -a "$REDIS_PASSWORD" --no-auth-warning "$@" >/dev/null; }; r SET drill:one "${t}-one"; r SET "drill key with spaces" "${t}"; r HSET drill:hash f "${t}" g 2; r RPUSH drill:list a b "${t}"`,
    read: `r() { redis-cli -a "$REDIS_PASSWORD" --no-auth-warning "$@"; }; r GET drill:one; r GET "drill key with spaces"; r HGETALL drill:hash; r LRANGE drill:list 0 -1; r DBSIZE 2>&1`,
  },
};

const seconds = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;

/** Runs the documented restore command (`npm run restore -- ...`); resolves with its exit code and output. */
async function restoreCommand(kubeconfig: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  const r = await runAsync(
    join(ROOT, 'node_modules', '.bin', 'ts-node'),
    ['--swc', join(ROOT, 'scripts', 'restore.ts'), '--kubeconfig', kubeconfig, '--timeout', '300', ...args],
    { cwd: ROOT },
  );
  return { code: r.code, output: r.stdout + r.stderr };
}

/** Runs the whole drill on one database; throws with the step's own output when a step fails. */
export async function drillDatabase(
  kubeconfig: string,
  target: DrillTarget,
  token: string,
  /** Corrupts the newest backup where it is kept and returns its name; by default, in the backup volume. */
  corrupt?: () => Promise<string>,
): Promise<DrillResult> {
  const { namespace: ns, database: db, engine } = target;
  if (engine === 'mysql') throw new Error('backup drill: no image here has MySQL');
  const client = CLIENT[engine];
  const k = (args: readonly string[], input?: string) => kubectlAsync(kubeconfig, ['-n', ns, ...args], input);
  const inServer = (script: string) => k(['exec', `${db}-0`, '-c', db, '--', 'sh', '-c', script]);
  const serverUp = () =>
    pollUntil(
      () =>
        inServer(client.ping).then(
          () => true,
          () => undefined,
        ),
      () => `backup drill: ${ns}/${db} does not answer ${client.ping}`,
      240_000,
    );
  const read = () => inServer(client.read).catch((e: Error) => e.message);

  let t0 = Date.now();
  await serverUp();
  await inServer(client.write(token));
  const written = await read();
  const write = seconds(t0);

  t0 = Date.now();
  const job = `${db}-drill-${Date.now().toString(36)}`;
  await k(['create', 'job', job, `--from=cronjob/${db}${BACKUP_SUFFIX}`]);
  await k(['wait', '--for=condition=complete', `job/${job}`, '--timeout=240s']).catch(async (e: Error) => {
    throw new Error(`backup drill: backup Job ${ns}/${job} did not complete: ${e.message}\n${await jobLog(k, job)}`);
  });
  const log = await jobLog(k, job);
  if (!/^backup ok: /m.test(log)) throw new Error(`backup drill: ${ns}/${job} said:\n${log}`);
  const backup = seconds(t0);

  t0 = Date.now();
  await k(['scale', 'statefulset', db, '--replicas=0']);
  await k(['wait', '--for=delete', `pod/${db}-0`, '--timeout=180s']).catch(() => undefined);
  await k(['delete', 'pvc', `data-${db}-0`, '--wait=true', '--timeout=120s']);
  await k(['scale', 'statefulset', db, '--replicas=1']);
  await serverUp();
  const afterDestroy = await read();
  const destroy = seconds(t0);

  t0 = Date.now();
  const restored = await restoreCommand(kubeconfig, ['--namespace', ns, '--database', db]);
  if (restored.code !== 0)
    throw new Error(`backup drill: restore of ${ns}/${db} exited ${restored.code}:\n${restored.output}`);
  const readBack = await read();
  const restore = seconds(t0);

  t0 = Date.now();
  const refusals: { backup: string; code: number; why: string }[] = [];
  const missing = `${db}-20000101T000000Z.${engine}.dump`;
  const refuse = async (backup: string) => {
    const r = await restoreCommand(kubeconfig, ['--namespace', ns, '--database', db, '--backup', backup]);
    refusals.push({ backup, code: r.code, why: /^restore refused: .*$/m.exec(r.output)?.[0] ?? r.output.trim() });
  };
  await refuse(missing);
  const latest = await (corrupt ? corrupt() : corruptLatestBackup(k, db));
  await refuse(latest);
  const afterRefusals = await read();
  await k(['delete', 'job', '-l', `app.kubernetes.io/name=${db}${BACKUP_SUFFIX}`, '--wait=false']);
  return {
    target,
    seconds: { write, backup, destroy, restore, controls: seconds(t0) },
    afterDestroy,
    written,
    restored: readBack,
    refusals,
    afterRefusals,
  };
}

/** The logs of a Job's containers, init containers first (one that never started has none). */
async function jobLog(k: (args: readonly string[]) => Promise<string>, job: string): Promise<string> {
  const spec = (
    JSON.parse(await k(['get', 'job', job, '-o', 'json'])) as {
      spec: { template: { spec: { initContainers?: { name: string }[]; containers: { name: string }[] } } };
    }
  ).spec.template.spec;
  const logs = await Promise.all(
    [...(spec.initContainers ?? []), ...spec.containers].map((c) =>
      k(['logs', `job/${job}`, '-c', c.name]).catch((e: Error) => `(${c.name}: ${e.message})\n`),
    ),
  );
  return logs.join('');
}

/**
 * Flips four bytes in the middle of the newest backup, from a Job made from the backup CronJob's template (the
 * only pods that may mount its volume and pass its policy), and returns the backup's name.
 */
async function corruptLatestBackup(k: (args: readonly string[], input?: string) => Promise<string>, db: string) {
  const cronJob = JSON.parse(await k(['get', 'cronjob', `${db}${BACKUP_SUFFIX}`, '-o', 'json'])) as BackupCronJob;
  const job = restoreJob(cronJob, { mode: 'list', database: db, backup: 'latest', now: Date.now() }) as {
    metadata: { name: string };
    spec: { template: { spec: { containers: { command: string[] }[] } } };
  };
  job.metadata.name = `${db}-corrupt-${Date.now().toString(36)}`;
  const container = job.spec.template.spec.containers[0]!;
  container.command = [
    'sh',
    '-c',
    `set -eu; f=$(ls -1 /backups | grep '\\.dump$' | sort | tail -n 1); size=$(wc -c <"/backups/$f"); ` +
      `printf 'XXXX' | dd of="/backups/$f" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null; echo "$f"`,
  ];
  await k(['create', '-f', '-'], JSON.stringify(job));
  await k(['wait', '--for=condition=complete', `job/${job.metadata.name}`, '--timeout=180s']);
  return (await jobLog(k, job.metadata.name)).trim();
}

/** One line per database for the e2e log. */
export function formatDrill(r: DrillResult): string {
  const s = r.seconds;
  return (
    `${r.target.namespace}/${r.target.database} (${r.target.engine}) backup drill: write ${s.write} s, backup ${s.backup} s, ` +
    `destroy ${s.destroy} s, restore ${s.restore} s, controls ${s.controls} s; refused: ` +
    r.refusals.map((x) => `${x.backup} (exit ${x.code}: ${x.why})`).join('; ')
  );
}

/** What every drill must show: written, destroyed, restored exactly; both refusals; nothing touched by them. */
export function expectDrillPassed(r: DrillResult, token: string): void {
  process.stderr.write(`${formatDrill(r)}\n`);
  if (r.target.engine === 'postgres') {
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    expect(r.written.trim()).toBe(
      [`1=${md5(`${token}-one`)}`, `2=${md5(`it's ${token}`)}`, `3=${md5(token.repeat(1000))}`].join('\n'),
    );
  } else {
    expect(r.written).toContain(`${token}-one`);
  }
  expect(r.afterDestroy).not.toContain(token);
  expect(r.restored).toBe(r.written);
  expect(r.refusals.map((x) => x.code)).toEqual([1, 1]);
  expect(r.refusals[0]?.why).toMatch(/^restore refused: backup .* does not exist/);
  expect(r.refusals[1]?.why).toMatch(/^restore refused: backup .* does not match its checksum: it is corrupt$/);
  expect(r.afterRefusals).toBe(r.written);
}
