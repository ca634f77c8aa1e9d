/**
 * Capacity report: per app and in total, pods (min..max replicas), CPU and memory requests and limits, persistent
 * storage, exposed hosts, and how many nodes of a given size the whole needs.
 *
 * Node count formula (per bound, min and max replicas):
 *   usable per node  = node capacity × (1 − headroom) − Σ requests of one pod of every DaemonSet
 *   nodes            = max(⌈(Σ CPU requests + add-ons) / usable CPU⌉, ⌈(Σ memory requests + add-ons) / usable memory⌉, 1)
 * `headroom` (default 0.25) stands for what a node never gives to pods: kubelet and OS reservations (providers
 * reserve roughly 6-10% CPU and 10-25% memory on small nodes), system pods (kube-proxy, CNI, DNS, CSI) and room
 * for rolling updates. Pods are assumed to pack perfectly, so the count is a lower bound; the report warns when a
 * single pod is larger than a node's usable capacity.
 */
import { LINKERD_INJECT_ANNOTATION, type ChartsIndex } from '../../platform/contract';
import { DEFAULT_PROXY_RESOURCES } from '../../platform/mesh/linkerd';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { isRecord, namespaceOf, objectRef } from './manifests';
import type { KubeObject, ManifestObject } from './manifests';
import { containersOf, declaredReplicas, hpaFor, hpas, isSidecar, podTemplateOf, stringMap } from './pods';
import type { PodTemplate } from './pods';
import { formatBytes, formatCpu, parseQuantity, tryParseQuantity } from './quantity';

/** CPU (cores) and memory (bytes), requested and limited. */
export interface Resources {
  readonly cpuRequest: number;
  readonly cpuLimit: number;
  readonly memoryRequest: number;
  readonly memoryLimit: number;
}

/** No resources. */
export const ZERO: Resources = { cpuRequest: 0, cpuLimit: 0, memoryRequest: 0, memoryLimit: 0 };

/**
 * Resources of the Linkerd proxy that the injector adds at admission to every meshed pod, so it is not in the YAML:
 * the platform's own default (the annotations it sets on every meshed pod), used when a pod carries no
 * `config.linkerd.io/proxy-*` annotations of its own.
 */
export const LINKERD_PROXY_ESTIMATE: Resources = {
  cpuRequest: parseQuantity(DEFAULT_PROXY_RESOURCES.cpu.request),
  cpuLimit: parseQuantity(DEFAULT_PROXY_RESOURCES.cpu.limit),
  memoryRequest: parseQuantity(DEFAULT_PROXY_RESOURCES.memory.request),
  memoryLimit: parseQuantity(DEFAULT_PROXY_RESOURCES.memory.limit),
};

/** Sum of two resource sets. */
export function addResources(a: Resources, b: Resources): Resources {
  return {
    cpuRequest: a.cpuRequest + b.cpuRequest,
    cpuLimit: a.cpuLimit + b.cpuLimit,
    memoryRequest: a.memoryRequest + b.memoryRequest,
    memoryLimit: a.memoryLimit + b.memoryLimit,
  };
}

function scale(a: Resources, n: number): Resources {
  return {
    cpuRequest: a.cpuRequest * n,
    cpuLimit: a.cpuLimit * n,
    memoryRequest: a.memoryRequest * n,
    memoryLimit: a.memoryLimit * n,
  };
}

function maxResources(a: Resources, b: Resources): Resources {
  return {
    cpuRequest: Math.max(a.cpuRequest, b.cpuRequest),
    cpuLimit: Math.max(a.cpuLimit, b.cpuLimit),
    memoryRequest: Math.max(a.memoryRequest, b.memoryRequest),
    memoryLimit: Math.max(a.memoryLimit, b.memoryLimit),
  };
}

