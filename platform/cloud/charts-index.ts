/**
 * Reading `charts-out/`: the index, each app's YAML, and the checks that make Pulumi refuse stale or inconsistent
 * manifests. Pure functions (file reads aside), so every refusal has a unit test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkChartsIndex, INDEX_FILE, manifestDigest } from '../contract';
import type { AppEntry, ChartsIndex, SecretRequirement } from '../contract';

/** What to run when `charts-out/` does not match the code. */
export const SYNTH_HINT = 'Run `npm run synth` and commit charts-out/ before deploying.';

/** A Kubernetes object as parsed from YAML. */
export interface ManifestObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

/** An app's YAML split the way `AppDeployment` applies it. */
export interface SplitManifest {
  /** The app's own Namespace object from the YAML (Pulumi creates the namespace itself). */
  readonly namespace: ManifestObject | undefined;
  /** Objects owning persistent data (the index's `stateful` list), applied protected. */
  readonly stateful: readonly ManifestObject[];
  /**
   * What pods need before they can start: ServiceAccounts (admission refuses a pod without its own) and
   * ConfigMaps (a pod mounting a missing one never starts). Applied before the workloads, so that a workload's
   * await never holds one of the engine's parallel slots while what it waits for is still queued behind it.
   */
  readonly podPrerequisites: readonly ManifestObject[];
  /** Everything else. */
  readonly rest: readonly ManifestObject[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and checks the text of `index.json` (its schema: `checkChartsIndex` of the contract). */
export function parseChartsIndex(text: string): ChartsIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`charts-out/${INDEX_FILE} is not valid JSON (${(error as Error).message}). ${SYNTH_HINT}`);
  }
  const checked = checkChartsIndex(raw);
  if ('index' in checked) return checked.index;
  const { path, problem } = checked.problem;
  throw new Error(`charts-out/${INDEX_FILE}: ${path} ${problem}. ${SYNTH_HINT}`);
}

/** Reads `<chartsDir>/index.json`; a missing file means nothing was synthesized. */
export function readChartsIndex(chartsDir: string): ChartsIndex {
  const path = join(chartsDir, INDEX_FILE);
  if (!existsSync(path)) throw new Error(`${path} does not exist: nothing to deploy. ${SYNTH_HINT}`);
  return parseChartsIndex(readFileSync(path, 'utf8'));
}

/** Picks the apps to deploy; `undefined` means all of them. Unknown names are an error listing the known ones. */
export function selectApps(index: ChartsIndex, names: readonly string[] | undefined): readonly AppEntry[] {
  if (names === undefined) return index.apps;
  const known = index.apps.map((a) => a.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `apps ${unknown.map((n) => `"${n}"`).join(', ')} not found in charts-out/index.json; ` +
        `available: ${known.join(', ') || '(none)'}`,
    );
  }
  return index.apps.filter((a) => names.includes(a.name));
}

/**
 * Checks that `contents` is exactly what the index recorded for the app. Anything else means the YAML was
 * edited by hand, or the code changed without a new synth: either way it is not what CI reviewed.
 */
export function verifyManifest(app: AppEntry, contents: string | Buffer | undefined): void {
  if (contents === undefined) {
    throw new Error(`charts-out/${app.file} (app "${app.name}") is missing but listed in index.json. ${SYNTH_HINT}`);
  }
  const actual = manifestDigest(contents);
  if (actual !== app.digest) {
    throw new Error(
      `charts-out/${app.file} (app "${app.name}") is stale: index.json records ${app.digest} but the file hashes ` +
        `to ${actual}. The manifests were edited by hand or not re-synthesized. ${SYNTH_HINT}`,
    );
  }
}

/** Reads an app's YAML from `chartsDir` and verifies its digest against the index. */
export function loadAppManifest(chartsDir: string, app: AppEntry): string {
  const path = join(chartsDir, app.file);
  const contents = existsSync(path) ? readFileSync(path) : undefined;
  verifyManifest(app, contents);
  return (contents as Buffer).toString('utf8');
}

const isStateful = (app: AppEntry, obj: ManifestObject): boolean =>
  app.stateful.some((s) => s.kind === obj.kind && s.name === obj.metadata?.name);

/**
 * Parses the multi-document YAML and splits it: the app's Namespace object (skipped: Pulumi owns the namespace),
 * the protected stateful objects, and the rest. Refuses YAML whose stateful objects are missing, or whose
 * StatefulSets would delete their volumes.
 */
