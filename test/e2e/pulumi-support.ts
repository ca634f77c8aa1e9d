/**
 * What the Pulumi e2e scenarios share: the stacks of one run on one file backend (a platform stack and an app
 * stack per app), the program as it was before the split (for the migration), a starter-style consumer project,
 * and reads of what must survive (UIDs, passwords) from the API server.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '../../scripts/cluster/kube-client';
import { LocalStack } from '../../scripts/cluster/pulumi-stack';
import type { LocalBackend, PulumiRun } from '../../scripts/cluster/pulumi-stack';
import type { AppEntry } from '../../platform/contract';
import { ROOT } from './support';

/**
 * The last commit of the one-stack program (every app and add-on in one stack): what a user migrates from. The
 * migration test runs that program from `git archive`, so it needs the repository's history (not a shallow clone).
 */
export const SINGLE_STACK_COMMIT = 'db651cbd41c8223208a5fc18134fc91fe08c5c3e';

/** An object's identity as the API server reports it. */
export interface Meta {
  metadata: { name: string; namespace?: string; uid: string; labels?: Record<string, string> };
}

/** A Secret as read back. */
export interface SecretObj extends Meta {
  data?: Record<string, string>;
}

/** Every Secret of `before` is still there with the same UID and the same data (the generated passwords). */
export function expectSameSecrets(before: ReadonlyMap<string, SecretObj>, after: ReadonlyMap<string, SecretObj>): void {
  for (const [key, s] of before) {
    expect([key, after.get(key)?.metadata.uid, after.get(key)?.data]).toEqual([key, s.metadata.uid, s.data]);
  }
}

/** Runs a stack command without blocking, and throws with its output unless it succeeded. */
export async function mustAsync(stack: LocalStack, args: readonly string[]): Promise<PulumiRun> {
  const r = await stack.stackAsync(args);
  if (r.status !== 0) throw new Error(`pulumi ${args.join(' ')} (${stack.name}) failed:\n${r.output.slice(-6000)}`);
  return r;
}

/** `pulumi up` of several stacks at the same time. */
export function upAll(stacks: readonly LocalStack[], ...extra: string[]): Promise<PulumiRun[]> {
  return Promise.all(stacks.map((s) => mustAsync(s, ['up', '--yes', '--skip-preview', ...extra])));
}

/** The steps of a preview that change something (`same` and the reads left out). */
export function changes(stack: LocalStack): string[] {
  return stack
    .previewSteps()
    .filter((s) => s.op !== 'same' && s.op !== 'read')
    .map((s) => `${s.op} ${s.urn.split('::').pop()}`);
}

/**
 * The Kubernetes objects of a stack's state applied by a default provider (the ambient kubeconfig) instead of the
 * cluster's provider the program created: none, on any stack.
 */
export function onDefaultProvider(stack: LocalStack): string[] {
  const r = stack.run(['stack', 'export', '--stack', stack.name]);
  if (r.status !== 0) throw new Error(`pulumi stack export (${stack.name}) failed:\n${r.output.slice(-2000)}`);
  const state = JSON.parse(r.output) as {
    deployment: { resources?: Array<{ urn: string; type: string; custom?: boolean; provider?: string }> };
  };
  return (state.deployment.resources ?? [])
    .filter((res) => res.custom && res.type.startsWith('kubernetes:'))
    .filter((res) => /::pulumi:providers:kubernetes::default(_[\d_]+)?::/.test(res.provider ?? ''))
    .map((res) => res.urn);
}

/**
 * The steps of a preview that would remove or recreate a resource. Providers are left out: they hold no data, and
 * a moved app's resources switch from the provider `state move` copied to their stack's own without a change.
 */
export function destructive(stack: LocalStack): string[] {
  return stack
    .previewSteps()
    .filter((s) => /^(delete|replace|create-replacement|delete-replaced|discard)$/.test(s.op))
    .filter((s) => !s.urn.includes('::pulumi:providers:') && !s.urn.includes('$pulumi:providers:'))
    .map((s) => `${s.op} ${s.urn}`);
}

