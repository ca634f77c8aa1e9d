/**
 * What the real nodes leave on the machine once their processes are gone, and its removal: mounts under the
 * cluster's directory (volumes, overlay root filesystems, network namespace handles), the network devices (bridges,
 * pod veths) and the nodes' InternalIPs, kube-proxy's netfilter rules, and the containers' cgroups.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/** Mount points under `dir`, deepest first (from /proc/self/mountinfo; octal escapes decoded). */
export function mountsUnder(dir: string, mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const decode = (s: string): string =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return mountinfo
    .split('\n')
    .map((line) => decode(line.split(' ')[4] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything under `dir` (lazily: a mount still busy goes when its last user does). */
function unmountAll(dir: string): string[] {
  const failed: string[] = [];
  for (const m of mountsUnder(dir)) {
    const r = spawnSync('umount', ['-l', m], { encoding: 'utf8' });
    if (r.status !== 0 && !/not mounted|no mount point/.test(r.stderr)) failed.push(`${m}: ${r.stderr.trim()}`);
  }
  return failed;
}

/** Deletes the network devices whose names start with `prefix` (the bridges the nodes made; their veths go with them). */
function deleteDevices(prefix: string): void {
  const r = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  const names = (r.stdout ?? '')
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n.startsWith(prefix));
  for (const name of names) spawnSync('ip', ['link', 'delete', name]);
}

/** The cgroup hierarchies of the machine (v1 controllers and the v2 unified one). */
function cgroupRoots(): string[] {
  const base = '/sys/fs/cgroup';
  if (!existsSync(base)) return [];
  if (existsSync(join(base, 'cgroup.controllers'))) return [base];
  return readdirSync(base).map((c) => join(base, c));
}

/** The processes in `group` or below it, in any hierarchy. */
export function cgroupProcesses(group: string): Set<number> {
  const pids = new Set<number>();
  const walk = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) if (e.isDirectory()) walk(join(p, e.name));
    try {
      for (const l of readFileSync(join(p, 'cgroup.procs'), 'utf8').split('\n')) if (l) pids.add(Number(l));
    } catch {
      // not a cgroup directory
    }
  };
  for (const root of cgroupRoots()) if (existsSync(join(root, group))) walk(join(root, group));
  return pids;
}

/** Removes the (empty) cgroup `group` in every hierarchy, children first. */
export function removeCgroup(group: string): void {
  for (const root of cgroupRoots()) {
    const path = join(root, group);
    if (!existsSync(path)) continue;
    const remove = (p: string): void => {
      for (const e of readdirSync(p, { withFileTypes: true })) if (e.isDirectory()) remove(join(p, e.name));
      try {
        rmdirSync(p);
      } catch {
        // still has processes: their own cleanup (or the PID namespace's end) comes first
      }
    };
    remove(path);
  }
}

/**
 * Removes what the nodes left: mounts under `clusterDir`, devices named `k8sp-*`, the nodes' IPs, kube-proxy's rules and the
 * cgroups of the containers `containerIds` (containerd's `/k8s.io/<id>`, killed first if anything still runs
 * there). Returns mounts it could not remove.
 */
export function removeNodeLeftovers(
  clusterDir: string,
  containerIds: readonly string[],
  nodeIps: readonly string[],
  kubeProxy?: string,
): string[] {
  for (const id of containerIds) {
    for (const pid of cgroupProcesses(`/k8s.io/${id}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  const failed = unmountAll(clusterDir);
  deleteDevices('k8sp-');
  for (const ip of nodeIps) spawnSync('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo']);
  if (kubeProxy) spawnSync(kubeProxy, ['--cleanup'], { stdio: 'ignore', timeout: 30_000 });
  for (const id of containerIds) removeCgroup(`/k8s.io/${id}`);
  return failed;
}
