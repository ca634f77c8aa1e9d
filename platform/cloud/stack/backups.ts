/**
 * The databases' `bucket` backups in the split shape: the platform stack, which owns the cloud account, creates the
 * bucket for the apps it serves and each backup ServiceAccount's access to its prefix, and exports per
 * ServiceAccount its annotations and its upload's remote; an app stack writes the remote as the ConfigMap
 * `<database>-backup-target` and annotates the ServiceAccount. Backups kept in a volume need nothing here.
 */
import * as pulumi from '@pulumi/pulumi';
import type { BackupRequest } from '../backup-store';
import type { PlatformCluster } from '../cluster';
import type { AppEntry } from '../../contract';
import { CONFIG_NAMESPACE } from './config-keys';
import { serviceAccountKey } from './identities';

/** What the app stack needs for one backup ServiceAccount, by `<namespace>/<serviceAccount>`. */
export type BackupTargets = Readonly<
  Record<
    string,
    {
      readonly annotations: Readonly<Record<string, string>>;
      readonly env: Readonly<Record<string, string>>;
    }
  >
>;

/** The `bucket` backups of the served apps. */
export function bucketBackups(apps: readonly AppEntry[]): (BackupRequest & { readonly app: string })[] {
  return apps.flatMap((app) =>
    (app.backups ?? [])
      .filter((b) => b.target === 'bucket')
      .map((b) => ({
        app: app.name,
        namespace: app.namespace,
        database: b.database,
        serviceAccount: b.serviceAccount,
        retentionDays: b.retentionDays,
      })),
  );
}

/**
 * Provisions the served apps' `bucket` backups; throws, before anything is registered, when the cluster has no
 * object storage for them (an existing cluster without `existing.backupBucket`).
 */
export function provisionBackups(
  name: string,
  cluster: PlatformCluster,
  apps: readonly AppEntry[],
): pulumi.Output<BackupTargets> {
  const requests = bucketBackups(apps);
  if (requests.length === 0) return pulumi.output<BackupTargets>({});
  const store = cluster.backupStore;
  if (!store) {
    const first = requests[0]!;
    throw new Error(
      `app "${first.app}": database "${first.database}" keeps its backups in a bucket, and this cluster has none; ` +
        `set ${CONFIG_NAMESPACE}:existing.backupBucket (an S3-compatible bucket: bucket, endpoint, region, provider) ` +
        `or give the database a volume target (docs/deploy.md, "Database backups")`,
    );
  }
  const parent = new pulumi.ComponentResource('platform:cloud:DatabaseBackups', `${name}-backups`);
  const targets = store.provision(name, requests, parent);
  return pulumi
    .all(
      targets.map((t, i) =>
        pulumi.all([pulumi.output(t.annotations), pulumi.output(t.env)]).apply(([annotations, env]) => {
          const r = requests[i]!;
          return [serviceAccountKey(r.namespace, r.serviceAccount), { annotations, env }] as const;
        }),
      ),
    )
    .apply((pairs) => Object.fromEntries(pairs));
}