/** Extracts the one-stack program at {@link SINGLE_STACK_COMMIT} beside this repository's node_modules. */
export function singleStackProgram(): string {
  const has = (): boolean => {
    try {
      execFileSync('git', ['cat-file', '-e', `${SINGLE_STACK_COMMIT}^{commit}`], { cwd: ROOT, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!has()) {
    // A shallow clone: deepen it from its own origin, once.
    try {
      execFileSync('git', ['fetch', '--quiet', '--unshallow'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
    } catch {
      // reported below
    }
    if (!has())
      throw new Error(
        `the migration test needs commit ${SINGLE_STACK_COMMIT} (the one-stack program): clone the repository ` +
          'with its history (not --depth), or run git fetch --unshallow',
      );
  }
  const dir = tempDir('k8s-platform-single-stack-');
  const archive = execFileSync('git', ['archive', SINGLE_STACK_COMMIT, 'Pulumi.yaml', 'stacks', 'platform'], {
    cwd: ROOT,
    maxBuffer: 1 << 28,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  return dir;
}

const tempDirs: string[] = [];

/** A temp dir of the suite's (projects, charts-out copies), removed by {@link removeTempDirs}. */
export function tempDir(prefix: string): string {
  tempDirs.push(mkdtempSync(join(tmpdir(), prefix)));
  return tempDirs[tempDirs.length - 1];
}

/** Removes every dir {@link tempDir} made (the suite's `afterAll`). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A starter-style consumer project (examples/starter's shop app, its Pulumi.yaml and one-line program) in a temp
 * dir, synthesized with this repository's library: its own project name, its own charts-out/.
 */
export function consumerProject(): string {
  const dir = tempDir('k8s-platform-consumer-');
  const starter = join(ROOT, 'examples', 'starter');
  mkdirSync(join(dir, 'src'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  copyFileSync(join(starter, 'Pulumi.yaml'), join(dir, 'Pulumi.yaml'));
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  // The package's entry points, as the files they are built from.
  const library = (text: string) =>
    text
      .replace(/'k8s-platform\/cloud'/g, `'${join(ROOT, 'platform', 'cloud', 'stack')}'`)
      .replace(/'k8s-platform'/g, `'${join(ROOT, 'platform')}'`);
  for (const file of ['index.ts', 'main.ts', 'shop.ts']) {
    writeFileSync(join(dir, 'src', file), library(readFileSync(join(starter, 'src', file), 'utf8')));
  }
  execFileSync('npx', ['ts-node', '--swc', 'src/main.ts'], {
    cwd: dir,
    env: { ...process.env, CDK8S_OUTDIR: join(dir, 'charts-out') },
    stdio: 'pipe',
  });
  return dir;
}

/** An app stack of this repository on the platform stack `platform`. */
export function appStack(kubeconfig: string, backend: LocalBackend, platform: LocalStack, app: string): LocalStack {
  return new LocalStack(kubeconfig, {
    backend,
    name: `${platform.name}-${app}`,
    settings: { platformStack: platform.reference, app },
  });
}

/** Each Secret of the apps, as read back, by `<namespace>/<name>`. */
export async function secrets(client: KubeClient, apps: readonly AppEntry[]): Promise<Map<string, SecretObj>> {
  const all = new Map<string, SecretObj>();
  for (const app of apps) {
    for (const s of app.secrets) {
      const live = await client.get<SecretObj>('v1', 'Secret', app.namespace, s.name);
      if (live) all.set(`${app.namespace}/${s.name}`, live);
    }
  }
  return all;
}

/** UIDs of the claims, namespaces and StatefulSets of the apps: what holds data and must never be recreated. */
export async function statefulUids(client: KubeClient, apps: readonly AppEntry[]): Promise<Map<string, string>> {
  const uids = new Map<string, string>();
  for (const app of apps) {
    const ns = await client.get<Meta>('v1', 'Namespace', undefined, app.namespace);
    if (ns) uids.set(`Namespace/${app.namespace}`, ns.metadata.uid);
    for (const c of await client.list<Meta>('v1', 'PersistentVolumeClaim', app.namespace)) {
      uids.set(`PersistentVolumeClaim/${app.namespace}/${c.metadata.name}`, c.metadata.uid);
    }
    for (const s of await client.list<Meta>('apps/v1', 'StatefulSet', app.namespace)) {
      uids.set(`StatefulSet/${app.namespace}/${s.metadata.name}`, s.metadata.uid);
    }
  }
  return uids;
}

/** UID of every object of the given kind, by name (cluster-wide list). */
export async function uidsOf(client: KubeClient, apiVersion: string, kind: string): Promise<Map<string, string>> {
  const items = await client.list<Meta>(apiVersion, kind);
  return new Map(items.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.uid]));
}
