import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import {
  LABEL,
  LINKERD_INJECT_ANNOTATION,
  backupTargetName,
  type Addon,
  type AppEntry,
  type ChartsIndex,
} from '../contract';
import type { ManifestObject, VerifiedApp } from './charts-index';
import { planSecrets, readChartsIndex, secretConfigKey, verifyApp } from './charts-index';
import type { AddonReadiness } from './platform-addons';
import { keepChildren } from './kept-children';
import { annotateServiceAccounts } from './workload-identity';

/** Length of generated passwords; no special characters, so they are safe inside connection URLs. */
export const GENERATED_PASSWORD_LENGTH = 32;

/** Arguments of {@link AppDeployment}. */
export interface AppDeploymentArgs {
  /** Provider of the target cluster. */
  readonly provider: k8s.Provider;
  /**
   * The app: its name in `index.json` (read, verified and split from `chartsDir`), or the app an app stack's
   * preflight verified already ({@link verifyApp}), used as it is: parsing the YAML is the largest part of the
   * program's own work.
   */
  readonly app: string | VerifiedApp;
  /**
   * Directory holding `index.json` and the apps' YAML (normally `<repo>/charts-out`), read when `app` is a name.
   * @default none: required when `app` is a name
   */
  readonly chartsDir?: string;
  /** The index, when the caller has read it already (avoids reading it once per app). @default read from `chartsDir` */
  readonly index?: ChartsIndex;
  /**
   * Secret values from the stack config, keyed `<app>/<secret>/<key>`. Values for this app's Secrets are used;
   * they must already be secret Outputs (the stack program wraps them with `pulumi.secret`).
   */
  readonly secretValues?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Installed add-ons: the app's objects wait for the ones it uses. */
  readonly addons: AddonReadiness;
  /** Add-ons the cluster provides itself (nothing to wait for). */
  readonly builtInAddons?: readonly Addon[];
  /** Cluster resources to wait for (node pool, storage driver, default StorageClass). */
  readonly clusterReadiness?: readonly pulumi.Resource[];
  /**
   * Annotations of the app's ServiceAccounts by ServiceAccount name: those binding them to cloud identities, which
   * the platform stack created (`index.json`'s `identities`). @default none
   */
  readonly serviceAccountAnnotations?: Readonly<Record<string, Readonly<Record<string, pulumi.Input<string>>>>>;
  /**
   * The remote of each database whose backups go to a bucket, by database: written as the ConfigMap
   * `<database>-backup-target` its upload reads (the platform stack provided the bucket). @default none
   */
  readonly backupTargets?: Readonly<Record<string, Readonly<Record<string, pulumi.Input<string>>>>>;
}

/**
 * Deploys one app from `charts-out/`: checks its YAML against the digest in `index.json` (refusing stale
 * manifests), creates the namespace (Linkerd-injected when the app is meshed) and the Secrets it expects (random
 * passwords or config values, always stored as Pulumi secrets), then applies the YAML with `yaml.v2.ConfigGroup`
 * once the add-ons whose CRDs and controllers it uses are ready: first the ServiceAccounts and ConfigMaps its pods
 * need, then the workloads. Objects holding data (StatefulSets, PVCs) go in a separate, protected group, and the
 * namespace of a stateful app is protected too (deleting a namespace deletes its PersistentVolumeClaims).
 */
export class AppDeployment extends pulumi.ComponentResource {
  /** The app's index entry. */
  public readonly app: AppEntry;
  /** The app's namespace. */
  public readonly namespace: k8s.core.v1.Namespace;
  /** The Secrets created for the app, by Secret name. */
  public readonly secrets: Readonly<Record<string, k8s.core.v1.Secret>>;
  /** The stateless objects of the YAML. */
  public readonly workloads: k8s.yaml.v2.ConfigGroup;
  /** The objects owning persistent data (protected), if the app has any. */
  public readonly statefulWorkloads: k8s.yaml.v2.ConfigGroup | undefined;
  /** The ServiceAccounts and ConfigMaps the app's pods need, applied before both workload groups. */
  public readonly podPrerequisites: k8s.yaml.v2.ConfigGroup | undefined;