/** A container's resources; a missing limit counts as its request (what the scheduler reserves). */
export function containerResources(container: IContainer): Resources {
  const r = container.resources ?? {};
  const cpuRequest = tryParseQuantity(r.requests?.cpu) ?? tryParseQuantity(r.limits?.cpu) ?? 0;
  const memoryRequest = tryParseQuantity(r.requests?.memory) ?? tryParseQuantity(r.limits?.memory) ?? 0;
  return {
    cpuRequest,
    cpuLimit: tryParseQuantity(r.limits?.cpu) ?? cpuRequest,
    memoryRequest,
    memoryLimit: tryParseQuantity(r.limits?.memory) ?? memoryRequest,
  };
}

/**
 * A pod's effective resources, as the scheduler computes them: the larger of (all app containers + native
 * sidecars) and, for each regular init container, itself plus the sidecars started before it.
 */
export function podResources(template: PodTemplate): Resources {
  let sidecars = ZERO;
  let initPeak = ZERO;
  for (const ref of containersOf(template.spec, ['initContainers'])) {
    const r = containerResources(ref.container as IContainer);
    if (isSidecar(ref.container)) sidecars = addResources(sidecars, r);
    else initPeak = maxResources(initPeak, addResources(r, sidecars));
  }
  const main = containersOf(template.spec, ['containers'])
    .map((ref) => containerResources(ref.container as IContainer))
    .reduce(addResources, sidecars);
  return maxResources(main, initPeak);
}

function proxyEstimate(annotations: Record<string, string>): Resources {
  const q = (name: string, fallback: number): number =>
    tryParseQuantity(annotations[`config.linkerd.io/proxy-${name}`]) ?? fallback;
  return {
    cpuRequest: q('cpu-request', LINKERD_PROXY_ESTIMATE.cpuRequest),
    cpuLimit: q('cpu-limit', LINKERD_PROXY_ESTIMATE.cpuLimit),
    memoryRequest: q('memory-request', LINKERD_PROXY_ESTIMATE.memoryRequest),
    memoryLimit: q('memory-limit', LINKERD_PROXY_ESTIMATE.memoryLimit),
  };
}

/** One workload in the report. */
export interface WorkloadReport {
  readonly ref: string;
  readonly kind: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Resources of one pod, Linkerd proxy estimate included when meshed. */
  readonly perPod: Resources;
  readonly meshed: boolean;
  /** DaemonSets run one pod per node: counted per node, not in the app's totals. */
  readonly perNode: boolean;
  /** Jobs and CronJobs: pods that come and go, counted in the max bound only. */
  readonly transient: boolean;
  /** Persistent storage claimed (volumeClaimTemplates × max replicas), bytes. */
  readonly storage: number;
}

/** One app in the report. */
export interface AppReport {
  readonly name: string;
  readonly file: string;
  readonly namespace: string;
  readonly workloads: readonly WorkloadReport[];
  readonly pods: { readonly min: number; readonly max: number };
  readonly atMin: Resources;
  readonly atMax: Resources;
  /** One pod of each DaemonSet (per node). */
  readonly perNode: Resources;
  readonly storage: number;
  readonly hosts: readonly string[];
}

/** A node size and how much of it pods may use. */
export interface NodeSize {
  /** Cores. */
  readonly cpu: number;
  /** Bytes. */
  readonly memory: number;
  /** Fraction of each node kept for the system (0..1). */
  readonly headroom: number;
}

/** Node count for one bound. */
export interface NodeEstimate {
  readonly nodes: number;
  /** Which resource decides: `cpu` or `memory`. */
  readonly boundBy: 'cpu' | 'memory';
}

/** The whole report. */
export interface CapacityReport {
  readonly apps: readonly AppReport[];
  readonly total: Omit<AppReport, 'name' | 'file' | 'namespace' | 'workloads'>;
  readonly node: NodeSize;
  readonly usablePerNode: { readonly cpu: number; readonly memory: number };
  readonly nodesMin: NodeEstimate;
  readonly nodesMax: NodeEstimate;
  /** Add-on requests counted in the node estimate. */
  readonly addons: { readonly cpu: number; readonly memory: number };
  /** Pods whose requests exceed what one node offers. */
  readonly oversized: readonly string[];
}

