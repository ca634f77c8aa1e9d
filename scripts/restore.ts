/**
 * `k8s-platform restore --namespace <ns> --database <name> [--backup <file>|latest] [--from <database>] [--list]`
 *
 * Restores a backup of a `Database` into it with a Job made from its backup CronJob (`scripts/lib/restore.ts`),
 * waits for it, prints its log, and exits 0 (restored or listed), 1 (the restore failed or was refused: the
 * backup does not exist, is of another engine, was never completed or fails its checksum) or 2 (usage error).
 * Runs `kubectl` with the current context (or `--context`, `--kubeconfig`).
 */
import { spawnSync } from 'node:child_process';
import { parseCliArgs, runCli, UsageError } from './lib/cli';
import type { BackupCronJob } from './lib/restore';
import { backupCronJobName, RestoreError, restoreJob } from './lib/restore';

export const USAGE = `usage: npm run restore -- --namespace <ns> --database <name> [--backup <file>|latest] [--from <database>] [--list] [--timeout <seconds>] [--context <ctx>] [--kubeconfig <file>]

  --namespace <ns>      the app's namespace
  --database <name>     the Database restored into (its backup CronJob is <name>-backup)
  --backup <file>       the backup to restore, as --list prints it (default: latest)
  --from <database>     restore a backup of another Database of the namespace, of the same engine
  --list                list the backups instead of restoring
  --timeout <seconds>   how long to wait for the Job (default: 3600)
  --context, --kubeconfig   passed to kubectl
Exit codes: 0 restored or listed, 1 the restore failed or was refused, 2 usage error.`;

const POLL_MS = 2000;

interface Named {
  readonly name: string;
}

export function main(argv: readonly string[] = process.argv.slice(2)): number {
  const { values } = parseCliArgs(argv, {
    namespace: { type: 'string' },
    database: { type: 'string' },
    backup: { type: 'string', default: 'latest' },
    from: { type: 'string' },
    list: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '3600' },
    context: { type: 'string' },
    kubeconfig: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { namespace, database } = values;
  if (!namespace || !database) throw new UsageError('--namespace and --database are required');
  const timeout = Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout ${values.timeout} is not seconds`);
  const kubectl = (args: readonly string[], input?: string) => {
    const flags = [
      ...(values.kubeconfig ? ['--kubeconfig', values.kubeconfig] : []),
      ...(values.context ? ['--context', values.context] : []),
      '-n',
      namespace,
    ];
    const r = spawnSync('kubectl', [...flags, ...args], { encoding: 'utf8', input, maxBuffer: 64 << 20 });
    if (r.error) throw new UsageError(`cannot run kubectl: ${r.error.message}`);
    return r;
  };
  const cronJob = (name: string): BackupCronJob => {
    const r = kubectl(['get', 'cronjob', backupCronJobName(name), '-o', 'json']);
    if (r.status !== 0) {
      throw new UsageError(
        `no backup CronJob ${backupCronJobName(name)} in namespace ${namespace} (${r.stderr.trim()}): is ${name} a Database with backups?`,
      );
    }
    return JSON.parse(r.stdout) as BackupCronJob;
  };

  let job: Record<string, unknown>;
  try {
    job = restoreJob(cronJob(database), {
      mode: values.list ? 'list' : 'restore',
      database,
      backup: values.backup,
      from: values.from ? cronJob(values.from) : undefined,
      now: Date.now(),
    });
  } catch (error) {
    if (error instanceof RestoreError) throw new UsageError(error.message);
    throw error;
  }
  const name = (job.metadata as { name: string }).name;
  const created = kubectl(['create', '-f', '-', '-o', 'name'], JSON.stringify(job));
  if (created.status !== 0) {
    process.stderr.write(`restore: cannot create Job ${name}: ${created.stderr}`);
    return 1;
  }
  process.stderr.write(`restore: Job ${name} created in ${namespace}\n`);
  const deadline = Date.now() + timeout * 1000;
  let outcome: 'Complete' | 'Failed' | undefined;
  while (!outcome && Date.now() < deadline) {
    const r = kubectl(['get', 'job', name, '-o', 'jsonpath={.status.conditions[?(@.status=="True")].type}']);
    const types = r.stdout.split(/\s+/);
    outcome = types.includes('Complete') ? 'Complete' : types.includes('Failed') ? 'Failed' : undefined;
    if (!outcome) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
  }
  // Container by container (init containers first): `--all-containers` prints nothing at all when one of them never
  // started, which is what a refused download leaves behind.
  const spec = (job as { spec: { template: { spec: { initContainers?: Named[]; containers: Named[] } } } }).spec
    .template.spec;
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    const logs = kubectl(['logs', `job/${name}`, '-c', container.name]);
    if (logs.status === 0) process.stdout.write(logs.stdout);
  }
  if (outcome === 'Complete') return 0;
  process.stderr.write(
    outcome === 'Failed'
      ? `restore: Job ${name} failed (its log is above; kept an hour: kubectl -n ${namespace} describe job ${name})\n`
      : `restore: Job ${name} did not finish within ${timeout} s; it is still running\n`,
  );
  return 1;
}

if (require.main === module) runCli(USAGE, () => main());