  /** Verifies the YAML and creates namespace, Secrets and config groups. */
  constructor(name: string, args: AppDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:cloud:AppDeployment', name, {}, opts);
    // Everything is checked before the first child is registered: a refusal leaves the cluster untouched.
    const { entry: app, manifest } = typeof args.app === 'string' ? readApp(name, args.app, args) : args.app;
    this.app = app;
    const provided = new Set(Object.keys(args.secretValues ?? {}));
    const secretPlans = planSecrets(app, provided);
    const addonDeps = this.addonDependencies(app, args);
    const clusterReadiness = [...(args.clusterReadiness ?? [])];
    const stateful = app.stateful.length > 0;
    const k8sOpts = { parent: this, provider: args.provider };

    // What the objects Pulumi creates itself (not those of the YAML) are labelled with.
    const ownLabels = { [LABEL.partOf]: app.name, [LABEL.managedBy]: 'pulumi' };
    const yamlMeta = manifest.namespace?.metadata ?? {};
    this.namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: app.namespace,
          // The reviewed YAML's labels and annotations win over the defaults added here.
          labels: { ...ownLabels, ...(yamlMeta.labels ?? {}) },
          annotations: {
            ...(app.meshed ? { [LINKERD_INJECT_ANNOTATION]: 'enabled' } : {}),
            ...(yamlMeta.annotations ?? {}),
          },
        },
      },
      {
        ...k8sOpts,
        // The injector must exist before pods are created in a meshed namespace, or they start without proxies.
        dependsOn: [...clusterReadiness, ...(app.meshed && args.addons.linkerd ? [args.addons.linkerd] : [])],
        protect: stateful,
        retainOnDelete: stateful,
      },
    );

    const secrets: Record<string, k8s.core.v1.Secret> = {};
    for (const plan of secretPlans) {
      const values: Record<string, pulumi.Input<string>> = {};
      for (const key of plan.fromConfig) {
        values[key] = args.secretValues![secretConfigKey(app.name, plan.secret.name, key)];
      }
      for (const key of plan.generated) {
        values[key] = new random.RandomPassword(
          `${name}-${plan.secret.name}-${key}`,
          { length: GENERATED_PASSWORD_LENGTH, special: false },
          // A database keeps the password it was initialized with: regenerating it would lock the app out.
          { parent: this, protect: stateful },
        ).result;
      }
      secrets[plan.secret.name] = new k8s.core.v1.Secret(
        `${name}-${plan.secret.name}`,
        {
          metadata: {
            name: plan.secret.name,
            namespace: app.namespace,
            labels: ownLabels,
            annotations: { 'platform/description': plan.secret.description },
          },
          type: 'Opaque',
          stringData: pulumi.secret(values),
        },
        {
          ...k8sOpts,
          dependsOn: [this.namespace],
          additionalSecretOutputs: ['data', 'stringData'],
          // The credentials of an app with data live as long as the data.
          protect: stateful,
          retainOnDelete: stateful,
        },
      );
    }
    this.secrets = secrets;

    const annotations = new Map(Object.entries(args.serviceAccountAnnotations ?? {}));

    const prerequisiteDeps = [this.namespace, ...addonDeps, ...clusterReadiness];
    // Before the workloads: with more awaiting workloads than the engine has parallel slots (4 per core), pods
    // waiting for a ServiceAccount queued behind them stalled the update until the awaits timed out.
    this.podPrerequisites =
      manifest.podPrerequisites.length > 0
        ? new k8s.yaml.v2.ConfigGroup(
            `${name}-prerequisites`,
            {
              objs: [
                ...annotateServiceAccounts(manifest.podPrerequisites, annotations),
                ...backupTargetConfigMaps(app.namespace, args.backupTargets ?? {}),
              ],
              resourcePrefix: app.name,
            },
            { ...k8sOpts, dependsOn: prerequisiteDeps },
          )
        : undefined;
    const dependsOn = [
      ...prerequisiteDeps,
      ...Object.values(secrets),
      ...(this.podPrerequisites ? [this.podPrerequisites] : []),
    ];
    this.workloads = new k8s.yaml.v2.ConfigGroup(
      name,
      { objs: manifest.rest.map(skipAwait), resourcePrefix: app.name },
      { ...k8sOpts, dependsOn },
    );
    this.statefulWorkloads =
      manifest.stateful.length > 0
        ? new k8s.yaml.v2.ConfigGroup(
            `${name}-stateful`,
            { objs: manifest.stateful.map(skipAwait), resourcePrefix: app.name },
            {
              ...k8sOpts,
              dependsOn,
              protect: true,
              retainOnDelete: true,
              transforms: [keepChildren({ provider: args.provider, protect: true })],
            },
          )
        : undefined;
    this.registerOutputs({ namespace: app.namespace, secrets: Object.keys(secrets) });
  }

  private addonDependencies(app: AppEntry, args: AppDeploymentArgs): pulumi.Resource[] {
    const needed = new Set<Addon>(app.addons);
    if (app.meshed) needed.add('linkerd');
    const deps: pulumi.Resource[] = [];
    for (const addon of needed) {
      const ready = args.addons[addon];
      if (ready) deps.push(ready);
      else if (!(args.builtInAddons ?? []).includes(addon)) {
        throw new Error(
          `app "${app.name}" needs add-on "${addon}" (listed in charts-out/index.json) but the stack does not ` +
            `install it and the cluster does not provide it`,
        );
      }
    }
    return deps;
  }
}