function storageOf(object: KubeObject): number {
  const spec = object.spec;
  if (!isRecord(spec)) return 0;
  const claimSize = (claim: unknown): number => {
    if (!isRecord(claim) || !isRecord(claim.spec) || !isRecord(claim.spec.resources)) return 0;
    const requests = claim.spec.resources.requests;
    return isRecord(requests) ? (tryParseQuantity(requests.storage) ?? 0) : 0;
  };
  if (object.kind === 'PersistentVolumeClaim') return claimSize(object);
  if (object.kind === 'StatefulSet' && Array.isArray(spec.volumeClaimTemplates)) {
    return spec.volumeClaimTemplates.reduce((sum: number, c: unknown) => sum + claimSize(c), 0);
  }
  return 0;
}

/** Hosts an object exposes: Ingress rules and TLS, Contour HTTPProxy fqdn, Gateway API route hostnames. */
export function exposedHosts(object: KubeObject): string[] {
  const spec = object.spec;
  if (!isRecord(spec)) return [];
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  if (object.kind === 'Ingress') {
    const rules = Array.isArray(spec.rules) ? spec.rules.filter(isRecord) : [];
    const tls = Array.isArray(spec.tls) ? spec.tls.filter(isRecord) : [];
    return [...rules.flatMap((r) => strings([r.host])), ...tls.flatMap((t) => strings(t.hosts))];
  }
  if (object.kind === 'HTTPProxy' && isRecord(spec.virtualhost)) return strings([spec.virtualhost.fqdn]);
  if (
    (object.kind === 'HTTPRoute' || object.kind === 'GRPCRoute') &&
    object.apiVersion.startsWith('gateway.networking.k8s.io/')
  ) {
    return strings(spec.hostnames);
  }
  return [];
}

function meshedNamespaces(objects: readonly ManifestObject[], index: ChartsIndex | undefined): Set<string> {
  const meshed = new Set<string>();
  for (const o of objects) {
    if (
      o.object.kind === 'Namespace' &&
      stringMap(o.object.metadata.annotations)[LINKERD_INJECT_ANNOTATION] === 'enabled'
    ) {
      meshed.add(o.object.metadata.name ?? '');
    }
  }
  for (const app of index?.apps ?? []) if (app.meshed) meshed.add(app.namespace);
  return meshed;
}

function workloadReport(
  template: PodTemplate,
  objects: readonly ManifestObject[],
  meshedNs: ReadonlySet<string>,
): WorkloadReport {
  const o = template.owner.object;
  const hpa = hpaFor(o, hpas(objects));
  const declared = declaredReplicas(o);
  const jobSpec =
    o.kind === 'CronJob' && isRecord(o.spec) && isRecord(o.spec.jobTemplate) ? o.spec.jobTemplate.spec : o.spec;
  const parallelism =
    o.kind === 'Job' || o.kind === 'CronJob'
      ? isRecord(jobSpec) && typeof jobSpec.parallelism === 'number'
        ? jobSpec.parallelism
        : 1
      : 1;
  const minReplicas = hpa ? hpa.minReplicas : (declared ?? parallelism);
  const maxReplicas = hpa ? Math.max(hpa.maxReplicas, hpa.minReplicas) : (declared ?? parallelism);
  const podInject = stringMap(template.metadata.annotations)[LINKERD_INJECT_ANNOTATION];
  const meshed = podInject === 'enabled' || (podInject !== 'disabled' && meshedNs.has(namespaceOf(o)));
  const own = podResources(template);
  const perPod = meshed ? addResources(own, proxyEstimate(stringMap(template.metadata.annotations))) : own;
  return {
    ref: objectRef(o),
    kind: o.kind,
    minReplicas,
    maxReplicas,
    perPod,
    meshed,
    perNode: o.kind === 'DaemonSet',
    transient: !template.longRunning && o.kind !== 'Pod',
    storage: storageOf(o) * maxReplicas,
  };
}