export function splitManifest(app: AppEntry, yamlText: string): SplitManifest {
  const objects: ManifestObject[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length > 0) {
      throw new Error(`charts-out/${app.file}: invalid YAML (${doc.errors[0].message}). ${SYNTH_HINT}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isRecord(value) || typeof value.kind !== 'string') {
      throw new Error(`charts-out/${app.file}: a document is not a Kubernetes object. ${SYNTH_HINT}`);
    }
    objects.push(value as ManifestObject);
  }
  const namespace = objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === app.namespace);
  const others = objects.filter((o) => o !== namespace);
  const stateful = others.filter((o) => isStateful(app, o));
  for (const wanted of app.stateful) {
    if (!stateful.some((o) => o.kind === wanted.kind && o.metadata?.name === wanted.name)) {
      throw new Error(
        `charts-out/${app.file}: index.json lists stateful ${wanted.kind} "${wanted.name}" but the YAML has no such ` +
          `object. ${SYNTH_HINT}`,
      );
    }
  }
  for (const obj of stateful.filter((o) => o.kind === 'StatefulSet')) {
    const policy = obj.spec?.persistentVolumeClaimRetentionPolicy as Record<string, unknown> | undefined;
    const deleting = ['whenDeleted', 'whenScaled'].filter((field) => policy?.[field] === 'Delete');
    if (deleting.length > 0) {
      throw new Error(
        `charts-out/${app.file}: StatefulSet "${obj.metadata?.name}" sets persistentVolumeClaimRetentionPolicy ` +
          `${deleting.join(' and ')}: Delete, which destroys its volumes; database volumes must use Retain.`,
      );
    }
  }
  const stateless = others.filter((o) => !isStateful(app, o));
  const prerequisite = (o: ManifestObject) => POD_PREREQUISITE_KINDS.includes(o.kind ?? '');
  return {
    namespace,
    stateful,
    podPrerequisites: stateless.filter(prerequisite),
    rest: stateless.filter((o) => !prerequisite(o)),
  };
}

/**
 * An app of `charts-out/` checked for deployment: its index entry, and its YAML verified against the entry's digest
 * and split. An app stack's preflight makes it, and `AppDeployment` takes it as it is: the YAML is read, hashed and
 * parsed once.
 */
export interface VerifiedApp {
  /** The app's entry in `index.json`. */
  readonly entry: AppEntry;
  /** Its YAML, verified and split. */
  readonly manifest: SplitManifest;
}

/** Reads an app's YAML from `chartsDir`, verifies it against the index entry and splits it. */
export function verifyApp(chartsDir: string, entry: AppEntry): VerifiedApp {
  return { entry, manifest: splitManifest(entry, loadAppManifest(chartsDir, entry)) };
}

/** Kinds of {@link SplitManifest.podPrerequisites}. */
const POD_PREREQUISITE_KINDS: readonly string[] = ['ServiceAccount', 'ConfigMap'];

/** The key of one secret value in the stack config map `secrets`: `<app>/<secret>/<key>`. */
export function secretConfigKey(app: string, secret: string, key: string): string {
  return `${app}/${secret}/${key}`;
}

/** The command that sets one secret value in the stack config. */
export function secretConfigCommand(app: string, secret: string, key: string): string {
  return `pulumi config set --secret --path 'secrets["${secretConfigKey(app, secret, key)}"]' <value>`;
}

/** Where each value of each Secret an app needs comes from. */
export interface SecretPlan {
  readonly secret: SecretRequirement;
  /** Keys taken from the stack config (always for `generate: false`, as overrides for `generate: true`). */
  readonly fromConfig: readonly string[];
  /** Keys Pulumi generates with `random.RandomPassword`. */
  readonly generated: readonly string[];
}

/**
 * Decides, for each Secret of the app, which keys come from config and which are generated. Throws, listing every
 * missing value and the exact command to set it, if a non-generated key has no config value.
 */
export function planSecrets(app: AppEntry, provided: ReadonlySet<string>): readonly SecretPlan[] {
  const missing: string[] = [];
  const plans = app.secrets.map((secret) => {
    const fromConfig = secret.keys.filter((key) => provided.has(secretConfigKey(app.name, secret.name, key)));
    const rest = secret.keys.filter((key) => !fromConfig.includes(key));
    if (!secret.generate) {
      for (const key of rest) {
        missing.push(
          `  - Secret "${secret.name}" key "${key}" (${secret.description}):\n      ${secretConfigCommand(app.name, secret.name, key)}`,
        );
      }
    }
    return { secret, fromConfig, generated: secret.generate ? rest : [] };
  });
  if (missing.length > 0) {
    throw new Error(
      `app "${app.name}" needs secret values Pulumi cannot generate; set them in the stack config:\n${missing.join('\n')}`,
    );
  }
  return plans;
}

/** Config `secrets` keys that match no Secret key of the given apps (most likely typos). */
export function unusedSecretKeys(apps: readonly AppEntry[], provided: Iterable<string>): readonly string[] {
  const expected = new Set(
    apps.flatMap((app) => app.secrets.flatMap((s) => s.keys.map((k) => secretConfigKey(app.name, s.name, k)))),
  );
  return [...provided].filter((key) => !expected.has(key)).sort();
}
