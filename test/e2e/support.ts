/**
 * What the e2e suites share: a local cluster per suite file, the CRDs of ../shared/crds applied and Established,
 * and server-side apply of many objects that collects every refusal and warning with the object's name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeApiError, KubeClient, targetFromKubeconfig } from '../../scripts/cluster/kube-client';
import { runAsync } from '../../scripts/cluster/run-async';
import { startLocalCluster, stopLocalCluster } from '../../scripts/cluster/local-cluster';
import type { ClusterState, StartOptions } from '../../scripts/cluster/local-cluster';
import { sharedDir } from '../../scripts/lib/crds';
import { objectRef, parseManifests } from '../../scripts/lib/manifests';
import type { KubeObject } from '../../scripts/lib/manifests';

/** Repository root. */
export const ROOT = join(__dirname, '..', '..');

/** A started cluster and a client for it. */
export interface E2eCluster {
  readonly state: ClusterState;
  readonly client: KubeClient;
}

/**
 * Starts a cluster before the suite's tests and stops it after them (the PID namespace of `netns.sh` is the
 * backstop when the run is interrupted). Returns a getter: the cluster exists only once `beforeAll` ran.
 */
export function useLocalCluster(options: StartOptions = {}, startTimeoutMs = 180_000): () => E2eCluster {
  let cluster: E2eCluster | undefined;
  beforeAll(async () => {
    const state = await startLocalCluster(options);
    cluster = { state, client: new KubeClient(targetFromKubeconfig(state.kubeconfig)) };
  }, startTimeoutMs);
  afterAll(() => {
    if (cluster) stopLocalCluster(cluster.state, process.env.E2E_KEEP_CLUSTER_DIR === '1');
  });
  return () => {
    if (!cluster) throw new Error('the local cluster did not start (see beforeAll)');
    return cluster;
  };
}

/** One object the API server refused, or warned about, in its own words. */
export interface ApplyProblem {
  readonly object: string;
  readonly message: string;
}

/** Applies objects one by one (server-side, strict); returns the refusals and the warnings, each with its object. */
export async function applyAll(
  client: KubeClient,
  objects: readonly KubeObject[],
): Promise<{ refused: ApplyProblem[]; warnings: ApplyProblem[] }> {
  const refused: ApplyProblem[] = [];
  const warnings: ApplyProblem[] = [];
  for (const object of objects) {
    try {
      for (const message of await client.apply(object)) warnings.push({ object: objectRef(object), message });
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      refused.push({ object: objectRef(object), message: error.message });
    }
  }
  return { refused, warnings };
}

interface Crd {
  metadata: { name: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/** The CRDs the platform's objects use, from ../shared/crds (the upstream files). */
export function sharedCrds(): KubeObject[] {
  const dir = join(sharedDir(ROOT), 'crds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), f).objects.map((o) => o.object))
    .filter((o) => o.kind === 'CustomResourceDefinition');
}

/** Applies CRDs and waits until each is Established; returns the refusals and warnings. */
export async function installCrds(client: KubeClient, crds: readonly KubeObject[], timeoutMs = 60_000) {
  const result = await applyAll(client, crds);
  const deadline = Date.now() + timeoutMs;
  const established = async (name: string): Promise<boolean> => {
    const crd = await client.get<Crd>('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name);
    return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  };
  for (const crd of crds) {
    while (!(await established(crd.metadata.name ?? ''))) {
      if (Date.now() > deadline)
        throw new Error(`CRD ${crd.metadata.name} not Established after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  client.forgetDiscovery();
  return result;
}

/**
 * Calls `probe` every 500 ms until it returns a value, and returns that; after `timeoutMs`, throws `what()`'s
 * words about the last state seen.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  what: () => string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(what());
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Runs kubectl without blocking the test's event loop; resolves with its stdout, rejects with its stderr. */
export async function kubectlAsync(kubeconfig: string, args: readonly string[], input?: string): Promise<string> {
  const r = await runAsync('kubectl', ['--kubeconfig', kubeconfig, ...args], { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.slice(0, 4).join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}
