/**
 * Workload identities in the split shape: the platform stack, which owns the cluster and its cloud account, binds
 * each served app's ServiceAccounts to their cloud identities (IAM roles, Google service accounts) and exports the
 * annotations those ServiceAccounts need; an app stack only puts the annotations on. App teams then need no IAM
 * rights, and an app stack cannot grant its pods a cloud role the platform did not bind.
 */
import * as pulumi from '@pulumi/pulumi';
import type { PlatformCluster } from '../cluster';
import type { AppEntry } from '../../contract';
import { CONFIG_NAMESPACE } from './config-keys';
import type { StackConfig } from './config-types';

/** ServiceAccount annotations by `<namespace>/<serviceAccount>`. */
export type IdentityAnnotations = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The key of one ServiceAccount in {@link IdentityAnnotations}. */
export function serviceAccountKey(namespace: string, serviceAccount: string): string {
  return `${namespace}/${serviceAccount}`;
}

/**
 * Binds the ServiceAccounts of the served apps that name a cloud identity; throws, before anything is registered,
 * when the config does not map an identity. On a cluster without workload identity nothing is bound (a warning).
 */
export function bindIdentities(
  name: string,
  config: StackConfig,
  cluster: PlatformCluster,
  apps: readonly AppEntry[],
): pulumi.Output<IdentityAnnotations> {
  const requests = apps.flatMap((app) => (app.identities ?? []).map((req) => ({ app, ...req })));
  for (const { app, serviceAccount, identity } of requests) {
    if (!config.identities[identity]) {
      throw new Error(
        `app "${app.name}": ServiceAccount "${serviceAccount}" acts as cloud identity "${identity}", but ` +
          `${CONFIG_NAMESPACE}:identities has no "${identity}"; map it to an IAM role's policies (EKS) or a Google ` +
          `service account (GKE)`,
      );
    }
  }
  const none = pulumi.output<IdentityAnnotations>({});
  const binder = cluster.workloadIdentity;
  if (requests.length === 0) return none;
  if (!binder) {
    for (const { app, serviceAccount } of requests) {
      pulumi.log.warn(`app "${app.name}": ServiceAccount "${serviceAccount}" gets no cloud identity on this cluster`);
    }
    return none;
  }
  const parent = new pulumi.ComponentResource('platform:cloud:WorkloadIdentities', `${name}-identities`);
  const entries = requests.map(({ app, serviceAccount, identity }) => {
    const subject = { namespace: app.namespace, serviceAccount };
    const annotations = binder.bindWorkloadIdentity(
      `${name}-${app.name}-${serviceAccount}-identity`,
      subject,
      config.identities[identity],
      parent,
    );
    return pulumi
      .output(annotations)
      .apply((values): [string, Record<string, string>] => [serviceAccountKey(app.namespace, serviceAccount), values]);
  });
  return pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs));
}