function summarizeApp(
  name: string,
  file: string,
  namespace: string,
  objects: readonly ManifestObject[],
  meshedNs: ReadonlySet<string>,
): AppReport {
  const workloads = objects.flatMap((m) => {
    const t = podTemplateOf(m);
    return t ? [workloadReport(t, objects, meshedNs)] : [];
  });
  let atMin = ZERO;
  let atMax = ZERO;
  let perNode = ZERO;
  let podsMin = 0;
  let podsMax = 0;
  for (const w of workloads) {
    if (w.perNode) {
      perNode = addResources(perNode, w.perPod);
      continue;
    }
    if (!w.transient) {
      atMin = addResources(atMin, scale(w.perPod, w.minReplicas));
      podsMin += w.minReplicas;
    }
    atMax = addResources(atMax, scale(w.perPod, w.maxReplicas));
    podsMax += w.maxReplicas;
  }
  const pvcStorage = objects
    .filter((m) => m.object.kind === 'PersistentVolumeClaim')
    .reduce((s, m) => s + storageOf(m.object), 0);
  const storage = workloads.reduce((s, w) => s + w.storage, pvcStorage);
  const hosts = [...new Set(objects.flatMap((m) => exposedHosts(m.object)))].sort();
  return {
    name,
    file,
    namespace,
    workloads,
    pods: { min: podsMin, max: podsMax },
    atMin,
    atMax,
    perNode,
    storage,
    hosts,
  };
}

function estimateNodes(total: Resources, usable: { cpu: number; memory: number }): NodeEstimate {
  const byCpu = usable.cpu > 0 ? Math.ceil(total.cpuRequest / usable.cpu) : Infinity;
  const byMemory = usable.memory > 0 ? Math.ceil(total.memoryRequest / usable.memory) : Infinity;
  return { nodes: Math.max(byCpu, byMemory, 1), boundBy: byCpu >= byMemory ? 'cpu' : 'memory' };
}

/** Options of {@link buildReport}. */
export interface ReportOptions {
  readonly node: NodeSize;
  /** `charts-out/index.json`, for app names, namespaces and mesh flags; without it, one app per file. */
  readonly index?: ChartsIndex;
  /**
   * CPU (cores) and memory (bytes) requested by the platform add-ons (ingress controller, Linkerd control plane,
   * Prometheus...), added to both bounds when sizing nodes. Their charts' requests depend on the values chosen at
   * deploy time, so the report takes them as input rather than guessing. @default none
   */
  readonly addons?: { readonly cpu: number; readonly memory: number };
}

