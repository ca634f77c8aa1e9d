/**
 * The app stack's program: one app of `charts-out/` onto the cluster of a platform stack, read through a
 * `StackReference`. Everything the app stack can check is checked before its first resource is registered: the
 * app's YAML and digest, its secret values, and that the platform installs every add-on the app needs.
 */
import * as pulumi from '@pulumi/pulumi';
import { AppDeployment } from '../app-deployment';
import { planSecrets, readChartsIndex, selectApps, unusedSecretKeys, verifyApp } from '../charts-index';
import type { VerifiedApp } from '../charts-index';
import { ExistingCluster } from '../existing-cluster';
import type { AppEntry } from '../../contract';
import type { AppStackConfig } from './app-config';
import { CONFIG_NAMESPACE } from './config-keys';
import { serviceAccountKey } from './identities';
import { checkAppAgainstPlatform, parsePlatformExports } from './platform-exports';
import type { PlatformExports } from './platform-exports';

/** What an app stack created and exports. */
export interface AppStackDeployment {
  readonly deployment: AppDeployment;
  /** The platform stack's exports the app was checked against. */
  readonly platform: PlatformExports;
  /** The app's name, namespace and the hosts it serves. */
  readonly app: { readonly name: string; readonly namespace: string; readonly hosts: readonly string[] };
}

/**
 * The local checks: the app exists, its YAML is what the index recorded, its secret values are complete.
 * @returns the app verified, which `AppDeployment` takes as it is
 */
export function appPreflight(config: AppStackConfig, chartsDir: string): VerifiedApp {
  const [app] = selectApps(readChartsIndex(chartsDir), [config.app]);
  const unused = unusedSecretKeys([app], Object.keys(config.secrets));
  if (unused.length > 0) {
    throw new Error(
      `${CONFIG_NAMESPACE}:secrets has values app "${app.name}" does not expect: ${unused.join(', ')}. ` +
        `Keys are "<app>/<secret>/<key>"; check for typos.`,
    );
  }
  const verified = verifyApp(chartsDir, app);
  planSecrets(app, new Set(Object.keys(config.secrets)));
  return verified;
}

/** The last part of a stack reference (`organization/k8s-platform/local` → `local`). */
export function stackShortName(reference: string): string {
  return reference.slice(reference.lastIndexOf('/') + 1);
}

/**
 * Reads the platform stack, refuses an app it cannot serve, then deploys the app. Resolves only once the platform's
 * outputs are read: a refusal happens before any resource of the app is registered, in preview as in update.
 *
 * The names follow the one-stack layout (`<project>-<platform stack>` for the cluster's provider,
 * `<project>-<platform stack>-<app>` for the app) so that resources moved out of a single stack with
 * `pulumi state move` keep their URNs (docs/deploy.md, "Moving to a platform stack and app stacks").
 */
export async function deployApp(config: AppStackConfig, chartsDir: string): Promise<AppStackDeployment> {
  const verified = appPreflight(config, chartsDir);
  const app = verified.entry;
  const ref = new pulumi.StackReference(config.platformStack);
  const [platformOutput, kubeconfigOutput] = await Promise.all([
    ref.getOutputDetails('platform'),
    ref.getOutputDetails('kubeconfig'),
  ]);
  const platform = parsePlatformExports(platformOutput.value, config.platformStack);
  checkAppAgainstPlatform(app, platform, config.platformStack);

  const name = `${pulumi.getProject()}-${stackShortName(config.platformStack)}`;
  const kubeconfig = (kubeconfigOutput.secretValue ?? kubeconfigOutput.value) as string | undefined;
  const cluster = new ExistingCluster(name, { kubeconfig, context: platform.kubeContext });
  const secretValues: Record<string, pulumi.Output<string>> = {};
  for (const [key, value] of Object.entries(config.secrets)) secretValues[key] = pulumi.secret(value);
  const serviceAccountAnnotations: Record<string, Readonly<Record<string, string>>> = {};
  for (const { serviceAccount } of app.identities ?? []) {
    const annotations = platform.identities?.[serviceAccountKey(app.namespace, serviceAccount)];
    if (annotations) serviceAccountAnnotations[serviceAccount] = annotations;
    else
      pulumi.log.warn(`app "${app.name}": ServiceAccount "${serviceAccount}" gets no cloud identity on this cluster`);
  }
  const backupTargets: Record<string, Readonly<Record<string, string>>> = {};
  for (const { database, serviceAccount, target } of app.backups ?? []) {
    const provided =
      target === 'bucket' ? platform.backupTargets?.[serviceAccountKey(app.namespace, serviceAccount)] : undefined;
    if (!provided) continue;
    backupTargets[database] = provided.env;
    serviceAccountAnnotations[serviceAccount] = {
      ...serviceAccountAnnotations[serviceAccount],
      ...provided.annotations,
    };
  }
  const deployment = new AppDeployment(`${name}-${app.name}`, {
    provider: cluster.provider,
    app: verified,
    secretValues,
    // The platform stack finished installing its add-ons before it exported them: nothing left to wait for.
    addons: {},
    builtInAddons: Object.keys(platform.addons) as AppEntry['addons'],
    serviceAccountAnnotations,
    backupTargets,
  });
  return { deployment, platform, app: { name: app.name, namespace: app.namespace, hosts: app.hosts } };
}
