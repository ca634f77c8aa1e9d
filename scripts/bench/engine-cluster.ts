/**
 * What the engine benchmark does to the cluster besides Pulumi: the `kubectl apply --server-side` floor, and the
 * checks that every phase starts from a clean state. A namespace force-finalized while objects remain in it leaves
 * them in etcd, and they come back when a namespace of that name is created again (the fresh-clone run failed on
 * StatefulSets still owned by the floor's field manager): the floor's objects are deleted one by one first, and a
 * phase refuses to start while any object of the apps is still there, naming it.
 */
import { spawn } from 'node:child_process';
import { KubeApiError } from '../cluster/kube-client';
import type { KubeClient } from '../cluster/kube-client';
import type { KubeObject } from '../lib/manifests';

/** Runs `kubectl` without blocking the event loop (the sampler runs meanwhile); throws on failure. */
export function kubectl(kubeconfig: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim()}`)),
    );
  });
}

interface Namespace {
  metadata: { name: string };
  spec?: { finalizers?: string[] };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/** The objects of `objects` that exist in the cluster, as `Kind namespace/name`. */
export async function leftovers(client: KubeClient, objects: readonly KubeObject[]): Promise<string[]> {
  const live: unknown[] = [];
  // In batches: the client opens a connection per request, and a generated system has thousands of objects.
  for (let i = 0; i < objects.length; i += 32) {
    const batch = objects.slice(i, i + 32);
    live.push(
      ...(await Promise.all(
        batch.map((o) => client.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name ?? '')),
      )),
    );
  }
  return objects
    .filter((_, i) => live[i] !== undefined)
    .map((o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
}

/** Throws, naming what is left, unless none of `objects` exists: a phase starts only from a clean cluster. */
export async function assertClean(client: KubeClient, objects: readonly KubeObject[], phase: string): Promise<void> {
  const left = await leftovers(client, objects);
  if (left.length > 0) {
    throw new Error(
      `${phase}: the cluster is not clean, ${left.length} object(s) of the apps are still there ` +
        `(${left.slice(0, 8).join(', ')}${left.length > 8 ? ', ...' : ''}); a previous phase did not remove them`,
    );
  }
}

/** Whether none of the namespace's manifest objects, claims or pods is left. */
async function isEmpty(client: KubeClient, namespace: string, objects: readonly KubeObject[]): Promise<boolean> {
  const own = objects.filter((o) => o.metadata.namespace === namespace);
  if ((await leftovers(client, own)).length > 0) return false;
  for (const kind of ['PersistentVolumeClaim', 'Pod']) {
    if ((await client.list('v1', kind, namespace)).length > 0) return false;
  }
  return true;
}

/**
 * Removes what the floor applied: every object but the namespaces, waiting for each to be gone, then the
 * namespaces. The namespace controller keeps a namespace while an aggregated API (the metrics adapter's, Linkerd's
 * tap) is unreachable, as every one is here without a pod network; a namespace is finalized by hand only once it
 * is empty, checked object by object.
 */
export async function removeFloor(
  client: KubeClient,
  kubeconfig: string,
  files: readonly string[],
  objects: readonly KubeObject[],
): Promise<void> {
  const inNamespaces = objects.filter((o) => o.kind !== 'Namespace');
  await kubectl(kubeconfig, [
    'delete',
    '--ignore-not-found',
    // Not waiting here: the namespaces in the files stay Terminating (see above) and would hold kubectl until its
    // timeout; the loop below waits for each object instead.
    '--wait=false',
    ...files.flatMap((f) => ['-f', f]),
  ]);
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name ?? '');
  const deadline = Date.now() + 600_000;
  let left = [...namespaces];
  while (left.length > 0) {
    if (Date.now() > deadline) throw new Error(`namespaces still there after 600 s: ${left.join(', ')}`);
    await new Promise((r) => setTimeout(r, 1000));
    const live = await Promise.all(left.map((n) => client.get<Namespace>('v1', 'Namespace', undefined, n)));
    left = left.filter((_, i) => live[i]);
    for (const ns of live) {
      if (!ns || !(await isEmpty(client, ns.metadata.name, inNamespaces))) continue;
      const body = JSON.stringify({ ...ns, spec: { ...ns.spec, finalizers: [] } });
      try {
        await client.call('PUT', `/api/v1/namespaces/${ns.metadata.name}/finalize`, body, 'application/json');
      } catch (error) {
        // The namespace controller changed it meanwhile (409): read it again on the next round.
        if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      }
    }
  }
  await assertClean(client, objects, 'after the floor');
}