/** Builds the capacity report from parsed manifests. */
export function buildReport(objects: readonly ManifestObject[], options: ReportOptions): CapacityReport {
  const meshedNs = meshedNamespaces(objects, options.index);
  const files = [...new Set(objects.map((o) => o.file))].sort();
  const apps = files.map((file) => {
    const entry = options.index?.apps.find((a) => a.file === file);
    const own = objects.filter((o) => o.file === file);
    const name = entry?.name ?? file.replace(/\.k8s\.yaml$/, '');
    const namespace = entry?.namespace ?? own.find((o) => o.object.metadata.namespace)?.object.metadata.namespace ?? '';
    return summarizeApp(name, file, namespace, own, meshedNs);
  });
  const sum = (pick: (a: AppReport) => Resources): Resources => apps.map(pick).reduce(addResources, ZERO);
  const total = {
    pods: { min: apps.reduce((s, a) => s + a.pods.min, 0), max: apps.reduce((s, a) => s + a.pods.max, 0) },
    atMin: sum((a) => a.atMin),
    atMax: sum((a) => a.atMax),
    perNode: sum((a) => a.perNode),
    storage: apps.reduce((s, a) => s + a.storage, 0),
    hosts: [...new Set(apps.flatMap((a) => a.hosts))].sort(),
  };
  const usablePerNode = {
    cpu: options.node.cpu * (1 - options.node.headroom) - total.perNode.cpuRequest,
    memory: options.node.memory * (1 - options.node.headroom) - total.perNode.memoryRequest,
  };
  const oversized = apps.flatMap((a) =>
    a.workloads
      .filter(
        (w) => !w.perNode && (w.perPod.cpuRequest > usablePerNode.cpu || w.perPod.memoryRequest > usablePerNode.memory),
      )
      .map((w) => `${a.name}: ${w.ref}`),
  );
  const addons = options.addons ?? { cpu: 0, memory: 0 };
  const withAddons = (r: Resources): Resources =>
    addResources(r, { cpuRequest: addons.cpu, cpuLimit: 0, memoryRequest: addons.memory, memoryLimit: 0 });
  return {
    apps,
    total,
    node: options.node,
    usablePerNode,
    nodesMin: estimateNodes(withAddons(total.atMin), usablePerNode),
    nodesMax: estimateNodes(withAddons(total.atMax), usablePerNode),
    addons,
    oversized,
  };
}

/** Parses `--addons-cpu`/`--addons-memory` values (Kubernetes quantities, may be 0). */
export function parseAddons(cpu: string, memory: string): { cpu: number; memory: number } {
  const addons = { cpu: parseQuantity(cpu), memory: parseQuantity(memory) };
  if (addons.cpu < 0 || addons.memory < 0) throw new Error('add-on requests must not be negative');
  return addons;
}

/** Parses `--node-cpu`/`--node-memory` style values. */
export function parseNodeSize(cpu: string, memory: string, headroom: string): NodeSize {
  const size = { cpu: parseQuantity(cpu), memory: parseQuantity(memory), headroom: Number(headroom) };
  if (!(size.cpu > 0) || !(size.memory > 0)) throw new Error('node CPU and memory must be positive quantities');
  if (!(size.headroom >= 0 && size.headroom < 1)) throw new Error(`headroom ${headroom} must be a fraction in [0, 1)`);
  return size;
}

const range = (min: number, max: number): string => (min === max ? `${min}` : `${min}–${max}`);
const cpuRange = (a: Resources, b: Resources, limit: boolean): string =>
  limit
    ? range2(formatCpu(a.cpuLimit), formatCpu(b.cpuLimit))
    : range2(formatCpu(a.cpuRequest), formatCpu(b.cpuRequest));
const memRange = (a: Resources, b: Resources, limit: boolean): string =>
  limit
    ? range2(formatBytes(a.memoryLimit), formatBytes(b.memoryLimit))
    : range2(formatBytes(a.memoryRequest), formatBytes(b.memoryRequest));
function range2(a: string, b: string): string {
  return a === b ? a : `${a}–${b}`;
}