/** The ConfigMaps `<database>-backup-target` of the databases whose backups go to a bucket. */
export function backupTargetConfigMaps(
  namespace: string,
  targets: Readonly<Record<string, Readonly<Record<string, pulumi.Input<string>>>>>,
): ManifestObject[] {
  return Object.entries(targets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([database, env]) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: backupTargetName(database), namespace },
      // The values may be Outputs (a bucket's name): ConfigGroup resolves inputs nested in `objs`.
      data: env as Record<string, string>,
    }));
}

/**
 * The kinds applied with `pulumi.com/skipAwait` (the workloads' own awaits, Deployments and StatefulSets rolled out
 * with every pod Ready, are what prove the app runs):
 *
 * - a standalone PersistentVolumeClaim (a database's backup volume) binds when its first pod runs, with the clouds'
 *   `WaitForFirstConsumer` StorageClasses: no sooner than the first backup. The pinned provider waits for `Pending`
 *   at creation but for `Bound` on any later update of such a claim (pulumi-kubernetes#4179, fixed after 4.25),
 *   which would time out every `pulumi up` that changes it; its readiness means nothing to the deploy anyway;
 * - a Service's await waits for endpoints, that is for Ready pods of workloads that, with more Services than the
 *   engine has parallel slots, are queued behind it: measured on the five reference apps, every app stack's
 *   Services held all of the default 8 slots for 10 s with nothing else running, a third of the first deploy.
 *   Their selectors are the workloads' own labels (the constructs derive both), and the workloads' awaits see the
 *   pods Ready.
 */
const SKIPPED_AWAIT_KINDS: ReadonlySet<string> = new Set(['PersistentVolumeClaim', 'Service']);

/** The object with `pulumi.com/skipAwait` when its kind is one of {@link SKIPPED_AWAIT_KINDS}, otherwise as it is. */
export function skipAwait(object: ManifestObject): ManifestObject {
  if (!SKIPPED_AWAIT_KINDS.has(object.kind ?? '')) return object;
  const annotations = { ...(object.metadata?.annotations ?? {}), 'pulumi.com/skipAwait': 'true' };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/** The app named `app` of `args.chartsDir`, verified. */
function readApp(name: string, app: string, args: Pick<AppDeploymentArgs, 'chartsDir' | 'index'>): VerifiedApp {
  if (args.chartsDir === undefined) {
    throw new Error(`AppDeployment ${name}: app "${app}" is a name, so chartsDir is required to read it`);
  }
  const index = args.index ?? readChartsIndex(args.chartsDir);
  const entry = index.apps.find((a) => a.name === app);
  if (!entry) {
    throw new Error(
      `AppDeployment ${name}: app "${app}" is not in charts-out/index.json ` +
        `(available: ${index.apps.map((a) => a.name).join(', ') || 'none'})`,
    );
  }
  return verifyApp(args.chartsDir, entry);
}