/** Renders the report as Markdown (GitHub-flavoured tables), for a CI job summary or a PR comment. */
export function renderMarkdown(r: CapacityReport): string {
  const lines: string[] = ['## Capacity report', ''];
  lines.push(
    '| app | pods | CPU requests | CPU limits | memory requests | memory limits | storage | hosts |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  const row = (name: string, a: Omit<AppReport, 'name' | 'file' | 'namespace' | 'workloads'>): string =>
    `| ${name} | ${range(a.pods.min, a.pods.max)} | ${cpuRange(a.atMin, a.atMax, false)} | ${cpuRange(a.atMin, a.atMax, true)} | ` +
    `${memRange(a.atMin, a.atMax, false)} | ${memRange(a.atMin, a.atMax, true)} | ${formatBytes(a.storage)} | ${a.hosts.join(', ') || '—'} |`;
  for (const a of r.apps) lines.push(row(a.name, a));
  lines.push(row('**total**', r.total), '');
  lines.push(
    'Ranges are min–max replicas (HPA bounds); CPU in cores (`m` = millicores), memory in binary units. Requests ' +
      'of init containers and native sidecars follow the scheduler (the largest of init and running containers).',
  );
  const meshed = r.apps.flatMap((a) => a.workloads).filter((w) => w.meshed).length;
  if (meshed > 0) {
    lines.push(
      `${meshed} meshed workloads include an estimated Linkerd proxy per pod (requests ` +
        `${formatCpu(LINKERD_PROXY_ESTIMATE.cpuRequest)} CPU / ${formatBytes(LINKERD_PROXY_ESTIMATE.memoryRequest)}, limits ` +
        `${formatCpu(LINKERD_PROXY_ESTIMATE.cpuLimit)} CPU / ${formatBytes(LINKERD_PROXY_ESTIMATE.memoryLimit)}), injected at runtime and absent from the YAML.`,
    );
  }
  lines.push('', '### Nodes', '');
  const n = r.node;
  lines.push(
    `Node size: ${formatCpu(n.cpu)} CPU, ${formatBytes(n.memory)} memory; ${Math.round(n.headroom * 100)}% kept for the system ` +
      `(kubelet, OS, system pods)` +
      (r.total.perNode.cpuRequest > 0 || r.total.perNode.memoryRequest > 0
        ? ` and ${formatCpu(r.total.perNode.cpuRequest)} CPU / ${formatBytes(r.total.perNode.memoryRequest)} for DaemonSet pods`
        : '') +
      `, leaving ${formatCpu(Math.max(r.usablePerNode.cpu, 0))} CPU / ${formatBytes(Math.max(r.usablePerNode.memory, 0))} per node for pods.`,
    '',
    `| replicas | nodes needed | bound by |`,
    `| --- | ---: | --- |`,
    `| min | ${r.nodesMin.nodes} | ${r.nodesMin.boundBy} |`,
    `| max | ${r.nodesMax.nodes} | ${r.nodesMax.boundBy} |`,
    '',
    'nodes = max(⌈Σ CPU requests ÷ usable CPU⌉, ⌈Σ memory requests ÷ usable memory⌉), assuming perfect packing: a lower ' +
      'bound. ' +
      (r.addons.cpu > 0 || r.addons.memory > 0
        ? `Platform add-ons are counted as ${formatCpu(r.addons.cpu)} CPU / ${formatBytes(r.addons.memory)} of requests (--addons-cpu, --addons-memory).`
        : 'Platform add-ons (ingress controller, Linkerd control plane, Prometheus) are not included; pass their requests with --addons-cpu and --addons-memory.'),
  );
  if (r.oversized.length > 0) {
    lines.push('', `**Warning:** these pods request more than one node offers: ${r.oversized.join(', ')}.`);
  }
  for (const a of r.apps) {
    lines.push('', `### ${a.name} (\`${a.file}\`, namespace \`${a.namespace}\`)`, '');
    lines.push(
      '| workload | replicas | per pod CPU req/lim | per pod memory req/lim | storage |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const w of a.workloads) {
      const replicas = w.perNode ? 'per node' : `${range(w.minReplicas, w.maxReplicas)}${w.transient ? ' (job)' : ''}`;
      lines.push(
        `| ${w.ref}${w.meshed ? ' (meshed)' : ''} | ${replicas} | ${formatCpu(w.perPod.cpuRequest)} / ${formatCpu(w.perPod.cpuLimit)} | ` +
          `${formatBytes(w.perPod.memoryRequest)} / ${formatBytes(w.perPod.memoryLimit)} | ${w.storage ? formatBytes(w.storage) : '—'} |`,
      );
    }
    if (a.hosts.length > 0) lines.push('', `Hosts: ${a.hosts.map((h) => `\`${h}\``).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
